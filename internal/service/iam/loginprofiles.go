package iam

import (
	"context"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"strings"

	"github.com/sagebox/sagebox/internal/api"
	"github.com/sagebox/sagebox/internal/awserr"
	"github.com/sagebox/sagebox/internal/store"
)

// Login profiles: a user's console password. IAM keeps only a PBKDF2-SHA256 hash of it with a random salt; the
// password itself is never stored and never answered.

func (s *Service) registerLoginProfiles(h *api.ServiceHandlers) {
	api.Write(h, "CreateLoginProfile", s.createLoginProfile)
	api.Read(h, "GetLoginProfile", s.getLoginProfile)
	api.Write(h, "UpdateLoginProfile", s.updateLoginProfile)
	api.Write(h, "DeleteLoginProfile", s.deleteLoginProfile)
}

const (
	// passwordIterations is OWASP's recommendation for PBKDF2-HMAC-SHA256 (2023). Each profile stores its own
	// count, so that a later change leaves existing hashes verifiable.
	passwordIterations = 600_000
	passwordSaltBytes  = 16
	passwordHashBytes  = 32
)

// hashPassword returns a new login profile's hash and salt for password.
func hashPassword(password string) (*loginProfile, error) {
	salt := make([]byte, passwordSaltBytes)
	if _, err := rand.Read(salt); err != nil {
		return nil, err
	}
	hash, err := pbkdf2.Key(sha256.New, password, salt, passwordIterations, passwordHashBytes)
	if err != nil {
		return nil, err
	}
	return &loginProfile{Hash: hash, Salt: salt, Iterations: passwordIterations}, nil
}

// matches reports whether password is the profile's, in time that does not depend on where they differ.
func (p *loginProfile) matches(password string) (bool, error) {
	if p.Iterations <= 0 || len(p.Hash) == 0 {
		return false, nil
	}
	got, err := pbkdf2.Key(sha256.New, password, p.Salt, p.Iterations, len(p.Hash))
	if err != nil {
		return false, err
	}
	return subtle.ConstantTimeCompare(got, p.Hash) == 1, nil
}

// passwordSymbols are the non-alphanumeric characters that count as symbols in IAM's password policies.
const passwordSymbols = "!@#$%^&*()_+-=[]{}|'"

// checkPassword applies AWS's default password policy, which holds in every account that has not set its own
// (sagebox does not implement account password policies): at least 8 characters (the model caps them at 128)
// and at least three of uppercase letters, lowercase letters, numbers and symbols. The texts are AWS's
// PasswordPolicyViolation messages. The policy's last rule — not the account's name or email address — is not
// checked: sagebox accounts have no email address.
func checkPassword(password string) error {
	const minLength = 8
	if len([]rune(password)) < minLength {
		return awserr.New("PasswordPolicyViolation", "Password should have a minimum length of %d", minLength)
	}
	var upper, lower, digit, symbol bool
	for _, r := range password {
		switch {
		case 'A' <= r && r <= 'Z':
			upper = true
		case 'a' <= r && r <= 'z':
			lower = true
		case '0' <= r && r <= '9':
			digit = true
		case r < 0x80 && strings.ContainsRune(passwordSymbols, r):
			symbol = true
		}
	}
	var missing []string
	for _, c := range []struct {
		has  bool
		text string
	}{
		{upper, "Password should have at least one uppercase letter"},
		{lower, "Password should have at least one lowercase letter"},
		{digit, "Password should have at least one number"},
		{symbol, "Password should have at least one symbol"},
	} {
		if !c.has {
			missing = append(missing, c.text)
		}
	}
	const classesRequired = 3
	if short := classesRequired - (4 - len(missing)); short > 0 {
		return awserr.New("PasswordPolicyViolation", "Password should meet %d more of the following requirements: %s",
			short, strings.Join(missing, ", "))
	}
	return nil
}

func noSuchLoginProfile(name string) error {
	return noSuchEntity("Login Profile for User %s cannot be found.", name)
}

func apiLoginProfile(u *user) *LoginProfile {
	return &LoginProfile{UserName: u.Name, CreateDate: u.LoginProfile.Created, PasswordResetRequired: ptr(u.LoginProfile.ResetRequired)}
}

