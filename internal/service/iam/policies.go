package iam

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sagebox/sagebox/internal/api"
	"github.com/sagebox/sagebox/internal/awserr"
	"github.com/sagebox/sagebox/internal/policy"
	"github.com/sagebox/sagebox/internal/service/iam/managed"
	"github.com/sagebox/sagebox/internal/store"
)

// Managed policies: customer managed ones live in the store as managedPolicy records; AWS managed ones come from the
// catalog and are read-only. Attachment and boundary counts are not stored: they are read from the users', groups'
// and roles' attached and boundary indexes, so that they cannot drift from the attachments themselves.

func (s *Service) registerPolicies(h *api.ServiceHandlers) {
	api.Write(h, "CreatePolicy", s.createPolicy)
	api.Read(h, "GetPolicy", s.getPolicy)
	api.Write(h, "DeletePolicy", s.deletePolicy)
	api.Read(h, "ListPolicies", s.listPolicies)
	api.Write(h, "CreatePolicyVersion", s.createPolicyVersion)
	api.Read(h, "GetPolicyVersion", s.getPolicyVersion)
	api.Write(h, "DeletePolicyVersion", s.deletePolicyVersion)
	api.Read(h, "ListPolicyVersions", s.listPolicyVersions)
	api.Write(h, "SetDefaultPolicyVersion", s.setDefaultPolicyVersion)
	api.Write(h, "TagPolicy", s.tagPolicy)
	api.Write(h, "UntagPolicy", s.untagPolicy)
	api.Read(h, "ListPolicyTags", s.listPolicyTags)
}

// IAM's quotas for managed policies (IAM User Guide, "IAM and AWS STS quotas").
const (
	maxManagedPolicySize = 6144
	maxPolicyVersions    = 5
)

// checkDocument validates text as a policy of kind and checks its size against limit (in IAM's count, which leaves
// whitespace out); tooLarge makes the error for a document over the limit.
func checkDocument(text string, kind policy.Kind, size, limit int, tooLarge func() error) error {
	if _, err := policy.Parse(text, kind); err != nil {
		var pe *policy.Error
		if errors.As(err, &pe) {
			return malformedPolicy(pe.Message)
		}
		return err
	}
	if size > limit {
		return tooLarge()
	}
	return nil
}

// checkManagedDocument validates the document of a customer managed policy version.
func checkManagedDocument(text string) error {
	return checkDocument(text, policy.Managed, policy.Size(text), maxManagedPolicySize, func() error {
		return limitExceeded("PolicySize", maxManagedPolicySize)
	})
}

// policyARNParts is a policy ARN taken apart: arn:aws:iam::OWNER:policy/PATH/NAME.
type policyARNParts struct {
	owner string // the 12-digit account, or "aws" for AWS managed policies
	path  string // "/" or "/a/b/"
	name  string
}

// parsePolicyARN takes a policy ARN apart, or answers InvalidInput as IAM does for an ARN that cannot name a policy:
// "ARN arn:aws:iam::aws:policy/arn:aws:iam::aws:policy/SecurityAudit is not valid."
func parsePolicyARN(arn string) (policyARNParts, error) {
	bad := invalidInput("ARN %s is not valid.", arn)
	rest, ok := strings.CutPrefix(arn, "arn:aws:iam::")
	if !ok {
		return policyARNParts{}, bad
	}
	owner, resource, ok := strings.Cut(rest, ":")
	if !ok || !validOwner(owner) {
		return policyARNParts{}, bad
	}
	pathName, ok := strings.CutPrefix(resource, "policy/")
	if !ok {
		return policyARNParts{}, bad
	}
	i := strings.LastIndexByte(pathName, '/')
	p := policyARNParts{owner: owner, path: "/" + pathName[:i+1], name: pathName[i+1:]}
	if !validPolicyName(p.name) || !validPolicyPath(p.path) {
		return policyARNParts{}, bad
	}
	return p, nil
}

