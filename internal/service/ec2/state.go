package ec2

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/sagebox/sagebox/internal/store"
)

// What EC2 stores. Every resource is a JSON document keyed by its id under (account, region, kind); every document
// has its id and tags in the same JSON members ("id", "tags"), so that CreateTags, DeleteTags and DescribeTags treat
// all kinds alike (kinds below).
const (
	kindVPC             = "ec2.vpc"
	kindSubnet          = "ec2.subnet"
	kindSecurityGroup   = "ec2.security-group"
	kindRouteTable      = "ec2.route-table"
	kindNetworkACL      = "ec2.network-acl"
	kindInternetGateway = "ec2.internet-gateway"
	kindNatGateway      = "ec2.nat-gateway"
	kindAddress         = "ec2.address"
	kindEndpoint        = "ec2.vpc-endpoint"
	kindInterface       = "ec2.network-interface"
	// kindDefaults marks a region whose default VPC was made (id "default"), so that deleting the default VPC does
	// not bring it back.
	kindDefaults = "ec2.defaults"
)

// Indexes. Child resources are indexed by their VPC (and interfaces by subnet) so that deletion checks and
// per-VPC listings read only what they need.
const (
	indexVPC    = "vpc"
	indexSubnet = "subnet"
	// indexGroupName makes security group names unique per VPC, case-insensitively: value "vpc-…/lower-name".
	indexGroupName = "group-name"
	// indexPublicIP finds an Elastic IP by its address.
	indexPublicIP = "public-ip"
)

// resourceKind is what every kind of taggable resource shares: its id prefix, its store kind, and the names AWS
// gives its type in DescribeTags ("resource-type") and in TagSpecification.ResourceType and ARNs.
type resourceKind struct {
	prefix string
	kind   string
	// typ is the resource type as TagSpecification and DescribeTags name it ("vpc", "security-group").
	typ string
	// arnType is the type in the resource's ARN ("vpc", "security-group", "elastic-ip"); it differs from typ only
	// where AWS's differ.
	arnType string
}

// resourceKinds are the taggable kinds, by id prefix.
var resourceKinds = []resourceKind{
	{"vpc", kindVPC, "vpc", "vpc"},
	{"subnet", kindSubnet, "subnet", "subnet"},
	{"sg", kindSecurityGroup, "security-group", "security-group"},
	{"rtb", kindRouteTable, "route-table", "route-table"},
	{"acl", kindNetworkACL, "network-acl", "network-acl"},
	{"igw", kindInternetGateway, "internet-gateway", "internet-gateway"},
	{"nat", kindNatGateway, "natgateway", "natgateway"},
	{"eipalloc", kindAddress, "elastic-ip", "elastic-ip"},
	{"vpce", kindEndpoint, "vpc-endpoint", "vpc-endpoint"},
	{"eni", kindInterface, "network-interface", "network-interface"},
}

// kindOfID returns the resource kind of an id ("vpc-0a1b…" is a VPC); false when no kind has its prefix.
func kindOfID(id string) (resourceKind, bool) {
	prefix, _, ok := strings.Cut(id, "-")
	if !ok {
		return resourceKind{}, false
	}
	for _, k := range resourceKinds {
		if k.prefix == prefix {
			return k, true
		}
	}
	return resourceKind{}, false
}

// tag is a tag as stored.
type tag struct {
	Key   string `json:"k"`
	Value string `json:"v"`
}

// vpc is a VPC.
type vpc struct {
	ID    string `json:"id"`
	Tags  []tag  `json:"tags,omitempty"`
	Owner string `json:"owner"`
	// CIDR is the primary IPv4 block; Blocks are all of them, the primary first.
	CIDR   string      `json:"cidr"`
	Blocks []cidrBlock `json:"blocks"`
	// Default marks the region's default VPC.
	Default         bool   `json:"default,omitempty"`
	Tenancy         string `json:"tenancy"`
	DNSSupport      bool   `json:"dnsSupport"`
	DNSHostnames    bool   `json:"dnsHostnames"`
	DHCPOptionsID   string `json:"dhcpOptions"`
	State           string `json:"state"`
	MainRouteTable  string `json:"mainRouteTable"`
	DefaultACL      string `json:"defaultAcl"`
	DefaultGroup    string `json:"defaultGroup"`
	NetworkAddrUsed bool   `json:"networkAddressUsageMetrics,omitempty"`
}

