package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/sagebox/sagebox/internal/api"
	"github.com/sagebox/sagebox/internal/authz"
	"github.com/sagebox/sagebox/internal/policy"
)

// `sagebox simulate --request FILE` decides one what-if request offline, beyond what IAM's simulator API can say:
// any kind of principal with its identity policies, boundary and session policies, the SCPs of every level of the
// organization and the RCPs of the resource's, the resource and its policy, a VPC endpoint's policy, the action
// and the request's keys. It fills the request context as the server fills a live request's (package authz) and
// decides with the same engine (policy.Explain).

const simulateUsage = `usage: sagebox simulate --request FILE [--json]

Decides one request offline, with the policy engine that decides live requests, and prints the decision, AWS's
denial text, the statements that matched (policy, statement, Sid) and the condition keys the statements asked for
that the request did not have. --json prints the same for machines. FILE - reads standard input.
Exit status: 0 when the request was decided (whatever the decision), 1 when FILE is not a valid request, 2 usage.

FILE is JSON; every member but "action" and "principal" may be left out (cmd/sagebox/testdata/simulate has
examples):

  {
    "action": "s3:GetObject",
    "principal": {
      "type": "role-session",            user | role-session | federated-user | service | anonymous | root
      "arn": "...",                      user: arn:aws:iam::ACCOUNT:user/PATH/NAME; federated-user:
                                         arn:aws:sts::ACCOUNT:federated-user/NAME; root: arn:aws:iam::ACCOUNT:root
      "account": "111122223333",         root, or when no ARN says it
      "role": "arn:aws:iam::111122223333:role/ml/Trainer",   role-session: its role
      "session": "job-42",               role-session: the session name (default "session")
      "service": "sagemaker.amazonaws.com",                  service: the service principal
      "id": "AROA...",                   the unique id of the user or role (default: derived from its ARN)
      "tags": {"team": "ml"},            the user's or role's tags: aws:PrincipalTag/*
      "sessionTags": {"team": "cv"},     session tags, which replace tags of the same key
      "mfa": true,                       a session authenticated with MFA
      "policies": [POLICY, ...],         identity-based policies (a federated user's: its IAM user's)
      "boundary": POLICY,                the permissions boundary
      "sessionPolicies": [POLICY, ...]   session policies; a federated user always has them
    },
    "resource": {
      "arn": "arn:aws:s3:::reports/q3.csv",   default "*"
      "account": "444455556666",         the owner, when the ARN does not say (default: the principal's account)
      "tags": {"class": "internal"},     aws:ResourceTag/*
      "policy": POLICY                   its resource-based policy; for a role ARN and sts:AssumeRole*, the trust policy
    },
    "scps": [[POLICY, ...], ...],        service control policies, one list per level, the root's first: every
                                         level must allow; they limit the principal's account
    "rcps": [[POLICY, ...], ...],        resource control policies of the resource's account, by level as "scps"
    "endpoint": {"id": "vpce-0a1b", "vpc": "vpc-0c2d", "policy": POLICY},   the VPC endpoint the request came through
    "request": {
      "region": "eu-west-1",             aws:RequestedRegion (default us-east-1; IAM is always us-east-1)
      "time": "2025-06-01T12:00:00Z",    aws:CurrentTime (default now)
      "sourceIp": "203.0.113.7",         aws:SourceIp, or aws:VpcSourceIp through an endpoint
      "secureTransport": true,           aws:SecureTransport (default true)
      "calledVia": ["sagemaker.amazonaws.com"]   services the call came through: aws:CalledVia and its kin
    },
    "context": {"s3:prefix": "reports/", "aws:TagKeys": ["a", "b"]}   more condition keys, last word
  }

POLICY is {"id": "NAME", "document": {...}} with the document as JSON or as a JSON string, or
{"id": "NAME", "file": "PATH"} with PATH relative to FILE. IAM's rules for its kind apply.`

// simPolicySpec is a policy of a request file.
type simPolicySpec struct {
	ID       string          `json:"id"`
	Document json.RawMessage `json:"document"`
	File     string          `json:"file"`
}

