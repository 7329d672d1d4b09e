package policy

import (
	"fmt"
	"strings"
	"testing"
)

const (
	acctA = "111122223333"
	acctB = "444455556666"
)

var (
	alice = Principal{ARN: "arn:aws:iam::111122223333:user/alice", Account: acctA, UniqueID: "AIDAEXAMPLEALICE12345"}
	sess  = Principal{ARN: "arn:aws:sts::111122223333:assumed-role/ml/s1", Account: acctA,
		RoleARN: "arn:aws:iam::111122223333:role/ml", UniqueID: "AROAEXAMPLEROLEML1234:s1"}
	rootA = Principal{ARN: "arn:aws:iam::111122223333:root", Account: acctA, Root: true}
	bob   = Principal{ARN: "arn:aws:iam::444455556666:user/bob", Account: acctB}
	rootB = Principal{ARN: "arn:aws:iam::444455556666:root", Account: acctB, Root: true}
	sessB = Principal{ARN: "arn:aws:sts::444455556666:assumed-role/etl/s", Account: acctB, RoleARN: "arn:aws:iam::444455556666:role/etl"}
	smSvc = Principal{Service: "sagemaker.amazonaws.com"}
	anon  = Principal{Anonymous: true}
)

// mustCompile parses text as a document of kind and compiles it as typ.
func mustCompile(t testing.TB, kind Kind, typ PolicyType, text string) *Compiled {
	t.Helper()
	doc, err := Parse(text, kind)
	if err != nil {
		t.Fatalf("Parse(%s) = %v", text, err)
	}
	c, err := Compile(doc, fmt.Sprintf("%v policy", typ), typ)
	if err != nil {
		t.Fatalf("Compile(%s) = %v", text, err)
	}
	return c
}

// stmt writes a one-statement 2012-10-17 document.
func stmt(body string) string {
	return `{"Version": "2012-10-17", "Statement": [{` + body + `}]}`
}

// policies is the cast of the decision tests.
type policies struct {
	allowGet, denyGet, allowAll, notIAM, mfaDeny, homeDirs *Compiled
	boundaryS3, boundaryEC2, boundaryDenyGet               *Compiled
	sessionS3, sessionEC2                                  *Compiled
	scpAll, scpEC2, scpDenyS3                              *Compiled
	bucketAlice, bucketRole, bucketSession, bucketAccount  *Compiled
	bucketAll, bucketDeny, bucketBob, bucketAcctB          *Compiled
	bucketRoleB, bucketService                             *Compiled
	trustAlice, trustAccount, trustService, trustBob       *Compiled
	endpointS3, endpointEC2, endpointDeny                  *Compiled
}

