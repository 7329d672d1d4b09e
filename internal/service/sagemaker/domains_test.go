package sagemaker_test

import (
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/sagebox/sagebox/internal/app"
)

// domainInput is a CreateDomain request for the network: VpcOnly with the network's group when vpcOnly is set,
// PublicInternetOnly (by default) otherwise.
func domainInput(name string, n network, role string, vpcOnly bool) *sagemaker.CreateDomainInput {
	in := &sagemaker.CreateDomainInput{
		DomainName:          aws.String(name),
		AuthMode:            smtypes.AuthModeIam,
		DefaultUserSettings: &smtypes.UserSettings{ExecutionRole: aws.String(role)},
		SubnetIds:           n.Subnets,
		VpcId:               aws.String(n.VPC),
	}
	if vpcOnly {
		in.AppNetworkAccessType = smtypes.AppNetworkAccessTypeVpcOnly
		in.DefaultUserSettings.SecurityGroups = []string{n.Group}
	}
	return in
}

// domainCreate makes a domain and returns its id.
func domainCreate(t *testing.T, sm *sagemaker.Client, in *sagemaker.CreateDomainInput) string {
	t.Helper()
	out, err := sm.CreateDomain(ctx, in)
	if err != nil {
		t.Fatalf("CreateDomain(%s): %v", aws.ToString(in.DomainName), err)
	}
	return aws.ToString(out.DomainId)
}

// domainDescribe describes a domain that must exist.
func domainDescribe(t *testing.T, sm *sagemaker.Client, id string) *sagemaker.DescribeDomainOutput {
	t.Helper()
	out, err := sm.DescribeDomain(ctx, &sagemaker.DescribeDomainInput{DomainId: aws.String(id)})
	if err != nil {
		t.Fatalf("DescribeDomain(%s): %v", id, err)
	}
	return out
}

// domainGroupNamed returns the VPC's security group of the name, nil when there is none.
func domainGroupNamed(t *testing.T, f *fixture, vpc, name string) *ec2types.SecurityGroup {
	t.Helper()
	out, err := f.EC2.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{Filters: []ec2types.Filter{
		{Name: aws.String("vpc-id"), Values: []string{vpc}}, {Name: aws.String("group-name"), Values: []string{name}},
	}})
	if err != nil {
		t.Fatalf("DescribeSecurityGroups(%s): %v", name, err)
	}
	if len(out.SecurityGroups) == 0 {
		return nil
	}
	return &out.SecurityGroups[0]
}

// domainInterfaces returns the network interfaces of a subnet.
func domainInterfaces(t *testing.T, f *fixture, subnet string) []ec2types.NetworkInterface {
	t.Helper()
	out, err := f.EC2.DescribeNetworkInterfaces(ctx, &ec2.DescribeNetworkInterfacesInput{Filters: []ec2types.Filter{
		{Name: aws.String("subnet-id"), Values: []string{subnet}},
	}})
	if err != nil {
		t.Fatalf("DescribeNetworkInterfaces(%s): %v", subnet, err)
	}
	return out.NetworkInterfaces
}

// domainFreeAddresses returns a subnet's AvailableIpAddressCount.
func domainFreeAddresses(t *testing.T, f *fixture, subnet string) int32 {
	t.Helper()
	out, err := f.EC2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{SubnetIds: []string{subnet}})
	if err != nil || len(out.Subnets) != 1 {
		t.Fatalf("DescribeSubnets(%s): %v", subnet, err)
	}
	return aws.ToInt32(out.Subnets[0].AvailableIpAddressCount)
}