func validOwner(s string) bool {
	if s == "aws" {
		return true
	}
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

// validPolicyName reports whether s matches the model's policyNameType: 1–128 of [\w+=,.@-].
func validPolicyName(s string) bool {
	if len(s) < 1 || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("_+=,.@-", c) >= 0) {
			return false
		}
	}
	return true
}

// validPolicyPath reports whether s matches the model's policyPathType: "/" or segments of [A-Za-z0-9.,+@=_-]
// between slashes, at most 512 characters.
func validPolicyPath(s string) bool {
	if len(s) < 1 || len(s) > 512 || s[0] != '/' || s[len(s)-1] != '/' {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if c == '/' {
			if s[i-1] == '/' {
				return false
			}
			continue
		}
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte(".,+@=_-", c) >= 0) {
			return false
		}
	}
	return true
}

// policyRef is a managed policy as a handler found it: a customer managed one from the store (customer and rec
// set) or an AWS managed one from the catalog (aws set).
type policyRef struct {
	arn      string
	customer *managedPolicy
	rec      *store.Record
	aws      *managed.Policy
}

// findPolicy returns the managed policy with the ARN that the account can see, or nil when there is none. An ARN
// that cannot name a policy is InvalidInput.
func (s *Service) findPolicy(t store.Tx, account, arn string) (*policyRef, error) {
	parts, err := parsePolicyARN(arn)
	if err != nil {
		return nil, err
	}
	switch parts.owner {
	case "aws":
		p, ok := s.managed.Get(arn)
		if !ok {
			return nil, nil
		}
		return &policyRef{arn: arn, aws: p}, nil
	case account:
		p, rec, err := get[managedPolicy](t, account, kindPolicy, parts.name)
		if err != nil || p == nil {
			return nil, err
		}
		// The ARN names the policy exactly: another path, or another case of the name, is another policy.
		if p.Path != parts.path || p.Name != parts.name {
			return nil, nil
		}
		return &policyRef{arn: arn, customer: p, rec: rec}, nil
	}
	// Another account's customer managed policies are not visible here.
	return nil, nil
}

// loadPolicy is findPolicy that answers NoSuchEntity as GetPolicy does for a policy that is not there.
func (s *Service) loadPolicy(t store.Tx, account, arn string) (*policyRef, error) {
	p, err := s.findPolicy(t, account, arn)
	if err != nil {
		return nil, err
	}
	if p == nil {
		return nil, noSuchPolicy(arn)
	}
	return p, nil
}

func noSuchPolicy(arn string) error {
	return noSuchEntity("Policy %s does not exist or is not attachable.", arn)
}

// loadCustomerPolicy is loadPolicy for the operations that change a policy: AWS managed policies belong to AWS's
// account, and no policy of the caller's account can allow changing them.
func (s *Service) loadCustomerPolicy(t store.Tx, c *api.Call, action, arn string) (*policyRef, error) {
	p, err := s.loadPolicy(t, c.Account(), arn)
	if err != nil {
		return nil, err
	}
	if p.aws != nil {
		return nil, &awserr.Error{Kind: awserr.KindAccessDenied, Message: fmt.Sprintf(
			"User: %s is not authorized to perform: iam:%s on resource: policy %s because no resource-based policy allows the iam:%s action",
			c.Principal.ARN, action, arn, action)}
	}
	return p, nil
}

// policyUsage counts the users, groups and roles of the account that have the policy attached, and the users and
// roles that have it as their permissions boundary.
func policyUsage(t store.Tx, account, arn string) (attachments, boundaries int, err error) {
	for _, kind := range []string{kindUser, kindGroup, kindRole} {
		recs, err := t.Find(scope(account, kind), indexAttached, arn)
		if err != nil {
			return 0, 0, err
		}
		attachments += len(recs)
		if kind == kindGroup {
			continue
		}
		if recs, err = t.Find(scope(account, kind), indexBoundary, arn); err != nil {
			return 0, 0, err
		}
		boundaries += len(recs)
	}
	return attachments, boundaries, nil
}

