package authz

import (
	"github.com/sagebox/sagebox/internal/api"
	"github.com/sagebox/sagebox/internal/policy"
	"github.com/sagebox/sagebox/internal/store"
)

// What the policy simulators need of the authorizer: IAM's SimulatePrincipalPolicy reads the SCPs of the account in
// its own transaction, and `sagebox simulate` fills a what-if request's context, principal and denial text as a
// live request has them, so that a simulation is decided as the request would be.

// ReadSCPs returns the service control policies of an account as stored in t, by name. A store without any gives
// none.
func ReadSCPs(t store.Tx, account string) ([]SCP, error) {
	recs, err := t.List(scpScope, store.ListQuery{Prefix: account + "/"})
	if err != nil {
		return nil, err
	}
	out := make([]SCP, 0, len(recs))
	for _, rec := range recs {
		scp, err := store.Decode[SCP](rec)
		if err != nil {
			return nil, err
		}
		out = append(out, scp)
	}
	return out, nil
}

// DenialText is AWS's access denied message for a decision that did not allow: "User: ARN is not authorized to
// perform: ACTION on resource: RESOURCE because no identity-based policy allows the ACTION action", as live
// requests are answered.
func DenialText(p *api.Principal, action, resource string, d policy.Decision, resourcePolicy *policy.Compiled) string {
	return denialText(p, action, resource, d, resourcePolicy)
}

// RequestContext fills the condition keys of a request as Authorize does for the call c asking for a: the global
// keys of the principal (with the tags of pp and s), of the request (region, time, address, transport, the
// services it came through), then a's own keys.
func RequestContext(c *api.Call, a *api.Authorization, pp *PrincipalPolicies, s *Session) *policy.Context {
	var z Authorizer
	return z.requestContext(c, a, pp, s)
}

// EnginePrincipal is p, with its session s (nil for none), as the policy engine sees it.
func EnginePrincipal(p *api.Principal, s *Session) policy.Principal { return enginePrincipal(p, s) }
