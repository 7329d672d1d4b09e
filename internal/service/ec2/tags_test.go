package ec2_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// tags makes Tags of key/value pairs.
func tags(kv ...string) []types.Tag {
	var out []types.Tag
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, types.Tag{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	return out
}

// tagsOf returns the tags DescribeTags lists for a resource, as "key=value" sorted.
func tagsOf(t *testing.T, f *fixture, id string) string {
	t.Helper()
	out, err := f.EC2.DescribeTags(ctx, &ec2.DescribeTagsInput{Filters: []types.Filter{nameFilter("resource-id", id)}})
	if err != nil {
		t.Fatal(err)
	}
	var kv []string
	for _, d := range out.Tags {
		kv = append(kv, aws.ToString(d.Key)+"="+aws.ToString(d.Value))
	}
	sort.Strings(kv)
	return strings.Join(kv, " ")
}

func TestCreateTags(t *testing.T) {
	f := start(t)
	vpcID := f.newVPC(t, "10.0.0.0/16")
	sn := f.newSubnet(t, vpcID, "10.0.1.0/24")
	if _, err := f.EC2.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{vpcID, sn}, Tags: tags("team", "ml", "env", "dev")}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.EC2.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{sn}, Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("prod")}, {Key: aws.String("empty")}}}); err != nil {
		t.Fatal(err)
	}
	if got, want := tagsOf(t, f, vpcID), "env=dev team=ml"; got != want {
		t.Errorf("the VPC's tags = %q, want %q", got, want)
	}
	if got, want := tagsOf(t, f, sn), "empty= env=prod team=ml"; got != want {
		t.Errorf("the subnet's tags after overwriting env = %q, want %q", got, want)
	}
	out, err := f.EC2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{VpcIds: []string{vpcID}})
	if err != nil || tagMap(out.Vpcs[0].Tags)["team"] != "ml" {
		t.Errorf("DescribeVpcs does not show the tags CreateTags set (%v)", err)
	}

	// Resources of the other areas take tags alike: the VPC's main route table, when its area can name it.
	if rts, err := f.EC2.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{Filters: []types.Filter{nameFilter("vpc-id", vpcID)}}); err == nil && len(rts.RouteTables) > 0 {
		rt := aws.ToString(rts.RouteTables[0].RouteTableId)
		if _, err := f.EC2.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{rt}, Tags: tags("Name", "main")}); err != nil {
			t.Errorf("CreateTags on route table %s: %v", rt, err)
		} else if got := tagsOf(t, f, rt); got != "Name=main" {
			t.Errorf("the route table's tags = %q, want Name=main", got)
		}
	}

	for _, tc := range []struct {
		name          string
		in            *ec2.CreateTagsInput
		code, message string
	}{
		{"a VPC that does not exist", &ec2.CreateTagsInput{Resources: []string{vpcID, "vpc-0000000000000000a"}, Tags: tags("x", "y")},
			"InvalidVpcID.NotFound", "The vpc ID 'vpc-0000000000000000a' does not exist"},
		{"a subnet that does not exist", &ec2.CreateTagsInput{Resources: []string{"subnet-0000000000000000a"}, Tags: tags("x", "y")},
			"InvalidSubnetID.NotFound", "The subnet ID 'subnet-0000000000000000a' does not exist"},
		{"a security group that does not exist", &ec2.CreateTagsInput{Resources: []string{"sg-0000000000000000a"}, Tags: tags("x", "y")},
			"InvalidGroup.NotFound", "The security group 'sg-0000000000000000a' does not exist"},
		{"a network interface that does not exist", &ec2.CreateTagsInput{Resources: []string{"eni-0000000000000000a"}, Tags: tags("x", "y")},
			"InvalidNetworkInterfaceID.NotFound", "The networkInterface ID 'eni-0000000000000000a' does not exist"},
		{"an id of no taggable kind", &ec2.CreateTagsInput{Resources: []string{"i-0123456789abcdef0"}, Tags: tags("x", "y")},
			"InvalidID", "The ID 'i-0123456789abcdef0' is not valid"},
		{"a malformed id", &ec2.CreateTagsInput{Resources: []string{"vpc-xyz"}, Tags: tags("x", "y")}, "InvalidID", "The ID 'vpc-xyz' is not valid"},
		{"an aws: key", &ec2.CreateTagsInput{Resources: []string{vpcID}, Tags: tags("aws:cloudformation:stack-name", "y")},
			"InvalidParameterValue", "Tag keys starting with 'aws:' are reserved for internal use"},
		{"an empty key", &ec2.CreateTagsInput{Resources: []string{vpcID}, Tags: tags("", "y")}, "InvalidParameterValue", "Tag key cannot be empty"},
		{"a key too long", &ec2.CreateTagsInput{Resources: []string{vpcID}, Tags: tags(strings.Repeat("k", 128), "y")},
			"InvalidParameterValue", "Tag key exceeds the maximum length of 127 characters"},
		{"a value too long", &ec2.CreateTagsInput{Resources: []string{vpcID}, Tags: tags("k", strings.Repeat("v", 256))},
			"InvalidParameterValue", "Tag value exceeds the maximum length of 255 characters"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.EC2.CreateTags(ctx, tc.in)
			wantError(t, "CreateTags on "+tc.name, err, tc.code, tc.message)
		})
	}
	if got, want := tagsOf(t, f, vpcID), "env=dev team=ml"; got != want {
		t.Errorf("the VPC's tags after the refused calls = %q, want them unchanged, %q", got, want)
	}
}

