package iam

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sagebox/sagebox/internal/api"
	"github.com/sagebox/sagebox/internal/authz"
	"github.com/sagebox/sagebox/internal/policy"
	"github.com/sagebox/sagebox/internal/store"
)

// The policy simulator: SimulatePrincipalPolicy, SimulateCustomPolicy and the two GetContextKeysFor… operations,
// decided by the same engine as live requests (policy.Explain) over the policies the caller names or gives.
//
// What AWS's simulator does, and so sagebox's (the API Reference of the four operations; the IAM User Guide,
// "Testing IAM policies with the IAM policy simulator"; AWS's answers as users reported them, cited below):
//
//   - The request context is exactly the ContextEntries: the simulator fills no global key of its own (a boundary
//     that asks for aws:RequestedRegion denies until the caller gives it: aws-containers/amazon-ecs-exec-checker#44).
//     MissingContextValues lists every condition key that the simulated policies refer to and the entries did not
//     give, whatever the action — GetContextKeysFor… minus the entries — as AWS answers (boto3#3111, where a key
//     of a statement for another action is listed; aws-sdk-java-v2#1751). SCPs' keys are not listed (aws-cli#10525).
//   - SimulatePrincipalPolicy evaluates the SCPs of the account (OrganizationsDecisionDetail), except for a
//     service-linked role, which SCPs do not restrict; SimulateCustomPolicy evaluates none. Neither simulates
//     session policies, VPC endpoint policies or resource control policies: `sagebox simulate` does.
//   - MatchedStatements name each statement by its policy (SourcePolicyId: the inline or managed policy's name,
//     "PolicyInputList.N", "PermissionsBoundaryPolicyInputList.1", "ResourcePolicy") and its type as AWS answers
//     it, "IAM Policy" or "Resource Policy" — values outside the model's PolicySourceType enum, which SDKs accept
//     as strings — and by its position in the text as given: see statementSpans. For an explicit deny they are the
//     denying statements only ("the deny statement is the only entry included in the result"); otherwise the
//     allowing ones. SCP statements are never listed: the simulator says only whether Organizations allowed.

func (s *Service) registerSimulator(h *api.ServiceHandlers) {
	api.Read(h, "SimulatePrincipalPolicy", s.simulatePrincipalPolicy)
	api.Read(h, "SimulateCustomPolicy", s.simulateCustomPolicy)
	api.Read(h, "GetContextKeysForPrincipalPolicy", s.getContextKeysForPrincipalPolicy)
	api.Read(h, "GetContextKeysForCustomPolicy", s.getContextKeysForCustomPolicy)
}

// The policy source types AWS answers (see above).
const (
	sourceIAMPolicy      = "IAM Policy"
	sourceResourcePolicy = "Resource Policy"
)

// The ResourceHandlingOption scenarios and the resource types each needs (the API Reference).
var resourceScenarios = map[string][]string{
	"EC2-VPC-InstanceStore":        {"instance", "image", "security-group", "network-interface"},
	"EC2-VPC-InstanceStore-Subnet": {"instance", "image", "security-group", "network-interface", "subnet"},
	"EC2-VPC-EBS":                  {"instance", "image", "security-group", "network-interface", "volume"},
	"EC2-VPC-EBS-Subnet":           {"instance", "image", "security-group", "network-interface", "subnet", "volume"},
}

// simPolicy is one policy of a simulation, with what MatchedStatements say of it.
type simPolicy struct {
	id, source string // SourcePolicyId, SourcePolicyType
	text       string
	doc        *policy.Document
	compiled   *policy.Compiled
	spans      []statementSpan // by statement index; nil when the text could not be scanned
}

// newSimPolicy parses and compiles a policy of a simulation. Documents the caller gives that IAM would refuse are
// MalformedPolicyDocument, with IAM's text, as everywhere else in IAM.
func newSimPolicy(id, source, text string, kind policy.Kind, typ policy.PolicyType) (*simPolicy, error) {
	doc, err := policy.Parse(text, kind)
	if err != nil {
		var pe *policy.Error
		if errors.As(err, &pe) {
			return nil, malformedPolicy(pe.Message)
		}
		return nil, err
	}
	return compileSimPolicy(id, source, text, doc, typ)
}

// compileSimPolicy compiles a parsed policy of a simulation.
func compileSimPolicy(id, source, text string, doc *policy.Document, typ policy.PolicyType) (*simPolicy, error) {
	c, err := policy.Compile(doc, id, typ)
	if err != nil {
		return nil, err
	}
	return &simPolicy{id: id, source: source, text: text, doc: doc, compiled: c, spans: statementSpans(text)}, nil
}

// simSource is what SimulatePrincipalPolicy and GetContextKeysForPrincipalPolicy read of the PolicySourceArn.
type simSource struct {
	kind     string // kindUser, kindGroup or kindRole
	arn      string
	identity []*simPolicy
	boundary *simPolicy
	// serviceLinked marks a service-linked role, which SCPs do not restrict.
	serviceLinked bool
}

