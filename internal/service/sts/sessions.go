package sts

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/sagebox/sagebox/internal/api"
	"github.com/sagebox/sagebox/internal/authn"
	"github.com/sagebox/sagebox/internal/authz"
	"github.com/sagebox/sagebox/internal/policy"
	"github.com/sagebox/sagebox/internal/store"
)

// Sessions as STS keeps them: a record of kind "sts.session" in the account of the session's principal (the role's
// account for a role session), whose id is the access key id; and, in memory, what the authorizer reads of each —
// compiled session policies, tags, context keys — and the key in the authentication key ring. Records change only
// when a session is issued; memory follows the store when the issuing transaction commits, and Load rebuilds it at
// start-up and after a reset. Expired sessions are kept, so that their keys keep answering ExpiredToken, as AWS's do.

const kindSession = "sts.session"

// sessionKind says what issued a session.
type sessionKind string

const (
	// roleSession: AssumeRole (or AssumeRoleWithWebIdentity, or a service assuming a role).
	roleSession sessionKind = "role"
	// userSession and rootSession: GetSessionToken by an IAM user or the root user; the session is that principal.
	userSession sessionKind = "user"
	rootSession sessionKind = "root"
	// federatedSession: GetFederationToken, by an IAM user or the root user (the session's parent).
	federatedSession sessionKind = "federated"
)

// sessionDoc is a session as stored.
type sessionDoc struct {
	Kind        sessionKind `json:"kind"`
	AccessKeyID string      `json:"accessKeyId"`
	Secret      string      `json:"secret"`
	Token       string      `json:"token"`
	Issued      time.Time   `json:"issued"`
	Expires     time.Time   `json:"expires"`
	// Principal is whom the session's requests come from.
	Principal storedPrincipal `json:"principal"`
	// RoleARN is a role session's role, with its path.
	RoleARN string `json:"roleArn,omitempty"`
	// Parent is, for a federated user, the IAM user or root user whose permissions bound it.
	Parent *storedPrincipal `json:"parent,omitempty"`
	// Policy and PolicyARNs are the session policies as given; PolicyAccount is the account whose managed
	// policies PolicyARNs name. HasPolicies: they must allow (any were given, or the session is a federated
	// user's, which has no permissions without them).
	Policy        string   `json:"policy,omitempty"`
	PolicyARNs    []string `json:"policyArns,omitempty"`
	PolicyAccount string   `json:"policyAccount,omitempty"`
	HasPolicies   bool     `json:"hasPolicies,omitempty"`
	// Tags are the session tags, inherited transitive tags included, in the order given; Transitive the keys of
	// the transitive ones.
	Tags           []sessionTag `json:"tags,omitempty"`
	Transitive     []string     `json:"transitive,omitempty"`
	SourceIdentity string       `json:"sourceIdentity,omitempty"`
	// MFAAuthenticated is when MFA was used to get the session, or to get the session it was chained from.
	MFAAuthenticated *time.Time `json:"mfaAuthenticated,omitempty"`
	// Service is the service principal that assumed the role ("sagemaker.amazonaws.com"), for a session a
	// service made.
	Service string `json:"service,omitempty"`
}

type storedPrincipal struct {
	Type    api.PrincipalType `json:"type"`
	Account string            `json:"account"`
	ARN     string            `json:"arn"`
	UserID  string            `json:"userId"`
	Name    string            `json:"name,omitempty"`
}

type sessionTag struct {
	Key   string `json:"k"`
	Value string `json:"v"`
}

func storePrincipal(p *api.Principal) storedPrincipal {
	return storedPrincipal{Type: p.Type, Account: p.Account, ARN: p.ARN, UserID: p.UserID, Name: p.Name}
}

func (p storedPrincipal) principal(keyID string) *api.Principal {
	return &api.Principal{Type: p.Type, Account: p.Account, ARN: p.ARN, UserID: p.UserID, Name: p.Name, AccessKeyID: keyID}
}

// liveSession is a session as the request path reads it.
type liveSession struct {
	doc *sessionDoc
	// authz is what the authorizer reads; shared, never changed.
	authz authz.Session
	// parent is a federated user's parent, as IAM knows it (no access key).
	parent *api.Principal
}

