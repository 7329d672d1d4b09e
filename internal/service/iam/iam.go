// Package iam implements AWS Identity and Access Management: users, groups, roles, instance profiles, managed and
// inline policies, permissions boundaries, access keys and login profiles, account aliases and summaries — who exists
// in an account and what is written about them, with AWS's checks, persisted in the store.
//
// It does not decide requests: package authz (and the policy engine) reads what IAM stores. Access keys created
// here go into the authentication key ring when their transaction commits, so that requests signed with them are
// the user's.
package iam

import (
	"context"
	"fmt"

	"github.com/sagebox/sagebox/internal/api"
	"github.com/sagebox/sagebox/internal/authn"
	"github.com/sagebox/sagebox/internal/ids"
	"github.com/sagebox/sagebox/internal/service/iam/managed"
	"github.com/sagebox/sagebox/internal/store"
)

//go:generate go run ../../model/shapegen -service iam -out shapes_gen.go CreateUser GetUser UpdateUser DeleteUser ListUsers TagUser UntagUser ListUserTags CreateLoginProfile GetLoginProfile UpdateLoginProfile DeleteLoginProfile CreateAccessKey ListAccessKeys UpdateAccessKey DeleteAccessKey GetAccessKeyLastUsed CreateGroup GetGroup UpdateGroup DeleteGroup ListGroups AddUserToGroup RemoveUserFromGroup ListGroupsForUser CreateRole GetRole UpdateRole DeleteRole ListRoles UpdateAssumeRolePolicy UpdateRoleDescription TagRole UntagRole ListRoleTags CreateServiceLinkedRole DeleteServiceLinkedRole GetServiceLinkedRoleDeletionStatus CreateInstanceProfile GetInstanceProfile DeleteInstanceProfile ListInstanceProfiles AddRoleToInstanceProfile RemoveRoleFromInstanceProfile ListInstanceProfilesForRole TagInstanceProfile UntagInstanceProfile ListInstanceProfileTags CreatePolicy GetPolicy DeletePolicy ListPolicies CreatePolicyVersion GetPolicyVersion DeletePolicyVersion ListPolicyVersions SetDefaultPolicyVersion AttachUserPolicy DetachUserPolicy AttachGroupPolicy DetachGroupPolicy AttachRolePolicy DetachRolePolicy ListAttachedUserPolicies ListAttachedGroupPolicies ListAttachedRolePolicies ListEntitiesForPolicy TagPolicy UntagPolicy ListPolicyTags PutUserPolicy GetUserPolicy DeleteUserPolicy ListUserPolicies PutGroupPolicy GetGroupPolicy DeleteGroupPolicy ListGroupPolicies PutRolePolicy GetRolePolicy DeleteRolePolicy ListRolePolicies PutUserPermissionsBoundary DeleteUserPermissionsBoundary PutRolePermissionsBoundary DeleteRolePermissionsBoundary GetAccountSummary GetAccountAuthorizationDetails CreateAccountAlias DeleteAccountAlias ListAccountAliases SimulatePrincipalPolicy SimulateCustomPolicy GetContextKeysForPrincipalPolicy GetContextKeysForCustomPolicy CreateOpenIDConnectProvider GetOpenIDConnectProvider ListOpenIDConnectProviders DeleteOpenIDConnectProvider UpdateOpenIDConnectProviderThumbprint AddClientIDToOpenIDConnectProvider RemoveClientIDFromOpenIDConnectProvider TagOpenIDConnectProvider UntagOpenIDConnectProvider ListOpenIDConnectProviderTags

// Service is IAM.
type Service struct {
	keys    *authn.KeyRing
	ids     *ids.Source
	managed *managed.Catalog
	// view is what authorization reads of IAM, in memory (view.go).
	view *view
}

// New returns IAM. Access keys it creates go into keys; ids come from src; catalog holds the AWS managed policies
// that every account sees.
func New(keys *authn.KeyRing, src *ids.Source, catalog *managed.Catalog) *Service {
	return &Service{keys: keys, ids: src, managed: catalog, view: newView()}
}

// Handlers returns the operations IAM implements.
func (s *Service) Handlers() *api.ServiceHandlers {
	h := api.NewService("iam")
	s.registerUsers(h)
	s.registerAccessKeys(h)
	s.registerLoginProfiles(h)
	s.registerGroups(h)
	s.registerRoles(h)
	s.registerInstanceProfiles(h)
	s.registerServiceLinkedRoles(h)
	s.registerPolicies(h)
	s.registerAttachments(h)
	s.registerInlinePolicies(h)
	s.registerBoundaries(h)
	s.registerAccount(h)
	s.registerOIDC(h)
	s.registerSimulator(h)
	return h
}

// Load puts the access keys of the accounts' users into the key ring and builds the authorization view of the
// accounts: at start-up, and after a reset.
func (s *Service) Load(ctx context.Context, st store.Store, accounts []string) error {
	tx, err := st.Begin(ctx, false)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	s.resetView()
	for _, acct := range accounts {
		if err := s.loadView(tx, acct); err != nil {
			return err
		}
		recs, err := tx.List(scope(acct, kindAccessKey), store.ListQuery{})
		if err != nil {
			return err
		}
		for _, rec := range recs {
			k, err := store.Decode[accessKey](rec)
			if err != nil {
				return fmt.Errorf("iam: access key %s: %w", rec.ID, err)
			}
			u, _, err := getUserByID(tx, acct, k.UserID)
			if err != nil {
				return fmt.Errorf("iam: the user of access key %s: %w", rec.ID, err)
			}
			s.keys.Put(ringKey(acct, u, &k))
		}
	}
	return nil
}
