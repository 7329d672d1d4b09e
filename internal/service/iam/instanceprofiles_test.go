package iam_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// profileCreate creates an instance profile and fails the test if it cannot.
func profileCreate(t testing.TB, f *fixture, name, path string) *types.InstanceProfile {
	t.Helper()
	out, err := f.IAM.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String(name), Path: aws.String(path)})
	if err != nil {
		t.Fatalf("CreateInstanceProfile(%s): %v", name, err)
	}
	return out.InstanceProfile
}

func profileAdd(t testing.TB, f *fixture, profile, role string) {
	t.Helper()
	if _, err := f.IAM.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String(profile), RoleName: aws.String(role)}); err != nil {
		t.Fatalf("AddRoleToInstanceProfile(%s, %s): %v", profile, role, err)
	}
}

func profileNames(ps []types.InstanceProfile) string {
	var s []string
	for _, p := range ps {
		s = append(s, aws.ToString(p.InstanceProfileName))
	}
	return strings.Join(s, ",")
}

func TestInstanceProfileLifecycle(t *testing.T) {
	f := start(t)
	role := roleCreate(t, f, "web")
	created, err := f.IAM.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{
		InstanceProfileName: aws.String("web-profile"),
		Path:                aws.String("/fleet/"),
		Tags:                []types.Tag{{Key: aws.String("tier"), Value: aws.String("web")}},
	})
	if err != nil {
		t.Fatalf("CreateInstanceProfile: %v", err)
	}
	ip := created.InstanceProfile
	t.Run("CreateInstanceProfile answers the profile", func(t *testing.T) {
		if got, want := aws.ToString(ip.Arn), "arn:aws:iam::000000000000:instance-profile/fleet/web-profile"; got != want {
			t.Errorf("Arn = %s, want %s", got, want)
		}
		if id := aws.ToString(ip.InstanceProfileId); len(id) != 21 || !strings.HasPrefix(id, "AIPA") {
			t.Errorf("InstanceProfileId = %s, want AIPA and 17 more characters", id)
		}
		if ip.Roles == nil || len(ip.Roles) != 0 || len(ip.Tags) != 1 || aws.ToString(ip.Path) != "/fleet/" {
			t.Errorf("profile = roles %v, tags %v, path %s; want no roles, one tag, /fleet/", ip.Roles, ip.Tags, aws.ToString(ip.Path))
		}
	})
	get := func(t *testing.T) *types.InstanceProfile {
		t.Helper()
		out, err := f.IAM.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: aws.String("web-profile")})
		if err != nil {
			t.Fatalf("GetInstanceProfile: %v", err)
		}
		return out.InstanceProfile
	}
	t.Run("AddRoleToInstanceProfile puts the role in the profile, with its trust policy", func(t *testing.T) {
		profileAdd(t, f, "web-profile", "web")
		got := get(t)
		if len(got.Roles) != 1 {
			t.Fatalf("Roles = %v, want web", got.Roles)
		}
		r := got.Roles[0]
		if aws.ToString(r.RoleName) != "web" || aws.ToString(r.RoleId) != aws.ToString(role.RoleId) || aws.ToString(r.Arn) != aws.ToString(role.Arn) {
			t.Errorf("role = %s %s %s, want web %s %s", aws.ToString(r.RoleName), aws.ToString(r.RoleId), aws.ToString(r.Arn), aws.ToString(role.RoleId), aws.ToString(role.Arn))
		}
		if d := roleDoc(t, r.AssumeRolePolicyDocument); d != roleEC2Trust {
			t.Errorf("role's trust policy = %s, want %s", d, roleEC2Trust)
		}
		if r.MaxSessionDuration != nil || r.RoleLastUsed != nil {
			t.Errorf("a profile's role has MaxSessionDuration %v, RoleLastUsed %v; want neither", r.MaxSessionDuration, r.RoleLastUsed)
		}
	})
	t.Run("a profile holds one role", func(t *testing.T) {
		roleCreate(t, f, "second")
		_, err := f.IAM.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("web-profile"), RoleName: aws.String("second")})
		wantError(t, "AddRoleToInstanceProfile of a second role", err, "LimitExceeded", "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1", 409)
	})
	t.Run("a profile with a role cannot be deleted", func(t *testing.T) {
		_, err := f.IAM.DeleteInstanceProfile(ctx, &iam.DeleteInstanceProfileInput{InstanceProfileName: aws.String("web-profile")})
		wantError(t, "DeleteInstanceProfile", err, "DeleteConflict", "Cannot delete entity, must remove roles from instance profile first.", 409)
	})
	t.Run("ListInstanceProfilesForRole lists the role's profiles", func(t *testing.T) {
		out, err := f.IAM.ListInstanceProfilesForRole(ctx, &iam.ListInstanceProfilesForRoleInput{RoleName: aws.String("web")})
		if err != nil {
			t.Fatalf("ListInstanceProfilesForRole: %v", err)
		}
		if profileNames(out.InstanceProfiles) != "web-profile" || out.IsTruncated || len(out.InstanceProfiles[0].Roles) != 1 {
			t.Errorf("ListInstanceProfilesForRole(web) = %s, want web-profile with its role", profileNames(out.InstanceProfiles))
		}
		out, err = f.IAM.ListInstanceProfilesForRole(ctx, &iam.ListInstanceProfilesForRoleInput{RoleName: aws.String("second")})
		if err != nil || out.InstanceProfiles == nil || len(out.InstanceProfiles) != 0 {
			t.Errorf("ListInstanceProfilesForRole(second) = %v, %v; want an empty list", out, err)
		}
	})
	t.Run("RemoveRoleFromInstanceProfile takes the role out", func(t *testing.T) {
		if _, err := f.IAM.RemoveRoleFromInstanceProfile(ctx, &iam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: aws.String("web-profile"), RoleName: aws.String("web")}); err != nil {
			t.Fatalf("RemoveRoleFromInstanceProfile: %v", err)
		}
		if got := get(t); len(got.Roles) != 0 || got.Roles == nil {
			t.Errorf("Roles = %v, want an empty list", got.Roles)
		}
		_, err := f.IAM.RemoveRoleFromInstanceProfile(ctx, &iam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: aws.String("web-profile"), RoleName: aws.String("web")})
		wantError(t, "RemoveRoleFromInstanceProfile again", err, "NoSuchEntity", "Role web in Instance Profile web-profile cannot be found.", 404)
	})
	t.Run("DeleteInstanceProfile deletes an empty profile", func(t *testing.T) {
		if _, err := f.IAM.DeleteInstanceProfile(ctx, &iam.DeleteInstanceProfileInput{InstanceProfileName: aws.String("web-profile")}); err != nil {
			t.Fatalf("DeleteInstanceProfile: %v", err)
		}
		_, err := f.IAM.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: aws.String("web-profile")})
		wantError(t, "GetInstanceProfile after delete", err, "NoSuchEntity", "Instance Profile web-profile cannot be found.", 404)
	})
}