func castOf(t testing.TB) *policies {
	id := func(body string) *Compiled { return mustCompile(t, Managed, IdentityPolicy, stmt(body)) }
	bnd := func(body string) *Compiled { return mustCompile(t, Managed, BoundaryPolicy, stmt(body)) }
	ses := func(body string) *Compiled { return mustCompile(t, Session, SessionPolicy, stmt(body)) }
	scp := func(body string) *Compiled { return mustCompile(t, ServiceControl, ControlPolicy, stmt(body)) }
	res := func(body string) *Compiled { return mustCompile(t, Resource, ResourcePolicy, stmt(body)) }
	trust := func(body string) *Compiled { return mustCompile(t, Trust, ResourcePolicy, stmt(body)) }
	end := func(body string) *Compiled { return mustCompile(t, Resource, EndpointPolicy, stmt(body)) }
	const getB = `"Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"`
	return &policies{
		allowGet: id(`"Effect": "Allow", ` + getB),
		denyGet:  id(`"Effect": "Deny", ` + getB),
		allowAll: id(`"Effect": "Allow", "Action": "*", "Resource": "*"`),
		notIAM:   id(`"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"`),
		mfaDeny: id(`"Effect": "Deny", "NotAction": ["iam:ListMFADevices", "sts:GetSessionToken"], "Resource": "*",
			"Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}`),
		homeDirs: id(`"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b/home/${aws:username}/*"`),

		boundaryS3:      bnd(`"Effect": "Allow", "Action": "s3:*", "Resource": "*"`),
		boundaryEC2:     bnd(`"Effect": "Allow", "Action": "ec2:*", "Resource": "*"`),
		boundaryDenyGet: bnd(`"Effect": "Deny", ` + getB),
		sessionS3:       ses(`"Effect": "Allow", "Action": "s3:*", "Resource": "*"`),
		sessionEC2:      ses(`"Effect": "Allow", "Action": "ec2:*", "Resource": "*"`),
		scpAll:          scp(`"Effect": "Allow", "Action": "*", "Resource": "*"`),
		scpEC2:          scp(`"Effect": "Allow", "Action": "ec2:*", "Resource": "*"`),
		scpDenyS3:       scp(`"Effect": "Deny", "Action": "s3:*", "Resource": "*"`),

		bucketAlice:   res(`"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/alice"}, ` + getB),
		bucketRole:    res(`"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/ml"}, ` + getB),
		bucketSession: res(`"Effect": "Allow", "Principal": {"AWS": "arn:aws:sts::111122223333:assumed-role/ml/s1"}, ` + getB),
		bucketAccount: res(`"Effect": "Allow", "Principal": {"AWS": "111122223333"}, ` + getB),
		bucketAll:     res(`"Effect": "Allow", "Principal": "*", ` + getB),
		bucketDeny:    res(`"Effect": "Deny", "Principal": "*", ` + getB),
		bucketBob:     res(`"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:user/bob"}, ` + getB),
		bucketAcctB:   res(`"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, ` + getB),
		bucketRoleB:   res(`"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:role/etl"}, ` + getB),
		bucketService: res(`"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, ` + getB),

		trustAlice:   trust(`"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/alice"}, "Action": "sts:AssumeRole"`),
		trustAccount: trust(`"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "sts:AssumeRole"`),
		trustService: trust(`"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"`),
		trustBob:     trust(`"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:user/bob"}, "Action": "sts:AssumeRole"`),

		endpointS3:   end(`"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"`),
		endpointEC2:  end(`"Effect": "Allow", "Principal": "*", "Action": "ec2:*", "Resource": "*"`),
		endpointDeny: end(`"Effect": "Deny", "Principal": "*", ` + getB),
	}
}

func list(cs ...*Compiled) []*Compiled { return cs }