// loadSimSource reads the user, group or role the ARN names, with its policies as IAM has them: its inline
// policies, its attached managed policies, and for a user those of its groups in the order it joined them (a
// managed policy that comes twice counted once), and its permissions boundary.
func (s *Service) loadSimSource(t store.Tx, account, arn string) (*simSource, error) {
	kind, owner, path, name, ok := parseEntityARN(arn)
	if !ok {
		return nil, invalidInput("Invalid Entity Arn: %s does not clearly define entity type and name.", arn)
	}
	if owner != account {
		return nil, invalidInput("Invalid Policy Source Arn: caller's account %s does not have access to policies in account %s", account, owner)
	}
	src := &simSource{kind: kind, arn: arn}
	var perms *permissions
	var boundary string
	var groups []string
	switch kind {
	case kindUser:
		u, _, err := get[user](t, account, kindUser, name)
		if err != nil {
			return nil, err
		}
		if u == nil || u.Path != path || u.Name != name {
			return nil, noSuchUser(name)
		}
		perms, boundary, groups = &u.permissions, u.Boundary, u.Groups
	case kindGroup:
		g, _, err := get[group](t, account, kindGroup, name)
		if err != nil {
			return nil, err
		}
		if g == nil || g.Path != path || g.Name != name {
			return nil, noSuchGroup(name)
		}
		perms = &g.permissions
	default:
		r, _, err := get[role](t, account, kindRole, name)
		if err != nil {
			return nil, err
		}
		if r == nil || r.Path != path || r.Name != name {
			return nil, roleNotFound(name)
		}
		perms, boundary, src.serviceLinked = &r.permissions, r.Boundary, r.ServiceLinked != ""
	}
	seen := map[string]bool{}
	add := func(p *permissions) error {
		for _, in := range p.Inline {
			sp, err := storedSimPolicy(in.Name, in.Document, policy.IdentityPolicy)
			if err != nil {
				return err
			}
			src.identity = append(src.identity, sp)
		}
		for _, parn := range p.Attached {
			if seen[parn] {
				continue
			}
			seen[parn] = true
			sp, err := s.managedSimPolicy(t, account, parn, policy.IdentityPolicy)
			if err != nil {
				return err
			}
			src.identity = append(src.identity, sp)
		}
		return nil
	}
	if err := add(perms); err != nil {
		return nil, err
	}
	for _, gname := range groups {
		g, _, err := get[group](t, account, kindGroup, gname)
		if err != nil {
			return nil, err
		}
		if g == nil {
			continue
		}
		if err := add(&g.permissions); err != nil {
			return nil, err
		}
	}
	if boundary != "" {
		sp, err := s.managedSimPolicy(t, account, boundary, policy.BoundaryPolicy)
		if err != nil {
			return nil, err
		}
		src.boundary = sp
	}
	return src, nil
}

// storedSimPolicy compiles a document IAM stored. It passed IAM's checks when it was written; like the
// authorization view, it is read as an identity policy, the least strict kind that covers it.
func storedSimPolicy(id, text string, typ policy.PolicyType) (*simPolicy, error) {
	doc, err := policy.Parse(text, policy.Identity)
	if err != nil {
		return nil, fmt.Errorf("iam: stored policy %s: %w", id, err)
	}
	return compileSimPolicy(id, sourceIAMPolicy, text, doc, typ)
}

// managedSimPolicy is the default version of a managed policy, named by the policy's name as AWS names it in
// MatchedStatements ("AdministratorAccess").
func (s *Service) managedSimPolicy(t store.Tx, account, arn string, typ policy.PolicyType) (*simPolicy, error) {
	ref, err := s.findPolicy(t, account, arn)
	if err != nil {
		return nil, err
	}
	switch {
	case ref == nil:
		return nil, fmt.Errorf("iam: managed policy %s is in use but not found", arn)
	case ref.aws != nil:
		return storedSimPolicy(ref.aws.Name, ref.aws.Document, typ)
	}
	return storedSimPolicy(ref.customer.Name, ref.customer.defaultDocument(), typ)
}

// parseEntityARN takes apart arn:aws:iam::ACCOUNT:user|group|role/PATH/NAME.
func parseEntityARN(arn string) (kind, account, path, name string, ok bool) {
	rest, found := strings.CutPrefix(arn, "arn:aws:iam::")
	if !found {
		return "", "", "", "", false
	}
	account, rest, found = strings.Cut(rest, ":")
	if !found || !isAccountID(account) {
		return "", "", "", "", false
	}
	typ, res, found := strings.Cut(rest, "/")
	if !found {
		return "", "", "", "", false
	}
	switch typ {
	case "user":
		kind = kindUser
	case "group":
		kind = kindGroup
	case "role":
		kind = kindRole
	default:
		return "", "", "", "", false
	}
	i := strings.LastIndexByte(res, '/')
	path, name = "/"+res[:i+1], res[i+1:]
	if name == "" {
		return "", "", "", "", false
	}
	return kind, account, path, name, true
}