// TestDomainSeedFlow follows the seed documents: a private network, an execution role trusting SageMaker, and a
// VpcOnly domain in it, with what SageMaker makes in the network.
func TestDomainSeedFlow(t *testing.T) {
	f := start(t)
	n := f.privateNetwork(t)
	role := f.executionRole(t, "studio-exec")
	free := domainFreeAddresses(t, f, n.Subnets[0])

	out, err := f.SM.CreateDomain(ctx, domainInput("Studio", n, role, true))
	if err != nil {
		t.Fatalf("CreateDomain: %v", err)
	}
	id := aws.ToString(out.DomainId)
	if len(id) != 14 || !strings.HasPrefix(id, "d-") || strings.Trim(id[2:], "abcdefghijklmnopqrstuvwxyz0123456789") != "" {
		t.Errorf("CreateDomain: DomainId %q, want d- and 12 lowercase alphanumerics", id)
	}
	if want := "arn:aws:sagemaker:us-east-1:" + account + ":domain/" + id; aws.ToString(out.DomainArn) != want {
		t.Errorf("CreateDomain: DomainArn %q, want %q", aws.ToString(out.DomainArn), want)
	}
	if want := "https://" + id + ".studio.us-east-1.sagemaker.aws"; aws.ToString(out.Url) != want {
		t.Errorf("CreateDomain: Url %q, want %q", aws.ToString(out.Url), want)
	}

	d := domainDescribe(t, f.SM, id)
	checks := []struct{ what, got, want string }{
		{"DomainArn", aws.ToString(d.DomainArn), aws.ToString(out.DomainArn)},
		{"DomainId", aws.ToString(d.DomainId), id},
		{"DomainName", aws.ToString(d.DomainName), "Studio"},
		{"Status", string(d.Status), "InService"},
		{"AuthMode", string(d.AuthMode), "IAM"},
		{"AppNetworkAccessType", string(d.AppNetworkAccessType), "VpcOnly"},
		{"VpcId", aws.ToString(d.VpcId), n.VPC},
		{"SubnetIds", strings.Join(d.SubnetIds, ","), strings.Join(n.Subnets, ",")},
		{"Url", aws.ToString(d.Url), aws.ToString(out.Url)},
		{"ExecutionRole", aws.ToString(d.DefaultUserSettings.ExecutionRole), role},
		{"SecurityGroups", strings.Join(d.DefaultUserSettings.SecurityGroups, ","), n.Group},
		{"TagPropagation", string(d.TagPropagation), "DISABLED"},
		{"FailureReason", aws.ToString(d.FailureReason), ""},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("DescribeDomain: %s %q, want %q", c.what, c.got, c.want)
		}
	}
	fs := aws.ToString(d.HomeEfsFileSystemId)
	if len(fs) != 20 || !strings.HasPrefix(fs, "fs-") {
		t.Errorf("DescribeDomain: HomeEfsFileSystemId %q, want fs- and 17 hex digits", fs)
	}
	if d.CreationTime == nil || d.LastModifiedTime == nil {
		t.Errorf("DescribeDomain: CreationTime %v, LastModifiedTime %v, want both", d.CreationTime, d.LastModifiedTime)
	}

	t.Run("NFS groups", func(t *testing.T) {
		in := domainGroupNamed(t, f, n.VPC, "security-group-for-inbound-nfs-"+id)
		outb := domainGroupNamed(t, f, n.VPC, "security-group-for-outbound-nfs-"+id)
		if in == nil || outb == nil {
			t.Fatalf("the NFS groups of %s: inbound %v, outbound %v, want both", id, in, outb)
		}
		if want := "[DO NOT DELETE] Security Group that allows inbound NFS traffic for SageMaker Notebooks Domain [" + id + "]"; aws.ToString(in.Description) != want {
			t.Errorf("inbound NFS group: description %q, want %q", aws.ToString(in.Description), want)
		}
		if want := "[DO NOT DELETE] Security Group that allows outbound NFS traffic for SageMaker Notebooks Domain [" + id + "]"; aws.ToString(outb.Description) != want {
			t.Errorf("outbound NFS group: description %q, want %q", aws.ToString(outb.Description), want)
		}
		nfsFrom := func(perms []ec2types.IpPermission, peer string) bool {
			for _, p := range perms {
				for _, g := range p.UserIdGroupPairs {
					if aws.ToString(p.IpProtocol) == "tcp" && aws.ToInt32(p.FromPort) == 2049 && aws.ToInt32(p.ToPort) == 2049 && aws.ToString(g.GroupId) == peer {
						return true
					}
				}
			}
			return false
		}
		if !nfsFrom(in.IpPermissions, aws.ToString(outb.GroupId)) {
			t.Errorf("inbound NFS group: ingress %+v, want TCP 2049 from the outbound group", in.IpPermissions)
		}
		if !nfsFrom(outb.IpPermissionsEgress, aws.ToString(in.GroupId)) || len(outb.IpPermissionsEgress) != 1 {
			t.Errorf("outbound NFS group: egress %+v, want only TCP 2049 to the inbound group", outb.IpPermissionsEgress)
		}
		tagged := slices.ContainsFunc(in.Tags, func(tg ec2types.Tag) bool {
			return aws.ToString(tg.Key) == "ManagedByAmazonSageMakerResource" && aws.ToString(tg.Value) == aws.ToString(out.DomainArn)
		})
		if !tagged {
			t.Errorf("inbound NFS group: tags %+v, want ManagedByAmazonSageMakerResource = the domain's ARN", in.Tags)
		}
	})

	t.Run("mount targets", func(t *testing.T) {
		for _, sn := range n.Subnets {
			var mts []ec2types.NetworkInterface
			for _, ni := range domainInterfaces(t, f, sn) {
				if strings.HasPrefix(aws.ToString(ni.Description), "EFS mount target for "+fs+" (fsmt-") {
					mts = append(mts, ni)
				}
			}
			if len(mts) != 1 {
				t.Errorf("subnet %s holds %d mount targets of %s, want 1", sn, len(mts), fs)
				continue
			}
			if !aws.ToBool(mts[0].RequesterManaged) {
				t.Errorf("the mount target in %s is not requester-managed", sn)
			}
		}
		if got := domainFreeAddresses(t, f, n.Subnets[0]); got != free-1 {
			t.Errorf("the subnet has %d free addresses after CreateDomain, want %d (one for the mount target)", got, free-1)
		}
	})

	t.Run("ListDomains", func(t *testing.T) {
		l, err := f.SM.ListDomains(ctx, &sagemaker.ListDomainsInput{})
		if err != nil {
			t.Fatal(err)
		}
		if len(l.Domains) != 1 || aws.ToString(l.Domains[0].DomainId) != id || l.Domains[0].Status != "InService" ||
			aws.ToString(l.Domains[0].Url) != aws.ToString(out.Url) || aws.ToString(l.Domains[0].DomainName) != "Studio" {
			t.Errorf("ListDomains = %+v, want the one domain, InService, with its name and Url", l.Domains)
		}
	})

	t.Run("reach", func(t *testing.T) {
		rs, err := f.SageMaker().DomainReach(ctx, account, "us-east-1", id)
		if err != nil {
			t.Fatalf("DomainReach: %v", err)
		}
		if len(rs) != 7 {
			t.Fatalf("DomainReach answered %d services, want 7", len(rs))
		}
		for _, r := range rs {
			if r.Reachable || r.Reason == "" {
				t.Errorf("DomainReach(%s) = %+v, want unreachable with a reason: the subnets have neither endpoints nor a NAT", r.Service, r)
			}
		}
		pub := domainCreate(t, f.SM, domainInput("public", n, role, false))
		rs, err = f.SageMaker().DomainReach(ctx, account, "us-east-1", pub)
		if err != nil {
			t.Fatalf("DomainReach(PublicInternetOnly): %v", err)
		}
		for _, r := range rs {
			if !r.Reachable || r.Via != "sagemaker-managed internet" {
				t.Errorf("DomainReach(PublicInternetOnly, %s) = %+v, want reachable via sagemaker-managed internet", r.Service, r)
			}
		}
		if _, err := f.SageMaker().DomainReach(ctx, account, "us-east-1", "d-nonexistent0"); err == nil {
			t.Error("DomainReach of a domain that does not exist succeeded, want an error")
		}
	})
}