type simPrincipalSpec struct {
	Type            string            `json:"type"`
	ARN             string            `json:"arn"`
	Account         string            `json:"account"`
	Role            string            `json:"role"`
	Session         string            `json:"session"`
	Service         string            `json:"service"`
	ID              string            `json:"id"`
	Tags            map[string]string `json:"tags"`
	SessionTags     map[string]string `json:"sessionTags"`
	MFA             bool              `json:"mfa"`
	Policies        []simPolicySpec   `json:"policies"`
	Boundary        *simPolicySpec    `json:"boundary"`
	SessionPolicies []simPolicySpec   `json:"sessionPolicies"`
}

type simResourceSpec struct {
	ARN     string            `json:"arn"`
	Account string            `json:"account"`
	Tags    map[string]string `json:"tags"`
	Policy  *simPolicySpec    `json:"policy"`
}

type simEndpointSpec struct {
	ID     string         `json:"id"`
	VPC    string         `json:"vpc"`
	Policy *simPolicySpec `json:"policy"`
}

type simRequestSpec struct {
	Region          string   `json:"region"`
	Time            string   `json:"time"`
	SourceIP        string   `json:"sourceIp"`
	SecureTransport *bool    `json:"secureTransport"`
	CalledVia       []string `json:"calledVia"`
}

// simRequestFile is a request file as written.
type simRequestFile struct {
	Action    string                     `json:"action"`
	Principal *simPrincipalSpec          `json:"principal"`
	Resource  *simResourceSpec           `json:"resource"`
	SCPs      [][]simPolicySpec          `json:"scps"`
	RCPs      [][]simPolicySpec          `json:"rcps"`
	Endpoint  *simEndpointSpec           `json:"endpoint"`
	Request   simRequestSpec             `json:"request"`
	Context   map[string]json.RawMessage `json:"context"`
}

// whatIf is a request file made ready for the engine.
type whatIf struct {
	principal *api.Principal
	set       policy.Set
	rcps      [][]*policy.Compiled
	req       policy.Request
	// layers names what each policy is ("identity-based policy", …, "resource control policy") and level its
	// level in the organization, from 1, for SCPs and RCPs.
	layers map[*policy.Compiled]string
	level  map[*policy.Compiled]int
	docs   map[*policy.Compiled]*policy.Document
}

// The layer names, as the decision log and AWS's denial texts name them.
const (
	layerIdentity = "identity-based policy"
	layerBoundary = "permissions boundary"
	layerSession  = "session policy"
	layerSCP      = "service control policy"
	layerRCP      = "resource control policy"
	layerResource = "resource-based policy"
	layerEndpoint = "VPC endpoint policy"
)