func (s *Service) simulatePrincipalPolicy(ctx context.Context, c *api.Call, in *SimulatePrincipalPolicyInput) (*SimulatePrincipalPolicyOutput, error) {
	if err := authorize(ctx, c, "SimulatePrincipalPolicy", in.PolicySourceArn); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	src, err := s.loadSimSource(t, c.Account(), in.PolicySourceArn)
	if err != nil {
		return nil, err
	}
	var scps [][]*policy.Compiled
	if !src.serviceLinked {
		if scps, err = accountSCPs(t, c.Account()); err != nil {
			return nil, err
		}
	}
	common := SimulateCustomPolicyInput{
		PolicyInputList: in.PolicyInputList, PermissionsBoundaryPolicyInputList: in.PermissionsBoundaryPolicyInputList,
		ActionNames: in.ActionNames, ResourceArns: in.ResourceArns, ResourcePolicy: in.ResourcePolicy,
		ResourceOwner: in.ResourceOwner, CallerArn: in.CallerArn, ContextEntries: in.ContextEntries,
		ResourceHandlingOption: in.ResourceHandlingOption, MaxItems: in.MaxItems, Marker: in.Marker,
	}
	return simulate(c.Account(), src, scps, &common)
}

func (s *Service) simulateCustomPolicy(ctx context.Context, c *api.Call, in *SimulateCustomPolicyInput) (*SimulateCustomPolicyOutput, error) {
	if err := authorize(ctx, c, "SimulateCustomPolicy", "*"); err != nil {
		return nil, err
	}
	return simulate(c.Account(), nil, nil, in)
}

// accountSCPs compiles the SCPs of the account, as one level: what sagebox's accounts carry (package authz).
func accountSCPs(t store.Tx, account string) ([][]*policy.Compiled, error) {
	stored, err := authz.ReadSCPs(t, account)
	if err != nil || len(stored) == 0 {
		return nil, err
	}
	level := make([]*policy.Compiled, 0, len(stored))
	for _, scp := range stored {
		doc, err := policy.Parse(scp.Document, policy.ServiceControl)
		if err != nil {
			return nil, fmt.Errorf("iam: SCP %s of account %s: %w", scp.Name, account, err)
		}
		cp, err := policy.Compile(doc, "service control policy "+scp.Name, policy.ControlPolicy)
		if err != nil {
			return nil, err
		}
		level = append(level, cp)
	}
	return [][]*policy.Compiled{level}, nil
}

// simulation is everything a simulation decides with.
type simulation struct {
	identity []*simPolicy
	boundary *simPolicy
	resource *simPolicy
	scps     [][]*policy.Compiled
	level    map[*policy.Compiled]int // an SCP's level
	policies map[*policy.Compiled]*simPolicy

	principal policy.Principal
	// owner is the account of resources whose ARN does not name one: ResourceOwner, else the caller's.
	owner   string
	ctx     *policy.Context
	missing []string
}

// simulate runs a simulation for the account: of src's policies (nil for SimulateCustomPolicy) and the SCPs, with
// the input's own.
func simulate(account string, src *simSource, scps [][]*policy.Compiled, in *SimulateCustomPolicyInput) (*SimulatePolicyResponse, error) {
	sim := &simulation{scps: scps, level: map[*policy.Compiled]int{}, policies: map[*policy.Compiled]*simPolicy{}}
	for i, level := range scps {
		for _, cp := range level {
			sim.level[cp] = i
		}
	}
	if src != nil {
		sim.identity = append(sim.identity, src.identity...)
		sim.boundary = src.boundary
	}
	for i, text := range in.PolicyInputList {
		sp, err := newSimPolicy(fmt.Sprintf("PolicyInputList.%d", i+1), sourceIAMPolicy, text, policy.Identity, policy.IdentityPolicy)
		if err != nil {
			return nil, err
		}
		sim.identity = append(sim.identity, sp)
	}
	switch n := len(in.PermissionsBoundaryPolicyInputList); {
	case n > 1:
		return nil, invalidInput("The list of Permissions Boundary policies cannot exceed 1 items.")
	case n == 1:
		sp, err := newSimPolicy("PermissionsBoundaryPolicyInputList.1", sourceIAMPolicy, in.PermissionsBoundaryPolicyInputList[0], policy.Identity, policy.BoundaryPolicy)
		if err != nil {
			return nil, err
		}
		// "If a permissions boundary is attached to an entity and you pass in a different permissions boundary
		// policy using this parameter, then the new permissions boundary policy is used for the simulation."
		sim.boundary = sp
	}
	if in.ResourcePolicy != nil {
		sp, err := resourceSimPolicy(*in.ResourcePolicy)
		if err != nil {
			return nil, err
		}
		sim.resource = sp
	}
	for _, sp := range sim.all() {
		sim.policies[sp.compiled] = sp
	}

	for _, a := range in.ActionNames {
		if svc, op, ok := strings.Cut(a, ":"); !ok || svc == "" || op == "" || strings.ContainsAny(a, "*?") {
			return nil, invalidInput("Invalid action name: %s. Action names are service:Operation, without wildcards.", a)
		}
	}
	var bad []string
	for _, r := range in.ResourceArns {
		if r != "*" && !looksLikeARN(r) {
			bad = append(bad, r)
		}
	}
	if len(bad) > 0 {
		return nil, invalidInput("ResourceNames are not in a valid ARN format: %s.", strings.Join(bad, ", "))
	}
	if in.ResourceOwner != nil {
		owner, ok := resourceOwner(*in.ResourceOwner)
		if !ok {
			return nil, invalidInput("'%s' is not a valid as a Resource Owner.", *in.ResourceOwner)
		}
		sim.owner = owner
	}
	if err := sim.setPrincipal(account, src, in); err != nil {
		return nil, err
	}
	if sim.owner == "" {
		// "If the ResourceOwner parameter is not specified, then the owner of the resources and the resource
		// policy defaults to the account of the identity provided in CallerArn."
		sim.owner = sim.principal.Account
	}
	ctx, given, err := simContext(in.ContextEntries)
	if err != nil {
		return nil, err
	}
	sim.ctx = ctx
	sim.missing = []string{}
	for _, k := range contextKeysOf(sim.all()) {
		if !given[strings.ToLower(k)] {
			sim.missing = append(sim.missing, k)
		}
	}
	if in.ResourceHandlingOption != nil {
		if err := checkScenario(*in.ResourceHandlingOption, in.ResourceArns); err != nil {
			return nil, err
		}
	}

	start, err := simMarker(in.Marker)
	if err != nil {
		return nil, err
	}
	if start > len(in.ActionNames) {
		return nil, invalidInput("Invalid Marker.")
	}
	end := min(len(in.ActionNames), start+maxItems(in.MaxItems))
	out := &SimulatePolicyResponse{EvaluationResults: []*EvaluationResult{}, IsTruncated: ptr(end < len(in.ActionNames))}
	if end < len(in.ActionNames) {
		out.Marker = encodeMarker(strconv.Itoa(end))
	}
	for _, action := range in.ActionNames[start:end] {
		out.EvaluationResults = append(out.EvaluationResults, sim.evaluateAction(action, in.ResourceArns))
	}
	return out, nil
}

