package ec2

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/sagebox/sagebox/internal/api"
	"github.com/sagebox/sagebox/internal/awserr"
	"github.com/sagebox/sagebox/internal/store"
)

// Internet gateways and NAT gateways.

func (s *Service) registerGateways(h *api.ServiceHandlers) {
	api.Write(h, "CreateInternetGateway", s.createInternetGateway)
	api.Write(h, "AttachInternetGateway", s.attachInternetGateway)
	api.Write(h, "DetachInternetGateway", s.detachInternetGateway)
	api.Write(h, "DeleteInternetGateway", s.deleteInternetGateway)
	api.Read(h, "DescribeInternetGateways", s.describeInternetGateways)
	api.Write(h, "CreateNatGateway", s.createNatGateway)
	api.Write(h, "DeleteNatGateway", s.deleteNatGateway)
	api.Read(h, "DescribeNatGateways", s.describeNatGateways)
	s.registerAddresses(h)
}

func unknownInternetGateway(id string) error {
	return unknownResource(id, "igw", "InvalidInternetGatewayId.Malformed", "InvalidInternetGatewayID.NotFound", "The internetGateway ID '%s' does not exist")
}

func unknownNatGateway(id string) error {
	return notFound("NatGatewayNotFound", "NAT gateway %s was not found", id)
}

func keysOfInternetGateway(c *api.Call, g *internetGateway) map[string][]string {
	if g == nil {
		return resourceKeys(c, nil, "")
	}
	keys := resourceKeys(c, g.Tags, "")
	keys["ec2:InternetGatewayID"] = []string{g.ID}
	return keys
}

func internetGatewayAuthorization(c *api.Call, action, id string, g *internetGateway) api.Authorization {
	return api.Authorization{Action: "ec2:" + action, Resources: []string{arn(c, "internet-gateway", id)}, Context: keysOfInternetGateway(c, g)}
}

func apiInternetGateway(g *internetGateway) *InternetGateway {
	out := &InternetGateway{InternetGatewayId: ptr(g.ID), OwnerId: ptr(g.Owner), Tags: apiTags(g.Tags), Attachments: []*InternetGatewayAttachment{}}
	if g.VPCID != "" {
		// An internet gateway's attachment is "available" once attached (EC2 API Reference, InternetGatewayAttachment).
		out.Attachments = append(out.Attachments, &InternetGatewayAttachment{State: ptr("available"), VpcId: ptr(g.VPCID)})
	}
	return out
}

func (s *Service) createInternetGateway(ctx context.Context, c *api.Call, in *CreateInternetGatewayInput) (*CreateInternetGatewayOutput, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	tags, tagErr := tagsFromSpecs(in.TagSpecifications, "internet-gateway")
	as := withCreateTags(c, []api.Authorization{createAuthorization(c, "CreateInternetGateway", "internet-gateway", tags)}, "internet-gateway", tags)
	if err := authorizeChecked(ctx, c, in.DryRun, tagErr, as...); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	g := &internetGateway{ID: s.ids.EC2("igw"), Tags: tags, Owner: c.Account()}
	if err := putInternetGateway(t, c.Account(), c.Region, g); err != nil {
		return nil, err
	}
	return &CreateInternetGatewayOutput{InternetGateway: apiInternetGateway(g)}, nil
}

// loadGatewayAndVPC reads what AttachInternetGateway and DetachInternetGateway name and authorizes action on both.
func loadGatewayAndVPC(ctx context.Context, c *api.Call, t store.Tx, dryRun *bool, action, igwID, vpcID string) (*internetGateway, *vpc, error) {
	acct, region := c.Account(), c.Region
	g, _, err := get[internetGateway](t, acct, region, kindInternetGateway, igwID)
	if err != nil {
		return nil, nil, err
	}
	v, _, err := get[vpc](t, acct, region, kindVPC, vpcID)
	if err != nil {
		return nil, nil, err
	}
	if err := authorizeMany(ctx, c, dryRun, internetGatewayAuthorization(c, action, igwID, g), vpcAuthorization(c, action, vpcID, v)); err != nil {
		return nil, nil, err
	}
	if g == nil {
		return nil, nil, unknownInternetGateway(igwID)
	}
	if v == nil {
		return nil, nil, unknownVPC(vpcID)
	}
	return g, v, nil
}

