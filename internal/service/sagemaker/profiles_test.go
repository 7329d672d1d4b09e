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
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/sagebox/sagebox/internal/app"
)

// studio is a domain made the seed documents' way, for the tests of profiles and spaces.
type studio struct {
	ID   string
	Net  network
	Role string
}

// studioDomain makes a VpcOnly IAM domain in a private network, with an execution role and the network's group as
// its defaults, and waits until it is InService when the lifecycle runs on the clock.
func studioDomain(t testing.TB, f *fixture, opts ...func(*sagemaker.CreateDomainInput)) studio {
	t.Helper()
	st := studio{Net: f.privateNetwork(t), Role: f.executionRole(t, "studio-execution")}
	in := &sagemaker.CreateDomainInput{
		DomainName: aws.String("studio"), AuthMode: smtypes.AuthModeIam,
		VpcId: aws.String(st.Net.VPC), SubnetIds: st.Net.Subnets,
		AppNetworkAccessType: smtypes.AppNetworkAccessTypeVpcOnly,
		DefaultUserSettings:  &smtypes.UserSettings{ExecutionRole: aws.String(st.Role), SecurityGroups: []string{st.Net.Group}},
	}
	for _, o := range opts {
		o(in)
	}
	out, err := f.SM.CreateDomain(ctx, in)
	if err != nil {
		t.Fatalf("CreateDomain: %v", err)
	}
	st.ID = *out.DomainId
	return st
}

// createProfile makes a user profile with the root user's client and fails the test if it cannot.
func createProfile(t testing.TB, f *fixture, domainID, name string, us *smtypes.UserSettings) string {
	t.Helper()
	out, err := f.SM.CreateUserProfile(ctx, &sagemaker.CreateUserProfileInput{DomainId: aws.String(domainID), UserProfileName: aws.String(name), UserSettings: us})
	if err != nil {
		t.Fatalf("CreateUserProfile(%s): %v", name, err)
	}
	return *out.UserProfileArn
}

// otherVPCGroup makes a security group in a VPC of its own.
func otherVPCGroup(t testing.TB, f *fixture) string {
	t.Helper()
	v, err := f.EC2.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.9.0.0/16")})
	if err != nil {
		t.Fatal(err)
	}
	g, err := f.EC2.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{VpcId: v.Vpc.VpcId, GroupName: aws.String("elsewhere"), Description: aws.String("another VPC")})
	if err != nil {
		t.Fatal(err)
	}
	return *g.GroupId
}

