package iam_test

import (
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/sagebox/sagebox/internal/app"
)

// The account every test fixture serves, and its root ARN.
const (
	testAccount = "000000000000"
	rootARN     = "arn:aws:iam::" + testAccount + ":root"
)

// createUser makes a user for a test's scene, failing the test when IAM refuses.
func createUser(t *testing.T, f *fixture, name string) *types.User {
	t.Helper()
	out, err := f.IAM.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)})
	if err != nil {
		t.Fatalf("CreateUser(%s): %v", name, err)
	}
	return out.User
}

// createKey makes an access key for the user.
func createKey(t *testing.T, f *fixture, userName string) *types.AccessKey {
	t.Helper()
	out, err := f.IAM.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(userName)})
	if err != nil {
		t.Fatalf("CreateAccessKey(%s): %v", userName, err)
	}
	return out.AccessKey
}

// clientsOf returns IAM and STS clients that sign with the key.
func clientsOf(f *fixture, k *types.AccessKey) (*iam.Client, *sts.Client) {
	cfg := f.Config(aws.ToString(k.AccessKeyId), aws.ToString(k.SecretAccessKey), "")
	return iam.NewFromConfig(cfg), sts.NewFromConfig(cfg)
}

// userNames returns the names of users in order.
func userNames(users []types.User) []string {
	out := make([]string, len(users))
	for i, u := range users {
		out[i] = aws.ToString(u.UserName)
	}
	return out
}

// skipUnlessImplemented skips a test whose scene needs an operation another part of IAM has not landed yet, and
// fails it for any other error.
func skipUnlessImplemented(t *testing.T, what string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	if code, _, _ := apiError(t, err); code == "NotImplemented" {
		t.Skipf("%s is not implemented yet", what)
	}
	t.Fatalf("%s: %v", what, err)
}

