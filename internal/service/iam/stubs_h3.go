package iam

// Owned by the users/groups/keys helper: replace these stubs (and this file) with the real implementations in
// accesskeys.go, loginprofiles.go, groups.go and users.go.

import (
	"github.com/sagebox/sagebox/internal/api"
	"github.com/sagebox/sagebox/internal/store"
)

func (s *Service) registerAccessKeys(h *api.ServiceHandlers)    {}
func (s *Service) registerLoginProfiles(h *api.ServiceHandlers) {}
func (s *Service) registerGroups(h *api.ServiceHandlers)        {}

// refreshKeys puts the key ring entries of u's access keys back after u changed name or path (on commit).
func (s *Service) refreshKeys(t store.Tx, account string, u *user) error { return nil }

// userDeleteConflict answers DeleteConflict when u still has what IAM makes you remove first.
func (s *Service) userDeleteConflict(t store.Tx, account string, u *user) error { return nil }