func TestInstanceProfileErrors(t *testing.T) {
	f := start(t)
	profileCreate(t, f, "taken", "/")
	roleCreate(t, f, "role")
	missing := "Instance Profile nope cannot be found."
	cases := []struct {
		name          string
		call          func() error
		code, message string
		status        int
	}{
		{"CreateInstanceProfile of a taken name, in another case", func() error {
			_, err := f.IAM.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("Taken")})
			return err
		}, "EntityAlreadyExists", "Instance Profile Taken already exists.", 409},
		{"GetInstanceProfile of a missing profile", func() error {
			_, err := f.IAM.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: aws.String("nope")})
			return err
		}, "NoSuchEntity", missing, 404},
		{"DeleteInstanceProfile of a missing profile", func() error {
			_, err := f.IAM.DeleteInstanceProfile(ctx, &iam.DeleteInstanceProfileInput{InstanceProfileName: aws.String("nope")})
			return err
		}, "NoSuchEntity", missing, 404},
		{"AddRoleToInstanceProfile to a missing profile", func() error {
			_, err := f.IAM.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("nope"), RoleName: aws.String("role")})
			return err
		}, "NoSuchEntity", missing, 404},
		{"AddRoleToInstanceProfile of a missing role", func() error {
			_, err := f.IAM.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("taken"), RoleName: aws.String("nope")})
			return err
		}, "NoSuchEntity", "The role with name nope cannot be found.", 404},
		{"RemoveRoleFromInstanceProfile from a missing profile", func() error {
			_, err := f.IAM.RemoveRoleFromInstanceProfile(ctx, &iam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: aws.String("nope"), RoleName: aws.String("role")})
			return err
		}, "NoSuchEntity", missing, 404},
		{"RemoveRoleFromInstanceProfile of a missing role", func() error {
			_, err := f.IAM.RemoveRoleFromInstanceProfile(ctx, &iam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: aws.String("taken"), RoleName: aws.String("nope")})
			return err
		}, "NoSuchEntity", "The role with name nope cannot be found.", 404},
		{"RemoveRoleFromInstanceProfile of a role not in it", func() error {
			_, err := f.IAM.RemoveRoleFromInstanceProfile(ctx, &iam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: aws.String("taken"), RoleName: aws.String("role")})
			return err
		}, "NoSuchEntity", "Role role in Instance Profile taken cannot be found.", 404},
		{"ListInstanceProfilesForRole of a missing role", func() error {
			_, err := f.IAM.ListInstanceProfilesForRole(ctx, &iam.ListInstanceProfilesForRoleInput{RoleName: aws.String("nope")})
			return err
		}, "NoSuchEntity", "The role with name nope cannot be found.", 404},
		{"TagInstanceProfile of a missing profile", func() error {
			_, err := f.IAM.TagInstanceProfile(ctx, &iam.TagInstanceProfileInput{InstanceProfileName: aws.String("nope"), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
			return err
		}, "NoSuchEntity", missing, 404},
		{"UntagInstanceProfile of a missing profile", func() error {
			_, err := f.IAM.UntagInstanceProfile(ctx, &iam.UntagInstanceProfileInput{InstanceProfileName: aws.String("nope"), TagKeys: []string{"k"}})
			return err
		}, "NoSuchEntity", missing, 404},
		{"ListInstanceProfileTags of a missing profile", func() error {
			_, err := f.IAM.ListInstanceProfileTags(ctx, &iam.ListInstanceProfileTagsInput{InstanceProfileName: aws.String("nope")})
			return err
		}, "NoSuchEntity", missing, 404},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, tc.name, tc.call(), tc.code, tc.message, tc.status)
		})
	}
}

