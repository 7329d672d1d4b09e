package iam

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/sagebox/sagebox/internal/api"
	"github.com/sagebox/sagebox/internal/authz"
	"github.com/sagebox/sagebox/internal/policy"
	"github.com/sagebox/sagebox/internal/store"
)

// The authorization view: what the authorizer needs of IAM for every request — each user's and role's compiled
// identity policies, permissions boundary and tags — held in memory, so that deciding a request reads no SQL and
// compiles nothing (DESIGN.md §4).
//
// Load builds it from the store at start-up and after a reset. After that it follows the store: every handler that
// changes what a principal's policies are (a user, group or role, an inline policy, an attachment, a boundary, a
// membership, tags, a managed policy's default version) calls viewSave or viewDelete with the entity as saved.
// That prepares the change inside the transaction — compiling only what is new, reading from the transaction what
// the view does not hold — and applies it in OnCommit: a rolled-back call leaves the view alone. The view relies on
// the store running the commit hooks of one transaction before the next writing transaction begins (store/sqlite
// runs them while it still holds the writer connection), so that what a transaction prepared from the view is
// still current when it applies, and the view moves from one committed state to the next. Applying re-assembles only the principals the change reaches: the entity itself, a group's members, the
// users, groups and roles that have a managed policy attached or as their boundary.
//
// Two locks: mu serializes changes to the model (the entities and the managed policies in use, with their reverse
// indexes); rw guards the published PrincipalPolicies, which readers take under a read lock for two map lookups.
// Published values are never changed, only replaced, so a reader may use one after unlocking.

var _ authz.Identities = (*Service)(nil)

// Identity returns the policies that apply to p on IAM's side: for an IAM user (by its unique id) its own inline
// and attached policies and those of its groups, its boundary and tags; for a role session (UserID
// "AROA…:session") its role's. Root, other principals, and principals IAM does not know get nil: no policies. It
// reads memory only and allocates nothing.
func (s *Service) Identity(account string, p *api.Principal) (*authz.PrincipalPolicies, error) {
	return s.view.identity(account, p), nil
}

// view is the authorization view of every account. The zero value is not usable: see newView.
type view struct {
	mu       sync.Mutex
	accounts map[string]*viewAccount

	// awsMu guards aws: AWS managed policies compiled once, on first use, and shared by every account.
	awsMu sync.Mutex
	aws   map[awsKey]*policy.Compiled

	rw  sync.RWMutex
	out map[string]*published

	// compiler compiles every policy the view holds, so that they share their common parts (policy.Compiler).
	compiler *policy.Compiler
}

type awsKey struct {
	arn string
	typ policy.PolicyType
}

// published is what readers see of one account: users and roles by unique id. A principal without policies,
// boundary or tags has no entry.
type published struct {
	users map[string]*authz.PrincipalPolicies
	roles map[string]*authz.PrincipalPolicies
}

func newView() *view {
	return &view{
		accounts: map[string]*viewAccount{},
		aws:      map[awsKey]*policy.Compiled{},
		out:      map[string]*published{},
		compiler: policy.NewCompiler(),
	}
}

func (v *view) identity(account string, p *api.Principal) *authz.PrincipalPolicies {
	var pp *authz.PrincipalPolicies
	switch p.Type {
	case api.User:
		v.rw.RLock()
		if a := v.out[account]; a != nil {
			pp = a.users[p.UserID]
		}
		v.rw.RUnlock()
	case api.AssumedRole:
		id, _, _ := strings.Cut(p.UserID, ":")
		v.rw.RLock()
		if a := v.out[account]; a != nil {
			pp = a.roles[id]
		}
		v.rw.RUnlock()
	}
	return pp
}

// viewAccount is the model of one account: the entities that hold policies and the managed policies in use.
type viewAccount struct {
	users, groups, roles map[string]*viewEntity // by unique id
	groupIDs             map[string]string      // a group's lower-case name → its unique id
	policies             map[string]*viewPolicy // managed policies attached or used as a boundary, by ARN
}

func newViewAccount() *viewAccount {
	return &viewAccount{
		users: map[string]*viewEntity{}, groups: map[string]*viewEntity{}, roles: map[string]*viewEntity{},
		groupIDs: map[string]string{}, policies: map[string]*viewPolicy{},
	}
}

// viewEntity is a user, group or role as the view keeps it.
type viewEntity struct {
	kind     string
	id       string
	name     string // groups: the lower-case name, to follow renames
	inline   []viewInline
	attached []*viewPolicy
	boundary *viewPolicy
	tags     map[string]string
	groups   []*viewEntity // a user's groups, in the order joined
	members  entitySet     // a group's users
}

