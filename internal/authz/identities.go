package authz

import (
	"sync/atomic"
	"time"

	"github.com/sagebox/sagebox/internal/api"
	"github.com/sagebox/sagebox/internal/policy"
)

// Identities gives what IAM knows of a principal: its identity-based policies (a user's own and its groups', or a
// role's), its permissions boundary and its tags. The result is shared and must not be changed; looking it up
// allocates nothing.
type Identities interface {
	Identity(account string, p *api.Principal) (*PrincipalPolicies, error)
}

// PrincipalPolicies is what applies to a principal on IAM's side. A principal IAM does not know has none: a nil
// *PrincipalPolicies (or an empty one) means no identity-based policy, no boundary and no tags.
type PrincipalPolicies struct {
	Identity []*policy.Compiled
	Boundary *policy.Compiled
	Tags     map[string]string // aws:PrincipalTag/*

	// prepared is Tags as the request context sets them, prepared by the first request of the principal.
	prepared atomic.Pointer[principalTags]
}

// Sessions gives what STS knows of the session behind temporary credentials (an ASIA… access key): its session
// policies, its role, when it was issued, whether MFA was used, its session tags. STS implements it; a nil Sessions
// (or a nil *Session) means a session without any of these.
type Sessions interface {
	Session(p *api.Principal) *Session
}

// Session is what applies to one STS session. It is shared and must not be changed.
type Session struct {
	// Policies are the session policies (the inline Policy and the managed PolicyArns of AssumeRole or
	// GetFederationToken); HasPolicies is set whenever the session was given any, so that they must allow too.
	Policies    []*policy.Compiled
	HasPolicies bool
	// RoleARN is a role session's role, with its path: aws:PrincipalArn, and whom a resource policy that names the
	// role grants to. Empty: derived from the session's ARN, without a path.
	RoleARN string
	// Issued is aws:TokenIssueTime.
	Issued time.Time
	// MFA is aws:MultiFactorAuthPresent; MFAAuthenticated, when MFA was used, gives aws:MultiFactorAuthAge.
	MFA              bool
	MFAAuthenticated time.Time
	// Tags are the session tags: aws:PrincipalTag/* that replace the principal's own tags of the same key.
	Tags map[string]string
	// SourceIdentity is aws:SourceIdentity.
	SourceIdentity string
}
