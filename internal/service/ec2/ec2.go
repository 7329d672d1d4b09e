// Package ec2 implements the EC2 networking that SageMaker attaches to: VPCs and their CIDR blocks, subnets,
// security groups and their rules, route tables, network ACLs, internet and NAT gateways, Elastic IPs, VPC
// endpoints, prefix lists and network interfaces, with tags and the default VPC every region of an account has —
// with AWS's checks (CIDR rules, address accounting, dependencies, duplicates) and texts.
//
// Everything is regional: records live in the store under (account, region of the request). A region's default VPC
// and its companions are made the first time an account uses EC2 in that region (defaults.go), as a new AWS account
// finds them already there.
//
// It does not run instances or carry traffic. Whether traffic could get from an interface to a destination is
// answered by Reach (reach.go) from what is stored.
package ec2

import (
	"context"
	"sync"
	"time"

	"github.com/sagebox/sagebox/internal/api"
	"github.com/sagebox/sagebox/internal/clock"
	"github.com/sagebox/sagebox/internal/ids"
	"github.com/sagebox/sagebox/internal/store"
)

//go:generate go run ../../model/shapegen -service ec2 -out shapes_gen.go CreateVpc DeleteVpc DescribeVpcs ModifyVpcAttribute DescribeVpcAttribute AssociateVpcCidrBlock DisassociateVpcCidrBlock CreateSubnet DeleteSubnet DescribeSubnets ModifySubnetAttribute DescribeAvailabilityZones DescribeRegions CreateSecurityGroup DeleteSecurityGroup DescribeSecurityGroups AuthorizeSecurityGroupIngress AuthorizeSecurityGroupEgress RevokeSecurityGroupIngress RevokeSecurityGroupEgress DescribeSecurityGroupRules ModifySecurityGroupRules CreateRouteTable DeleteRouteTable DescribeRouteTables CreateRoute DeleteRoute ReplaceRoute AssociateRouteTable DisassociateRouteTable ReplaceRouteTableAssociation CreateNetworkAcl DeleteNetworkAcl DescribeNetworkAcls CreateNetworkAclEntry DeleteNetworkAclEntry ReplaceNetworkAclEntry ReplaceNetworkAclAssociation CreateInternetGateway AttachInternetGateway DetachInternetGateway DeleteInternetGateway DescribeInternetGateways CreateNatGateway DeleteNatGateway DescribeNatGateways AllocateAddress ReleaseAddress DescribeAddresses CreateVpcEndpoint DeleteVpcEndpoints ModifyVpcEndpoint DescribeVpcEndpoints DescribeVpcEndpointServices DescribePrefixLists CreateNetworkInterface DeleteNetworkInterface DescribeNetworkInterfaces AttachNetworkInterface DetachNetworkInterface CreateTags DeleteTags DescribeTags

// Config is what EC2 is built from.
type Config struct {
	// IDs makes resource ids (vpc-…, subnet-…) and the random parts of addresses.
	IDs *ids.Source
	// Store is where a region's default VPC is made, in its own transaction, before the call that first needs it
	// reads anything.
	Store store.Store
	// Clock stamps creation times and drives lifecycles (a NAT gateway is pending, then available).
	Clock clock.Clock
	// LifecycleScale multiplies lifecycle delays; 0 finishes them at once. States are derived from the clock when
	// read (a NAT gateway created at T is available from T + its delay), so that they survive restarts.
	LifecycleScale float64
}

// Service is EC2.
type Service struct {
	ids   *ids.Source
	store store.Store
	clock clock.Clock
	scale float64

	// defaulted holds the account/region pairs whose default VPC is known to exist, so that only the first call of
	// a region pays for looking.
	defaulted sync.Map
}

// New returns EC2.
func New(cfg Config) *Service {
	return &Service{ids: cfg.IDs, store: cfg.Store, clock: cfg.Clock, scale: cfg.LifecycleScale}
}

// Handlers returns the operations EC2 implements.
func (s *Service) Handlers() *api.ServiceHandlers {
	h := api.NewService("ec2")
	s.registerVPCs(h)
	s.registerSubnets(h)
	s.registerZones(h)
	s.registerSecurityGroups(h)
	s.registerRouteTables(h)
	s.registerGateways(h)
	s.registerNetworkACLs(h)
	s.registerEndpoints(h)
	s.registerInterfaces(h)
	s.registerTags(h)
	return h
}

// Reset forgets which regions have their defaults, after the store was reset.
func (s *Service) Reset() {
	s.defaulted.Clear()
}

// delay scales a lifecycle delay.
func (s *Service) delay(d time.Duration) time.Duration { return time.Duration(float64(d) * s.scale) }

// begin prepares a call: it makes the region's default VPC exist (before the call's transaction begins, so that
// the transaction sees it). Every handler calls it first.
func (s *Service) begin(ctx context.Context, c *api.Call) error {
	return s.ensureDefaults(ctx, c.Account(), c.Region)
}