func (s *Service) attachInternetGateway(ctx context.Context, c *api.Call, in *AttachInternetGatewayInput) (*AttachInternetGatewayOutput, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	g, v, err := loadGatewayAndVPC(ctx, c, t, in.DryRun, "AttachInternetGateway", in.InternetGatewayId, in.VpcId)
	if err != nil {
		return nil, err
	}
	if g.VPCID != "" {
		return nil, awserr.New("Resource.AlreadyAssociated", "resource %s is already attached to network %s", g.ID, g.VPCID)
	}
	attached, err := listByVPC[internetGateway](t, c.Account(), c.Region, kindInternetGateway, v.ID)
	if err != nil {
		return nil, err
	}
	if len(attached) > 0 {
		return nil, invalidParameterValue("Network %s already has an internet gateway attached", v.ID)
	}
	g.VPCID = v.ID
	if err := putInternetGateway(t, c.Account(), c.Region, g); err != nil {
		return nil, err
	}
	return &AttachInternetGatewayOutput{}, nil
}

func (s *Service) detachInternetGateway(ctx context.Context, c *api.Call, in *DetachInternetGatewayInput) (*DetachInternetGatewayOutput, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	g, v, err := loadGatewayAndVPC(ctx, c, t, in.DryRun, "DetachInternetGateway", in.InternetGatewayId, in.VpcId)
	if err != nil {
		return nil, err
	}
	if g.VPCID != v.ID {
		return nil, awserr.New("Gateway.NotAttached", "resource %s is not attached to network %s", g.ID, v.ID)
	}
	mapped, err := s.hasMappedPublicAddresses(t, c, v.ID)
	if err != nil {
		return nil, err
	}
	if mapped {
		return nil, dependencyViolation("Network %s has some mapped public address(es). Please unmap those public address(es) before detaching the gateway.", v.ID)
	}
	g.VPCID = ""
	if err := putInternetGateway(t, c.Account(), c.Region, g); err != nil {
		return nil, err
	}
	return &DetachInternetGatewayOutput{}, nil
}

// hasMappedPublicAddresses reports whether anything in the VPC holds a public address — an interface with one, or a
// public NAT gateway that still holds its Elastic IP (until it is deleted) — which keeps its internet gateway
// attached.
func (s *Service) hasMappedPublicAddresses(t store.Tx, c *api.Call, vpcID string) (bool, error) {
	enis, err := listByVPC[networkInterface](t, c.Account(), c.Region, kindInterface, vpcID)
	if err != nil {
		return false, err
	}
	for _, n := range enis {
		if n.PublicIP != "" {
			return true, nil
		}
	}
	nats, err := listByVPC[natGateway](t, c.Account(), c.Region, kindNatGateway, vpcID)
	if err != nil {
		return false, err
	}
	for _, n := range nats {
		if n.AllocationID != "" && s.natHoldsAddress(n, c.Now) {
			return true, nil
		}
	}
	return false, nil
}

func (s *Service) deleteInternetGateway(ctx context.Context, c *api.Call, in *DeleteInternetGatewayInput) (*DeleteInternetGatewayOutput, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	authz := func(g *internetGateway) api.Authorization {
		return internetGatewayAuthorization(c, "DeleteInternetGateway", in.InternetGatewayId, g)
	}
	g, err := load(ctx, c, t, in.DryRun, kindInternetGateway, in.InternetGatewayId, authz, unknownInternetGateway)
	if err != nil {
		return nil, err
	}
	if g.VPCID != "" {
		return nil, dependencyViolation("The internetGateway '%s' has dependencies and cannot be deleted.", g.ID)
	}
	if err := t.Delete(key(c.Account(), c.Region, kindInternetGateway, g.ID)); err != nil {
		return nil, err
	}
	return &DeleteInternetGatewayOutput{}, nil
}