func TestListInstanceProfiles(t *testing.T) {
	f := start(t)
	roleCreate(t, f, "shared")
	for i, name := range []string{"p3", "p1", "p5", "p2", "p4"} {
		path := "/"
		if i%2 == 0 {
			path = "/odd/"
		}
		profileCreate(t, f, name, path)
		profileAdd(t, f, name, "shared")
	}
	t.Run("MaxItems 2 pages through 5 profiles in name order", func(t *testing.T) {
		var got []string
		var marker *string
		for pages := 0; ; pages++ {
			if pages > 5 {
				t.Fatal("ListInstanceProfiles does not end")
			}
			out, err := f.IAM.ListInstanceProfiles(ctx, &iam.ListInstanceProfilesInput{MaxItems: aws.Int32(2), Marker: marker})
			if err != nil {
				t.Fatalf("ListInstanceProfiles: %v", err)
			}
			got = append(got, profileNames(out.InstanceProfiles))
			for _, p := range out.InstanceProfiles {
				if len(p.Roles) != 1 || p.Tags != nil {
					t.Errorf("listed profile %s has roles %v and tags %v, want its role and no tags", aws.ToString(p.InstanceProfileName), p.Roles, p.Tags)
				}
			}
			if !out.IsTruncated {
				break
			}
			marker = out.Marker
		}
		if strings.Join(got, " ") != "p1,p2 p3,p4 p5" {
			t.Errorf("pages = %q, want p1,p2 p3,p4 p5", strings.Join(got, " "))
		}
	})
	t.Run("PathPrefix keeps the profiles under the path", func(t *testing.T) {
		out, err := f.IAM.ListInstanceProfiles(ctx, &iam.ListInstanceProfilesInput{PathPrefix: aws.String("/odd/")})
		if err != nil {
			t.Fatalf("ListInstanceProfiles: %v", err)
		}
		if got := profileNames(out.InstanceProfiles); got != "p3,p4,p5" {
			t.Errorf("ListInstanceProfiles(/odd/) = %s, want p3,p4,p5", got)
		}
	})
	t.Run("ListInstanceProfilesForRole pages through a role's profiles", func(t *testing.T) {
		var got []string
		var marker *string
		for pages := 0; ; pages++ {
			if pages > 5 {
				t.Fatal("ListInstanceProfilesForRole does not end")
			}
			out, err := f.IAM.ListInstanceProfilesForRole(ctx, &iam.ListInstanceProfilesForRoleInput{RoleName: aws.String("SHARED"), MaxItems: aws.Int32(2), Marker: marker})
			if err != nil {
				t.Fatalf("ListInstanceProfilesForRole: %v", err)
			}
			got = append(got, profileNames(out.InstanceProfiles))
			if !out.IsTruncated {
				break
			}
			marker = out.Marker
		}
		if strings.Join(got, " ") != "p1,p2 p3,p4 p5" {
			t.Errorf("pages = %q, want p1,p2 p3,p4 p5", strings.Join(got, " "))
		}
	})
}