// liveSessions holds the sessions by access key id. Readers take the read lock for one map lookup; entries are
// never changed, only added or all replaced.
type liveSessions struct {
	mu    sync.RWMutex
	byKey map[string]*liveSession
}

func newLiveSessions() *liveSessions { return &liveSessions{byKey: map[string]*liveSession{}} }

func (l *liveSessions) get(keyID string) *liveSession {
	if keyID == "" {
		return nil
	}
	l.mu.RLock()
	e := l.byKey[keyID]
	l.mu.RUnlock()
	return e
}

func (l *liveSessions) put(e *liveSession) {
	l.mu.Lock()
	l.byKey[e.doc.AccessKeyID] = e
	l.mu.Unlock()
}

func (l *liveSessions) reset() {
	l.mu.Lock()
	l.byKey = map[string]*liveSession{}
	l.mu.Unlock()
}

var _ authz.Sessions = (*Service)(nil)

// Session implements authz.Sessions: what applies to the session of the principal's temporary key; nil for a key
// STS did not issue. It reads memory only and allocates nothing.
func (s *Service) Session(p *api.Principal) *authz.Session {
	if e := s.live.get(p.AccessKeyID); e != nil {
		return &e.authz
	}
	return nil
}

// Identities returns inner — IAM's identity-based policies of principals — completed with the identities of
// federated users, which IAM does not know: a federated user's permissions are its session policies intersected
// with those of the IAM user who federated it ("the resulting session's permissions are the intersection of the
// user's identity-based policy and the session policies"), or, when the root user did, with the root user's full
// access. The authorizer takes it as its Identities.
func (s *Service) Identities(inner authz.Identities) authz.Identities {
	return federatedIdentities{s: s, inner: inner}
}

type federatedIdentities struct {
	s     *Service
	inner authz.Identities
}

func (f federatedIdentities) Identity(account string, p *api.Principal) (*authz.PrincipalPolicies, error) {
	if p.Type != api.FederatedUser {
		if f.inner == nil {
			return nil, nil
		}
		return f.inner.Identity(account, p)
	}
	e := f.s.live.get(p.AccessKeyID)
	if e == nil || e.parent == nil {
		return nil, nil
	}
	if e.parent.Type == api.Root {
		return f.s.rootAccess, nil
	}
	if f.inner == nil {
		return nil, nil
	}
	return f.inner.Identity(e.parent.Account, e.parent)
}

// newRootAccess compiles the identity-based policy that stands for the root user's full access.
func newRootAccess() *authz.PrincipalPolicies {
	const allowAll = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
	c, err := policy.CompileText(allowAll, policy.Identity, "the root user's full access", policy.IdentityPolicy)
	if err != nil {
		panic("sts: " + err.Error()) // a constant document
	}
	return &authz.PrincipalPolicies{Identity: []*policy.Compiled{c}}
}

// sessionSpec is what a session is made of. The operations that issue sessions fill it after their checks, and
// issue makes the session: AssumeRole, GetSessionToken, GetFederationToken, AssumeRoleAsService — and
// AssumeRoleWithWebIdentity, which fills Role, SessionName, Duration, Policy/policies, Tags and SourceIdentity as
// AssumeRole does.
type sessionSpec struct {
	Kind     sessionKind
	Now      time.Time
	Duration time.Duration

	// Role and SessionName make a role session.
	Role        *Role
	SessionName string
	// Caller is the IAM user or root user of a GetSessionToken session, the parent of a federated user.
	Caller *api.Principal
	// FederatedName is a federated user's name.
	FederatedName string

	// Policy is the inline session policy as given, parsed into PolicyDoc; PolicyARNs the managed session
	// policies, compiled into Managed (in order) as the account PolicyAccount sees them.
	Policy        string
	PolicyDoc     *policy.Document
	PolicyARNs    []string
	Managed       []*policy.Compiled
	PolicyAccount string

	Tags           []sessionTag
	Transitive     []string
	SourceIdentity string
	// MFAAuthenticated is when MFA was used, nil without MFA.
	MFAAuthenticated *time.Time
	Service          string
}

