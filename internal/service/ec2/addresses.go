package ec2

import (
	"context"
	"net/netip"
	"strconv"
	"strings"

	"github.com/sagebox/sagebox/internal/api"
	"github.com/sagebox/sagebox/internal/awserr"
	"github.com/sagebox/sagebox/internal/store"
)

// Elastic IP addresses. sagebox allocates them from the documentation ranges of RFC 5737 (192.0.2.0/24,
// 198.51.100.0/24, 203.0.113.0/24): addresses that look public, that no client mistakes for a real host, and that can
// never be someone's real address.

func (s *Service) registerAddresses(h *api.ServiceHandlers) {
	api.Write(h, "AllocateAddress", s.allocateAddress)
	api.Write(h, "ReleaseAddress", s.releaseAddress)
	api.Read(h, "DescribeAddresses", s.describeAddresses)
}

// addressesPerRegion is AWS's default quota of Elastic IP addresses per Region.
const addressesPerRegion = 5

// addressRanges are the blocks public addresses are drawn from.
var addressRanges = [...]netip.Prefix{
	netip.MustParsePrefix("192.0.2.0/24"),
	netip.MustParsePrefix("198.51.100.0/24"),
	netip.MustParsePrefix("203.0.113.0/24"),
}

func unknownAllocation(id string) error {
	return unknownResource(id, "eipalloc", "InvalidAllocationID.Malformed", "InvalidAllocationID.NotFound", "The allocation ID '%s' does not exist")
}

func keysOfAddress(c *api.Call, a *address) map[string][]string {
	if a == nil {
		return resourceKeys(c, nil, "")
	}
	keys := resourceKeys(c, a.Tags, "")
	keys["ec2:AllocationId"] = []string{a.ID}
	keys["ec2:Domain"] = []string{a.Domain}
	keys["ec2:PublicIpAddress"] = []string{a.PublicIP}
	return keys
}

func addressAuthorization(c *api.Call, action, id string, a *address) api.Authorization {
	return api.Authorization{Action: "ec2:" + action, Resources: []string{arn(c, "elastic-ip", id)}, Context: keysOfAddress(c, a)}
}

// pickPublicIP draws an address that the region's addresses do not use.
func (s *Service) pickPublicIP(t store.Tx, account, region string) (string, error) {
	used := map[string]bool{}
	addrs, err := list[address](t, account, region, kindAddress)
	if err != nil {
		return "", err
	}
	for _, a := range addrs {
		used[a.PublicIP] = true
	}
	for range 64 {
		block := addressRanges[hexValue(s.ids.Hex(2))%len(addressRanges)]
		ip := nthAddress(block, 1+hexValue(s.ids.Hex(2))%254).String()
		if !used[ip] {
			return ip, nil
		}
	}
	// Random draws keep missing only when the ranges are nearly full; take the first free address.
	for _, block := range addressRanges {
		for i := 1; i < 255; i++ {
			if ip := nthAddress(block, i).String(); !used[ip] {
				return ip, nil
			}
		}
	}
	return "", awserr.New("AddressLimitExceeded", "The maximum number of addresses has been reached.")
}

func hexValue(h string) int {
	v, _ := strconv.ParseUint(h, 16, 32)
	return int(v)
}