func TestUserLifecycle(t *testing.T) {
	f := start(t)
	before := time.Now().Add(-time.Minute)
	created, err := f.IAM.CreateUser(ctx, &iam.CreateUserInput{
		UserName: aws.String("Alice"),
		Path:     aws.String("/engineering/"),
		Tags:     []types.Tag{{Key: aws.String("team"), Value: aws.String("ml")}},
	})
	if err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	u := created.User
	id := aws.ToString(u.UserId)

	t.Run("CreateUser answers the user with an AIDA id, its ARN and its tags", func(t *testing.T) {
		if !strings.HasPrefix(id, "AIDA") || len(id) != 21 {
			t.Errorf("UserId = %q, want AIDA and 17 more characters", id)
		}
		if got, want := aws.ToString(u.Arn), "arn:aws:iam::"+testAccount+":user/engineering/Alice"; got != want {
			t.Errorf("Arn = %q, want %q", got, want)
		}
		if aws.ToString(u.Path) != "/engineering/" || aws.ToString(u.UserName) != "Alice" {
			t.Errorf("Path, UserName = %q, %q; want /engineering/, Alice", aws.ToString(u.Path), aws.ToString(u.UserName))
		}
		if u.CreateDate == nil || u.CreateDate.Before(before) {
			t.Errorf("CreateDate = %v, want about now", u.CreateDate)
		}
		if len(u.Tags) != 1 || aws.ToString(u.Tags[0].Key) != "team" {
			t.Errorf("Tags = %v, want team=ml", u.Tags)
		}
	})

	t.Run("GetUser answers the same user", func(t *testing.T) {
		got, err := f.IAM.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("alice")})
		if err != nil {
			t.Fatalf("GetUser: %v", err)
		}
		if aws.ToString(got.User.UserId) != id || aws.ToString(got.User.UserName) != "Alice" || got.User.PermissionsBoundary != nil {
			t.Errorf("GetUser(alice) = %+v, want Alice %s without a boundary", got.User, id)
		}
	})

	t.Run("a name taken in another case is refused", func(t *testing.T) {
		_, err := f.IAM.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("ALICE")})
		wantError(t, "CreateUser(ALICE)", err, "EntityAlreadyExists", "User with name ALICE already exists.", 409)
	})

	t.Run("an unknown user is NoSuchEntity", func(t *testing.T) {
		_, err := f.IAM.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("nobody")})
		wantError(t, "GetUser(nobody)", err, "NoSuchEntity", "The user with name nobody cannot be found.", 404)
		_, err = f.IAM.UpdateUser(ctx, &iam.UpdateUserInput{UserName: aws.String("nobody"), NewUserName: aws.String("somebody")})
		wantError(t, "UpdateUser(nobody)", err, "NoSuchEntity", "The user with name nobody cannot be found.", 404)
		_, err = f.IAM.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("nobody")})
		wantError(t, "DeleteUser(nobody)", err, "NoSuchEntity", "The user with name nobody cannot be found.", 404)
	})

	t.Run("UpdateUser renames and moves the user and keeps its id", func(t *testing.T) {
		_, err := f.IAM.UpdateUser(ctx, &iam.UpdateUserInput{UserName: aws.String("Alice"), NewUserName: aws.String("Alicia"), NewPath: aws.String("/research/")})
		if err != nil {
			t.Fatalf("UpdateUser: %v", err)
		}
		got, err := f.IAM.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("Alicia")})
		if err != nil {
			t.Fatalf("GetUser(Alicia): %v", err)
		}
		if aws.ToString(got.User.UserId) != id || aws.ToString(got.User.Arn) != "arn:aws:iam::"+testAccount+":user/research/Alicia" {
			t.Errorf("GetUser(Alicia) = %s %s, want %s arn:aws:iam::%s:user/research/Alicia", aws.ToString(got.User.UserId), aws.ToString(got.User.Arn), id, testAccount)
		}
		if len(got.User.Tags) != 1 {
			t.Errorf("the renamed user's tags = %v, want its tag kept", got.User.Tags)
		}
		_, err = f.IAM.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("Alice")})
		wantError(t, "GetUser(Alice) after the rename", err, "NoSuchEntity", "The user with name Alice cannot be found.", 404)
	})

	t.Run("a rename to a taken name is refused", func(t *testing.T) {
		createUser(t, f, "bob")
		_, err := f.IAM.UpdateUser(ctx, &iam.UpdateUserInput{UserName: aws.String("Alicia"), NewUserName: aws.String("Bob")})
		wantError(t, "UpdateUser(Alicia → Bob)", err, "EntityAlreadyExists", "User with name Bob already exists.", 409)
		if _, err := f.IAM.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("Alicia")}); err != nil {
			t.Errorf("GetUser(Alicia) after the refused rename: %v", err)
		}
	})

	t.Run("DeleteUser deletes", func(t *testing.T) {
		if _, err := f.IAM.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("alicia")}); err != nil {
			t.Fatalf("DeleteUser: %v", err)
		}
		_, err := f.IAM.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("Alicia")})
		wantError(t, "GetUser after DeleteUser", err, "NoSuchEntity", "The user with name Alicia cannot be found.", 404)
	})
}

func TestUserGetCaller(t *testing.T) {
	f := start(t)

	t.Run("the root user without a name gets the account's id and root ARN", func(t *testing.T) {
		out, err := f.IAM.GetUser(ctx, &iam.GetUserInput{})
		if err != nil {
			t.Fatalf("GetUser: %v", err)
		}
		u := out.User
		if aws.ToString(u.UserId) != testAccount || aws.ToString(u.Arn) != rootARN {
			t.Errorf("GetUser() = %s %s, want %s %s", aws.ToString(u.UserId), aws.ToString(u.Arn), testAccount, rootARN)
		}
		if u.CreateDate == nil || u.CreateDate.IsZero() || u.CreateDate.After(time.Now().Add(time.Minute)) {
			t.Errorf("CreateDate = %v, want the account's creation", u.CreateDate)
		}
		if u.UserName != nil || u.Path != nil {
			t.Errorf("UserName, Path = %q, %q; want both absent, as AWS answers for root", aws.ToString(u.UserName), aws.ToString(u.Path))
		}
	})

	t.Run("a user without a name is asked about as itself", func(t *testing.T) {
		createUser(t, f, "carol")
		k := createKey(t, f, "carol")
		asCarol, _ := clientsOf(f, k)
		// No policy lets carol read herself yet: the denial names the resource she asked about.
		_, err := asCarol.GetUser(ctx, &iam.GetUserInput{})
		userARN := "arn:aws:iam::" + testAccount + ":user/carol"
		wantError(t, "GetUser as carol", err, "AccessDenied",
			"User: "+userARN+" is not authorized to perform: iam:GetUser on resource: "+userARN+" because no identity-based policy allows the iam:GetUser action", 403)
	})
}

