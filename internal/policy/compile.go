package policy

import (
	"errors"
	"slices"
	"strings"
)

// Compile turns a parsed Document into the form Decide evaluates, once, when the policy is stored: action
// patterns indexed by service prefix, resource ARNs split into their segments, policy variables parsed, CIDR
// blocks, dates and numbers read, condition keys lower-cased and hashed, conditions ordered cheapest first, and
// all of it packed into few allocations. id names the policy in explanations and typ is the role it plays in
// decisions. Compile fails only for a nil document or an unknown type: whatever Parse accepted compiles, and a
// condition value its operator cannot read matches nothing.
func Compile(doc *Document, id string, typ PolicyType) (*Compiled, error) {
	if doc == nil {
		return nil, errors.New("policy: Compile of a nil document")
	}
	if typ < IdentityPolicy || typ > EndpointPolicy {
		return nil, errors.New("policy: Compile with an unknown policy type")
	}
	c := &Compiled{ID: id, Type: typ, Doc: doc}
	c.compiled = compilePolicy(doc, typ)
	return c, nil
}

// compiledPolicy is the evaluator's form of a document.
type compiledPolicy struct {
	stmts []statement
	// services indexes the statements by the service prefixes their Action patterns name without wildcards,
	// sorted by prefix; anyService lists, in order, the statements that may match an action of any service
	// (NotAction, "*", "*:Get*", "s3*:List*"). The candidates for an action are its service's list and
	// anyService.
	services   []serviceStatements
	anyService []int32
	// trust: the document is a role's trust policy, which must allow sts:AssumeRole even within one account.
	trust bool
}

type serviceStatements struct {
	service string
	hash    uint64 // keyHash(service)
	stmts   []int32
}

// statement is a compiled Statement.
type statement struct {
	index  int
	effect Effect

	notAction bool
	actions   []actionPattern

	// anyResource: the statement has neither Resource nor NotResource (a trust policy), or its Resource is "*".
	anyResource bool
	notResource bool
	resources   []arnPattern

	// principals is the compiled Principal or NotPrincipal (notPrincipal set), nil when the statement has neither:
	// identity-based policies, SCPs and session policies apply to the principal they are attached to.
	principals   *principalSet
	notPrincipal bool

	conditions []condition
	// order lists the conditions cheapest first, the order Decide tests them in (they are ANDed, and testing one
	// changes nothing); Explain tests them all in document order.
	order []int32
}

func compilePolicy(doc *Document, typ PolicyType) compiledPolicy {
	vars := doc.Variables()
	cp := compiledPolicy{trust: doc.Kind == Trust}
	index := make(map[string][]int32)
	for _, s := range doc.Statements {
		if s == nil {
			continue
		}
		st := statement{index: s.Index, effect: s.Effect}
		actions := s.Action
		if s.NotAction != nil {
			st.notAction, actions = true, s.NotAction
		}
		wide := st.notAction
		var services []string
		for _, a := range actions {
			ap := compileAction(a)
			st.actions = append(st.actions, ap)
			if ap.service == "" {
				wide = true
			} else if !slices.Contains(services, ap.service) {
				services = append(services, ap.service)
			}
		}
		resources := s.Resource
		if s.NotResource != nil {
			st.notResource, resources = true, s.NotResource
		}
		switch {
		case s.Resource == nil && s.NotResource == nil:
			st.anyResource = true
		case !st.notResource && slices.Contains(resources, "*"):
			st.anyResource = true
		default:
			for _, r := range resources {
				st.resources = append(st.resources, compileARN(r, arnOptions{vars: vars, expand: true, fold: true}))
			}
		}
		if typ == ResourcePolicy || typ == EndpointPolicy {
			switch {
			case s.Principal != nil:
				st.principals = compilePrincipals(s.Principal)
			case s.NotPrincipal != nil:
				st.principals, st.notPrincipal = compilePrincipals(s.NotPrincipal), true
			}
		}
		for j := range s.Conditions {
			st.conditions = append(st.conditions, compileCondition(&s.Conditions[j], vars))
		}
		st.order = conditionOrder(st.conditions)
		n := int32(len(cp.stmts))
		cp.stmts = append(cp.stmts, st)
		if wide {
			cp.anyService = append(cp.anyService, n)
			continue
		}
		for _, svc := range services {
			index[svc] = append(index[svc], n)
		}
	}
	for svc, list := range index {
		cp.services = append(cp.services, serviceStatements{service: svc, hash: keyHash(svc), stmts: list})
	}
	slices.SortFunc(cp.services, func(a, b serviceStatements) int { return strings.Compare(a.service, b.service) })
	cp.pack()
	return cp
}

