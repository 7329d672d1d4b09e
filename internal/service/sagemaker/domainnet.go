package sagemaker

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/sagebox/sagebox/internal/api"
	"github.com/sagebox/sagebox/internal/awserr"
	"github.com/sagebox/sagebox/internal/store"
)

// A domain's network: what it is checked against (its VPC, subnets and security groups) and what SageMaker makes
// in it — the home EFS file system's mount targets, one requester-managed network interface in each subnet, each
// taking an address, and the two NFS security groups, made as AWS makes them:
//
//	security-group-for-inbound-nfs-d-…   "[DO NOT DELETE] Security Group that allows inbound NFS traffic for
//	                                      SageMaker Notebooks Domain [d-…]", TCP 2049 in from the outbound group
//	security-group-for-outbound-nfs-d-…  "… outbound NFS traffic …", TCP 2049 out to the inbound group only
//
// both tagged ManagedByAmazonSageMakerResource = the domain's ARN (names, descriptions, tag and rules as public
// Terraform exports of real accounts show them). The mount targets carry the inbound group; apps carry the outbound
// one beside the groups the settings name.
//
// What DeleteDomain gives back follows AWS: the NFS groups stay in the VPC after the domain is gone (a known step of
// tearing a VPC down after Studio: the two groups name each other and must have their rules revoked before they can
// be deleted), and the mount targets stay with the home file system unless RetentionPolicy.HomeEfsFileSystem is
// Delete (the default is Retain), in which case their interfaces are deleted in the DeleteDomain call itself and
// their addresses are free at once (AWS frees them within minutes).

// managedTag is the tag SageMaker puts on what it makes for a domain, valued with the domain's ARN.
const managedTag = "ManagedByAmazonSageMakerResource"

// nfsPort is NFS's port, which the EFS mount targets serve.
const nfsPort = 2049

// efsRequester is the RequesterId of an EFS mount target's interface (unverified).
const efsRequester = "amazon-elasticfilesystem"

// resourceNotFoundReason is how a domain's FailureReason names a network resource that does not exist: what is
// its kind ("VPC", "subnet", "security group"). The VPC's text is AWS's (terraform-provider-aws#29078); the subnet's
// and the group's are written after it.
func resourceNotFoundReason(what, id string) string {
	return fmt.Sprintf("ResourceNotFoundError: The %s ID '%s' could not be found. Verify that the %s ID is valid and that it's in the same AWS Region as the requested domain. To determine whether the %s has been deleted, contact your administrator.",
		what, id, what, what)
}

// checkDomainNetwork checks that the VPC exists and that every subnet and group exists and is in it. It returns
// the FailureReason of the first that is not ("" when all are), or an error when the check itself fails.
func (s *Service) checkDomainNetwork(t store.Tx, c *api.Call, vpcID string, subnets, groups []string) (string, error) {
	ok, err := s.network.VPCExists(t, c.Account(), c.Region, vpcID)
	if err != nil {
		return "", err
	}
	if !ok {
		return resourceNotFoundReason("VPC", vpcID), nil
	}
	for _, id := range subnets {
		sn, err := s.network.Subnet(t, c.Account(), c.Region, id)
		if err != nil {
			return "", err
		}
		if sn == nil {
			return resourceNotFoundReason("subnet", id), nil
		}
		if sn.VPCID != vpcID {
			// Text unverified.
			return fmt.Sprintf("ValidationError: The subnet '%s' is in VPC '%s', not in the domain's VPC '%s'. All subnets of a domain must be in its VPC.", id, sn.VPCID, vpcID), nil
		}
	}
	for _, id := range groups {
		g, err := s.network.SecurityGroup(t, c.Account(), c.Region, id)
		if err != nil {
			return "", err
		}
		if g == nil {
			return resourceNotFoundReason("security group", id), nil
		}
		if g.VPCID != vpcID {
			// Text unverified.
			return fmt.Sprintf("ValidationError: The security group '%s' is in VPC '%s', not in the domain's VPC '%s'. All security groups of a domain must be in its VPC.", id, g.VPCID, vpcID), nil
		}
	}
	return "", nil
}

