package iam

// Owned by the policies helper: replace with policies.go, attachments.go, inline.go, boundaries.go.

import (
	"github.com/sagebox/sagebox/internal/api"
	"github.com/sagebox/sagebox/internal/store"
)

func (s *Service) registerPolicies(h *api.ServiceHandlers)       {}
func (s *Service) registerAttachments(h *api.ServiceHandlers)    {}
func (s *Service) registerInlinePolicies(h *api.ServiceHandlers) {}
func (s *Service) registerBoundaries(h *api.ServiceHandlers)     {}

// checkBoundary answers an error when arn cannot be a permissions boundary of the account's users and roles.
func (s *Service) checkBoundary(t store.Tx, account, arn string) error { return nil }