// viewInline is an inline policy compiled, with the text it was compiled from, so that a save that leaves the
// policy as it was reuses the compiled form (its ID, which names the owner and the policy, must match too). The
// text costs nothing more: the compiled policy keeps the same string, for explanations.
type viewInline struct {
	text     string
	compiled *policy.Compiled
}

// viewPolicy is a managed policy in use in an account, compiled for each way it is used, with who uses it.
type viewPolicy struct {
	arn      string
	version  string           // the default version compiled
	identity *policy.Compiled // as an identity policy: nil until attached somewhere
	boundary *policy.Compiled // as a permissions boundary: nil until some entity has it as one
	attached entitySet        // the users, groups and roles it is attached to
	bounded  entitySet        // the users and roles it is the boundary of
}

func (p *viewPolicy) unused() bool { return len(p.attached) == 0 && len(p.bounded) == 0 }

func (p *viewPolicy) compiled(typ policy.PolicyType) *policy.Compiled {
	if typ == policy.BoundaryPolicy {
		return p.boundary
	}
	return p.identity
}

// entityChange is a user, group or role as a transaction left it (or its deletion), prepared for the view: every
// policy compiled, every reference resolved.
type entityChange struct {
	kind    string
	id      string
	name    string // groups: lower-case
	deleted bool
	inline  []viewInline
	// attached and boundary carry the managed policies compiled as identity policies and as a boundary.
	attached []policyUse
	boundary *policyUse
	groups   []string // users: the unique ids of their groups
	tags     map[string]string
}

// policyUse is a managed policy compiled for one use.
type policyUse struct {
	arn, version string
	compiled     *policy.Compiled
}

// versionChange is a new default version of a customer managed policy in use.
type versionChange struct {
	arn, version       string
	identity, boundary *policy.Compiled
}

// viewSave has the view follow doc — a *user, *group, *role or *managedPolicy just saved in t — when t commits.
// Handlers call it after every save that may change a principal's policies, boundary, groups or tags.
func (s *Service) viewSave(t store.Tx, account string, doc any) error {
	switch d := doc.(type) {
	case *managedPolicy:
		vc, err := s.prepareVersion(t, account, d)
		if err != nil || vc == nil {
			return err
		}
		t.OnCommit(func() { s.view.applyVersion(account, vc) })
		return nil
	default:
		c, err := s.prepareEntity(t, account, doc)
		if err != nil {
			return err
		}
		t.OnCommit(func() { s.view.applyEntity(account, c) })
		return nil
	}
}

// viewDelete has the view forget doc, a *user, *group or *role deleted in t, when t commits.
func (s *Service) viewDelete(t store.Tx, account string, doc any) {
	var c *entityChange
	switch d := doc.(type) {
	case *user:
		c = &entityChange{kind: kindUser, id: d.ID, deleted: true}
	case *group:
		c = &entityChange{kind: kindGroup, id: d.ID, deleted: true}
	case *role:
		c = &entityChange{kind: kindRole, id: d.ID, deleted: true}
	default:
		panic(fmt.Sprintf("iam: viewDelete of a %T", doc))
	}
	t.OnCommit(func() { s.view.applyEntity(account, c) })
}