func TestUserProfileLifecycleThroughTheAPI(t *testing.T) {
	f := start(t)
	st := studioDomain(t, f)
	arn := createProfile(t, f, st.ID, "Alice", &smtypes.UserSettings{
		ExecutionRole:            aws.String(st.Role),
		SecurityGroups:           []string{st.Net.Group},
		JupyterServerAppSettings: &smtypes.JupyterServerAppSettings{DefaultResourceSpec: &smtypes.ResourceSpec{InstanceType: smtypes.AppInstanceTypeSystem}},
	})
	wantARN := "arn:aws:sagemaker:us-east-1:" + account + ":user-profile/" + st.ID + "/alice"
	if arn != wantARN {
		t.Errorf("CreateUserProfile(Alice) = %s, want %s (names are lower-cased in ARNs)", arn, wantARN)
	}
	createProfile(t, f, st.ID, "bob", nil)

	t.Run("describe", func(t *testing.T) {
		d, err := f.SM.DescribeUserProfile(ctx, &sagemaker.DescribeUserProfileInput{DomainId: aws.String(st.ID), UserProfileName: aws.String("alice")})
		if err != nil {
			t.Fatal(err)
		}
		got := fmt.Sprintf("%s %s %s %s %s %s", aws.ToString(d.DomainId), aws.ToString(d.UserProfileArn), aws.ToString(d.UserProfileName),
			aws.ToString(d.HomeEfsFileSystemUid), d.Status, aws.ToString(d.UserSettings.ExecutionRole))
		want := fmt.Sprintf("%s %s Alice 200001 InService %s", st.ID, wantARN, st.Role)
		if got != want {
			t.Errorf("DescribeUserProfile(alice) = %s, want %s", got, want)
		}
		if d.CreationTime == nil || d.LastModifiedTime == nil {
			t.Errorf("DescribeUserProfile(alice) has CreationTime %v and LastModifiedTime %v, want both", d.CreationTime, d.LastModifiedTime)
		}
		if s := d.UserSettings.JupyterServerAppSettings; s == nil || s.DefaultResourceSpec.InstanceType != smtypes.AppInstanceTypeSystem {
			t.Errorf("DescribeUserProfile(alice) lost the JupyterServer settings it was created with: %+v", s)
		}
		b, err := f.SM.DescribeUserProfile(ctx, &sagemaker.DescribeUserProfileInput{DomainId: aws.String(st.ID), UserProfileName: aws.String("bob")})
		if err != nil {
			t.Fatal(err)
		}
		if got := aws.ToString(b.HomeEfsFileSystemUid); got != "200002" {
			t.Errorf("the second profile's HomeEfsFileSystemUid = %s, want 200002", got)
		}
	})

	t.Run("a name is unique without regard to case", func(t *testing.T) {
		_, err := f.SM.CreateUserProfile(ctx, &sagemaker.CreateUserProfileInput{DomainId: aws.String(st.ID), UserProfileName: aws.String("ALICE")})
		wantError(t, "CreateUserProfile(ALICE)", err, "ResourceInUse", "Resource Already Exists: UserProfile with name [ALICE] already exists. Choose a different name.")
	})

	t.Run("update changes only what it names", func(t *testing.T) {
		other := f.executionRole(t, "alice-role")
		out, err := f.SM.UpdateUserProfile(ctx, &sagemaker.UpdateUserProfileInput{DomainId: aws.String(st.ID), UserProfileName: aws.String("alice"),
			UserSettings: &smtypes.UserSettings{ExecutionRole: aws.String(other)}})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(out.UserProfileArn) != wantARN {
			t.Errorf("UpdateUserProfile(alice) = %s, want %s", aws.ToString(out.UserProfileArn), wantARN)
		}
		d, err := f.SM.DescribeUserProfile(ctx, &sagemaker.DescribeUserProfileInput{DomainId: aws.String(st.ID), UserProfileName: aws.String("alice")})
		if err != nil {
			t.Fatal(err)
		}
		if got := aws.ToString(d.UserSettings.ExecutionRole); got != other {
			t.Errorf("after UpdateUserProfile, ExecutionRole = %s, want %s", got, other)
		}
		if !slices.Equal(d.UserSettings.SecurityGroups, []string{st.Net.Group}) || d.UserSettings.JupyterServerAppSettings == nil {
			t.Errorf("UpdateUserProfile dropped settings it did not name: groups %v, JupyterServer %v", d.UserSettings.SecurityGroups, d.UserSettings.JupyterServerAppSettings)
		}
	})

	t.Run("delete", func(t *testing.T) {
		if _, err := f.SM.DeleteUserProfile(ctx, &sagemaker.DeleteUserProfileInput{DomainId: aws.String(st.ID), UserProfileName: aws.String("bob")}); err != nil {
			t.Fatal(err)
		}
		bobARN := "arn:aws:sagemaker:us-east-1:" + account + ":user-profile/" + st.ID + "/bob"
		_, err := f.SM.DescribeUserProfile(ctx, &sagemaker.DescribeUserProfileInput{DomainId: aws.String(st.ID), UserProfileName: aws.String("bob")})
		wantError(t, "DescribeUserProfile(bob) after its deletion", err, "ResourceNotFound", "UserProfile ["+bobARN+"] does not exist.")
		_, err = f.SM.DeleteUserProfile(ctx, &sagemaker.DeleteUserProfileInput{DomainId: aws.String(st.ID), UserProfileName: aws.String("bob")})
		wantError(t, "DeleteUserProfile(bob) twice", err, "ResourceNotFound", "UserProfile ["+bobARN+"] does not exist.")
		_, err = f.SM.UpdateUserProfile(ctx, &sagemaker.UpdateUserProfileInput{DomainId: aws.String(st.ID), UserProfileName: aws.String("bob")})
		wantError(t, "UpdateUserProfile(bob) after its deletion", err, "ResourceNotFound", "UserProfile ["+bobARN+"] does not exist.")
		// The name is free again, and the new profile gets a new uid.
		createProfile(t, f, st.ID, "bob", nil)
		b, err := f.SM.DescribeUserProfile(ctx, &sagemaker.DescribeUserProfileInput{DomainId: aws.String(st.ID), UserProfileName: aws.String("bob")})
		if err != nil {
			t.Fatal(err)
		}
		if got := aws.ToString(b.HomeEfsFileSystemUid); got != "200003" {
			t.Errorf("a re-created profile's HomeEfsFileSystemUid = %s, want 200003", got)
		}
	})
}