// apiPolicy renders a policy with its usage counts. Description and tags are left to the callers that show them.
func apiPolicy(p *policyRef, attachments, boundaries int) *Policy {
	out := &Policy{
		Arn:                           ptr(p.arn),
		AttachmentCount:               ptr(int32(attachments)),
		PermissionsBoundaryUsageCount: ptr(int32(boundaries)),
	}
	if a := p.aws; a != nil {
		out.PolicyName, out.PolicyId, out.Path = ptr(a.Name), ptr(a.PolicyID), ptr(a.Path)
		out.DefaultVersionId, out.IsAttachable = ptr(a.DefaultVersionID), ptr(a.IsAttachable)
		out.CreateDate, out.UpdateDate = ptr(a.CreateDate), ptr(a.UpdateDate)
		return out
	}
	m := p.customer
	out.PolicyName, out.PolicyId, out.Path = ptr(m.Name), ptr(m.ID), ptr(m.Path)
	out.DefaultVersionId, out.IsAttachable = ptr(m.DefaultVersion), ptr(true)
	out.CreateDate, out.UpdateDate = ptr(m.Created), ptr(m.updateDate())
	return out
}

// updateDate is when the newest version that still exists was created (the API Reference: "When a policy has more
// than one version, this field contains the date and time when the most recent policy version was created").
func (p *managedPolicy) updateDate() time.Time {
	d := p.Created
	for _, v := range p.Versions {
		if v.Created.After(d) {
			d = v.Created
		}
	}
	return d
}

func (p *managedPolicy) version(id string) *policyVersion {
	for i := range p.Versions {
		if p.Versions[i].ID == id {
			return &p.Versions[i]
		}
	}
	return nil
}

// defaultDocument returns the document of the policy's default version.
func (p *managedPolicy) defaultDocument() string {
	if v := p.version(p.DefaultVersion); v != nil {
		return v.Document
	}
	return ""
}

func (s *Service) createPolicy(ctx context.Context, c *api.Call, in *CreatePolicyInput) (*CreatePolicyOutput, error) {
	path := pathOr(in.Path)
	arn := policyARN(c.Account(), path, in.PolicyName)
	if err := c.Authorize(ctx, api.Authorization{Action: "iam:CreatePolicy", Resources: []string{arn}, Context: requestTags(in.Tags)}); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	if err := checkManagedDocument(in.PolicyDocument); err != nil {
		return nil, err
	}
	tags, err := mergeTags(nil, in.Tags, "TagsPerPolicy")
	if err != nil {
		return nil, err
	}
	p := &managedPolicy{
		Name:           in.PolicyName,
		ID:             s.ids.IAM("ANPA"),
		Path:           path,
		Created:        now(c),
		Updated:        now(c),
		DefaultVersion: "v1",
		Versions:       []policyVersion{{ID: "v1", Document: in.PolicyDocument, Created: now(c)}},
		NextVersion:    2,
		Tags:           tags,
	}
	if in.Description != nil {
		p.Description = *in.Description
	}
	if err := save(t, c.Account(), kindPolicy, p.Name, p, p.indexes(), nil); err != nil {
		if isExists(err) {
			return nil, entityAlreadyExists("A policy called %s already exists. Duplicate names are not allowed.", in.PolicyName)
		}
		return nil, err
	}
	out := apiPolicy(&policyRef{arn: arn, customer: p}, 0, 0)
	if p.Description != "" {
		out.Description = ptr(p.Description)
	}
	out.Tags = apiTags(p.Tags)
	return &CreatePolicyOutput{Policy: out}, nil
}