func TestTagLimit(t *testing.T) {
	f := start(t)
	vpcID := f.newVPC(t, "10.0.0.0/16")
	var kv []string
	for i := range 49 {
		kv = append(kv, fmt.Sprintf("k%02d", i), "v")
	}
	if _, err := f.EC2.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{vpcID}, Tags: tags(kv...)}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.EC2.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{vpcID}, Tags: tags("k49", "v", "k00", "again")}); err != nil {
		t.Fatalf("the 50th tag and an overwrite: %v", err)
	}
	_, err := f.EC2.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{vpcID}, Tags: tags("k50", "v")})
	wantError(t, "a 51st tag", err, "TagLimitExceeded", "The maximum number of Tags for a resource has been reached.")
	var many []string
	for i := range 51 {
		many = append(many, fmt.Sprintf("t%02d", i), "v")
	}
	_, err = f.EC2.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.1.0.0/16"), TagSpecifications: tagSpec(types.ResourceTypeVpc, many...)})
	wantError(t, "CreateVpc with 51 tags", err, "TagLimitExceeded", "The maximum number of Tags for a resource has been reached.")
}

func TestDeleteTags(t *testing.T) {
	f := start(t)
	vpcID := f.newVPC(t, "10.0.0.0/16")
	reset := func() {
		t.Helper()
		if _, err := f.EC2.DeleteTags(ctx, &ec2.DeleteTagsInput{Resources: []string{vpcID}}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.EC2.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{vpcID}, Tags: tags("a", "1", "b", "2", "c", "", "d", "4")}); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name string
		tags []types.Tag
		want string
	}{
		{"a key without a value", []types.Tag{{Key: aws.String("a")}}, "b=2 c= d=4"},
		{"a key with its value", tags("b", "2"), "a=1 c= d=4"},
		{"a key with another value", tags("b", "3"), "a=1 b=2 c= d=4"},
		{"a key with the empty value", tags("c", ""), "a=1 b=2 d=4"},
		{"the empty value of a key that has one", tags("d", ""), "a=1 b=2 c= d=4"},
		{"a key the resource does not have", tags("z", ""), "a=1 b=2 c= d=4"},
		{"several", []types.Tag{{Key: aws.String("a")}, {Key: aws.String("d"), Value: aws.String("4")}}, "b=2 c="},
		{"no tags at all", nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reset()
			if _, err := f.EC2.DeleteTags(ctx, &ec2.DeleteTagsInput{Resources: []string{vpcID}, Tags: tc.tags}); err != nil {
				t.Fatal(err)
			}
			if got := tagsOf(t, f, vpcID); got != tc.want {
				t.Errorf("DeleteTags with %s left %q, want %q", tc.name, got, tc.want)
			}
		})
	}
	_, err := f.EC2.DeleteTags(ctx, &ec2.DeleteTagsInput{Resources: []string{"subnet-0000000000000000a"}})
	wantError(t, "DeleteTags on a subnet that does not exist", err, "InvalidSubnetID.NotFound", "The subnet ID 'subnet-0000000000000000a' does not exist")
	_, err = f.EC2.DeleteTags(ctx, &ec2.DeleteTagsInput{Resources: []string{"ami-0123456789abcdef0"}})
	wantError(t, "DeleteTags on an id of no taggable kind", err, "InvalidID", "The ID 'ami-0123456789abcdef0' is not valid")
}