// cidrBlock is one IPv4 block of a VPC with its association.
type cidrBlock struct {
	AssociationID string `json:"association"`
	CIDR          string `json:"cidr"`
	// State is "associated", or "disassociated" for a block removed (kept off the lists).
	State string `json:"state"`
}

// subnet is a subnet.
type subnet struct {
	ID    string `json:"id"`
	Tags  []tag  `json:"tags,omitempty"`
	Owner string `json:"owner"`
	VPCID string `json:"vpc"`
	CIDR  string `json:"cidr"`
	// Zone and ZoneID are the availability zone's name and id ("us-east-1a", "use1-az6").
	Zone   string `json:"zone"`
	ZoneID string `json:"zoneId"`
	// DefaultForAz marks the default subnets of the default VPC.
	DefaultForAz        bool `json:"defaultForAz,omitempty"`
	MapPublicIPOnLaunch bool `json:"mapPublicIp,omitempty"`
	// HostnameType ("ip-name" when empty, or "resource-name") and ResourceNameDNSA are the DNS options of
	// instances launched in the subnet, as ModifySubnetAttribute sets them.
	HostnameType     string `json:"hostnameType,omitempty"`
	ResourceNameDNSA bool   `json:"resourceNameDnsA,omitempty"`
	State            string `json:"state"`
	// Taken maps each address in use to the network interface that holds it. AvailableIpAddressCount is the
	// block's size less AWS's five reserved addresses less len(Taken).
	Taken map[string]string `json:"taken,omitempty"`
}

// securityGroup is a security group with its rules.
type securityGroup struct {
	ID          string `json:"id"`
	Tags        []tag  `json:"tags,omitempty"`
	Owner       string `json:"owner"`
	Name        string `json:"name"`
	Description string `json:"description"`
	VPCID       string `json:"vpc"`
	// Ingress and Egress hold one rule per source or destination, as DescribeSecurityGroupRules shows them; the
	// IpPermissions of DescribeSecurityGroups are grouped from them.
	Ingress []groupRule `json:"ingress,omitempty"`
	Egress  []groupRule `json:"egress,omitempty"`
}

// groupRule is one security group rule: a protocol and port range, and exactly one of a CIDR, an IPv6 CIDR, a
// prefix list or a security group.
type groupRule struct {
	ID string `json:"id"` // sgr-…
	// Protocol is "-1" (all), "tcp", "udp", "icmp", "icmpv6" or a protocol number as text.
	Protocol string `json:"protocol"`
	// FromPort and ToPort are the port range (ICMP: type and code); -1 for all.
	FromPort     int32  `json:"from"`
	ToPort       int32  `json:"to"`
	CIDR         string `json:"cidr,omitempty"`
	IPv6CIDR     string `json:"cidr6,omitempty"`
	PrefixListID string `json:"prefixList,omitempty"`
	GroupID      string `json:"group,omitempty"`
	GroupOwner   string `json:"groupOwner,omitempty"`
	Description  string `json:"description,omitempty"`
	Tags         []tag  `json:"tags,omitempty"`
}

// routeTable is a route table.
type routeTable struct {
	ID           string             `json:"id"`
	Tags         []tag              `json:"tags,omitempty"`
	Owner        string             `json:"owner"`
	VPCID        string             `json:"vpc"`
	Routes       []route            `json:"routes"`
	Associations []routeAssociation `json:"associations,omitempty"`
}