func TestCreateUserProfileRefusals(t *testing.T) {
	f := start(t)
	st := studioDomain(t, f)
	untrusting := f.role(t, "trusts-ec2", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)
	missing := "arn:aws:iam::" + account + ":role/no-such-role"
	elsewhere := otherVPCGroup(t, f)
	createProfile(t, f, st.ID, "taken", nil)
	many := []string{st.Net.Group, st.Net.Group + "x", "sg-00000000000000001", "sg-00000000000000002", "sg-00000000000000003"}
	cases := []struct {
		name    string
		in      sagemaker.CreateUserProfileInput
		code    string
		message string
	}{
		{"the domain does not exist", sagemaker.CreateUserProfileInput{DomainId: aws.String("d-000000000000"), UserProfileName: aws.String("p")},
			"ResourceNotFound", "Cannot find Domain with id d-000000000000"},
		{"the name is taken", sagemaker.CreateUserProfileInput{DomainId: aws.String(st.ID), UserProfileName: aws.String("Taken")},
			"ResourceInUse", "Resource Already Exists: UserProfile with name [Taken] already exists. Choose a different name."},
		{"the role does not trust SageMaker", sagemaker.CreateUserProfileInput{DomainId: aws.String(st.ID), UserProfileName: aws.String("p"),
			UserSettings: &smtypes.UserSettings{ExecutionRole: aws.String(untrusting)}},
			"ValidationException", "Could not assume role " + untrusting + ". Please ensure that the role exists and allows principal 'sagemaker.amazonaws.com' to assume the role."},
		{"the role does not exist", sagemaker.CreateUserProfileInput{DomainId: aws.String(st.ID), UserProfileName: aws.String("p"),
			UserSettings: &smtypes.UserSettings{ExecutionRole: aws.String(missing)}},
			"ValidationException", "Could not assume role " + missing + ". Please ensure that the role exists and allows principal 'sagemaker.amazonaws.com' to assume the role."},
		{"a security group is in another VPC", sagemaker.CreateUserProfileInput{DomainId: aws.String(st.ID), UserProfileName: aws.String("p"),
			UserSettings: &smtypes.UserSettings{SecurityGroups: []string{elsewhere}}},
			"ValidationException", "Security group " + elsewhere + " is not in the domain's VPC " + st.Net.VPC + "."},
		{"a security group does not exist", sagemaker.CreateUserProfileInput{DomainId: aws.String(st.ID), UserProfileName: aws.String("p"),
			UserSettings: &smtypes.UserSettings{SecurityGroups: []string{"sg-0123456789abcdef0"}}},
			"ValidationException", "Security group sg-0123456789abcdef0 does not exist."},
		{"five security groups leave no room for SageMaker's", sagemaker.CreateUserProfileInput{DomainId: aws.String(st.ID), UserProfileName: aws.String("p"),
			UserSettings: &smtypes.UserSettings{SecurityGroups: many}},
			"ValidationException", "You can specify at most 4 security groups: SageMaker adds one to allow NFS traffic from Studio."},
		{"single sign-on fields in an IAM domain", sagemaker.CreateUserProfileInput{DomainId: aws.String(st.ID), UserProfileName: aws.String("p"),
			SingleSignOnUserIdentifier: aws.String("UserName"), SingleSignOnUserValue: aws.String("p")},
			"ValidationException", "SingleSignOnUserIdentifier and SingleSignOnUserValue can be specified only for domains whose AuthMode is SSO."},
		{"the name breaks the model's pattern", sagemaker.CreateUserProfileInput{DomainId: aws.String(st.ID), UserProfileName: aws.String("no_underscores")},
			"ValidationException", "1 validation error detected: Value 'no_underscores' at 'userProfileName' failed to satisfy constraint: Member must satisfy regular expression pattern: …"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.SM.CreateUserProfile(ctx, &tc.in)
			wantError(t, "CreateUserProfile", err, tc.code, tc.message)
		})
	}
	t.Run("nothing refused was made", func(t *testing.T) {
		out, err := f.SM.ListUserProfiles(ctx, &sagemaker.ListUserProfilesInput{DomainIdEquals: aws.String(st.ID)})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.UserProfiles) != 1 || aws.ToString(out.UserProfiles[0].UserProfileName) != "taken" {
			t.Errorf("ListUserProfiles = %d profiles, want only the one made before the refusals", len(out.UserProfiles))
		}
	})
}

