package policy

import "strings"

// Decide answers one authorization question: whether the policies of set allow req. It is the request path's hot
// path: it reads no JSON, allocates nothing, and stops at the first explicit deny.
//
// The procedure is the one the IAM User Guide documents in "Policy evaluation logic", "How AWS enforcement code
// logic evaluates requests to allow or deny access" (reference_policies_evaluation-logic_policy-eval-denyallow),
// "Policy evaluation for requests within a single account" (…_policy-eval-basics), "Cross-account policy
// evaluation logic" (…-cross-account), "Permissions boundaries for IAM entities" (access_policies_boundaries) and
// "Session policies" (access_policies#policies_session):
//
//  1. Explicit deny. Every policy that applies is searched for a Deny statement that matches: the principal's
//     identity-based policies, its permissions boundary, its session policies, the SCPs of its account, the
//     resource-based policy, the VPC endpoint policy. The first found, in that order, decides: ExplicitDeny with
//     that policy's type as Layer. "An explicit deny in any of these policies overrides the allow."
//  2. SCPs. When the principal's account is governed by SCPs (set.ControlPolicies is not empty), every level of
//     the organization, from the root to the account, must have a statement that allows, else ImplicitDeny with
//     Layer ControlPolicy. SCPs apply to the account's root user too; they do not apply to service principals or
//     anonymous requests, which belong to no account.
//  3. Service principals, identity providers (AssumeRoleWithWebIdentity, AssumeRoleWithSAML) and anonymous
//     requests have no identity-based policies: the resource-based policy must allow them (Layer ResourcePolicy).
//  4. The account's root user "has full access": it needs no identity-based policy and has no boundary or session
//     policy, so the principal's side allows.
//  5. Within one account (req.ResourceAccount empty or the principal's), the resource-based policy's statements
//     that allow decide how much else must allow ("Policy evaluation for requests within a single account", the
//     table of principals and resource-based policies; "Permissions boundaries", "Evaluating effective
//     permissions with boundaries"). (a) One that names the principal itself — its IAM user ARN, its role session
//     or federated-user ARN, its unique ID — or everyone ("*"), a service or an identity provider, grants on its
//     own: an implicit deny in identity-based policies, the boundary or session policies does not take it away.
//     (b) One that names the role of a role session grants without identity-based policies, but the session's
//     permissions boundary and session policies must still allow. (c) One that names the account
//     ("arn:aws:iam::A:root") delegates to the account, as if there were no grant: the identity-based policies
//     must allow, then the boundary (when there is one), then the session policies (when the session has any:
//     set.HasSession). The first of identity, boundary, session that had to allow and did not is the Layer of
//     the ImplicitDeny.
//  6. Across accounts (req.ResourceAccount set and not the principal's), both sides must allow: the principal's
//     side as in 5 without a resource grant (identity, boundary, session; SCPs in 2), and then the resource-based
//     policy, naming the principal in any way (Layer ResourcePolicy). A role's trust policy (a resource-based
//     policy compiled from a Trust document) must allow sts:AssumeRole within one account too.
//  7. A request that came through a VPC endpoint (set.Endpoint not nil) must be allowed by the endpoint's policy
//     as well (Layer EndpointPolicy; "Control access to VPC endpoints using endpoint policies").
//
// Decision.Layer is zero when the request is allowed.
func Decide(set *Set, req *Request) Decision {
	e := evaluator{set: set, req: req}
	return e.decide()
}

// Explain decides as Decide does and says why: every statement that matched the request, allowing or denying, in
// the order the policies are evaluated (identity, boundary, session, SCPs level by level, resource, endpoint; the
// statements of each in document order), and Missing, the condition keys that conditions of those statements
// whose action, principal and resource matched referred to but the request's context did not have — keys of the
// conditions and of the variables in their values, once each, as the policy first wrote them: the IAM
// simulator's MissingContextValues. It evaluates every statement, without stopping at the first deny.
func Explain(set *Set, req *Request) Explanation {
	var exp Explanation
	e := evaluator{set: set, req: req, exp: &exp}
	exp.Decision = e.decide()
	return exp
}

