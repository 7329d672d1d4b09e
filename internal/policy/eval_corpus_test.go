package policy

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestEvalCorpus runs every case of the evaluation corpus (testdata/eval, described in eval_corpus_data_test.go)
// through Compile, Decide and Explain, each case a named subtest: the outcome and the layer of both, and, where the
// case gives them, the statements that matched and the condition keys that were missing. Each case runs twice:
// with every policy compiled on its own by Compile, and with every policy of the corpus compiled from its text by
// one Compiler, which shares what the policies have in common, as a store of policies compiles them.
func TestEvalCorpus(t *testing.T) {
	shared := NewCompiler()
	for _, f := range loadEvalCorpus(t) {
		for _, c := range f.cases {
			t.Run(f.name+"/"+c.Name, func(t *testing.T) {
				runEvalCase(t, c, nil)
				runEvalCase(t, c, shared)
			})
		}
	}
}

// build compiles the case's policies into a Set and makes its Request: with Compile when compiler is nil, else
// with the compiler's CompileText.
func (c evalCase) build(compiler *Compiler) (*Set, *Request, error) {
	set := &Set{HasSession: c.HasSession}
	for _, p := range c.Policies {
		doc, err := p.parse()
		if err != nil {
			return nil, nil, err
		}
		typ := evalLayers[p.Layer]
		var compiled *Compiled
		if compiler == nil {
			compiled, err = Compile(doc, p.ID, typ)
		} else {
			text, _ := p.text()
			compiled, err = compiler.CompileText(text, doc.Kind, p.ID, typ)
		}
		if err != nil {
			return nil, nil, fmt.Errorf("Compile(policy %q) = %v, want a compiled policy", p.ID, err)
		}
		switch typ {
		case IdentityPolicy:
			set.Identity = append(set.Identity, compiled)
		case BoundaryPolicy:
			set.Boundary = compiled
		case SessionPolicy:
			set.Session = append(set.Session, compiled)
			set.HasSession = true
		case ControlPolicy:
			for len(set.ControlPolicies) <= *p.Level {
				set.ControlPolicies = append(set.ControlPolicies, nil)
			}
			set.ControlPolicies[*p.Level] = append(set.ControlPolicies[*p.Level], compiled)
		case ResourcePolicy:
			set.Resource = compiled
		case EndpointPolicy:
			set.Endpoint = compiled
		}
	}
	ctx, err := c.Request.context()
	if err != nil {
		return nil, nil, err
	}
	req := &Request{
		Principal:       c.Request.principal(),
		Action:          c.Request.Action,
		Resource:        c.Request.Resource,
		ResourceAccount: c.Request.ResourceAccount,
		Context:         ctx,
	}
	return set, req, nil
}

func runEvalCase(t *testing.T, c evalCase, compiler *Compiler) {
	if errs := c.check(); len(errs) > 0 {
		t.Fatalf("case %q is malformed: %v", c.Name, errs)
	}
	set, req, err := c.build(compiler)
	if err != nil {
		t.Fatalf("case %q: %v", c.Name, err)
	}
	if compiler != nil {
		c.Name += " (compiled from its text by a shared Compiler)"
	}
	want := c.Want
	if c.Layer != "" {
		want += " (layer " + c.Layer + ")"
	}
	d := Decide(set, req)
	if !evalDecisionIs(d, c) {
		t.Errorf("case %q: Decide = %s (layer %s), want %s", c.Name, d.Outcome, evalLayerName(d.Layer), want)
	}
	e := Explain(set, req)
	if !evalDecisionIs(e.Decision, c) {
		t.Errorf("case %q: Explain = %s (layer %s), want %s", c.Name, e.Outcome, evalLayerName(e.Layer), want)
	}

	if c.Matches != nil {
		var got []string
		for _, m := range e.Matches {
			id := m.Policy.ID + "#" + strconv.Itoa(m.Statement)
			got = append(got, id)
			if s := evalStatement(m.Policy, m.Statement); s == nil {
				t.Errorf("case %q: Explain matched %s, a statement its policy does not have", c.Name, id)
			} else if m.Effect != s.Effect {
				t.Errorf("case %q: Explain matched %s with effect %s, but the statement says %s", c.Name, id, m.Effect, s.Effect)
			}
		}
		slices.Sort(got)
		wantMatches := slices.Sorted(slices.Values(*c.Matches))
		if !slices.Equal(got, wantMatches) {
			t.Errorf("case %q: Explain matched %q, want %q", c.Name, got, wantMatches)
		}
	}
	if c.Missing != nil {
		got := evalKeySet(e.Missing)
		wantMissing := evalKeySet(*c.Missing)
		if !slices.Equal(got, wantMissing) {
			t.Errorf("case %q: Explain found missing keys %q, want %q", c.Name, got, wantMissing)
		}
	}
}

// evalDecisionIs reports whether d is the case's answer; the layer counts only for denials.
func evalDecisionIs(d Decision, c evalCase) bool {
	if d.Outcome.String() != c.Want {
		return false
	}
	return d.Outcome == Allowed || evalLayerName(d.Layer) == c.Layer
}

func evalStatement(p *Compiled, index int) *Statement {
	if p == nil || p.Document() == nil {
		return nil
	}
	for _, s := range p.Document().Statements {
		if s.Index == index {
			return s
		}
	}
	return nil
}

// evalKeySet returns condition keys in lower case, sorted, once each: key names are case-insensitive.
func evalKeySet(keys []string) []string {
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		out = append(out, strings.ToLower(k))
	}
	slices.Sort(out)
	return slices.Compact(out)
}