// prepareEntity compiles what the view needs of a user, group or role.
func (s *Service) prepareEntity(t store.Tx, account string, doc any) (*entityChange, error) {
	var (
		c        = &entityChange{}
		arn      string
		perms    *permissions
		boundary string
		tags     []tag
		groups   []string
	)
	switch d := doc.(type) {
	case *user:
		c.kind, c.id = kindUser, d.ID
		arn, perms, boundary, tags, groups = userARN(account, d.Path, d.Name), &d.permissions, d.Boundary, d.Tags, d.Groups
	case *group:
		c.kind, c.id, c.name = kindGroup, d.ID, strings.ToLower(d.Name)
		arn, perms = groupARN(account, d.Path, d.Name), &d.permissions
	case *role:
		c.kind, c.id = kindRole, d.ID
		arn, perms, boundary, tags = roleARN(account, d.Path, d.Name), &d.permissions, d.Boundary, d.Tags
	default:
		panic(fmt.Sprintf("iam: viewSave of a %T", doc))
	}
	if len(tags) > 0 {
		c.tags = make(map[string]string, len(tags))
		for _, tg := range tags {
			c.tags[tg.Key] = tg.Value
		}
	}

	v := s.view
	// What the view already holds of the entity: its inline policies compiled, and the group ids of the names.
	v.mu.Lock()
	var old []viewInline
	if e := v.entity(account, c.kind, c.id); e != nil {
		old = e.inline
	}
	groupIDs := make([]string, len(groups))
	if a := v.accounts[account]; a != nil {
		for i, name := range groups {
			groupIDs[i] = a.groupIDs[name]
		}
	}
	v.mu.Unlock()

	for _, p := range perms.Inline {
		in, err := v.compileInline(old, arn, p)
		if err != nil {
			return nil, err
		}
		c.inline = append(c.inline, in)
	}
	for _, parn := range perms.Attached {
		use, err := s.resolvePolicy(t, account, parn, policy.IdentityPolicy)
		if err != nil {
			return nil, err
		}
		c.attached = append(c.attached, use)
	}
	if boundary != "" {
		use, err := s.resolvePolicy(t, account, boundary, policy.BoundaryPolicy)
		if err != nil {
			return nil, err
		}
		c.boundary = &use
	}
	for i, name := range groups {
		id := groupIDs[i]
		if id == "" {
			// A group the view does not know yet (created in this transaction, or renamed in it): the store does.
			g, _, err := get[group](t, account, kindGroup, name)
			if err != nil {
				return nil, err
			}
			if g == nil {
				return nil, fmt.Errorf("iam: group %s of user %s: not found", name, arn)
			}
			id = g.ID
		}
		c.groups = append(c.groups, id)
	}
	return c, nil
}

// compileInline compiles an inline policy of the entity with the ARN, or reuses its compiled form from old when
// neither the document nor the owner changed.
func (v *view) compileInline(old []viewInline, ownerARN string, p inlinePolicy) (viewInline, error) {
	id := ownerARN + " inline policy " + p.Name
	for _, o := range old {
		if o.text == p.Document && o.compiled.ID == id {
			return o, nil
		}
	}
	c, err := v.compile(p.Document, id, policy.IdentityPolicy)
	if err != nil {
		return viewInline{}, fmt.Errorf("iam: %s: %w", id, err)
	}
	return viewInline{text: p.Document, compiled: c}, nil
}

// resolvePolicy returns the managed policy with the ARN compiled as typ: from the shared cache for an AWS managed
// policy, from the view when the account already uses it so, else from the store through t.
func (s *Service) resolvePolicy(t store.Tx, account, arn string, typ policy.PolicyType) (policyUse, error) {
	if strings.HasPrefix(arn, "arn:aws:iam::aws:") {
		return s.resolveAWSPolicy(arn, typ)
	}
	v := s.view
	v.mu.Lock()
	if a := v.accounts[account]; a != nil {
		if p := a.policies[arn]; p != nil && p.compiled(typ) != nil {
			use := policyUse{arn: arn, version: p.version, compiled: p.compiled(typ)}
			v.mu.Unlock()
			return use, nil
		}
	}
	v.mu.Unlock()
	ref, err := s.findPolicy(t, account, arn)
	if err != nil {
		return policyUse{}, err
	}
	if ref == nil || ref.customer == nil {
		// Attaching and setting a boundary check that the policy exists, and a policy in use cannot be deleted: a
		// missing one is a broken store, and leaving the policy out could widen what a boundary allows.
		return policyUse{}, fmt.Errorf("iam: managed policy %s is in use but not found", arn)
	}
	m := ref.customer
	c, err := v.compile(m.defaultDocument(), arn+" "+m.DefaultVersion, typ)
	if err != nil {
		return policyUse{}, fmt.Errorf("iam: %s %s: %w", arn, m.DefaultVersion, err)
	}
	return policyUse{arn: arn, version: m.DefaultVersion, compiled: c}, nil
}

// resolveAWSPolicy compiles an AWS managed policy once per use type, for every account.
func (s *Service) resolveAWSPolicy(arn string, typ policy.PolicyType) (policyUse, error) {
	if s.managed == nil {
		return policyUse{}, fmt.Errorf("iam: AWS managed policy %s: no catalog", arn)
	}
	p, ok := s.managed.Get(arn)
	if !ok {
		return policyUse{}, fmt.Errorf("iam: AWS managed policy %s is in use but not in the catalog", arn)
	}
	v := s.view
	v.awsMu.Lock()
	defer v.awsMu.Unlock()
	k := awsKey{arn, typ}
	c := v.aws[k]
	if c == nil {
		var err error
		if c, err = v.compile(p.Document, arn+" "+p.DefaultVersionID, typ); err != nil {
			return policyUse{}, fmt.Errorf("iam: %s %s: %w", arn, p.DefaultVersionID, err)
		}
		v.aws[k] = c
	}
	return policyUse{arn: arn, version: p.DefaultVersionID, compiled: c}, nil
}

