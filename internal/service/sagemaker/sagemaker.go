// Package sagemaker implements SageMaker Studio: domains, user profiles, spaces and apps, their tags, and presigned
// Studio URLs that open a sagebox page for a user profile — with AWS's checks: the network a domain names exists
// and holds together (one VPC, subnets with free addresses, security groups of that VPC), the execution roles
// exist, trust sagemaker.amazonaws.com and may be passed by the caller (iam:PassRole), quotas, and the deletion
// order.
//
// Resources live in the store under (account, region of the request). Lifecycles (Pending → InService, Deleting →
// gone) are derived from the clock when read, as EC2's are, so that they survive restarts and follow
// `sagebox clock advance`.
//
// It does not own networks or roles: EC2 does (Network) and IAM and STS do (Roles); app adapts them, so that no
// service imports another.
package sagemaker

import (
	"context"
	"time"

	"github.com/sagebox/sagebox/internal/api"
	"github.com/sagebox/sagebox/internal/clock"
	"github.com/sagebox/sagebox/internal/ids"
	"github.com/sagebox/sagebox/internal/store"
)

//go:generate go run ../../model/shapegen -service sagemaker -out shapes_gen.go CreateDomain DescribeDomain UpdateDomain DeleteDomain ListDomains CreateUserProfile DescribeUserProfile UpdateUserProfile DeleteUserProfile ListUserProfiles CreateSpace DescribeSpace UpdateSpace DeleteSpace ListSpaces CreateApp DescribeApp DeleteApp ListApps CreatePresignedDomainUrl AddTags DeleteTags ListTags

// Network is what SageMaker needs of EC2. Lookups return nil (and no error) for what does not exist.
type Network interface {
	// EnsureDefaults makes the region's default VPC exist; it runs its own transaction, so it is called before the
	// call's transaction begins.
	EnsureDefaults(ctx context.Context, account, region string) error
	Subnet(t store.Tx, account, region, id string) (*Subnet, error)
	SecurityGroup(t store.Tx, account, region, id string) (*SecurityGroup, error)
	// VPCExists reports whether the VPC exists.
	VPCExists(t store.Tx, account, region, id string) (bool, error)
	// CreateInterface puts a requester-managed network interface in a subnet on the account's behalf and returns
	// its id and address; EC2's errors (a full subnet: InsufficientFreeAddressesInSubnet) come back as they are.
	CreateInterface(t store.Tx, account, region string, in Interface) (id, ip string, err error)
	DeleteInterface(t store.Tx, account, region, id string) error
	// CreateSecurityGroup makes a security group in a VPC on the account's behalf (SageMaker's NFS groups), with
	// rules; it returns the group's id.
	CreateSecurityGroup(t store.Tx, account, region string, g SecurityGroupSpec) (string, error)
	DeleteSecurityGroup(t store.Tx, account, region, id string) error
	// Reach says whether HTTPS from the subnet, with the groups, gets to a service of the region ("sagemaker.api",
	// "s3", …) and by which way, or why not.
	Reach(ctx context.Context, account, region, subnetID string, groupIDs []string, service string) (*Reach, error)
}

// Subnet is a subnet as SageMaker sees it.
type Subnet struct {
	ID, VPCID, Zone, CIDR string
	AvailableAddresses    int
}

// SecurityGroup is a security group as SageMaker sees it.
type SecurityGroup struct {
	ID, VPCID, Name string
}

// Interface is a network interface SageMaker asks EC2 for.
type Interface struct {
	SubnetID    string
	GroupIDs    []string
	Description string
	// InterfaceType is EC2's ("interface", "efs").
	InterfaceType string
	RequesterID   string
}

// SecurityGroupSpec is a security group SageMaker asks EC2 for, with its rules.
type SecurityGroupSpec struct {
	VPCID, Name, Description string
	Rules                    []Rule
	Tags                     map[string]string
}

// Rule is one security group rule: a protocol ("tcp", "-1"), a port range, and a peer group (GroupID, "self" for the
// group itself) or CIDR.
type Rule struct {
	Egress           bool
	Protocol         string
	FromPort, ToPort int
	GroupID, CIDR    string
}

// Reach is EC2's reachability answer, as SageMaker passes it on.
type Reach struct {
	Service   string `json:"service"`
	Reachable bool   `json:"reachable"`
	// Via names the way ("gateway-endpoint", "interface-endpoint", "nat-gateway", "internet-gateway"); Reason says
	// why not when it is not reachable.
	Via    string `json:"via,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// Roles is what SageMaker needs of IAM and STS: that an execution role exists and trusts SageMaker, decided by the
// role's trust policy as AWS decides it (STS's AssumeRoleAsService, which records the decision).
type Roles interface {
	// CanAssume returns nil when sagemaker.amazonaws.com may assume the role, and an error whose text says why not
	// otherwise (the role does not exist, or its trust does not allow SageMaker); t is the call's transaction.
	CanAssume(ctx context.Context, t store.Tx, region, roleARN string) error
}

// Config is what SageMaker is built from.
type Config struct {
	IDs            *ids.Source
	Clock          clock.Clock
	LifecycleScale float64
	Network        Network
	Roles          Roles
	// URLKey signs presigned Studio URLs' tokens; a token signed with another key is refused.
	URLKey []byte
	// Store is read (and written: used URLs) by the Studio page, which serves outside any API call.
	Store store.Store
	// RoleInfo tells the Studio page what an execution role may do.
	RoleInfo RoleInfo
}

// Service is SageMaker.
type Service struct {
	ids      *ids.Source
	clock    clock.Clock
	scale    float64
	network  Network
	roles    Roles
	urlKey   []byte
	store    store.Store
	roleInfo RoleInfo
}

// New returns SageMaker.
func New(cfg Config) *Service {
	return &Service{ids: cfg.IDs, clock: cfg.Clock, scale: cfg.LifecycleScale, network: cfg.Network, roles: cfg.Roles, urlKey: cfg.URLKey,
		store: cfg.Store, roleInfo: cfg.RoleInfo}
}

// Handlers returns the operations SageMaker implements.
func (s *Service) Handlers() *api.ServiceHandlers {
	h := api.NewService("sagemaker")
	s.registerDomains(h)
	s.registerUserProfiles(h)
	s.registerSpaces(h)
	s.registerApps(h)
	s.registerTags(h)
	s.registerPresigned(h)
	return h
}

// delay scales a lifecycle delay.
func (s *Service) delay(d time.Duration) time.Duration { return time.Duration(float64(d) * s.scale) }

// begin prepares a call: the region's default VPC exists before the call's transaction begins (a domain may name
// it). Every handler calls it first.
func (s *Service) begin(ctx context.Context, c *api.Call) error {
	if s.network == nil {
		return nil
	}
	return s.network.EnsureDefaults(ctx, c.Account(), c.Region)
}