func TestUserProfilesOfAnSSODomain(t *testing.T) {
	f := start(t)
	st := studioDomain(t, f, func(in *sagemaker.CreateDomainInput) { in.AuthMode = smtypes.AuthModeSso })
	create := func(identifier, value *string) error {
		_, err := f.SM.CreateUserProfile(ctx, &sagemaker.CreateUserProfileInput{DomainId: aws.String(st.ID), UserProfileName: aws.String("sso-user"),
			SingleSignOnUserIdentifier: identifier, SingleSignOnUserValue: value})
		return err
	}
	t.Run("both fields are required", func(t *testing.T) {
		want := "SingleSignOnUserIdentifier and SingleSignOnUserValue are required for domains whose AuthMode is SSO."
		wantError(t, "CreateUserProfile without either", create(nil, nil), "ValidationException", want)
		wantError(t, "CreateUserProfile without the value", create(aws.String("UserName"), nil), "ValidationException", want)
	})
	t.Run("the identifier is UserName", func(t *testing.T) {
		wantError(t, "CreateUserProfile with identifier Email", create(aws.String("Email"), aws.String("a@example.com")), "ValidationException",
			"1 validation error detected: Value 'Email' at 'singleSignOnUserIdentifier' failed to satisfy constraint: Member must satisfy regular expression pattern: UserName")
	})
	t.Run("with both it is made and described", func(t *testing.T) {
		if err := create(aws.String("UserName"), aws.String("jane")); err != nil {
			t.Fatal(err)
		}
		d, err := f.SM.DescribeUserProfile(ctx, &sagemaker.DescribeUserProfileInput{DomainId: aws.String(st.ID), UserProfileName: aws.String("sso-user")})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(d.SingleSignOnUserIdentifier) != "UserName" || aws.ToString(d.SingleSignOnUserValue) != "jane" {
			t.Errorf("DescribeUserProfile = %s/%s, want UserName/jane", aws.ToString(d.SingleSignOnUserIdentifier), aws.ToString(d.SingleSignOnUserValue))
		}
	})
}

