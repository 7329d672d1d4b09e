package sagemaker_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/aws/smithy-go"

	"github.com/sagebox/sagebox/internal/app"
)

// appStudio is what the app tests run in: the seed documents' private network, an execution role, a VpcOnly domain
// and a user profile "Alice" (upper case, to see names lower-cased in ARNs).
type appStudio struct {
	net     network
	role    string
	domain  string
	profile string
}

// appDomain makes a domain in the network, with the settings opts adds.
func (f *fixture) appDomain(t testing.TB, n network, role string, opts ...func(*sagemaker.CreateDomainInput)) string {
	t.Helper()
	in := &sagemaker.CreateDomainInput{
		DomainName:           aws.String("studio"),
		AuthMode:             smtypes.AuthModeIam,
		VpcId:                aws.String(n.VPC),
		SubnetIds:            n.Subnets,
		AppNetworkAccessType: smtypes.AppNetworkAccessTypeVpcOnly,
		DefaultUserSettings:  &smtypes.UserSettings{ExecutionRole: aws.String(role), SecurityGroups: []string{n.Group}},
	}
	for _, o := range opts {
		o(in)
	}
	out, err := f.SM.CreateDomain(ctx, in)
	if err != nil {
		t.Fatalf("CreateDomain: %v", err)
	}
	id, _, _ := strings.Cut(aws.ToString(out.DomainArn)[strings.LastIndex(aws.ToString(out.DomainArn), "/")+1:], "/")
	return id
}

func (f *fixture) appProfile(t testing.TB, domainID, name string, tags ...smtypes.Tag) {
	t.Helper()
	if _, err := f.SM.CreateUserProfile(ctx, &sagemaker.CreateUserProfileInput{DomainId: aws.String(domainID), UserProfileName: aws.String(name), Tags: tags}); err != nil {
		t.Fatalf("CreateUserProfile(%s): %v", name, err)
	}
}

func (f *fixture) appStudio(t testing.TB, opts ...func(*sagemaker.CreateDomainInput)) appStudio {
	t.Helper()
	s := appStudio{net: f.privateNetwork(t), role: f.executionRole(t, "studio-execution"), profile: "Alice"}
	s.domain = f.appDomain(t, s.net, s.role, opts...)
	f.appProfile(t, s.domain, s.profile)
	return s
}

// appSpace makes a private space of the profile for apps of the type; it skips the test while CreateSpace is not
// served yet.
func (f *fixture) appSpace(t testing.TB, s appStudio, name, appType string) {
	t.Helper()
	_, err := f.SM.CreateSpace(ctx, &sagemaker.CreateSpaceInput{
		DomainId: aws.String(s.domain), SpaceName: aws.String(name),
		OwnershipSettings:    &smtypes.OwnershipSettings{OwnerUserProfileName: aws.String(s.profile)},
		SpaceSharingSettings: &smtypes.SpaceSharingSettings{SharingType: smtypes.SharingTypePrivate},
		SpaceSettings:        &smtypes.SpaceSettings{AppType: smtypes.AppType(appType)},
	})
	var ae smithy.APIError
	if errors.As(err, &ae) && strings.Contains(ae.ErrorCode(), "NotImplemented") {
		t.Skipf("CreateSpace is not served yet: %v", err)
	}
	if err != nil {
		t.Fatalf("CreateSpace(%s): %v", name, err)
	}
}

func appARN(domainID, owner, appType, name string) string {
	return "arn:aws:sagemaker:us-east-1:" + account + ":app/" + domainID + "/" + strings.ToLower(owner) + "/" + strings.ToLower(appType) + "/" + strings.ToLower(name)
}

func (f *fixture) describeApp(t testing.TB, domainID, profile, space, appType, name string) *sagemaker.DescribeAppOutput {
	t.Helper()
	in := &sagemaker.DescribeAppInput{DomainId: aws.String(domainID), AppType: smtypes.AppType(appType), AppName: aws.String(name)}
	if profile != "" {
		in.UserProfileName = aws.String(profile)
	}
	if space != "" {
		in.SpaceName = aws.String(space)
	}
	out, err := f.SM.DescribeApp(ctx, in)
	if err != nil {
		t.Fatalf("DescribeApp(%s %s): %v", appType, name, err)
	}
	return out
}