// all returns the simulation's policies in the order the engine evaluates them.
func (sim *simulation) all() []*simPolicy {
	out := append([]*simPolicy(nil), sim.identity...)
	if sim.boundary != nil {
		out = append(out, sim.boundary)
	}
	if sim.resource != nil {
		out = append(out, sim.resource)
	}
	return out
}

// resourceSimPolicy parses the ResourcePolicy: a resource-based policy, or a role's trust policy, which the engine
// then holds to the rule that it must allow sts:AssumeRole within one account too.
func resourceSimPolicy(text string) (*simPolicy, error) {
	sp, err := newSimPolicy("ResourcePolicy", sourceResourcePolicy, text, policy.Resource, policy.ResourcePolicy)
	if err == nil {
		return sp, nil
	}
	if trust, terr := newSimPolicy("ResourcePolicy", sourceResourcePolicy, text, policy.Trust, policy.ResourcePolicy); terr == nil {
		return trust, nil
	}
	return nil, err
}

// setPrincipal says who calls: CallerArn, an IAM user's ARN, or else the PolicySourceArn when it is a user. A
// resource policy needs a caller its Principal element can name.
func (sim *simulation) setPrincipal(account string, src *simSource, in *SimulateCustomPolicyInput) error {
	callerInvalid := invalidInput("Invalid caller - Caller must be an IAM user in this context.")
	switch {
	case in.CallerArn != nil:
		kind, owner, _, _, ok := parseEntityARN(*in.CallerArn)
		if !ok || kind != kindUser {
			return callerInvalid
		}
		sim.principal = policy.Principal{ARN: *in.CallerArn, Account: owner}
	case src != nil && src.kind == kindUser:
		sim.principal = policy.Principal{ARN: src.arn, Account: account}
	case in.ResourcePolicy != nil:
		return callerInvalid
	case src != nil:
		sim.principal = policy.Principal{ARN: src.arn, Account: account}
	default:
		sim.principal = policy.Principal{Account: account}
	}
	return nil
}

// resourceOwner reads a ResourceOwner: an account ID, or the account's ARN arn:aws:iam::ACCOUNT:root, which the
// API Reference gives both of.
func resourceOwner(s string) (string, bool) {
	if isAccountID(s) {
		return s, true
	}
	if acct, ok := strings.CutPrefix(s, "arn:aws:iam::"); ok {
		if acct, ok = strings.CutSuffix(acct, ":root"); ok && isAccountID(acct) {
			return acct, true
		}
	}
	return "", false
}

// looksLikeARN reports whether s has the six parts of an ARN: arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE.
func looksLikeARN(s string) bool {
	parts := strings.SplitN(s, ":", 6)
	return len(parts) == 6 && parts[0] == "arn" && parts[1] != "" && parts[2] != "" && parts[5] != ""
}

// arnAccount is the account field of an ARN, "" when it has none (S3 buckets).
func arnAccount(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) == 6 && isAccountID(parts[4]) {
		return parts[4]
	}
	return ""
}

