package ec2

import (
	"context"

	"github.com/sagebox/sagebox/internal/api"
)

func (s *Service) registerZones(h *api.ServiceHandlers) {
	api.Read(h, "DescribeAvailabilityZones", s.describeAvailabilityZones)
	api.Read(h, "DescribeRegions", s.describeRegions)
}

// regionLongNames are the regions' names as EC2 writes them in a zone's GroupLongName ("US East (N. Virginia) 1").
var regionLongNames = map[string]string{
	"us-east-1": "US East (N. Virginia)", "us-east-2": "US East (Ohio)", "us-west-1": "US West (N. California)",
	"us-west-2": "US West (Oregon)", "ca-central-1": "Canada (Central)", "eu-west-1": "Europe (Ireland)",
	"eu-west-2": "Europe (London)", "eu-west-3": "Europe (Paris)", "eu-central-1": "Europe (Frankfurt)",
	"eu-north-1": "Europe (Stockholm)", "ap-south-1": "Asia Pacific (Mumbai)", "ap-northeast-1": "Asia Pacific (Tokyo)",
	"ap-northeast-2": "Asia Pacific (Seoul)", "ap-northeast-3": "Asia Pacific (Osaka)",
	"ap-southeast-1": "Asia Pacific (Singapore)", "ap-southeast-2": "Asia Pacific (Sydney)",
	"sa-east-1": "South America (Sao Paulo)",
}

// optInRegions are regions an account must opt in to, which DescribeRegions lists only with AllRegions, as
// "not-opted-in": sagebox serves none of them unasked.
var optInRegions = []string{
	"af-south-1", "ap-east-1", "ap-south-2", "ap-southeast-3", "ap-southeast-4", "eu-central-2", "eu-south-1",
	"eu-south-2", "il-central-1", "me-central-1", "me-south-1",
}

// apiZone renders a zone as DescribeAvailabilityZones shows it.
func apiZone(z zone) *AvailabilityZone {
	out := &AvailabilityZone{
		OptInStatus: ptr("opt-in-not-required"), Messages: []*AvailabilityZoneMessage{}, RegionName: ptr(z.Region),
		ZoneName: ptr(z.Name), ZoneId: ptr(z.ID), GroupName: ptr(z.Region + "-zg-1"), NetworkBorderGroup: ptr(z.Region),
		ZoneType: ptr("availability-zone"), State: ptr("available"),
	}
	if long, ok := regionLongNames[z.Region]; ok {
		out.GroupLongName = ptr(long + " 1")
	}
	return out
}

// zoneFilter returns the values of a zone for the filters DescribeAvailabilityZones documents.
func zoneFilter(z zone) filterValues {
	return func(name string) ([]string, bool) {
		switch name {
		case "zone-name":
			return []string{z.Name}, true
		case "zone-id":
			return []string{z.ID}, true
		case "region-name":
			return []string{z.Region}, true
		case "state":
			return []string{"available"}, true
		case "opt-in-status":
			return []string{"opt-in-not-required"}, true
		case "zone-type":
			return []string{"availability-zone"}, true
		case "group-name":
			return []string{z.Region + "-zg-1"}, true
		case "group-long-name":
			if long, ok := regionLongNames[z.Region]; ok {
				return []string{long + " 1"}, true
			}
			return nil, true
		case "message", "parent-zone-id", "parent-zone-name":
			return nil, true // availability zones have neither messages nor parents
		}
		return nil, false
	}
}

func (s *Service) describeAvailabilityZones(ctx context.Context, c *api.Call, in *DescribeAvailabilityZonesInput) (*DescribeAvailabilityZonesOutput, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	if err := authorize(ctx, c, in.DryRun, "DescribeAvailabilityZones", []string{"*"}, map[string][]string{"ec2:Region": {c.Region}}); err != nil {
		return nil, err
	}
	zs := regionZones(c.Region)
	for _, name := range in.ZoneNames {
		if z, ok := findZone(c.Region, name); !ok || z.Name != name {
			return nil, invalidParameterValue("Invalid availability zone: [%s]", name)
		}
	}
	for _, id := range in.ZoneIds {
		if z, ok := findZone(c.Region, id); !ok || z.ID != id {
			return nil, invalidParameterValue("Invalid availability zone-id: [%s]", id)
		}
	}
	if err := checkFilters(in.Filters, zoneFilter(zone{})); err != nil {
		return nil, err
	}
	out := &DescribeAvailabilityZonesOutput{AvailabilityZones: []*AvailabilityZone{}}
	for _, z := range zs {
		if (len(in.ZoneNames) > 0 || len(in.ZoneIds) > 0) && !contains(in.ZoneNames, z.Name) && !contains(in.ZoneIds, z.ID) {
			continue
		}
		if ok, err := matchFilters(in.Filters, nil, zoneFilter(z)); err != nil {
			return nil, err
		} else if ok {
			out.AvailabilityZones = append(out.AvailabilityZones, apiZone(z))
		}
	}
	return out, nil
}

// regionEntry is one region as DescribeRegions lists it.
type regionEntry struct{ name, optIn string }

func (r regionEntry) endpoint() string { return "ec2." + r.name + ".amazonaws.com" }

func regionFilter(r regionEntry) filterValues {
	return func(name string) ([]string, bool) {
		switch name {
		case "region-name":
			return []string{r.name}, true
		case "endpoint":
			return []string{r.endpoint()}, true
		case "opt-in-status":
			return []string{r.optIn}, true
		}
		return nil, false
	}
}

func (s *Service) describeRegions(ctx context.Context, c *api.Call, in *DescribeRegionsInput) (*DescribeRegionsOutput, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	if err := authorize(ctx, c, in.DryRun, "DescribeRegions", []string{"*"}, map[string][]string{"ec2:Region": {c.Region}}); err != nil {
		return nil, err
	}
	entries := make([]regionEntry, 0, len(regions)+len(optInRegions))
	for _, r := range regions {
		entries = append(entries, regionEntry{r.name, "opt-in-not-required"})
	}
	// Regions the account has not opted in to are listed with AllRegions, or when the request names them.
	for _, name := range optInRegions {
		if deref(in.AllRegions) || contains(in.RegionNames, name) {
			entries = append(entries, regionEntry{name, "not-opted-in"})
		}
	}
	for _, name := range in.RegionNames {
		found := false
		for _, r := range entries {
			found = found || r.name == name
		}
		if !found {
			return nil, invalidParameterValue("Invalid region: [%s]", name)
		}
	}
	if err := checkFilters(in.Filters, regionFilter(regionEntry{})); err != nil {
		return nil, err
	}
	out := &DescribeRegionsOutput{Regions: []*Region{}}
	for _, r := range entries {
		if len(in.RegionNames) > 0 && !contains(in.RegionNames, r.name) {
			continue
		}
		if ok, err := matchFilters(in.Filters, nil, regionFilter(r)); err != nil {
			return nil, err
		} else if ok {
			out.Regions = append(out.Regions, &Region{RegionName: ptr(r.name), Endpoint: ptr(r.endpoint()), OptInStatus: ptr(r.optIn)})
		}
	}
	return out, nil
}
