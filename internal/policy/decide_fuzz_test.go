package policy

import (
	"strings"
	"testing"
)

// FuzzDecide evaluates random documents — the valid ones of the parser's corpus and of the evaluation corpus to
// start with, then what the fuzzer makes of them — in random layers of a Set, next to a few fixed policies, for
// random principals and requests whose actions, resources and context keys are drawn from the document itself, so
// that statements match often. It checks that nothing panics, that Decide and Explain agree, and that the
// explanation supports the decision: an explicit deny has a Deny among the matches, an allowed request (but the
// root user's) an Allow.
func FuzzDecide(f *testing.F) {
	for _, cases := range loadCorpus(f) {
		for _, c := range cases {
			kind, ok := ParseKind(c.Kind)
			text, err := c.text()
			if ok && err == nil && c.Want == "valid" {
				f.Add(text, uint8(kind), uint64(len(text))*2654435761, "x")
			}
		}
	}
	for _, file := range loadEvalCorpus(f) {
		for i, c := range file.cases {
			for _, p := range c.Policies {
				k, err1 := p.kind()
				text, err2 := p.text()
				if err1 == nil && err2 == nil {
					f.Add(text, uint8(k), uint64(i)*0x9e3779b97f4a7c15, c.Name)
				}
			}
		}
	}
	fixed := fuzzCompanions(f)
	// One Compiler for every input, as a store's policies share one: what it shares between unrelated documents
	// must change no decision.
	shared := NewCompiler()
	f.Fuzz(func(t *testing.T, text string, k uint8, sel uint64, seed string) {
		kind := Kind(k % uint8(len(kindNames)))
		doc, err := Parse(text, kind)
		if err != nil {
			return
		}
		bits := fuzzBits{sel}
		set, req := fuzzScenario(t, doc, kind, bits, seed, fixed, nil, "")
		d := Decide(set, req)
		if again := Decide(set, req); again != d {
			t.Fatalf("Decide is not deterministic: %v then %v", d, again)
		}
		sharedSet, sharedReq := fuzzScenario(t, doc, kind, bits, seed, fixed, shared, text)
		if got := Decide(sharedSet, sharedReq); got != d {
			t.Fatalf("Decide(%s) compiled from the text by a shared Compiler = %s, but compiled alone = %s", doc, describeDecision(got), describeDecision(d))
		}
		exp := Explain(set, req)
		if exp.Decision != d {
			t.Fatalf("Explain(%s) = %s, but Decide = %s\nrequest %+v", doc, describeDecision(exp.Decision), describeDecision(d), req)
		}
		var allows, denies int
		for _, m := range exp.Matches {
			if m.Policy == nil || evalStatement(m.Policy, m.Statement) == nil {
				t.Fatalf("Explain matched statement %d of %v, which does not exist", m.Statement, m.Policy)
			}
			switch m.Effect {
			case Allow:
				allows++
			case Deny:
				denies++
			}
		}
		switch {
		case d.Outcome == ExplicitDeny && denies == 0:
			t.Fatalf("Decide(%s) = %s without a Deny among the matches %v", doc, describeDecision(d), exp.Matches)
		case d.Outcome == Allowed && allows == 0 && !req.Principal.Root:
			t.Fatalf("Decide(%s) = allowed without an Allow among the matches", doc)
		case d.Outcome != ExplicitDeny && denies > 0:
			t.Fatalf("Decide(%s) = %s, but Explain matched a Deny: %v", doc, describeDecision(d), exp.Matches)
		}
	})
}

// fuzzBits hands out a fuzz input's selector a few bits at a time.
type fuzzBits struct{ v uint64 }

func (b *fuzzBits) take(n int) int {
	x := b.v & (1<<n - 1)
	b.v = b.v>>n | b.v<<(64-n)
	return int(x)
}

func (b *fuzzBits) pick(list []string) string {
	if len(list) == 0 {
		return ""
	}
	return list[b.take(8)%len(list)]
}

var fuzzPrincipals = []Principal{alice, sess, rootA, bob, rootB, sessB, smSvc, anon, {Federated: "accounts.google.com"}}