// route is one route. Exactly one destination and one target are set.
type route struct {
	DestinationCIDR       string `json:"dest,omitempty"`
	DestinationIPv6CIDR   string `json:"dest6,omitempty"`
	DestinationPrefixList string `json:"destPrefixList,omitempty"`
	// GatewayID is "local", an internet gateway (igw-…) or a gateway endpoint (vpce-…).
	GatewayID          string `json:"gateway,omitempty"`
	NatGatewayID       string `json:"nat,omitempty"`
	NetworkInterfaceID string `json:"eni,omitempty"`
	VPCEndpointID      string `json:"vpce,omitempty"`
	// Origin is "CreateRouteTable" (the local route), "CreateRoute", or "CreateRoute" for endpoint routes as AWS
	// shows them.
	Origin string `json:"origin"`
	// State is "active", or "blackhole" when the target is gone.
	State string `json:"state"`
}

// routeAssociation ties a route table to a subnet (or is the VPC's main association).
type routeAssociation struct {
	ID       string `json:"id"` // rtbassoc-…
	SubnetID string `json:"subnet,omitempty"`
	Main     bool   `json:"main,omitempty"`
}

// networkACL is a network ACL with its numbered entries and subnet associations.
type networkACL struct {
	ID           string           `json:"id"`
	Tags         []tag            `json:"tags,omitempty"`
	Owner        string           `json:"owner"`
	VPCID        string           `json:"vpc"`
	Default      bool             `json:"default,omitempty"`
	Entries      []aclEntry       `json:"entries"`
	Associations []aclAssociation `json:"associations,omitempty"`
}

// aclEntry is one rule of a network ACL. Rule number 32767 is the catch-all deny every ACL ends with.
type aclEntry struct {
	RuleNumber int32  `json:"rule"`
	Egress     bool   `json:"egress"`
	Protocol   string `json:"protocol"` // "-1" or a protocol number as text ("6" for TCP), as AWS stores it
	Action     string `json:"action"`   // "allow" or "deny"
	CIDR       string `json:"cidr,omitempty"`
	IPv6CIDR   string `json:"cidr6,omitempty"`
	// FromPort and ToPort are set for TCP and UDP; ICMPType and ICMPCode for ICMP. HasPorts/HasICMP say which.
	HasPorts bool  `json:"hasPorts,omitempty"`
	FromPort int32 `json:"from,omitempty"`
	ToPort   int32 `json:"to,omitempty"`
	HasICMP  bool  `json:"hasIcmp,omitempty"`
	ICMPType int32 `json:"icmpType,omitempty"`
	ICMPCode int32 `json:"icmpCode,omitempty"`
}

// aclAssociation ties a network ACL to a subnet; every subnet has exactly one.
type aclAssociation struct {
	ID       string `json:"id"` // aclassoc-…
	SubnetID string `json:"subnet"`
}

// internetGateway is an internet gateway, attached to at most one VPC.
type internetGateway struct {
	ID    string `json:"id"`
	Tags  []tag  `json:"tags,omitempty"`
	Owner string `json:"owner"`
	// VPCID is the attached VPC; empty when detached.
	VPCID string `json:"vpc,omitempty"`
}

// natGateway is a NAT gateway: an interface in a subnet, and for public ones an Elastic IP.
type natGateway struct {
	ID               string    `json:"id"`
	Tags             []tag     `json:"tags,omitempty"`
	VPCID            string    `json:"vpc"`
	SubnetID         string    `json:"subnet"`
	ConnectivityType string    `json:"connectivity"` // "public" or "private"
	AllocationID     string    `json:"allocation,omitempty"`
	InterfaceID      string    `json:"eni"`
	PrivateIP        string    `json:"privateIp"`
	PublicIP         string    `json:"publicIp,omitempty"`
	State            string    `json:"state"` // pending, available, deleting, deleted, failed
	Created          time.Time `json:"created"`
	Deleted          time.Time `json:"deleted,omitzero"`
	FailureCode      string    `json:"failureCode,omitempty"`
	FailureMessage   string    `json:"failureMessage,omitempty"`
}

// address is an Elastic IP address.
type address struct {
	ID       string `json:"id"` // eipalloc-…
	Tags     []tag  `json:"tags,omitempty"`
	PublicIP string `json:"publicIp"`
	Domain   string `json:"domain"` // "vpc"
	// AssociationID, InterfaceID and PrivateIP are set while the address is associated (a NAT gateway's).
	AssociationID string `json:"association,omitempty"`
	InterfaceID   string `json:"eni,omitempty"`
	PrivateIP     string `json:"privateIp,omitempty"`
	Owner         string `json:"owner"`
}