// parseWhatIf reads a request file. Policies given by "file" are read with readFile, relative to dir; now is the
// time of a request that gives none.
func parseWhatIf(data []byte, dir string, readFile func(string) ([]byte, error), now time.Time) (*whatIf, error) {
	var f simRequestFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("the request is not valid JSON of the documented form: %w", err)
	}
	if dec.More() {
		return nil, errors.New("the request has more than one JSON value")
	}
	svc, op, ok := strings.Cut(f.Action, ":")
	if !ok || svc == "" || op == "" || strings.ContainsAny(f.Action, "*? ") {
		return nil, fmt.Errorf("action %q: want service:Operation, such as s3:GetObject", f.Action)
	}
	if f.Principal == nil {
		return nil, errors.New("the request has no principal")
	}
	w := &whatIf{
		layers: map[*policy.Compiled]string{}, level: map[*policy.Compiled]int{}, docs: map[*policy.Compiled]*policy.Document{},
	}
	load := func(spec *simPolicySpec, what, defaultID string, kind policy.Kind, typ policy.PolicyType) (*policy.Compiled, error) {
		return w.compile(spec, what, defaultID, kind, typ, dir, readFile)
	}

	when := now
	if f.Request.Time != "" {
		t, err := time.Parse(time.RFC3339, f.Request.Time)
		if err != nil {
			return nil, fmt.Errorf("request.time %q: want an RFC 3339 time such as 2025-06-01T12:00:00Z", f.Request.Time)
		}
		when = t
	}

	p, session, err := principalOf(f.Principal, when)
	if err != nil {
		return nil, err
	}
	w.principal = p
	pp := &authz.PrincipalPolicies{Tags: f.Principal.Tags}
	for i := range f.Principal.Policies {
		c, err := load(&f.Principal.Policies[i], layerIdentity, fmt.Sprintf("identity policy %d", i+1), policy.Identity, policy.IdentityPolicy)
		if err != nil {
			return nil, err
		}
		pp.Identity = append(pp.Identity, c)
	}
	if f.Principal.Boundary != nil {
		if pp.Boundary, err = load(f.Principal.Boundary, layerBoundary, "permissions boundary", policy.Identity, policy.BoundaryPolicy); err != nil {
			return nil, err
		}
	}
	if session != nil {
		for i := range f.Principal.SessionPolicies {
			c, err := load(&f.Principal.SessionPolicies[i], layerSession, fmt.Sprintf("session policy %d", i+1), policy.Session, policy.SessionPolicy)
			if err != nil {
				return nil, err
			}
			session.Policies = append(session.Policies, c)
		}
		// A federated user's permissions are always the intersection with the session policies GetFederationToken
		// was given ("You must pass an inline or managed session policy").
		session.HasPolicies = len(session.Policies) > 0 || p.Type == api.FederatedUser
	} else if len(f.Principal.SessionPolicies) > 0 {
		return nil, fmt.Errorf("principal of type %s: only a role session or a federated user has session policies", f.Principal.Type)
	}
	if p.Type != api.Root && p.Type != api.Service && p.Type != anonymousType {
		w.set.Identity, w.set.Boundary = pp.Identity, pp.Boundary
	} else if len(pp.Identity) > 0 || pp.Boundary != nil {
		return nil, fmt.Errorf("principal of type %s: it has no identity-based policies or boundary", f.Principal.Type)
	}
	if session != nil {
		w.set.Session, w.set.HasSession = session.Policies, session.HasPolicies
	}
	for i, level := range f.SCPs {
		var list []*policy.Compiled
		for j := range level {
			c, err := load(&level[j], layerSCP, fmt.Sprintf("SCP %d of level %d", j+1, i+1), policy.ServiceControl, policy.ControlPolicy)
			if err != nil {
				return nil, err
			}
			w.level[c] = i + 1
			list = append(list, c)
		}
		if len(list) == 0 {
			return nil, fmt.Errorf("scps: level %d has no policy; an organization attaches at least one SCP to every level", i+1)
		}
		w.set.ControlPolicies = append(w.set.ControlPolicies, list)
	}
	for i, level := range f.RCPs {
		var list []*policy.Compiled
		for j := range level {
			// An RCP is written as a resource-based policy, with "Principal": "*".
			c, err := load(&level[j], layerRCP, fmt.Sprintf("RCP %d of level %d", j+1, i+1), policy.Resource, policy.ControlPolicy)
			if err != nil {
				return nil, err
			}
			w.level[c] = i + 1
			list = append(list, c)
		}
		if len(list) == 0 {
			return nil, fmt.Errorf("rcps: level %d has no policy; an organization attaches at least one RCP to every level", i+1)
		}
		w.rcps = append(w.rcps, list)
	}

	resource, resourceAccount := "*", ""
	keys := map[string][]string{}
	if r := f.Resource; r != nil {
		if r.ARN != "" {
			if r.ARN != "*" && !looksLikeARN(r.ARN) {
				return nil, fmt.Errorf("resource.arn %q is not an ARN", r.ARN)
			}
			resource = r.ARN
		}
		resourceAccount = arnAccount(resource)
		if r.Account != "" {
			if !isAccountID(r.Account) {
				return nil, fmt.Errorf("resource.account %q is not a 12-digit account id", r.Account)
			}
			if resourceAccount != "" && resourceAccount != r.Account {
				return nil, fmt.Errorf("resource.account %s is not the account of the ARN, %s", r.Account, resourceAccount)
			}
			resourceAccount = r.Account
		}
		for k, v := range r.Tags {
			keys["aws:ResourceTag/"+k] = []string{v}
		}
		if r.Policy != nil {
			kind := policy.Resource
			if strings.Contains(resource, ":role/") && strings.HasPrefix(f.Action, "sts:AssumeRole") {
				kind = policy.Trust
			}
			if w.set.Resource, err = load(r.Policy, layerResource, "resource policy", kind, policy.ResourcePolicy); err != nil {
				return nil, err
			}
		}
	}
	sourceIP := f.Request.SourceIP
	if e := f.Endpoint; e != nil {
		if e.ID == "" {
			return nil, errors.New("endpoint: a VPC endpoint has an id (vpce-…)")
		}
		keys["aws:SourceVpce"] = []string{e.ID}
		if e.VPC != "" {
			keys["aws:SourceVpc"] = []string{e.VPC}
		}
		// Through an endpoint the request comes from a private address: AWS gives it as aws:VpcSourceIp and
		// leaves aws:SourceIp out.
		if sourceIP != "" {
			keys["aws:VpcSourceIp"] = []string{sourceIP}
			sourceIP = ""
		}
		if e.Policy != nil {
			if w.set.Endpoint, err = load(e.Policy, layerEndpoint, "endpoint policy", policy.Resource, policy.EndpointPolicy); err != nil {
				return nil, err
			}
		}
	}
	if len(f.Request.CalledVia) > 0 {
		keys["aws:CalledVia"] = f.Request.CalledVia
	}
	for k, raw := range f.Context {
		vals, err := contextValues(raw)
		if err != nil {
			return nil, fmt.Errorf("context %q: %w", k, err)
		}
		keys[k] = vals
	}

	region := f.Request.Region
	if region == "" {
		region = "us-east-1"
	}
	secure := true
	if f.Request.SecureTransport != nil {
		secure = *f.Request.SecureTransport
	}
	c := api.NewCall(context.Background(), nil, nil, false)
	c.Service, c.Operation, c.Region, c.Now = svc, op, region, when
	c.Principal, c.SourceIP, c.SecureTransport = p, sourceIP, secure
	a := &api.Authorization{Action: f.Action, Resources: []string{resource}, Context: keys, ResourceAccount: resourceAccount}
	var ctx *policy.Context
	if p.Type == anonymousType {
		ctx = anonymousContext(authz.RequestContext(c, a, nil, nil))
	} else {
		ctx = authz.RequestContext(c, a, pp, session)
	}
	w.req = policy.Request{Action: f.Action, Resource: resource, ResourceAccount: resourceAccount, Context: ctx}
	if p.Type == anonymousType {
		w.req.Principal = policy.Principal{Anonymous: true}
	} else {
		w.req.Principal = authz.EnginePrincipal(p, session)
	}
	return w, nil
}