func TestDescribeTags(t *testing.T) {
	f := start(t)
	vpcID := f.newVPC(t, "10.0.0.0/16")
	sn := f.newSubnet(t, vpcID, "10.0.1.0/24")
	var kv []string
	for i := range 12 {
		kv = append(kv, fmt.Sprintf("k%02d", i), fmt.Sprintf("v%d", i%3))
	}
	if _, err := f.EC2.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{vpcID}, Tags: tags(kv...)}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.EC2.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{sn}, Tags: tags("Name", "private", "k00", "v0")}); err != nil {
		t.Fatal(err)
	}
	describe := func(in *ec2.DescribeTagsInput) []string {
		t.Helper()
		out, err := f.EC2.DescribeTags(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, d := range out.Tags {
			got = append(got, fmt.Sprintf("%s/%s/%s=%s", d.ResourceType, aws.ToString(d.ResourceId), aws.ToString(d.Key), aws.ToString(d.Value)))
		}
		return got
	}
	all := describe(&ec2.DescribeTagsInput{})
	if len(all) != 14 || !sort.StringsAreSorted(all) {
		t.Fatalf("DescribeTags = %d tags %v, want the 14 in resource then key order", len(all), all)
	}
	for _, tc := range []struct {
		name    string
		filters []types.Filter
		want    int
		first   string
	}{
		{"resource-type subnet", []types.Filter{nameFilter("resource-type", "subnet")}, 2, "subnet/" + sn + "/Name=private"},
		{"resource-type vpc", []types.Filter{nameFilter("resource-type", "vpc")}, 12, "vpc/" + vpcID + "/k00=v0"},
		{"resource-id", []types.Filter{nameFilter("resource-id", sn)}, 2, "subnet/" + sn + "/Name=private"},
		{"key", []types.Filter{nameFilter("key", "k00")}, 2, "subnet/" + sn + "/k00=v0"},
		{"key with ?", []types.Filter{nameFilter("key", "k1?")}, 2, "vpc/" + vpcID + "/k10=v1"},
		{"value", []types.Filter{nameFilter("value", "v2")}, 4, "vpc/" + vpcID + "/k02=v2"},
		{"key and value", []types.Filter{nameFilter("key", "k0*"), nameFilter("value", "v1")}, 3, "vpc/" + vpcID + "/k01=v1"},
		{"tag:K lists every tag of the resources that have it", []types.Filter{nameFilter("tag:Name", "priv*")}, 2, "subnet/" + sn + "/Name=private"},
		{"nothing", []types.Filter{nameFilter("key", "none")}, 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := describe(&ec2.DescribeTagsInput{Filters: tc.filters})
			if len(got) != tc.want || (tc.want > 0 && got[0] != tc.first) {
				t.Errorf("DescribeTags %s = %v, want %d tags from %q", tc.name, got, tc.want, tc.first)
			}
		})
	}
	t.Run("pages", func(t *testing.T) {
		var got []string
		pages := 0
		p := ec2.NewDescribeTagsPaginator(f.EC2, &ec2.DescribeTagsInput{MaxResults: aws.Int32(5)})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			pages++
			for _, d := range out.Tags {
				got = append(got, fmt.Sprintf("%s/%s/%s=%s", d.ResourceType, aws.ToString(d.ResourceId), aws.ToString(d.Key), aws.ToString(d.Value)))
			}
		}
		if pages != 3 || strings.Join(got, " ") != strings.Join(all, " ") {
			t.Errorf("DescribeTags in pages of 5 = %d pages of %v, want 3 pages of %v", pages, got, all)
		}
	})
	for _, tc := range []struct {
		name          string
		in            *ec2.DescribeTagsInput
		code, message string
	}{
		{"MaxResults under 5", &ec2.DescribeTagsInput{MaxResults: aws.Int32(3)}, "InvalidParameterValue", "Value ( 3 ) for parameter maxResults is invalid. Expecting a value greater than 5."},
		{"MaxResults over 1000", &ec2.DescribeTagsInput{MaxResults: aws.Int32(1001)}, "InvalidParameterValue", "Value ( 1001 ) for parameter maxResults is invalid. Expecting a value smaller than or equal to 1000."},
		{"an unknown filter", &ec2.DescribeTagsInput{Filters: []types.Filter{nameFilter("resource", "x")}}, "InvalidParameterValue", "The filter 'resource' is invalid"},
		{"a token sagebox did not make", &ec2.DescribeTagsInput{NextToken: aws.String("@@")}, "InvalidPaginationToken", "Invalid pagination token"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.EC2.DescribeTags(ctx, tc.in)
			wantError(t, "DescribeTags with "+tc.name, err, tc.code, tc.message)
		})
	}
}

