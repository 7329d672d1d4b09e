package iam

// Owned by the roles helper: replace with roles.go, instanceprofiles.go, servicelinked.go.

import "github.com/sagebox/sagebox/internal/api"

func (s *Service) registerRoles(h *api.ServiceHandlers)              {}
func (s *Service) registerInstanceProfiles(h *api.ServiceHandlers)   {}
func (s *Service) registerServiceLinkedRoles(h *api.ServiceHandlers) {}