func TestUserList(t *testing.T) {
	f := start(t)
	for _, n := range []string{"e", "C", "a", "d", "B"} {
		createUser(t, f, n)
	}
	if _, err := f.IAM.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("x"), Path: aws.String("/ops/")}); err != nil {
		t.Fatal(err)
	}

	t.Run("pages of 2 visit every user once, in name order", func(t *testing.T) {
		var seen []string
		var marker *string
		for pages := 0; ; pages++ {
			if pages > 5 {
				t.Fatalf("ListUsers kept answering pages: %v", seen)
			}
			out, err := f.IAM.ListUsers(ctx, &iam.ListUsersInput{MaxItems: aws.Int32(2), Marker: marker})
			if err != nil {
				t.Fatalf("ListUsers: %v", err)
			}
			if len(out.Users) > 2 {
				t.Errorf("a page has %d users, want at most 2", len(out.Users))
			}
			for _, u := range out.Users {
				if u.Tags != nil || u.PermissionsBoundary != nil {
					t.Errorf("ListUsers shows %s with tags or a boundary, which AWS leaves to GetUser", aws.ToString(u.UserName))
				}
			}
			seen = append(seen, userNames(out.Users)...)
			if !out.IsTruncated {
				if out.Marker != nil {
					t.Errorf("the last page has Marker %q", *out.Marker)
				}
				break
			}
			marker = out.Marker
		}
		if got, want := strings.Join(seen, ","), "a,B,C,d,e,x"; got != want {
			t.Errorf("ListUsers pages = %s, want %s", got, want)
		}
	})

	t.Run("PathPrefix keeps the users under the path", func(t *testing.T) {
		out, err := f.IAM.ListUsers(ctx, &iam.ListUsersInput{PathPrefix: aws.String("/ops/")})
		if err != nil {
			t.Fatalf("ListUsers: %v", err)
		}
		if got := strings.Join(userNames(out.Users), ","); got != "x" {
			t.Errorf("ListUsers(/ops/) = %s, want x", got)
		}
	})

	t.Run("a Marker that IAM did not make is refused", func(t *testing.T) {
		_, err := f.IAM.ListUsers(ctx, &iam.ListUsersInput{Marker: aws.String("!!")})
		wantError(t, "ListUsers(Marker !!)", err, "InvalidInput", "Invalid Marker.", 400)
	})
}

