package sagemaker

import "github.com/sagebox/sagebox/internal/api"

// Stubs until the area's handlers are written; delete this file in the same step as they land.
func (s *Service) registerDomains(h *api.ServiceHandlers) {}