// endpoint is a VPC endpoint.
type endpoint struct {
	ID          string `json:"id"`
	Tags        []tag  `json:"tags,omitempty"`
	Owner       string `json:"owner"`
	VPCID       string `json:"vpc"`
	ServiceName string `json:"service"`
	Type        string `json:"type"` // "Gateway" or "Interface"
	State       string `json:"state"`
	// Policy is the endpoint policy as given (or the full-access default).
	Policy            string    `json:"policy"`
	RouteTableIDs     []string  `json:"routeTables,omitempty"`
	SubnetIDs         []string  `json:"subnets,omitempty"`
	GroupIDs          []string  `json:"groups,omitempty"`
	InterfaceIDs      []string  `json:"enis,omitempty"`
	PrivateDNSEnabled bool      `json:"privateDns,omitempty"`
	Created           time.Time `json:"created"`
}

// networkInterface is an elastic network interface.
type networkInterface struct {
	ID     string `json:"id"`
	Tags   []tag  `json:"tags,omitempty"`
	Owner  string `json:"owner"`
	VPCID  string `json:"vpc"`
	Subnet string `json:"subnet"`
	Zone   string `json:"zone"`
	// Type is the InterfaceType AWS shows: "interface", "nat_gateway", "vpc_endpoint", …
	Type        string `json:"type"`
	Description string `json:"description"`
	// RequesterID is set for interfaces a service created on the account's behalf (RequesterManaged): the
	// service's principal or account ("amazon-elb", an AROA…:SageMaker id).
	RequesterID      string      `json:"requester,omitempty"`
	RequesterManaged bool        `json:"requesterManaged,omitempty"`
	PrivateIP        string      `json:"privateIp"`
	SecondaryIPs     []string    `json:"secondaryIps,omitempty"`
	GroupIDs         []string    `json:"groups"`
	MAC              string      `json:"mac"`
	SourceDestCheck  bool        `json:"sourceDestCheck"`
	PublicIP         string      `json:"publicIp,omitempty"`
	Attachment       *attachment `json:"attachment,omitempty"`
	// Status is "available" or "in-use".
	Status string `json:"status"`
}

// attachment is an interface's attachment to an instance (or, for service interfaces, to the service's own).
type attachment struct {
	ID          string    `json:"id"` // eni-attach-…
	InstanceID  string    `json:"instance,omitempty"`
	DeviceIndex int32     `json:"deviceIndex"`
	Status      string    `json:"status"`
	Attached    time.Time `json:"attached"`
}

// defaultsDoc marks a region whose default VPC was made.
type defaultsDoc struct {
	VPCID string `json:"vpc"`
}

// scope is the store scope of a kind in an account's region.
func scope(account, region, kind string) store.Scope {
	return store.Scope{Account: account, Region: region, Kind: kind}
}

// key is the store key of a resource.
func key(account, region, kind, id string) store.Key {
	return store.Key{Scope: scope(account, region, kind), ID: id}
}

// get reads one resource; nil when there is none.
func get[T any](t store.Tx, account, region, kind, id string) (*T, *store.Record, error) {
	v, rec, err := store.GetDoc[T](t, key(account, region, kind, id))
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	return &v, rec, nil
}

// list reads every resource of a kind in the region, in id order.
func list[T any](t store.Tx, account, region, kind string) ([]*T, error) {
	recs, err := t.List(scope(account, region, kind), store.ListQuery{})
	if err != nil {
		return nil, err
	}
	return decodeAll[T](recs)
}

// listByVPC reads the resources of a kind that belong to a VPC (kinds indexed by indexVPC).
func listByVPC[T any](t store.Tx, account, region, kind, vpcID string) ([]*T, error) {
	recs, err := t.Find(scope(account, region, kind), indexVPC, vpcID)
	if err != nil {
		return nil, err
	}
	sort.Slice(recs, func(i, j int) bool { return recs[i].ID < recs[j].ID })
	return decodeAll[T](recs)
}

