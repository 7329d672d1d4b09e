// Package sts implements AWS Security Token Service: who a caller is, and the temporary credentials of sessions —
// role sessions (AssumeRole, and services assuming roles on sagebox's side), user and root sessions
// (GetSessionToken) and federated users (GetFederationToken) — that sign requests with an ASIA… key and a session
// token until they expire.
//
// A session is a record in the store (kind "sts.session") with everything its permissions depend on: its
// principal, its session policies' sources, tags, source identity, MFA state and expiry. Its key goes into the
// authentication key ring when the transaction that made it commits, and again at start-up (Load). The package
// implements authz.Sessions, so that the authorizer finds a session's policies, tags and context keys in memory.
//
// It is not the policy engine: whether a caller may assume a role is decided by the authorizer, with the role's
// trust policy as the resource-based policy of sts:AssumeRole. It does not own roles either: IAM does, and STS
// reads them through Roles.
package sts

import (
	"context"
	"sync"

	"github.com/sagebox/sagebox/internal/api"
	"github.com/sagebox/sagebox/internal/authn"
	"github.com/sagebox/sagebox/internal/authz"
	"github.com/sagebox/sagebox/internal/clock"
	"github.com/sagebox/sagebox/internal/ids"
	"github.com/sagebox/sagebox/internal/policy"
	"github.com/sagebox/sagebox/internal/store"
)

//go:generate go run ../../model/shapegen -service sts -out shapes_gen.go GetCallerIdentity AssumeRole AssumeRoleWithWebIdentity GetSessionToken GetFederationToken GetAccessKeyInfo DecodeAuthorizationMessage

// Roles is what STS needs of IAM.
type Roles interface {
	// Role returns the role named name in account, its trust policy compiled; nil when there is none.
	Role(t store.Tx, account, name string) (*Role, error)
	// SessionPolicy returns the managed policy with the ARN, compiled as a session policy, as the role's account
	// (or the federating user's) sees it; nil when it has no such policy.
	SessionPolicy(t store.Tx, account, arn string) (*policy.Compiled, error)
}

// Role is a role as STS sees it.
type Role struct {
	// ARN is the role's ARN with its path; ID its unique id (AROA…).
	ARN, ID, Name, Path string
	// MaxSessionDuration is the longest session the role allows, in seconds.
	MaxSessionDuration int32
	Tags               map[string]string
	// Trust is the role's trust policy, compiled as the resource-based policy of sts:AssumeRole.
	Trust *policy.Compiled
}

// Authorizer is what STS needs of the authorizer beyond deciding requests: turning the encoded messages of denials
// back into decisions (DecodeAuthorizationMessage). *authz.Authorizer implements it.
type Authorizer interface {
	api.Authorizer
	// DecodeMessage returns the decision an encoded message names, as DecodeAuthorizationMessage's JSON.
	DecodeMessage(blob string) (string, bool)
	// DecodedAccount returns the account of the principal whose decision the message names.
	DecodedAccount(blob string) (string, bool)
}

// Config is what STS is built from.
type Config struct {
	// Keys is the authentication key ring that sessions' keys go into.
	Keys *authn.KeyRing
	// IDs makes access keys, secrets and tokens' nonces.
	IDs *ids.Source
	// Clock is the server's clock: services assuming roles issue sessions at its time.
	Clock clock.Clock
	// Roles gives the roles and managed policies of IAM.
	Roles Roles
	// Store is where AssumeRoleAsService keeps a session when its caller gives no transaction.
	Store store.Store
}

// Service is STS.
type Service struct {
	keys  *authn.KeyRing
	ids   *ids.Source
	clock clock.Clock
	roles Roles
	store store.Store

	// authorizer is set once, after the authorizer is built (it needs STS as its Sessions): see SetAuthorizer.
	mu         sync.RWMutex
	authorizer Authorizer

	live *liveSessions
	// rootAccess is the identity-based policy that stands for the root user's full access, for federated users
	// whose token the root user got.
	rootAccess *authz.PrincipalPolicies
	// noTrust is the trust policy of a role that does not exist: it trusts no one.
	noTrust *policy.Compiled
}

// New returns STS.
func New(cfg Config) *Service {
	return &Service{
		keys:       cfg.Keys,
		ids:        cfg.IDs,
		clock:      cfg.Clock,
		roles:      cfg.Roles,
		store:      cfg.Store,
		live:       newLiveSessions(),
		rootAccess: newRootAccess(),
		noTrust:    newNoTrust(),
	}
}

// SetAuthorizer gives STS the authorizer, which is built after STS because it reads STS's sessions.
func (s *Service) SetAuthorizer(z Authorizer) {
	s.mu.Lock()
	s.authorizer = z
	s.mu.Unlock()
}

func (s *Service) authz() Authorizer {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.authorizer
}

// Handlers returns the operations STS implements.
func (s *Service) Handlers() *api.ServiceHandlers {
	h := api.NewService("sts")
	api.Read(h, "GetCallerIdentity", s.getCallerIdentity)
	api.Write(h, "AssumeRole", s.assumeRole)
	api.Write(h, "GetSessionToken", s.getSessionToken)
	api.Write(h, "GetFederationToken", s.getFederationToken)
	api.Read(h, "GetAccessKeyInfo", s.getAccessKeyInfo)
	api.Read(h, "DecodeAuthorizationMessage", s.decodeAuthorizationMessage)
	return h
}

// getCallerIdentity answers who signed the request. AWS requires no permission for it: "the same information is
// returned when access is denied" (STS API Reference), so even an explicit deny does not stop it. Every kind of
// principal answers with its own ARN and user id: a user's AIDA… id, a role session's "AROA…:session", a
// federated user's "ACCOUNT:name", the root user's account id; sessions of GetSessionToken answer as the user or
// root user they belong to.
func (s *Service) getCallerIdentity(ctx context.Context, c *api.Call, _ *GetCallerIdentityInput) (*GetCallerIdentityOutput, error) {
	if err := c.Authorize(ctx, api.Authorization{Action: "sts:GetCallerIdentity", NoPermissionRequired: true}); err != nil {
		return nil, err
	}
	p := c.Principal
	return &GetCallerIdentityOutput{UserId: &p.UserID, Account: &p.Account, Arn: &p.ARN}, nil
}