// evaluator carries one evaluation. With exp nil it is Decide's: it skips what cannot change the answer and stops
// at the first explicit deny.
type evaluator struct {
	set    *Set
	req    *Request
	exp    *Explanation
	denied PolicyType // the type of the first policy found with a Deny that matched
	// service is the service prefix of the request's action ("" without a colon), hash its foldHash: the key of
	// the policies' action indexes.
	service string
	hash    uint64
	sc      scratch
	l       lookup
}

// principalKind sorts principals by the policies they have.
type principalKind uint8

const (
	kindAWS     principalKind = iota // the root user, an IAM user, a role session, a federated user
	kindService                      // an AWS service, or a web identity or SAML provider's user
	kindAnonymous
)

func kindOf(p *Principal) principalKind {
	switch {
	case p.Anonymous:
		return kindAnonymous
	case p.Service != "", p.Federated != "" && p.ARN == "":
		return kindService
	}
	return kindAWS
}

// stop reports whether Decide may answer now: an explicit deny is final.
func (e *evaluator) stop() bool { return e.exp == nil && e.denied != 0 }

func (e *evaluator) decide() Decision {
	if e.req == nil {
		return Decision{Outcome: ImplicitDeny, Layer: IdentityPolicy}
	}
	set := e.set
	if set == nil {
		set = &Set{}
	}
	e.l.ctx = e.req.Context
	if svc, _, ok := strings.Cut(e.req.Action, ":"); ok {
		e.service, e.hash = svc, foldHash(svc)
	}
	explicit := func() Decision { return Decision{Outcome: ExplicitDeny, Layer: e.denied} }
	p := &e.req.Principal
	kind := kindOf(p)

	// Step 1, and the allows of every layer on the way, in the order their denies are reported.
	var identity, boundary, session grantKind
	if kind == kindAWS && !p.Root {
		for _, c := range set.Identity {
			if identity = max(identity, e.policy(c, IdentityPolicy, identity)); e.stop() {
				return explicit()
			}
		}
		if boundary = e.policy(set.Boundary, BoundaryPolicy, grantNone); e.stop() {
			return explicit()
		}
		for _, c := range set.Session {
			if session = max(session, e.policy(c, SessionPolicy, session)); e.stop() {
				return explicit()
			}
		}
	}
	scps := kind == kindAWS && len(set.ControlPolicies) > 0
	scpAllow := true
	if scps {
		for _, level := range set.ControlPolicies {
			var levelAllow grantKind
			for _, c := range level {
				if levelAllow = max(levelAllow, e.policy(c, ControlPolicy, levelAllow)); e.stop() {
					return explicit()
				}
			}
			scpAllow = scpAllow && levelAllow != grantNone
		}
	}
	resource := e.policy(set.Resource, ResourcePolicy, grantNone)
	if e.stop() {
		return explicit()
	}
	endpoint := e.policy(set.Endpoint, EndpointPolicy, grantNone)
	if e.denied != 0 {
		return explicit()
	}

	implicit := func(layer PolicyType) Decision { return Decision{Outcome: ImplicitDeny, Layer: layer} }
	switch {
	case kind != kindAWS:
		// Step 3.
		if resource == grantNone {
			return implicit(ResourcePolicy)
		}
	case scps && !scpAllow:
		// Step 2.
		return implicit(ControlPolicy)
	default:
		// Steps 4 to 6.
		cross := e.req.ResourceAccount != "" && e.req.ResourceAccount != p.Account
		if !p.Root {
			needIdentity, needBoundary, needSession := true, set.Boundary != nil, set.HasSession
			if !cross {
				switch resource {
				case grantDirect:
					needIdentity, needBoundary, needSession = false, false, false
				case grantRole:
					needIdentity = false
				}
			}
			switch {
			case needIdentity && identity == grantNone:
				return implicit(IdentityPolicy)
			case needBoundary && boundary == grantNone:
				return implicit(BoundaryPolicy)
			case needSession && session == grantNone:
				return implicit(SessionPolicy)
			}
		}
		trust := set.Resource != nil && set.Resource.compiled.trust
		if (cross || trust) && resource == grantNone {
			return implicit(ResourcePolicy)
		}
	}
	// Step 7.
	if set.Endpoint != nil && endpoint == grantNone {
		return implicit(EndpointPolicy)
	}
	return Decision{Outcome: Allowed}
}