func TestTagAuthorization(t *testing.T) {
	f := start(t)
	ml := f.newVPC(t, "10.0.0.0/16")
	web := f.newVPC(t, "10.1.0.0/16")
	if _, err := f.EC2.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{ml}, Tags: tags("team", "ml")}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.EC2.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{web}, Tags: tags("team", "web")}); err != nil {
		t.Fatal(err)
	}
	// The user may tag what team ml owns, with keys other than team, and untag only the key env.
	user := f.userClient(t, "tagger", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"ec2:CreateTags","Resource":"arn:aws:ec2:*:*:vpc/*",
		 "Condition":{"StringEquals":{"ec2:ResourceTag/team":"ml"},"ForAllValues:StringNotEquals":{"aws:TagKeys":["team"]}}},
		{"Effect":"Allow","Action":"ec2:DeleteTags","Resource":"*","Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":["env"]}}},
		{"Effect":"Allow","Action":"ec2:DescribeTags","Resource":"*"}]}`)
	denied := "You are not authorized to perform this operation. Encoded authorization failure message: …"
	if _, err := user.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{ml}, Tags: tags("env", "dev")}); err != nil {
		t.Errorf("CreateTags env=dev on team ml's VPC: %v", err)
	}
	_, err := user.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{web}, Tags: tags("env", "dev")})
	wantError(t, "CreateTags on team web's VPC", err, "UnauthorizedOperation", denied)
	_, err = user.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{ml, web}, Tags: tags("env", "dev")})
	wantError(t, "CreateTags on both VPCs", err, "UnauthorizedOperation", denied)
	_, err = user.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{ml}, Tags: tags("team", "web")})
	wantError(t, "CreateTags of the key team", err, "UnauthorizedOperation", denied)
	_, err = user.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{ml}, Tags: tags("owner", "me"), DryRun: aws.Bool(true)})
	wantError(t, "CreateTags with DryRun", err, "DryRunOperation", "Request would have succeeded, but DryRun flag is set.")
	if got := tagsOf(t, f, ml); got != "env=dev team=ml" {
		t.Errorf("team ml's tags = %q, want env=dev team=ml: the DryRun and refused calls change nothing", got)
	}
	_, err = user.DeleteTags(ctx, &ec2.DeleteTagsInput{Resources: []string{ml}, Tags: []types.Tag{{Key: aws.String("team")}}})
	wantError(t, "DeleteTags of the key team", err, "UnauthorizedOperation", denied)
	_, err = user.DeleteTags(ctx, &ec2.DeleteTagsInput{Resources: []string{ml}})
	wantError(t, "DeleteTags of every key", err, "UnauthorizedOperation", denied)
	if _, err := user.DeleteTags(ctx, &ec2.DeleteTagsInput{Resources: []string{ml}, Tags: []types.Tag{{Key: aws.String("env")}}}); err != nil {
		t.Errorf("DeleteTags of the key env: %v", err)
	}
	_, err = user.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{"vpc-0000000000000000a"}, Tags: tags("env", "dev")})
	wantError(t, "CreateTags on a VPC that does not exist, without its tag", err, "UnauthorizedOperation", denied)
	if _, err := user.DescribeTags(ctx, &ec2.DescribeTagsInput{}); err != nil {
		t.Errorf("DescribeTags: %v", err)
	}
	nobody := f.userClient(t, "nobody", "")
	_, err = nobody.DescribeTags(ctx, &ec2.DescribeTagsInput{})
	wantError(t, "DescribeTags without a policy", err, "UnauthorizedOperation", denied)
}