func (s *Service) describeInternetGateways(ctx context.Context, c *api.Call, in *DescribeInternetGatewaysInput) (*DescribeInternetGatewaysOutput, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	if err := authorize(ctx, c, in.DryRun, "DescribeInternetGateways", []string{"*"}, map[string][]string{"ec2:Region": {c.Region}}); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	if err := checkFilters(in.Filters, internetGatewayFilters(&internetGateway{})); err != nil {
		return nil, err
	}
	gws, next, err := describe(t, c, describing[internetGateway]{
		kind: kindInternetGateway, id: func(g *internetGateway) string { return g.ID }, tags: func(g *internetGateway) []tag { return g.Tags },
		values:   func(g *internetGateway) (filterValues, error) { return internetGatewayFilters(g), nil },
		notFound: func(missing []string) error { return unknownInternetGateway(missing[0]) },
	}, in.InternetGatewayIds, in.Filters, in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	out := &DescribeInternetGatewaysOutput{InternetGateways: []*InternetGateway{}, NextToken: next}
	for _, g := range gws {
		out.InternetGateways = append(out.InternetGateways, apiInternetGateway(g))
	}
	return out, nil
}

func internetGatewayFilters(g *internetGateway) filterValues {
	return func(name string) ([]string, bool) {
		switch name {
		case "attachment.state":
			if g.VPCID != "" {
				return []string{"available"}, true
			}
			return nil, true
		case "attachment.vpc-id":
			if g.VPCID != "" {
				return []string{g.VPCID}, true
			}
			return nil, true
		case "internet-gateway-id":
			return []string{g.ID}, true
		case "owner-id":
			return []string{g.Owner}, true
		}
		return nil, false
	}
}

// NAT gateways.

// The lifecycle of a NAT gateway, derived from the clock when it is read so that it survives restarts: pending for
// natCreateDelay after it was made, then available (or failed); deleting for natDeleteDelay after DeleteNatGateway,
// then deleted. Both delays are scaled by LifecycleScale. A deleted or failed gateway stays visible for
// natVisibleFor (not scaled: clients such as Terraform's waiters expect to find it deleted, not gone), as AWS keeps
// one for about an hour.
const (
	natCreateDelay = 60 * time.Second
	natDeleteDelay = 60 * time.Second
	natVisibleFor  = time.Hour
	// natsPerZone is AWS's quota of NAT gateways per Availability Zone.
	natsPerZone = 5
)

// natState is a NAT gateway's state at now.
func (s *Service) natState(n *natGateway, now time.Time) string {
	if !n.Deleted.IsZero() {
		if now.Before(n.Deleted.Add(s.delay(natDeleteDelay))) {
			return "deleting"
		}
		return "deleted"
	}
	if now.Before(n.Created.Add(s.delay(natCreateDelay))) {
		return "pending"
	}
	if n.FailureCode != "" {
		return "failed"
	}
	return "available"
}

// natVisible reports whether a NAT gateway is still shown at now: a deleted or failed one for natVisibleFor.
func (s *Service) natVisible(n *natGateway, now time.Time) bool {
	var ended time.Time
	switch s.natState(n, now) {
	case "deleted":
		ended = n.Deleted.Add(s.delay(natDeleteDelay))
	case "failed":
		ended = n.Created.Add(s.delay(natCreateDelay))
	default:
		return true
	}
	return now.Before(ended.Add(natVisibleFor))
}

// natHoldsAddress reports whether a NAT gateway holds its Elastic IP at now: one that did not fail holds it until it
// is deleted (AWS refuses to release it while the gateway is deleting).
func (s *Service) natHoldsAddress(n *natGateway, now time.Time) bool {
	return n.AllocationID != "" && n.FailureCode == "" && s.natState(n, now) != "deleted"
}

// addressHolder returns the NAT gateway that holds an Elastic IP at now, or nil.
func (s *Service) addressHolder(t store.Tx, c *api.Call, allocationID string) (*natGateway, error) {
	nats, err := list[natGateway](t, c.Account(), c.Region, kindNatGateway)
	if err != nil {
		return nil, err
	}
	for _, n := range nats {
		if n.AllocationID == allocationID && s.natHoldsAddress(n, c.Now) {
			return n, nil
		}
	}
	return nil, nil
}

func natGatewayAuthorization(c *api.Call, action, id string, n *natGateway) api.Authorization {
	keys := resourceKeys(c, nil, "")
	if n != nil {
		keys = resourceKeys(c, n.Tags, n.VPCID)
	}
	return api.Authorization{Action: "ec2:" + action, Resources: []string{arn(c, "natgateway", id)}, Context: keys}
}

func (s *Service) apiNatGateway(t store.Tx, c *api.Call, n *natGateway, state string) (*NatGateway, error) {
	out := &NatGateway{
		NatGatewayId: ptr(n.ID), SubnetId: ptr(n.SubnetID), VpcId: ptr(n.VPCID), State: ptr(state),
		ConnectivityType: ptr(n.ConnectivityType), AvailabilityMode: ptr("zonal"), CreateTime: ptr(n.Created),
		Tags: apiTags(n.Tags), NatGatewayAddresses: []*NatGatewayAddress{},
	}
	if !n.Deleted.IsZero() {
		out.DeleteTime = ptr(n.Deleted)
	}
	if state == "failed" {
		out.FailureCode, out.FailureMessage = ptr(n.FailureCode), ptr(n.FailureMessage)
	}
	if n.InterfaceID == "" && n.AllocationID == "" {
		return out, nil
	}
	a := &NatGatewayAddress{IsPrimary: ptr(true)}
	if n.InterfaceID != "" {
		a.NetworkInterfaceId, a.PrivateIp = ptr(n.InterfaceID), ptr(n.PrivateIP)
	}
	public := n.ConnectivityType == "public"
	if n.AllocationID != "" {
		a.AllocationId = ptr(n.AllocationID)
		if n.PublicIP != "" {
			a.PublicIp = ptr(n.PublicIP)
		}
		if s.natHoldsAddress(n, c.Now) {
			addr, _, err := get[address](t, c.Account(), c.Region, kindAddress, n.AllocationID)
			if err != nil {
				return nil, err
			}
			if addr != nil && addr.AssociationID != "" {
				a.AssociationId = ptr(addr.AssociationID)
			}
		}
	}
	switch state {
	case "pending":
		a.Status = ptr(map[bool]string{true: "associating", false: "assigning"}[public])
	case "available":
		a.Status = ptr("succeeded")
	case "deleting":
		a.Status = ptr(map[bool]string{true: "disassociating", false: "unassigning"}[public])
	case "failed":
		a.Status, a.FailureMessage = ptr("failed"), ptr(n.FailureMessage)
	}
	out.NatGatewayAddresses = append(out.NatGatewayAddresses, a)
	return out, nil
}

func (s *Service) createNatGateway(ctx context.Context, c *api.Call, in *CreateNatGatewayInput) (*CreateNatGatewayOutput, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	tags, tagErr := tagsFromSpecs(in.TagSpecifications, "natgateway")
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	acct, region := c.Account(), c.Region
	subnetID, allocationID := deref(in.SubnetId), deref(in.AllocationId)
	as := []api.Authorization{createAuthorization(c, "CreateNatGateway", "natgateway", tags)}
	var sn *subnet
	if subnetID != "" {
		if sn, _, err = get[subnet](t, acct, region, kindSubnet, subnetID); err != nil {
			return nil, err
		}
		as = append(as, subnetAuthorization(c, "CreateNatGateway", subnetID, sn))
	}
	var addr *address
	if allocationID != "" {
		if addr, _, err = get[address](t, acct, region, kindAddress, allocationID); err != nil {
			return nil, err
		}
		as = append(as, addressAuthorization(c, "CreateNatGateway", allocationID, addr))
	}
	if err := authorizeChecked(ctx, c, in.DryRun, tagErr, withCreateTags(c, as, "natgateway", tags)...); err != nil {
		return nil, err
	}
	if len(in.SecondaryAllocationIds) > 0 || len(in.SecondaryPrivateIpAddresses) > 0 || in.SecondaryPrivateIpAddressCount != nil ||
		len(in.AvailabilityZoneAddresses) > 0 || deref(in.AvailabilityMode) == "regional" {
		return nil, awserr.Newf(awserr.KindNotImplemented, "sagebox does not implement secondary addresses or regional NAT gateways yet")
	}
	if subnetID == "" {
		return nil, missingParameter("The request must contain the parameter subnetId")
	}
	if sn == nil {
		return nil, unknownSubnet(subnetID)
	}
	connectivity := deref(in.ConnectivityType)
	if connectivity == "" {
		connectivity = "public"
	}
	switch {
	case connectivity == "public" && allocationID == "":
		return nil, missingParameter("The request must contain the parameter allocationId")
	case connectivity == "private" && allocationID != "":
		return nil, invalidParameterCombination("The parameter allocationId cannot be used with the parameter connectivityType private")
	}
	if allocationID != "" && addr == nil {
		return nil, unknownAllocation(allocationID)
	}
	nats, err := list[natGateway](t, acct, region, kindNatGateway)
	if err != nil {
		return nil, err
	}
	inZone := 0
	for _, n := range nats {
		if !s.natVisible(n, c.Now) {
			// Gone from AWS's view: forget it.
			if err := t.Delete(key(acct, region, kindNatGateway, n.ID)); err != nil {
				return nil, err
			}
			continue
		}
		if st := s.natState(n, c.Now); st != "pending" && st != "available" {
			continue
		}
		if other, _, err := get[subnet](t, acct, region, kindSubnet, n.SubnetID); err == nil && other != nil && other.Zone == sn.Zone {
			inZone++
		}
	}
	if inZone >= natsPerZone {
		return nil, awserr.New("NatGatewayLimitExceeded", "Performing this operation would exceed the limit of %d NAT gateways", natsPerZone)
	}
	n := &natGateway{
		ID: s.ids.EC2("nat"), Tags: tags, VPCID: sn.VPCID, SubnetID: sn.ID, ConnectivityType: connectivity,
		AllocationID: allocationID, State: "pending", Created: c.Now,
	}
	if err := s.provisionNatGateway(t, c, n, sn, addr, deref(in.PrivateIpAddress)); err != nil {
		return nil, err
	}
	if err := putNatGateway(t, acct, region, n); err != nil {
		return nil, err
	}
	// The answer always shows the gateway as AWS does when it is made: pending.
	out, err := s.apiNatGateway(t, c, n, "pending")
	if err != nil {
		return nil, err
	}
	return &CreateNatGatewayOutput{NatGateway: out, ClientToken: in.ClientToken}, nil
}

// provisionNatGateway gives a new NAT gateway its interface and, for a public one, its Elastic IP — or records why
// it fails: AWS makes the gateway and lets it fail (state failed, with a failure code and message the EC2 API
// Reference lists) when the VPC has no internet gateway, the Elastic IP is taken or the subnet is full.
func (s *Service) provisionNatGateway(t store.Tx, c *api.Call, n *natGateway, sn *subnet, addr *address, privateIP string) error {
	acct, region := c.Account(), c.Region
	fail := func(code, format string, args ...any) error {
		n.FailureCode, n.FailureMessage = code, fmt.Sprintf(format, args...)
		return nil
	}
	if n.ConnectivityType == "public" {
		igws, err := listByVPC[internetGateway](t, acct, region, kindInternetGateway, sn.VPCID)
		if err != nil {
			return err
		}
		if len(igws) == 0 {
			return fail("Gateway.NotAttached", "Network %s has no Internet gateway attached", sn.VPCID)
		}
		holder, err := s.addressHolder(t, c, addr.ID)
		if err != nil {
			return err
		}
		if holder != nil {
			return fail("Resource.AlreadyAssociated", "Elastic IP address [%s] is already associated", addr.ID)
		}
	}
	eni, err := s.newInterface(t, acct, region, interfaceSpec{
		SubnetID: sn.ID, PrivateIP: privateIP, Description: "Interface for NAT Gateway " + n.ID, Type: "nat_gateway",
		RequesterManaged: true, Status: "in-use",
	})
	var ae *awserr.Error
	if errors.As(err, &ae) && ae.Code == "InsufficientFreeAddressesInSubnet" && privateIP == "" {
		return fail("InsufficientFreeAddressesInSubnet", "Subnet has insufficient free addresses to create this NAT gateway")
	}
	if err != nil {
		return err
	}
	// A NAT gateway's interface has no security groups.
	eni.GroupIDs = []string{}
	n.InterfaceID, n.PrivateIP = eni.ID, eni.PrivateIP
	if addr != nil {
		addr.AssociationID, addr.InterfaceID, addr.PrivateIP = s.ids.EC2("eipassoc"), eni.ID, eni.PrivateIP
		if err := putAddress(t, acct, region, addr); err != nil {
			return err
		}
		n.PublicIP, eni.PublicIP = addr.PublicIP, addr.PublicIP
	}
	return putInterface(t, acct, region, eni)
}

func (s *Service) deleteNatGateway(ctx context.Context, c *api.Call, in *DeleteNatGatewayInput) (*DeleteNatGatewayOutput, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	acct, region := c.Account(), c.Region
	n, _, err := get[natGateway](t, acct, region, kindNatGateway, in.NatGatewayId)
	if err != nil {
		return nil, err
	}
	if n != nil && !s.natVisible(n, c.Now) {
		n = nil
	}
	if err := authorizeMany(ctx, c, in.DryRun, natGatewayAuthorization(c, "DeleteNatGateway", in.NatGatewayId, n)); err != nil {
		return nil, err
	}
	if n == nil {
		return nil, unknownNatGateway(in.NatGatewayId)
	}
	out := &DeleteNatGatewayOutput{NatGatewayId: ptr(n.ID)}
	if !n.Deleted.IsZero() {
		return out, nil // already going
	}
	n.Deleted, n.State = c.Now, "deleting"
	if n.InterfaceID != "" {
		eni, _, err := get[networkInterface](t, acct, region, kindInterface, n.InterfaceID)
		if err != nil {
			return nil, err
		}
		if eni != nil {
			if err := removeInterface(t, acct, region, eni); err != nil {
				return nil, err
			}
		}
	}
	if err := putNatGateway(t, acct, region, n); err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Service) describeNatGateways(ctx context.Context, c *api.Call, in *DescribeNatGatewaysInput) (*DescribeNatGatewaysOutput, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	if err := authorize(ctx, c, in.DryRun, "DescribeNatGateways", []string{"*"}, map[string][]string{"ec2:Region": {c.Region}}); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	if err := checkFilters(in.Filter, natGatewayFilters(&natGateway{}, "")); err != nil {
		return nil, err
	}
	nats, next, err := describe(t, c, describing[natGateway]{
		kind: kindNatGateway, id: func(n *natGateway) string { return n.ID }, tags: func(n *natGateway) []tag { return n.Tags },
		values:   func(n *natGateway) (filterValues, error) { return natGatewayFilters(n, s.natState(n, c.Now)), nil },
		notFound: func(missing []string) error { return unknownNatGateway(missing[0]) },
		visible:  func(n *natGateway) bool { return s.natVisible(n, c.Now) },
	}, in.NatGatewayIds, in.Filter, in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	out := &DescribeNatGatewaysOutput{NatGateways: []*NatGateway{}, NextToken: next}
	for _, n := range nats {
		g, err := s.apiNatGateway(t, c, n, s.natState(n, c.Now))
		if err != nil {
			return nil, err
		}
		out.NatGateways = append(out.NatGateways, g)
	}
	return out, nil
}

func natGatewayFilters(n *natGateway, state string) filterValues {
	return func(name string) ([]string, bool) {
		switch name {
		case "nat-gateway-id":
			return []string{n.ID}, true
		case "state":
			return []string{state}, true
		case "subnet-id":
			return []string{n.SubnetID}, true
		case "vpc-id":
			return []string{n.VPCID}, true
		}
		return nil, false
	}
}
