// Package authz decides whether a principal may do what a request asks and says why.
//
// Until the policy engine arrives, the decision is the one AWS makes for an account with no policies at all: the
// account's root user may do everything, and every other principal is denied because no identity-based policy
// allows the action. Actions that AWS answers without any permission (sts:GetCallerIdentity) are allowed to all.
// Every decision carries its reason, which the request log records.
package authz

import (
	"context"
	"fmt"

	"github.com/sagebox/sagebox/internal/api"
)

// Authorizer decides requests. It implements api.Authorizer.
type Authorizer struct{}

var _ api.Authorizer = (*Authorizer)(nil)

// New returns an authorizer.
func New() *Authorizer { return &Authorizer{} }

// Authorize decides whether p may do a.
func (z *Authorizer) Authorize(_ context.Context, p *api.Principal, a *api.Authorization) (api.Decision, error) {
	d := api.Decision{Action: a.Action, Resource: a.Resources[0]}
	switch {
	case a.NoPermissionRequired:
		d.Allowed, d.Effect = true, "allow"
		d.Reason = a.Action + " requires no permission"
	case p.Type == api.Root:
		d.Allowed, d.Effect = true, "allow"
		d.Reason = "the account's root user may perform every action"
	default:
		d.Effect = "implicitDeny"
		d.Reason = fmt.Sprintf("User: %s is not authorized to perform: %s on resource: %s because no identity-based policy allows the %s action",
			p.ARN, a.Action, d.Resource, a.Action)
	}
	return d, nil
}