// pack moves the pieces of all the policy's patterns into one array, and the strings matching reads into one
// string, so that a decision walks adjacent memory rather than the parser's scattered allocations.
func (cp *compiledPolicy) pack() {
	var nActions, nResources, nConditions int
	for i := range cp.stmts {
		nActions += len(cp.stmts[i].actions)
		nResources += len(cp.stmts[i].resources)
		nConditions += len(cp.stmts[i].conditions)
	}
	actions := make([]actionPattern, 0, nActions)
	resources := make([]arnPattern, 0, nResources)
	conditions := make([]condition, 0, nConditions)
	for i := range cp.stmts {
		st := &cp.stmts[i]
		st.actions = appendPacked(&actions, st.actions)
		st.resources = appendPacked(&resources, st.resources)
		st.conditions = appendPacked(&conditions, st.conditions)
	}
	n := 0
	cp.walk(func(p *pattern) { n += len(p.pieces) }, nil)
	arena := make([]piece, 0, n)
	cp.walk(func(p *pattern) {
		start := len(arena)
		arena = append(arena, p.pieces...)
		p.pieces = arena[start:len(arena):len(arena)]
	}, nil)
	var strs []*string
	size := 0
	cp.walk(nil, func(s *string) {
		strs = append(strs, s)
		size += len(*s)
	})
	buf := make([]byte, 0, size)
	for _, s := range strs {
		buf = append(buf, *s...)
	}
	all, off := string(buf), 0
	for _, s := range strs {
		n := len(*s)
		*s = all[off : off+n]
		off += n
	}
}

// conditionOrder returns the indexes of conds, cheapest to test first: presence and Booleans, then plain string
// comparisons, then globs, numbers and variables, then ARNs, addresses and dates, which are parsed.
func conditionOrder(conds []condition) []int32 {
	cost := func(c *condition) int {
		switch m := c.m.(type) {
		case *null, *boolean:
			return 0
		case *stringEquals:
			for i := range m.values {
				if m.values[i].hasVar {
					return 2
				}
			}
			return 1
		case *binary:
			return 1
		case *stringLike, *numeric:
			return 2
		}
		return 3
	}
	order := make([]int32, len(conds))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortStableFunc(order, func(a, b int32) int { return cost(&conds[a]) - cost(&conds[b]) })
	return order
}

// appendPacked appends list to *arena, whose capacity the caller made enough, and returns where it went.
func appendPacked[T any](arena *[]T, list []T) []T {
	if len(list) == 0 {
		return nil
	}
	start := len(*arena)
	*arena = append(*arena, list...)
	return (*arena)[start:len(*arena):len(*arena)]
}

// walk calls pat with every pattern of the policy and str with every string that matching reads.
func (cp *compiledPolicy) walk(pat func(*pattern), str func(*string)) {
	pattern := func(p *pattern) {
		if pat != nil {
			pat(p)
		}
		if str != nil {
			for i := range p.pieces {
				str(&p.pieces[i].text)
			}
		}
	}
	arn := func(a *arnPattern) {
		if str != nil {
			str(&a.lead)
		}
		for k := range a.parts {
			pattern(&a.parts[k])
		}
	}
	for i := range cp.stmts {
		st := &cp.stmts[i]
		for j := range st.actions {
			pattern(&st.actions[j].glob)
		}
		for j := range st.resources {
			arn(&st.resources[j])
		}
		for j := range st.conditions {
			c := &st.conditions[j]
			if str != nil {
				str(&c.key)
			}
			switch m := c.m.(type) {
			case *stringEquals:
				for k := range m.values {
					pattern(&m.values[k])
				}
			case *stringLike:
				for k := range m.values {
					pattern(&m.values[k])
				}
			case *arnLike:
				for k := range m.values {
					arn(&m.values[k])
				}
			}
		}
	}
}

// forService returns the indexed statements of a service prefix, given with its foldHash, compared without regard
// to ASCII case, without allocating.
func (cp *compiledPolicy) forService(svc string, hash uint64) []int32 {
	for i := range cp.services {
		if e := &cp.services[i]; e.hash == hash && compareFold(e.service, svc) == 0 {
			return e.stmts
		}
	}
	return nil
}

// foldHash is keyHash of s lower-cased (ASCII), computed without lower-casing s.
func foldHash(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(lowerASCII(s[i]))
		h *= 1099511628211
	}
	return h
}

// compareFold compares lower, which is lower case, with s lower-cased (ASCII), as strings.Compare would.
func compareFold(lower, s string) int {
	n := min(len(lower), len(s))
	for i := 0; i < n; i++ {
		a, b := lower[i], lowerASCII(s[i])
		if a != b {
			if a < b {
				return -1
			}
			return 1
		}
	}
	switch {
	case len(lower) < len(s):
		return -1
	case len(lower) > len(s):
		return 1
	}
	return 0
}