// checkScenario checks a ResourceHandlingOption and that the resources it needs are all given.
func checkScenario(option string, resources []string) error {
	need, ok := resourceScenarios[option]
	if !ok {
		return invalidInput("Invalid ResourceHandlingOption: %s.", option)
	}
	for _, typ := range need {
		found := false
		for _, r := range resources {
			parts := strings.SplitN(r, ":", 6)
			if len(parts) == 6 && parts[2] == "ec2" && strings.HasPrefix(parts[5], typ+"/") {
				found = true
				break
			}
		}
		if !found {
			return invalidInput("The ResourceHandlingOption %s requires a resource of type %s.", option, typ)
		}
	}
	return nil
}

// simMarker reads a Marker: the index of the next action, encoded.
func simMarker(m *string) (int, error) {
	s, err := decodeMarker(m)
	if err != nil || s == "" {
		return 0, err
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, invalidInput("Invalid Marker.")
	}
	return n, nil
}

// simContext builds the request context of the ContextEntries, checking each value against its type (the model's
// ContextKeyTypeEnum), and returns the keys given, in lower case.
func simContext(entries []*ContextEntry) (*policy.Context, map[string]bool, error) {
	ctx := new(policy.Context)
	given := map[string]bool{}
	for _, e := range entries {
		if e == nil || e.ContextKeyName == nil || *e.ContextKeyName == "" {
			return nil, nil, invalidInput("ContextKeyName is required for every context entry.")
		}
		name := *e.ContextKeyName
		typ := "string"
		if e.ContextKeyType != nil {
			typ = *e.ContextKeyType
		}
		base, list := strings.CutSuffix(typ, "List")
		if !list && len(e.ContextKeyValues) > 1 {
			return nil, nil, invalidInput("Context key %s of type %s takes one value; use the type %sList for several.", name, typ, typ)
		}
		for _, v := range e.ContextKeyValues {
			if !validContextValue(base, v) {
				return nil, nil, invalidInput("Invalid value %q for context key %s of type %s.", v, name, typ)
			}
		}
		ctx.Set(name, append([]string(nil), e.ContextKeyValues...)...)
		given[strings.ToLower(name)] = true
	}
	return ctx, given, nil
}

// validContextValue reports whether v is a value of the base type (string, numeric, boolean, ip, binary, date).
func validContextValue(base, v string) bool {
	switch base {
	case "numeric":
		_, err := strconv.ParseFloat(v, 64)
		return err == nil
	case "boolean":
		return strings.EqualFold(v, "true") || strings.EqualFold(v, "false")
	case "ip":
		if _, err := netip.ParseAddr(v); err == nil {
			return true
		}
		_, err := netip.ParsePrefix(v)
		return err == nil
	case "binary":
		_, err := base64.StdEncoding.DecodeString(v)
		return err == nil
	case "date":
		return validDate(v)
	}
	return true
}

// validDate accepts the forms the condition operators read: ISO 8601 dates and times, and epoch seconds.
func validDate(v string) bool {
	if v == "" {
		return false
	}
	if _, err := strconv.ParseInt(v, 10, 64); err == nil {
		return true
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04Z07:00", "2006-01-02T15:04Z", "2006-01-02"} {
		if _, err := time.Parse(layout, v); err == nil {
			return true
		}
	}
	return false
}

// evaluation is the answer for one action on one resource.
type evaluation struct {
	resource string
	decision policy.Outcome
	matched  []*Statement
	// boundary and org are set when a boundary, or SCPs, took part: whether they allowed.
	boundary, org *bool
	// details is EvalDecisionDetails: nil when absent, empty within one account.
	details map[string]string
}

// evaluateAction answers one action on the resources: one EvaluationResult, with ResourceSpecificResults when
// resources were named ("*" alone, or none, is every resource: the result is then the resource "*"'s).
func (sim *simulation) evaluateAction(action string, resources []string) *EvaluationResult {
	if len(resources) == 0 || len(resources) == 1 && resources[0] == "*" {
		ev := sim.evaluate(action, "*")
		return &EvaluationResult{
			EvalActionName: action, EvalResourceName: ptr("*"), EvalDecision: ev.decision.String(),
			MatchedStatements: ev.matched, MissingContextValues: sim.missing,
			PermissionsBoundaryDecisionDetail: boundaryDetail(ev.boundary),
			OrganizationsDecisionDetail:       orgDetail(ev.org), EvalDecisionDetails: ev.details,
		}
	}
	evs := make([]evaluation, len(resources))
	for i, r := range resources {
		evs[i] = sim.evaluate(action, r)
	}
	top := aggregate(evs)
	res := &EvaluationResult{
		EvalActionName: action, EvalResourceName: ptr("*"), EvalDecision: top.decision.String(),
		MatchedStatements: top.matched, MissingContextValues: sim.missing,
		PermissionsBoundaryDecisionDetail: boundaryDetail(top.boundary),
		OrganizationsDecisionDetail:       orgDetail(top.org), EvalDecisionDetails: top.details,
		ResourceSpecificResults: make([]*ResourceSpecificResult, len(evs)),
	}
	if len(resources) == 1 {
		res.EvalResourceName = ptr(resources[0])
	}
	for i, ev := range evs {
		rs := &ResourceSpecificResult{
			EvalResourceName: ev.resource, EvalResourceDecision: ev.decision.String(),
			MatchedStatements: ev.matched, MissingContextValues: sim.missing,
			PermissionsBoundaryDecisionDetail: boundaryDetail(ev.boundary),
		}
		// "This parameter is returned only for cross-account simulations."
		if len(ev.details) > 0 {
			rs.EvalDecisionDetails = ev.details
		}
		res.ResourceSpecificResults[i] = rs
	}
	return res
}