// fullSubnetReason is a domain's FailureReason when a subnet has no address left for its mount target (text
// unverified: EFS's own error for it is NoFreeAddressesInSubnet).
func fullSubnetReason(subnetID string) string {
	return fmt.Sprintf("NoFreeAddressesInSubnet: The subnet '%s' has no free IP address for the mount target of the domain's home EFS file system.", subnetID)
}

// isFullSubnet reports whether err is EC2's answer for a subnet without a free address.
func isFullSubnet(err error) bool {
	var ae *awserr.Error
	return errors.As(err, &ae) && ae.Code == "InsufficientFreeAddressesInSubnet"
}

// ruleAdder is the part of Network that adds rules to a group SageMaker made; the NFS groups name each other, so
// one of them gets its rule once the other exists.
type ruleAdder interface {
	AddRules(t store.Tx, account, region, groupID string, rules []Rule) error
}

// makeDomainNetwork makes the domain's NFS groups and its mount targets. It returns a FailureReason, with nothing
// made, when a subnet has no free address for its mount target (checked first, so that nothing needs undoing: the
// NFS groups name each other and could not simply be deleted again), or an error.
func (s *Service) makeDomainNetwork(t store.Tx, c *api.Call, d *domain) (string, error) {
	acct, region := c.Account(), c.Region
	for _, id := range d.SubnetIDs {
		sn, err := s.network.Subnet(t, acct, region, id)
		if err != nil {
			return "", err
		}
		if sn == nil || sn.AvailableAddresses < 1 {
			return fullSubnetReason(id), nil
		}
	}
	tags := map[string]string{managedTag: domainARN(c, d.ID)}
	inbound, err := s.network.CreateSecurityGroup(t, acct, region, SecurityGroupSpec{
		VPCID: d.VPCID, Name: "security-group-for-inbound-nfs-" + d.ID, Tags: tags,
		Description: "[DO NOT DELETE] Security Group that allows inbound NFS traffic for SageMaker Notebooks Domain [" + d.ID + "]",
	})
	if err != nil {
		return "", err
	}
	outbound, err := s.network.CreateSecurityGroup(t, acct, region, SecurityGroupSpec{
		VPCID: d.VPCID, Name: "security-group-for-outbound-nfs-" + d.ID, Tags: tags,
		Description: "[DO NOT DELETE] Security Group that allows outbound NFS traffic for SageMaker Notebooks Domain [" + d.ID + "]",
		Rules:       []Rule{{Egress: true, Protocol: "tcp", FromPort: nfsPort, ToPort: nfsPort, GroupID: inbound}},
	})
	if err != nil {
		return "", err
	}
	if ra, ok := s.network.(ruleAdder); ok {
		if err := ra.AddRules(t, acct, region, inbound, []Rule{{Protocol: "tcp", FromPort: nfsPort, ToPort: nfsPort, GroupID: outbound}}); err != nil {
			return "", err
		}
	}
	d.NFSGroups = []string{inbound, outbound}
	for _, sn := range d.SubnetIDs {
		if err := s.addMountTarget(t, c, d, sn); err != nil {
			return "", err
		}
	}
	return "", nil
}

// addMountTarget puts a mount target of the domain's file system in a subnet.
func (s *Service) addMountTarget(t store.Tx, c *api.Call, d *domain, subnetID string) error {
	var groups []string
	if len(d.NFSGroups) > 0 {
		groups = d.NFSGroups[:1]
	}
	mt := "fsmt-" + s.ids.Hex(17)
	id, ip, err := s.network.CreateInterface(t, c.Account(), c.Region, Interface{
		SubnetID: subnetID, GroupIDs: groups, RequesterID: efsRequester,
		// EFS's own description of its mount targets' interfaces.
		Description: "EFS mount target for " + d.HomeEfsFileSystemID + " (" + mt + ")",
	})
	if err != nil {
		return err
	}
	d.MountTargets = append(d.MountTargets, mountTarget{SubnetID: subnetID, InterfaceID: id, IP: ip})
	return nil
}