// policy evaluates one policy and returns how its Allow statements that match grant (grantDirect for any match
// outside resource-based policies; grantNone when none matches). A Deny that matches sets e.denied. have is what
// the layer's policies evaluated before granted: deciding, an Allow that could not better it is not evaluated.
func (e *evaluator) policy(c *Compiled, layer PolicyType, have grantKind) grantKind {
	if c == nil {
		return grantNone
	}
	cp := &c.compiled
	grant := have
	if e.exp != nil {
		for i := range cp.stmts {
			grant = max(grant, e.statement(c, layer, &cp.stmts[i], grantNone))
		}
		return grant
	}
	var indexed []int32
	if e.service != "" {
		indexed = cp.forService(e.service, e.hash)
	}
	for _, list := range [2][]int32{indexed, cp.anyService} {
		for _, i := range list {
			grant = max(grant, e.statement(c, layer, &cp.stmts[i], grant))
			if e.denied != 0 {
				return grant
			}
		}
	}
	return grant
}

// statement evaluates one statement. Deciding, an Allow is skipped when the policy already has a grant it cannot
// better (have).
func (e *evaluator) statement(c *Compiled, layer PolicyType, st *statement, have grantKind) grantKind {
	if st.effect == Allow && have == grantDirect && e.exp == nil {
		return grantNone
	}
	grant, ok := e.applies(st)
	if !ok {
		return grantNone
	}
	if e.exp != nil {
		e.exp.Matches = append(e.exp.Matches, Match{Policy: c, Statement: int(st.index), Effect: st.effect})
	}
	switch st.effect {
	case Deny:
		if e.denied == 0 {
			e.denied = layer
		}
		return grantNone
	case Allow:
		return grant
	}
	return grantNone
}

// applies reports whether st matches the request, and for a Principal element how it names the principal.
func (e *evaluator) applies(st *statement) (grantKind, bool) {
	req := e.req
	if !st.matchAction(req.Action) {
		return grantNone, false
	}
	grant := grantDirect
	if st.principals != nil {
		if st.notPrincipal {
			if st.principals.excludes(&req.Principal) {
				return grantNone, false
			}
		} else if grant = st.principals.grant(&req.Principal); grant == grantNone {
			return grantNone, false
		}
	}
	ctx := &e.l
	if !st.matchResource(req.Resource, ctx) {
		return grantNone, false
	}
	if e.exp == nil {
		for i := range st.conditions {
			if !st.conditions[i].eval(ctx, &e.sc) {
				return grantNone, false
			}
		}
		return grant, true
	}
	ok := true
	for pos := range st.conditions {
		// In document order: the conditions are kept cheapest first.
		cond := &st.conditions[pos]
		for j := range st.conditions {
			if int(st.conditions[j].pos) == pos {
				cond = &st.conditions[j]
				break
			}
		}
		if _, found := ctx.find(cond.key); !found {
			e.missing(cond.name)
		}
		for _, name := range cond.missingVars(ctx, nil) {
			e.missing(name)
		}
		if !cond.eval(ctx, &e.sc) {
			ok = false
		}
	}
	return grant, ok
}

// missing adds a key to the explanation's Missing, once, whatever its case.
func (e *evaluator) missing(name string) {
	for _, m := range e.exp.Missing {
		if strings.EqualFold(m, name) {
			return
		}
	}
	e.exp.Missing = append(e.exp.Missing, name)
}

func (st *statement) matchAction(action string) bool {
	for i := range st.actions {
		if st.actions[i].matchAction(action) {
			return !st.notAction
		}
	}
	return st.notAction
}

func (st *statement) matchResource(resource string, ctx *lookup) bool {
	if st.anyResource {
		return true
	}
	for i := range st.resources {
		if st.resources[i].match(resource, ctx) {
			return !st.notResource
		}
	}
	return st.notResource
}