// TestDomainCreateRefusals covers what CreateDomain refuses in the call.
func TestDomainCreateRefusals(t *testing.T) {
	f := start(t)
	n := f.privateNetwork(t)
	role := f.executionRole(t, "exec")
	untrusting := f.role(t, "lambda-role", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)
	missing := "arn:aws:iam::" + account + ":role/no-such-role"
	assumeText := func(r string) string {
		return "Could not assume role " + r + ". Please ensure that the role exists and allows principal 'sagemaker.amazonaws.com' to assume the role."
	}
	cases := []struct {
		name       string
		edit       func(in *sagemaker.CreateDomainInput)
		code, text string
	}{
		{"a role that does not trust SageMaker", func(in *sagemaker.CreateDomainInput) { in.DefaultUserSettings.ExecutionRole = aws.String(untrusting) },
			"ValidationException", assumeText(untrusting)},
		{"a role that does not exist", func(in *sagemaker.CreateDomainInput) { in.DefaultUserSettings.ExecutionRole = aws.String(missing) },
			"ValidationException", assumeText(missing)},
		{"a space role that does not trust SageMaker", func(in *sagemaker.CreateDomainInput) {
			in.DefaultSpaceSettings = &smtypes.DefaultSpaceSettings{ExecutionRole: aws.String(untrusting)}
		}, "ValidationException", assumeText(untrusting)},
		{"no execution role", func(in *sagemaker.CreateDomainInput) { in.DefaultUserSettings.ExecutionRole = nil },
			"ValidationException", "ExecutionRole is required in DefaultUserSettings."},
		{"VpcOnly without security groups", func(in *sagemaker.CreateDomainInput) { in.DefaultUserSettings.SecurityGroups = nil },
			"ValidationException", "Security groups are required in DefaultUserSettings when AppNetworkAccessType is VpcOnly."},
		{"five security groups", func(in *sagemaker.CreateDomainInput) {
			in.DefaultUserSettings.SecurityGroups = []string{n.Group, "sg-00000000000000001", "sg-00000000000000002", "sg-00000000000000003", "sg-00000000000000004"}
		}, "ValidationException", "The number of security groups in DefaultUserSettings.SecurityGroups must be at most 4: Amazon SageMaker adds a security group to allow NFS traffic from Studio."},
		{"no VPC", func(in *sagemaker.CreateDomainInput) { in.VpcId = nil },
			"ValidationException", "VpcId and Subnet IDs are required for creating domains."},
		{"no subnets", func(in *sagemaker.CreateDomainInput) { in.SubnetIds = nil },
			"ValidationException", "VpcId and Subnet IDs are required for creating domains."},
		{"seventeen subnets", func(in *sagemaker.CreateDomainInput) {
			in.SubnetIds = nil
			for i := range 17 {
				in.SubnetIds = append(in.SubnetIds, fmt.Sprintf("subnet-%017x", i))
			}
		}, "ValidationException", "1 validation error detected: Value '[…"},
		{"SSO-only: an unknown auth mode", func(in *sagemaker.CreateDomainInput) { in.AuthMode = "LDAP" },
			"ValidationException", "1 validation error detected: Value 'LDAP' at 'authMode' failed to satisfy constraint: Member must satisfy enum value set: …"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := domainInput("refused", n, role, true)
			tc.edit(in)
			_, err := f.SM.CreateDomain(ctx, in)
			wantError(t, "CreateDomain with "+tc.name, err, tc.code, tc.text)
		})
	}
	l, err := f.SM.ListDomains(ctx, &sagemaker.ListDomainsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Domains) != 0 {
		t.Errorf("ListDomains after refused creations = %d domains, want none", len(l.Domains))
	}
}