func TestDecide(t *testing.T) {
	p := castOf(t)
	const obj = "arn:aws:s3:::b/k"
	const role = "arn:aws:iam::111122223333:role/ml"
	get := func(pr Principal) Request {
		return Request{Principal: pr, Action: "s3:GetObject", Resource: obj, Context: &Context{}}
	}
	getIn := func(pr Principal, acct string) Request {
		r := get(pr)
		r.ResourceAccount = acct
		return r
	}
	assume := func(pr Principal) Request {
		return Request{Principal: pr, Action: "sts:AssumeRole", Resource: role, ResourceAccount: acctA, Context: &Context{}}
	}
	allowed := Decision{Outcome: Allowed}
	implicit := func(l PolicyType) Decision { return Decision{Outcome: ImplicitDeny, Layer: l} }
	explicit := func(l PolicyType) Decision { return Decision{Outcome: ExplicitDeny, Layer: l} }
	withMFA := func(r Request, v string) Request {
		r.Context = &Context{}
		r.Context.Set("aws:MultiFactorAuthPresent", v)
		return r
	}
	withUser := func(r Request, name, resource string) Request {
		r.Resource = resource
		r.Context = &Context{}
		if name != "" {
			r.Context.Set("aws:username", name)
		}
		return r
	}
	cases := []struct {
		name string
		set  Set
		req  Request
		want Decision
	}{
		{"an identity policy that allows grants the request", Set{Identity: list(p.allowGet)}, get(alice), allowed},
		{"without any policy the identity layer denies implicitly", Set{}, get(alice), implicit(IdentityPolicy)},
		{"an explicit deny in an identity policy beats an allow", Set{Identity: list(p.allowAll, p.denyGet)}, get(alice), explicit(IdentityPolicy)},
		{"an allow for another action does not grant", Set{Identity: list(p.allowGet)}, Request{Principal: alice, Action: "s3:PutObject", Resource: obj}, implicit(IdentityPolicy)},
		{"NotAction allows every action but the ones named", Set{Identity: list(p.notIAM)}, get(alice), allowed},
		{"NotAction does not allow the actions named", Set{Identity: list(p.notIAM)}, Request{Principal: alice, Action: "iam:CreateUser", Resource: "*"}, implicit(IdentityPolicy)},
		{"the MFA policy denies without the MFA key", Set{Identity: list(p.allowAll, p.mfaDeny)}, get(alice), explicit(IdentityPolicy)},
		{"the MFA policy denies with MFA false", Set{Identity: list(p.allowAll, p.mfaDeny)}, withMFA(get(alice), "false"), explicit(IdentityPolicy)},
		{"the MFA policy lets MFA sessions through", Set{Identity: list(p.allowAll, p.mfaDeny)}, withMFA(get(alice), "true"), allowed},
		{"a resource variable grants the user's own home", Set{Identity: list(p.homeDirs)}, withUser(get(alice), "alice", "arn:aws:s3:::b/home/alice/f"), allowed},
		{"a resource variable does not grant another's home", Set{Identity: list(p.homeDirs)}, withUser(get(alice), "alice", "arn:aws:s3:::b/home/bob/f"), implicit(IdentityPolicy)},
		{"a resource variable without a value grants nothing", Set{Identity: list(p.homeDirs)}, withUser(get(sess), "", "arn:aws:s3:::b/home//f"), implicit(IdentityPolicy)},

		{"a boundary that allows too lets the identity grant stand", Set{Identity: list(p.allowGet), Boundary: p.boundaryS3}, get(alice), allowed},
		{"a boundary that does not allow denies in the boundary layer", Set{Identity: list(p.allowGet), Boundary: p.boundaryEC2}, get(alice), implicit(BoundaryPolicy)},
		{"a boundary alone grants nothing", Set{Boundary: p.boundaryS3}, get(alice), implicit(IdentityPolicy)},
		{"a deny in a boundary is an explicit deny", Set{Identity: list(p.allowGet), Boundary: p.boundaryDenyGet}, get(alice), explicit(BoundaryPolicy)},
		{"session policies must allow when the session has some", Set{Identity: list(p.allowGet), Session: list(p.sessionEC2), HasSession: true}, get(sess), implicit(SessionPolicy)},
		{"a session policy that allows lets the identity grant stand", Set{Identity: list(p.allowGet), Session: list(p.sessionEC2, p.sessionS3), HasSession: true}, get(sess), allowed},
		{"a session whose policies could not be found allows nothing", Set{Identity: list(p.allowGet), HasSession: true}, get(sess), implicit(SessionPolicy)},
		{"the boundary layer is named before the session layer", Set{Identity: list(p.allowGet), Boundary: p.boundaryEC2, Session: list(p.sessionEC2), HasSession: true}, get(sess), implicit(BoundaryPolicy)},

		{"SCPs that allow let the identity grant stand", Set{Identity: list(p.allowGet), ControlPolicies: [][]*Compiled{{p.scpAll}, {p.scpAll}}}, get(alice), allowed},
		{"every SCP level must allow", Set{Identity: list(p.allowGet), ControlPolicies: [][]*Compiled{{p.scpAll}, {p.scpEC2}}}, get(alice), implicit(ControlPolicy)},
		{"an SCP level with several policies allows when one does", Set{Identity: list(p.allowGet), ControlPolicies: [][]*Compiled{{p.scpEC2, p.scpAll}}}, get(alice), allowed},
		{"a deny in an SCP is an explicit deny", Set{Identity: list(p.allowGet), ControlPolicies: [][]*Compiled{{p.scpAll, p.scpDenyS3}}}, get(alice), explicit(ControlPolicy)},
		{"the SCP layer is named before the identity layer", Set{ControlPolicies: [][]*Compiled{{p.scpEC2}}}, get(alice), implicit(ControlPolicy)},
		{"the SCPs do not grant on their own", Set{ControlPolicies: [][]*Compiled{{p.scpAll}}}, get(alice), implicit(IdentityPolicy)},

		{"the root user needs no identity policy", Set{}, get(rootA), allowed},
		{"the root user ignores identity policies, which it has none of", Set{Identity: list(p.denyGet), Boundary: p.boundaryEC2}, get(rootA), allowed},
		{"the root user of a member account is subject to SCPs", Set{ControlPolicies: [][]*Compiled{{p.scpEC2}}}, get(rootA), implicit(ControlPolicy)},
		{"the root user is subject to SCP denies", Set{ControlPolicies: [][]*Compiled{{p.scpAll, p.scpDenyS3}}}, get(rootA), explicit(ControlPolicy)},
		{"the root user is subject to resource policy denies", Set{Resource: p.bucketDeny}, get(rootA), explicit(ResourcePolicy)},
		{"the root user needs the resource policy across accounts", Set{}, getIn(rootB, acctA), implicit(ResourcePolicy)},
		{"another account's root user is granted by a policy naming its account", Set{Resource: p.bucketAcctB}, getIn(rootB, acctA), allowed},

		{"a bucket policy naming the user grants without identity policies", Set{Resource: p.bucketAlice}, get(alice), allowed},
		{"a bucket policy naming the user grants despite the boundary", Set{Boundary: p.boundaryEC2, Resource: p.bucketAlice}, get(alice), allowed},
		{"a bucket policy naming the user does not beat an identity deny", Set{Identity: list(p.denyGet), Resource: p.bucketAlice}, get(alice), explicit(IdentityPolicy)},
		{"a bucket policy naming the role grants the session without identity policies", Set{Resource: p.bucketRole}, get(sess), allowed},
		{"a bucket policy naming the role still needs the boundary", Set{Boundary: p.boundaryEC2, Resource: p.bucketRole}, get(sess), implicit(BoundaryPolicy)},
		{"a bucket policy naming the role still needs the session policies", Set{Session: list(p.sessionEC2), HasSession: true, Resource: p.bucketRole}, get(sess), implicit(SessionPolicy)},
		{"a bucket policy naming the role grants when boundary and session policies allow", Set{Boundary: p.boundaryS3, Session: list(p.sessionS3), HasSession: true, Resource: p.bucketRole}, get(sess), allowed},
		{"a bucket policy naming the session grants despite boundary and session policies", Set{Boundary: p.boundaryEC2, Session: list(p.sessionEC2), HasSession: true, Resource: p.bucketSession}, get(sess), allowed},
		{"a bucket policy naming the account delegates to identity policies", Set{Resource: p.bucketAccount}, get(alice), implicit(IdentityPolicy)},
		{"a bucket policy naming the account grants with an identity allow", Set{Identity: list(p.allowGet), Resource: p.bucketAccount}, get(alice), allowed},
		{"a bucket policy naming the account does not lift the boundary", Set{Identity: list(p.allowGet), Boundary: p.boundaryEC2, Resource: p.bucketAccount}, get(alice), implicit(BoundaryPolicy)},
		{"a bucket policy naming everyone grants within the account", Set{Resource: p.bucketAll}, get(alice), allowed},
		{"a bucket policy naming another user grants this one nothing", Set{Resource: p.bucketBob}, get(alice), implicit(IdentityPolicy)},
		{"a deny in a bucket policy beats an identity allow", Set{Identity: list(p.allowGet), Resource: p.bucketDeny}, get(alice), explicit(ResourcePolicy)},
		{"an identity deny is named before a resource deny", Set{Identity: list(p.denyGet), Resource: p.bucketDeny}, get(alice), explicit(IdentityPolicy)},
		{"a boundary deny is named before an SCP deny", Set{Identity: list(p.allowGet), Boundary: p.boundaryDenyGet, ControlPolicies: [][]*Compiled{{p.scpDenyS3}}}, get(alice), explicit(BoundaryPolicy)},

		{"across accounts both sides must allow", Set{Identity: list(p.allowGet), Resource: p.bucketBob}, getIn(bob, acctA), allowed},
		{"across accounts the resource policy must allow", Set{Identity: list(p.allowGet)}, getIn(bob, acctA), implicit(ResourcePolicy)},
		{"across accounts a resource policy naming another principal does not allow", Set{Identity: list(p.allowGet), Resource: p.bucketAlice}, getIn(bob, acctA), implicit(ResourcePolicy)},
		{"across accounts the identity policies must allow", Set{Resource: p.bucketBob}, getIn(bob, acctA), implicit(IdentityPolicy)},
		{"across accounts a grant to the account needs the identity allow too", Set{Identity: list(p.allowGet), Resource: p.bucketAcctB}, getIn(bob, acctA), allowed},
		{"across accounts a grant to the role still needs the boundary", Set{Identity: list(p.allowGet), Boundary: p.boundaryEC2, Resource: p.bucketRoleB}, getIn(sessB, acctA), implicit(BoundaryPolicy)},
		{"across accounts the principal's SCPs apply", Set{Identity: list(p.allowGet), ControlPolicies: [][]*Compiled{{p.scpEC2}}, Resource: p.bucketBob}, getIn(bob, acctA), implicit(ControlPolicy)},
		{"a resource account equal to the principal's is the same account", Set{Resource: p.bucketAlice}, getIn(alice, acctA), allowed},

		{"a service is granted by the resource policy", Set{Resource: p.bucketService}, get(smSvc), allowed},
		{"a service not named by the resource policy is denied", Set{Resource: p.bucketAlice}, get(smSvc), implicit(ResourcePolicy)},
		{"a service without a resource policy is denied", Set{Identity: list(p.allowAll)}, get(smSvc), implicit(ResourcePolicy)},
		{"SCPs do not apply to a service", Set{Resource: p.bucketService, ControlPolicies: [][]*Compiled{{p.scpEC2}}}, get(smSvc), allowed},
		{"an anonymous request is granted by a public bucket policy", Set{Resource: p.bucketAll}, get(anon), allowed},
		{"an anonymous request needs a grant to everyone", Set{Resource: p.bucketAccount}, get(anon), implicit(ResourcePolicy)},

		{"a trust policy naming the user lets it assume the role without identity policies", Set{Resource: p.trustAlice}, assume(alice), allowed},
		{"a trust policy naming the account needs the identity allow", Set{Resource: p.trustAccount}, assume(alice), implicit(IdentityPolicy)},
		{"a trust policy naming the account grants with the identity allow", Set{Identity: list(p.allowAll), Resource: p.trustAccount}, assume(alice), allowed},
		{"an identity allow does not assume a role whose trust policy does not allow", Set{Identity: list(p.allowAll), Resource: p.trustBob}, assume(alice), implicit(ResourcePolicy)},
		{"an identity allow does not assume a role whose trust policy only denies others", Set{Identity: list(p.allowAll), Resource: mustCompile(t, Trust, ResourcePolicy, stmt(`"Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": "sts:AssumeRole"`))}, assume(alice), implicit(ResourcePolicy)},
		{"a service assumes a role that trusts it", Set{Resource: p.trustService}, Request{Principal: smSvc, Action: "sts:AssumeRole", Resource: role}, allowed},
		{"another account's user assumes a role that trusts it with its identity allow", Set{Identity: list(p.allowAll), Resource: p.trustBob}, assume(bob), allowed},
		{"another account's user needs its identity allow to assume a role", Set{Resource: p.trustBob}, assume(bob), implicit(IdentityPolicy)},

		{"an endpoint policy that allows lets the request through", Set{Identity: list(p.allowGet), Endpoint: p.endpointS3}, get(alice), allowed},
		{"an endpoint policy that does not allow denies in the endpoint layer", Set{Identity: list(p.allowGet), Endpoint: p.endpointEC2}, get(alice), implicit(EndpointPolicy)},
		{"a deny in an endpoint policy is an explicit deny", Set{Identity: list(p.allowGet), Endpoint: p.endpointDeny}, get(alice), explicit(EndpointPolicy)},
		{"an endpoint policy binds the root user", Set{Endpoint: p.endpointEC2}, get(rootA), implicit(EndpointPolicy)},
		{"an endpoint policy binds services", Set{Resource: p.bucketService, Endpoint: p.endpointEC2}, get(smSvc), implicit(EndpointPolicy)},
		{"the identity layer is named before the endpoint layer", Set{Endpoint: p.endpointEC2}, get(alice), implicit(IdentityPolicy)},

		{"nil policies in a set are skipped", Set{Identity: list(nil, p.allowGet), Session: list(nil, p.sessionS3), HasSession: true, ControlPolicies: [][]*Compiled{{nil, p.scpAll}}}, get(sess), allowed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Decide(&c.set, &c.req)
			if got != c.want {
				t.Errorf("Decide(%s on %s by %s) = %s, want %s", c.req.Action, c.req.Resource, principalName(c.req.Principal), describeDecision(got), describeDecision(c.want))
			}
			if exp := Explain(&c.set, &c.req); exp.Decision != got {
				t.Errorf("Explain(…).Decision = %s, want Decide's %s", describeDecision(exp.Decision), describeDecision(got))
			}
		})
	}
}

