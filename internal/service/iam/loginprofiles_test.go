package iam_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/sagebox/sagebox/internal/authn"
	"github.com/sagebox/sagebox/internal/ids"
	sbiam "github.com/sagebox/sagebox/internal/service/iam"
	"github.com/sagebox/sagebox/internal/store"
	"github.com/sagebox/sagebox/internal/store/sqlite"
)

// A password that meets AWS's default policy.
const goodPassword = "Corr3ct-horse"

func TestLoginProfileLifecycle(t *testing.T) {
	f := start(t)
	createUser(t, f, "nina")
	before := time.Now().Add(-time.Minute)

	t.Run("CreateLoginProfile answers the profile without the password", func(t *testing.T) {
		out, err := f.IAM.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("nina"), Password: aws.String(goodPassword), PasswordResetRequired: true})
		if err != nil {
			t.Fatalf("CreateLoginProfile: %v", err)
		}
		p := out.LoginProfile
		if aws.ToString(p.UserName) != "nina" || !p.PasswordResetRequired || p.CreateDate == nil || p.CreateDate.Before(before) {
			t.Errorf("LoginProfile = %s reset %t created %v, want nina, true, now", aws.ToString(p.UserName), p.PasswordResetRequired, p.CreateDate)
		}
	})

	t.Run("GetLoginProfile answers it", func(t *testing.T) {
		out, err := f.IAM.GetLoginProfile(ctx, &iam.GetLoginProfileInput{UserName: aws.String("NINA")})
		if err != nil {
			t.Fatalf("GetLoginProfile: %v", err)
		}
		if aws.ToString(out.LoginProfile.UserName) != "nina" || !out.LoginProfile.PasswordResetRequired {
			t.Errorf("GetLoginProfile = %s reset %t, want nina, true", aws.ToString(out.LoginProfile.UserName), out.LoginProfile.PasswordResetRequired)
		}
	})

	t.Run("a second profile is refused", func(t *testing.T) {
		_, err := f.IAM.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("nina"), Password: aws.String(goodPassword)})
		wantError(t, "CreateLoginProfile again", err, "EntityAlreadyExists", "Login Profile for user nina already exists.", 409)
	})

	t.Run("UpdateLoginProfile changes what it is given and keeps the rest", func(t *testing.T) {
		if _, err := f.IAM.UpdateLoginProfile(ctx, &iam.UpdateLoginProfileInput{UserName: aws.String("nina"), PasswordResetRequired: aws.Bool(false)}); err != nil {
			t.Fatalf("UpdateLoginProfile: %v", err)
		}
		if _, err := f.IAM.UpdateLoginProfile(ctx, &iam.UpdateLoginProfileInput{UserName: aws.String("nina"), Password: aws.String("An0ther-one")}); err != nil {
			t.Fatalf("UpdateLoginProfile: %v", err)
		}
		out, err := f.IAM.GetLoginProfile(ctx, &iam.GetLoginProfileInput{UserName: aws.String("nina")})
		if err != nil {
			t.Fatalf("GetLoginProfile: %v", err)
		}
		if out.LoginProfile.PasswordResetRequired {
			t.Errorf("PasswordResetRequired = true after it was cleared and the password changed, want false")
		}
	})

	t.Run("DeleteLoginProfile deletes it", func(t *testing.T) {
		if _, err := f.IAM.DeleteLoginProfile(ctx, &iam.DeleteLoginProfileInput{UserName: aws.String("nina")}); err != nil {
			t.Fatalf("DeleteLoginProfile: %v", err)
		}
		const gone = "Login Profile for User nina cannot be found."
		_, err := f.IAM.GetLoginProfile(ctx, &iam.GetLoginProfileInput{UserName: aws.String("nina")})
		wantError(t, "GetLoginProfile after the delete", err, "NoSuchEntity", gone, 404)
		_, err = f.IAM.DeleteLoginProfile(ctx, &iam.DeleteLoginProfileInput{UserName: aws.String("nina")})
		wantError(t, "DeleteLoginProfile again", err, "NoSuchEntity", gone, 404)
		_, err = f.IAM.UpdateLoginProfile(ctx, &iam.UpdateLoginProfileInput{UserName: aws.String("nina"), PasswordResetRequired: aws.Bool(true)})
		wantError(t, "UpdateLoginProfile without a profile", err, "NoSuchEntity", gone, 404)
	})

	t.Run("an unknown user is NoSuchEntity", func(t *testing.T) {
		const nobody = "The user with name nobody cannot be found."
		_, err := f.IAM.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("nobody"), Password: aws.String(goodPassword)})
		wantError(t, "CreateLoginProfile(nobody)", err, "NoSuchEntity", nobody, 404)
		_, err = f.IAM.GetLoginProfile(ctx, &iam.GetLoginProfileInput{UserName: aws.String("nobody")})
		wantError(t, "GetLoginProfile(nobody)", err, "NoSuchEntity", nobody, 404)
		_, err = f.IAM.UpdateLoginProfile(ctx, &iam.UpdateLoginProfileInput{UserName: aws.String("nobody")})
		wantError(t, "UpdateLoginProfile(nobody)", err, "NoSuchEntity", nobody, 404)
		_, err = f.IAM.DeleteLoginProfile(ctx, &iam.DeleteLoginProfileInput{UserName: aws.String("nobody")})
		wantError(t, "DeleteLoginProfile(nobody)", err, "NoSuchEntity", nobody, 404)
	})

	t.Run("the root user must name the user", func(t *testing.T) {
		_, err := f.IAM.GetLoginProfile(ctx, &iam.GetLoginProfileInput{})
		wantError(t, "GetLoginProfile as root without a name", err, "ValidationError", "Must specify userName when calling with non-User credentials", 400)
	})

	t.Run("a password left out is refused", func(t *testing.T) {
		_, err := f.IAM.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("nina")})
		wantError(t, "CreateLoginProfile without a password", err, "ValidationError", "", 400)
	})
}