func (s *Service) getPolicy(ctx context.Context, c *api.Call, in *GetPolicyInput) (*GetPolicyOutput, error) {
	if err := authorize(ctx, c, "GetPolicy", in.PolicyArn); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	p, err := s.loadPolicy(t, c.Account(), in.PolicyArn)
	if err != nil {
		return nil, err
	}
	attachments, boundaries, err := policyUsage(t, c.Account(), p.arn)
	if err != nil {
		return nil, err
	}
	out := apiPolicy(p, attachments, boundaries)
	if p.customer != nil {
		if p.customer.Description != "" {
			out.Description = ptr(p.customer.Description)
		}
		out.Tags = apiTags(p.customer.Tags)
	} else if p.aws.Description != "" {
		out.Description = ptr(p.aws.Description)
	}
	return &GetPolicyOutput{Policy: out}, nil
}

func (s *Service) deletePolicy(ctx context.Context, c *api.Call, in *DeletePolicyInput) (*DeletePolicyOutput, error) {
	if err := authorize(ctx, c, "DeletePolicy", in.PolicyArn); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	p, err := s.loadCustomerPolicy(t, c, "DeletePolicy", in.PolicyArn)
	if err != nil {
		return nil, err
	}
	attachments, boundaries, err := policyUsage(t, c.Account(), p.arn)
	if err != nil {
		return nil, err
	}
	// A policy used only as a permissions boundary is "attached" too: AWS refuses with the same text.
	if attachments > 0 || boundaries > 0 {
		return nil, deleteConflict("Cannot delete a policy attached to entities.")
	}
	if len(p.customer.Versions) > 1 {
		return nil, deleteConflict("This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.")
	}
	return &DeletePolicyOutput{}, t.Delete(p.rec.Key)
}

// Policy listing. ListPolicies with Scope All merges the catalog and the store in one order: by lower-case name,
// a customer managed policy before an AWS managed one of the same name. The marker is the last policy returned,
// as "name\x00source", so that the next page resumes in either list.
const (
	sourceLocal = "0"
	sourceAWS   = "1"
)

// usageFilter decides which policies ListPolicies keeps: with neither OnlyAttached nor PolicyUsageFilter, all of
// them; otherwise those used in the way the filter names (attached as permissions, the default; or as a
// permissions boundary).
type usageFilter struct {
	active   bool
	boundary bool
}

func newUsageFilter(onlyAttached *bool, usage *string) usageFilter {
	f := usageFilter{active: onlyAttached != nil && *onlyAttached}
	if usage != nil {
		f.active = true
		f.boundary = *usage == "PermissionsBoundary"
	}
	return f
}

func (f usageFilter) keep(attachments, boundaries int) bool {
	if !f.active {
		return true
	}
	if f.boundary {
		return boundaries > 0
	}
	return attachments > 0
}

func (s *Service) listPolicies(ctx context.Context, c *api.Call, in *ListPoliciesInput) (*ListPoliciesOutput, error) {
	if err := authorize(ctx, c, "ListPolicies", listResource(policyARN, c.Account(), in.PathPrefix)); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	after, err := decodeMarker(in.Marker)
	if err != nil {
		return nil, err
	}
	afterName, afterSource, _ := strings.Cut(after, "\x00")
	scopeName := "All"
	if in.Scope != nil {
		scopeName = *in.Scope
	}
	filter := newUsageFilter(in.OnlyAttached, in.PolicyUsageFilter)
	max := maxItems(in.MaxItems)

	// The AWS managed policies after the marker that the filters keep, in the merge order.
	var catalog []*managed.Policy
	if scopeName != "Local" {
		for _, p := range s.managed.All() {
			lower := strings.ToLower(p.Name)
			if after != "" && (lower < afterName || lower == afterName && afterSource == sourceAWS) {
				continue
			}
			if hasPathPrefix(in.PathPrefix, p.Path) {
				catalog = append(catalog, p)
			}
		}
		slices.SortFunc(catalog, func(a, b *managed.Policy) int {
			return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
		})
	}
	var local *recordCursor
	if scopeName != "AWS" {
		local = &recordCursor{t: t, sc: scope(c.Account(), kindPolicy), after: afterName, batch: max + 1}
	}

	var out []*Policy
	var lastKey string
	for {
		// Take whichever list comes first in the merge order.
		var rec *store.Record
		if local != nil {
			if rec, err = local.peek(); err != nil {
				return nil, err
			}
		}
		var ref *policyRef
		var key string
		switch {
		case rec != nil && (len(catalog) == 0 || rec.ID <= strings.ToLower(catalog[0].Name)):
			local.next()
			p, err := store.Decode[managedPolicy](rec)
			if err != nil {
				return nil, err
			}
			if !hasPathPrefix(in.PathPrefix, p.Path) {
				continue
			}
			ref = &policyRef{arn: policyARN(c.Account(), p.Path, p.Name), customer: &p}
			key = rec.ID + "\x00" + sourceLocal
		case len(catalog) > 0:
			ref = &policyRef{arn: catalog[0].ARN, aws: catalog[0]}
			key = strings.ToLower(catalog[0].Name) + "\x00" + sourceAWS
			catalog = catalog[1:]
		default:
			return &ListPoliciesOutput{Policies: emptyIfNil(out), IsTruncated: ptr(false)}, nil
		}
		attachments, boundaries, err := policyUsage(t, c.Account(), ref.arn)
		if err != nil {
			return nil, err
		}
		if !filter.keep(attachments, boundaries) {
			continue
		}
		if len(out) == max {
			return &ListPoliciesOutput{Policies: out, IsTruncated: ptr(true), Marker: encodeMarker(lastKey)}, nil
		}
		out = append(out, apiPolicy(ref, attachments, boundaries))
		lastKey = key
	}
}

