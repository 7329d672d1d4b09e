package ec2

import (
	"fmt"
	"net/netip"

	"github.com/sagebox/sagebox/internal/store"
)

// interfaceSpec is what a new network interface is made from: by CreateNetworkInterface, and by the resources
// that put interfaces in subnets on the account's behalf (NAT gateways, interface endpoints, and later SageMaker).
type interfaceSpec struct {
	SubnetID string
	// PrivateIP is the address asked for; empty takes the lowest free one.
	PrivateIP   string
	Description string
	// Type is the InterfaceType AWS shows ("interface", "nat_gateway", "vpc_endpoint").
	Type string
	// RequesterID and RequesterManaged mark an interface a service made.
	RequesterID      string
	RequesterManaged bool
	// GroupIDs are the interface's security groups, already checked (checkGroups); none means the VPC's default.
	GroupIDs []string
	Tags     []tag
	// Status is "available" for an interface of the account's, "in-use" for a service's.
	Status string
}

// newInterface makes a network interface in a subnet and takes its address there. It answers EC2's errors for a
// subnet that does not exist, an address that is outside the subnet, reserved or taken, and a full subnet.
func (s *Service) newInterface(t store.Tx, account, region string, spec interfaceSpec) (*networkInterface, error) {
	sn, _, err := get[subnet](t, account, region, kindSubnet, spec.SubnetID)
	if err != nil {
		return nil, err
	}
	if sn == nil {
		return nil, notFound("InvalidSubnetID.NotFound", "The subnet ID '%s' does not exist", spec.SubnetID)
	}
	n := &networkInterface{
		ID: s.ids.EC2("eni"), Owner: account, VPCID: sn.VPCID, Subnet: sn.ID, Zone: sn.Zone,
		Type: spec.Type, Description: spec.Description, RequesterID: spec.RequesterID,
		RequesterManaged: spec.RequesterManaged, GroupIDs: spec.GroupIDs, Tags: spec.Tags,
		MAC:             "0e:" + s.ids.Hex(2) + ":" + s.ids.Hex(2) + ":" + s.ids.Hex(2) + ":" + s.ids.Hex(2) + ":" + s.ids.Hex(2),
		SourceDestCheck: true, Status: spec.Status,
	}
	if n.Type == "" {
		n.Type = "interface"
	}
	if n.Status == "" {
		n.Status = "available"
	}
	if n.RequesterManaged && n.Status == "in-use" {
		// A service's interface is attached by the service, as DescribeNetworkInterfaces shows it: an
		// "ela-attach-…" attachment at device index 1 that the account may neither detach nor delete.
		n.Attachment = &attachment{ID: s.ids.EC2("ela-attach"), DeviceIndex: 1, Status: "attached"}
		if s.clock != nil {
			n.Attachment.Attached = s.clock.Now().UTC()
		}
	}
	if len(n.GroupIDs) == 0 {
		v, _, err := get[vpc](t, account, region, kindVPC, sn.VPCID)
		if err != nil {
			return nil, err
		}
		if v != nil {
			n.GroupIDs = []string{v.DefaultGroup}
		}
	}
	ip, err := takeAddress(sn, spec.PrivateIP, n.ID)
	if err != nil {
		return nil, err
	}
	n.PrivateIP = ip
	if err := putSubnet(t, account, region, sn); err != nil {
		return nil, err
	}
	if err := putInterface(t, account, region, n); err != nil {
		return nil, err
	}
	return n, nil
}

// removeInterface deletes a network interface and gives its addresses back to its subnet.
func removeInterface(t store.Tx, account, region string, n *networkInterface) error {
	sn, _, err := get[subnet](t, account, region, kindSubnet, n.Subnet)
	if err != nil {
		return err
	}
	if sn != nil {
		for ip, owner := range sn.Taken {
			if owner == n.ID {
				delete(sn.Taken, ip)
			}
		}
		if err := putSubnet(t, account, region, sn); err != nil {
			return err
		}
	}
	return t.Delete(key(account, region, kindInterface, n.ID))
}

// availableAddresses is a subnet's AvailableIpAddressCount: never negative.
func availableAddresses(sn *subnet) int32 {
	p, ok := parseCIDR(sn.CIDR)
	if !ok {
		return 0
	}
	return int32(max(usableAddresses(p)-len(sn.Taken), 0))
}

// takeAddress takes an address of the subnet for owner: want, or when want is empty the lowest free one after the
// reserved ones.
func takeAddress(sn *subnet, want, owner string) (string, error) {
	p, ok := parseCIDR(sn.CIDR)
	if !ok {
		return "", fmt.Errorf("ec2: subnet %s has the block %q", sn.ID, sn.CIDR)
	}
	if sn.Taken == nil {
		sn.Taken = map[string]string{}
	}
	size := blockSize(p)
	if want != "" {
		a, err := netip.ParseAddr(want)
		if err != nil || !a.Is4() {
			return "", invalidParameterValue("Invalid value '%s' for IP address. The address must be a valid IPv4 address.", want)
		}
		if !p.Contains(a) {
			return "", invalidParameterValue("Address %s does not fall within the subnet's address range", want)
		}
		if a.Compare(nthAddress(p, 4)) < 0 || a == nthAddress(p, size-1) {
			return "", invalidParameterValue("Address %s is in subnet's reserved address range", want)
		}
		if _, taken := sn.Taken[want]; taken {
			return "", notFound("InvalidIPAddress.InUse", "The specified address is already in use.")
		}
		sn.Taken[want] = owner
		return want, nil
	}
	if len(sn.Taken) >= usableAddresses(p) {
		return "", notFound("InsufficientFreeAddressesInSubnet", "The specified subnet does not have enough free addresses to satisfy the request.")
	}
	for i := 4; i < size-1; i++ {
		a := nthAddress(p, i).String()
		if _, taken := sn.Taken[a]; !taken {
			sn.Taken[a] = owner
			return a, nil
		}
	}
	return "", notFound("InsufficientFreeAddressesInSubnet", "The specified subnet does not have enough free addresses to satisfy the request.")
}

// checkGroups makes sure every group exists and belongs to the VPC, as EC2 checks the groups of an interface or
// an endpoint.
func checkGroups(t store.Tx, account, region, vpcID string, ids []string) error {
	return checkGroupsIn(t, account, region, vpcID, ids, func(id string) error {
		return invalidParameter("Security group %s and subnet belong to different networks.", id)
	})
}

// checkSubnetGroups is checkGroups for an interface in a subnet, with EC2's text for a group of another VPC, which
// names the subnet: "Security group sg-… and subnet subnet-… belong to different networks."
func checkSubnetGroups(t store.Tx, account, region string, sn *subnet, ids []string) error {
	return checkGroupsIn(t, account, region, sn.VPCID, ids, func(id string) error {
		return invalidParameter("Security group %s and subnet %s belong to different networks.", id, sn.ID)
	})
}

// checkGroupsIn is checkGroups with otherVPC as the answer for a group of another VPC.
func checkGroupsIn(t store.Tx, account, region, vpcID string, ids []string, otherVPC func(id string) error) error {
	for _, id := range ids {
		g, _, err := get[securityGroup](t, account, region, kindSecurityGroup, id)
		if err != nil {
			return err
		}
		if g == nil {
			return groupNotFound(id)
		}
		if g.VPCID != vpcID {
			return otherVPC(id)
		}
	}
	return nil
}