func TestUserTags(t *testing.T) {
	f := start(t)
	createUser(t, f, "dave")
	tags := func(t *testing.T) string {
		t.Helper()
		out, err := f.IAM.ListUserTags(ctx, &iam.ListUserTagsInput{UserName: aws.String("dave")})
		if err != nil {
			t.Fatalf("ListUserTags: %v", err)
		}
		var s []string
		for _, tg := range out.Tags {
			s = append(s, aws.ToString(tg.Key)+"="+aws.ToString(tg.Value))
		}
		return strings.Join(s, ",")
	}
	tag := func(kv ...string) []types.Tag {
		var out []types.Tag
		for i := 0; i < len(kv); i += 2 {
			out = append(out, types.Tag{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
		}
		return out
	}

	t.Run("TagUser adds tags and replaces a key in any case", func(t *testing.T) {
		if _, err := f.IAM.TagUser(ctx, &iam.TagUserInput{UserName: aws.String("dave"), Tags: tag("Team", "ml", "env", "dev")}); err != nil {
			t.Fatalf("TagUser: %v", err)
		}
		if _, err := f.IAM.TagUser(ctx, &iam.TagUserInput{UserName: aws.String("dave"), Tags: tag("team", "data")}); err != nil {
			t.Fatalf("TagUser: %v", err)
		}
		if got, want := tags(t), "team=data,env=dev"; got != want {
			t.Errorf("ListUserTags = %s, want %s", got, want)
		}
	})

	t.Run("UntagUser removes keys in any case", func(t *testing.T) {
		if _, err := f.IAM.UntagUser(ctx, &iam.UntagUserInput{UserName: aws.String("dave"), TagKeys: []string{"ENV", "absent"}}); err != nil {
			t.Fatalf("UntagUser: %v", err)
		}
		if got, want := tags(t), "team=data"; got != want {
			t.Errorf("ListUserTags = %s, want %s", got, want)
		}
	})

	t.Run("a request with one key twice is refused", func(t *testing.T) {
		_, err := f.IAM.TagUser(ctx, &iam.TagUserInput{UserName: aws.String("dave"), Tags: tag("a", "1", "A", "2")})
		wantError(t, "TagUser(a, A)", err, "InvalidInput", "Duplicate tag keys found. Please note that Tag keys are case insensitive.", 400)
	})

	t.Run("more than 50 tags are refused", func(t *testing.T) {
		var kv []string
		for i := range 50 {
			kv = append(kv, fmt.Sprintf("k%02d", i), "v")
		}
		_, err := f.IAM.TagUser(ctx, &iam.TagUserInput{UserName: aws.String("dave"), Tags: tag(kv...)})
		wantError(t, "TagUser(50 more)", err, "LimitExceeded", "Cannot exceed quota for TagsPerUser: 50", 409)
		if got, want := tags(t), "team=data"; got != want {
			t.Errorf("ListUserTags after the refusal = %s, want %s", got, want)
		}
	})

	t.Run("an unknown user is NoSuchEntity", func(t *testing.T) {
		_, err := f.IAM.TagUser(ctx, &iam.TagUserInput{UserName: aws.String("nobody"), Tags: tag("a", "b")})
		wantError(t, "TagUser(nobody)", err, "NoSuchEntity", "The user with name nobody cannot be found.", 404)
		_, err = f.IAM.UntagUser(ctx, &iam.UntagUserInput{UserName: aws.String("nobody"), TagKeys: []string{"a"}})
		wantError(t, "UntagUser(nobody)", err, "NoSuchEntity", "The user with name nobody cannot be found.", 404)
		_, err = f.IAM.ListUserTags(ctx, &iam.ListUserTagsInput{UserName: aws.String("nobody")})
		wantError(t, "ListUserTags(nobody)", err, "NoSuchEntity", "The user with name nobody cannot be found.", 404)
	})
}

func TestUserPermissionsBoundary(t *testing.T) {
	f := start(t)
	const boundary = "arn:aws:iam::aws:policy/ReadOnlyAccess"
	out, err := f.IAM.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("erin"), PermissionsBoundary: aws.String(boundary)})
	if err != nil {
		t.Fatalf("CreateUser with a boundary: %v", err)
	}
	for what, u := range map[string]*types.User{"CreateUser": out.User, "GetUser": getUser(t, f, "erin")} {
		b := u.PermissionsBoundary
		if b == nil || aws.ToString(b.PermissionsBoundaryArn) != boundary || b.PermissionsBoundaryType != "Policy" {
			t.Errorf("%s shows the boundary %+v, want %s of type Policy", what, b, boundary)
		}
	}
}

func getUser(t *testing.T, f *fixture, name string) *types.User {
	t.Helper()
	out, err := f.IAM.GetUser(ctx, &iam.GetUserInput{UserName: aws.String(name)})
	if err != nil {
		t.Fatalf("GetUser(%s): %v", name, err)
	}
	return out.User
}

