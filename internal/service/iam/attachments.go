package iam

import (
	"context"
	"slices"
	"strings"

	"github.com/sagebox/sagebox/internal/api"
	"github.com/sagebox/sagebox/internal/awserr"
	"github.com/sagebox/sagebox/internal/store"
)

func (s *Service) registerAttachments(h *api.ServiceHandlers) {
	api.Write(h, "AttachUserPolicy", func(ctx context.Context, c *api.Call, in *AttachUserPolicyInput) (*AttachUserPolicyOutput, error) {
		return &AttachUserPolicyOutput{}, s.attach(ctx, c, "AttachUserPolicy", kindUser, in.UserName, in.PolicyArn)
	})
	api.Write(h, "AttachGroupPolicy", func(ctx context.Context, c *api.Call, in *AttachGroupPolicyInput) (*AttachGroupPolicyOutput, error) {
		return &AttachGroupPolicyOutput{}, s.attach(ctx, c, "AttachGroupPolicy", kindGroup, in.GroupName, in.PolicyArn)
	})
	api.Write(h, "AttachRolePolicy", func(ctx context.Context, c *api.Call, in *AttachRolePolicyInput) (*AttachRolePolicyOutput, error) {
		return &AttachRolePolicyOutput{}, s.attach(ctx, c, "AttachRolePolicy", kindRole, in.RoleName, in.PolicyArn)
	})
	api.Write(h, "DetachUserPolicy", func(ctx context.Context, c *api.Call, in *DetachUserPolicyInput) (*DetachUserPolicyOutput, error) {
		return &DetachUserPolicyOutput{}, s.detach(ctx, c, "DetachUserPolicy", kindUser, in.UserName, in.PolicyArn)
	})
	api.Write(h, "DetachGroupPolicy", func(ctx context.Context, c *api.Call, in *DetachGroupPolicyInput) (*DetachGroupPolicyOutput, error) {
		return &DetachGroupPolicyOutput{}, s.detach(ctx, c, "DetachGroupPolicy", kindGroup, in.GroupName, in.PolicyArn)
	})
	api.Write(h, "DetachRolePolicy", func(ctx context.Context, c *api.Call, in *DetachRolePolicyInput) (*DetachRolePolicyOutput, error) {
		return &DetachRolePolicyOutput{}, s.detach(ctx, c, "DetachRolePolicy", kindRole, in.RoleName, in.PolicyArn)
	})
	api.Read(h, "ListAttachedUserPolicies", func(ctx context.Context, c *api.Call, in *ListAttachedUserPoliciesInput) (*ListAttachedUserPoliciesOutput, error) {
		page, next, err := s.listAttached(ctx, c, "ListAttachedUserPolicies", kindUser, in.UserName, in.PathPrefix, in.Marker, in.MaxItems)
		return &ListAttachedUserPoliciesOutput{AttachedPolicies: page, IsTruncated: ptr(next != nil), Marker: next}, err
	})
	api.Read(h, "ListAttachedGroupPolicies", func(ctx context.Context, c *api.Call, in *ListAttachedGroupPoliciesInput) (*ListAttachedGroupPoliciesOutput, error) {
		page, next, err := s.listAttached(ctx, c, "ListAttachedGroupPolicies", kindGroup, in.GroupName, in.PathPrefix, in.Marker, in.MaxItems)
		return &ListAttachedGroupPoliciesOutput{AttachedPolicies: page, IsTruncated: ptr(next != nil), Marker: next}, err
	})
	api.Read(h, "ListAttachedRolePolicies", func(ctx context.Context, c *api.Call, in *ListAttachedRolePoliciesInput) (*ListAttachedRolePoliciesOutput, error) {
		page, next, err := s.listAttached(ctx, c, "ListAttachedRolePolicies", kindRole, in.RoleName, in.PathPrefix, in.Marker, in.MaxItems)
		return &ListAttachedRolePoliciesOutput{AttachedPolicies: page, IsTruncated: ptr(next != nil), Marker: next}, err
	})
	api.Read(h, "ListEntitiesForPolicy", s.listEntitiesForPolicy)
}

