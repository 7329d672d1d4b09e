package iam

import (
	"context"
	"slices"
	"strings"

	"github.com/sagebox/sagebox/internal/api"
	"github.com/sagebox/sagebox/internal/awserr"
	"github.com/sagebox/sagebox/internal/policy"
)

// Inline policies are embedded in their user, group or role, sorted by name. IAM limits the aggregate size of an
// entity's inline policies, not each one (IAM User Guide, "IAM and AWS STS quotas": "the total aggregate policy size
// (the sum size of all inline policies) per entity cannot exceed" 2,048 characters for a user, 5,120 for a group and
// 10,240 for a role, whitespace not counted).

func (s *Service) registerInlinePolicies(h *api.ServiceHandlers) {
	api.Write(h, "PutUserPolicy", func(ctx context.Context, c *api.Call, in *PutUserPolicyInput) (*PutUserPolicyOutput, error) {
		return &PutUserPolicyOutput{}, s.putInline(ctx, c, "PutUserPolicy", kindUser, in.UserName, in.PolicyName, in.PolicyDocument)
	})
	api.Write(h, "PutGroupPolicy", func(ctx context.Context, c *api.Call, in *PutGroupPolicyInput) (*PutGroupPolicyOutput, error) {
		return &PutGroupPolicyOutput{}, s.putInline(ctx, c, "PutGroupPolicy", kindGroup, in.GroupName, in.PolicyName, in.PolicyDocument)
	})
	api.Write(h, "PutRolePolicy", func(ctx context.Context, c *api.Call, in *PutRolePolicyInput) (*PutRolePolicyOutput, error) {
		return &PutRolePolicyOutput{}, s.putInline(ctx, c, "PutRolePolicy", kindRole, in.RoleName, in.PolicyName, in.PolicyDocument)
	})
	api.Read(h, "GetUserPolicy", func(ctx context.Context, c *api.Call, in *GetUserPolicyInput) (*GetUserPolicyOutput, error) {
		h, p, err := s.getInline(ctx, c, "GetUserPolicy", kindUser, in.UserName, in.PolicyName)
		if err != nil {
			return nil, err
		}
		return &GetUserPolicyOutput{UserName: h.name, PolicyName: p.Name, PolicyDocument: encodeDocument(p.Document)}, nil
	})
	api.Read(h, "GetGroupPolicy", func(ctx context.Context, c *api.Call, in *GetGroupPolicyInput) (*GetGroupPolicyOutput, error) {
		h, p, err := s.getInline(ctx, c, "GetGroupPolicy", kindGroup, in.GroupName, in.PolicyName)
		if err != nil {
			return nil, err
		}
		return &GetGroupPolicyOutput{GroupName: h.name, PolicyName: p.Name, PolicyDocument: encodeDocument(p.Document)}, nil
	})
	api.Read(h, "GetRolePolicy", func(ctx context.Context, c *api.Call, in *GetRolePolicyInput) (*GetRolePolicyOutput, error) {
		h, p, err := s.getInline(ctx, c, "GetRolePolicy", kindRole, in.RoleName, in.PolicyName)
		if err != nil {
			return nil, err
		}
		return &GetRolePolicyOutput{RoleName: h.name, PolicyName: p.Name, PolicyDocument: encodeDocument(p.Document)}, nil
	})
	api.Write(h, "DeleteUserPolicy", func(ctx context.Context, c *api.Call, in *DeleteUserPolicyInput) (*DeleteUserPolicyOutput, error) {
		return &DeleteUserPolicyOutput{}, s.deleteInline(ctx, c, "DeleteUserPolicy", kindUser, in.UserName, in.PolicyName)
	})
	api.Write(h, "DeleteGroupPolicy", func(ctx context.Context, c *api.Call, in *DeleteGroupPolicyInput) (*DeleteGroupPolicyOutput, error) {
		return &DeleteGroupPolicyOutput{}, s.deleteInline(ctx, c, "DeleteGroupPolicy", kindGroup, in.GroupName, in.PolicyName)
	})
	api.Write(h, "DeleteRolePolicy", func(ctx context.Context, c *api.Call, in *DeleteRolePolicyInput) (*DeleteRolePolicyOutput, error) {
		return &DeleteRolePolicyOutput{}, s.deleteInline(ctx, c, "DeleteRolePolicy", kindRole, in.RoleName, in.PolicyName)
	})
	api.Read(h, "ListUserPolicies", func(ctx context.Context, c *api.Call, in *ListUserPoliciesInput) (*ListUserPoliciesOutput, error) {
		names, next, err := s.listInline(ctx, c, "ListUserPolicies", kindUser, in.UserName, in.Marker, in.MaxItems)
		return &ListUserPoliciesOutput{PolicyNames: names, IsTruncated: ptr(next != nil), Marker: next}, err
	})
	api.Read(h, "ListGroupPolicies", func(ctx context.Context, c *api.Call, in *ListGroupPoliciesInput) (*ListGroupPoliciesOutput, error) {
		names, next, err := s.listInline(ctx, c, "ListGroupPolicies", kindGroup, in.GroupName, in.Marker, in.MaxItems)
		return &ListGroupPoliciesOutput{PolicyNames: names, IsTruncated: ptr(next != nil), Marker: next}, err
	})
	api.Read(h, "ListRolePolicies", func(ctx context.Context, c *api.Call, in *ListRolePoliciesInput) (*ListRolePoliciesOutput, error) {
		names, next, err := s.listInline(ctx, c, "ListRolePolicies", kindRole, in.RoleName, in.Marker, in.MaxItems)
		return &ListRolePoliciesOutput{PolicyNames: names, IsTruncated: ptr(next != nil), Marker: next}, err
	})
}

