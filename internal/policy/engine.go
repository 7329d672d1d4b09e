package policy

// The evaluation API. A Document is compiled once, when it is stored, into a Compiled policy; a request gathers the
// Compiled policies that apply to it into a Set and asks Decide (the hot path: no allocation, no JSON) or Explain
// (every matched statement and missing key, for the decision log and `sagebox explain`). The decision procedure is
// AWS's, as the IAM User Guide documents it in "Policy evaluation logic": see Decide.
//
// The engine knows IAM's language and logic and nothing of any service: the caller says which action, which
// resource ARN, which condition keys, and which policies apply.

// PolicyType is the role a compiled policy plays in a decision.
type PolicyType uint8

// The policy types, named as explanations and AWS's denial messages name them.
const (
	IdentityPolicy PolicyType = iota + 1 // an identity-based policy: a user's, group's or role's, inline or managed
	BoundaryPolicy                       // a permissions boundary
	SessionPolicy                        // a session policy of an STS session
	ControlPolicy                        // a service control policy (Organizations)
	ResourcePolicy                       // a resource-based policy (a bucket policy; a role's trust policy for sts:AssumeRole)
	EndpointPolicy                       // a VPC endpoint policy
)

// Compiled is a policy compiled for evaluation. It is immutable and safe for concurrent use.
type Compiled struct {
	// ID names the policy in explanations: a managed policy's ARN and version ("arn:aws:iam::aws:policy/X v3"), an
	// inline policy's owner and name ("arn:aws:iam::111122223333:user/alice inline policy p"), and so on.
	ID   string
	Type PolicyType
	// Doc is the document it was compiled from.
	Doc *Document

	compiled compiledPolicy
}

// Principal is who makes a request, as resource-based policies and condition keys see it.
type Principal struct {
	// ARN is the principal's ARN: arn:aws:iam::ACCOUNT:root, …:user/PATH/NAME, arn:aws:sts::ACCOUNT:assumed-role/R/S,
	// …:federated-user/NAME. Empty for a service principal and for an anonymous request.
	ARN string
	// Account is the principal's account; empty for service principals and anonymous requests.
	Account string
	// RoleARN is, for a role session, the ARN of its role (arn:aws:iam::ACCOUNT:role/PATH/NAME): a resource-based
	// policy that names the role grants to all its sessions — but then the boundary and session policies still
	// apply, unlike a grant that names the session itself.
	RoleARN string
	// UniqueID is the principal's unique id (AIDA…, AROA…): resource policies may name a principal by it.
	UniqueID string
	// Service is the service principal of a request an AWS service makes ("sagemaker.amazonaws.com").
	Service string
	// Federated is, for a request made with a web identity token or a SAML assertion (AssumeRoleWithWebIdentity,
	// AssumeRoleWithSAML), the identity provider a trust policy names it by: an OIDC or SAML provider ARN, or a
	// public provider ("accounts.google.com"). ARN is then empty.
	Federated string
	// CanonicalUser is the S3 canonical user ID of the principal's account, which S3 bucket policies may name.
	CanonicalUser string
	// Root marks the account's root user, which identity policies neither grant nor limit.
	Root bool
	// Anonymous marks a request without credentials (S3 may serve some).
	Anonymous bool
}

// Request is one authorization question.
type Request struct {
	Principal Principal
	// Action is "service:Operation" as the Service Authorization Reference names it ("iam:GetRole").
	Action string
	// Resource is the ARN the action is on, or "*" for actions without a resource type.
	Resource string
	// ResourceAccount is the account that owns the resource; empty means the principal's account.
	ResourceAccount string
	// Context holds the condition keys of the request, global ones included.
	Context *Context
}

// Context is a request's condition keys and their values. Key names are case-insensitive; values keep their case.
// A Context is built once per request and only read afterwards; reading it allocates nothing.
type Context struct {
	keys []contextKey
	// hashes holds keyHash of each key's lower-case name, in the order of keys, and slots indexes the first
	// len(slots)*3/4 keys by hash (open addressing; a slot holds a key's index + 1): compiled conditions find a key
	// with a probe or two and one comparison of names (Context.find).
	hashes []uint64
	slots  [32]uint8
}