// issued is a session just made.
type issued struct {
	Credentials Credentials
	Principal   *api.Principal
	// AssumedRoleUser is set for a role session, FederatedUser for a federated user's.
	AssumedRoleUser *AssumedRoleUser
	FederatedUser   *FederatedUser
}

// issue makes the session spec describes, writes it in t, and has its key authenticate requests from when t
// commits.
func (s *Service) issue(t store.Tx, spec *sessionSpec) (*issued, error) {
	now := spec.Now.UTC().Truncate(time.Second)
	keyID := s.ids.AccessKeyID("ASIA")
	doc := &sessionDoc{
		Kind:             spec.Kind,
		AccessKeyID:      keyID,
		Secret:           s.ids.Secret(),
		Token:            makeToken(keyID, now, s.nonce()),
		Issued:           now,
		Expires:          now.Add(spec.Duration),
		Policy:           spec.Policy,
		PolicyARNs:       spec.PolicyARNs,
		Tags:             spec.Tags,
		Transitive:       spec.Transitive,
		SourceIdentity:   spec.SourceIdentity,
		MFAAuthenticated: spec.MFAAuthenticated,
		Service:          spec.Service,
	}
	if len(spec.PolicyARNs) > 0 {
		doc.PolicyAccount = spec.PolicyAccount
	}
	out := &issued{}
	switch spec.Kind {
	case roleSession:
		r := spec.Role
		account := accountOfARN(r.ARN)
		doc.RoleARN = r.ARN
		doc.Principal = storedPrincipal{
			Type:    api.AssumedRole,
			Account: account,
			ARN:     "arn:aws:sts::" + account + ":assumed-role/" + r.Name + "/" + spec.SessionName,
			UserID:  r.ID + ":" + spec.SessionName,
		}
		out.AssumedRoleUser = &AssumedRoleUser{AssumedRoleId: doc.Principal.UserID, Arn: doc.Principal.ARN}
	case userSession, rootSession:
		doc.Principal = storePrincipal(spec.Caller)
	case federatedSession:
		account := spec.Caller.Account
		parent := storePrincipal(spec.Caller)
		doc.Parent = &parent
		doc.Principal = storedPrincipal{
			Type:    api.FederatedUser,
			Account: account,
			ARN:     "arn:aws:sts::" + account + ":federated-user/" + spec.FederatedName,
			UserID:  account + ":" + spec.FederatedName,
		}
		out.FederatedUser = &FederatedUser{FederatedUserId: doc.Principal.UserID, Arn: doc.Principal.ARN}
	default:
		return nil, fmt.Errorf("sts: a session of kind %q", spec.Kind)
	}
	doc.HasPolicies = spec.Policy != "" || len(spec.PolicyARNs) > 0 || spec.Kind == federatedSession

	e, err := s.liveFrom(doc, spec.PolicyDoc, spec.Managed)
	if err != nil {
		return nil, err
	}
	rec, err := store.NewRecord(store.Key{Scope: store.Scope{Account: doc.Principal.Account, Kind: kindSession}, ID: keyID}, doc)
	if err != nil {
		return nil, err
	}
	if err := t.Create(rec); err != nil {
		return nil, fmt.Errorf("sts: store session %s: %w", keyID, err)
	}
	key := ringKey(doc)
	t.OnCommit(func() {
		s.live.put(e)
		s.keys.Put(key)
	})
	out.Principal = key.Principal
	out.Credentials = Credentials{AccessKeyId: keyID, SecretAccessKey: doc.Secret, SessionToken: doc.Token, Expiration: doc.Expires}
	return out, nil
}

// nonce returns tokenNonceSize random bytes: secrets are 40 characters of the base64 alphabet, 30 bytes each.
func (s *Service) nonce() []byte {
	out := make([]byte, 0, tokenNonceSize)
	for len(out) < tokenNonceSize {
		b, err := base64.StdEncoding.DecodeString(s.ids.Secret())
		if err != nil {
			panic("sts: a secret that is not base64: " + err.Error())
		}
		out = append(out, b...)
	}
	return out[:tokenNonceSize]
}