// anonymousType is the principal type of a request without credentials, as aws:PrincipalType names it.
const anonymousType api.PrincipalType = "Anonymous"

// anonymousContext is ctx without the principal keys an anonymous request has none of (aws:PrincipalArn,
// aws:PrincipalAccount); its aws:PrincipalType is "Anonymous" and its aws:userid "anonymous" (the IAM User Guide's
// tables of their values).
func anonymousContext(ctx *policy.Context) *policy.Context {
	out := new(policy.Context)
	for _, k := range ctx.Keys() {
		v, _ := ctx.Get(k)
		if len(v) == 1 && v[0] == "" || strings.EqualFold(k, "aws:PrincipalArn") || strings.EqualFold(k, "aws:PrincipalAccount") {
			continue
		}
		out.Set(k, v...)
	}
	out.Set("aws:userid", "anonymous")
	return out
}

// contextValues reads a context value: a string, or a list of strings.
func contextValues(raw json.RawMessage) ([]string, error) {
	var one string
	if err := json.Unmarshal(raw, &one); err == nil {
		return []string{one}, nil
	}
	var many []string
	if err := json.Unmarshal(raw, &many); err != nil {
		return nil, errors.New("want a string or a list of strings")
	}
	if many == nil {
		many = []string{}
	}
	return many, nil
}

