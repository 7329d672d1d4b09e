package iam_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// createGroup makes a group for a test's scene.
func createGroup(t *testing.T, f *fixture, name string) *types.Group {
	t.Helper()
	out, err := f.IAM.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String(name)})
	if err != nil {
		t.Fatalf("CreateGroup(%s): %v", name, err)
	}
	return out.Group
}

func addToGroup(t *testing.T, f *fixture, group, user string) {
	t.Helper()
	if _, err := f.IAM.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String(group), UserName: aws.String(user)}); err != nil {
		t.Fatalf("AddUserToGroup(%s, %s): %v", group, user, err)
	}
}

// groupMembers answers the names of the group's users, from one GetGroup.
func groupMembers(t *testing.T, f *fixture, group string) string {
	t.Helper()
	out, err := f.IAM.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String(group)})
	if err != nil {
		t.Fatalf("GetGroup(%s): %v", group, err)
	}
	return strings.Join(userNames(out.Users), ",")
}

// groupsOf answers the names of the user's groups, from one ListGroupsForUser.
func groupsOf(t *testing.T, f *fixture, user string) string {
	t.Helper()
	out, err := f.IAM.ListGroupsForUser(ctx, &iam.ListGroupsForUserInput{UserName: aws.String(user)})
	if err != nil {
		t.Fatalf("ListGroupsForUser(%s): %v", user, err)
	}
	return strings.Join(groupNames(out.Groups), ",")
}

func groupNames(groups []types.Group) []string {
	out := make([]string, len(groups))
	for i, g := range groups {
		out[i] = aws.ToString(g.GroupName)
	}
	return out
}

func TestGroupLifecycle(t *testing.T) {
	f := start(t)
	out, err := f.IAM.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("Admins"), Path: aws.String("/ops/")})
	if err != nil {
		t.Fatalf("CreateGroup: %v", err)
	}
	g := out.Group
	id := aws.ToString(g.GroupId)
	createUser(t, f, "rita")
	createUser(t, f, "sam")

	t.Run("CreateGroup answers an AGPA id and the ARN with the path", func(t *testing.T) {
		if !strings.HasPrefix(id, "AGPA") || len(id) != 21 {
			t.Errorf("GroupId = %q, want AGPA and 17 more characters", id)
		}
		if got, want := aws.ToString(g.Arn), "arn:aws:iam::"+testAccount+":group/ops/Admins"; got != want {
			t.Errorf("Arn = %q, want %q", got, want)
		}
		if g.CreateDate == nil {
			t.Error("CreateDate is missing")
		}
	})

	t.Run("a name taken in another case is refused", func(t *testing.T) {
		_, err := f.IAM.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("admins")})
		wantError(t, "CreateGroup(admins)", err, "EntityAlreadyExists", "Group with name admins already exists.", 409)
	})

	t.Run("members are added once, however often they are added", func(t *testing.T) {
		addToGroup(t, f, "admins", "sam")
		addToGroup(t, f, "Admins", "rita")
		addToGroup(t, f, "Admins", "RITA")
		if got := groupMembers(t, f, "Admins"); got != "rita,sam" {
			t.Errorf("GetGroup(Admins) users = %s, want rita,sam", got)
		}
		if got := groupsOf(t, f, "rita"); got != "Admins" {
			t.Errorf("ListGroupsForUser(rita) = %s, want Admins", got)
		}
	})

	t.Run("GetGroup answers the group with its members", func(t *testing.T) {
		out, err := f.IAM.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String("admins")})
		if err != nil {
			t.Fatalf("GetGroup: %v", err)
		}
		if aws.ToString(out.Group.GroupId) != id || aws.ToString(out.Group.GroupName) != "Admins" || out.IsTruncated {
			t.Errorf("GetGroup = %+v truncated %t, want Admins %s, not truncated", out.Group, out.IsTruncated, id)
		}
	})

	t.Run("a group with members is kept", func(t *testing.T) {
		_, err := f.IAM.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: aws.String("Admins")})
		wantError(t, "DeleteGroup(Admins)", err, "DeleteConflict", "Cannot delete entity, must remove users from group first.", 409)
	})

	t.Run("UpdateGroup renames the group, keeps its id and its members", func(t *testing.T) {
		if _, err := f.IAM.UpdateGroup(ctx, &iam.UpdateGroupInput{GroupName: aws.String("Admins"), NewGroupName: aws.String("Operators"), NewPath: aws.String("/")}); err != nil {
			t.Fatalf("UpdateGroup: %v", err)
		}
		out, err := f.IAM.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String("operators")})
		if err != nil {
			t.Fatalf("GetGroup(operators): %v", err)
		}
		if aws.ToString(out.Group.GroupId) != id || aws.ToString(out.Group.Arn) != "arn:aws:iam::"+testAccount+":group/Operators" {
			t.Errorf("GetGroup(operators) = %s %s, want %s arn:aws:iam::%s:group/Operators", aws.ToString(out.Group.GroupId), aws.ToString(out.Group.Arn), id, testAccount)
		}
		if got := strings.Join(userNames(out.Users), ","); got != "rita,sam" {
			t.Errorf("the renamed group's users = %s, want rita,sam", got)
		}
		if got := groupsOf(t, f, "sam"); got != "Operators" {
			t.Errorf("ListGroupsForUser(sam) = %s, want Operators", got)
		}
		_, err = f.IAM.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String("Admins")})
		wantError(t, "GetGroup(Admins) after the rename", err, "NoSuchEntity", "The group with name Admins cannot be found.", 404)
	})

	t.Run("a rename to a taken name is refused", func(t *testing.T) {
		createGroup(t, f, "devs")
		_, err := f.IAM.UpdateGroup(ctx, &iam.UpdateGroupInput{GroupName: aws.String("Operators"), NewGroupName: aws.String("Devs")})
		wantError(t, "UpdateGroup(Operators → Devs)", err, "EntityAlreadyExists", "Group with name Devs already exists.", 409)
		if got := groupsOf(t, f, "rita"); got != "Operators" {
			t.Errorf("ListGroupsForUser(rita) after the refused rename = %s, want Operators", got)
		}
	})

	t.Run("RemoveUserFromGroup removes, and removing a non-member succeeds", func(t *testing.T) {
		for range 2 {
			if _, err := f.IAM.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{GroupName: aws.String("Operators"), UserName: aws.String("rita")}); err != nil {
				t.Fatalf("RemoveUserFromGroup: %v", err)
			}
		}
		if got := groupMembers(t, f, "Operators"); got != "sam" {
			t.Errorf("GetGroup(Operators) users = %s, want sam", got)
		}
		if got := groupsOf(t, f, "rita"); got != "" {
			t.Errorf("ListGroupsForUser(rita) = %s, want none", got)
		}
	})

	t.Run("DeleteGroup deletes an empty group", func(t *testing.T) {
		if _, err := f.IAM.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{GroupName: aws.String("Operators"), UserName: aws.String("sam")}); err != nil {
			t.Fatalf("RemoveUserFromGroup: %v", err)
		}
		if _, err := f.IAM.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: aws.String("Operators")}); err != nil {
			t.Fatalf("DeleteGroup: %v", err)
		}
		_, err := f.IAM.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String("Operators")})
		wantError(t, "GetGroup after DeleteGroup", err, "NoSuchEntity", "The group with name Operators cannot be found.", 404)
	})
}