func boundaryDetail(allowed *bool) *PermissionsBoundaryDecisionDetail {
	if allowed == nil {
		return nil
	}
	return &PermissionsBoundaryDecisionDetail{AllowedByPermissionsBoundary: allowed}
}

func orgDetail(allowed *bool) *OrganizationsDecisionDetail {
	if allowed == nil {
		return nil
	}
	return &OrganizationsDecisionDetail{AllowedByOrganizations: allowed}
}

// verdict is what one layer of policies says: a matching Deny, else a matching Allow, else nothing.
type verdict struct{ allow, deny bool }

func (v verdict) outcome() policy.Outcome {
	switch {
	case v.deny:
		return policy.ExplicitDeny
	case v.allow:
		return policy.Allowed
	}
	return policy.ImplicitDeny
}

// evaluate decides one action on one resource with the engine and reads the explanation as the simulator answers.
func (sim *simulation) evaluate(action, resource string) evaluation {
	set := policy.Set{ControlPolicies: sim.scps}
	for _, sp := range sim.identity {
		set.Identity = append(set.Identity, sp.compiled)
	}
	if sim.boundary != nil {
		set.Boundary = sim.boundary.compiled
	}
	if sim.resource != nil {
		set.Resource = sim.resource.compiled
	}
	owner := sim.owner
	if a := arnAccount(resource); a != "" {
		owner = a
	}
	req := policy.Request{Principal: sim.principal, Action: action, Resource: resource, ResourceAccount: owner, Context: sim.ctx}
	ex := policy.Explain(&set, &req)

	ev := evaluation{resource: resource, decision: ex.Outcome, matched: []*Statement{}}
	var identity, boundary, resourceSide verdict
	levels := make([]verdict, len(sim.scps))
	for _, m := range ex.Matches {
		if m.Policy == nil {
			continue
		}
		deny := m.Effect == policy.Deny
		var v *verdict
		switch m.Policy.Type {
		case policy.IdentityPolicy:
			v = &identity
		case policy.BoundaryPolicy:
			v = &boundary
		case policy.ResourcePolicy:
			v = &resourceSide
		case policy.ControlPolicy:
			v = &levels[sim.level[m.Policy]]
		}
		if v != nil {
			v.allow, v.deny = v.allow || !deny, v.deny || deny
		}
		if m.Policy.Type == policy.ControlPolicy || deny != (ex.Outcome == policy.ExplicitDeny) {
			continue
		}
		if sp := sim.policies[m.Policy]; sp != nil {
			ev.matched = append(ev.matched, sp.statement(m.Statement))
		}
	}
	if sim.boundary != nil {
		ev.boundary = ptr(boundary.outcome() == policy.Allowed)
	}
	scpBlocked := false
	if len(sim.scps) > 0 {
		allowed := true
		for _, l := range levels {
			allowed = allowed && l.outcome() == policy.Allowed
		}
		ev.org = ptr(allowed)
		scpBlocked = !allowed
	}
	// EvalDecisionDetails: not returned once an SCP denied, "the simulation ends"; a summary of each side across
	// accounts; present but empty for a resource within one account; absent for "*" within one account.
	switch cross := owner != "" && owner != sim.principal.Account; {
	case scpBlocked:
	case cross:
		ev.details = map[string]string{sourceIAMPolicy: identity.outcome().String(), sourceResourcePolicy: resourceSide.outcome().String()}
	case resource != "*":
		ev.details = map[string]string{}
	}
	return ev
}

// aggregate is the answer for an action on several resources: an explicit deny of any, else allowed only when
// every one is, as a request that touches them all needs; the statements of all, each once.
func aggregate(evs []evaluation) evaluation {
	top := evaluation{decision: policy.Allowed, matched: []*Statement{}}
	denied, blocked := false, false
	seen := map[string]bool{}
	for _, ev := range evs {
		switch ev.decision {
		case policy.ExplicitDeny:
			denied = true
		case policy.ImplicitDeny:
			if top.decision == policy.Allowed {
				top.decision = policy.ImplicitDeny
			}
		}
		for _, st := range ev.matched {
			k := statementKey(st)
			if !seen[k] {
				seen[k] = true
				top.matched = append(top.matched, st)
			}
		}
		top.boundary = andPtr(top.boundary, ev.boundary)
		top.org = andPtr(top.org, ev.org)
		if ev.details == nil {
			blocked = true
			continue
		}
		if top.details == nil {
			top.details = map[string]string{}
		}
		for k, v := range ev.details {
			if cur, ok := top.details[k]; !ok || worse(v, cur) {
				top.details[k] = v
			}
		}
	}
	if denied {
		top.decision = policy.ExplicitDeny
	}
	if blocked {
		top.details = nil
	}
	return top
}

