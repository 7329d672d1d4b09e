package iam

// Owned by the account helper: replace with account.go.

import "github.com/sagebox/sagebox/internal/api"

func (s *Service) registerAccount(h *api.ServiceHandlers) {}
