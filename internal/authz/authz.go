// Package authz authorizes every request with the policy engine, as AWS does, and records and explains each
// decision.
//
// For each api.Authorization a handler asks for, the Authorizer gathers the policies that apply — the principal's
// identity-based policies, permissions boundary and tags from IAM (Identities), its session policies from STS
// (Sessions), the service control policies of its account (kept here, managed through the admin API), and the
// resource's own policy from the handler — fills the request context with the global condition keys as AWS fills
// them, and asks policy.Decide about every resource the action touches: all must be allowed. A denial carries AWS's
// text, which names the layer that denied ("… because no permissions boundary allows the iam:GetUser action").
//
// Every decision goes to a bounded decision log: in memory at once, in the store in batches written in the
// background, so that no request waits for a durable write. Explanations (which policy and statement allowed or
// denied, which condition keys were missing) are computed off the request path: see decisionLog.
//
// Calls a service makes with a principal's credentials on the principal's behalf (SageMaker creating network
// interfaces in the caller's subnets) are authorized like any request. The handler that acts on the principal's
// behalf sets "aws:CalledVia" in Authorization.Context to the service principals the call came through, first
// first ("sagemaker.amazonaws.com"); the Authorizer then sets aws:CalledViaFirst, aws:CalledViaLast and
// aws:ViaAWSService, leaves out aws:SourceIp (the call does not come from the client's address) and sets
// aws:MultiFactorAuthPresent, as AWS does for such forward calls, which it makes with temporary credentials.
//
// The package is not the policy engine (package policy knows IAM's language and logic, and nothing of services or
// principals), and it does not know which action and resources an operation needs: each handler says so.
package authz

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"github.com/sagebox/sagebox/internal/api"
	"github.com/sagebox/sagebox/internal/policy"
	"github.com/sagebox/sagebox/internal/store"
)

// Mode says what the Authorizer does with its decisions.
type Mode string

// The modes.
const (
	// Enforce denies what the policies deny: AWS's behaviour, and the default.
	Enforce Mode = "enforce"
	// Audit decides and records every request as Enforce does, but lets denied requests through.
	Audit Mode = "audit"
	// Off allows everything without deciding; requests are still recorded.
	Off Mode = "off"
)

// ParseMode returns the mode named s; "" is Enforce.
func ParseMode(s string) (Mode, error) {
	switch Mode(s) {
	case "", Enforce:
		return Enforce, nil
	case Audit, Off:
		return Mode(s), nil
	}
	return "", fmt.Errorf("authorization mode %q: want enforce, audit or off", s)
}

// Config is what an Authorizer needs. Only Store makes anything durable; every other field has a default.
type Config struct {
	Mode Mode
	// Identities gives the principals' identity-based policies, boundaries and tags; nil means none (every
	// principal but root is then denied).
	Identities Identities
	// Sessions gives what STS knows of temporary credentials' sessions; nil means nothing.
	Sessions Sessions
	// Store keeps the service control policies and the decision log. Without one both live in memory only.
	Store store.Store
	// Log receives the warnings of the decision log's writer; at debug level, every decision is explained.
	Log *slog.Logger
	// Now is the clock the admin API stamps service control policies with (the server's clock).
	Now func() time.Time
	// LogSize is how many decisions the store keeps, the newest (default 10,000).
	LogSize int
	// Recent is how many of the newest decisions are also kept in memory with the request and policies that decided
	// them, so that an allowed request among them can be explained (default 1,024). Without a Store, these are all
	// the decisions kept.
	Recent int
	// FlushInterval is the longest a decision waits in memory before the writer stores it (default 100ms); a crash
	// loses at most the decisions of the last interval.
	FlushInterval time.Duration
	// DefaultAccount is the account the admin API's SCP calls act on when they name none.
	DefaultAccount string
}

// The defaults of Config.
const (
	DefaultLogSize       = 10000
	DefaultRecent        = 1024
	DefaultFlushInterval = 100 * time.Millisecond
)

// Authorizer decides requests and records the decisions. It implements api.Authorizer and is safe for concurrent
// use.
type Authorizer struct {
	mode           Mode
	identities     Identities
	sessions       Sessions
	scps           *scpSet
	log            *decisionLog
	logger         *slog.Logger
	now            func() time.Time
	defaultAccount string
	clock          atomic.Pointer[clockKeys]
}

var _ api.Authorizer = (*Authorizer)(nil)

// New returns an authorizer in enforce mode that knows no identity policies and keeps its decisions in memory
// only: every principal but root is denied. Tests of the request path use it; a sagebox uses Open.
func New() *Authorizer {
	z, err := Open(context.Background(), Config{})
	if err != nil {
		// Without a store nothing can fail.
		panic(err)
	}
	return z
}

