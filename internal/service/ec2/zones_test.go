package ec2_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

func zoneNames(zs []types.AvailabilityZone) string {
	var out []string
	for _, z := range zs {
		out = append(out, aws.ToString(z.ZoneName)+"="+aws.ToString(z.ZoneId))
	}
	return strings.Join(out, " ")
}

func TestDescribeAvailabilityZones(t *testing.T) {
	f := start(t)
	out, err := f.EC2.DescribeAvailabilityZones(ctx, &ec2.DescribeAvailabilityZonesInput{})
	if err != nil {
		t.Fatal(err)
	}
	want := "us-east-1a=use1-az1 us-east-1b=use1-az2 us-east-1c=use1-az3 us-east-1d=use1-az4 us-east-1e=use1-az5 us-east-1f=use1-az6"
	if got := zoneNames(out.AvailabilityZones); got != want {
		t.Errorf("DescribeAvailabilityZones in us-east-1 = %s, want %s", got, want)
	}
	z := out.AvailabilityZones[0]
	if z.State != types.AvailabilityZoneStateAvailable || z.OptInStatus != types.AvailabilityZoneOptInStatusOptInNotRequired ||
		aws.ToString(z.RegionName) != "us-east-1" || aws.ToString(z.ZoneType) != "availability-zone" ||
		aws.ToString(z.NetworkBorderGroup) != "us-east-1" || aws.ToString(z.GroupName) != "us-east-1-zg-1" ||
		aws.ToString(z.GroupLongName) != "US East (N. Virginia) 1" {
		t.Errorf("zone %s = %+v, want an available availability-zone of us-east-1 needing no opt-in", aws.ToString(z.ZoneName), z)
	}
	for _, tc := range []struct {
		name string
		in   *ec2.DescribeAvailabilityZonesInput
		want string
	}{
		{"zone names", &ec2.DescribeAvailabilityZonesInput{ZoneNames: []string{"us-east-1c", "us-east-1a"}}, "us-east-1a=use1-az1 us-east-1c=use1-az3"},
		{"zone ids", &ec2.DescribeAvailabilityZonesInput{ZoneIds: []string{"use1-az6"}}, "us-east-1f=use1-az6"},
		{"zone-name filter with *", &ec2.DescribeAvailabilityZonesInput{Filters: []types.Filter{nameFilter("zone-name", "*[ab]", "*b")}}, "us-east-1b=use1-az2"},
		{"zone-id filter with ?", &ec2.DescribeAvailabilityZonesInput{Filters: []types.Filter{nameFilter("zone-id", "use1-az?")}}, want},
		{"region-name and state", &ec2.DescribeAvailabilityZonesInput{Filters: []types.Filter{nameFilter("region-name", "us-east-1"), nameFilter("state", "available")}}, want},
		{"state that no zone has", &ec2.DescribeAvailabilityZonesInput{Filters: []types.Filter{nameFilter("state", "impaired")}}, ""},
		{"zone-type", &ec2.DescribeAvailabilityZonesInput{Filters: []types.Filter{nameFilter("zone-type", "local-zone")}}, ""},
		{"opt-in-status", &ec2.DescribeAvailabilityZonesInput{AllAvailabilityZones: aws.Bool(true), Filters: []types.Filter{nameFilter("opt-in-status", "opt-in-not-required"), nameFilter("zone-name", "us-east-1d")}}, "us-east-1d=use1-az4"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := f.EC2.DescribeAvailabilityZones(ctx, tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if got := zoneNames(out.AvailabilityZones); got != tc.want {
				t.Errorf("DescribeAvailabilityZones with %s = %q, want %q", tc.name, got, tc.want)
			}
		})
	}
	for _, tc := range []struct {
		name          string
		in            *ec2.DescribeAvailabilityZonesInput
		code, message string
	}{
		{"an unknown zone", &ec2.DescribeAvailabilityZonesInput{ZoneNames: []string{"us-east-1z"}}, "InvalidParameterValue", "Invalid availability zone: [us-east-1z]"},
		{"another region's zone", &ec2.DescribeAvailabilityZonesInput{ZoneNames: []string{"us-east-1a", "eu-west-1a"}}, "InvalidParameterValue", "Invalid availability zone: [eu-west-1a]"},
		{"an unknown zone id", &ec2.DescribeAvailabilityZonesInput{ZoneIds: []string{"use1-az9"}}, "InvalidParameterValue", "Invalid availability zone-id: [use1-az9]"},
		{"an unknown filter", &ec2.DescribeAvailabilityZonesInput{Filters: []types.Filter{nameFilter("zone", "x")}}, "InvalidParameterValue", "The filter 'zone' is invalid"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.EC2.DescribeAvailabilityZones(ctx, tc.in)
			wantError(t, "DescribeAvailabilityZones with "+tc.name, err, tc.code, tc.message)
		})
	}
	t.Run("another region", func(t *testing.T) {
		eu := ec2.NewFromConfig(f.Config("test", "test", ""), func(o *ec2.Options) { o.Region = "eu-west-1" })
		out, err := eu.DescribeAvailabilityZones(ctx, &ec2.DescribeAvailabilityZonesInput{})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := zoneNames(out.AvailabilityZones), "eu-west-1a=euw1-az1 eu-west-1b=euw1-az2 eu-west-1c=euw1-az3"; got != want {
			t.Errorf("DescribeAvailabilityZones in eu-west-1 = %s, want %s", got, want)
		}
	})
}