// prepareVersion compiles the new default version of a customer managed policy for the uses the account makes of
// it; nil when the view has nothing to change (the policy is not in use, or its default version is the same).
func (s *Service) prepareVersion(t store.Tx, account string, m *managedPolicy) (*versionChange, error) {
	arn := policyARN(account, m.Path, m.Name)
	v := s.view
	v.mu.Lock()
	var identity, boundary bool
	if a := v.accounts[account]; a != nil {
		if p := a.policies[arn]; p != nil && p.version != m.DefaultVersion {
			identity, boundary = p.identity != nil, p.boundary != nil
		}
	}
	v.mu.Unlock()
	if !identity && !boundary {
		return nil, nil
	}
	vc := &versionChange{arn: arn, version: m.DefaultVersion}
	id := arn + " " + m.DefaultVersion
	var err error
	if identity {
		if vc.identity, err = v.compile(m.defaultDocument(), id, policy.IdentityPolicy); err != nil {
			return nil, fmt.Errorf("iam: %s: %w", id, err)
		}
	}
	if boundary {
		if vc.boundary, err = v.compile(m.defaultDocument(), id, policy.BoundaryPolicy); err != nil {
			return nil, fmt.Errorf("iam: %s: %w", id, err)
		}
	}
	return vc, nil
}

// compileText parses a stored document and compiles it on its own. Stored documents passed IAM's checks when they
// were written; they are parsed as identity policies, the least strict kind that covers them, so that a document
// stored under older rules still loads.
func compileText(text, id string, typ policy.PolicyType) (*policy.Compiled, error) {
	return policy.CompileText(text, policy.Identity, id, typ)
}

// compile is compileText for a policy the view keeps: its compiler shares what the view's policies have in common.
func (v *view) compile(text, id string, typ policy.PolicyType) (*policy.Compiled, error) {
	return v.compiler.CompileText(text, policy.Identity, id, typ)
}

// entity returns the model's entity, or nil. The caller holds mu.
func (v *view) entity(account, kind, id string) *viewEntity {
	a := v.accounts[account]
	if a == nil {
		return nil
	}
	return a.kind(kind)[id]
}

func (a *viewAccount) kind(kind string) map[string]*viewEntity {
	switch kind {
	case kindUser:
		return a.users
	case kindGroup:
		return a.groups
	}
	return a.roles
}

// applyEntity puts a prepared change into the model, re-assembles the principals it reaches and publishes them.
func (v *view) applyEntity(account string, c *entityChange) {
	v.mu.Lock()
	defer v.mu.Unlock()
	a := v.accounts[account]
	if a == nil {
		a = newViewAccount()
		v.accounts[account] = a
	}
	v.publish(account, a, a.apply(c))
}

// applyVersion puts a new default version of a managed policy into the model and re-assembles its users.
func (v *view) applyVersion(account string, vc *versionChange) {
	v.mu.Lock()
	defer v.mu.Unlock()
	a := v.accounts[account]
	if a == nil {
		return
	}
	p := a.policies[vc.arn]
	if p == nil {
		return
	}
	p.version = vc.version
	if vc.identity != nil {
		p.identity = vc.identity
	}
	if vc.boundary != nil {
		p.boundary = vc.boundary
	}
	v.publish(account, a, principalsOf(p.attached, p.bounded))
}

// principalsOf returns the users and roles among the entities, groups replaced by their members, each once.
func principalsOf(sets ...entitySet) []*viewEntity {
	var out []*viewEntity
	seen := map[*viewEntity]bool{}
	add := func(e *viewEntity) {
		if !seen[e] {
			seen[e] = true
			out = append(out, e)
		}
	}
	for _, set := range sets {
		for _, e := range set {
			if e.kind != kindGroup {
				add(e)
				continue
			}
			for _, m := range e.members {
				add(m)
			}
		}
	}
	return out
}

// entitySet is a set of entities kept as a slice: most managed policies are attached to a few entities and most
// groups have a few members, and a slice costs a fraction of a map's memory. Its order means nothing.
type entitySet []*viewEntity

