package policy

import (
	"errors"
	"slices"
	"strings"
	"sync"
)

// Compiler compiles policies for one process and shares among the policies it compiles what they have in common:
// the lower-case condition keys and service prefixes, the policy variables, and the compiled Action patterns, which
// a few hundred distinct strings ("s3:GetObject", "logs:*") cover in most accounts. Sharing is what keeps tens of
// thousands of compiled policies small; a policy compiled by Compile alone shares nothing.
//
// The zero value is not usable: see NewCompiler. A Compiler is safe for concurrent use; what it keeps grows with the
// distinct strings it has seen, up to a bound past which it stops sharing.
type Compiler struct {
	mu sync.Mutex
	in interner
}

// NewCompiler returns a Compiler that shares nothing yet.
func NewCompiler() *Compiler {
	return &Compiler{in: interner{
		strs:    map[string]string{},
		keys:    map[string]*keyRef{},
		vars:    map[variable]*variable{},
		actions: map[string][]piece{},
	}}
}

// Compile turns a parsed Document into the form Decide evaluates, once, when the policy is stored: action
// patterns indexed by service prefix, resource ARNs split into their segments, policy variables parsed, CIDR
// blocks, dates and numbers read, condition keys lower-cased and hashed, conditions ordered cheapest first, and
// all of it packed into few allocations. id names the policy in explanations and typ is the role it plays in
// decisions. The Compiled policy keeps doc, for explanations. Compile fails only for a nil document or an unknown
// type: whatever Parse accepted compiles, and a condition value its operator cannot read matches nothing.
func (c *Compiler) Compile(doc *Document, id string, typ PolicyType) (*Compiled, error) {
	if doc == nil {
		return nil, errors.New("policy: Compile of a nil document")
	}
	if typ < IdentityPolicy || typ > EndpointPolicy {
		return nil, errors.New("policy: Compile with an unknown policy type")
	}
	out := &Compiled{ID: id, Type: typ, kind: doc.Kind, doc: doc}
	if c == nil {
		out.compiled = compilePolicy(doc, typ, nil)
		return out, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	out.compiled = compilePolicy(doc, typ, &c.in)
	return out, nil
}

// CompileText parses text as Parse does for kind and compiles the document as Compile does, but keeps the text
// rather than the parsed Document, which is several times its size: Compiled.Document parses it again for an
// explanation. This is how policies that are stored for a long time should be compiled. The error is Parse's.
func (c *Compiler) CompileText(text string, kind Kind, id string, typ PolicyType) (*Compiled, error) {
	doc, err := Parse(text, kind)
	if err != nil {
		return nil, err
	}
	out, err := c.Compile(doc, id, typ)
	if err != nil {
		return nil, err
	}
	// Most strings of the compiled form are slices of text already (Parse does not copy what it need not).
	out.text, out.doc = text, nil
	return out, nil
}

// Compile is (*Compiler).Compile with a Compiler of its own: the policy shares nothing with others. Code that
// keeps many policies uses one Compiler for all.
func Compile(doc *Document, id string, typ PolicyType) (*Compiled, error) {
	return (*Compiler)(nil).Compile(doc, id, typ)
}

// CompileText is (*Compiler).CompileText with a Compiler of its own.
func CompileText(text string, kind Kind, id string, typ PolicyType) (*Compiled, error) {
	return (*Compiler)(nil).CompileText(text, kind, id, typ)
}

// interner holds what a Compiler's policies share. A nil *interner shares nothing. Its strings are copies, never
// slices of a policy's text, which would keep the whole text alive.
type interner struct {
	strs    map[string]string
	keys    map[string]*keyRef
	vars    map[variable]*variable
	actions map[string][]piece
}

// maxInterned bounds each table: past it, what is new is not shared, so that no input can grow a table without
// end. Real accounts use far fewer distinct keys, variables and actions.
const maxInterned = 1 << 16

// str returns the shared copy of s.
func (in *interner) str(s string) string {
	if in == nil {
		return s
	}
	if v, ok := in.strs[s]; ok {
		return v
	}
	if len(in.strs) >= maxInterned {
		return s
	}
	v := strings.Clone(s)
	in.strs[v] = v
	return v
}

// key returns the shared keyRef of a key in lower case.
func (in *interner) key(lower string) *keyRef {
	if in == nil {
		return &keyRef{lower: lower, hash: keyHash(lower)}
	}
	if k, ok := in.keys[lower]; ok {
		return k
	}
	k := &keyRef{lower: strings.Clone(lower), hash: keyHash(lower)}
	if len(in.keys) < maxInterned {
		in.keys[k.lower] = k
	}
	return k
}

// variable returns the shared copy of v.
func (in *interner) variable(v variable) *variable {
	if in == nil {
		return &v
	}
	if p, ok := in.vars[v]; ok {
		return p
	}
	if len(in.vars) >= maxInterned {
		return &v
	}
	v.name, v.def = in.str(v.name), in.str(v.def)
	p := &v
	in.vars[v] = p
	return p
}

// action returns the compiled Action pattern a, shared when in is not nil.
func (in *interner) action(a string) pattern {
	if in == nil {
		return compileAction(a)
	}
	if pcs, ok := in.actions[a]; ok {
		return pattern{pieces: pcs}
	}
	p := compileAction(strings.Clone(a))
	if len(in.actions) < maxInterned {
		// Exactly sized: it is kept for as long as the Compiler is.
		p.pieces = slices.Clip(p.pieces)
		in.actions[strings.Clone(a)] = p.pieces
	}
	return p
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

// statement is a compiled Statement. Its lists are slices of arrays the whole policy shares (see pack).
type statement struct {
	actions   []pattern
	resources []arnPattern
	// conditions are ordered cheapest first, the order Decide tests them in (they are ANDed, and testing one
	// changes nothing); each knows its place in the document, the order Explain reports them in.
	conditions []condition

	// principals is the compiled Principal or NotPrincipal (notPrincipal set), nil when the statement has neither:
	// identity-based policies, SCPs and session policies apply to the principal they are attached to.
	principals *principalSet

	index  int32
	effect Effect
	// anyResource: the statement has neither Resource nor NotResource (a trust policy), or its Resource is "*".
	notAction, anyResource, notResource, notPrincipal bool
}

func compilePolicy(doc *Document, typ PolicyType, in *interner) compiledPolicy {
	vars := doc.Variables()
	cp := compiledPolicy{trust: doc.Kind == Trust}
	var stmts []statement
	var wide []bool
	var services [][]string
	for _, s := range doc.Statements {
		if s == nil {
			continue
		}
		st := statement{index: int32(s.Index), effect: s.Effect}
		actions := s.Action
		if s.NotAction != nil {
			st.notAction, actions = true, s.NotAction
		}
		anyService := st.notAction
		var svcs []string
		st.actions = make([]pattern, 0, len(actions))
		for _, a := range actions {
			st.actions = append(st.actions, in.action(a))
			if svc, ok := actionService(a); !ok {
				anyService = true
			} else if !slices.Contains(svcs, svc) {
				svcs = append(svcs, svc)
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
			st.resources = make([]arnPattern, 0, len(resources))
			for _, r := range resources {
				st.resources = append(st.resources, compileARN(r, arnOptions{vars: vars, expand: true, fold: true, in: in}))
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
		if len(s.Conditions) > 0 {
			st.conditions = make([]condition, 0, len(s.Conditions))
			for j := range s.Conditions {
				cond := compileCondition(&s.Conditions[j], vars, in)
				cond.pos = uint16(min(j, 1<<16-1))
				st.conditions = append(st.conditions, cond)
			}
			slices.SortStableFunc(st.conditions, func(a, b condition) int { return a.cost() - b.cost() })
		}
		stmts = append(stmts, st)
		wide = append(wide, anyService)
		services = append(services, svcs)
	}
	cp.index(stmts, wide, services, in)
	cp.pack(stmts, in != nil)
	return cp
}

// actionService returns the service prefix of an Action pattern in lower case, when it has one without
// wildcards: the key of the policy's action index.
func actionService(a string) (string, bool) {
	svc, _, ok := strings.Cut(a, ":")
	if !ok || svc == "" || strings.ContainsAny(svc, "*?") {
		return "", false
	}
	return svc, true
}

// index builds the action index of the statements: one array of statement numbers for every list.
func (cp *compiledPolicy) index(stmts []statement, wide []bool, services [][]string, in *interner) {
	var names []string
	n := 0
	for i := range stmts {
		if wide[i] {
			n++
			continue
		}
		for _, svc := range services[i] {
			n++
			if !slices.ContainsFunc(names, func(s string) bool { return strings.EqualFold(s, svc) }) {
				names = append(names, svc)
			}
		}
	}
	if n == 0 {
		return
	}
	lists := make([]int32, 0, n)
	for i := range stmts {
		if wide[i] {
			lists = append(lists, int32(i))
		}
	}
	cp.anyService = slices.Clip(lists)
	if len(names) == 0 {
		return
	}
	cp.services = make([]serviceStatements, 0, len(names))
	for _, name := range names {
		start := len(lists)
		for i := range stmts {
			if !wide[i] && slices.ContainsFunc(services[i], func(s string) bool { return strings.EqualFold(s, name) }) {
				lists = append(lists, int32(i))
			}
		}
		lower := in.str(lowerASCIIString(name))
		cp.services = append(cp.services, serviceStatements{service: lower, hash: keyHash(lower), stmts: lists[start:len(lists):len(lists)]})
	}
	slices.SortFunc(cp.services, func(a, b serviceStatements) int { return strings.Compare(a.service, b.service) })
}

// pack moves the statements and what they hold into one array of each type for the whole policy, so that a
// policy costs a few allocations rather than one for every list, and a decision walks adjacent memory. With
// sharedActions, the actions' pieces are the interner's and stay where they are.
func (cp *compiledPolicy) pack(stmts []statement, sharedActions bool) {
	k := packCounts{sharedActions: sharedActions}
	for i := range stmts {
		k.statement(&stmts[i])
	}
	p := packer{
		patterns:   make([]pattern, 0, k.patterns),
		arns:       make([]arnPattern, 0, k.arns),
		conditions: make([]condition, 0, k.conditions),
		pieces:     make([]piece, 0, k.pieces),
	}
	cp.stmts = make([]statement, len(stmts))
	for i := range stmts {
		st := stmts[i]
		if sharedActions {
			st.actions = packSlice(&p.patterns, st.actions)
		} else {
			st.actions = p.patternList(st.actions)
		}
		st.resources = p.arnList(st.resources)
		st.conditions = packSlice(&p.conditions, st.conditions)
		for j := range st.conditions {
			switch m := st.conditions[j].m.(type) {
			case *stringEquals:
				m.values = p.patternList(m.values)
			case *stringLike:
				m.values = p.patternList(m.values)
			case *arnLike:
				m.values = p.arnList(m.values)
			}
		}
		cp.stmts[i] = st
	}
}

// packCounts counts what pack moves.
type packCounts struct {
	patterns, arns, conditions, pieces int
	sharedActions                      bool
}

func (k *packCounts) statement(st *statement) {
	if k.sharedActions {
		k.patterns += len(st.actions)
	} else {
		k.patternList(st.actions)
	}
	k.arnList(st.resources)
	k.conditions += len(st.conditions)
	for j := range st.conditions {
		switch m := st.conditions[j].m.(type) {
		case *stringEquals:
			k.patternList(m.values)
		case *stringLike:
			k.patternList(m.values)
		case *arnLike:
			k.arnList(m.values)
		}
	}
}

func (k *packCounts) arnList(as []arnPattern) {
	k.arns += len(as)
	for i := range as {
		k.patternList(as[i].parts)
	}
}

func (k *packCounts) patternList(ps []pattern) {
	k.patterns += len(ps)
	for i := range ps {
		k.pieces += len(ps[i].pieces)
	}
}

// packer holds the arrays pack fills, each made as large as packCounts counted.
type packer struct {
	patterns   []pattern
	arns       []arnPattern
	conditions []condition
	pieces     []piece
}

func (p *packer) patternList(ps []pattern) []pattern {
	ps = packSlice(&p.patterns, ps)
	for i := range ps {
		ps[i].pieces = packSlice(&p.pieces, ps[i].pieces)
	}
	return ps
}

func (p *packer) arnList(as []arnPattern) []arnPattern {
	as = packSlice(&p.arns, as)
	for i := range as {
		as[i].parts = p.patternList(as[i].parts)
	}
	return as
}

// packSlice appends list to *arena, whose capacity the caller made enough, and returns where it went.
func packSlice[T any](arena *[]T, list []T) []T {
	if len(list) == 0 {
		return nil
	}
	start := len(*arena)
	*arena = append(*arena, list...)
	return (*arena)[start:len(*arena):len(*arena)]
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