func TestDescribeRegions(t *testing.T) {
	f := start(t)
	names := func(rs []types.Region) []string {
		var out []string
		for _, r := range rs {
			out = append(out, aws.ToString(r.RegionName))
		}
		return out
	}
	out, err := f.EC2.DescribeRegions(ctx, &ec2.DescribeRegionsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Regions) != 17 {
		t.Errorf("DescribeRegions = %d regions %v, want the 17 enabled by default", len(out.Regions), names(out.Regions))
	}
	for _, r := range out.Regions {
		if aws.ToString(r.Endpoint) != "ec2."+aws.ToString(r.RegionName)+".amazonaws.com" || aws.ToString(r.OptInStatus) != "opt-in-not-required" {
			t.Errorf("region %s = endpoint %s, %s; want ec2.REGION.amazonaws.com, opt-in-not-required", aws.ToString(r.RegionName), aws.ToString(r.Endpoint), aws.ToString(r.OptInStatus))
		}
	}
	every, err := f.EC2.DescribeRegions(ctx, &ec2.DescribeRegionsInput{AllRegions: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	optIn := 0
	for _, r := range every.Regions {
		if aws.ToString(r.OptInStatus) == "not-opted-in" {
			optIn++
		}
	}
	if optIn == 0 || len(every.Regions) != len(out.Regions)+optIn {
		t.Errorf("DescribeRegions AllRegions = %d regions, %d not opted in; want the enabled ones and the opt-in ones", len(every.Regions), optIn)
	}
	for _, tc := range []struct {
		name string
		in   *ec2.DescribeRegionsInput
		want string
	}{
		{"region names", &ec2.DescribeRegionsInput{RegionNames: []string{"eu-west-1", "us-east-1"}}, "us-east-1 eu-west-1"},
		{"region-name filter", &ec2.DescribeRegionsInput{Filters: []types.Filter{nameFilter("region-name", "us-*")}}, "us-east-1 us-east-2 us-west-1 us-west-2"},
		{"endpoint filter", &ec2.DescribeRegionsInput{Filters: []types.Filter{nameFilter("endpoint", "*.eu-north-1.*")}}, "eu-north-1"},
		{"opt-in-status filter", &ec2.DescribeRegionsInput{AllRegions: aws.Bool(true), Filters: []types.Filter{nameFilter("opt-in-status", "not-opted-in"), nameFilter("region-name", "af-*")}}, "af-south-1"},
		{"an opt-in region by name", &ec2.DescribeRegionsInput{RegionNames: []string{"me-south-1"}}, "me-south-1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := f.EC2.DescribeRegions(ctx, tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(names(out.Regions), " "); got != tc.want {
				t.Errorf("DescribeRegions with %s = %q, want %q", tc.name, got, tc.want)
			}
		})
	}
	_, err = f.EC2.DescribeRegions(ctx, &ec2.DescribeRegionsInput{RegionNames: []string{"us--east-1"}})
	wantError(t, "DescribeRegions of an unknown region", err, "InvalidParameterValue", "Invalid region: [us--east-1]")
	_, err = f.EC2.DescribeRegions(ctx, &ec2.DescribeRegionsInput{Filters: []types.Filter{nameFilter("name", "x")}})
	wantError(t, "DescribeRegions with an unknown filter", err, "InvalidParameterValue", "The filter 'name' is invalid")
}