func TestAppsDefaultJupyterServerForProfile(t *testing.T) {
	f := start(t)
	s := f.appStudio(t)
	out, err := f.SM.CreateApp(ctx, &sagemaker.CreateAppInput{
		DomainId: aws.String(s.domain), UserProfileName: aws.String(s.profile), AppType: smtypes.AppTypeJupyterServer, AppName: aws.String("default"),
	})
	if err != nil {
		t.Fatalf("CreateApp: %v", err)
	}
	want := appARN(s.domain, s.profile, "JupyterServer", "default")
	if got := aws.ToString(out.AppArn); got != want {
		t.Errorf("CreateApp AppArn = %s, want %s (names lower-cased)", got, want)
	}
	d := f.describeApp(t, s.domain, s.profile, "", "JupyterServer", "default")
	checks := []struct{ what, got, want string }{
		{"AppArn", aws.ToString(d.AppArn), want},
		{"AppType", string(d.AppType), "JupyterServer"},
		{"AppName", aws.ToString(d.AppName), "default"},
		{"DomainId", aws.ToString(d.DomainId), s.domain},
		{"UserProfileName", aws.ToString(d.UserProfileName), s.profile},
		{"SpaceName", aws.ToString(d.SpaceName), ""},
		{"Status", string(d.Status), "InService"},
		{"ResourceSpec.InstanceType", string(d.ResourceSpec.InstanceType), "system"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("DescribeApp %s = %q, want %q", c.what, c.got, c.want)
		}
	}
	if d.CreationTime == nil || d.LastHealthCheckTimestamp == nil || d.LastUserActivityTimestamp == nil {
		t.Errorf("DescribeApp times = %v, %v, %v, want CreationTime, LastHealthCheckTimestamp and LastUserActivityTimestamp", d.CreationTime, d.LastHealthCheckTimestamp, d.LastUserActivityTimestamp)
	}
	if d.FailureReason != nil {
		t.Errorf("DescribeApp FailureReason = %q, want none", *d.FailureReason)
	}
}

func TestAppsKernelGatewayInstanceTypes(t *testing.T) {
	f := start(t)
	s := f.appStudio(t)
	cases := []struct {
		name string
		spec *smtypes.ResourceSpec
		want string
	}{
		{"named", &smtypes.ResourceSpec{InstanceType: smtypes.AppInstanceTypeMlM5Large}, "ml.m5.large"},
		// The API Reference: "For KernelGateway apps, the system value is translated to ml.t3.medium."
		{"system", &smtypes.ResourceSpec{InstanceType: smtypes.AppInstanceTypeSystem}, "ml.t3.medium"},
		{"unsaid", nil, "ml.t3.medium"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.SM.CreateApp(ctx, &sagemaker.CreateAppInput{
				DomainId: aws.String(s.domain), UserProfileName: aws.String(s.profile), AppType: smtypes.AppTypeKernelGateway,
				AppName: aws.String("kg-" + c.name), ResourceSpec: c.spec,
			})
			if err != nil {
				t.Fatalf("CreateApp: %v", err)
			}
			d := f.describeApp(t, s.domain, s.profile, "", "KernelGateway", "kg-"+c.name)
			if got := string(d.ResourceSpec.InstanceType); got != c.want {
				t.Errorf("DescribeApp InstanceType = %s, want %s", got, c.want)
			}
		})
	}
}

func TestAppsKernelGatewayTakesTheProfilesDefault(t *testing.T) {
	f := start(t)
	s := f.appStudio(t, func(in *sagemaker.CreateDomainInput) {
		in.DefaultUserSettings.KernelGatewayAppSettings = &smtypes.KernelGatewayAppSettings{
			DefaultResourceSpec: &smtypes.ResourceSpec{InstanceType: smtypes.AppInstanceTypeMlC5Large},
		}
	})
	if _, err := f.SM.CreateApp(ctx, &sagemaker.CreateAppInput{
		DomainId: aws.String(s.domain), UserProfileName: aws.String(s.profile), AppType: smtypes.AppTypeKernelGateway, AppName: aws.String("kg"),
	}); err != nil {
		t.Fatalf("CreateApp: %v", err)
	}
	if got := string(f.describeApp(t, s.domain, s.profile, "", "KernelGateway", "kg").ResourceSpec.InstanceType); got != "ml.c5.large" {
		t.Errorf("DescribeApp InstanceType = %s, want the domain's default ml.c5.large", got)
	}
}

