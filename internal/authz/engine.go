package authz

import "github.com/sagebox/sagebox/internal/policy"

// The policy engine's entry points, in the order of arguments the rest of the package uses.

func compile(doc *policy.Document, id string, typ policy.PolicyType) (*policy.Compiled, error) {
	return policy.Compile(doc, id, typ)
}

func compileText(text string, kind policy.Kind, id string, typ policy.PolicyType) (*policy.Compiled, error) {
	return policy.CompileText(text, kind, id, typ)
}

func decide(req *policy.Request, set *policy.Set) policy.Decision { return policy.Decide(set, req) }

func explain(req *policy.Request, set *policy.Set) policy.Explanation {
	return policy.Explain(set, req)
}
