package sts_test

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/sagebox/sagebox/internal/app"
	"github.com/sagebox/sagebox/internal/oidc"
)

const (
	githubIssuer = "https://token.actions.githubusercontent.com"
	githubARN    = "arn:aws:iam::" + account + ":oidc-provider/token.actions.githubusercontent.com"
	mainBranch   = "repo:org/repo:ref:refs/heads/main"
)

// githubTrust is the trust policy GitHub's and AWS's guides give for GitHub Actions: the audience STS expects, and
// the repository's workflows, any branch.
const githubTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
	"Principal":{"Federated":"` + githubARN + `"},
	"Action":"sts:AssumeRoleWithWebIdentity",
	"Condition":{
		"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"},
		"StringLike":{"token.actions.githubusercontent.com:sub":"repo:org/repo:*"}}}]}`

// mint asks the server's built-in issuer for a token, through the admin API as `sagebox oidc token` does.
func (f *fixture) mint(t testing.TB, req map[string]any) string {
	t.Helper()
	body, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(f.URL+oidc.PathPrefix+"/token", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out oidc.TokenResponse
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("POST %s/token = %s, %v", oidc.PathPrefix, resp.Status, err)
	}
	return out.Token
}

// githubToken mints a GitHub Actions token for sub, with extra claims.
func (f *fixture) githubToken(t testing.TB, sub string, claims map[string]any) string {
	return f.mint(t, map[string]any{"iss": githubIssuer, "sub": sub, "aud": "sts.amazonaws.com", "claims": claims})
}

// anonymous is an STS client that signs nothing, as a CI job that has no AWS credentials yet.
func (f *fixture) anonymous() *sts.Client {
	cfg := f.Config("", "", "")
	cfg.Credentials = aws.AnonymousCredentials{}
	return sts.NewFromConfig(cfg)
}

// githubSetup creates the GitHub provider and the role "deploy" that trusts the repository org/repo and may list
// roles.
func (f *fixture) githubSetup(t testing.TB) string {
	t.Helper()
	if _, err := f.IAM.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{
		Url: aws.String(githubIssuer), ClientIDList: []string{"sts.amazonaws.com"},
	}); err != nil {
		t.Fatal(err)
	}
	return f.role(t, "deploy", githubTrust, map[string]string{"list": allow("iam:ListRoles")})
}

func (f *fixture) assumeWeb(role, token string, mutate ...func(*sts.AssumeRoleWithWebIdentityInput)) (*sts.AssumeRoleWithWebIdentityOutput, error) {
	in := &sts.AssumeRoleWithWebIdentityInput{RoleArn: aws.String(role), RoleSessionName: aws.String("ci"), WebIdentityToken: aws.String(token)}
	for _, m := range mutate {
		m(in)
	}
	return f.anonymous().AssumeRoleWithWebIdentity(ctx, in)
}

func TestAssumeRoleWithWebIdentityFromGitHubActions(t *testing.T) {
	f := start(t)
	role := f.githubSetup(t)
	out, err := f.assumeWeb(role, f.githubToken(t, mainBranch, nil))
	if err != nil {
		t.Fatalf("AssumeRoleWithWebIdentity with a token of org/repo's main branch = %v, want a session", err)
	}
	sessionARN := "arn:aws:sts::" + account + ":assumed-role/deploy/ci"
	checks := []struct{ what, got, want string }{
		{"SubjectFromWebIdentityToken", aws.ToString(out.SubjectFromWebIdentityToken), mainBranch},
		{"Audience", aws.ToString(out.Audience), "sts.amazonaws.com"},
		{"Provider", aws.ToString(out.Provider), githubARN},
		{"AssumedRoleUser.Arn", aws.ToString(out.AssumedRoleUser.Arn), sessionARN},
		{"the access key's prefix", aws.ToString(out.Credentials.AccessKeyId)[:4], "ASIA"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("AssumeRoleWithWebIdentity %s = %q, want %q", c.what, c.got, c.want)
		}
	}
	if !strings.HasSuffix(aws.ToString(out.AssumedRoleUser.AssumedRoleId), ":ci") {
		t.Errorf("AssumedRoleId = %q, want ROLEID:ci", aws.ToString(out.AssumedRoleUser.AssumedRoleId))
	}
	if got := out.Credentials.Expiration.Sub(f.Now()); got < 59*time.Minute || got > time.Hour {
		t.Errorf("the session expires in %v, want one hour", got)
	}

	session := f.session(out.Credentials)
	if got := callerARN(t, session); got != sessionARN {
		t.Errorf("GetCallerIdentity of the session = %s, want %s", got, sessionARN)
	}
	_, err = session.IAM.ListRoles(ctx, &iam.ListRolesInput{})
	wantOK(t, "ListRoles, which the role allows, with the session", err)
	_, err = session.IAM.ListUsers(ctx, &iam.ListUsersInput{})
	wantError(t, "ListUsers, which the role does not allow, with the session", err, "AccessDenied", "", 403)
}

func TestAssumeRoleWithWebIdentityRefusals(t *testing.T) {
	f := start(t)
	role := f.githubSetup(t)
	stranger, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	forged, _, err := oidc.NewIssuerWithKey(stranger, f.Now).Mint(oidc.TokenRequest{
		Issuer: githubIssuer, Subject: mainBranch, Audience: []string{"sts.amazonaws.com"},
	})
	if err != nil {
		t.Fatal(err)
	}
	good := f.githubToken(t, mainBranch, nil)
	parts := strings.Split(good, ".")
	tampered := parts[0] + "." + strings.Split(forged, ".")[1] + "." + parts[2]

	cases := []struct {
		name, role, token string
		code, message     string
		status            int
	}{
		{"a token of another repository", role, f.githubToken(t, "repo:other/repo:ref:refs/heads/main", nil),
			"AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity", 403},
		{"a token signed by another key", role, forged,
			"InvalidIdentityToken", "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements", 400},
		{"a token whose claims were changed after signing", role, tampered,
			"InvalidIdentityToken", "The web identity token that was passed could not be validated by AWS. Get a new identity token from the identity provider and then retry the request.", 400},
		{"a token of an issuer without a provider", role, f.mint(t, map[string]any{"iss": "https://gitlab.com", "sub": "project_path:g/p", "aud": "sts.amazonaws.com"}),
			"InvalidIdentityToken", "No OpenIDConnect provider found in your account for https://gitlab.com", 400},
		{"a token for another audience", role, f.mint(t, map[string]any{"iss": githubIssuer, "sub": mainBranch, "aud": "https://github.com/org"}),
			"InvalidIdentityToken", "Incorrect token audience", 400},
		{"a token without a subject", role, f.mint(t, map[string]any{"iss": githubIssuer, "aud": "sts.amazonaws.com"}),
			"InvalidIdentityToken", "Missing a required claim: sub", 400},
		{"a token without an audience", role, f.mint(t, map[string]any{"iss": githubIssuer, "sub": mainBranch}),
			"InvalidIdentityToken", "Missing a required claim: aud", 400},
		{"something that is not a JWT", role, "not-a-jwt-at-all",
			"InvalidIdentityToken", "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)", 400},
		{"a role that does not exist", roleARN("nope"), good,
			"AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity", 403},
		{"a role's ARN that is not one", "arn:aws:iam::" + account + ":user/deploy", good,
			"ValidationError", "arn:aws:iam::" + account + ":user/deploy is invalid", 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.assumeWeb(tc.role, tc.token)
			wantError(t, "AssumeRoleWithWebIdentity with "+tc.name, err, tc.code, tc.message, tc.status)
		})
	}

	t.Run("a session longer than the role allows", func(t *testing.T) {
		_, err := f.assumeWeb(role, good, func(in *sts.AssumeRoleWithWebIdentityInput) { in.DurationSeconds = aws.Int32(7200) })
		wantError(t, "AssumeRoleWithWebIdentity for two hours of a one-hour role", err, "ValidationError",
			"The requested DurationSeconds exceeds the MaxSessionDuration set for this role.", 400)
	})

	t.Run("an expired token", func(t *testing.T) {
		token := f.mint(t, map[string]any{"iss": githubIssuer, "sub": mainBranch, "aud": "sts.amazonaws.com", "expiresIn": "10m"})
		if _, err := f.assumeWeb(role, token); err != nil {
			t.Fatalf("AssumeRoleWithWebIdentity with a fresh 10-minute token = %v", err)
		}
		// IAM allows five minutes of skew past exp: 14 minutes on, the token still works; 16 minutes on, not.
		f.Advance(14 * time.Minute)
		if _, err := f.assumeWeb(role, token); err != nil {
			t.Fatalf("AssumeRoleWithWebIdentity 4 minutes after the token's expiration = %v, want it within the skew", err)
		}
		now := f.Advance(2 * time.Minute)
		parsed, err := oidc.Parse(token)
		if err != nil {
			t.Fatal(err)
		}
		exp, _, _ := parsed.Time("exp")
		_, err = f.assumeWeb(role, token)
		wantError(t, "AssumeRoleWithWebIdentity 6 minutes after the token's expiration", err, "ExpiredTokenException",
			fmt.Sprintf("Token expired: current date/time %d must be before the expiration date/time %d", now.Unix(), exp.Unix()), 400)
	})
}

func TestAssumeRoleWithWebIdentityConditionKeys(t *testing.T) {
	f := start(t)
	if _, err := f.IAM.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{
		Url: aws.String(githubIssuer), ClientIDList: []string{"sts.amazonaws.com"},
	}); err != nil {
		t.Fatal(err)
	}
	// Only org/repo's deploy workflow, in the production environment, may assume the role: the GitHub claims STS
	// validates, beside sub.
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + githubARN + `"},
		"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{
			"token.actions.githubusercontent.com:repository":"org/repo",
			"token.actions.githubusercontent.com:environment":"production",
			"token.actions.githubusercontent.com:job_workflow_ref":"org/repo/.github/workflows/deploy.yml@refs/heads/main"}}}]}`
	role := f.role(t, "prod", trust, nil)
	claims := map[string]any{"repository": "org/repo", "environment": "production", "job_workflow_ref": "org/repo/.github/workflows/deploy.yml@refs/heads/main"}
	_, err := f.assumeWeb(role, f.githubToken(t, "repo:org/repo:environment:production", claims))
	wantOK(t, "AssumeRoleWithWebIdentity from the deploy workflow in production", err)

	claims["environment"] = "staging"
	_, err = f.assumeWeb(role, f.githubToken(t, "repo:org/repo:environment:staging", claims))
	wantError(t, "AssumeRoleWithWebIdentity from staging", err, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity", 403)

	t.Run("session tags from the token need sts:TagSession", func(t *testing.T) {
		tagTrust := func(actions string) string {
			return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + githubARN + `"},
				"Action":` + actions + `,"Condition":{"StringEquals":{"aws:RequestTag/team":"ml"}}}]}`
		}
		withTag := f.role(t, "tagged", tagTrust(`["sts:AssumeRoleWithWebIdentity","sts:TagSession"]`), map[string]string{
			"mine": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListRoles","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"ml"}}}]}`,
		})
		withoutTag := f.role(t, "untagged", tagTrust(`"sts:AssumeRoleWithWebIdentity"`), nil)
		token := f.githubToken(t, mainBranch, map[string]any{"https://aws.amazon.com/tags": map[string]any{"principal_tags": map[string]any{"team": []string{"ml"}}}})
		out, err := f.assumeWeb(withTag, token)
		if err != nil {
			t.Fatalf("AssumeRoleWithWebIdentity with a team=ml tag, trusted for sts:TagSession = %v", err)
		}
		if out.PackedPolicySize == nil {
			t.Error("PackedPolicySize of a session with tags is absent")
		}
		_, err = f.session(out.Credentials).IAM.ListRoles(ctx, &iam.ListRolesInput{})
		wantOK(t, "ListRoles allowed by aws:PrincipalTag/team, with the tagged session", err)
		_, err = f.assumeWeb(withoutTag, token)
		wantError(t, "AssumeRoleWithWebIdentity with tags, without sts:TagSession", err, "AccessDenied", "Not authorized to perform sts:TagSession", 403)
	})
}

