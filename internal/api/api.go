// Package api is the seam between the server and the services: the types that describe an operation, its handler
// and one call in flight. Services import it to register typed handlers; the server imports it to dispatch. A
// service never imports the server and the server never imports a service; cmd/sagebox wires them.
//
// A handler must say what authorization it needs, through Call.Authorize, before it touches anything; the
// dispatcher refuses to answer for a handler that authorized nothing, so that no path is left open by mistake.
package api

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"time"

	"github.com/sagebox/sagebox/internal/awserr"
	"github.com/sagebox/sagebox/internal/policy"
	"github.com/sagebox/sagebox/internal/protocol"
	"github.com/sagebox/sagebox/internal/store"
)

// PrincipalType is the kind of identity a request comes from.
type PrincipalType string

// The principal types, as aws:PrincipalType names them.
const (
	Root          PrincipalType = "Account"
	User          PrincipalType = "User"
	AssumedRole   PrincipalType = "AssumedRole"
	FederatedUser PrincipalType = "FederatedUser"
	Service       PrincipalType = "Service"
	// Anonymous is the caller of an unsigned request, which the server lets through only to an operation marked
	// Anonymous. The handler finds out who the caller is from what the request carries (a web identity token).
	Anonymous PrincipalType = "Anonymous"
	// WebIdentity is a user of an identity provider, proven by a token the provider signed
	// (AssumeRoleWithWebIdentity); the Principal's ARN is the provider's (an IAM OIDC provider's ARN), which trust
	// policies name as a Federated principal. CloudTrail calls it WebIdentityUser.
	WebIdentity PrincipalType = "WebIdentityUser"
)

// Principal is who a request comes from, as authentication found it.
type Principal struct {
	Type PrincipalType
	// Account is the 12-digit id of the principal's account.
	Account string
	// ARN is the principal's ARN: arn:aws:iam::ACCOUNT:root, …:user/NAME, arn:aws:sts::ACCOUNT:assumed-role/R/S.
	ARN string
	// UserID is aws:userid: the account id for root, the unique id for a user, ROLEID:SESSION for a role session.
	UserID string
	// Name is aws:username for IAM users; empty for others.
	Name string
	// AccessKeyID is the key the request was signed with.
	AccessKeyID string
}

// Authorization is what a handler asks the authorizer to decide: one action on some resources, with the
// condition keys the request supplies. The authorizer adds the global keys (aws:PrincipalArn, aws:SourceIp, …).
type Authorization struct {
	// Action is "service:Operation", as the Service Authorization Reference names it.
	Action string
	// Resources are the ARNs the action touches; "*" for actions that take no resource.
	Resources []string
	// Context holds the request's condition keys, such as sagemaker:VpcSubnets, aws:RequestTag/K, aws:TagKeys and
	// aws:ResourceTag/K (the handler knows the resource's tags).
	Context map[string][]string
	// NoPermissionRequired marks the few actions AWS answers whatever the policies say, such as
	// sts:GetCallerIdentity. The decision is still recorded.
	NoPermissionRequired bool
	// ResourceAccount is the account that owns the resources, when it is not the caller's (cross-account access).
	ResourceAccount string
	// ResourcePolicy is the resource-based policy of the resource, when it has one: a role's trust policy for
	// sts:AssumeRole, a bucket policy.
	ResourcePolicy *policy.Compiled
}

// Decision is the authorizer's answer, with its reason.
type Decision struct {
	Allowed bool
	// Effect is "allow", "explicitDeny" or "implicitDeny".
	Effect string
	// Reason says why, in a sentence.
	Reason string
	// Action and Resource repeat what was decided.
	Action   string
	Resource string
	// Encoded is an opaque reference to the logged decision: EC2 hands it to the client in its denial message, and
	// STS DecodeAuthorizationMessage turns it back into the decision.
	Encoded string
}

// Authorizer decides requests. Package authz implements it. It reads the call's principal and what the request
// tells the condition keys (region, time, source address, transport) and its decision log records (the request
// id), and changes nothing in the call.
type Authorizer interface {
	Authorize(ctx context.Context, c *Call, a *Authorization) (Decision, error)
}

// Call is one API call in flight, as its handler sees it.
type Call struct {
	RequestID string
	// Service and Operation name what was called, such as "sts" and "GetCallerIdentity".
	Service   string
	Operation string
	// Region is the region the request was signed for.
	Region string
	// Principal made the request. Account is the principal's account, where the call's resources live.
	Principal *Principal
	// Now is the server's clock when the request arrived.
	Now time.Time
	// SourceIP is the client's address (aws:SourceIp); SecureTransport is set for requests that came over TLS.
	SourceIP        string
	SecureTransport bool
	// Host is the host (and port) the client addressed, for answers that hand back URLs of this endpoint, such as
	// SageMaker's presigned Studio URLs.
	Host string

	ctx        context.Context
	authorizer Authorizer
	decisions  []Decision
	store      store.Store
	writes     bool
	tx         store.Tx
}