// TestDomainAuthorization covers who may create, describe and delete domains, and iam:PassRole.
func TestDomainAuthorization(t *testing.T) {
	f := start(t)
	n := f.privateNetwork(t)
	role := f.executionRole(t, "exec")
	userARN := func(name string) string { return "arn:aws:iam::" + account + ":user/" + name }

	t.Run("a user without iam:PassRole", func(t *testing.T) {
		u := f.user(t, "no-pass", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sagemaker:*","Resource":"*"}]}`)
		_, err := u.SM.CreateDomain(ctx, domainInput("d", n, role, true))
		wantError(t, "CreateDomain without iam:PassRole", err, "AccessDeniedException",
			"User: "+userARN("no-pass")+" is not authorized to perform: iam:PassRole on resource: "+role+" because no identity-based policy allows the iam:PassRole action")
	})
	t.Run("a user without sagemaker:CreateDomain", func(t *testing.T) {
		u := f.user(t, "reader", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sagemaker:Describe*","sagemaker:List*","iam:PassRole"],"Resource":"*"}]}`)
		_, err := u.SM.CreateDomain(ctx, domainInput("d", n, role, true))
		wantError(t, "CreateDomain without sagemaker:CreateDomain", err, "AccessDeniedException",
			"User: "+userARN("reader")+" is not authorized to perform: sagemaker:CreateDomain on resource: arn:aws:sagemaker:us-east-1:"+account+":domain/d-…")
		if _, err := u.SM.ListDomains(ctx, &sagemaker.ListDomainsInput{}); err != nil {
			t.Errorf("ListDomains by a user allowed sagemaker:List*: %v", err)
		}
	})
	t.Run("a user allowed VpcOnly domains only", func(t *testing.T) {
		u := f.user(t, "vpc-only", `{"Version":"2012-10-17","Statement":[
			{"Effect":"Allow","Action":"sagemaker:CreateDomain","Resource":"*","Condition":{"StringEquals":{"sagemaker:AppNetworkAccessType":"VpcOnly"},"ForAllValues:StringEquals":{"sagemaker:VpcSubnets":["`+n.Subnets[0]+`","`+n.Subnets[1]+`"]}}},
			{"Effect":"Allow","Action":["sagemaker:DescribeDomain","sagemaker:DeleteDomain"],"Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/team":"ml"}}},
			{"Effect":"Allow","Action":"sagemaker:AddTags","Resource":"*","Condition":{"StringEquals":{"sagemaker:TaggingAction":"CreateDomain"}}},
			{"Effect":"Allow","Action":"iam:PassRole","Resource":"*","Condition":{"StringEquals":{"iam:PassedToService":"sagemaker.amazonaws.com"}}}]}`)
		_, err := u.SM.CreateDomain(ctx, domainInput("public", n, role, false))
		wantError(t, "CreateDomain PublicInternetOnly by a user allowed VpcOnly only", err, "AccessDeniedException", "User: "+userARN("vpc-only")+" is not authorized to perform: sagemaker:CreateDomain on resource: …")
		in := domainInput("private", n, role, true)
		in.Tags = []smtypes.Tag{{Key: aws.String("team"), Value: aws.String("ml")}}
		id := domainCreate(t, u.SM, in)
		if d := domainDescribe(t, u.SM, id); aws.ToString(d.DomainId) != id {
			t.Errorf("DescribeDomain of a domain tagged team=ml = %s, want %s", aws.ToString(d.DomainId), id)
		}
		other := domainCreate(t, f.SM, domainInput("untagged", n, role, true))
		_, err = u.SM.DescribeDomain(ctx, &sagemaker.DescribeDomainInput{DomainId: aws.String(other)})
		wantError(t, "DescribeDomain of an untagged domain", err, "AccessDeniedException", "User: "+userARN("vpc-only")+" is not authorized to perform: sagemaker:DescribeDomain on resource: arn:aws:sagemaker:us-east-1:"+account+":domain/"+other+" because no identity-based policy allows the sagemaker:DescribeDomain action")
		_, err = u.SM.DeleteDomain(ctx, &sagemaker.DeleteDomainInput{DomainId: aws.String(other)})
		wantError(t, "DeleteDomain of an untagged domain", err, "AccessDeniedException", "")
		if _, err := u.SM.DeleteDomain(ctx, &sagemaker.DeleteDomainInput{DomainId: aws.String(id)}); err != nil {
			t.Errorf("DeleteDomain of a domain tagged team=ml: %v", err)
		}
	})
}

// TestDomainNetworkFailures covers the network AWS checks while it makes the domain: the call succeeds and the
// domain is Failed with the reason, and nothing is made in the network.
func TestDomainNetworkFailures(t *testing.T) {
	f := start(t)
	n := f.privateNetwork(t)
	role := f.executionRole(t, "exec")
	other := f.privateNetwork(t)
	full, err := f.EC2.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: aws.String(n.VPC), CidrBlock: aws.String("10.0.9.0/28"), AvailabilityZone: aws.String("us-east-1c")})
	if err != nil {
		t.Fatal(err)
	}
	fullID := aws.ToString(full.Subnet.SubnetId)
	for domainFreeAddresses(t, f, fullID) > 0 {
		if _, err := f.EC2.CreateNetworkInterface(ctx, &ec2.CreateNetworkInterfaceInput{SubnetId: aws.String(fullID)}); err != nil {
			t.Fatalf("filling the /28: %v", err)
		}
	}
	cases := []struct {
		name   string
		edit   func(in *sagemaker.CreateDomainInput)
		reason string
	}{
		{"a VPC that does not exist", func(in *sagemaker.CreateDomainInput) { in.VpcId = aws.String("vpc-0123456789abcdef0") },
			"ResourceNotFoundError: The VPC ID 'vpc-0123456789abcdef0' could not be found. Verify that the VPC ID is valid and that it's in the same AWS Region as the requested domain. To determine whether the VPC has been deleted, contact your administrator."},
		{"a subnet that does not exist", func(in *sagemaker.CreateDomainInput) {
			in.SubnetIds = []string{n.Subnets[0], "subnet-0123456789abcdef0"}
		},
			"ResourceNotFoundError: The subnet ID 'subnet-0123456789abcdef0' could not be found. Verify that the subnet ID is valid and that it's in the same AWS Region as the requested domain. To determine whether the subnet has been deleted, contact your administrator."},
		{"a subnet of another VPC", func(in *sagemaker.CreateDomainInput) { in.SubnetIds = []string{n.Subnets[0], other.Subnets[0]} },
			"ValidationError: The subnet '" + other.Subnets[0] + "' is in VPC '" + other.VPC + "', not in the domain's VPC '" + n.VPC + "'. All subnets of a domain must be in its VPC."},
		{"a security group of another VPC", func(in *sagemaker.CreateDomainInput) { in.DefaultUserSettings.SecurityGroups = []string{other.Group} },
			"ValidationError: The security group '" + other.Group + "' is in VPC '" + other.VPC + "', not in the domain's VPC '" + n.VPC + "'. All security groups of a domain must be in its VPC."},
		{"a security group that does not exist", func(in *sagemaker.CreateDomainInput) {
			in.DefaultUserSettings.SecurityGroups = []string{"sg-0123456789abcdef0"}
		},
			"ResourceNotFoundError: The security group ID 'sg-0123456789abcdef0' could not be found. Verify that the security group ID is valid and that it's in the same AWS Region as the requested domain. To determine whether the security group has been deleted, contact your administrator."},
		{"a full subnet", func(in *sagemaker.CreateDomainInput) { in.SubnetIds = []string{n.Subnets[0], fullID} },
			"NoFreeAddressesInSubnet: The subnet '" + fullID + "' has no free IP address for the mount target of the domain's home EFS file system."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			free := domainFreeAddresses(t, f, n.Subnets[0])
			in := domainInput("failing", n, role, true)
			tc.edit(in)
			id := domainCreate(t, f.SM, in)
			d := domainDescribe(t, f.SM, id)
			if d.Status != smtypes.DomainStatusFailed || aws.ToString(d.FailureReason) != tc.reason {
				t.Errorf("DescribeDomain with %s: %s %q, want Failed %q", tc.name, d.Status, aws.ToString(d.FailureReason), tc.reason)
			}
			if g := domainGroupNamed(t, f, n.VPC, "security-group-for-inbound-nfs-"+id); g != nil {
				t.Errorf("a failed domain left its NFS group %s", aws.ToString(g.GroupId))
			}
			if got := domainFreeAddresses(t, f, n.Subnets[0]); got != free {
				t.Errorf("a failed domain took an address: %d free, want %d", got, free)
			}
			if _, err := f.SM.DeleteDomain(ctx, &sagemaker.DeleteDomainInput{DomainId: aws.String(id)}); err != nil {
				t.Errorf("DeleteDomain of a failed domain: %v", err)
			}
		})
	}
}