// profileUser resolves the user of a login profile call with an optional name (the calling user when it is left
// out) and authorizes action on it. The root user and role sessions must name the user: the root user's own
// password is not an IAM login profile (AWS lets only an AssumeRoot session leave the name out for root).
func profileUser(ctx context.Context, c *api.Call, t store.Tx, action string, name *string) (*user, *store.Record, error) {
	who := callerOf(c, name)
	if who.Root || who.Other {
		if err := authorize(ctx, c, action, c.Principal.ARN); err != nil {
			return nil, nil, err
		}
		return nil, nil, errNonUserCredentials()
	}
	u, rec, resource, err := findUser(t, c.Account(), who.Name)
	if err != nil {
		return nil, nil, err
	}
	if err := authorize(ctx, c, action, resource); err != nil {
		return nil, nil, err
	}
	if u == nil {
		return nil, nil, noSuchUser(who.Name)
	}
	return u, rec, nil
}

func (s *Service) createLoginProfile(ctx context.Context, c *api.Call, in *CreateLoginProfileInput) (*CreateLoginProfileOutput, error) {
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	u, rec, err := profileUser(ctx, c, t, "CreateLoginProfile", in.UserName)
	if err != nil {
		return nil, err
	}
	if u.LoginProfile != nil {
		return nil, entityAlreadyExists("Login Profile for user %s already exists.", u.Name)
	}
	if in.Password == nil {
		// Only an AssumeRoot session may leave the password out, to let the root user recover its own.
		return nil, awserr.Newf(awserr.KindValidation, "Password is required when the request is not made with an AssumeRoot session.")
	}
	if err := checkPassword(*in.Password); err != nil {
		return nil, err
	}
	p, err := hashPassword(*in.Password)
	if err != nil {
		return nil, err
	}
	p.Created = now(c)
	p.ResetRequired = in.PasswordResetRequired != nil && *in.PasswordResetRequired
	u.LoginProfile = p
	if err := save(t, c.Account(), kindUser, u.Name, u, u.indexes(), rec); err != nil {
		return nil, err
	}
	return &CreateLoginProfileOutput{LoginProfile: apiLoginProfile(u)}, nil
}

func (s *Service) getLoginProfile(ctx context.Context, c *api.Call, in *GetLoginProfileInput) (*GetLoginProfileOutput, error) {
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	u, _, err := profileUser(ctx, c, t, "GetLoginProfile", in.UserName)
	if err != nil {
		return nil, err
	}
	if u.LoginProfile == nil {
		return nil, noSuchLoginProfile(u.Name)
	}
	return &GetLoginProfileOutput{LoginProfile: apiLoginProfile(u)}, nil
}

// updateLoginProfile changes the password, the reset flag, or both; what the request leaves out stays.
func (s *Service) updateLoginProfile(ctx context.Context, c *api.Call, in *UpdateLoginProfileInput) (*UpdateLoginProfileOutput, error) {
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	u, rec, err := profileUser(ctx, c, t, "UpdateLoginProfile", &in.UserName)
	if err != nil {
		return nil, err
	}
	if u.LoginProfile == nil {
		return nil, noSuchLoginProfile(u.Name)
	}
	if in.Password != nil {
		if err := checkPassword(*in.Password); err != nil {
			return nil, err
		}
		p, err := hashPassword(*in.Password)
		if err != nil {
			return nil, err
		}
		p.Created, p.ResetRequired = u.LoginProfile.Created, u.LoginProfile.ResetRequired
		u.LoginProfile = p
	}
	if in.PasswordResetRequired != nil {
		u.LoginProfile.ResetRequired = *in.PasswordResetRequired
	}
	if err := save(t, c.Account(), kindUser, u.Name, u, u.indexes(), rec); err != nil {
		return nil, err
	}
	return &UpdateLoginProfileOutput{}, nil
}

func (s *Service) deleteLoginProfile(ctx context.Context, c *api.Call, in *DeleteLoginProfileInput) (*DeleteLoginProfileOutput, error) {
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	u, rec, err := profileUser(ctx, c, t, "DeleteLoginProfile", in.UserName)
	if err != nil {
		return nil, err
	}
	if u.LoginProfile == nil {
		return nil, noSuchLoginProfile(u.Name)
	}
	u.LoginProfile = nil
	if err := save(t, c.Account(), kindUser, u.Name, u, u.indexes(), rec); err != nil {
		return nil, err
	}
	return &DeleteLoginProfileOutput{}, nil
}

// CheckPassword reports whether password is the console password of the account's user userName, read in tx. A
// user without a login profile, or no such user, has no password that matches. It records nothing: what a
// successful sign-in changes (PasswordLastUsed) is the caller's to write.
func (s *Service) CheckPassword(ctx context.Context, tx store.Tx, account, userName, password string) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	u, _, err := get[user](tx, account, kindUser, userName)
	if err != nil {
		return false, fmt.Errorf("iam: check the password of %s: %w", userName, err)
	}
	if u == nil || u.LoginProfile == nil {
		return false, nil
	}
	return u.LoginProfile.matches(password)
}