// TestAssumeRoleWithWebIdentityIsUnsigned posts the query AWS CLI v2 sends, without any signature, and checks that
// this operation alone is served so.
func TestAssumeRoleWithWebIdentityIsUnsigned(t *testing.T) {
	f := start(t)
	role := f.githubSetup(t)
	post := func(form url.Values) (int, string) {
		t.Helper()
		resp, err := http.Post(f.URL+"/", "application/x-www-form-urlencoded; charset=utf-8", strings.NewReader(form.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	status, body := post(url.Values{
		"Action": {"AssumeRoleWithWebIdentity"}, "Version": {"2011-06-15"}, "RoleArn": {role},
		"RoleSessionName": {"cli"}, "WebIdentityToken": {f.githubToken(t, mainBranch, nil)},
	})
	if status != http.StatusOK || !strings.Contains(body, "<SubjectFromWebIdentityToken>"+mainBranch+"</SubjectFromWebIdentityToken>") {
		t.Errorf("an unsigned AssumeRoleWithWebIdentity = %d %s, want 200 with the subject", status, body)
	}
	status, body = post(url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2011-06-15"}})
	if status != http.StatusForbidden || !strings.Contains(body, "<Code>MissingAuthenticationToken</Code>") {
		t.Errorf("an unsigned GetCallerIdentity = %d %s, want 403 MissingAuthenticationToken", status, body)
	}
	status, body = post(url.Values{"Action": {"AssumeRoleWithSAML"}, "Version": {"2011-06-15"}, "RoleArn": {role}, "PrincipalArn": {role}, "SAMLAssertion": {"x"}})
	if status != http.StatusForbidden || !strings.Contains(body, "<Code>MissingAuthenticationToken</Code>") {
		t.Errorf("an unsigned AssumeRoleWithSAML, which sagebox does not implement = %d %s, want 403 MissingAuthenticationToken", status, body)
	}
}

// TestWebIdentityTokensSurviveARestart mints a token, restarts the server on the same data directory, and uses the
// token: the issuer's key is kept beside the database.
func TestWebIdentityTokensSurviveARestart(t *testing.T) {
	cfg := app.Defaults()
	cfg.DataDir = t.TempDir()
	cfg.LifecycleScale = 0
	cfg.Log = slog.New(slog.DiscardHandler)
	first, stop := startStoppable(t, cfg)
	role := first.githubSetup(t)
	token := first.githubToken(t, mainBranch, nil)
	stop()
	second := startWith(t, cfg)
	_, err := second.assumeWeb(role, token)
	wantOK(t, "AssumeRoleWithWebIdentity after a restart with a token minted before it", err)
}