func decodeAll[T any](recs []*store.Record) ([]*T, error) {
	out := make([]*T, 0, len(recs))
	for _, rec := range recs {
		v, err := store.Decode[T](rec)
		if err != nil {
			return nil, fmt.Errorf("ec2: %s %s: %w", rec.Kind, rec.ID, err)
		}
		out = append(out, &v)
	}
	return out, nil
}

// put writes a resource with its indexes (creating or replacing it).
func put(t store.Tx, account, region, kind, id string, v any, indexes ...store.Index) error {
	rec, err := store.NewRecord(key(account, region, kind, id), v, indexes...)
	if err != nil {
		return err
	}
	return t.Put(rec)
}

// Each kind's indexes, so that every writer of a kind writes the same ones.
func vpcIndexes(vpcID string) []store.Index {
	return []store.Index{{Name: indexVPC, Value: vpcID}}
}

func (g *securityGroup) indexes() []store.Index {
	return []store.Index{
		{Name: indexVPC, Value: g.VPCID},
		{Name: indexGroupName, Value: g.VPCID + "/" + strings.ToLower(g.Name), Unique: true},
	}
}

func (n *networkInterface) indexes() []store.Index {
	return []store.Index{{Name: indexVPC, Value: n.VPCID}, {Name: indexSubnet, Value: n.Subnet}}
}

func (a *address) indexes() []store.Index {
	return []store.Index{{Name: indexPublicIP, Value: a.PublicIP, Unique: true}}
}

// The writers of each kind. Kinds with a VPC index it; only these functions write resources, so that the indexes
// stay right.
func putVPC(t store.Tx, account, region string, v *vpc) error {
	return put(t, account, region, kindVPC, v.ID, v)
}
func putSubnet(t store.Tx, account, region string, v *subnet) error {
	return put(t, account, region, kindSubnet, v.ID, v, vpcIndexes(v.VPCID)...)
}
func putGroup(t store.Tx, account, region string, v *securityGroup) error {
	return put(t, account, region, kindSecurityGroup, v.ID, v, v.indexes()...)
}
func putRouteTable(t store.Tx, account, region string, v *routeTable) error {
	return put(t, account, region, kindRouteTable, v.ID, v, vpcIndexes(v.VPCID)...)
}
func putACL(t store.Tx, account, region string, v *networkACL) error {
	return put(t, account, region, kindNetworkACL, v.ID, v, vpcIndexes(v.VPCID)...)
}
func putInternetGateway(t store.Tx, account, region string, v *internetGateway) error {
	return put(t, account, region, kindInternetGateway, v.ID, v, vpcIndexes(v.VPCID)...)
}
func putNatGateway(t store.Tx, account, region string, v *natGateway) error {
	return put(t, account, region, kindNatGateway, v.ID, v, vpcIndexes(v.VPCID)...)
}
func putAddress(t store.Tx, account, region string, v *address) error {
	return put(t, account, region, kindAddress, v.ID, v, v.indexes()...)
}
func putEndpoint(t store.Tx, account, region string, v *endpoint) error {
	return put(t, account, region, kindEndpoint, v.ID, v, vpcIndexes(v.VPCID)...)
}
func putInterface(t store.Tx, account, region string, v *networkInterface) error {
	return put(t, account, region, kindInterface, v.ID, v, v.indexes()...)
}

// taggedDoc is the part every stored document shares, for the tag operations.
type taggedDoc struct {
	ID   string `json:"id"`
	Tags []tag  `json:"tags,omitempty"`
}

// setTags replaces the "tags" member of a stored document of any kind, keeping the rest and its indexes.
func setTags(t store.Tx, rec *store.Record, tags []tag) error {
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(rec.Doc, &doc); err != nil {
		return fmt.Errorf("ec2: %s %s: %w", rec.Kind, rec.ID, err)
	}
	if len(tags) == 0 {
		delete(doc, "tags")
	} else {
		b, err := json.Marshal(tags)
		if err != nil {
			return err
		}
		doc["tags"] = b
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	out := *rec
	out.Doc = b
	return t.Put(&out)
}