func (s *entitySet) add(e *viewEntity) {
	if !slices.Contains(*s, e) {
		*s = append(*s, e)
	}
}

func (s *entitySet) remove(e *viewEntity) {
	i := slices.Index(*s, e)
	if i < 0 {
		return
	}
	last := len(*s) - 1
	(*s)[i], (*s)[last] = (*s)[last], nil
	*s = (*s)[:last]
	if last == 0 {
		*s = nil
	}
}

// apply changes the model and returns the principals to re-assemble.
func (a *viewAccount) apply(c *entityChange) []*viewEntity {
	byID := a.kind(c.kind)
	e := byID[c.id]
	if c.deleted {
		if e == nil {
			return nil
		}
		a.setPolicies(e, nil, nil)
		a.setGroups(e, nil)
		delete(byID, c.id)
		if e.kind == kindGroup {
			if a.groupIDs[e.name] == e.id {
				delete(a.groupIDs, e.name)
			}
			members := principalsOf(entitySet{e})
			for _, m := range members {
				m.groups = removeEntity(m.groups, e)
			}
			return append(members, e)
		}
		return []*viewEntity{e}
	}
	if e == nil {
		e = &viewEntity{kind: c.kind, id: c.id}
		byID[c.id] = e
	}
	e.inline, e.tags = c.inline, c.tags
	a.setPolicies(e, c.attached, c.boundary)
	if c.kind == kindUser {
		groups := make([]*viewEntity, 0, len(c.groups))
		for _, id := range c.groups {
			g := a.groups[id]
			if g == nil {
				// The group's own change comes later in the same transaction, or never (it has nothing).
				g = &viewEntity{kind: kindGroup, id: id}
				a.groups[id] = g
			}
			groups = append(groups, g)
		}
		a.setGroups(e, groups)
	}
	if c.kind == kindGroup {
		if e.name != c.name {
			if e.name != "" && a.groupIDs[e.name] == e.id {
				delete(a.groupIDs, e.name)
			}
			e.name = c.name
		}
		a.groupIDs[c.name] = c.id
		return principalsOf(entitySet{e})
	}
	return []*viewEntity{e}
}

// setPolicies replaces e's attached policies and boundary, keeping the managed policies' reverse indexes and
// dropping the policies no one uses any more.
func (a *viewAccount) setPolicies(e *viewEntity, attached []policyUse, boundary *policyUse) {
	old, oldBoundary := e.attached, e.boundary
	e.attached = make([]*viewPolicy, 0, len(attached))
	for _, u := range attached {
		p := a.use(u, policy.IdentityPolicy)
		p.attached.add(e)
		e.attached = append(e.attached, p)
	}
	if len(e.attached) == 0 {
		e.attached = nil
	}
	e.boundary = nil
	if boundary != nil {
		e.boundary = a.use(*boundary, policy.BoundaryPolicy)
		e.boundary.bounded.add(e)
	}
	for _, p := range old {
		if !containsPolicy(e.attached, p) {
			p.attached.remove(e)
			a.dropUnused(p)
		}
	}
	if oldBoundary != nil && oldBoundary != e.boundary {
		oldBoundary.bounded.remove(e)
		a.dropUnused(oldBoundary)
	}
}

// use returns the account's entry for a managed policy, made or completed with u's compiled form.
func (a *viewAccount) use(u policyUse, typ policy.PolicyType) *viewPolicy {
	p := a.policies[u.arn]
	if p == nil {
		p = &viewPolicy{arn: u.arn, version: u.version}
		a.policies[u.arn] = p
	}
	switch {
	case typ == policy.BoundaryPolicy && p.boundary == nil:
		p.boundary = u.compiled
	case typ == policy.IdentityPolicy && p.identity == nil:
		p.identity = u.compiled
	}
	return p
}

func (a *viewAccount) dropUnused(p *viewPolicy) {
	if p.unused() && a.policies[p.arn] == p {
		delete(a.policies, p.arn)
	}
}

func containsPolicy(ps []*viewPolicy, p *viewPolicy) bool {
	for _, q := range ps {
		if q == p {
			return true
		}
	}
	return false
}

// setGroups replaces a user's groups, keeping the groups' member sets.
func (a *viewAccount) setGroups(e *viewEntity, groups []*viewEntity) {
	for _, g := range e.groups {
		g.members.remove(e)
	}
	e.groups = nil
	if len(groups) > 0 {
		e.groups = groups
	}
	for _, g := range e.groups {
		g.members.add(e)
	}
}