func TestDeleteUserProfileRefusedWhileItHasAppsOrSpaces(t *testing.T) {
	f := start(t)
	st := studioDomain(t, f)
	arn := createProfile(t, f, st.ID, "alice", nil)
	del := func() error {
		_, err := f.SM.DeleteUserProfile(ctx, &sagemaker.DeleteUserProfileInput{DomainId: aws.String(st.ID), UserProfileName: aws.String("alice")})
		return err
	}
	appIn := func() *sagemaker.CreateAppInput {
		return &sagemaker.CreateAppInput{DomainId: aws.String(st.ID), UserProfileName: aws.String("alice"), AppType: smtypes.AppTypeJupyterServer, AppName: aws.String("default")}
	}
	if _, err := f.SM.CreateApp(ctx, appIn()); err != nil {
		t.Fatalf("CreateApp: %v", err)
	}
	wantError(t, "DeleteUserProfile with a running app", del(), "ResourceInUse", "Unable to delete UserProfile ["+arn+"] because App(s) are associated with it.")
	if _, err := f.SM.DeleteApp(ctx, &sagemaker.DeleteAppInput{DomainId: aws.String(st.ID), UserProfileName: aws.String("alice"), AppType: smtypes.AppTypeJupyterServer, AppName: aws.String("default")}); err != nil {
		t.Fatalf("DeleteApp: %v", err)
	}
	if _, err := f.SM.CreateSpace(ctx, &sagemaker.CreateSpaceInput{DomainId: aws.String(st.ID), SpaceName: aws.String("alice-space"),
		OwnershipSettings:    &smtypes.OwnershipSettings{OwnerUserProfileName: aws.String("alice")},
		SpaceSharingSettings: &smtypes.SpaceSharingSettings{SharingType: smtypes.SharingTypePrivate}}); err != nil {
		t.Fatalf("CreateSpace: %v", err)
	}
	wantError(t, "DeleteUserProfile with a private space", del(), "ResourceInUse", "Unable to delete UserProfile ["+arn+"] because Space(s) are associated with it.")
	if _, err := f.SM.DeleteSpace(ctx, &sagemaker.DeleteSpaceInput{DomainId: aws.String(st.ID), SpaceName: aws.String("alice-space")}); err != nil {
		t.Fatalf("DeleteSpace: %v", err)
	}
	if err := del(); err != nil {
		t.Errorf("DeleteUserProfile once its app is deleted and its space gone: %v", err)
	}
}