// inlineSizeLimit is the aggregate size IAM allows the inline policies of an entity of kind.
func inlineSizeLimit(kind string) int {
	switch kind {
	case kindUser:
		return 2048
	case kindGroup:
		return 5120
	}
	return 10240
}

// findInline returns the index of the inline policy with the name in ps, or -1. Like every IAM name, an inline
// policy's name is unique regardless of case.
func findInline(ps []inlinePolicy, name string) int {
	return slices.IndexFunc(ps, func(p inlinePolicy) bool { return strings.EqualFold(p.Name, name) })
}

// compareInline orders inline policies by name, case-insensitively first so that the order matches the store's.
func compareInline(a, b inlinePolicy) int {
	if c := strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)); c != 0 {
		return c
	}
	return strings.Compare(a.Name, b.Name)
}

func (s *Service) putInline(ctx context.Context, c *api.Call, action, kind, entity, name, document string) error {
	t, h, err := openHolder(ctx, c, action, kind, entity, nil)
	if err != nil {
		return err
	}
	if err := h.checkModifiable(); err != nil {
		return err
	}
	// The aggregate is what the entity's inline policies would weigh with this one put: the one it replaces does
	// not count.
	size := policy.Size(document)
	for _, p := range h.perms.Inline {
		if !strings.EqualFold(p.Name, name) {
			size += policy.Size(p.Document)
		}
	}
	limit := inlineSizeLimit(kind)
	err = checkDocument(document, policy.Identity, size, limit, func() error {
		return awserr.New("LimitExceeded", "Maximum policy size of %d bytes exceeded for %s %s", limit, nounOf(kind), h.name)
	})
	if err != nil {
		return err
	}
	p := inlinePolicy{Name: name, Document: document}
	if i := findInline(h.perms.Inline, name); i >= 0 {
		h.perms.Inline[i] = p
	} else {
		h.perms.Inline = append(h.perms.Inline, p)
	}
	slices.SortFunc(h.perms.Inline, compareInline)
	return s.saveHolder(t, c.Account(), h)
}

// noSuchInline is IAM's answer for an inline policy that the entity does not have.
func noSuchInline(kind, name string) error {
	return noSuchEntity("The %s policy with name %s cannot be found.", nounOf(kind), name)
}

func (s *Service) getInline(ctx context.Context, c *api.Call, action, kind, entity, name string) (*holder, *inlinePolicy, error) {
	_, h, err := openHolder(ctx, c, action, kind, entity, nil)
	if err != nil {
		return nil, nil, err
	}
	i := findInline(h.perms.Inline, name)
	if i < 0 {
		return nil, nil, noSuchInline(kind, name)
	}
	return h, &h.perms.Inline[i], nil
}

func (s *Service) deleteInline(ctx context.Context, c *api.Call, action, kind, entity, name string) error {
	t, h, err := openHolder(ctx, c, action, kind, entity, nil)
	if err != nil {
		return err
	}
	if err := h.checkModifiable(); err != nil {
		return err
	}
	i := findInline(h.perms.Inline, name)
	if i < 0 {
		return noSuchInline(kind, name)
	}
	h.perms.Inline = slices.Delete(h.perms.Inline, i, i+1)
	return s.saveHolder(t, c.Account(), h)
}

func (s *Service) listInline(ctx context.Context, c *api.Call, action, kind, entity string, marker *string, max *int32) ([]string, *string, error) {
	_, h, err := openHolder(ctx, c, action, kind, entity, nil)
	if err != nil {
		return nil, nil, err
	}
	names := make([]string, len(h.perms.Inline))
	for i, p := range h.perms.Inline {
		names[i] = p.Name
	}
	return pageSlice(names, marker, max, func(n string) string { return n })
}