type contextKey struct {
	lower  string // the key in lower case, as compiled conditions look it up
	name   string // the key as it was set, for explanations
	values []string
}

// Set sets a key to values (a single-valued key has one; a multivalued key, such as aws:TagKeys, may have any
// number, and an empty list is a key present with no values). Setting a key again replaces it.
func (c *Context) Set(key string, values ...string) {
	lower := lowerKey(key)
	for i := range c.keys {
		if c.keys[i].lower == lower {
			c.keys[i].values = values
			return
		}
	}
	h := keyHash(lower)
	c.keys = append(c.keys, contextKey{lower: lower, name: key, values: values})
	c.hashes = append(c.hashes, h)
	if n := len(c.keys); n <= len(c.slots)*3/4 {
		i := h
		for c.slots[i%uint64(len(c.slots))] != 0 {
			i++
		}
		c.slots[i%uint64(len(c.slots))] = uint8(n)
	}
}

// Get returns the values of a key and whether it is present.
func (c *Context) Get(key string) ([]string, bool) {
	return c.lookup(lowerKey(key))
}

// lookup finds a key given in lower case, without allocating.
func (c *Context) lookup(lower string) ([]string, bool) {
	if c == nil {
		return nil, false
	}
	for i := range c.keys {
		if c.keys[i].lower == lower {
			return c.keys[i].values, true
		}
	}
	return nil, false
}

// Keys returns the keys as they were set, in the order set.
func (c *Context) Keys() []string {
	if c == nil {
		return nil
	}
	out := make([]string, len(c.keys))
	for i, k := range c.keys {
		out[i] = k.name
	}
	return out
}

// lowerKey lower-cases a condition key name (ASCII: key names are), without allocating when it is lower already.
func lowerKey(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				b[j] = lowerASCII(b[j])
			}
			return string(b)
		}
	}
	return s
}

// Set is every policy that applies to one request.
type Set struct {
	// Identity are the principal's identity-based policies: a user's inline and attached policies and those of its
	// groups, or a role's. Ignored for the root user.
	Identity []*Compiled
	// Boundary is the principal's permissions boundary, nil when it has none.
	Boundary *Compiled
	// Session holds the session policies of an STS session (an inline policy and the managed ones passed as
	// PolicyArns). HasSession is set whenever the session was given any: then they must allow too, even if Session is
	// empty after a failed lookup.
	Session    []*Compiled
	HasSession bool
	// ControlPolicies are the SCPs that apply to the principal's account, one slice per level of the organization
	// from the root down to the account: every level must allow.
	ControlPolicies [][]*Compiled
	// Resource is the resource-based policy of the resource (a role's trust policy for sts:AssumeRole), nil when
	// the resource has none.
	Resource *Compiled
	// Endpoint is the policy of the VPC endpoint the request came through, nil when it did not come through one.
	Endpoint *Compiled
}

// Outcome is the answer of Decide.
type Outcome uint8

// The outcomes.
const (
	// ImplicitDeny: nothing allowed the request (the default).
	ImplicitDeny Outcome = iota
	// Allowed: every layer that had to allow did, and nothing denied.
	Allowed
	// ExplicitDeny: a Deny statement matched.
	ExplicitDeny
)

// String returns "implicitDeny", "allowed" or "explicitDeny", as the decision log and STS's decoded authorization
// messages spell them.
func (o Outcome) String() string {
	switch o {
	case Allowed:
		return "allowed"
	case ExplicitDeny:
		return "explicitDeny"
	}
	return "implicitDeny"
}

// Decision is Decide's answer: the outcome and the layer that decided it — for an explicit deny, the type of the
// policy whose statement denied; for an implicit deny, the first layer that had to allow and did not. AWS's denial
// messages name that layer ("because no permissions boundary allows the iam:GetRole action").
type Decision struct {
	Outcome Outcome
	Layer   PolicyType
}

// Match is one statement that matched a request.
type Match struct {
	Policy    *Compiled
	Statement int // the statement's Index in its document
	Effect    Effect
}

// Explanation is Explain's answer: the decision and every statement that matched, in the order the policies
// were given, and the condition keys that statements referred to but the request did not have.
type Explanation struct {
	Decision
	Matches []Match
	Missing []string
}