// holder is a user, group or role: what managed policies are attached to and inline policies embedded in. The
// handlers of this file, inline.go and boundaries.go work on all three through it.
type holder struct {
	kind string
	name string // as stored
	id   string
	path string
	arn  string
	// perms points into the entity, boundary too (nil for groups, which have none).
	perms    *permissions
	boundary *string
	// serviceLinked is set for a service-linked role, which only its service may change.
	serviceLinked bool
	doc           any
	indexes       func() []store.Index
	rec           *store.Record
}

// nounOf is how IAM's messages name the kind: "user", "group", "role".
func nounOf(kind string) string {
	switch kind {
	case kindUser:
		return "user"
	case kindGroup:
		return "group"
	}
	return "role"
}

func entityARN(account, kind, path, name string) string {
	switch kind {
	case kindUser:
		return userARN(account, path, name)
	case kindGroup:
		return groupARN(account, path, name)
	}
	return roleARN(account, path, name)
}

// readHolder reads the named user, group or role; nil when there is none.
func readHolder(t store.Tx, account, kind, name string) (*holder, error) {
	h := &holder{kind: kind}
	switch kind {
	case kindUser:
		u, rec, err := get[user](t, account, kind, name)
		if err != nil || u == nil {
			return nil, err
		}
		h.name, h.id, h.path, h.perms, h.boundary = u.Name, u.ID, u.Path, &u.permissions, &u.Boundary
		h.doc, h.indexes, h.rec = u, u.indexes, rec
	case kindGroup:
		g, rec, err := get[group](t, account, kind, name)
		if err != nil || g == nil {
			return nil, err
		}
		h.name, h.id, h.path, h.perms = g.Name, g.ID, g.Path, &g.permissions
		h.doc, h.indexes, h.rec = g, g.indexes, rec
	default:
		r, rec, err := get[role](t, account, kind, name)
		if err != nil || r == nil {
			return nil, err
		}
		h.name, h.id, h.path, h.perms, h.boundary = r.Name, r.ID, r.Path, &r.permissions, &r.Boundary
		h.serviceLinked = r.ServiceLinked != ""
		h.doc, h.indexes, h.rec = r, r.indexes, rec
	}
	h.arn = entityARN(account, kind, h.path, h.name)
	return h, nil
}

// saveHolder writes the entity, and has the authorization view follow it when the transaction commits.
func (s *Service) saveHolder(t store.Tx, account string, h *holder) error {
	if err := save(t, account, h.kind, h.name, h.doc, h.indexes(), h.rec); err != nil {
		return err
	}
	return s.viewSave(t, account, h.doc)
}

// currentBoundary is the entity's permissions boundary, or "" when it has none.
func (h *holder) currentBoundary() string {
	if h.boundary == nil {
		return ""
	}
	return *h.boundary
}

// openHolder is how every handler on a user, group or role begins: it reads the entity to learn its ARN,
// authorizes action on it (on the default path's ARN when the entity does not exist) with the condition keys IAM
// supplies, and only then answers NoSuchEntity. keys are the action's own condition keys; iam:PermissionsBoundary
// (the entity's boundary) is added for the actions on users and roles that the Service Authorization Reference
// lists it for (takesBoundaryKey).
func openHolder(ctx context.Context, c *api.Call, action, kind, name string, keys map[string][]string) (store.Tx, *holder, error) {
	t, err := c.Tx()
	if err != nil {
		return nil, nil, err
	}
	h, err := readHolder(t, c.Account(), kind, name)
	if err != nil {
		return nil, nil, err
	}
	resource := entityARN(c.Account(), kind, defaultPath, name)
	if h != nil {
		resource = h.arn
		if b := h.currentBoundary(); b != "" && takesBoundaryKey(action) {
			if keys == nil {
				keys = map[string][]string{}
			}
			if _, set := keys["iam:PermissionsBoundary"]; !set {
				keys["iam:PermissionsBoundary"] = []string{b}
			}
		}
	}
	a := api.Authorization{Action: "iam:" + action, Resources: []string{resource}, Context: keys}
	if err := c.Authorize(ctx, a); err != nil {
		return nil, nil, err
	}
	if h == nil {
		return nil, nil, noSuchEntity("The %s with name %s cannot be found.", nounOf(kind), name)
	}
	return t, h, nil
}