// recordCursor walks the records of a scope in id order, reading them in batches.
type recordCursor struct {
	t     store.Tx
	sc    store.Scope
	after string
	batch int
	buf   []*store.Record
	done  bool
}

// peek returns the next record without consuming it, or nil at the end.
func (r *recordCursor) peek() (*store.Record, error) {
	if len(r.buf) == 0 && !r.done {
		recs, err := r.t.List(r.sc, store.ListQuery{After: r.after, Limit: r.batch})
		if err != nil {
			return nil, err
		}
		r.buf = recs
		r.done = len(recs) < r.batch
		if len(recs) > 0 {
			r.after = recs[len(recs)-1].ID
		}
	}
	if len(r.buf) == 0 {
		return nil, nil
	}
	return r.buf[0], nil
}

func (r *recordCursor) next() { r.buf = r.buf[1:] }

// emptyIfNil makes a list member present and empty rather than absent, as IAM answers an empty list.
func emptyIfNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func (s *Service) createPolicyVersion(ctx context.Context, c *api.Call, in *CreatePolicyVersionInput) (*CreatePolicyVersionOutput, error) {
	if err := authorize(ctx, c, "CreatePolicyVersion", in.PolicyArn); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	p, err := s.loadCustomerPolicy(t, c, "CreatePolicyVersion", in.PolicyArn)
	if err != nil {
		return nil, err
	}
	if err := checkManagedDocument(in.PolicyDocument); err != nil {
		return nil, err
	}
	m := p.customer
	if len(m.Versions) >= maxPolicyVersions {
		return nil, awserr.New("LimitExceeded", "A managed policy can have up to %d versions. Before you create a new version, you must delete an existing version.", maxPolicyVersions)
	}
	v := policyVersion{ID: "v" + strconv.Itoa(m.NextVersion), Document: in.PolicyDocument, Created: now(c)}
	m.NextVersion++
	m.Versions = append(m.Versions, v)
	m.Updated = now(c)
	isDefault := in.SetAsDefault != nil && *in.SetAsDefault
	if isDefault {
		m.DefaultVersion = v.ID
	}
	if err := save(t, c.Account(), kindPolicy, m.Name, m, m.indexes(), p.rec); err != nil {
		return nil, err
	}
	if err := s.viewSave(t, c.Account(), m); err != nil {
		return nil, err
	}
	return &CreatePolicyVersionOutput{PolicyVersion: &PolicyVersion{
		VersionId: ptr(v.ID), IsDefaultVersion: ptr(isDefault), CreateDate: ptr(v.Created),
	}}, nil
}

