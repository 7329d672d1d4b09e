package ec2

import "strings"

// The regions and availability zones sagebox describes. Zone ids (use1-az1) map to zone names differently in each
// AWS account; sagebox maps them the same way in every account, the n-th zone to az n.
type region struct {
	name string
	// short is the region's code in zone ids ("use1").
	short string
	// zones are the zone letters, in order.
	zones string
}

var regions = []region{
	{"us-east-1", "use1", "abcdef"},
	{"us-east-2", "use2", "abc"},
	{"us-west-1", "usw1", "bc"},
	{"us-west-2", "usw2", "abcd"},
	{"ca-central-1", "cac1", "abd"},
	{"eu-west-1", "euw1", "abc"},
	{"eu-west-2", "euw2", "abc"},
	{"eu-west-3", "euw3", "abc"},
	{"eu-central-1", "euc1", "abc"},
	{"eu-north-1", "eun1", "abc"},
	{"ap-south-1", "aps1", "abc"},
	{"ap-northeast-1", "apne1", "acd"},
	{"ap-northeast-2", "apne2", "abcd"},
	{"ap-northeast-3", "apne3", "abc"},
	{"ap-southeast-1", "apse1", "abc"},
	{"ap-southeast-2", "apse2", "abc"},
	{"sa-east-1", "sae1", "abc"},
}

// zone is one availability zone.
type zone struct {
	Name, ID, Region string
}

// regionZones returns the zones of a region. A region sagebox does not list (requests may be signed for any)
// gets three zones, a to c, with ids made from its name.
func regionZones(name string) []zone {
	r := region{name: name, zones: "abc"}
	found := false
	for _, x := range regions {
		if x.name == name {
			r, found = x, true
			break
		}
	}
	if !found {
		r.short = strings.ReplaceAll(name, "-", "")
	}
	out := make([]zone, len(r.zones))
	for i, letter := range r.zones {
		out[i] = zone{Name: name + string(letter), ID: r.short + "-az" + string(rune('1'+i)), Region: name}
	}
	return out
}

// findZone returns the zone of a region named by name or id; false when the region has no such zone.
func findZone(regionName, nameOrID string) (zone, bool) {
	for _, z := range regionZones(regionName) {
		if z.Name == nameOrID || z.ID == nameOrID {
			return z, true
		}
	}
	return zone{}, false
}