// checkModifiable refuses to change a service-linked role, which belongs to its service.
func (h *holder) checkModifiable() error {
	if h.serviceLinked {
		return awserr.New("UnmodifiableEntity", "Cannot perform the operation on the protected role '%s' - this role is only modifiable by AWS", h.name)
	}
	return nil
}

// maxAttachedPolicies is IAM's default quota of managed policies per user, group and role. AWS lets an account raise
// it to 20; sagebox keeps the default.
const maxAttachedPolicies = 10

// attachedQuota names the quota as IAM's LimitExceeded message does: "Cannot exceed quota for PoliciesPerRole: 10".
func attachedQuota(kind string) string {
	switch kind {
	case kindUser:
		return "PoliciesPerUser"
	case kindGroup:
		return "PoliciesPerGroup"
	}
	return "PoliciesPerRole"
}

func (s *Service) attach(ctx context.Context, c *api.Call, action, kind, name, arn string) error {
	t, h, err := openHolder(ctx, c, action, kind, name, map[string][]string{"iam:PolicyARN": {arn}})
	if err != nil {
		return err
	}
	if err := h.checkModifiable(); err != nil {
		return err
	}
	p, err := s.findPolicy(t, c.Account(), arn)
	if err != nil {
		return err
	}
	if p == nil {
		return noSuchPolicy(arn)
	}
	// Policies for service-linked roles can be attached to those roles only, which their service creates.
	if p.aws != nil && p.aws.Path == "/aws-service-role/" && kind == kindRole {
		return awserr.New("PolicyNotAttachable", "Cannot attach a Service Role Policy to a Customer Role.")
	}
	if slices.Contains(h.perms.Attached, arn) {
		return nil
	}
	if len(h.perms.Attached) >= maxAttachedPolicies {
		return limitExceeded(attachedQuota(kind), maxAttachedPolicies)
	}
	h.perms.Attached = append(h.perms.Attached, arn)
	return s.saveHolder(t, c.Account(), h)
}

func (s *Service) detach(ctx context.Context, c *api.Call, action, kind, name, arn string) error {
	t, h, err := openHolder(ctx, c, action, kind, name, map[string][]string{"iam:PolicyARN": {arn}})
	if err != nil {
		return err
	}
	if err := h.checkModifiable(); err != nil {
		return err
	}
	if _, err := parsePolicyARN(arn); err != nil {
		return err
	}
	i := slices.Index(h.perms.Attached, arn)
	if i < 0 {
		return noSuchEntity("Policy %s was not found.", arn)
	}
	h.perms.Attached = slices.Delete(h.perms.Attached, i, i+1)
	return s.saveHolder(t, c.Account(), h)
}

func (s *Service) listAttached(ctx context.Context, c *api.Call, action, kind, name string, pathPrefix, marker *string, max *int32) ([]*AttachedPolicy, *string, error) {
	_, h, err := openHolder(ctx, c, action, kind, name, nil)
	if err != nil {
		return nil, nil, err
	}
	var all []*AttachedPolicy
	for _, arn := range h.perms.Attached {
		parts, err := parsePolicyARN(arn)
		if err != nil {
			return nil, nil, awserr.Internal(err)
		}
		if hasPathPrefix(pathPrefix, parts.path) {
			all = append(all, &AttachedPolicy{PolicyName: ptr(parts.name), PolicyArn: ptr(arn)})
		}
	}
	return pageSlice(all, marker, max, func(p *AttachedPolicy) string { return *p.PolicyArn })
}