func andPtr(a, b *bool) *bool {
	switch {
	case b == nil:
		return a
	case a == nil:
		return ptr(*b)
	}
	return ptr(*a && *b)
}

// worse orders decisions: explicitDeny, then implicitDeny, then allowed.
func worse(a, b string) bool {
	rank := func(s string) int {
		switch s {
		case policy.ExplicitDeny.String():
			return 2
		case policy.ImplicitDeny.String():
			return 1
		}
		return 0
	}
	return rank(a) > rank(b)
}

func statementKey(st *Statement) string {
	k := *st.SourcePolicyId
	if st.StartPosition != nil {
		k += fmt.Sprintf(":%d:%d", *st.StartPosition.Line, *st.StartPosition.Column)
	}
	return k
}

// statement is the MatchedStatements entry of the statement with the index.
func (sp *simPolicy) statement(index int) *Statement {
	st := &Statement{SourcePolicyId: ptr(sp.id), SourcePolicyType: ptr(sp.source)}
	if index >= 0 && index < len(sp.spans) {
		span := sp.spans[index]
		st.StartPosition = &Position{Line: ptr(int32(span.start.line)), Column: ptr(int32(span.start.column))}
		st.EndPosition = &Position{Line: ptr(int32(span.end.line)), Column: ptr(int32(span.end.column))}
	}
	return st
}

func (s *Service) getContextKeysForPrincipalPolicy(ctx context.Context, c *api.Call, in *GetContextKeysForPrincipalPolicyInput) (*GetContextKeysForPrincipalPolicyOutput, error) {
	if err := authorize(ctx, c, "GetContextKeysForPrincipalPolicy", in.PolicySourceArn); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	src, err := s.loadSimSource(t, c.Account(), in.PolicySourceArn)
	if err != nil {
		return nil, err
	}
	policies := append([]*simPolicy(nil), src.identity...)
	if src.boundary != nil {
		policies = append(policies, src.boundary)
	}
	more, err := inputPolicies(in.PolicyInputList)
	if err != nil {
		return nil, err
	}
	return &GetContextKeysForPrincipalPolicyOutput{ContextKeyNames: contextKeysOf(append(policies, more...))}, nil
}

func (s *Service) getContextKeysForCustomPolicy(ctx context.Context, c *api.Call, in *GetContextKeysForCustomPolicyInput) (*GetContextKeysForCustomPolicyOutput, error) {
	if err := authorize(ctx, c, "GetContextKeysForCustomPolicy", "*"); err != nil {
		return nil, err
	}
	policies, err := inputPolicies(in.PolicyInputList)
	if err != nil {
		return nil, err
	}
	return &GetContextKeysForCustomPolicyOutput{ContextKeyNames: contextKeysOf(policies)}, nil
}

func inputPolicies(texts []string) ([]*simPolicy, error) {
	out := make([]*simPolicy, 0, len(texts))
	for i, text := range texts {
		sp, err := newSimPolicy(fmt.Sprintf("PolicyInputList.%d", i+1), sourceIAMPolicy, text, policy.Identity, policy.IdentityPolicy)
		if err != nil {
			return nil, err
		}
		out = append(out, sp)
	}
	return out, nil
}

// contextKeysOf lists the condition keys the policies refer to, as GetContextKeysFor… does: in the order the
// policies and their statements come, within a statement the policy variables of Resource and NotResource, then
// each condition's key followed by the variables of its values, each key once (keys are case-insensitive) as it was
// first written ("aws:username", "aws:CurrentTime" for a statement whose Resource holds ${aws:username} and whose
// condition tests aws:CurrentTime, as the AWS CLI reference shows).
func contextKeysOf(policies []*simPolicy) []string {
	out := []string{}
	seen := map[string]bool{}
	add := func(k string) {
		if lk := strings.ToLower(k); !seen[lk] {
			seen[lk] = true
			out = append(out, k)
		}
	}
	for _, sp := range policies {
		vars := sp.doc.Variables()
		for _, st := range sp.doc.Statements {
			if vars {
				for _, list := range [][]string{st.Resource, st.NotResource} {
					for _, r := range list {
						variableKeys(r, add)
					}
				}
			}
			for _, cond := range st.Conditions {
				add(cond.Key)
				if vars {
					for _, v := range cond.Values {
						variableKeys(v, add)
					}
				}
			}
		}
	}
	return out
}

// variableKeys calls add with the key of every policy variable in s: ${key} and ${key, 'default'}, but not the
// escapes ${*}, ${?} and ${$}.
func variableKeys(s string, add func(string)) {
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			return
		}
		s = s[i+2:]
		end := strings.IndexAny(s, ",}")
		if end < 0 {
			return
		}
		key := strings.TrimSpace(s[:end])
		switch key {
		case "", "*", "?", "$":
		default:
			add(key)
		}
		s = s[end:]
	}
}