func TestGroupErrors(t *testing.T) {
	f := start(t)
	createGroup(t, f, "g")
	createUser(t, f, "tom")
	const noGroup, noUser = "The group with name nogroup cannot be found.", "The user with name nobody cannot be found."
	cases := []struct {
		name    string
		call    func() error
		message string
	}{
		{"GetGroup of an unknown group", func() error {
			_, err := f.IAM.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String("nogroup")})
			return err
		}, noGroup},
		{"UpdateGroup of an unknown group", func() error {
			_, err := f.IAM.UpdateGroup(ctx, &iam.UpdateGroupInput{GroupName: aws.String("nogroup"), NewGroupName: aws.String("x")})
			return err
		}, noGroup},
		{"DeleteGroup of an unknown group", func() error {
			_, err := f.IAM.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: aws.String("nogroup")})
			return err
		}, noGroup},
		{"AddUserToGroup to an unknown group", func() error {
			_, err := f.IAM.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("nogroup"), UserName: aws.String("tom")})
			return err
		}, noGroup},
		{"AddUserToGroup of an unknown user", func() error {
			_, err := f.IAM.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("g"), UserName: aws.String("nobody")})
			return err
		}, noUser},
		{"RemoveUserFromGroup from an unknown group", func() error {
			_, err := f.IAM.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{GroupName: aws.String("nogroup"), UserName: aws.String("tom")})
			return err
		}, noGroup},
		{"RemoveUserFromGroup of an unknown user", func() error {
			_, err := f.IAM.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{GroupName: aws.String("g"), UserName: aws.String("nobody")})
			return err
		}, noUser},
		{"ListGroupsForUser of an unknown user", func() error {
			_, err := f.IAM.ListGroupsForUser(ctx, &iam.ListGroupsForUserInput{UserName: aws.String("nobody")})
			return err
		}, noUser},
	}
	for _, c := range cases {
		t.Run(c.name+" is NoSuchEntity", func(t *testing.T) {
			wantError(t, c.name, c.call(), "NoSuchEntity", c.message, 404)
		})
	}

	t.Run("a user may be in at most 10 groups", func(t *testing.T) {
		for i := range 10 {
			name := fmt.Sprintf("q%02d", i)
			createGroup(t, f, name)
			addToGroup(t, f, name, "tom")
		}
		_, err := f.IAM.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("g"), UserName: aws.String("tom")})
		wantError(t, "an 11th AddUserToGroup", err, "LimitExceeded", "Cannot exceed quota for GroupsPerUser: 10", 409)
		addToGroup(t, f, "q03", "tom")
	})
}