// compile reads, parses and compiles one policy of the request.
func (w *whatIf) compile(spec *simPolicySpec, what, defaultID string, kind policy.Kind, typ policy.PolicyType, dir string, readFile func(string) ([]byte, error)) (*policy.Compiled, error) {
	id := spec.ID
	if id == "" {
		id = defaultID
	}
	var text string
	switch {
	case spec.File != "" && len(spec.Document) > 0:
		return nil, fmt.Errorf("%s %q: give its document or its file, not both", what, id)
	case spec.File != "":
		path := spec.File
		if !filepath.IsAbs(path) {
			path = filepath.Join(dir, path)
		}
		b, err := readFile(path)
		if err != nil {
			return nil, fmt.Errorf("%s %q: %w", what, id, err)
		}
		text = string(b)
	case len(spec.Document) > 0:
		var s string
		if err := json.Unmarshal(spec.Document, &s); err == nil {
			text = s
		} else {
			text = string(spec.Document)
		}
	default:
		return nil, fmt.Errorf("%s %q has neither a document nor a file", what, id)
	}
	doc, err := policy.Parse(text, kind)
	if err != nil {
		var pe *policy.Error
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("%s %q is invalid: MalformedPolicyDocument: %s", what, id, pe.Message)
		}
		return nil, fmt.Errorf("%s %q: %w", what, id, err)
	}
	c, err := policy.Compile(doc, id, typ)
	if err != nil {
		return nil, fmt.Errorf("%s %q: %w", what, id, err)
	}
	w.layers[c], w.docs[c] = what, doc
	return c, nil
}

// principalOf makes the principal of the request, and its STS session for a role session or a federated user.
func principalOf(ps *simPrincipalSpec, when time.Time) (*api.Principal, *authz.Session, error) {
	fail := func(format string, args ...any) (*api.Principal, *authz.Session, error) {
		return nil, nil, fmt.Errorf("principal of type %s: "+format, append([]any{ps.Type}, args...)...)
	}
	if ps.Type != "role-session" && ps.Type != "federated-user" && (len(ps.SessionTags) > 0 || ps.MFA) {
		return fail("only a session has session tags or MFA")
	}
	session := &authz.Session{Issued: when, MFA: ps.MFA, Tags: ps.SessionTags}
	if ps.MFA {
		session.MFAAuthenticated = when
	}
	switch ps.Type {
	case "user":
		acct, _, name, ok := iamARN(ps.ARN, "user")
		if !ok {
			return fail("arn %q: want arn:aws:iam::ACCOUNT:user/PATH/NAME", ps.ARN)
		}
		return &api.Principal{Type: api.User, Account: acct, ARN: ps.ARN, UserID: uniqueIDOr(ps.ID, "AIDA", ps.ARN), Name: name,
			AccessKeyID: "AKIA" + derived(ps.ARN+"#key", 16)}, nil, nil
	case "root":
		acct := ps.Account
		if ps.ARN != "" {
			a, ok := strings.CutPrefix(ps.ARN, "arn:aws:iam::")
			if a, ok = strings.CutSuffix(a, ":root"); !ok || !isAccountID(a) || (acct != "" && acct != a) {
				return fail("arn %q: want arn:aws:iam::ACCOUNT:root", ps.ARN)
			}
			acct = a
		}
		if !isAccountID(acct) {
			return fail("give the account (12 digits) or the root ARN")
		}
		return &api.Principal{Type: api.Root, Account: acct, ARN: "arn:aws:iam::" + acct + ":root", UserID: acct}, nil, nil
	case "role-session":
		acct, _, role, ok := iamARN(ps.Role, "role")
		if !ok {
			return fail("role %q: want arn:aws:iam::ACCOUNT:role/PATH/NAME", ps.Role)
		}
		name := ps.Session
		if name == "" {
			name = "session"
		}
		session.RoleARN = ps.Role
		arn := "arn:aws:sts::" + acct + ":assumed-role/" + role + "/" + name
		if ps.ARN != "" && ps.ARN != arn {
			return fail("arn %q is not the session's ARN %s", ps.ARN, arn)
		}
		return &api.Principal{Type: api.AssumedRole, Account: acct, ARN: arn, UserID: uniqueIDOr(ps.ID, "AROA", ps.Role) + ":" + name,
			AccessKeyID: "ASIA" + derived(arn, 16)}, session, nil
	case "federated-user":
		rest, ok := strings.CutPrefix(ps.ARN, "arn:aws:sts::")
		acct, name, ok2 := strings.Cut(rest, ":federated-user/")
		if !ok || !ok2 || !isAccountID(acct) || name == "" {
			return fail("arn %q: want arn:aws:sts::ACCOUNT:federated-user/NAME", ps.ARN)
		}
		return &api.Principal{Type: api.FederatedUser, Account: acct, ARN: ps.ARN, UserID: acct + ":" + name,
			AccessKeyID: "ASIA" + derived(ps.ARN, 16)}, session, nil
	case "service":
		if ps.Service == "" || !strings.Contains(ps.Service, ".") {
			return fail("give the service principal, such as sagemaker.amazonaws.com")
		}
		return &api.Principal{Type: api.Service, Name: ps.Service, ARN: ps.Service}, nil, nil
	case "anonymous":
		return &api.Principal{Type: anonymousType, ARN: "anonymous"}, nil, nil
	}
	return nil, nil, fmt.Errorf("principal type %q: want user, role-session, federated-user, service, anonymous or root", ps.Type)
}