// Statement positions. AWS gives each matched statement's StartPosition and EndPosition in the document as the
// caller wrote it, with 1-based lines and columns, and its answers show how it counts (its parser reports where it
// stands after a token): the end is the position just after the statement's closing brace; the start is the
// position just after the opening brace of a statement written as a single object, and for a statement in a list
// the position just after the token before it — the "[" for the first, the previous statement's "}" for the
// others. So {"Version":"2012-10-17","Statement":{…}} of 167 characters gives 1:38 to 1:167 (AWS CLI reference,
// simulate-custom-policy), and AdministratorAccess, whose list opens on line 3 after a two-space indent, gives
// 3:17 to 8:6. Columns count characters; "\r\n", "\n" and "\r" each end a line.

// textPos is a line and column, both from 1.
type textPos struct{ line, column int }

type statementSpan struct{ start, end textPos }

// scanner walks a JSON text keeping AWS's line and column of the next character.
type scanner struct {
	s   string
	i   int
	pos textPos
}

func (sc *scanner) peek() byte {
	if sc.i < len(sc.s) {
		return sc.s[sc.i]
	}
	return 0
}

// next consumes one character (one rune).
func (sc *scanner) next() {
	if sc.i >= len(sc.s) {
		return
	}
	switch c := sc.s[sc.i]; c {
	case '\n':
		sc.i++
		sc.pos.line, sc.pos.column = sc.pos.line+1, 1
	case '\r':
		sc.i++
		if sc.peek() == '\n' {
			sc.i++
		}
		sc.pos.line, sc.pos.column = sc.pos.line+1, 1
	default:
		_, n := utf8.DecodeRuneInString(sc.s[sc.i:])
		sc.i += n
		sc.pos.column++
	}
}

func (sc *scanner) space() {
	for {
		switch sc.peek() {
		case ' ', '\t', '\n', '\r':
			sc.next()
		default:
			return
		}
	}
}

// str consumes a string and returns its raw contents (escapes left as written), or false.
func (sc *scanner) str() (string, bool) {
	if sc.peek() != '"' {
		return "", false
	}
	sc.next()
	from := sc.i
	for sc.i < len(sc.s) {
		switch sc.peek() {
		case '\\':
			sc.next()
			sc.next()
		case '"':
			raw := sc.s[from:sc.i]
			sc.next()
			return raw, true
		default:
			sc.next()
		}
	}
	return "", false
}

// value consumes one value of any kind, or reports false.
func (sc *scanner) value(depth int) bool {
	if depth > 512 {
		return false
	}
	sc.space()
	switch sc.peek() {
	case '"':
		_, ok := sc.str()
		return ok
	case '{', '[':
		open := sc.peek()
		closer := byte('}')
		if open == '[' {
			closer = ']'
		}
		sc.next()
		for first := true; ; first = false {
			sc.space()
			if sc.peek() == closer {
				sc.next()
				return true
			}
			if !first {
				if sc.peek() != ',' {
					return false
				}
				sc.next()
				sc.space()
			}
			if open == '{' {
				if _, ok := sc.str(); !ok {
					return false
				}
				sc.space()
				if sc.peek() != ':' {
					return false
				}
				sc.next()
			}
			if !sc.value(depth + 1) {
				return false
			}
		}
	case 0:
		return false
	default:
		// A number, true, false or null: up to the next delimiter.
		from := sc.i
		for sc.i < len(sc.s) && !strings.ContainsRune(" \t\r\n,]}", rune(sc.peek())) {
			sc.next()
		}
		return sc.i > from
	}
}

// statementSpans returns the span of each statement of a policy text, by index, or nil when the text has no
// Statement to scan (Parse, which the text passed, stands for the rest).
func statementSpans(text string) []statementSpan {
	sc := &scanner{s: text, pos: textPos{1, 1}}
	sc.space()
	if sc.peek() != '{' {
		return nil
	}
	sc.next()
	for first := true; ; first = false {
		sc.space()
		if sc.peek() == '}' || sc.peek() == 0 {
			return nil
		}
		if !first {
			if sc.peek() != ',' {
				return nil
			}
			sc.next()
			sc.space()
		}
		key, ok := sc.str()
		if !ok {
			return nil
		}
		sc.space()
		if sc.peek() != ':' {
			return nil
		}
		sc.next()
		if key != "Statement" {
			if !sc.value(1) {
				return nil
			}
			continue
		}
		sc.space()
		switch sc.peek() {
		case '{':
			start := sc.after()
			if !sc.value(1) {
				return nil
			}
			return []statementSpan{{start, sc.pos}}
		case '[':
			sc.next()
			var spans []statementSpan
			prev := sc.pos
			for firstElem := true; ; firstElem = false {
				sc.space()
				if sc.peek() == ']' {
					return spans
				}
				if !firstElem {
					if sc.peek() != ',' {
						return nil
					}
					sc.next()
				}
				if !sc.value(1) {
					return nil
				}
				spans = append(spans, statementSpan{prev, sc.pos})
				prev = sc.pos
			}
		}
		return nil
	}
}

// after returns the position just after the character the scanner stands on (an opening brace), without moving.
func (sc *scanner) after() textPos {
	return textPos{sc.pos.line, sc.pos.column + 1}
}
