package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The evaluation corpus under testdata/eval holds authorization questions with the answers AWS gives them, in the
// style of OPA's v1/test/cases: one JSON file per topic, each a list of cases. A case reads:
//
//	{"name": "a sentence saying what is checked",
//	 "source": "the AWS documentation page and section (or the AWS behaviour) it checks",
//	 "note": "optional: where the documentation is ambiguous, what the case assumes",
//	 "policies": [
//	   {"id": "p", "layer": "identity", "kind": "Identity", "document": {…}},
//	   {"id": "scp0", "layer": "control", "level": 0, "document": {…}}, …],
//	 "hasSession": true,
//	 "request": {"principal": {"arn": "…", "account": "…", "roleArn": "…", "uniqueId": "…",
//	                           "service": "…", "root": true, "anonymous": true},
//	             "action": "s3:GetObject", "resource": "arn:…", "resourceAccount": "…",
//	             "context": {"aws:username": "alice", "aws:TagKeys": ["a", "b"], "aws:CalledVia": []}},
//	 "want": "allowed" | "implicitDeny" | "explicitDeny", "layer": "identity",
//	 "matches": ["p#0", "scp0#1"], "missing": ["aws:SourceIp"]}
//
// A policy's layer is identity, boundary, session, control (an SCP, with the level of the organization it is
// attached at: 0 for the root, then each OU, then the account), resource (a resource-based policy; a role's trust
// policy has kind Trust) or endpoint (a VPC endpoint policy). Its kind is the Kind Parse checks it as, by default
// Identity for identity, Managed for boundary, Session for session, ServiceControl for control and Resource for
// resource and endpoint. Identity policies are given in the order the principal has them.
//
// A context value is a string or a list of strings; an empty list is a key that is present with no values.
// hasSession says the request is a session that was given session policies even when none is listed (a federated
// user without a session policy).
//
// layer is required for a denial and absent for an allowed request: for an explicit deny it is the layer of the
// denying statement, for an implicit deny the first layer that had to allow and did not. matches, when present, is
// every statement that matched the request, as "policy id#statement index" in any order; missing, when present, is
// the condition keys the matched statements refer to and the request lacks (compared without regard to case).
//
// eval_corpus_test.go runs the cases through Compile, Decide and Explain; this file loads them and checks, without
// the engine, that every case is well formed and every policy parses.

const evalCorpusMinimum = 300

type evalCase struct {
	Name       string       `json:"name"`
	Source     string       `json:"source"`
	Note       string       `json:"note"`
	Policies   []evalPolicy `json:"policies"`
	HasSession bool         `json:"hasSession"`
	Request    evalRequest  `json:"request"`
	Want       string       `json:"want"`
	Layer      string       `json:"layer"`
	Matches    *[]string    `json:"matches"`
	Missing    *[]string    `json:"missing"`
}

type evalPolicy struct {
	ID       string          `json:"id"`
	Layer    string          `json:"layer"`
	Kind     string          `json:"kind"`
	Level    *int            `json:"level"`
	Document json.RawMessage `json:"document"`
}

type evalRequest struct {
	Principal       evalPrincipal              `json:"principal"`
	Action          string                     `json:"action"`
	Resource        string                     `json:"resource"`
	ResourceAccount string                     `json:"resourceAccount"`
	Context         map[string]json.RawMessage `json:"context"`
}

type evalPrincipal struct {
	ARN       string `json:"arn"`
	Account   string `json:"account"`
	RoleARN   string `json:"roleArn"`
	UniqueID  string `json:"uniqueId"`
	Service   string `json:"service"`
	Root      bool   `json:"root"`
	Anonymous bool   `json:"anonymous"`
}

type evalFile struct {
	name  string
	cases []evalCase
}

// evalLayers names the policy types as the corpus spells them.
var evalLayers = map[string]PolicyType{
	"identity": IdentityPolicy,
	"boundary": BoundaryPolicy,
	"session":  SessionPolicy,
	"control":  ControlPolicy,
	"resource": ResourcePolicy,
	"endpoint": EndpointPolicy,
}

// evalLayerName returns the corpus's name for a policy type, for failure messages.
func evalLayerName(t PolicyType) string {
	for name, typ := range evalLayers {
		if typ == t {
			return name
		}
	}
	if t == 0 {
		return "none"
	}
	return fmt.Sprintf("PolicyType(%d)", t)
}