func TestInstanceProfileTags(t *testing.T) {
	f := start(t)
	profileCreate(t, f, "tagged", "/")
	list := func(t *testing.T) string {
		t.Helper()
		out, err := f.IAM.ListInstanceProfileTags(ctx, &iam.ListInstanceProfileTagsInput{InstanceProfileName: aws.String("tagged")})
		if err != nil {
			t.Fatalf("ListInstanceProfileTags: %v", err)
		}
		var s []string
		for _, tg := range out.Tags {
			s = append(s, aws.ToString(tg.Key)+"="+aws.ToString(tg.Value))
		}
		return strings.Join(s, ",")
	}
	t.Run("GetInstanceProfile shows an empty tag list", func(t *testing.T) {
		out, err := f.IAM.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: aws.String("tagged")})
		if err != nil {
			t.Fatalf("GetInstanceProfile: %v", err)
		}
		if out.InstanceProfile.Tags == nil || len(out.InstanceProfile.Tags) != 0 {
			t.Errorf("Tags = %v, want an empty list", out.InstanceProfile.Tags)
		}
	})
	t.Run("TagInstanceProfile and UntagInstanceProfile", func(t *testing.T) {
		if _, err := f.IAM.TagInstanceProfile(ctx, &iam.TagInstanceProfileInput{InstanceProfileName: aws.String("tagged"),
			Tags: []types.Tag{{Key: aws.String("MyKey"), Value: aws.String("myValue")}, {Key: aws.String("MyKey2"), Value: aws.String("myValue2")}}}); err != nil {
			t.Fatalf("TagInstanceProfile: %v", err)
		}
		if got := list(t); got != "MyKey=myValue,MyKey2=myValue2" {
			t.Errorf("tags = %s, want MyKey=myValue,MyKey2=myValue2", got)
		}
		if _, err := f.IAM.UntagInstanceProfile(ctx, &iam.UntagInstanceProfileInput{InstanceProfileName: aws.String("tagged"), TagKeys: []string{"mykey"}}); err != nil {
			t.Fatalf("UntagInstanceProfile: %v", err)
		}
		if got := list(t); got != "MyKey2=myValue2" {
			t.Errorf("tags = %s, want MyKey2=myValue2", got)
		}
	})
	t.Run("more than 50 tags are refused", func(t *testing.T) {
		var many []types.Tag
		for i := range 50 {
			many = append(many, types.Tag{Key: aws.String(fmt.Sprintf("k%d", i)), Value: aws.String("v")})
		}
		_, err := f.IAM.TagInstanceProfile(ctx, &iam.TagInstanceProfileInput{InstanceProfileName: aws.String("tagged"), Tags: many})
		wantError(t, "TagInstanceProfile to 51 tags", err, "LimitExceeded", "Cannot exceed quota for TagsPerInstanceProfile: 50", 409)
	})
}