// TestDomainDeleteOrder: a domain with user profiles is not deleted; without them it is, and what it gives back
// depends on the retention policy.
func TestDomainDeleteOrder(t *testing.T) {
	f := start(t)
	n := f.privateNetwork(t)
	role := f.executionRole(t, "exec")
	free := domainFreeAddresses(t, f, n.Subnets[0])
	id := domainCreate(t, f.SM, domainInput("studio", n, role, true))
	arn := "arn:aws:sagemaker:us-east-1:" + account + ":domain/" + id

	if _, err := f.SM.CreateUserProfile(ctx, &sagemaker.CreateUserProfileInput{DomainId: aws.String(id), UserProfileName: aws.String("alice")}); err != nil {
		t.Fatalf("CreateUserProfile: %v", err)
	}
	for _, policy := range []smtypes.RetentionType{"", smtypes.RetentionTypeDelete} {
		in := &sagemaker.DeleteDomainInput{DomainId: aws.String(id)}
		if policy != "" {
			in.RetentionPolicy = &smtypes.RetentionPolicy{HomeEfsFileSystem: policy}
		}
		_, err := f.SM.DeleteDomain(ctx, in)
		wantError(t, "DeleteDomain with a user profile (retention "+string(policy)+")", err, "ResourceInUse",
			"Unable to delete Domain ["+arn+"] because UserProfile(s) are associated with it.")
	}
	if _, err := f.SM.CreateSpace(ctx, &sagemaker.CreateSpaceInput{DomainId: aws.String(id), SpaceName: aws.String("shared")}); err != nil {
		t.Fatalf("CreateSpace: %v", err)
	}
	_, err := f.SM.DeleteDomain(ctx, &sagemaker.DeleteDomainInput{DomainId: aws.String(id)})
	wantError(t, "DeleteDomain with a user profile and a space", err, "ResourceInUse",
		"Unable to delete Domain ["+arn+"] because UserProfile(s) and Space(s) are associated with it.")
	if _, err := f.SM.DeleteUserProfile(ctx, &sagemaker.DeleteUserProfileInput{DomainId: aws.String(id), UserProfileName: aws.String("alice")}); err != nil {
		t.Fatalf("DeleteUserProfile: %v", err)
	}
	_, err = f.SM.DeleteDomain(ctx, &sagemaker.DeleteDomainInput{DomainId: aws.String(id)})
	wantError(t, "DeleteDomain with a space", err, "ResourceInUse", "Unable to delete Domain ["+arn+"] because Space(s) are associated with it.")
	if _, err := f.SM.DeleteSpace(ctx, &sagemaker.DeleteSpaceInput{DomainId: aws.String(id), SpaceName: aws.String("shared")}); err != nil {
		t.Fatalf("DeleteSpace: %v", err)
	}
	if _, err := f.SM.DeleteDomain(ctx, &sagemaker.DeleteDomainInput{DomainId: aws.String(id), RetentionPolicy: &smtypes.RetentionPolicy{HomeEfsFileSystem: smtypes.RetentionTypeDelete}}); err != nil {
		t.Fatalf("DeleteDomain without profiles: %v", err)
	}
	_, err = f.SM.DescribeDomain(ctx, &sagemaker.DescribeDomainInput{DomainId: aws.String(id)})
	wantError(t, "DescribeDomain of a deleted domain", err, "ResourceNotFound", "Cannot find Domain with id "+id)
	_, err = f.SM.DeleteDomain(ctx, &sagemaker.DeleteDomainInput{DomainId: aws.String(id)})
	wantError(t, "DeleteDomain of a deleted domain", err, "ResourceNotFound", "Cannot find Domain with id "+id)
	if got := domainFreeAddresses(t, f, n.Subnets[0]); got != free {
		t.Errorf("after DeleteDomain with RetentionPolicy Delete the subnet has %d free addresses, want %d", got, free)
	}
	in := domainGroupNamed(t, f, n.VPC, "security-group-for-inbound-nfs-"+id)
	outb := domainGroupNamed(t, f, n.VPC, "security-group-for-outbound-nfs-"+id)
	if in == nil || outb == nil {
		t.Fatal("DeleteDomain removed the NFS groups, which AWS leaves in the VPC")
	}
	// Tearing the VPC down after Studio, as on AWS: the two groups name each other, so their rules go first.
	_, err = f.EC2.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: outb.GroupId})
	wantError(t, "DeleteSecurityGroup of the outbound NFS group while the inbound one names it", err, "DependencyViolation", "")
	if _, err := f.EC2.RevokeSecurityGroupIngress(ctx, &ec2.RevokeSecurityGroupIngressInput{GroupId: in.GroupId, IpPermissions: in.IpPermissions}); err != nil {
		t.Fatalf("RevokeSecurityGroupIngress of the inbound NFS group: %v", err)
	}
	if _, err := f.EC2.RevokeSecurityGroupEgress(ctx, &ec2.RevokeSecurityGroupEgressInput{GroupId: outb.GroupId, IpPermissions: outb.IpPermissionsEgress}); err != nil {
		t.Fatalf("RevokeSecurityGroupEgress of the outbound NFS group: %v", err)
	}
	for _, g := range []*ec2types.SecurityGroup{in, outb} {
		if _, err := f.EC2.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: g.GroupId}); err != nil {
			t.Errorf("DeleteSecurityGroup(%s) after revoking the NFS rules: %v", aws.ToString(g.GroupName), err)
		}
	}

	t.Run("Retain keeps the mount targets", func(t *testing.T) {
		kept := domainCreate(t, f.SM, domainInput("kept", n, role, true))
		if _, err := f.SM.DeleteDomain(ctx, &sagemaker.DeleteDomainInput{DomainId: aws.String(kept)}); err != nil {
			t.Fatal(err)
		}
		if got := domainFreeAddresses(t, f, n.Subnets[0]); got != free-1 {
			t.Errorf("after DeleteDomain retaining the file system the subnet has %d free addresses, want %d", got, free-1)
		}
	})
}