func TestListUserProfiles(t *testing.T) {
	f := start(t)
	st := studioDomain(t, f)
	var names []string
	for i := range 12 {
		name := fmt.Sprintf("user-%02d", i)
		if i%3 == 0 {
			name = fmt.Sprintf("admin-%02d", i)
		}
		createProfile(t, f, st.ID, name, nil)
		names = append(names, name)
		f.Advance(time.Second)
	}
	all := func(in sagemaker.ListUserProfilesInput) []string {
		t.Helper()
		var got []string
		p := sagemaker.NewListUserProfilesPaginator(f.SM, &in)
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, u := range out.UserProfiles {
				got = append(got, aws.ToString(u.UserProfileName))
			}
		}
		return got
	}
	reversed := slices.Clone(names)
	slices.Reverse(reversed)

	t.Run("the default page holds 10, newest first", func(t *testing.T) {
		out, err := f.SM.ListUserProfiles(ctx, &sagemaker.ListUserProfilesInput{})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, u := range out.UserProfiles {
			got = append(got, aws.ToString(u.UserProfileName))
			if u.Status != smtypes.UserProfileStatusInService || aws.ToString(u.DomainId) != st.ID || u.CreationTime == nil || u.LastModifiedTime == nil {
				t.Errorf("ListUserProfiles gives %s as %s in %s created %v modified %v", aws.ToString(u.UserProfileName), u.Status, aws.ToString(u.DomainId), u.CreationTime, u.LastModifiedTime)
			}
		}
		if !slices.Equal(got, reversed[:10]) || out.NextToken == nil {
			t.Errorf("ListUserProfiles() = %v (next %v), want %v and a NextToken", got, out.NextToken, reversed[:10])
		}
	})
	t.Run("pages of 5 give every profile once", func(t *testing.T) {
		if got := all(sagemaker.ListUserProfilesInput{MaxResults: aws.Int32(5)}); !slices.Equal(got, reversed) {
			t.Errorf("ListUserProfiles by pages of 5 = %v, want %v", got, reversed)
		}
	})
	t.Run("ascending by creation time", func(t *testing.T) {
		got := all(sagemaker.ListUserProfilesInput{SortBy: smtypes.UserProfileSortKeyCreationTime, SortOrder: smtypes.SortOrderAscending, MaxResults: aws.Int32(4)})
		if !slices.Equal(got, names) {
			t.Errorf("ListUserProfiles(CreationTime, Ascending) = %v, want %v", got, names)
		}
	})
	t.Run("by last modified time", func(t *testing.T) {
		if _, err := f.SM.UpdateUserProfile(ctx, &sagemaker.UpdateUserProfileInput{DomainId: aws.String(st.ID), UserProfileName: aws.String(names[0]),
			UserSettings: &smtypes.UserSettings{DefaultLandingUri: aws.String("studio::")}}); err != nil {
			t.Fatal(err)
		}
		got := all(sagemaker.ListUserProfilesInput{SortBy: smtypes.UserProfileSortKeyLastModifiedTime, SortOrder: smtypes.SortOrderDescending})
		if len(got) == 0 || got[0] != names[0] {
			t.Errorf("ListUserProfiles(LastModifiedTime, Descending) = %v, want %s first (it was updated last)", got, names[0])
		}
	})
	t.Run("name contains, without regard to case", func(t *testing.T) {
		got := all(sagemaker.ListUserProfilesInput{UserProfileNameContains: aws.String("ADMIN"), SortOrder: smtypes.SortOrderAscending, SortBy: smtypes.UserProfileSortKeyCreationTime})
		want := []string{"admin-00", "admin-03", "admin-06", "admin-09"}
		if !slices.Equal(got, want) {
			t.Errorf("ListUserProfiles(NameContains ADMIN) = %v, want %v", got, want)
		}
	})
	t.Run("another domain's id finds none", func(t *testing.T) {
		if got := all(sagemaker.ListUserProfilesInput{DomainIdEquals: aws.String("d-000000000000")}); len(got) != 0 {
			t.Errorf("ListUserProfiles(DomainIdEquals d-000000000000) = %v, want none", got)
		}
	})
	t.Run("a token sagebox did not make is refused", func(t *testing.T) {
		_, err := f.SM.ListUserProfiles(ctx, &sagemaker.ListUserProfilesInput{NextToken: aws.String("!!")})
		wantError(t, "ListUserProfiles(NextToken !!)", err, "ValidationException", "Invalid pagination token: !!")
	})
}