// Open returns an authorizer for cfg: it loads the service control policies from the store and starts the
// decision log's writer, which Close stops.
func Open(ctx context.Context, cfg Config) (*Authorizer, error) {
	mode, err := ParseMode(string(cfg.Mode))
	if err != nil {
		return nil, err
	}
	logger := cfg.Log
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	z := &Authorizer{
		mode:           mode,
		identities:     cfg.Identities,
		sessions:       cfg.Sessions,
		logger:         logger,
		now:            now,
		defaultAccount: cfg.DefaultAccount,
		scps:           &scpSet{st: cfg.Store},
	}
	if err := z.scps.load(ctx); err != nil {
		return nil, err
	}
	z.log, err = openLog(ctx, cfg, logger)
	if err != nil {
		return nil, err
	}
	return z, nil
}

// Mode returns the authorizer's mode.
func (z *Authorizer) Mode() Mode { return z.mode }

// Close stores the decisions not stored yet and stops the writer. The store stays open.
func (z *Authorizer) Close() error { return z.log.close() }

// Flush stores every decision made so far. The writer does it on its own; tests and the admin API call it to see
// every decision in the store.
func (z *Authorizer) Flush(ctx context.Context) error { return z.log.flush(ctx) }

// Reset follows a reset of the store: no service control policies, and the decisions not stored yet forgotten.
func (z *Authorizer) Reset(ctx context.Context) error {
	z.log.reset()
	return z.scps.load(ctx)
}

// Authorize decides whether the call's principal may do a, on every resource a names, and records the decision.
func (z *Authorizer) Authorize(_ context.Context, c *api.Call, a *api.Authorization) (api.Decision, error) {
	p := c.Principal
	if p == nil {
		return api.Decision{}, errors.New("authz: a call without a principal")
	}
	resources := a.Resources
	if len(resources) == 0 {
		resources = []string{"*"}
	}
	e := entry{
		requestID: c.RequestID,
		time:      c.Now,
		service:   c.Service,
		operation: c.Operation,
		principal: p,
		action:    a.Action,
		resource:  resources[0],
		mode:      z.mode,
	}
	switch {
	case a.NoPermissionRequired:
		e.how = free
		e.decision.Outcome = policy.Allowed
	case z.mode == Off:
		e.how = unchecked
		e.decision.Outcome = policy.Allowed
	default:
		if err := z.prepare(c, a, &e); err != nil {
			return api.Decision{}, err
		}
		for _, r := range resources {
			e.req.Resource = r
			e.resource = r
			e.decision = decide(&e.req, &e.set)
			if e.decision.Outcome != policy.Allowed {
				break
			}
		}
		if e.decision.Outcome != policy.Allowed {
			e.reason = denialText(p, e.action, e.resource, e.decision, a.ResourcePolicy)
		}
	}
	seq := z.log.add(&e)
	return z.answer(&e, seq), nil
}

// prepare gathers the policies that apply to the call and its request context into e.
func (z *Authorizer) prepare(c *api.Call, a *api.Authorization, e *entry) error {
	p := c.Principal
	var pp *PrincipalPolicies
	if z.identities != nil && p.Type != api.Root && p.Type != api.Service {
		var err error
		if pp, err = z.identities.Identity(p.Account, p); err != nil {
			return fmt.Errorf("authz: the policies of %s: %w", p.ARN, err)
		}
	}
	var s *Session
	if z.sessions != nil && temporary(p) {
		s = z.sessions.Session(p)
	}
	e.set = policy.Set{Resource: a.ResourcePolicy}
	if p.Type != api.Service {
		e.set.ControlPolicies = z.scps.forAccount(p.Account)
	}
	if pp != nil {
		e.set.Identity, e.set.Boundary = pp.Identity, pp.Boundary
	}
	if s != nil {
		e.set.Session, e.set.HasSession = s.Policies, s.HasPolicies
	}
	e.resourceAccount = a.ResourceAccount
	e.req = policy.Request{
		Principal:       enginePrincipal(p, s),
		Action:          a.Action,
		ResourceAccount: a.ResourceAccount,
		Context:         z.requestContext(c, a, pp, s),
	}
	return nil
}

// The reasons of allowed decisions, which cost nothing to give.
const (
	reasonAllowed   = "allowed by the policies that apply"
	reasonUnchecked = "not checked: authorization is off (--authz-mode off)"
)

// answer is the api.Decision for e, recorded as decision seq.
func (z *Authorizer) answer(e *entry, seq uint64) api.Decision {
	d := api.Decision{Action: e.action, Resource: e.resource}
	switch {
	case e.how == free:
		d.Allowed, d.Effect, d.Reason = true, "allow", e.action+" requires no permission"
	case e.how == unchecked:
		d.Allowed, d.Effect, d.Reason = true, "allow", reasonUnchecked
	case e.decision.Outcome == policy.Allowed:
		d.Allowed, d.Effect, d.Reason = true, "allow", reasonAllowed
	default:
		d.Effect = e.decision.Outcome.String()
		d.Reason = e.reason
		d.Encoded = encodeMessage(seq, e.requestID)
		if z.mode == Audit {
			d.Allowed = true
			d.Reason = "audit mode, let through: " + e.reason
		}
	}
	return d
}

// temporary reports whether p signed with temporary credentials (an STS session's ASIA… key).
func temporary(p *api.Principal) bool { return strings.HasPrefix(p.AccessKeyID, "ASIA") }