// TestDomainDescribeMissing covers the answers about a domain that never was.
func TestDomainDescribeMissing(t *testing.T) {
	f := start(t)
	_, err := f.SM.DescribeDomain(ctx, &sagemaker.DescribeDomainInput{DomainId: aws.String("d-000000000000")})
	wantError(t, "DescribeDomain of an unknown domain", err, "ResourceNotFound", "Cannot find Domain with id d-000000000000")
	_, err = f.SM.UpdateDomain(ctx, &sagemaker.UpdateDomainInput{DomainId: aws.String("d-000000000000"), TagPropagation: smtypes.TagPropagationEnabled})
	wantError(t, "UpdateDomain of an unknown domain", err, "ResourceNotFound", "Cannot find Domain with id d-000000000000")
}

// TestDomainUpdate covers what UpdateDomain changes and refuses.
func TestDomainUpdate(t *testing.T) {
	f := start(t)
	n := f.privateNetwork(t)
	role := f.executionRole(t, "exec")
	id := domainCreate(t, f.SM, domainInput("studio", n, role, true))
	arn := "arn:aws:sagemaker:us-east-1:" + account + ":domain/" + id

	second := f.executionRole(t, "exec-2")
	out, err := f.SM.UpdateDomain(ctx, &sagemaker.UpdateDomainInput{
		DomainId:            aws.String(id),
		DefaultUserSettings: &smtypes.UserSettings{ExecutionRole: aws.String(second), SecurityGroups: []string{n.Group}},
		TagPropagation:      smtypes.TagPropagationEnabled,
		SubnetIds:           n.Subnets[:1],
	})
	if err != nil {
		t.Fatalf("UpdateDomain: %v", err)
	}
	if aws.ToString(out.DomainArn) != arn {
		t.Errorf("UpdateDomain: DomainArn %q, want %q", aws.ToString(out.DomainArn), arn)
	}
	d := domainDescribe(t, f.SM, id)
	if aws.ToString(d.DefaultUserSettings.ExecutionRole) != second || d.TagPropagation != "ENABLED" || !slices.Equal(d.SubnetIds, n.Subnets[:1]) {
		t.Errorf("DescribeDomain after UpdateDomain: role %s, TagPropagation %s, subnets %v; want %s, ENABLED, %v",
			aws.ToString(d.DefaultUserSettings.ExecutionRole), d.TagPropagation, d.SubnetIds, second, n.Subnets[:1])
	}
	for i, sn := range n.Subnets {
		mts := 0
		for _, ni := range domainInterfaces(t, f, sn) {
			if strings.HasPrefix(aws.ToString(ni.Description), "EFS mount target for") {
				mts++
			}
		}
		if want := []int{1, 0}[i]; mts != want {
			t.Errorf("subnet %d holds %d mount targets after the update, want %d", i, mts, want)
		}
	}

	untrusting := f.role(t, "ec2-role", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)
	_, err = f.SM.UpdateDomain(ctx, &sagemaker.UpdateDomainInput{DomainId: aws.String(id), DefaultSpaceSettings: &smtypes.DefaultSpaceSettings{ExecutionRole: aws.String(untrusting)}})
	wantError(t, "UpdateDomain with a role that does not trust SageMaker", err, "ValidationException",
		"Could not assume role "+untrusting+". Please ensure that the role exists and allows principal 'sagemaker.amazonaws.com' to assume the role.")
	public := domainCreate(t, f.SM, domainInput("public", n, role, false))
	_, err = f.SM.UpdateDomain(ctx, &sagemaker.UpdateDomainInput{DomainId: aws.String(public), AppNetworkAccessType: smtypes.AppNetworkAccessTypeVpcOnly})
	wantError(t, "UpdateDomain to VpcOnly without groups", err, "ValidationException", "Security groups are required in DefaultUserSettings when AppNetworkAccessType is VpcOnly.")
	if _, err := f.SM.UpdateDomain(ctx, &sagemaker.UpdateDomainInput{DomainId: aws.String(public), AppNetworkAccessType: smtypes.AppNetworkAccessTypeVpcOnly,
		DefaultUserSettings: &smtypes.UserSettings{SecurityGroups: []string{n.Group}}}); err != nil {
		t.Errorf("UpdateDomain to VpcOnly with a group: %v", err)
	}
	if d := domainDescribe(t, f.SM, public); d.AppNetworkAccessType != "VpcOnly" || aws.ToString(d.DefaultUserSettings.ExecutionRole) != role {
		t.Errorf("DescribeDomain after an update of the groups only: %s, role %s; want VpcOnly, the role kept (%s)", d.AppNetworkAccessType, aws.ToString(d.DefaultUserSettings.ExecutionRole), role)
	}
	_, err = f.SM.UpdateDomain(ctx, &sagemaker.UpdateDomainInput{DomainId: aws.String(id), SubnetIds: []string{n.Subnets[0], "subnet-0123456789abcdef0"}})
	wantError(t, "UpdateDomain with a subnet that does not exist", err, "ValidationException", "ResourceNotFoundError: The subnet ID 'subnet-0123456789abcdef0' could not be found.…")

	t.Run("a user denied iam:PassRole", func(t *testing.T) {
		u := f.user(t, "updater", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sagemaker:UpdateDomain","Resource":"*"}]}`)
		_, err := u.SM.UpdateDomain(ctx, &sagemaker.UpdateDomainInput{DomainId: aws.String(id), DefaultUserSettings: &smtypes.UserSettings{ExecutionRole: aws.String(role), SecurityGroups: []string{n.Group}}})
		wantError(t, "UpdateDomain naming a role without iam:PassRole", err, "AccessDeniedException",
			"User: arn:aws:iam::"+account+":user/updater is not authorized to perform: iam:PassRole on resource: "+role+" because no identity-based policy allows the iam:PassRole action")
	})

	t.Run("apps running", func(t *testing.T) {
		if _, err := f.SM.CreateUserProfile(ctx, &sagemaker.CreateUserProfileInput{DomainId: aws.String(id), UserProfileName: aws.String("bob")}); err != nil {
			t.Fatalf("CreateUserProfile: %v", err)
		}
		if _, err := f.SM.CreateApp(ctx, &sagemaker.CreateAppInput{DomainId: aws.String(id), UserProfileName: aws.String("bob"), AppType: smtypes.AppTypeJupyterServer, AppName: aws.String("default")}); err != nil {
			t.Fatalf("CreateApp: %v", err)
		}
		for _, in := range []*sagemaker.UpdateDomainInput{
			{DomainId: aws.String(id), SubnetIds: n.Subnets},
			{DomainId: aws.String(id), AppNetworkAccessType: smtypes.AppNetworkAccessTypePublicInternetOnly},
		} {
			_, err := f.SM.UpdateDomain(ctx, in)
			wantError(t, "UpdateDomain of the network while an app runs", err, "ResourceInUse",
				"Unable to update Domain ["+arn+"] because App(s) are associated with it. Delete the apps before changing SubnetIds or AppNetworkAccessType.")
		}
		if _, err := f.SM.UpdateDomain(ctx, &sagemaker.UpdateDomainInput{DomainId: aws.String(id), TagPropagation: smtypes.TagPropagationDisabled}); err != nil {
			t.Errorf("UpdateDomain of TagPropagation while an app runs: %v", err)
		}
	})
}

// TestDomainLifecycle follows a domain's statuses on the clock: Pending, InService, Updating, Deleting, gone.
func TestDomainLifecycle(t *testing.T) {
	cfg := app.Defaults()
	cfg.Memory = true
	cfg.LifecycleScale = 1
	cfg.Log = slog.New(slog.DiscardHandler)
	f := startWith(t, cfg)
	n := f.privateNetwork(t)
	role := f.executionRole(t, "exec")
	id := domainCreate(t, f.SM, domainInput("studio", n, role, true))
	status := func() string { return string(domainDescribe(t, f.SM, id).Status) }

	if got := status(); got != "Pending" {
		t.Errorf("DescribeDomain right after CreateDomain: %s, want Pending", got)
	}
	_, err := f.SM.CreateUserProfile(ctx, &sagemaker.CreateUserProfileInput{DomainId: aws.String(id), UserProfileName: aws.String("early")})
	if err == nil {
		t.Error("CreateUserProfile in a Pending domain succeeded, want a refusal")
	}
	_, err = f.SM.UpdateDomain(ctx, &sagemaker.UpdateDomainInput{DomainId: aws.String(id), TagPropagation: smtypes.TagPropagationEnabled})
	wantError(t, "UpdateDomain of a Pending domain", err, "ResourceInUse", "Domain [arn:aws:sagemaker:us-east-1:"+account+":domain/"+id+"] is in status Pending and cannot be updated.")
	f.Advance(3 * time.Minute)
	if got := status(); got != "InService" {
		t.Errorf("DescribeDomain three minutes after CreateDomain: %s, want InService", got)
	}
	before := domainDescribe(t, f.SM, id).LastModifiedTime
	if _, err := f.SM.UpdateDomain(ctx, &sagemaker.UpdateDomainInput{DomainId: aws.String(id), TagPropagation: smtypes.TagPropagationEnabled}); err != nil {
		t.Fatalf("UpdateDomain: %v", err)
	}
	if d := domainDescribe(t, f.SM, id); d.Status != "Updating" || !d.LastModifiedTime.After(*before) {
		t.Errorf("DescribeDomain right after UpdateDomain: %s, modified %v, want Updating, modified after %v", d.Status, d.LastModifiedTime, before)
	}
	f.Advance(time.Minute)
	if got := status(); got != "InService" {
		t.Errorf("DescribeDomain a minute after UpdateDomain: %s, want InService", got)
	}
	if _, err := f.SM.DeleteDomain(ctx, &sagemaker.DeleteDomainInput{DomainId: aws.String(id)}); err != nil {
		t.Fatalf("DeleteDomain: %v", err)
	}
	if got := status(); got != "Deleting" {
		t.Errorf("DescribeDomain right after DeleteDomain: %s, want Deleting", got)
	}
	l, err := f.SM.ListDomains(ctx, &sagemaker.ListDomainsInput{})
	if err != nil || len(l.Domains) != 1 || l.Domains[0].Status != "Deleting" {
		t.Errorf("ListDomains while deleting = %+v, %v; want the domain, Deleting", l, err)
	}
	f.Advance(2 * time.Minute)
	_, err = f.SM.DescribeDomain(ctx, &sagemaker.DescribeDomainInput{DomainId: aws.String(id)})
	wantError(t, "DescribeDomain after the deletion ended", err, "ResourceNotFound", "Cannot find Domain with id "+id)
	if l, err := f.SM.ListDomains(ctx, &sagemaker.ListDomainsInput{}); err != nil || len(l.Domains) != 0 {
		t.Errorf("ListDomains after the deletion ended = %+v, %v; want none", l, err)
	}
}

// TestDomainListAndQuota covers ListDomains' pages and the account's domain quota.
func TestDomainListAndQuota(t *testing.T) {
	cfg := app.Defaults()
	cfg.Memory = true
	cfg.LifecycleScale = 0
	cfg.Log = slog.New(slog.DiscardHandler)
	f := startWith(t, cfg)
	n := f.privateNetwork(t)
	role := f.executionRole(t, "exec")
	var made []string
	for i := range 20 {
		made = append(made, domainCreate(t, f.SM, domainInput(fmt.Sprintf("d%02d", i), n, role, false)))
		f.Advance(time.Second) // distinct creation times
	}
	_, err := f.SM.CreateDomain(ctx, domainInput("one-too-many", n, role, false))
	wantError(t, "CreateDomain over the quota", err, "ResourceLimitExceeded",
		"The account-level service limit 'Total domains' is 20 Domains, with current utilization of 20 Domains and a request delta of 1 Domains. Please contact AWS support to request an increase for this limit.")

	var got []string
	var token *string
	pages := 0
	for {
		out, err := f.SM.ListDomains(ctx, &sagemaker.ListDomainsInput{MaxResults: aws.Int32(7), NextToken: token})
		if err != nil {
			t.Fatalf("ListDomains page %d: %v", pages+1, err)
		}
		pages++
		for _, d := range out.Domains {
			got = append(got, aws.ToString(d.DomainId))
		}
		if token = out.NextToken; token == nil {
			break
		}
	}
	want := slices.Clone(made)
	slices.Reverse(want) // newest first
	if pages != 3 || !slices.Equal(got, want) {
		t.Errorf("ListDomains by 7 = %d pages %v, want 3 pages %v", pages, got, want)
	}
	def, err := f.SM.ListDomains(ctx, &sagemaker.ListDomainsInput{})
	if err != nil || len(def.Domains) != 10 || def.NextToken == nil {
		t.Errorf("ListDomains without MaxResults = %d domains, token %v, %v; want 10 and a token", len(def.Domains), def.NextToken, err)
	}
	_, err = f.SM.ListDomains(ctx, &sagemaker.ListDomainsInput{NextToken: aws.String("not a token!")})
	wantError(t, "ListDomains with a token sagebox did not make", err, "ValidationException", "Invalid pagination token: not a token!")
}

// TestDomainAuthModes: an SSO domain shows its IAM Identity Center application, an IAM domain none.
func TestDomainAuthModes(t *testing.T) {
	f := start(t)
	n := f.privateNetwork(t)
	role := f.executionRole(t, "exec")
	iamDomain := domainDescribe(t, f.SM, domainCreate(t, f.SM, domainInput("iam", n, role, false)))
	if iamDomain.SingleSignOnManagedApplicationInstanceId != nil || iamDomain.SingleSignOnApplicationArn != nil {
		t.Errorf("DescribeDomain of an IAM domain shows SSO members %v, %v; want none",
			aws.ToString(iamDomain.SingleSignOnManagedApplicationInstanceId), aws.ToString(iamDomain.SingleSignOnApplicationArn))
	}
	in := domainInput("sso", n, role, false)
	in.AuthMode = smtypes.AuthModeSso
	sso := domainDescribe(t, f.SM, domainCreate(t, f.SM, in))
	if sso.AuthMode != "SSO" || !strings.HasPrefix(aws.ToString(sso.SingleSignOnManagedApplicationInstanceId), "ins-") ||
		!strings.HasPrefix(aws.ToString(sso.SingleSignOnApplicationArn), "arn:aws:sso::"+account+":application/") {
		t.Errorf("DescribeDomain of an SSO domain: AuthMode %s, instance %q, application %q; want SSO with both",
			sso.AuthMode, aws.ToString(sso.SingleSignOnManagedApplicationInstanceId), aws.ToString(sso.SingleSignOnApplicationArn))
	}
}