func TestGroupDeleteConflictPolicies(t *testing.T) {
	f := start(t)
	const readOnly = "arn:aws:iam::aws:policy/ReadOnlyAccess"

	t.Run("a group with an attached policy is kept", func(t *testing.T) {
		createGroup(t, f, "attached")
		_, err := f.IAM.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("attached"), PolicyArn: aws.String(readOnly)})
		skipUnlessImplemented(t, "AttachGroupPolicy", err)
		_, err = f.IAM.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: aws.String("attached")})
		wantError(t, "DeleteGroup", err, "DeleteConflict", "Cannot delete entity, must detach all policies first.", 409)
	})

	t.Run("a group with an inline policy is kept", func(t *testing.T) {
		createGroup(t, f, "inline")
		_, err := f.IAM.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("inline"), PolicyName: aws.String("p"),
			PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`)})
		skipUnlessImplemented(t, "PutGroupPolicy", err)
		_, err = f.IAM.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: aws.String("inline")})
		wantError(t, "DeleteGroup", err, "DeleteConflict", "Cannot delete entity, must delete policies first.", 409)
	})
}

func TestGroupPagination(t *testing.T) {
	f := start(t)
	names := []string{"e", "C", "a", "d", "B"}
	for _, n := range names {
		createGroup(t, f, "g-"+n)
		createUser(t, f, "u-"+n)
	}
	for _, n := range names {
		addToGroup(t, f, "g-a", "u-"+n)
		if n != "a" {
			addToGroup(t, f, "g-"+n, "u-a")
		}
	}
	// walk pages through a list with page, which answers one page's names, whether it is truncated and the next
	// Marker, and returns every name seen in order.
	walk := func(t *testing.T, what string, page func(marker *string) ([]string, bool, *string, error)) string {
		t.Helper()
		var seen []string
		var marker *string
		for pages := 0; ; pages++ {
			if pages > 5 {
				t.Fatalf("%s kept answering pages: %v", what, seen)
			}
			names, truncated, next, err := page(marker)
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			if len(names) > 2 {
				t.Errorf("a page of %s has %d entries, want at most 2", what, len(names))
			}
			seen = append(seen, names...)
			if !truncated {
				if next != nil {
					t.Errorf("the last page of %s has Marker %q", what, *next)
				}
				return strings.Join(seen, ",")
			}
			if next == nil {
				t.Fatalf("a truncated page of %s has no Marker", what)
			}
			marker = next
		}
	}

	t.Run("ListGroups in pages of 2 visits every group once", func(t *testing.T) {
		got := walk(t, "ListGroups", func(m *string) ([]string, bool, *string, error) {
			out, err := f.IAM.ListGroups(ctx, &iam.ListGroupsInput{MaxItems: aws.Int32(2), Marker: m})
			if err != nil {
				return nil, false, nil, err
			}
			return groupNames(out.Groups), out.IsTruncated, out.Marker, nil
		})
		if want := "g-a,g-B,g-C,g-d,g-e"; got != want {
			t.Errorf("ListGroups pages = %s, want %s", got, want)
		}
	})

	t.Run("GetGroup in pages of 2 visits every member once", func(t *testing.T) {
		got := walk(t, "GetGroup", func(m *string) ([]string, bool, *string, error) {
			out, err := f.IAM.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String("g-a"), MaxItems: aws.Int32(2), Marker: m})
			if err != nil {
				return nil, false, nil, err
			}
			return userNames(out.Users), out.IsTruncated, out.Marker, nil
		})
		if want := "u-a,u-B,u-C,u-d,u-e"; got != want {
			t.Errorf("GetGroup pages = %s, want %s", got, want)
		}
	})

	t.Run("ListGroupsForUser in pages of 2 visits every group once", func(t *testing.T) {
		got := walk(t, "ListGroupsForUser", func(m *string) ([]string, bool, *string, error) {
			out, err := f.IAM.ListGroupsForUser(ctx, &iam.ListGroupsForUserInput{UserName: aws.String("u-a"), MaxItems: aws.Int32(2), Marker: m})
			if err != nil {
				return nil, false, nil, err
			}
			return groupNames(out.Groups), out.IsTruncated, out.Marker, nil
		})
		if want := "g-a,g-B,g-C,g-d,g-e"; got != want {
			t.Errorf("ListGroupsForUser pages = %s, want %s", got, want)
		}
	})

	t.Run("ListGroups with a PathPrefix keeps the groups under it", func(t *testing.T) {
		if _, err := f.IAM.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("z"), Path: aws.String("/team/")}); err != nil {
			t.Fatal(err)
		}
		out, err := f.IAM.ListGroups(ctx, &iam.ListGroupsInput{PathPrefix: aws.String("/team/")})
		if err != nil {
			t.Fatalf("ListGroups: %v", err)
		}
		if got := strings.Join(groupNames(out.Groups), ","); got != "z" {
			t.Errorf("ListGroups(/team/) = %s, want z", got)
		}
	})
}