func TestLoginProfilePasswordPolicy(t *testing.T) {
	f := start(t)
	createUser(t, f, "oscar")
	const (
		upper  = "Password should have at least one uppercase letter"
		lower  = "Password should have at least one lowercase letter"
		number = "Password should have at least one number"
		symbol = "Password should have at least one symbol"
	)
	cases := []struct {
		name, password, want string
	}{
		{"seven characters", "Ab1-xyz", "Password should have a minimum length of 8"},
		{"lowercase letters only", "abcdefghij", "Password should meet 2 more of the following requirements: " + upper + ", " + number + ", " + symbol},
		{"lowercase letters and numbers", "abcdef1234", "Password should meet 1 more of the following requirements: " + upper + ", " + symbol},
		{"uppercase letters and symbols", "ABCDEF!@#$", "Password should meet 1 more of the following requirements: " + lower + ", " + number},
		{"spaces and accents, which are no class", "aaaa bbbb ééé1", "Password should meet 1 more of the following requirements: " + upper + ", " + symbol},
	}
	for _, c := range cases {
		t.Run("a password of "+c.name+" is refused", func(t *testing.T) {
			_, err := f.IAM.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("oscar"), Password: aws.String(c.password)})
			wantError(t, "CreateLoginProfile("+c.password+")", err, "PasswordPolicyViolation", c.want, 400)
		})
	}

	t.Run("a password of three classes is taken, and UpdateLoginProfile checks the new one", func(t *testing.T) {
		if _, err := f.IAM.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("oscar"), Password: aws.String("lower+UPPER")}); err != nil {
			t.Fatalf("CreateLoginProfile(lower+UPPER): %v", err)
		}
		_, err := f.IAM.UpdateLoginProfile(ctx, &iam.UpdateLoginProfileInput{UserName: aws.String("oscar"), Password: aws.String("short")})
		wantError(t, "UpdateLoginProfile(short)", err, "PasswordPolicyViolation", "Password should have a minimum length of 8", 400)
	})
}

func TestLoginProfileCheckPassword(t *testing.T) {
	dir := t.TempDir()
	t.Run("a user gets a password", func(t *testing.T) {
		f := startWith(t, restartConfig(dir))
		createUser(t, f, "Paula")
		if _, err := f.IAM.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("Paula"), Password: aws.String(goodPassword)}); err != nil {
			t.Fatalf("CreateLoginProfile: %v", err)
		}
		createUser(t, f, "quinn")
	})
	st, err := sqlite.Open(ctx, filepath.Join(dir, "sagebox.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	tx, err := st.Begin(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()

	t.Run("the store keeps a hash, not the password", func(t *testing.T) {
		rec, err := tx.Get(store.Key{Scope: store.Scope{Account: testAccount, Kind: "iam.user"}, ID: "paula"})
		if err != nil {
			t.Fatalf("the stored user: %v", err)
		}
		if strings.Contains(string(rec.Doc), goodPassword) {
			t.Errorf("the stored user %s holds the password", rec.Doc)
		}
		if !strings.Contains(string(rec.Doc), `"hash"`) {
			t.Errorf("the stored user %s holds no hash", rec.Doc)
		}
	})

	svc := sbiam.New(authn.NewKeyRing(), ids.New(), nil)
	cases := []struct {
		name, user, password string
		want                 bool
	}{
		{"the password matches", "Paula", goodPassword, true},
		{"the user's name matches in any case", "paula", goodPassword, true},
		{"another password does not match", "Paula", "Corr3ct-horsE", false},
		{"a user without a profile has no password", "quinn", goodPassword, false},
		{"no such user has no password", "nobody", goodPassword, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := svc.CheckPassword(ctx, tx, testAccount, c.user, c.password)
			if err != nil || got != c.want {
				t.Errorf("CheckPassword(%s, %s) = %t, %v; want %t", c.user, c.password, got, err, c.want)
			}
		})
	}
}