// iamARN takes apart arn:aws:iam::ACCOUNT:TYPE/PATH/NAME.
func iamARN(arn, typ string) (account, path, name string, ok bool) {
	rest, found := strings.CutPrefix(arn, "arn:aws:iam::")
	if !found {
		return "", "", "", false
	}
	account, rest, found = strings.Cut(rest, ":"+typ+"/")
	if !found || !isAccountID(account) {
		return "", "", "", false
	}
	i := strings.LastIndexByte(rest, '/')
	path, name = "/"+rest[:i+1], rest[i+1:]
	return account, path, name, name != ""
}

// uniqueIDOr is id, or else an id of the prefix's kind derived from the ARN, so that a request file that gives
// none still decides the same way every time.
func uniqueIDOr(id, prefix, arn string) string {
	if id != "" {
		return id
	}
	return prefix + derived(arn, 17)
}

// derived is n upper-case letters and digits derived from s.
func derived(s string, n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	sum := sha256.Sum256([]byte(s))
	out := make([]byte, n)
	for i := range out {
		out[i] = alphabet[sum[i%len(sum)]%32]
	}
	return string(out)
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// looksLikeARN reports whether s has the six parts of an ARN.
func looksLikeARN(s string) bool {
	parts := strings.SplitN(s, ":", 6)
	return len(parts) == 6 && parts[0] == "arn" && parts[1] != "" && parts[2] != "" && parts[5] != ""
}

// arnAccount is the account field of an ARN, "" when it has none (S3 buckets and objects).
func arnAccount(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) == 6 && isAccountID(parts[4]) {
		return parts[4]
	}
	return ""
}

// simOutcome is the answer to a request file, as --json prints it.
type simOutcome struct {
	Action          string `json:"action"`
	Resource        string `json:"resource"`
	ResourceAccount string `json:"resourceAccount,omitempty"`
	Principal       struct {
		Type    string `json:"type"`
		ARN     string `json:"arn"`
		Account string `json:"account,omitempty"`
	} `json:"principal"`
	// Decision is allowed, explicitDeny or implicitDeny; Layer, for a denial, the policies that denied or had no
	// allow; Reason is AWS's denial text.
	Decision string             `json:"decision"`
	Layer    string             `json:"layer,omitempty"`
	Reason   string             `json:"reason,omitempty"`
	Matched  []simMatchedOutput `json:"matchedStatements"`
	Missing  []string           `json:"missingContextKeys"`
	Context  []authz.ContextKey `json:"context"`
}

// simMatchedOutput is one statement that matched the request.
type simMatchedOutput struct {
	Layer     string `json:"layer"`
	Level     int    `json:"level,omitempty"`
	PolicyID  string `json:"policyId"`
	Statement int    `json:"statement"`
	Sid       string `json:"sid,omitempty"`
	Effect    string `json:"effect"`
	// Says is the statement in a line: its effect, actions, resources and conditions.
	Says string `json:"says"`
}