func ringKey(doc *sessionDoc) *authn.Key {
	return &authn.Key{
		AccessKeyID:     doc.AccessKeyID,
		SecretAccessKey: doc.Secret,
		Principal:       doc.Principal.principal(doc.AccessKeyID),
		SessionToken:    doc.Token,
		Expires:         doc.Expires,
		NoIAM:           doc.Kind == federatedSession || (doc.Kind == userSession || doc.Kind == rootSession) && doc.MFAAuthenticated == nil,
	}
}

// liveFrom makes the request path's form of a session: inline, the inline policy parsed (nil: parse doc.Policy);
// managed, its managed policies compiled (nil with PolicyARNs: resolve them through the store — see Load).
func (s *Service) liveFrom(doc *sessionDoc, inline *policy.Document, managed []*policy.Compiled) (*liveSession, error) {
	e := &liveSession{doc: doc}
	if doc.Parent != nil {
		e.parent = doc.Parent.principal("")
	}
	sess := &e.authz
	sess.RoleARN = doc.RoleARN
	sess.Issued = doc.Issued
	sess.SourceIdentity = doc.SourceIdentity
	if doc.MFAAuthenticated != nil {
		sess.MFA, sess.MFAAuthenticated = true, *doc.MFAAuthenticated
	}
	if len(doc.Tags) > 0 {
		sess.Tags = make(map[string]string, len(doc.Tags))
		for _, tg := range doc.Tags {
			sess.Tags[tg.Key] = tg.Value
		}
	}
	sess.HasPolicies = doc.HasPolicies
	if doc.Policy != "" {
		id := "session policy of " + doc.Principal.ARN
		var c *policy.Compiled
		var err error
		if inline != nil {
			c, err = policy.Compile(inline, id, policy.SessionPolicy)
		} else {
			c, err = policy.CompileText(doc.Policy, policy.Session, id, policy.SessionPolicy)
		}
		if err != nil {
			return nil, fmt.Errorf("sts: %s: %w", id, err)
		}
		sess.Policies = append(sess.Policies, c)
	}
	sess.Policies = append(sess.Policies, managed...)
	return e, nil
}

// Load puts the sessions of the accounts into memory and their keys into the key ring: at start-up, and after a
// reset (which has emptied the ring). A managed session policy is compiled from its current default version; one
// deleted since the session was issued is left out, which leaves the session with less, never more.
func (s *Service) Load(ctx context.Context, st store.Store, accounts []string) error {
	tx, err := st.Begin(ctx, false)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	s.live.reset()
	for _, acct := range accounts {
		recs, err := tx.List(store.Scope{Account: acct, Kind: kindSession}, store.ListQuery{})
		if err != nil {
			return err
		}
		for _, rec := range recs {
			doc, err := store.Decode[sessionDoc](rec)
			if err != nil {
				return fmt.Errorf("sts: session %s: %w", rec.ID, err)
			}
			if tok, err := parseToken(doc.Token); err != nil || tok.KeyID != doc.AccessKeyID {
				return fmt.Errorf("sts: session %s: its token does not name its key", rec.ID)
			}
			var managed []*policy.Compiled
			for _, arn := range doc.PolicyARNs {
				if s.roles == nil {
					break
				}
				c, err := s.roles.SessionPolicy(tx, doc.PolicyAccount, arn)
				if err != nil {
					return fmt.Errorf("sts: session %s: %w", rec.ID, err)
				}
				if c != nil {
					managed = append(managed, c)
				}
			}
			e, err := s.liveFrom(&doc, nil, managed)
			if err != nil {
				return err
			}
			s.live.put(e)
			s.keys.Put(ringKey(&doc))
		}
	}
	return nil
}

// accountOfARN returns the account field of an ARN, "" when it has none.
func accountOfARN(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 {
		return ""
	}
	return parts[4]
}

// errNoAuthorizer is an STS used before SetAuthorizer.
var errNoAuthorizer = errors.New("sts: no authorizer")