// evalKinds says which kinds of document may play each layer, the first being the default.
var evalKinds = map[string][]Kind{
	"identity": {Identity, Managed},
	"boundary": {Managed},
	"session":  {Session, Managed},
	"control":  {ServiceControl},
	"resource": {Resource, Trust},
	"endpoint": {Resource},
}

var evalOutcomes = []string{"allowed", "implicitDeny", "explicitDeny"}

func loadEvalCorpus(t testing.TB) []evalFile {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "eval", "*.json"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no evaluation corpus under testdata/eval (%v)", err)
	}
	var files []evalFile
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var cases []evalCase
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&cases); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		files = append(files, evalFile{name: strings.TrimSuffix(filepath.Base(path), ".json"), cases: cases})
	}
	return files
}

// text returns the document's text: a JSON object is used byte for byte, a JSON string is the text itself.
func (p evalPolicy) text() (string, error) {
	raw := bytes.TrimSpace(p.Document)
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		err := json.Unmarshal(raw, &s)
		return s, err
	}
	return string(raw), nil
}

func (p evalPolicy) kind() (Kind, error) {
	kinds, ok := evalKinds[p.Layer]
	if !ok {
		return 0, fmt.Errorf("policy %q has layer %q, want one of identity, boundary, session, control, resource, endpoint", p.ID, p.Layer)
	}
	if p.Kind == "" {
		return kinds[0], nil
	}
	k, ok := ParseKind(p.Kind)
	if !ok {
		return 0, fmt.Errorf("policy %q has kind %q, which is not a Kind", p.ID, p.Kind)
	}
	if !slices.Contains(kinds, k) {
		return 0, fmt.Errorf("policy %q of layer %s has kind %s, want one of %v", p.ID, p.Layer, k, kinds)
	}
	return k, nil
}

// parse parses the policy as its kind.
func (p evalPolicy) parse() (*Document, error) {
	k, err := p.kind()
	if err != nil {
		return nil, err
	}
	text, err := p.text()
	if err != nil {
		return nil, fmt.Errorf("policy %q: %v", p.ID, err)
	}
	doc, err := Parse(text, k)
	if err != nil {
		return nil, fmt.Errorf("Parse(policy %q, %s) = %w, want a valid document", p.ID, k, err)
	}
	return doc, nil
}

func (r evalRequest) principal() Principal {
	p := r.Principal
	return Principal{ARN: p.ARN, Account: p.Account, RoleARN: p.RoleARN, UniqueID: p.UniqueID, Service: p.Service, Root: p.Root, Anonymous: p.Anonymous}
}