// releaseMountTargets deletes the domain's mount-target interfaces, giving their addresses back.
func (s *Service) releaseMountTargets(t store.Tx, c *api.Call, d *domain) error {
	for _, mt := range d.MountTargets {
		if err := s.network.DeleteInterface(t, c.Account(), c.Region, mt.InterfaceID); err != nil {
			return err
		}
	}
	d.MountTargets = nil
	return nil
}

// moveMountTargets makes the mount targets an update's new subnets need and deletes those of subnets it leaves; a
// full subnet is refused (ValidationException), since the domain is already in service.
func (s *Service) moveMountTargets(t store.Tx, c *api.Call, d *domain) error {
	if d.Failure != "" {
		return nil
	}
	kept := d.MountTargets[:0:0]
	for _, mt := range d.MountTargets {
		if slices.Contains(d.SubnetIDs, mt.SubnetID) {
			kept = append(kept, mt)
			continue
		}
		if err := s.network.DeleteInterface(t, c.Account(), c.Region, mt.InterfaceID); err != nil {
			return err
		}
	}
	d.MountTargets = kept
	for _, sn := range d.SubnetIDs {
		if slices.ContainsFunc(d.MountTargets, func(mt mountTarget) bool { return mt.SubnetID == sn }) {
			continue
		}
		if err := s.addMountTarget(t, c, d, sn); err != nil {
			if isFullSubnet(err) {
				return validation("%s", fullSubnetReason(sn))
			}
			return err
		}
	}
	return nil
}

// domainServices are the services `sagebox reach --domain` asks about: what Studio apps and the SageMaker SDK call.
var domainServices = []string{"sagemaker.api", "sagemaker.runtime", "sts", "logs", "s3", "ecr.api", "ecr.dkr"}

// ViaSageMakerInternet is the way a PublicInternetOnly domain's apps reach AWS services: through the VPC and
// internet access SageMaker runs for them, which is none of the account's network.
const ViaSageMakerInternet = "sagemaker-managed internet"

// DomainReach answers, for each service Studio's apps call (sagemaker.api, sagemaker.runtime, sts, logs, s3, ecr.api,
// ecr.dkr), whether an app of the domain reaches it, by which way, or why not. A PublicInternetOnly domain's apps
// send all but NFS traffic through SageMaker's own network: every service is reachable via "sagemaker-managed
// internet" without asking EC2. A VpcOnly domain's apps are in its subnets: EC2 answers from the domain's first
// subnet with the groups its apps carry (the default user settings' groups and SageMaker's outbound NFS group), so
// a VpcOnly domain with neither endpoints nor a NAT reaches none.
func (s *Service) DomainReach(ctx context.Context, account, region, domainID string) ([]Reach, error) {
	if s.store == nil {
		return nil, errors.New("sagemaker: DomainReach needs the store (Config.Store)")
	}
	t, err := s.store.Begin(ctx, false)
	if err != nil {
		return nil, err
	}
	d, _, err := get[domain](t, account, region, kindDomain, domainID)
	t.Rollback()
	if err != nil {
		return nil, err
	}
	if d != nil {
		if _, exists := d.status(s.clock.Now()); !exists {
			d = nil
		}
	}
	if d == nil {
		return nil, domainNotFound(domainID)
	}
	if d.Failure != "" {
		return nil, validation("Domain %s failed: %s", d.ID, d.Failure)
	}
	out := make([]Reach, 0, len(domainServices))
	if d.AppNetworkAccessType != "VpcOnly" {
		for _, svc := range domainServices {
			out = append(out, Reach{Service: svc, Reachable: true, Via: ViaSageMakerInternet})
		}
		return out, nil
	}
	var groups []string
	if d.DefaultUserSettings != nil {
		groups = append(groups, d.DefaultUserSettings.SecurityGroups...)
	}
	if len(d.NFSGroups) > 1 {
		groups = append(groups, d.NFSGroups[1])
	}
	for _, svc := range domainServices {
		r, err := s.network.Reach(ctx, account, region, d.SubnetIDs[0], uniq(groups), svc)
		if err != nil {
			return nil, err
		}
		out = append(out, *r)
	}
	return out, nil
}