// noSuchVersion is IAM's answer for a version that the policy does not have.
func noSuchVersion(arn, id string) error {
	return noSuchEntity("Policy %s version %s does not exist or is not attachable.", arn, id)
}

func (s *Service) getPolicyVersion(ctx context.Context, c *api.Call, in *GetPolicyVersionInput) (*GetPolicyVersionOutput, error) {
	if err := authorize(ctx, c, "GetPolicyVersion", in.PolicyArn); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	p, err := s.loadPolicy(t, c.Account(), in.PolicyArn)
	if err != nil {
		return nil, err
	}
	if a := p.aws; a != nil {
		// The catalog carries the default version only.
		if in.VersionId != a.DefaultVersionID {
			return nil, noSuchVersion(p.arn, in.VersionId)
		}
		return &GetPolicyVersionOutput{PolicyVersion: &PolicyVersion{
			Document: ptr(encodeDocument(a.Document)), VersionId: ptr(a.DefaultVersionID),
			IsDefaultVersion: ptr(true), CreateDate: ptr(a.UpdateDate),
		}}, nil
	}
	v := p.customer.version(in.VersionId)
	if v == nil {
		return nil, noSuchVersion(p.arn, in.VersionId)
	}
	return &GetPolicyVersionOutput{PolicyVersion: &PolicyVersion{
		Document: ptr(encodeDocument(v.Document)), VersionId: ptr(v.ID),
		IsDefaultVersion: ptr(v.ID == p.customer.DefaultVersion), CreateDate: ptr(v.Created),
	}}, nil
}

func (s *Service) deletePolicyVersion(ctx context.Context, c *api.Call, in *DeletePolicyVersionInput) (*DeletePolicyVersionOutput, error) {
	if err := authorize(ctx, c, "DeletePolicyVersion", in.PolicyArn); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	p, err := s.loadCustomerPolicy(t, c, "DeletePolicyVersion", in.PolicyArn)
	if err != nil {
		return nil, err
	}
	m := p.customer
	if m.version(in.VersionId) == nil {
		return nil, noSuchVersion(p.arn, in.VersionId)
	}
	if in.VersionId == m.DefaultVersion {
		return nil, deleteConflict("Cannot delete the default version of a policy.")
	}
	m.Versions = slices.DeleteFunc(m.Versions, func(v policyVersion) bool { return v.ID == in.VersionId })
	return &DeletePolicyVersionOutput{}, save(t, c.Account(), kindPolicy, m.Name, m, m.indexes(), p.rec)
}

func (s *Service) listPolicyVersions(ctx context.Context, c *api.Call, in *ListPolicyVersionsInput) (*ListPolicyVersionsOutput, error) {
	if err := authorize(ctx, c, "ListPolicyVersions", in.PolicyArn); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	p, err := s.loadPolicy(t, c.Account(), in.PolicyArn)
	if err != nil {
		return nil, err
	}
	// IAM lists the newest version first.
	var versions []*PolicyVersion
	if a := p.aws; a != nil {
		versions = []*PolicyVersion{{VersionId: ptr(a.DefaultVersionID), IsDefaultVersion: ptr(true), CreateDate: ptr(a.UpdateDate)}}
	} else {
		for i := len(p.customer.Versions) - 1; i >= 0; i-- {
			v := p.customer.Versions[i]
			versions = append(versions, &PolicyVersion{
				VersionId: ptr(v.ID), IsDefaultVersion: ptr(v.ID == p.customer.DefaultVersion), CreateDate: ptr(v.Created),
			})
		}
	}
	page, next, err := pageSlice(versions, in.Marker, in.MaxItems, func(v *PolicyVersion) string { return *v.VersionId })
	if err != nil {
		return nil, err
	}
	return &ListPolicyVersionsOutput{Versions: page, IsTruncated: ptr(next != nil), Marker: next}, nil
}