// decide decides the request as a live request is decided, and then by the RCPs of the resource's account, which
// the engine's Set does not hold: they are evaluated on their own as an organization's control policies (every
// level must allow, a deny denies), and join the decision as a further layer.
func (w *whatIf) decide() simOutcome {
	ex := policy.Explain(&w.set, &w.req)
	decision := ex.Decision
	layer := layerOf(decision.Layer)
	matches := ex.Matches
	missing := slices.Clone(ex.Missing)
	if len(w.rcps) > 0 {
		// As the account's root user evaluated against control policies alone, the engine answers whether the
		// RCPs deny, do not allow, or allow.
		// The request is put to them as one within the account: RCPs are the resource account's own, and its
		// aws:ResourceAccount stays in the context.
		probe := w.req
		probe.Principal = policy.Principal{ARN: w.req.Principal.ARN, Root: true}
		probe.ResourceAccount = ""
		rex := policy.Explain(&policy.Set{ControlPolicies: w.rcps}, &probe)
		matches = append(matches, rex.Matches...)
		for _, m := range rex.Missing {
			if !slices.ContainsFunc(missing, func(k string) bool { return strings.EqualFold(k, m) }) {
				missing = append(missing, m)
			}
		}
		switch {
		case decision.Outcome == policy.ExplicitDeny:
		case rex.Outcome == policy.ExplicitDeny:
			decision, layer = policy.Decision{Outcome: policy.ExplicitDeny, Layer: policy.ControlPolicy}, layerRCP
		case decision.Outcome == policy.Allowed && rex.Outcome == policy.ImplicitDeny && rex.Layer == policy.ControlPolicy:
			decision, layer = policy.Decision{Outcome: policy.ImplicitDeny, Layer: policy.ControlPolicy}, layerRCP
		}
	}

	var out simOutcome
	out.Action, out.Resource, out.ResourceAccount = w.req.Action, w.req.Resource, w.req.ResourceAccount
	out.Principal.Type, out.Principal.ARN, out.Principal.Account = string(w.principal.Type), w.principal.ARN, w.principal.Account
	out.Decision = decision.Outcome.String()
	if decision.Outcome != policy.Allowed {
		out.Layer = layer
		out.Reason = authz.DenialText(w.principal, w.req.Action, w.req.Resource, decision, w.set.Resource)
		if layer == layerRCP {
			// AWS names RCPs as it names SCPs: "… with an explicit deny in a resource control policy".
			if i := strings.LastIndex(out.Reason, layerSCP); i >= 0 {
				out.Reason = out.Reason[:i] + layerRCP + out.Reason[i+len(layerSCP):]
			}
		}
	}
	out.Matched = []simMatchedOutput{}
	for _, m := range matches {
		if m.Policy == nil {
			continue
		}
		mo := simMatchedOutput{Layer: w.layers[m.Policy], Level: w.level[m.Policy], PolicyID: m.Policy.ID, Statement: m.Statement, Effect: m.Effect.String()}
		if st := statementOf(w.docs[m.Policy], m.Statement); st != nil {
			mo.Sid, mo.Says = st.Sid, says(st)
		}
		out.Matched = append(out.Matched, mo)
	}
	out.Missing = missing
	if out.Missing == nil {
		out.Missing = []string{}
	}
	out.Context = []authz.ContextKey{}
	for _, k := range w.req.Context.Keys() {
		v, _ := w.req.Context.Get(k)
		out.Context = append(out.Context, authz.ContextKey{Key: k, Values: v})
	}
	return out
}

func layerOf(t policy.PolicyType) string {
	switch t {
	case policy.BoundaryPolicy:
		return layerBoundary
	case policy.SessionPolicy:
		return layerSession
	case policy.ControlPolicy:
		return layerSCP
	case policy.ResourcePolicy:
		return layerResource
	case policy.EndpointPolicy:
		return layerEndpoint
	}
	return layerIdentity
}

func statementOf(doc *policy.Document, index int) *policy.Statement {
	if doc == nil {
		return nil
	}
	for _, st := range doc.Statements {
		if st.Index == index {
			return st
		}
	}
	return nil
}