func TestUserProfileAuthorization(t *testing.T) {
	f := start(t)
	st := studioDomain(t, f)
	own := `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["sagemaker:CreateUserProfile","sagemaker:DescribeUserProfile","sagemaker:DeleteUserProfile"],"Resource":"arn:aws:sagemaker:*:*:user-profile/*/${aws:username}"},
		{"Effect":"Allow","Action":"sagemaker:AddTags","Resource":"arn:aws:sagemaker:*:*:user-profile/*/${aws:username}","Condition":{"StringEquals":{"sagemaker:TaggingAction":"CreateUserProfile"}}},
		{"Effect":"Deny","Action":"sagemaker:CreateUserProfile","Resource":"*","Condition":{"ForAnyValue:StringNotEquals":{"sagemaker:VpcSecurityGroupIds":["` + st.Net.Group + `"]}}},
		{"Effect":"Deny","Action":"sagemaker:CreateUserProfile","Resource":"*","Condition":{"StringEquals":{"aws:RequestTag/team":"red"}}}]}`
	alice := f.user(t, "alice", own)
	arnOf := func(name string) string {
		return "arn:aws:sagemaker:us-east-1:" + account + ":user-profile/" + st.ID + "/" + name
	}
	create := func(c clients, in *sagemaker.CreateUserProfileInput) error {
		in.DomainId = aws.String(st.ID)
		_, err := c.SM.CreateUserProfile(ctx, in)
		return err
	}

	t.Run("a user makes the profile of their own name", func(t *testing.T) {
		if err := create(alice, &sagemaker.CreateUserProfileInput{UserProfileName: aws.String("alice")}); err != nil {
			t.Fatalf("alice's CreateUserProfile(alice): %v", err)
		}
		if _, err := alice.SM.DescribeUserProfile(ctx, &sagemaker.DescribeUserProfileInput{DomainId: aws.String(st.ID), UserProfileName: aws.String("alice")}); err != nil {
			t.Errorf("alice's DescribeUserProfile(alice): %v", err)
		}
	})
	t.Run("and not another's", func(t *testing.T) {
		err := create(alice, &sagemaker.CreateUserProfileInput{UserProfileName: aws.String("bob")})
		wantError(t, "alice's CreateUserProfile(bob)", err, "AccessDeniedException",
			"User: arn:aws:iam::"+account+":user/alice is not authorized to perform: sagemaker:CreateUserProfile on resource: "+arnOf("bob")+" because no identity-based policy allows the sagemaker:CreateUserProfile action")
	})
	t.Run("the denial comes before the answer that the profile does not exist", func(t *testing.T) {
		_, err := alice.SM.DescribeUserProfile(ctx, &sagemaker.DescribeUserProfileInput{DomainId: aws.String(st.ID), UserProfileName: aws.String("nobody")})
		wantError(t, "alice's DescribeUserProfile(nobody)", err, "AccessDeniedException", "User: arn:aws:iam::"+account+":user/alice is not authorized to perform: sagemaker:DescribeUserProfile on resource: "+arnOf("nobody")+" …")
	})
	t.Run("the execution role needs iam:PassRole", func(t *testing.T) {
		if _, err := alice.SM.DeleteUserProfile(ctx, &sagemaker.DeleteUserProfileInput{DomainId: aws.String(st.ID), UserProfileName: aws.String("alice")}); err != nil {
			t.Fatal(err)
		}
		err := create(alice, &sagemaker.CreateUserProfileInput{UserProfileName: aws.String("alice"), UserSettings: &smtypes.UserSettings{ExecutionRole: aws.String(st.Role)}})
		wantError(t, "alice's CreateUserProfile with an execution role", err, "AccessDeniedException",
			"User: arn:aws:iam::"+account+":user/alice is not authorized to perform: iam:PassRole on resource: "+st.Role+" because no identity-based policy allows the iam:PassRole action")
	})
	t.Run("security groups are condition keys", func(t *testing.T) {
		err := create(alice, &sagemaker.CreateUserProfileInput{UserProfileName: aws.String("alice"), UserSettings: &smtypes.UserSettings{SecurityGroups: []string{"sg-0123456789abcdef0"}}})
		wantError(t, "alice's CreateUserProfile with a group her policy denies", err, "AccessDeniedException", "User: arn:aws:iam::"+account+":user/alice is not authorized to perform: sagemaker:CreateUserProfile on resource: "+arnOf("alice")+" with an explicit deny in an identity-based policy")
		if err := create(alice, &sagemaker.CreateUserProfileInput{UserProfileName: aws.String("alice"), UserSettings: &smtypes.UserSettings{SecurityGroups: []string{st.Net.Group}}}); err != nil {
			t.Errorf("alice's CreateUserProfile with the group her policy allows: %v", err)
		}
	})
	t.Run("tagging on create needs sagemaker:AddTags", func(t *testing.T) {
		carol := f.user(t, "carol", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sagemaker:CreateUserProfile","Resource":"*"}]}`)
		err := create(carol, &sagemaker.CreateUserProfileInput{UserProfileName: aws.String("carol"), Tags: []smtypes.Tag{{Key: aws.String("team"), Value: aws.String("blue")}}})
		wantError(t, "carol's tagged CreateUserProfile without sagemaker:AddTags", err, "AccessDeniedException",
			"User: arn:aws:iam::"+account+":user/carol is not authorized to perform: sagemaker:AddTags on resource: "+arnOf("carol")+" because no identity-based policy allows the sagemaker:AddTags action")
		if err := create(carol, &sagemaker.CreateUserProfileInput{UserProfileName: aws.String("carol")}); err != nil {
			t.Errorf("carol's untagged CreateUserProfile: %v", err)
		}
	})
	t.Run("tags are condition keys", func(t *testing.T) {
		if _, err := alice.SM.DeleteUserProfile(ctx, &sagemaker.DeleteUserProfileInput{DomainId: aws.String(st.ID), UserProfileName: aws.String("alice")}); err != nil {
			t.Fatal(err)
		}
		err := create(alice, &sagemaker.CreateUserProfileInput{UserProfileName: aws.String("alice"), Tags: []smtypes.Tag{{Key: aws.String("team"), Value: aws.String("red")}}})
		wantError(t, "alice's CreateUserProfile tagged team=red", err, "AccessDeniedException", "…")
		if err := create(alice, &sagemaker.CreateUserProfileInput{UserProfileName: aws.String("alice"), Tags: []smtypes.Tag{{Key: aws.String("team"), Value: aws.String("blue")}}}); err != nil {
			t.Errorf("alice's CreateUserProfile tagged team=blue: %v", err)
		}
	})
	t.Run("a user with no policy may not list", func(t *testing.T) {
		nobody := f.user(t, "nobody", "")
		_, err := nobody.SM.ListUserProfiles(ctx, &sagemaker.ListUserProfilesInput{})
		wantError(t, "ListUserProfiles by a user with no policy", err, "AccessDeniedException",
			"User: arn:aws:iam::"+account+":user/nobody is not authorized to perform: sagemaker:ListUserProfiles because no identity-based policy allows the sagemaker:ListUserProfiles action")
	})
}

func TestUserProfileLifecycleOnTheClock(t *testing.T) {
	cfg := app.Defaults()
	cfg.Memory = true
	cfg.LifecycleScale = 1
	cfg.Log = slog.New(slog.DiscardHandler)
	f := startWith(t, cfg)
	st := studioDomain(t, f)
	status := func(name string) string {
		t.Helper()
		d, err := f.SM.DescribeUserProfile(ctx, &sagemaker.DescribeUserProfileInput{DomainId: aws.String(st.ID), UserProfileName: aws.String(name)})
		if err != nil {
			code, _ := apiError(t, err)
			return code
		}
		return string(d.Status)
	}
	t.Run("a pending domain takes no profiles", func(t *testing.T) {
		_, err := f.SM.CreateUserProfile(ctx, &sagemaker.CreateUserProfileInput{DomainId: aws.String(st.ID), UserProfileName: aws.String("early")})
		wantError(t, "CreateUserProfile in a Pending domain", err, "ValidationException", "Domain ["+st.ID+"] is in status Pending: it must be InService.")
	})
	f.Advance(10 * time.Minute)
	createProfile(t, f, st.ID, "alice", nil)
	steps := []struct {
		do   func()
		want string
	}{
		{func() {}, "Pending"},
		{func() { f.Advance(10 * time.Second) }, "InService"},
		{func() {
			if _, err := f.SM.UpdateUserProfile(ctx, &sagemaker.UpdateUserProfileInput{DomainId: aws.String(st.ID), UserProfileName: aws.String("alice"),
				UserSettings: &smtypes.UserSettings{DefaultLandingUri: aws.String("studio::")}}); err != nil {
				t.Fatal(err)
			}
		}, "Updating"},
		{func() { f.Advance(10 * time.Second) }, "InService"},
		{func() {
			if _, err := f.SM.DeleteUserProfile(ctx, &sagemaker.DeleteUserProfileInput{DomainId: aws.String(st.ID), UserProfileName: aws.String("alice")}); err != nil {
				t.Fatal(err)
			}
		}, "Deleting"},
		{func() { f.Advance(10 * time.Second) }, "ResourceNotFound"},
	}
	var got []string
	for _, s := range steps {
		s.do()
		got = append(got, status("alice"))
	}
	want := []string{"Pending", "InService", "Updating", "InService", "Deleting", "ResourceNotFound"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("the profile's statuses = %v, want %v", got, want)
	}
}
