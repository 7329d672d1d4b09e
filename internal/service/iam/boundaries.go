package iam

import (
	"context"

	"github.com/sagebox/sagebox/internal/api"
	"github.com/sagebox/sagebox/internal/awserr"
	"github.com/sagebox/sagebox/internal/store"
)

// Permissions boundaries: a user's or role's boundary is the ARN of a managed policy, customer or AWS managed,
// kept on the entity and in its boundary index (from which PermissionsBoundaryUsageCount is counted).

func (s *Service) registerBoundaries(h *api.ServiceHandlers) {
	api.Write(h, "PutUserPermissionsBoundary", func(ctx context.Context, c *api.Call, in *PutUserPermissionsBoundaryInput) (*PutUserPermissionsBoundaryOutput, error) {
		return &PutUserPermissionsBoundaryOutput{}, s.putBoundary(ctx, c, "PutUserPermissionsBoundary", kindUser, in.UserName, in.PermissionsBoundary)
	})
	api.Write(h, "PutRolePermissionsBoundary", func(ctx context.Context, c *api.Call, in *PutRolePermissionsBoundaryInput) (*PutRolePermissionsBoundaryOutput, error) {
		return &PutRolePermissionsBoundaryOutput{}, s.putBoundary(ctx, c, "PutRolePermissionsBoundary", kindRole, in.RoleName, in.PermissionsBoundary)
	})
	api.Write(h, "DeleteUserPermissionsBoundary", func(ctx context.Context, c *api.Call, in *DeleteUserPermissionsBoundaryInput) (*DeleteUserPermissionsBoundaryOutput, error) {
		return &DeleteUserPermissionsBoundaryOutput{}, s.deleteBoundary(ctx, c, "DeleteUserPermissionsBoundary", kindUser, in.UserName)
	})
	api.Write(h, "DeleteRolePermissionsBoundary", func(ctx context.Context, c *api.Call, in *DeleteRolePermissionsBoundaryInput) (*DeleteRolePermissionsBoundaryOutput, error) {
		return &DeleteRolePermissionsBoundaryOutput{}, s.deleteBoundary(ctx, c, "DeleteRolePermissionsBoundary", kindRole, in.RoleName)
	})
}

// checkBoundary answers an error when arn cannot be a permissions boundary of the account's users and roles: it
// must name a managed policy, customer or AWS managed, that exists. CreateUser and CreateRole call it too.
func (s *Service) checkBoundary(t store.Tx, account, arn string) error {
	if _, err := parsePolicyARN(arn); err != nil {
		return invalidInput("Value (%s) for parameter PermissionsBoundary is invalid.", arn)
	}
	p, err := s.findPolicy(t, account, arn)
	if err != nil {
		return err
	}
	if p == nil {
		return noSuchEntity("Scope ARN: %s does not exist or is not attachable.", arn)
	}
	return nil
}

func (s *Service) putBoundary(ctx context.Context, c *api.Call, action, kind, name, arn string) error {
	t, h, err := openHolder(ctx, c, action, kind, name, map[string][]string{"iam:PermissionsBoundary": {arn}})
	if err != nil {
		return err
	}
	if err := h.checkModifiable(); err != nil {
		return err
	}
	if err := s.checkBoundary(t, c.Account(), arn); err != nil {
		return err
	}
	if kind == kindRole {
		if p, ok := s.managed.Get(arn); ok && p.Path == "/aws-service-role/" {
			return awserr.New("PolicyNotAttachable", "Cannot attach a Service Role Policy to a Customer Role.")
		}
	}
	*h.boundary = arn
	return s.saveHolder(t, c.Account(), h)
}

// deleteBoundary removes the entity's boundary. An entity without one is left as it is, without error: clients
// such as Terraform's AWS provider have called this on every role they delete.
func (s *Service) deleteBoundary(ctx context.Context, c *api.Call, action, kind, name string) error {
	t, h, err := openHolder(ctx, c, action, kind, name, nil)
	if err != nil {
		return err
	}
	if err := h.checkModifiable(); err != nil {
		return err
	}
	if *h.boundary == "" {
		return nil
	}
	*h.boundary = ""
	return s.saveHolder(t, c.Account(), h)
}