// says renders a statement in a line: "Allow s3:GetObject on arn:aws:s3:::reports/* when aws:SourceVpce
// StringEquals vpce-1".
func says(st *policy.Statement) string {
	var b strings.Builder
	b.WriteString(st.Effect.String())
	if st.Principal != nil {
		b.WriteString(" " + principalsText(st.Principal))
	}
	if st.NotPrincipal != nil {
		b.WriteString(" everyone but " + principalsText(st.NotPrincipal))
	}
	if len(st.Action) > 0 {
		b.WriteString(" " + strings.Join(st.Action, ", "))
	}
	if len(st.NotAction) > 0 {
		b.WriteString(" every action but " + strings.Join(st.NotAction, ", "))
	}
	if len(st.Resource) > 0 {
		b.WriteString(" on " + strings.Join(st.Resource, ", "))
	}
	if len(st.NotResource) > 0 {
		b.WriteString(" on every resource but " + strings.Join(st.NotResource, ", "))
	}
	for i, c := range st.Conditions {
		if i == 0 {
			b.WriteString(" when ")
		} else {
			b.WriteString(" and ")
		}
		fmt.Fprintf(&b, "%s %s %s", c.Key, c.OperatorName(), strings.Join(c.Values, " or "))
	}
	return b.String()
}

func principalsText(p *policy.Principals) string {
	var names []string
	if p.All {
		names = append(names, "*")
	}
	names = append(names, p.AWS...)
	names = append(names, p.Service...)
	names = append(names, p.Federated...)
	names = append(names, p.CanonicalUser...)
	return "to " + strings.Join(names, ", ")
}

// writeText prints the outcome for a reader.
func (o *simOutcome) writeText(w io.Writer) {
	fmt.Fprintf(w, "request    %s on %s", o.Action, o.Resource)
	if o.ResourceAccount != "" {
		fmt.Fprintf(w, " (owned by %s)", o.ResourceAccount)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "principal  %s (%s)\n", o.Principal.ARN, o.Principal.Type)
	if o.Layer != "" {
		fmt.Fprintf(w, "decision   %s by the %s layer\n", o.Decision, o.Layer)
		fmt.Fprintf(w, "reason     %s\n", o.Reason)
	} else {
		fmt.Fprintf(w, "decision   %s\n", o.Decision)
	}
	for _, deny := range []bool{true, false} {
		for _, m := range o.Matched {
			if (m.Effect == policy.Deny.String()) != deny {
				continue
			}
			verb := "allowed by"
			if deny {
				verb = "denied by "
			}
			fmt.Fprintf(w, "%s %s %q", verb, m.Layer, m.PolicyID)
			if m.Level > 0 {
				fmt.Fprintf(w, " (level %d)", m.Level)
			}
			fmt.Fprintf(w, ", statement %d", m.Statement)
			if m.Sid != "" {
				fmt.Fprintf(w, " (Sid %q)", m.Sid)
			}
			fmt.Fprintf(w, ": %s\n", m.Says)
		}
	}
	if len(o.Matched) == 0 {
		fmt.Fprintln(w, "matched    no statement")
	}
	if len(o.Missing) > 0 {
		fmt.Fprintf(w, "missing    %s (condition keys the statements ask for that the request does not have)\n", strings.Join(o.Missing, ", "))
	}
	for i, k := range o.Context {
		label := "context   "
		if i > 0 {
			label = "          "
		}
		fmt.Fprintf(w, "%s %s = %s\n", label, k.Key, strings.Join(k.Values, ", "))
	}
}

// runSimulate is `sagebox simulate --request FILE [--json]`.
func runSimulate(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("simulate", flag.ContinueOnError)
	file := fs.String("request", "", "the request file (- for standard input)")
	asJSON := fs.Bool("json", false, "print the outcome as JSON")
	fs.Usage = func() { fmt.Fprintln(stderr, simulateUsage) }
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	if *file == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, simulateUsage)
		return errUsage
	}
	var data []byte
	var err error
	dir := "."
	if *file == "-" {
		data, err = io.ReadAll(io.LimitReader(os.Stdin, 8<<20))
	} else {
		data, err = os.ReadFile(*file)
		dir = filepath.Dir(*file)
	}
	if err != nil {
		return err
	}
	w, err := parseWhatIf(data, dir, os.ReadFile, time.Now())
	if err != nil {
		return err
	}
	out := w.decide()
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	out.writeText(stdout)
	return nil
}