// entityRef is one user, group or role that uses a policy, in ListEntitiesForPolicy's order: groups, then users,
// then roles, each by name.
type entityRef struct {
	kind, id, name, key string
}

func (s *Service) listEntitiesForPolicy(ctx context.Context, c *api.Call, in *ListEntitiesForPolicyInput) (*ListEntitiesForPolicyOutput, error) {
	if err := authorize(ctx, c, "ListEntitiesForPolicy", in.PolicyArn); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	if _, err := s.loadPolicy(t, c.Account(), in.PolicyArn); err != nil {
		return nil, err
	}
	wantKind := map[string]bool{kindGroup: true, kindUser: true, kindRole: true}
	if in.EntityFilter != nil {
		// LocalManagedPolicy and AWSManagedPolicy name no entity that a policy can be attached to.
		wantKind = map[string]bool{
			kindGroup: *in.EntityFilter == "Group", kindUser: *in.EntityFilter == "User", kindRole: *in.EntityFilter == "Role",
		}
	}
	var indexes []string
	if in.PolicyUsageFilter == nil || *in.PolicyUsageFilter == "PermissionsPolicy" {
		indexes = append(indexes, indexAttached)
	}
	if in.PolicyUsageFilter == nil || *in.PolicyUsageFilter == "PermissionsBoundary" {
		indexes = append(indexes, indexBoundary)
	}
	var all []entityRef
	for order, kind := range []string{kindGroup, kindUser, kindRole} {
		if !wantKind[kind] {
			continue
		}
		seen := map[string]bool{}
		var refs []entityRef
		for _, ix := range indexes {
			if ix == indexBoundary && kind == kindGroup {
				continue
			}
			recs, err := t.Find(scope(c.Account(), kind), ix, in.PolicyArn)
			if err != nil {
				return nil, err
			}
			for _, rec := range recs {
				if seen[rec.ID] {
					continue
				}
				seen[rec.ID] = true
				h, err := decodeEntity(rec, kind)
				if err != nil {
					return nil, err
				}
				if hasPathPrefix(in.PathPrefix, h.path) {
					refs = append(refs, entityRef{kind: kind, id: h.id, name: h.name, key: string(rune('0'+order)) + rec.ID})
				}
			}
		}
		slices.SortFunc(refs, func(a, b entityRef) int { return strings.Compare(a.key, b.key) })
		all = append(all, refs...)
	}
	page, next, err := pageSlice(all, in.Marker, in.MaxItems, func(e entityRef) string { return e.key })
	if err != nil {
		return nil, err
	}
	out := &ListEntitiesForPolicyOutput{
		PolicyGroups: []*PolicyGroup{}, PolicyUsers: []*PolicyUser{}, PolicyRoles: []*PolicyRole{},
		IsTruncated: ptr(next != nil), Marker: next,
	}
	for _, e := range page {
		switch e.kind {
		case kindGroup:
			out.PolicyGroups = append(out.PolicyGroups, &PolicyGroup{GroupName: ptr(e.name), GroupId: ptr(e.id)})
		case kindUser:
			out.PolicyUsers = append(out.PolicyUsers, &PolicyUser{UserName: ptr(e.name), UserId: ptr(e.id)})
		default:
			out.PolicyRoles = append(out.PolicyRoles, &PolicyRole{RoleName: ptr(e.name), RoleId: ptr(e.id)})
		}
	}
	return out, nil
}

// decodeEntity reads the name, id and path of a user, group or role record.
func decodeEntity(rec *store.Record, kind string) (*holder, error) {
	// The three documents share these members' JSON names, so one shape reads them all.
	e, err := store.Decode[struct {
		Name string `json:"name"`
		ID   string `json:"id"`
		Path string `json:"path"`
	}](rec)
	if err != nil {
		return nil, err
	}
	return &holder{kind: kind, name: e.Name, id: e.ID, path: e.Path}, nil
}