// context builds the request's Context, setting keys in sorted order so that Keys is deterministic.
func (r evalRequest) context() (*Context, error) {
	keys := make([]string, 0, len(r.Context))
	for k := range r.Context {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	ctx := &Context{}
	for _, k := range keys {
		raw := bytes.TrimSpace(r.Context[k])
		var values []string
		switch {
		case len(raw) > 0 && raw[0] == '"':
			var s string
			if err := json.Unmarshal(raw, &s); err != nil {
				return nil, fmt.Errorf("context key %q: %v", k, err)
			}
			values = []string{s}
		case len(raw) > 0 && raw[0] == '[':
			if err := json.Unmarshal(raw, &values); err != nil {
				return nil, fmt.Errorf("context key %q: want a string or a list of strings: %v", k, err)
			}
		default:
			return nil, fmt.Errorf("context key %q has %s, want a string or a list of strings", k, raw)
		}
		ctx.Set(k, values...)
	}
	return ctx, nil
}

// check reports every way the case is malformed, parsing its policies on the way.
func (c evalCase) check() []error {
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if c.Name == "" {
		fail("a case has no name")
	}
	if c.Source == "" {
		fail("no source")
	}
	if !slices.Contains(evalOutcomes, c.Want) {
		fail("want %q, want one of %v", c.Want, evalOutcomes)
	}
	switch {
	case c.Want == "allowed" && c.Layer != "":
		fail("an allowed request has layer %q; layers are for denials", c.Layer)
	case c.Want != "allowed" && c.Want != "" && evalLayers[c.Layer] == 0:
		fail("a denial has layer %q, want one of identity, boundary, session, control, resource, endpoint", c.Layer)
	}

	docs := make(map[string]*Document)
	counts := make(map[string]int)
	var levels []int
	for _, p := range c.Policies {
		if p.ID == "" || strings.Contains(p.ID, "#") {
			fail("policy id %q is empty or has a #", p.ID)
		}
		if docs[p.ID] != nil {
			fail("two policies have id %q", p.ID)
		}
		counts[p.Layer]++
		if (p.Layer == "control") != (p.Level != nil) {
			fail("policy %q of layer %s: a level is for control policies and they need one", p.ID, p.Layer)
		}
		if p.Level != nil {
			if *p.Level < 0 {
				fail("policy %q has level %d", p.ID, *p.Level)
			}
			levels = append(levels, *p.Level)
		}
		doc, err := p.parse()
		if err != nil {
			errs = append(errs, err)
			continue
		}
		docs[p.ID] = doc
	}
	for _, layer := range []string{"boundary", "resource", "endpoint"} {
		if counts[layer] > 1 {
			fail("%d policies of layer %s, a request has at most one", counts[layer], layer)
		}
	}
	slices.Sort(levels)
	levels = slices.Compact(levels)
	for i, l := range levels {
		if l != i {
			fail("control levels %v skip level %d: every level from 0 must hold a policy", levels, i)
			break
		}
	}

	if c.Matches != nil {
		seen := make(map[string]bool)
		for _, m := range *c.Matches {
			if seen[m] {
				fail("match %q is listed twice", m)
			}
			seen[m] = true
			id, index, err := splitEvalMatch(m)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			doc, ok := docs[id]
			if !ok {
				fail("match %q names no policy of the case", m)
				continue
			}
			if index >= len(doc.Statements) {
				fail("match %q: policy %q has %d statements", m, id, len(doc.Statements))
			}
		}
	}
	if c.Missing != nil {
		for _, k := range *c.Missing {
			if !strings.Contains(k, ":") {
				fail("missing key %q is not a condition key", k)
			}
		}
	}

	r := c.Request
	p := r.Principal
	kinds := 0
	for _, b := range []bool{p.Anonymous, p.Service != "", p.Root, p.ARN != "" && !p.Root} {
		if b {
			kinds++
		}
	}
	switch {
	case kinds != 1:
		fail("the principal %+v is not exactly one of anonymous, a service, the root user, or an ARN", p)
	case p.Anonymous || p.Service != "":
		if p.ARN != "" || p.Account != "" || p.RoleARN != "" || p.UniqueID != "" {
			fail("an anonymous or service principal has an ARN, account or id")
		}
	case p.Root && (p.ARN != "arn:aws:iam::"+p.Account+":root" || p.RoleARN != ""):
		fail("the root user's ARN %q does not match its account %q", p.ARN, p.Account)
	case !p.Root && (p.Account == "" || !strings.Contains(p.ARN, ":"+p.Account+":")):
		fail("the principal ARN %q is not in its account %q", p.ARN, p.Account)
	}
	if p.RoleARN != "" && !strings.Contains(p.ARN, ":assumed-role/") {
		fail("roleArn %q for a principal that is not a role session", p.RoleARN)
	}
	if vendor, name, ok := strings.Cut(r.Action, ":"); !ok || vendor == "" || name == "" {
		fail("action %q is not service:Operation", r.Action)
	}
	if r.Resource != "*" && !strings.HasPrefix(r.Resource, "arn:") {
		fail("resource %q is not an ARN or *", r.Resource)
	}
	if (p.Anonymous || p.Service != "") && r.ResourceAccount == "" {
		fail("an anonymous or service request needs the resource's account")
	}
	if _, err := r.context(); err != nil {
		errs = append(errs, err)
	}
	if c.HasSession && counts["session"] > 0 {
		fail("hasSession is implied by the session policies listed")
	}
	return errs
}

// splitEvalMatch splits "policy id#statement index".
func splitEvalMatch(m string) (string, int, error) {
	i := strings.LastIndexByte(m, '#')
	if i <= 0 {
		return "", 0, fmt.Errorf("match %q is not \"policy id#statement index\"", m)
	}
	n, err := strconv.Atoi(m[i+1:])
	if err != nil || n < 0 {
		return "", 0, fmt.Errorf("match %q is not \"policy id#statement index\"", m)
	}
	return m[:i], n, nil
}

// TestEvalCorpusData checks, without the engine, that the evaluation corpus loads, that every case is well formed
// and every policy parses, and that there are enough cases.
func TestEvalCorpusData(t *testing.T) {
	files := loadEvalCorpus(t)
	names := make(map[string]string)
	total := 0
	var counts []string
	for _, f := range files {
		for _, c := range f.cases {
			total++
			if other, ok := names[c.Name]; ok {
				t.Errorf("%s: case %q is also in %s; names must be unique", f.name, c.Name, other)
			}
			names[c.Name] = f.name
			t.Run(f.name+"/"+c.Name, func(t *testing.T) {
				for _, err := range c.check() {
					t.Errorf("case %q: %v", c.Name, err)
				}
			})
		}
		counts = append(counts, fmt.Sprintf("%s %d", f.name, len(f.cases)))
	}
	t.Logf("%d cases: %s", total, strings.Join(counts, ", "))
	if total < evalCorpusMinimum {
		t.Errorf("the evaluation corpus has %d cases, want at least %d", total, evalCorpusMinimum)
	}
}

// TestEvalCorpusCheck makes sure the well-formedness check catches what it is for: a check that cannot fail would
// let a broken case pass as a green one.
func TestEvalCorpusCheck(t *testing.T) {
	good := evalCase{
		Name:   "a good case",
		Source: "here",
		Policies: []evalPolicy{{ID: "p", Layer: "identity",
			Document: json.RawMessage(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)}},
		Request: evalRequest{Principal: evalPrincipal{ARN: "arn:aws:iam::111122223333:user/a", Account: "111122223333"},
			Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"},
		Want:    "allowed",
		Matches: &[]string{"p#0"},
	}
	if errs := good.check(); len(errs) != 0 {
		t.Fatalf("check(a good case) = %v, want no error", errs)
	}
	level := 1
	for _, tc := range []struct {
		name  string
		spoil func(c *evalCase)
	}{
		{"no source", func(c *evalCase) { c.Source = "" }},
		{"an unknown outcome", func(c *evalCase) { c.Want = "denied" }},
		{"a denial without its layer", func(c *evalCase) { c.Want = "implicitDeny" }},
		{"an allowed request with a layer", func(c *evalCase) { c.Layer = "identity" }},
		{"a policy that does not parse", func(c *evalCase) { c.Policies[0].Document = json.RawMessage(`{"Statement":[]}`) }},
		{"a kind that does not fit the layer", func(c *evalCase) { c.Policies[0].Kind = "Trust" }},
		{"an unknown layer", func(c *evalCase) { c.Policies[0].Layer = "group" }},
		{"a control level that skips level 0", func(c *evalCase) {
			c.Policies[0].Layer, c.Policies[0].Kind, c.Policies[0].Level = "control", "ServiceControl", &level
		}},
		{"a match of a statement the policy lacks", func(c *evalCase) { c.Matches = &[]string{"p#1"} }},
		{"a match of a policy the case lacks", func(c *evalCase) { c.Matches = &[]string{"q#0"} }},
		{"a principal in another account than its ARN", func(c *evalCase) { c.Request.Principal.Account = "444455556666" }},
		{"a principal that is both an ARN and anonymous", func(c *evalCase) { c.Request.Principal.Anonymous = true }},
		{"an action without a service", func(c *evalCase) { c.Request.Action = "GetObject" }},
		{"a context value that is a number", func(c *evalCase) {
			c.Request.Context = map[string]json.RawMessage{"s3:max-keys": json.RawMessage(`10`)}
		}},
	} {
		c := good
		c.Policies = slices.Clone(good.Policies)
		c.Request.Principal = good.Request.Principal
		tc.spoil(&c)
		if errs := c.check(); len(errs) == 0 {
			t.Errorf("check(%s) = no error, want one", tc.name)
		}
	}
	if _, _, err := splitEvalMatch("p#x"); err == nil {
		t.Errorf("splitEvalMatch(%q) = no error, want one", "p#x")
	}
	var perr *Error
	if _, err := (evalPolicy{ID: "p", Layer: "identity", Document: json.RawMessage(`"not json"`)}).parse(); !errors.As(err, &perr) {
		t.Errorf("parse(a document that is not JSON) = %v, want a *policy.Error", err)
	}
}