func removeEntity(es []*viewEntity, e *viewEntity) []*viewEntity {
	out := es[:0:0]
	for _, x := range es {
		if x != e {
			out = append(out, x)
		}
	}
	return out
}

// assemble returns what a user or role publishes: its policies in order — its inline policies, its attached ones,
// then for a user each group's inline and attached policies, in the order the user joined them, a managed policy
// that comes twice kept once — its boundary and tags; nil when it has none of these.
func (e *viewEntity) assemble() *authz.PrincipalPolicies {
	n := len(e.inline) + len(e.attached)
	for _, g := range e.groups {
		n += len(g.inline) + len(g.attached)
	}
	if n == 0 && e.boundary == nil && len(e.tags) == 0 {
		return nil
	}
	pp := &authz.PrincipalPolicies{Tags: e.tags}
	if e.boundary != nil {
		pp.Boundary = e.boundary.boundary
	}
	if n == 0 {
		return pp
	}
	ids := make([]*policy.Compiled, 0, n)
	add := func(holder *viewEntity) {
		for _, in := range holder.inline {
			ids = append(ids, in.compiled)
		}
		for _, p := range holder.attached {
			if !containsCompiled(ids, p.identity) {
				ids = append(ids, p.identity)
			}
		}
	}
	add(e)
	for _, g := range e.groups {
		add(g)
	}
	pp.Identity = ids
	return pp
}

func containsCompiled(cs []*policy.Compiled, c *policy.Compiled) bool {
	for _, x := range cs {
		if x == c {
			return true
		}
	}
	return false
}

// publish re-assembles the principals and swaps them in for readers. The caller holds mu.
func (v *view) publish(account string, a *viewAccount, principals []*viewEntity) {
	if len(principals) == 0 {
		return
	}
	type entry struct {
		e  *viewEntity
		pp *authz.PrincipalPolicies
		on bool // still in the model: published; else withdrawn
	}
	entries := make([]entry, 0, len(principals))
	for _, e := range principals {
		if e.kind == kindGroup {
			continue
		}
		on := a.kind(e.kind)[e.id] == e
		var pp *authz.PrincipalPolicies
		if on {
			pp = e.assemble()
		}
		entries = append(entries, entry{e, pp, on})
	}
	v.rw.Lock()
	defer v.rw.Unlock()
	out := v.out[account]
	if out == nil {
		out = &published{users: map[string]*authz.PrincipalPolicies{}, roles: map[string]*authz.PrincipalPolicies{}}
		v.out[account] = out
	}
	for _, en := range entries {
		m := out.roles
		if en.e.kind == kindUser {
			m = out.users
		}
		if en.pp == nil {
			delete(m, en.e.id)
		} else {
			m[en.e.id] = en.pp
		}
	}
}

// loadView rebuilds the view of an account from the store: its groups, then its users, then its roles.
func (s *Service) loadView(t store.Tx, account string) error {
	s.view.mu.Lock()
	s.view.accounts[account] = newViewAccount()
	s.view.mu.Unlock()
	s.view.rw.Lock()
	delete(s.view.out, account)
	s.view.rw.Unlock()
	if err := loadEntities[group](s, t, account, kindGroup); err != nil {
		return err
	}
	if err := loadEntities[user](s, t, account, kindUser); err != nil {
		return err
	}
	return loadEntities[role](s, t, account, kindRole)
}

// resetView forgets every account, before Load rebuilds the view.
func (s *Service) resetView() {
	s.view.mu.Lock()
	s.view.accounts = map[string]*viewAccount{}
	s.view.mu.Unlock()
	s.view.rw.Lock()
	s.view.out = map[string]*published{}
	s.view.rw.Unlock()
}

// loadEntities puts the entities of one kind into the view, reading them in batches.
func loadEntities[T any](s *Service, t store.Tx, account, kind string) error {
	const batch = 500
	after := ""
	for {
		recs, err := t.List(scope(account, kind), store.ListQuery{After: after, Limit: batch})
		if err != nil {
			return err
		}
		for _, rec := range recs {
			doc, err := store.Decode[T](rec)
			if err != nil {
				return fmt.Errorf("iam: %w", err)
			}
			c, err := s.prepareEntity(t, account, &doc)
			if err != nil {
				return err
			}
			s.view.applyEntity(account, c)
		}
		if len(recs) < batch {
			return nil
		}
		after = recs[len(recs)-1].ID
	}
}