func (s *Service) allocateAddress(ctx context.Context, c *api.Call, in *AllocateAddressInput) (*AllocateAddressOutput, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	tags, tagErr := tagsFromSpecs(in.TagSpecifications, "elastic-ip")
	as := withCreateTags(c, []api.Authorization{createAuthorization(c, "AllocateAddress", "elastic-ip", tags)}, "elastic-ip", tags)
	if err := authorizeChecked(ctx, c, in.DryRun, tagErr, as...); err != nil {
		return nil, err
	}
	if d := deref(in.Domain); d != "" && d != "vpc" {
		// EC2-Classic is retired: every address is a VPC address.
		return nil, invalidParameterValue("Value (%s) for parameter domain is invalid.", d)
	}
	if in.Address != nil || in.IpamPoolId != nil || in.CustomerOwnedIpv4Pool != nil || (in.PublicIpv4Pool != nil && *in.PublicIpv4Pool != "amazon") {
		return nil, awserr.Newf(awserr.KindNotImplemented, "sagebox allocates addresses from Amazon's pool only")
	}
	if g := deref(in.NetworkBorderGroup); g != "" && g != c.Region {
		return nil, notFound("InvalidAddress.NotFound", "The network border group '%s' is not valid for this region", g)
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	acct, region := c.Account(), c.Region
	addrs, err := list[address](t, acct, region, kindAddress)
	if err != nil {
		return nil, err
	}
	if len(addrs) >= addressesPerRegion {
		return nil, awserr.New("AddressLimitExceeded", "The maximum number of addresses has been reached.")
	}
	ip, err := s.pickPublicIP(t, acct, region)
	if err != nil {
		return nil, err
	}
	a := &address{ID: s.ids.EC2("eipalloc"), Tags: tags, PublicIP: ip, Domain: "vpc", Owner: acct}
	if err := putAddress(t, acct, region, a); err != nil {
		return nil, err
	}
	return &AllocateAddressOutput{
		AllocationId: ptr(a.ID), PublicIp: ptr(a.PublicIP), Domain: ptr(a.Domain), PublicIpv4Pool: ptr("amazon"),
		NetworkBorderGroup: ptr(region),
	}, nil
}

func (s *Service) releaseAddress(ctx context.Context, c *api.Call, in *ReleaseAddressInput) (*ReleaseAddressOutput, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	acct, region := c.Account(), c.Region
	allocationID, publicIP := deref(in.AllocationId), deref(in.PublicIp)
	var a *address
	named := allocationID
	switch {
	case allocationID != "":
		if a, _, err = get[address](t, acct, region, kindAddress, allocationID); err != nil {
			return nil, err
		}
	case publicIP != "":
		recs, err := t.Find(scope(acct, region, kindAddress), indexPublicIP, publicIP)
		if err != nil {
			return nil, err
		}
		if len(recs) > 0 {
			found, err := store.Decode[address](recs[0])
			if err != nil {
				return nil, err
			}
			a, named = &found, found.ID
		}
	}
	az := api.Authorization{Action: "ec2:ReleaseAddress", Resources: []string{"*"}, Context: map[string][]string{"ec2:Region": {region}}}
	if named != "" {
		az = addressAuthorization(c, "ReleaseAddress", named, a)
	}
	if err := authorizeMany(ctx, c, in.DryRun, az); err != nil {
		return nil, err
	}
	switch {
	case allocationID == "" && publicIP == "":
		return nil, missingParameter("The request must contain the parameter allocationId")
	case allocationID == "" && a == nil:
		return nil, awserr.New("AuthFailure", "The address '%s' does not belong to you.", publicIP)
	case allocationID == "":
		return nil, invalidParameterValue("You must specify an allocation id when releasing a VPC elastic IP address")
	case a == nil:
		return nil, unknownAllocation(allocationID)
	}
	if g := deref(in.NetworkBorderGroup); g != "" && g != region {
		return nil, notFound("InvalidAddress.NotFound", "The network border group '%s' is not valid for this region", g)
	}
	holder, err := s.addressHolder(t, c, a.ID)
	if err != nil {
		return nil, err
	}
	if holder != nil {
		// A NAT gateway's address belongs to the gateway's managed interface until the gateway is deleted; AWS
		// answers as if the caller had no right to it.
		return nil, awserr.New("AuthFailure", "You do not have permission to access the specified resource.")
	}
	if err := t.Delete(key(acct, region, kindAddress, a.ID)); err != nil {
		return nil, err
	}
	return &ReleaseAddressOutput{}, nil
}

func (s *Service) describeAddresses(ctx context.Context, c *api.Call, in *DescribeAddressesInput) (*DescribeAddressesOutput, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	if err := authorize(ctx, c, in.DryRun, "DescribeAddresses", []string{"*"}, map[string][]string{"ec2:Region": {c.Region}}); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	if err := checkFilters(in.Filters, addressFilters(&Address{})); err != nil {
		return nil, err
	}
	addrs, err := list[address](t, c.Account(), c.Region, kindAddress)
	if err != nil {
		return nil, err
	}
	byID, byIP := map[string]*address{}, map[string]*address{}
	for _, a := range addrs {
		byID[a.ID], byIP[a.PublicIP] = a, a
	}
	for _, id := range in.AllocationIds {
		if byID[id] == nil {
			return nil, unknownAllocation(id)
		}
	}
	for _, ip := range in.PublicIps {
		if byIP[ip] == nil {
			return nil, notFound("InvalidAddress.NotFound", "Address '%s' not found.", ip)
		}
	}
	out := &DescribeAddressesOutput{Addresses: []*Address{}}
	for _, a := range addrs {
		if len(in.AllocationIds) > 0 && !contains(in.AllocationIds, a.ID) {
			continue
		}
		if len(in.PublicIps) > 0 && !contains(in.PublicIps, a.PublicIP) {
			continue
		}
		rendered, err := s.apiAddress(t, c, a)
		if err != nil {
			return nil, err
		}
		ok, err := matchFilters(in.Filters, a.Tags, addressFilters(rendered))
		if err != nil {
			return nil, err
		}
		if ok {
			out.Addresses = append(out.Addresses, rendered)
		}
	}
	return out, nil
}

// apiAddress renders an address; its association shows only while a NAT gateway holds it.
func (s *Service) apiAddress(t store.Tx, c *api.Call, a *address) (*Address, error) {
	out := &Address{
		AllocationId: ptr(a.ID), PublicIp: ptr(a.PublicIP), Domain: ptr(a.Domain), PublicIpv4Pool: ptr("amazon"),
		NetworkBorderGroup: ptr(c.Region), Tags: apiTags(a.Tags),
	}
	if a.AssociationID == "" {
		return out, nil
	}
	holder, err := s.addressHolder(t, c, a.ID)
	if err != nil {
		return nil, err
	}
	if holder != nil {
		out.AssociationId, out.NetworkInterfaceId, out.PrivateIpAddress = ptr(a.AssociationID), ptr(a.InterfaceID), ptr(a.PrivateIP)
		out.NetworkInterfaceOwnerId = ptr(a.Owner)
	}
	return out, nil
}

func addressFilters(a *Address) filterValues {
	return func(name string) ([]string, bool) {
		var v *string
		switch name {
		case "allocation-id":
			v = a.AllocationId
		case "association-id":
			v = a.AssociationId
		case "domain":
			v = a.Domain
		case "instance-id":
			v = a.InstanceId
		case "network-border-group":
			v = a.NetworkBorderGroup
		case "network-interface-id":
			v = a.NetworkInterfaceId
		case "network-interface-owner-id":
			v = a.NetworkInterfaceOwnerId
		case "private-ip-address":
			v = a.PrivateIpAddress
		case "public-ip":
			v = a.PublicIp
		default:
			return nil, false
		}
		if v == nil || strings.TrimSpace(*v) == "" {
			return nil, true
		}
		return []string{*v}, true
	}
}
