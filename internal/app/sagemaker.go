package app

import (
	"context"
	"errors"
	"strings"

	"github.com/sagebox/sagebox/internal/awserr"

	"github.com/sagebox/sagebox/internal/service/ec2"
	"github.com/sagebox/sagebox/internal/service/iam"
	"github.com/sagebox/sagebox/internal/service/sagemaker"
	"github.com/sagebox/sagebox/internal/service/sts"
	"github.com/sagebox/sagebox/internal/store"
)

// What SageMaker needs of the other services, adapted here so that no service imports another.

// smNetwork is EC2 as SageMaker sees it (sagemaker.Network).
type smNetwork struct{ ec2 *ec2.Service }

func (n smNetwork) EnsureDefaults(ctx context.Context, account, region string) error {
	return n.ec2.EnsureDefaults(ctx, account, region)
}

func (n smNetwork) Subnet(t store.Tx, account, region, id string) (*sagemaker.Subnet, error) {
	sn, err := n.ec2.SubnetInfo(t, account, region, id)
	if err != nil || sn == nil {
		return nil, notFoundIsNil(err)
	}
	return &sagemaker.Subnet{ID: sn.ID, VPCID: sn.VPCID, Zone: sn.Zone, CIDR: sn.CIDR, AvailableAddresses: sn.AvailableAddresses}, nil
}

func (n smNetwork) SecurityGroup(t store.Tx, account, region, id string) (*sagemaker.SecurityGroup, error) {
	g, err := n.ec2.SecurityGroupInfo(t, account, region, id)
	if err != nil || g == nil {
		return nil, notFoundIsNil(err)
	}
	return &sagemaker.SecurityGroup{ID: g.ID, VPCID: g.VPCID, Name: g.Name}, nil
}

func (n smNetwork) VPCExists(t store.Tx, account, region, id string) (bool, error) {
	return n.ec2.VPCExists(t, account, region, id)
}

func (n smNetwork) CreateInterface(t store.Tx, account, region string, in sagemaker.Interface) (string, string, error) {
	info, err := n.ec2.CreateServiceInterface(t, account, region, ec2.ServiceInterface{
		SubnetID: in.SubnetID, GroupIDs: in.GroupIDs, Description: in.Description, InterfaceType: in.InterfaceType,
		RequesterID: in.RequesterID,
	})
	if err != nil {
		return "", "", err
	}
	return info.ID, info.PrivateIP, nil
}

func (n smNetwork) DeleteInterface(t store.Tx, account, region, id string) error {
	return n.ec2.DeleteServiceInterface(t, account, region, id)
}

func (n smNetwork) CreateSecurityGroup(t store.Tx, account, region string, g sagemaker.SecurityGroupSpec) (string, error) {
	sg := ec2.ServiceGroup{VPCID: g.VPCID, Name: g.Name, Description: g.Description, Tags: g.Tags}
	for _, r := range g.Rules {
		rule := ec2.ServiceRule{Protocol: r.Protocol, FromPort: int32(r.FromPort), ToPort: int32(r.ToPort), CIDR: r.CIDR, GroupID: r.GroupID}
		if r.GroupID == "self" {
			rule.GroupID, rule.Self = "", true
		}
		if r.Egress {
			sg.Egress = append(sg.Egress, rule)
		} else {
			sg.Ingress = append(sg.Ingress, rule)
		}
	}
	return n.ec2.CreateServiceGroup(t, account, region, sg)
}

func (n smNetwork) DeleteSecurityGroup(t store.Tx, account, region, id string) error {
	return n.ec2.DeleteServiceGroup(t, account, region, id)
}

func (n smNetwork) Reach(ctx context.Context, account, region, subnetID string, groupIDs []string, service string) (*sagemaker.Reach, error) {
	r, err := n.ec2.Reach(ctx, ec2.ReachQuery{Account: account, Region: region, SubnetID: subnetID, GroupIDs: groupIDs, Destination: service})
	if err != nil {
		return nil, err
	}
	return &sagemaker.Reach{Service: service, Reachable: r.Reachable, Via: r.Via, Reason: r.Reason}, nil
}

// notFoundIsNil turns EC2's not-found errors (InvalidSubnetID.NotFound, InvalidGroup.NotFound) into nil: SageMaker
// answers what does not exist in its own words.
func notFoundIsNil(err error) error {
	var ae *awserr.Error
	if errors.As(err, &ae) && strings.HasSuffix(ae.Code, ".NotFound") {
		return nil
	}
	return err
}

// smRoles is IAM and STS as SageMaker sees them (sagemaker.Roles): whether SageMaker may assume a role is STS's
// AssumeRoleAsService, decided by the role's trust policy.
type smRoles struct{ sts *sts.Service }

func (r smRoles) CanAssume(ctx context.Context, t store.Tx, region, roleARN string) error {
	_, err := r.sts.AssumeRoleAsService(ctx, sts.ServiceAssume{
		Service: "sagemaker.amazonaws.com", RoleARN: roleARN, SessionName: "SageMaker", Region: region, Tx: t,
	})
	var cannot *sts.CannotAssumeError
	if errors.As(err, &cannot) {
		return cannot
	}
	return err
}

// AddRules adds rules to a security group SageMaker made (its NFS groups name each other).
func (n smNetwork) AddRules(t store.Tx, account, region, groupID string, rules []sagemaker.Rule) error {
	var ingress, egress []ec2.ServiceRule
	for _, r := range rules {
		rule := ec2.ServiceRule{Protocol: r.Protocol, FromPort: int32(r.FromPort), ToPort: int32(r.ToPort), CIDR: r.CIDR, GroupID: r.GroupID}
		if r.GroupID == "self" {
			rule.GroupID, rule.Self = "", true
		}
		if r.Egress {
			egress = append(egress, rule)
		} else {
			ingress = append(ingress, rule)
		}
	}
	return n.ec2.AddServiceGroupRules(t, account, region, groupID, ingress, egress)
}

// smRoleInfo is IAM as the SageMaker Studio page sees it (sagemaker.RoleInfo): what an execution role may do.
type smRoleInfo struct{ iam *iam.Service }

func (r smRoleInfo) RolePermissions(t store.Tx, account, roleARN string) (*sagemaker.RolePermissions, error) {
	p, err := r.iam.RolePermissions(t, account, roleARN)
	if err != nil || p == nil {
		return nil, err
	}
	return &sagemaker.RolePermissions{ARN: p.ARN, AttachedPolicies: p.AttachedPolicies, InlinePolicies: p.InlinePolicies, Boundary: p.Boundary}, nil
}

// isStudioPath reports whether a request is for the Studio pages, which presigned URLs open: they are reached
// without SigV4 and without the admin API's guard, wherever sagebox listens, because their token is their credential.
func isStudioPath(p string) bool {
	return strings.HasPrefix(p, sagemaker.StudioPath)
}
