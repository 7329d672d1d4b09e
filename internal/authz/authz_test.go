package authz

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sagebox/sagebox/internal/api"
	"github.com/sagebox/sagebox/internal/awserr"
	"github.com/sagebox/sagebox/internal/policy"
)

// The unit tests of the Authorizer use a test double of Identities; the front-door tests (frontdoor_test.go) use
// IAM's own view through a whole sagebox.

type fakeIdentities map[string]*PrincipalPolicies

func (f fakeIdentities) Identity(_ string, p *api.Principal) (*PrincipalPolicies, error) {
	return f[p.ARN], nil
}

type fakeSessions map[string]*Session

func (f fakeSessions) Session(p *api.Principal) *Session { return f[p.AccessKeyID] }

func compiled(t testing.TB, text string, kind policy.Kind, id string, typ policy.PolicyType) *policy.Compiled {
	t.Helper()
	doc, err := policy.Parse(text, kind)
	if err != nil {
		t.Fatalf("Parse(%s): %v", text, err)
	}
	c, err := compile(doc, id, typ)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func identityPolicy(t testing.TB, id, text string) *policy.Compiled {
	return compiled(t, text, policy.Managed, id, policy.IdentityPolicy)
}

const (
	acct        = "111122223333"
	aliceARN    = "arn:aws:iam::111122223333:user/alice"
	allowIAM    = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:*","Resource":"*"}}`
	allowAll    = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`
	allowGetUsr = `{"Version":"2012-10-17","Statement":{"Sid":"Read","Effect":"Allow","Action":"iam:GetUser","Resource":"*"}}`
	denyGetUser = `{"Version":"2012-10-17","Statement":{"Sid":"NoGet","Effect":"Deny","Action":"iam:GetUser","Resource":"*"}}`
)

var (
	alice = &api.Principal{Type: api.User, Account: acct, ARN: aliceARN, UserID: "AIDAALICE", Name: "alice", AccessKeyID: "AKIAALICE"}
	root  = &api.Principal{Type: api.Root, Account: acct, ARN: "arn:aws:iam::111122223333:root", UserID: acct, AccessKeyID: "AKIAROOT"}
	// session is a role session, signing with temporary credentials.
	session = &api.Principal{Type: api.AssumedRole, Account: acct, ARN: "arn:aws:sts::111122223333:assumed-role/dev/s1",
		UserID: "AROADEV:s1", AccessKeyID: "ASIADEV"}
	when = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
)

func call(p *api.Principal, service string) *api.Call {
	return &api.Call{RequestID: "req-1", Service: service, Operation: "Op", Region: "eu-west-1", Principal: p, Now: when, SourceIP: "192.0.2.10"}
}

func open(t testing.TB, cfg Config) *Authorizer {
	t.Helper()
	z, err := Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { z.Close() })
	return z
}

func TestAuthorizeLayers(t *testing.T) {
	userARN := "arn:aws:iam::111122223333:user/alice"
	getUser := func(resources ...string) *api.Authorization {
		return &api.Authorization{Action: "iam:GetUser", Resources: resources}
	}
	cases := []struct {
		name      string
		p         *api.Principal
		ids       fakeIdentities
		sessions  fakeSessions
		scps      []string
		resource  *policy.Compiled
		a         *api.Authorization
		outcome   string
		wantText  string
		wantLayer string
	}{
		{
			name: "no policy", p: alice, a: getUser(userARN), outcome: "implicitDeny",
			wantText: "User: " + aliceARN + " is not authorized to perform: iam:GetUser on resource: " + userARN +
				" because no identity-based policy allows the iam:GetUser action",
		},
		{
			name: "an identity policy allows", p: alice, a: getUser(userARN), outcome: "allow",
			ids: fakeIdentities{aliceARN: {Identity: []*policy.Compiled{identityPolicy(t, "inline a", allowIAM)}}},
		},
		{
			name: "an explicit deny in an identity policy", p: alice, a: getUser(userARN), outcome: "explicitDeny",
			ids: fakeIdentities{aliceARN: {Identity: []*policy.Compiled{
				identityPolicy(t, "inline a", allowIAM), identityPolicy(t, "inline d", denyGetUser)}}},
			wantText: "User: " + aliceARN + " is not authorized to perform: iam:GetUser on resource: " + userARN +
				" with an explicit deny in an identity-based policy",
		},
		{
			name: "no boundary allows", p: alice, a: getUser(userARN), outcome: "implicitDeny",
			ids: fakeIdentities{aliceARN: {
				Identity: []*policy.Compiled{identityPolicy(t, "inline a", allowIAM)},
				Boundary: compiled(t, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`,
					policy.Managed, "boundary", policy.BoundaryPolicy),
			}},
			wantText: "User: " + aliceARN + " is not authorized to perform: iam:GetUser on resource: " + userARN +
				" because no permissions boundary allows the iam:GetUser action",
		},
		{
			name: "no SCP allows", p: alice, a: getUser(userARN), outcome: "implicitDeny",
			ids:  fakeIdentities{aliceARN: {Identity: []*policy.Compiled{identityPolicy(t, "inline a", allowIAM)}}},
			scps: []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`},
			wantText: "User: " + aliceARN + " is not authorized to perform: iam:GetUser on resource: " + userARN +
				" because no service control policy allows the iam:GetUser action",
		},
		{
			name: "an SCP denies the root user", p: root, a: getUser(userARN), outcome: "explicitDeny",
			scps: []string{allowAll, denyGetUser},
			wantText: "User: arn:aws:iam::111122223333:root is not authorized to perform: iam:GetUser on resource: " + userARN +
				" with an explicit deny in a service control policy",
		},
		{
			name: "root without SCPs", p: root, a: getUser(userARN), outcome: "allow",
		},
		{
			name: "no session policy allows", p: session, a: getUser(userARN), outcome: "implicitDeny",
			ids: fakeIdentities{session.ARN: {Identity: []*policy.Compiled{identityPolicy(t, "role policy", allowIAM)}}},
			sessions: fakeSessions{session.AccessKeyID: {HasPolicies: true, Policies: []*policy.Compiled{compiled(t,
				`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`,
				policy.Session, "session policy", policy.SessionPolicy)}}},
			wantText: "User: " + session.ARN + " is not authorized to perform: iam:GetUser on resource: " + userARN +
				" because no session policy allows the iam:GetUser action",
		},
		{
			name: "a session policy allows", p: session, a: getUser(userARN), outcome: "allow",
			ids: fakeIdentities{session.ARN: {Identity: []*policy.Compiled{identityPolicy(t, "role policy", allowIAM)}}},
			sessions: fakeSessions{session.AccessKeyID: {HasPolicies: true, Policies: []*policy.Compiled{compiled(t,
				allowGetUsr, policy.Session, "session policy", policy.SessionPolicy)}}},
		},
		{
			name: "an action without a resource", p: alice, a: &api.Authorization{Action: "iam:ListUsers", Resources: []string{"*"}},
			outcome: "implicitDeny",
			wantText: "User: " + aliceARN + " is not authorized to perform: iam:ListUsers" +
				" because no identity-based policy allows the iam:ListUsers action",
		},
		{
			name: "every resource must be allowed", p: alice, outcome: "implicitDeny",
			a: &api.Authorization{Action: "iam:GetUser", Resources: []string{userARN, "arn:aws:iam::111122223333:user/bob"}},
			ids: fakeIdentities{aliceARN: {Identity: []*policy.Compiled{identityPolicy(t, "inline a",
				`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:GetUser","Resource":"arn:aws:iam::*:user/alice"}}`)}}},
			wantText: "User: " + aliceARN + " is not authorized to perform: iam:GetUser on resource: arn:aws:iam::111122223333:user/bob" +
				" because no identity-based policy allows the iam:GetUser action",
		},
		{
			name: "an action that needs no permission, under a deny of everything", p: alice, outcome: "allow",
			a:   &api.Authorization{Action: "sts:GetCallerIdentity", NoPermissionRequired: true},
			ids: fakeIdentities{aliceARN: {Identity: []*policy.Compiled{identityPolicy(t, "deny all", `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"*","Resource":"*"}}`)}}},
		},
		{
			name: "no role trust policy allows", p: alice, outcome: "implicitDeny",
			a: &api.Authorization{Action: "sts:AssumeRole", Resources: []string{"arn:aws:iam::111122223333:role/r"}},
			ids: fakeIdentities{aliceARN: {Identity: []*policy.Compiled{identityPolicy(t, "inline a",
				`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}}`)}}},
			resource: compiled(t, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"sagemaker.amazonaws.com"},"Action":"sts:AssumeRole"}}`,
				policy.Trust, "trust policy of role r", policy.ResourcePolicy),
			wantText: "User: " + aliceARN + " is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::111122223333:role/r" +
				" because no role trust policy allows the sts:AssumeRole action",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			z := open(t, Config{Identities: tc.ids, Sessions: tc.sessions, DefaultAccount: acct})
			for i, s := range tc.scps {
				if _, err := z.PutSCP(context.Background(), "", "scp"+string(rune('a'+i)), s); err != nil {
					t.Fatal(err)
				}
			}
			a := *tc.a
			a.ResourcePolicy = tc.resource
			d, err := z.Authorize(context.Background(), call(tc.p, "iam"), &a)
			if err != nil {
				t.Fatal(err)
			}
			if d.Effect != tc.outcome || d.Allowed != (tc.outcome == "allow") {
				t.Errorf("Authorize(%s) = %s (allowed %v), want %s; reason %q", tc.name, d.Effect, d.Allowed, tc.outcome, d.Reason)
			}
			if tc.wantText != "" && d.Reason != tc.wantText {
				t.Errorf("Authorize(%s) reason\n  %q\nwant\n  %q", tc.name, d.Reason, tc.wantText)
			}
			if !d.Allowed && d.Encoded == "" {
				t.Errorf("Authorize(%s) denied without an encoded message", tc.name)
			}
		})
	}
}

func TestModes(t *testing.T) {
	a := &api.Authorization{Action: "iam:GetUser", Resources: []string{aliceARN}}
	cases := []struct {
		mode        Mode
		allowed     bool
		effect      string
		reasonStart string
	}{
		{Enforce, false, "implicitDeny", "User: "},
		{Audit, true, "implicitDeny", "audit mode, let through: User: "},
		{Off, true, "allow", "not checked"},
	}
	for _, tc := range cases {
		t.Run(string(tc.mode), func(t *testing.T) {
			z := open(t, Config{Mode: tc.mode})
			d, err := z.Authorize(context.Background(), call(alice, "iam"), a)
			if err != nil {
				t.Fatal(err)
			}
			if d.Allowed != tc.allowed || d.Effect != tc.effect || !strings.HasPrefix(d.Reason, tc.reasonStart) {
				t.Errorf("Authorize in %s mode = allowed %v, %s, %q; want allowed %v, %s, a reason starting %q",
					tc.mode, d.Allowed, d.Effect, d.Reason, tc.allowed, tc.effect, tc.reasonStart)
			}
			page, err := z.Decisions(context.Background(), 10, false)
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Decisions) != 1 || page.Decisions[0].Mode != tc.mode || page.Decisions[0].Decided != (tc.mode != Off) {
				t.Errorf("the log in %s mode holds %+v, want the one decision, recorded in that mode", tc.mode, page.Decisions)
			}
		})
	}
	if _, err := ParseMode("lenient"); err == nil {
		t.Error(`ParseMode("lenient") = nil error, want one`)
	}
}

func TestEC2DenialCarriesAnEncodedMessage(t *testing.T) {
	z := open(t, Config{})
	c := api.NewCall(context.Background(), z, nil, false)
	c.RequestID, c.Service, c.Operation, c.Principal, c.Now, c.Region = "req-ec2", "ec2", "DescribeVpcs", alice, when, "eu-west-1"
	err := c.Authorize(context.Background(), api.Authorization{Action: "ec2:DescribeVpcs"})
	const prefix = "You are not authorized to perform this operation. Encoded authorization failure message: "
	var e *awserr.Error
	if !errors.As(err, &e) || e.Kind != awserr.KindAccessDenied || !strings.HasPrefix(e.Message, prefix) {
		t.Fatalf("EC2 denial = %v, want AccessDenied %q and a message", err, prefix)
	}
	blob := strings.TrimPrefix(e.Message, prefix)
	decoded, ok := z.DecodeMessage(blob)
	if !ok {
		t.Fatalf("DecodeMessage(%s) did not find the decision", blob)
	}
	for _, want := range []string{`"allowed":false`, `"explicitDeny":false`, `"matchedStatements":{"items":[]}`,
		`"failures":{"items":[]}`, `"principal":{"id":"AIDAALICE","name":"alice","arn":"` + aliceARN + `"}`,
		`"action":"ec2:DescribeVpcs"`, `"resource":"*"`, `{"key":"aws:RequestedRegion","values":{"items":[{"value":"eu-west-1"}]}}`} {
		if !strings.Contains(decoded, want) {
			t.Errorf("DecodeMessage = %s, want it to contain %s", decoded, want)
		}
	}
	if acct, ok := z.DecodedAccount(blob); !ok || acct != alice.Account {
		t.Errorf("DecodedAccount = %q, %v; want %s", acct, ok, alice.Account)
	}
}

func TestExplicitDenyIsDecodedWithItsStatement(t *testing.T) {
	ids := fakeIdentities{aliceARN: {Identity: []*policy.Compiled{identityPolicy(t, "inline a", allowIAM), identityPolicy(t, "inline d", denyGetUser)}}}
	z := open(t, Config{Identities: ids})
	d, err := z.Authorize(context.Background(), call(alice, "iam"), &api.Authorization{Action: "iam:GetUser", Resources: []string{aliceARN}})
	if err != nil {
		t.Fatal(err)
	}
	decoded, ok := z.DecodeMessage(d.Encoded)
	if !ok {
		t.Fatal("DecodeMessage did not find the decision")
	}
	want := `{"statementId":"NoGet","effect":"DENY","principals":{"items":[{"value":"AIDAALICE"}]},"principalGroups":{"items":[]},` +
		`"actions":{"items":[{"value":"iam:GetUser"}]},"resources":{"items":[{"value":"*"}]},"conditions":{"items":[]}}`
	if !strings.Contains(decoded, `"explicitDeny":true`) || !strings.Contains(decoded, want) {
		t.Errorf("DecodeMessage = %s, want an explicit deny matching %s", decoded, want)
	}
}