func TestUserDeleteConflict(t *testing.T) {
	f := start(t)
	cases := []struct {
		name  string
		scene func(t *testing.T, user string)
		undo  func(t *testing.T, user string)
		want  string
	}{
		{
			name:  "an access key",
			scene: func(t *testing.T, user string) { createKey(t, f, user) },
			undo: func(t *testing.T, user string) {
				keys, err := f.IAM.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String(user)})
				if err != nil {
					t.Fatal(err)
				}
				for _, k := range keys.AccessKeyMetadata {
					if _, err := f.IAM.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String(user), AccessKeyId: k.AccessKeyId}); err != nil {
						t.Fatal(err)
					}
				}
			},
			want: "Cannot delete entity, must delete access keys first.",
		},
		{
			name: "a login profile",
			scene: func(t *testing.T, user string) {
				if _, err := f.IAM.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String(user), Password: aws.String("Corr3ct-horse")}); err != nil {
					t.Fatal(err)
				}
			},
			undo: func(t *testing.T, user string) {
				if _, err := f.IAM.DeleteLoginProfile(ctx, &iam.DeleteLoginProfileInput{UserName: aws.String(user)}); err != nil {
					t.Fatal(err)
				}
			},
			want: "Cannot delete entity, must delete login profile first.",
		},
		{
			name: "an attached policy",
			scene: func(t *testing.T, user string) {
				_, err := f.IAM.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String(user), PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")})
				skipUnlessImplemented(t, "AttachUserPolicy", err)
			},
			undo: func(t *testing.T, user string) {
				if _, err := f.IAM.DetachUserPolicy(ctx, &iam.DetachUserPolicyInput{UserName: aws.String(user), PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")}); err != nil {
					t.Fatal(err)
				}
			},
			want: "Cannot delete entity, must detach all policies first.",
		},
		{
			name: "an inline policy",
			scene: func(t *testing.T, user string) {
				_, err := f.IAM.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(user), PolicyName: aws.String("p"),
					PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`)})
				skipUnlessImplemented(t, "PutUserPolicy", err)
			},
			undo: func(t *testing.T, user string) {
				if _, err := f.IAM.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String(user), PolicyName: aws.String("p")}); err != nil {
					t.Fatal(err)
				}
			},
			want: "Cannot delete entity, must delete policies first.",
		},
		{
			name: "a group",
			scene: func(t *testing.T, user string) {
				if _, err := f.IAM.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("g-" + user)}); err != nil {
					t.Fatal(err)
				}
				if _, err := f.IAM.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("g-" + user), UserName: aws.String(user)}); err != nil {
					t.Fatal(err)
				}
			},
			undo: func(t *testing.T, user string) {
				if _, err := f.IAM.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{GroupName: aws.String("g-" + user), UserName: aws.String(user)}); err != nil {
					t.Fatal(err)
				}
			},
			want: "Cannot delete entity, must remove users from group first.",
		},
	}
	for i, c := range cases {
		t.Run("a user with "+c.name+" is kept", func(t *testing.T) {
			user := fmt.Sprintf("user%d", i)
			createUser(t, f, user)
			c.scene(t, user)
			_, err := f.IAM.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String(user)})
			wantError(t, "DeleteUser", err, "DeleteConflict", c.want, 409)
			getUser(t, f, user)
			c.undo(t, user)
			if _, err := f.IAM.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String(user)}); err != nil {
				t.Errorf("DeleteUser after removing %s: %v", c.name, err)
			}
		})
	}

	t.Run("access keys are named before the login profile", func(t *testing.T) {
		createUser(t, f, "both")
		createKey(t, f, "both")
		if _, err := f.IAM.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("both"), Password: aws.String("Corr3ct-horse")}); err != nil {
			t.Fatal(err)
		}
		_, err := f.IAM.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("both")})
		wantError(t, "DeleteUser", err, "DeleteConflict", "Cannot delete entity, must delete access keys first.", 409)
	})
}

// restartConfig is the configuration of a sagebox that keeps its state in dir.
func restartConfig(dir string) app.Config {
	cfg := app.Defaults()
	cfg.DataDir = dir
	cfg.LifecycleScale = 0
	cfg.Log = slog.New(slog.DiscardHandler)
	return cfg
}