// NewCall returns a call that asks authorizer for its decisions and keeps its state in st, in a transaction that
// is writable when writes is set.
func NewCall(ctx context.Context, authorizer Authorizer, st store.Store, writes bool) *Call {
	return &Call{ctx: ctx, authorizer: authorizer, store: st, writes: writes}
}

// Tx returns the call's transaction, begun on first use, so that calls which read no state (GetCallerIdentity)
// cost no transaction. The dispatcher commits it when the handler succeeds and rolls it back otherwise.
func (c *Call) Tx() (store.Tx, error) {
	if c.tx == nil {
		tx, err := c.store.Begin(c.ctx, c.writes)
		if err != nil {
			return nil, awserr.Internal(err)
		}
		c.tx = tx
	}
	return c.tx, nil
}

// Finish commits the call's transaction when ok, rolls it back otherwise; without one it does nothing.
func (c *Call) Finish(ok bool) error {
	if c.tx == nil {
		return nil
	}
	tx := c.tx
	c.tx = nil
	if !ok {
		return tx.Rollback()
	}
	return tx.Commit()
}

// Account returns the account the call acts in: the principal's.
func (c *Call) Account() string { return c.Principal.Account }

// Authorize asks whether the call's principal may do a, records the decision, and returns an AccessDenied error
// when it may not. Every handler calls it before it reads or changes anything.
func (c *Call) Authorize(ctx context.Context, a Authorization) error {
	if a.Action == "" {
		return awserr.Internal(fmt.Errorf("api: %s.%s asked to authorize an empty action", c.Service, c.Operation))
	}
	if len(a.Resources) == 0 {
		a.Resources = []string{"*"}
	}
	d, err := c.authorizer.Authorize(ctx, c, &a)
	if err != nil {
		return err
	}
	c.decisions = append(c.decisions, d)
	if !d.Allowed {
		msg := d.Reason
		if c.Service == "ec2" {
			// EC2 does not say why: it hands over an encoded message that only STS DecodeAuthorizationMessage reads.
			msg = "You are not authorized to perform this operation. Encoded authorization failure message: " + d.Encoded
		}
		return &awserr.Error{Kind: awserr.KindAccessDenied, Message: msg}
	}
	return nil
}

// Decisions returns the decisions the call has recorded.
func (c *Call) Decisions() []Decision { return c.decisions }

// Handler is an operation's implementation in the untyped form the dispatcher calls: a decoded input in, an
// output to encode out (see package protocol for the value tree).
type Handler func(ctx context.Context, c *Call, input map[string]any) (map[string]any, error)

// Operation is one registered operation.
type Operation struct {
	Name    string
	Handler Handler
	// Writes marks an operation that changes state: its transaction is writable.
	Writes bool
	// InputType and OutputType are the handler's Go types, which a test checks against the model.
	InputType, OutputType reflect.Type
	// Anonymous lets unsigned requests through to the handler, with an Anonymous principal: for the few operations
	// AWS serves without a signature (STS AssumeRoleWithWebIdentity and AssumeRoleWithSAML, which the models mark
	// "authtype": "none"). A signed request to such an operation is authenticated as any other.
	Anonymous bool
}

// ServiceHandlers is the set of operations one service implements.
type ServiceHandlers struct {
	// Name is the service's name in sagebox: "iam", "sts", "sagemaker", "ec2", "s3", "logs".
	Name string
	ops  map[string]*Operation
}

// NewService returns an empty set of operations for the named service.
func NewService(name string) *ServiceHandlers {
	return &ServiceHandlers{Name: name, ops: map[string]*Operation{}}
}

// Operation returns the named operation, or nil when the service does not implement it.
func (s *ServiceHandlers) Operation(name string) *Operation { return s.ops[name] }

// Operations returns the implemented operations, sorted by name.
func (s *ServiceHandlers) Operations() []*Operation {
	out := make([]*Operation, 0, len(s.ops))
	for _, op := range s.ops {
		out = append(out, op)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Read registers a typed handler for an operation that changes nothing. In and Out are the operation's input and
// output structures (generated from the model by shapegen).
func Read[In, Out any](s *ServiceHandlers, name string, fn func(ctx context.Context, c *Call, in *In) (*Out, error)) {
	register(s, name, false, fn)
}

// Write registers a typed handler for an operation that changes state.
func Write[In, Out any](s *ServiceHandlers, name string, fn func(ctx context.Context, c *Call, in *In) (*Out, error)) {
	register(s, name, true, fn)
}

func register[In, Out any](s *ServiceHandlers, name string, writes bool, fn func(context.Context, *Call, *In) (*Out, error)) {
	if _, dup := s.ops[name]; dup {
		panic(fmt.Sprintf("api: %s.%s registered twice", s.Name, name))
	}
	s.ops[name] = &Operation{
		Name:       name,
		Writes:     writes,
		InputType:  reflect.TypeFor[In](),
		OutputType: reflect.TypeFor[Out](),
		Handler: func(ctx context.Context, c *Call, input map[string]any) (map[string]any, error) {
			in := new(In)
			if err := protocol.Bind(input, in); err != nil {
				return nil, err
			}
			out, err := fn(ctx, c, in)
			if err != nil || out == nil {
				return nil, err
			}
			return protocol.Unbind(out)
		},
	}
}