func fuzzCompanions(t testing.TB) []*Compiled {
	c := castOf(t)
	return []*Compiled{c.allowAll, c.denyGet, c.notIAM, c.mfaDeny, c.homeDirs, c.boundaryS3, c.sessionS3, c.scpAll,
		c.scpDenyS3, c.bucketAll, c.bucketRole, c.bucketAccount, c.trustAlice, c.endpointS3}
}

// fuzzScenario places the document in a layer its kind may play and builds a request to match it. The document
// is compiled alone, or from its text by compiler when that is not nil.
func fuzzScenario(t *testing.T, doc *Document, kind Kind, b fuzzBits, seed string, fixed []*Compiled, compiler *Compiler, text string) (*Set, *Request) {
	var typ PolicyType
	switch kind {
	case Identity, Managed:
		typ = []PolicyType{IdentityPolicy, BoundaryPolicy}[b.take(1)]
	case Session:
		typ = SessionPolicy
	case ServiceControl:
		typ = ControlPolicy
	default:
		typ = []PolicyType{ResourcePolicy, EndpointPolicy}[b.take(1)]
	}
	c, err := Compile(doc, "fuzz", typ)
	if compiler != nil {
		c, err = compiler.CompileText(text, kind, "fuzz", typ)
	}
	if err != nil {
		t.Fatalf("Compile(%s) = %v", doc, err)
	}
	set := &Set{}
	for _, other := range fixed {
		if b.take(2) != 0 {
			continue
		}
		switch other.Type {
		case IdentityPolicy:
			set.Identity = append(set.Identity, other)
		case BoundaryPolicy:
			set.Boundary = other
		case SessionPolicy:
			set.Session, set.HasSession = append(set.Session, other), true
		case ControlPolicy:
			set.ControlPolicies = append(set.ControlPolicies, []*Compiled{other})
		case ResourcePolicy:
			set.Resource = other
		case EndpointPolicy:
			set.Endpoint = other
		}
	}
	switch typ {
	case IdentityPolicy:
		set.Identity = append(set.Identity, c)
	case BoundaryPolicy:
		set.Boundary = c
	case SessionPolicy:
		set.Session, set.HasSession = append(set.Session, c), true
	case ControlPolicy:
		set.ControlPolicies = append(set.ControlPolicies, []*Compiled{c})
	case ResourcePolicy:
		set.Resource = c
	case EndpointPolicy:
		set.Endpoint = c
	}
	if b.take(3) == 0 {
		set.HasSession = true
	}

	var actions, resources, keys, values []string
	for _, s := range doc.Statements {
		actions = append(actions, s.Action...)
		actions = append(actions, s.NotAction...)
		resources = append(resources, s.Resource...)
		resources = append(resources, s.NotResource...)
		for _, cond := range s.Conditions {
			keys = append(keys, cond.Key)
			values = append(values, cond.Values...)
		}
		if s.Principal != nil {
			resources = append(resources, s.Principal.AWS...)
		}
	}
	concrete := strings.NewReplacer("*", seed, "?", "q", "${aws:username}", "alice", "${", "")
	action := concrete.Replace(b.pick(append(actions, "s3:GetObject", "sts:AssumeRole", "iam:CreateUser")))
	resource := concrete.Replace(b.pick(append(resources, "arn:aws:s3:::b/k", "*", "arn:aws:iam::111122223333:role/ml")))
	ctx := &Context{}
	for _, key := range append(keys, "aws:username", "aws:SourceIp", "aws:CurrentTime", "aws:MultiFactorAuthPresent") {
		switch b.take(2) {
		case 0: // absent
		case 1:
			ctx.Set(key)
		case 2:
			ctx.Set(key, concrete.Replace(b.pick(append(values, seed, "10.0.0.1", "2024-01-01T00:00:00Z", "true"))))
		default:
			ctx.Set(key, b.pick(values), seed, b.pick(values))
		}
	}
	req := &Request{
		Principal: fuzzPrincipals[b.take(4)%len(fuzzPrincipals)],
		Action:    action,
		Resource:  resource,
		Context:   ctx,
	}
	if b.take(1) == 1 {
		req.ResourceAccount = []string{acctA, acctB, "999999999999"}[b.take(2)%3]
	}
	return set, req
}