func principalName(p Principal) string {
	switch {
	case p.Service != "":
		return p.Service
	case p.Anonymous:
		return "anonymous"
	}
	return p.ARN
}

// describeDecision writes a decision as "implicitDeny/boundary".
func describeDecision(d Decision) string {
	names := [...]string{"-", "identity", "boundary", "session", "control", "resource", "endpoint"}
	layer := "?"
	if int(d.Layer) < len(names) {
		layer = names[d.Layer]
	}
	return d.Outcome.String() + "/" + layer
}

func TestDecideWithoutRequestOrSet(t *testing.T) {
	if got := Decide(nil, nil); got.Outcome != ImplicitDeny {
		t.Errorf("Decide(nil, nil) = %v, want an implicit deny", got)
	}
	if got := Decide(nil, &Request{Principal: alice, Action: "s3:GetObject", Resource: "*"}); got != (Decision{ImplicitDeny, IdentityPolicy}) {
		t.Errorf("Decide(nil set) = %v, want implicitDeny/identity", got)
	}
	if got := Decide(nil, &Request{Principal: rootA, Action: "s3:GetObject", Resource: "*"}); got.Outcome != Allowed {
		t.Errorf("Decide(nil set) for the root user = %v, want allowed", got)
	}
}

func TestExplain(t *testing.T) {
	p := castOf(t)
	cond := mustCompile(t, Managed, IdentityPolicy, `{"Version": "2012-10-17", "Statement": [
		{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
		 "Condition": {"StringEquals": {"aws:PrincipalTag/team": "${aws:PrincipalTag/Project}", "AWS:principaltag/TEAM": "x"},
		               "IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}},
		{"Effect": "Allow", "Action": "s3:PutObject", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "true"}}},
		{"Effect": "Deny", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::other/*", "Condition": {"Bool": {"aws:ViaAWSService": "true"}}}]}`)
	t.Run("every matching statement is listed, deny or allow, in policy order", func(t *testing.T) {
		set := Set{Identity: list(p.allowGet, p.allowAll, p.denyGet), Resource: p.bucketAlice}
		req := Request{Principal: alice, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"}
		exp := Explain(&set, &req)
		want := []Match{{p.allowGet, 0, Allow}, {p.allowAll, 0, Allow}, {p.denyGet, 0, Deny}, {p.bucketAlice, 0, Allow}}
		if len(exp.Matches) != len(want) {
			t.Fatalf("Explain matches = %v, want %v", exp.Matches, want)
		}
		for i := range want {
			if exp.Matches[i] != want[i] {
				t.Errorf("Explain match %d = %+v, want %+v", i, exp.Matches[i], want[i])
			}
		}
		if exp.Decision != (Decision{ExplicitDeny, IdentityPolicy}) {
			t.Errorf("Explain decision = %v, want explicitDeny/identity", exp.Decision)
		}
	})
	t.Run("statements whose conditions fail are not matches", func(t *testing.T) {
		set := Set{Identity: list(cond)}
		req := Request{Principal: alice, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k", Context: &Context{}}
		exp := Explain(&set, &req)
		if len(exp.Matches) != 0 || exp.Decision != (Decision{ImplicitDeny, IdentityPolicy}) {
			t.Errorf("Explain = %+v, want no matches and implicitDeny/identity", exp)
		}
	})
	t.Run("missing keys are those of statements whose action and resource matched, once each", func(t *testing.T) {
		set := Set{Identity: list(cond)}
		req := Request{Principal: alice, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k", Context: &Context{}}
		exp := Explain(&set, &req)
		want := "aws:PrincipalTag/team aws:PrincipalTag/Project aws:SourceIp"
		if got := strings.Join(exp.Missing, " "); got != want {
			t.Errorf("Explain missing = %q, want %q", got, want)
		}
	})
	t.Run("keys the request has are not missing", func(t *testing.T) {
		set := Set{Identity: list(cond)}
		ctx := &Context{}
		ctx.Set("aws:PrincipalTag/team", "x")
		ctx.Set("aws:PrincipalTag/project", "x")
		ctx.Set("aws:SourceIp", "10.1.2.3")
		req := Request{Principal: alice, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k", Context: ctx}
		exp := Explain(&set, &req)
		if len(exp.Missing) != 0 || exp.Decision.Outcome != Allowed || len(exp.Matches) != 1 {
			t.Errorf("Explain = %+v, want allowed by one match with nothing missing", exp)
		}
	})
}

func TestCompile(t *testing.T) {
	if _, err := Compile(nil, "x", IdentityPolicy); err == nil {
		t.Errorf("Compile(nil) = nil error, want an error")
	}
	doc, err := Parse(stmt(`"Effect": "Allow", "Action": "s3:*", "Resource": "*"`), Managed)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Compile(doc, "x", PolicyType(0)); err == nil {
		t.Errorf("Compile(type 0) = nil error, want an error")
	}
	c, err := Compile(doc, "arn:aws:iam::aws:policy/X v1", BoundaryPolicy)
	if err != nil || c.ID != "arn:aws:iam::aws:policy/X v1" || c.Type != BoundaryPolicy || c.Document() != doc {
		t.Errorf("Compile = %+v, %v, want the id, type and document kept", c, err)
	}
}

func TestDecideAllocatesNothing(t *testing.T) {
	set, req := benchScenario(t)
	worstSet, worstReq := worstScenario(t)
	other := *req
	other.Resource = "arn:aws:s3:::project-9-data/home/bob/data.csv"
	insecure := *req
	insecure.Context = &Context{}
	insecure.Context.Set("aws:SecureTransport", "false")
	cases := []struct {
		name string
		set  *Set
		req  *Request
		want Outcome
	}{
		{"the benchmark's request", set, req, Allowed},
		{"the worst case's request", worstSet, worstReq, Allowed},
		{"another user's home", set, &other, ImplicitDeny},
		{"a request without TLS", set, &insecure, ExplicitDeny},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if d := Decide(c.set, c.req); d.Outcome != c.want {
				t.Fatalf("Decide = %s, want %v", describeDecision(d), c.want)
			}
			if n := testing.AllocsPerRun(100, func() { Decide(c.set, c.req) }); n != 0 {
				t.Errorf("Decide allocates %v times per run, want 0", n)
			}
		})
	}
}

// TestCompileEveryValidDocument compiles every document the parser's corpus accepts, as every type of policy, and
// decides a request with it: whatever Parse accepts compiles.
func TestCompileEveryValidDocument(t *testing.T) {
	n := 0
	for file, cases := range loadCorpus(t) {
		for _, c := range cases {
			kind, ok := ParseKind(c.Kind)
			text, err := c.text()
			if !ok || err != nil || c.Want != "valid" {
				continue
			}
			doc, err := Parse(text, kind)
			if err != nil {
				t.Fatalf("%s/%s: Parse = %v", file, c.Name, err)
			}
			for typ := IdentityPolicy; typ <= EndpointPolicy; typ++ {
				comp, err := Compile(doc, c.Name, typ)
				if err != nil {
					t.Errorf("%s/%s: Compile(%v) = %v, want a compiled policy", file, c.Name, typ, err)
					continue
				}
				set := &Set{Identity: list(comp), Resource: comp}
				req := &Request{Principal: alice, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k", Context: &Context{}}
				if d, e := Decide(set, req), Explain(set, req); d != e.Decision {
					t.Errorf("%s/%s as %v: Decide = %s, Explain = %s", file, c.Name, typ, describeDecision(d), describeDecision(e.Decision))
				}
				n++
			}
		}
	}
	if n == 0 {
		t.Fatal("the parser's corpus has no valid documents")
	}
}