// pageSlice pages a list held in memory: the marker is the key of the last item returned. A marker whose item is
// gone (deleted between pages) is answered as IAM answers a marker it did not issue.
func pageSlice[T any](items []T, marker *string, max *int32, key func(T) string) (page []T, next *string, err error) {
	start := 0
	if marker != nil {
		after, err := decodeMarker(marker)
		if err != nil {
			return nil, nil, err
		}
		start = -1
		for i, it := range items {
			if key(it) == after {
				start = i + 1
				break
			}
		}
		if start < 0 {
			return nil, nil, invalidInput("Invalid Marker.")
		}
	}
	end := min(len(items), start+maxItems(max))
	page = emptyIfNil(items[start:end])
	if end < len(items) {
		return page, encodeMarker(key(items[end-1])), nil
	}
	return page, nil, nil
}

func (s *Service) setDefaultPolicyVersion(ctx context.Context, c *api.Call, in *SetDefaultPolicyVersionInput) (*SetDefaultPolicyVersionOutput, error) {
	if err := authorize(ctx, c, "SetDefaultPolicyVersion", in.PolicyArn); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	p, err := s.loadCustomerPolicy(t, c, "SetDefaultPolicyVersion", in.PolicyArn)
	if err != nil {
		return nil, err
	}
	m := p.customer
	if m.version(in.VersionId) == nil {
		return nil, noSuchVersion(p.arn, in.VersionId)
	}
	m.DefaultVersion = in.VersionId
	if err := save(t, c.Account(), kindPolicy, m.Name, m, m.indexes(), p.rec); err != nil {
		return nil, err
	}
	return &SetDefaultPolicyVersionOutput{}, s.viewSave(t, c.Account(), m)
}

func (s *Service) tagPolicy(ctx context.Context, c *api.Call, in *TagPolicyInput) (*TagPolicyOutput, error) {
	err := s.updatePolicyTags(ctx, c, "TagPolicy", in.PolicyArn, requestTags(in.Tags), func(p *managedPolicy) error {
		tags, err := mergeTags(p.Tags, in.Tags, "TagsPerPolicy")
		p.Tags = tags
		return err
	})
	return &TagPolicyOutput{}, err
}

func (s *Service) untagPolicy(ctx context.Context, c *api.Call, in *UntagPolicyInput) (*UntagPolicyOutput, error) {
	err := s.updatePolicyTags(ctx, c, "UntagPolicy", in.PolicyArn, tagKeysContext(in.TagKeys), func(p *managedPolicy) error {
		p.Tags = removeTags(p.Tags, in.TagKeys)
		return nil
	})
	return &UntagPolicyOutput{}, err
}

func (s *Service) updatePolicyTags(ctx context.Context, c *api.Call, action, arn string, keys map[string][]string, change func(*managedPolicy) error) error {
	if err := c.Authorize(ctx, api.Authorization{Action: "iam:" + action, Resources: []string{arn}, Context: keys}); err != nil {
		return err
	}
	t, err := c.Tx()
	if err != nil {
		return err
	}
	p, err := s.loadCustomerPolicy(t, c, action, arn)
	if err != nil {
		return err
	}
	if err := change(p.customer); err != nil {
		return err
	}
	return save(t, c.Account(), kindPolicy, p.customer.Name, p.customer, p.customer.indexes(), p.rec)
}

func (s *Service) listPolicyTags(ctx context.Context, c *api.Call, in *ListPolicyTagsInput) (*ListPolicyTagsOutput, error) {
	if err := authorize(ctx, c, "ListPolicyTags", in.PolicyArn); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	p, err := s.loadPolicy(t, c.Account(), in.PolicyArn)
	if err != nil {
		return nil, err
	}
	var stored []tag
	if p.customer != nil {
		stored = p.customer.Tags
	}
	tags, truncated, next := pageTags(stored, in.Marker, in.MaxItems)
	return &ListPolicyTagsOutput{Tags: tags, IsTruncated: ptr(truncated), Marker: next}, nil
}