func TestAppsJupyterLabInSpace(t *testing.T) {
	f := start(t)
	s := f.appStudio(t)
	f.appSpace(t, s, "Lab", "JupyterLab")
	out, err := f.SM.CreateApp(ctx, &sagemaker.CreateAppInput{
		DomainId: aws.String(s.domain), SpaceName: aws.String("Lab"), AppType: smtypes.AppTypeJupyterLab, AppName: aws.String("default"),
		ResourceSpec: &smtypes.ResourceSpec{InstanceType: smtypes.AppInstanceTypeMlT3Medium},
	})
	if err != nil {
		t.Fatalf("CreateApp: %v", err)
	}
	if got, want := aws.ToString(out.AppArn), appARN(s.domain, "lab", "JupyterLab", "default"); got != want {
		t.Errorf("CreateApp AppArn = %s, want %s", got, want)
	}
	d := f.describeApp(t, s.domain, "", "Lab", "JupyterLab", "default")
	if aws.ToString(d.SpaceName) != "Lab" || d.UserProfileName != nil || d.Status != smtypes.AppStatusInService {
		t.Errorf("DescribeApp = space %q, profile %v, status %s; want space Lab, no profile, InService", aws.ToString(d.SpaceName), d.UserProfileName, d.Status)
	}
	// A space runs one app at a time.
	_, err = f.SM.CreateApp(ctx, &sagemaker.CreateAppInput{
		DomainId: aws.String(s.domain), SpaceName: aws.String("Lab"), AppType: smtypes.AppTypeJupyterLab, AppName: aws.String("second"),
	})
	wantError(t, "a second app in the space", err, "ResourceInUse", "Space [arn:aws:sagemaker:us-east-1:"+account+":space/"+s.domain+"/lab] already has an app …")
	// The space's app type is JupyterLab.
	_, err = f.SM.CreateApp(ctx, &sagemaker.CreateAppInput{
		DomainId: aws.String(s.domain), SpaceName: aws.String("Lab"), AppType: smtypes.AppTypeCodeEditor, AppName: aws.String("default"),
	})
	wantError(t, "a CodeEditor app in a JupyterLab space", err, "ValidationException", "App type CodeEditor does not match the Space's app type JupyterLab.")
	// The space's owner and sharing type are condition keys: a user allowed apps only in Alice's private spaces.
	f.appProfile(t, s.domain, "bob")
	f.appSpace(t, appStudio{domain: s.domain, profile: "bob"}, "BobsLab", "CodeEditor")
	aliceARN := "arn:aws:sagemaker:us-east-1:" + account + ":user-profile/" + s.domain + "/alice"
	user := f.user(t, "alice-user", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sagemaker:CreateApp","sagemaker:DeleteApp"],"Resource":"*",
		"Condition":{"StringEquals":{"sagemaker:OwnerUserProfileArn":"`+aliceARN+`","sagemaker:SpaceSharingType":"Private"}}}]}`)
	_, err = user.SM.CreateApp(ctx, &sagemaker.CreateAppInput{
		DomainId: aws.String(s.domain), SpaceName: aws.String("BobsLab"), AppType: smtypes.AppTypeCodeEditor, AppName: aws.String("default"),
	})
	wantError(t, "CreateApp in Bob's space by a user allowed only Alice's", err, "AccessDeniedException", "User: arn:aws:iam::"+account+
		":user/alice-user is not authorized to perform: sagemaker:CreateApp on resource: "+appARN(s.domain, "BobsLab", "CodeEditor", "default")+
		" because no identity-based policy allows the sagemaker:CreateApp action")
	if _, err := user.SM.DeleteApp(ctx, &sagemaker.DeleteAppInput{
		DomainId: aws.String(s.domain), SpaceName: aws.String("Lab"), AppType: smtypes.AppTypeJupyterLab, AppName: aws.String("default"),
	}); err != nil {
		t.Errorf("DeleteApp in Alice's space by a user allowed Alice's: %v", err)
	}
	_, err = f.SM.CreateApp(ctx, &sagemaker.CreateAppInput{
		DomainId: aws.String(s.domain), SpaceName: aws.String("Nowhere"), AppType: smtypes.AppTypeJupyterLab, AppName: aws.String("default"),
	})
	wantError(t, "an app in a space that does not exist", err, "ResourceNotFound", "Space [arn:aws:sagemaker:us-east-1:"+account+":space/"+s.domain+"/nowhere] does not exist.")
}

func TestAppsRefusals(t *testing.T) {
	f := start(t)
	s := f.appStudio(t)
	if _, err := f.SM.CreateApp(ctx, &sagemaker.CreateAppInput{
		DomainId: aws.String(s.domain), UserProfileName: aws.String(s.profile), AppType: smtypes.AppTypeJupyterServer, AppName: aws.String("default"),
	}); err != nil {
		t.Fatalf("CreateApp: %v", err)
	}
	profileARN := "arn:aws:sagemaker:us-east-1:" + account + ":user-profile/" + s.domain + "/ghost"
	cases := []struct {
		name          string
		in            sagemaker.CreateAppInput
		code, message string
	}{
		{"neither profile nor space", sagemaker.CreateAppInput{AppType: smtypes.AppTypeKernelGateway, AppName: aws.String("kg")},
			"ValidationException", "Either UserProfileName or SpaceName must be passed for CreateApp operation."},
		{"both profile and space", sagemaker.CreateAppInput{UserProfileName: aws.String(s.profile), SpaceName: aws.String("x"), AppType: smtypes.AppTypeKernelGateway, AppName: aws.String("kg")},
			"ValidationException", "Only one of UserProfileName or SpaceName can be passed for CreateApp operation."},
		{"JupyterServer on an instance", sagemaker.CreateAppInput{UserProfileName: aws.String("Alice"), AppType: smtypes.AppTypeJupyterServer, AppName: aws.String("default"),
			ResourceSpec: &smtypes.ResourceSpec{InstanceType: smtypes.AppInstanceTypeMlT3Medium}},
			"ValidationException", "Invalid instance type 'ml.t3.medium' for JupyterServer App. Only 'system' instance type is supported"},
		{"JupyterServer not named default", sagemaker.CreateAppInput{UserProfileName: aws.String(s.profile), AppType: smtypes.AppTypeJupyterServer, AppName: aws.String("mine")},
			"ValidationException", "The JupyterServer app must be named 'default'."},
		{"JupyterLab for a profile", sagemaker.CreateAppInput{UserProfileName: aws.String(s.profile), AppType: smtypes.AppTypeJupyterLab, AppName: aws.String("default")},
			"ValidationException", "App type JupyterLab is not supported for a UserProfile. JupyterLab apps run in a space."},
		{"a profile that does not exist", sagemaker.CreateAppInput{UserProfileName: aws.String("ghost"), AppType: smtypes.AppTypeKernelGateway, AppName: aws.String("kg")},
			"ResourceNotFound", "UserProfile [" + profileARN + "] does not exist."},
		{"the same app again", sagemaker.CreateAppInput{UserProfileName: aws.String("alice"), AppType: smtypes.AppTypeJupyterServer, AppName: aws.String("default")},
			"ResourceInUse", "App [" + appARN(s.domain, s.profile, "JupyterServer", "default") + "] already exists."},
		{"a reserved tag key", sagemaker.CreateAppInput{UserProfileName: aws.String(s.profile), AppType: smtypes.AppTypeKernelGateway, AppName: aws.String("kg"),
			Tags: []smtypes.Tag{{Key: aws.String("AWS:team"), Value: aws.String("ml")}}},
			"ValidationException", "Tag keys starting with 'aws:' are reserved for internal use"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := c.in
			in.DomainId = aws.String(s.domain)
			_, err := f.SM.CreateApp(ctx, &in)
			wantError(t, "CreateApp", err, c.code, c.message)
		})
	}
	t.Run("a domain that does not exist", func(t *testing.T) {
		_, err := f.SM.CreateApp(ctx, &sagemaker.CreateAppInput{
			DomainId: aws.String("d-000000000000"), UserProfileName: aws.String(s.profile), AppType: smtypes.AppTypeKernelGateway, AppName: aws.String("kg"),
		})
		wantError(t, "CreateApp", err, "ResourceNotFound", "")
	})
	t.Run("describe and delete an app that does not exist", func(t *testing.T) {
		missing := appARN(s.domain, s.profile, "KernelGateway", "nothing")
		_, err := f.SM.DescribeApp(ctx, &sagemaker.DescribeAppInput{
			DomainId: aws.String(s.domain), UserProfileName: aws.String(s.profile), AppType: smtypes.AppTypeKernelGateway, AppName: aws.String("nothing"),
		})
		wantError(t, "DescribeApp", err, "ResourceNotFound", "App ["+missing+"] does not exist.")
		_, err = f.SM.DeleteApp(ctx, &sagemaker.DeleteAppInput{
			DomainId: aws.String(s.domain), UserProfileName: aws.String(s.profile), AppType: smtypes.AppTypeKernelGateway, AppName: aws.String("nothing"),
		})
		wantError(t, "DeleteApp", err, "ResourceNotFound", "App ["+missing+"] does not exist.")
		_, err = f.SM.DescribeApp(ctx, &sagemaker.DescribeAppInput{
			DomainId: aws.String(s.domain), AppType: smtypes.AppTypeKernelGateway, AppName: aws.String("nothing"),
		})
		wantError(t, "DescribeApp without an owner", err, "ValidationException", "Either UserProfileName or SpaceName must be passed for DescribeApp operation.")
	})
}

// appInterfaces returns the network interfaces SageMaker made for Studio apps in the VPC.
func (f *fixture) appInterfaces(t testing.TB, vpc string) []ec2types.NetworkInterface {
	t.Helper()
	out, err := f.EC2.DescribeNetworkInterfaces(ctx, &ec2.DescribeNetworkInterfacesInput{
		Filters: []ec2types.Filter{{Name: aws.String("vpc-id"), Values: []string{vpc}}},
	})
	if err != nil {
		t.Fatalf("DescribeNetworkInterfaces: %v", err)
	}
	var apps []ec2types.NetworkInterface
	for _, n := range out.NetworkInterfaces {
		if strings.HasPrefix(aws.ToString(n.Description), "[DO NOT DELETE] ENI managed by SageMaker for Studio Domain(") {
			apps = append(apps, n)
		}
	}
	return apps
}

// appFreeAddresses returns the subnets' AvailableIpAddressCount.
func (f *fixture) appFreeAddresses(t testing.TB, subnets []string) map[string]int32 {
	t.Helper()
	out, err := f.EC2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{SubnetIds: subnets})
	if err != nil {
		t.Fatalf("DescribeSubnets: %v", err)
	}
	m := map[string]int32{}
	for _, sn := range out.Subnets {
		m[aws.ToString(sn.SubnetId)] = aws.ToInt32(sn.AvailableIpAddressCount)
	}
	return m
}

func TestAppsHoldANetworkInterface(t *testing.T) {
	f := start(t)
	s := f.appStudio(t)
	before := f.appFreeAddresses(t, s.net.Subnets)
	if _, err := f.SM.CreateApp(ctx, &sagemaker.CreateAppInput{
		DomainId: aws.String(s.domain), UserProfileName: aws.String(s.profile), AppType: smtypes.AppTypeJupyterServer, AppName: aws.String("default"),
	}); err != nil {
		t.Fatalf("CreateApp: %v", err)
	}
	enis := f.appInterfaces(t, s.net.VPC)
	if len(enis) != 1 {
		t.Fatalf("the VPC holds %d Studio app interfaces after CreateApp, want 1", len(enis))
	}
	n := enis[0]
	wantDesc := "[DO NOT DELETE] ENI managed by SageMaker for Studio Domain(" + s.domain + ") - "
	if !aws.ToBool(n.RequesterManaged) || !strings.HasPrefix(aws.ToString(n.Description), wantDesc) {
		t.Errorf("the app's interface is RequesterManaged %v, described %q; want requester-managed, described %q…", aws.ToBool(n.RequesterManaged), aws.ToString(n.Description), wantDesc)
	}
	hasGroup := false
	for _, g := range n.Groups {
		hasGroup = hasGroup || aws.ToString(g.GroupId) == s.net.Group
	}
	// The domain's group and the outbound NFS group SageMaker made for the domain's home file system.
	if !hasGroup || len(n.Groups) != 2 {
		t.Errorf("the app's interface has %d groups (%v), want 2: the domain's %s and SageMaker's NFS group", len(n.Groups), n.Groups, s.net.Group)
	}
	during := f.appFreeAddresses(t, s.net.Subnets)
	sub := aws.ToString(n.SubnetId)
	if during[sub] != before[sub]-1 {
		t.Errorf("subnet %s has %d free addresses with the app running, want %d", sub, during[sub], before[sub]-1)
	}

	if _, err := f.SM.DeleteApp(ctx, &sagemaker.DeleteAppInput{
		DomainId: aws.String(s.domain), UserProfileName: aws.String(s.profile), AppType: smtypes.AppTypeJupyterServer, AppName: aws.String("default"),
	}); err != nil {
		t.Fatalf("DeleteApp: %v", err)
	}
	if enis := f.appInterfaces(t, s.net.VPC); len(enis) != 0 {
		t.Errorf("the VPC holds %d Studio app interfaces after DeleteApp, want 0", len(enis))
	}
	after := f.appFreeAddresses(t, s.net.Subnets)
	if after[sub] != before[sub] {
		t.Errorf("subnet %s has %d free addresses after DeleteApp, want %d again", sub, after[sub], before[sub])
	}
	// A Deleted app stays describable for a while, with Status Deleted.
	if st := f.describeApp(t, s.domain, s.profile, "", "JupyterServer", "default").Status; st != smtypes.AppStatusDeleted {
		t.Errorf("DescribeApp after DeleteApp: Status %s, want Deleted", st)
	}
	_, err := f.SM.DeleteApp(ctx, &sagemaker.DeleteAppInput{
		DomainId: aws.String(s.domain), UserProfileName: aws.String(s.profile), AppType: smtypes.AppTypeJupyterServer, AppName: aws.String("default"),
	})
	wantError(t, "DeleteApp of a Deleted app", err, "ResourceNotFound", "")
	// A Deleted app is replaced by a new one of the same name.
	if _, err := f.SM.CreateApp(ctx, &sagemaker.CreateAppInput{
		DomainId: aws.String(s.domain), UserProfileName: aws.String(s.profile), AppType: smtypes.AppTypeJupyterServer, AppName: aws.String("default"),
	}); err != nil {
		t.Fatalf("CreateApp after DeleteApp: %v", err)
	}
	if st := f.describeApp(t, s.domain, s.profile, "", "JupyterServer", "default").Status; st != smtypes.AppStatusInService {
		t.Errorf("DescribeApp of the new app: Status %s, want InService", st)
	}
}

func TestAppsFailWhenTheSubnetIsFull(t *testing.T) {
	f := start(t)
	v, err := f.EC2.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.9.0.0/16")})
	if err != nil {
		t.Fatal(err)
	}
	// A /28 has 16 addresses, 5 of which AWS reserves.
	sn, err := f.EC2.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: v.Vpc.VpcId, CidrBlock: aws.String("10.9.0.0/28"), AvailabilityZone: aws.String("us-east-1a")})
	if err != nil {
		t.Fatal(err)
	}
	subnet := aws.ToString(sn.Subnet.SubnetId)
	role := f.executionRole(t, "studio-execution")
	domainID := f.appDomain(t, network{VPC: aws.ToString(v.Vpc.VpcId), Subnets: []string{subnet}}, role, func(in *sagemaker.CreateDomainInput) {
		in.AppNetworkAccessType = smtypes.AppNetworkAccessTypePublicInternetOnly
		in.DefaultUserSettings.SecurityGroups = nil
	})
	f.appProfile(t, domainID, "alice")
	// Fill what the domain left free.
	for free := f.appFreeAddresses(t, []string{subnet})[subnet]; free > 0; free-- {
		if _, err := f.EC2.CreateNetworkInterface(ctx, &ec2.CreateNetworkInterfaceInput{SubnetId: aws.String(subnet)}); err != nil {
			t.Fatalf("CreateNetworkInterface: %v", err)
		}
	}
	if _, err := f.SM.CreateApp(ctx, &sagemaker.CreateAppInput{
		DomainId: aws.String(domainID), UserProfileName: aws.String("alice"), AppType: smtypes.AppTypeJupyterServer, AppName: aws.String("default"),
	}); err != nil {
		t.Fatalf("CreateApp in a full subnet: %v, want the call to succeed and the app to fail", err)
	}
	d := f.describeApp(t, domainID, "alice", "", "JupyterServer", "default")
	if d.Status != smtypes.AppStatusFailed || aws.ToString(d.FailureReason) == "" {
		t.Errorf("DescribeApp of an app in a full subnet: Status %s, FailureReason %q; want Failed with a reason", d.Status, aws.ToString(d.FailureReason))
	}
	// A Failed app does not keep a new one of its name from starting.
	_, err = f.SM.CreateApp(ctx, &sagemaker.CreateAppInput{
		DomainId: aws.String(domainID), UserProfileName: aws.String("alice"), AppType: smtypes.AppTypeJupyterServer, AppName: aws.String("default"),
	})
	if err != nil {
		t.Errorf("CreateApp over a Failed app: %v, want it to replace the Failed one", err)
	}
}

// appClockSigner signs requests with the server's clock, so that a client keeps working after a test moves that
// clock forward by more than the 15 minutes of skew a signature may have.
type appClockSigner struct {
	f      *fixture
	signer *v4.Signer
}

func (s appClockSigner) SignHTTP(ctx context.Context, credentials aws.Credentials, r *http.Request, payloadHash, service, region string, _ time.Time, optFns ...func(*v4.SignerOptions)) error {
	return s.signer.SignHTTP(ctx, credentials, r, payloadHash, service, region, s.f.Now(), optFns...)
}

func TestAppsLifecycle(t *testing.T) {
	cfg := app.Defaults()
	cfg.Memory = true
	cfg.LifecycleScale = 1
	cfg.Log = slog.New(slog.DiscardHandler)
	f := startWith(t, cfg)
	f.SM = sagemaker.NewFromConfig(f.Config("test", "test", ""), func(o *sagemaker.Options) {
		o.HTTPSignerV4 = appClockSigner{f: f, signer: v4.NewSigner()}
	})
	// The domain and the profile start first.
	s := appStudio{net: f.privateNetwork(t), role: f.executionRole(t, "studio-execution"), profile: "Alice"}
	s.domain = f.appDomain(t, s.net, s.role)
	f.Advance(time.Hour)
	f.appProfile(t, s.domain, s.profile)
	f.Advance(time.Hour)
	key := func() (string, string, string, string) { return s.domain, s.profile, "", "JupyterServer" }
	if _, err := f.SM.CreateApp(ctx, &sagemaker.CreateAppInput{
		DomainId: aws.String(s.domain), UserProfileName: aws.String(s.profile), AppType: smtypes.AppTypeJupyterServer, AppName: aws.String("default"),
	}); err != nil {
		t.Fatalf("CreateApp: %v", err)
	}
	status := func() smtypes.AppStatus {
		d, p, sp, ty := key()
		return f.describeApp(t, d, p, sp, ty, "default").Status
	}
	steps := []struct {
		name    string
		advance time.Duration
		delete  bool
		want    smtypes.AppStatus
	}{
		{"just created", 0, false, smtypes.AppStatusPending},
		{"started", 3 * time.Minute, false, smtypes.AppStatusInService},
		{"deleting", 0, true, smtypes.AppStatusDeleting},
		{"deleting, deleted again", 0, true, smtypes.AppStatusDeleting},
		{"deleted", 2 * time.Minute, false, smtypes.AppStatusDeleted},
		{"still describable an hour later", time.Hour, false, smtypes.AppStatusDeleted},
	}
	deletes := 0
	for _, st := range steps {
		f.Advance(st.advance)
		if st.delete {
			deletes++
			_, err := f.SM.DeleteApp(ctx, &sagemaker.DeleteAppInput{
				DomainId: aws.String(s.domain), UserProfileName: aws.String(s.profile), AppType: smtypes.AppTypeJupyterServer, AppName: aws.String("default"),
			})
			if deletes == 1 && err != nil {
				t.Fatalf("DeleteApp: %v", err)
			}
			if deletes > 1 {
				wantError(t, "DeleteApp of a Deleting app", err, "ResourceInUse", "App ["+appARN(s.domain, s.profile, "JupyterServer", "default")+"] is already being deleted.")
			}
		}
		if got := status(); got != st.want {
			t.Errorf("%s: Status %s, want %s", st.name, got, st.want)
		}
	}
	list, err := f.SM.ListApps(ctx, &sagemaker.ListAppsInput{DomainIdEquals: aws.String(s.domain)})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Apps) != 1 || list.Apps[0].Status != smtypes.AppStatusDeleted {
		t.Errorf("ListApps of a Deleted app = %d apps, want the one app, Deleted", len(list.Apps))
	}
	f.Advance(24 * time.Hour)
	_, err = f.SM.DescribeApp(ctx, &sagemaker.DescribeAppInput{
		DomainId: aws.String(s.domain), UserProfileName: aws.String(s.profile), AppType: smtypes.AppTypeJupyterServer, AppName: aws.String("default"),
	})
	wantError(t, "DescribeApp a day after deletion", err, "ResourceNotFound", "")
	list, err = f.SM.ListApps(ctx, &sagemaker.ListAppsInput{DomainIdEquals: aws.String(s.domain)})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Apps) != 0 {
		t.Errorf("ListApps a day after deletion = %d apps, want none", len(list.Apps))
	}
}

func TestAppsList(t *testing.T) {
	f := start(t)
	s := f.appStudio(t)
	f.appProfile(t, s.domain, "bob")
	names := []string{"a1", "a2", "a3", "a4"}
	for _, n := range names {
		if _, err := f.SM.CreateApp(ctx, &sagemaker.CreateAppInput{
			DomainId: aws.String(s.domain), UserProfileName: aws.String(s.profile), AppType: smtypes.AppTypeKernelGateway, AppName: aws.String(n),
		}); err != nil {
			t.Fatalf("CreateApp(%s): %v", n, err)
		}
		time.Sleep(2 * time.Millisecond) // distinct creation times
	}
	if _, err := f.SM.CreateApp(ctx, &sagemaker.CreateAppInput{
		DomainId: aws.String(s.domain), UserProfileName: aws.String("bob"), AppType: smtypes.AppTypeJupyterServer, AppName: aws.String("default"),
	}); err != nil {
		t.Fatalf("CreateApp(bob): %v", err)
	}
	pages := func(in sagemaker.ListAppsInput) ([]string, int) {
		var got []string
		n := 0
		for {
			out, err := f.SM.ListApps(ctx, &in)
			if err != nil {
				t.Fatalf("ListApps: %v", err)
			}
			n++
			for _, a := range out.Apps {
				got = append(got, aws.ToString(a.UserProfileName)+"/"+aws.ToString(a.AppName))
			}
			if out.NextToken == nil {
				return got, n
			}
			in.NextToken = out.NextToken
		}
	}
	cases := []struct {
		name  string
		in    sagemaker.ListAppsInput
		want  string
		pages int
	}{
		{"newest first by default", sagemaker.ListAppsInput{}, "bob/default Alice/a4 Alice/a3 Alice/a2 Alice/a1", 1},
		{"oldest first, two a page", sagemaker.ListAppsInput{SortBy: smtypes.AppSortKeyCreationTime, SortOrder: smtypes.SortOrderAscending, MaxResults: aws.Int32(2)},
			"Alice/a1 Alice/a2 Alice/a3 Alice/a4 bob/default", 3},
		{"one profile's", sagemaker.ListAppsInput{DomainIdEquals: aws.String(s.domain), UserProfileNameEquals: aws.String("bob")}, "bob/default", 1},
		{"another domain's", sagemaker.ListAppsInput{DomainIdEquals: aws.String("d-000000000000")}, "", 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, n := pages(c.in)
			if strings.Join(got, " ") != c.want || n != c.pages {
				t.Errorf("ListApps = %q in %d pages, want %q in %d", strings.Join(got, " "), n, c.want, c.pages)
			}
		})
	}
	_, err := f.SM.ListApps(ctx, &sagemaker.ListAppsInput{NextToken: aws.String("not a token")})
	wantError(t, "ListApps with a token sagebox did not make", err, "ValidationException", "")
}

func TestAppsAuthorization(t *testing.T) {
	f := start(t)
	s := f.appStudio(t)
	// A user who may run apps only on ml.t3.medium: the condition AWS documents for limiting Studio instance types.
	user := f.user(t, "bob", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["sagemaker:CreateApp","sagemaker:DescribeApp","sagemaker:DeleteApp","sagemaker:ListApps"],"Resource":"*",
		 "Condition":{"ForAllValues:StringEquals":{"sagemaker:InstanceTypes":["ml.t3.medium"]}}}]}`)
	kg := func(name string, it smtypes.AppInstanceType, tags ...smtypes.Tag) *sagemaker.CreateAppInput {
		return &sagemaker.CreateAppInput{DomainId: aws.String(s.domain), UserProfileName: aws.String(s.profile), AppType: smtypes.AppTypeKernelGateway,
			AppName: aws.String(name), ResourceSpec: &smtypes.ResourceSpec{InstanceType: it}, Tags: tags}
	}
	if _, err := user.SM.CreateApp(ctx, kg("small", smtypes.AppInstanceTypeMlT3Medium)); err != nil {
		t.Errorf("CreateApp on ml.t3.medium by a user allowed it: %v", err)
	}
	_, err := user.SM.CreateApp(ctx, kg("big", smtypes.AppInstanceTypeMlM5Large))
	wantError(t, "CreateApp on ml.m5.large by a user allowed only ml.t3.medium", err, "AccessDeniedException",
		"User: arn:aws:iam::"+account+":user/bob is not authorized to perform: sagemaker:CreateApp on resource: "+
			appARN(s.domain, s.profile, "KernelGateway", "big")+" because no identity-based policy allows the sagemaker:CreateApp action")
	// Tags on create need sagemaker:AddTags as well.
	_, err = user.SM.CreateApp(ctx, kg("tagged", smtypes.AppInstanceTypeMlT3Medium, smtypes.Tag{Key: aws.String("team"), Value: aws.String("ml")}))
	wantError(t, "CreateApp with tags by a user without sagemaker:AddTags", err, "AccessDeniedException",
		"User: arn:aws:iam::"+account+":user/bob is not authorized to perform: sagemaker:AddTags on resource: "+
			appARN(s.domain, s.profile, "KernelGateway", "tagged")+" because no identity-based policy allows the sagemaker:AddTags action")
	if _, err := f.SM.DescribeApp(ctx, &sagemaker.DescribeAppInput{DomainId: aws.String(s.domain), UserProfileName: aws.String(s.profile),
		AppType: smtypes.AppTypeKernelGateway, AppName: aws.String("big")}); err == nil {
		t.Error("DescribeApp finds the app whose creation was denied")
	}
	nobody := f.user(t, "carol", "")
	for name, call := range map[string]func() error{
		"DescribeApp": func() error {
			_, err := nobody.SM.DescribeApp(ctx, &sagemaker.DescribeAppInput{DomainId: aws.String(s.domain), UserProfileName: aws.String(s.profile), AppType: smtypes.AppTypeKernelGateway, AppName: aws.String("small")})
			return err
		},
		"DeleteApp": func() error {
			_, err := nobody.SM.DeleteApp(ctx, &sagemaker.DeleteAppInput{DomainId: aws.String(s.domain), UserProfileName: aws.String(s.profile), AppType: smtypes.AppTypeKernelGateway, AppName: aws.String("small")})
			return err
		},
		"ListApps": func() error {
			_, err := nobody.SM.ListApps(ctx, &sagemaker.ListAppsInput{})
			return err
		},
	} {
		onResource := " on resource: " + appARN(s.domain, s.profile, "KernelGateway", "small")
		if name == "ListApps" {
			onResource = "" // AWS names no resource for an action that takes none
		}
		wantError(t, name+" by a user with no policy", call(), "AccessDeniedException",
			fmt.Sprintf("User: arn:aws:iam::%s:user/carol is not authorized to perform: sagemaker:%s%s because no identity-based policy allows the sagemaker:%s action", account, name, onResource, name))
	}
}
