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
//
// It keeps what Decide reads and, for explanations, the document: CompileText keeps the text the document was
// parsed from rather than the parsed Document, which Document parses again when asked.
type Compiled struct {
	// ID names the policy in explanations: a managed policy's ARN and version ("arn:aws:iam::aws:policy/X v3"), an
	// inline policy's owner and name ("arn:aws:iam::111122223333:user/alice inline policy p"), and so on.
	ID   string
	Type PolicyType

	kind Kind
	// text is the text CompileText parsed; doc is the document Compile was given. One of them is kept.
	text string
	doc  *Document

	compiled compiledPolicy
}

// Kind returns the kind of the document the policy was compiled from (a role's trust policy is a Trust document).
func (c *Compiled) Kind() Kind { return c.kind }

// Document returns the document the policy was compiled from, for explanations: the one Compile was given, or,
// for CompileText, a new one parsed again from the text, which the caller may keep. Deciding never needs it.
func (c *Compiled) Document() *Document {
	if c.text == "" {
		return c.doc
	}
	doc, err := Parse(c.text, c.kind)
	if err != nil {
		return nil
	}
	return doc
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
//
// Building one on the request path costs little when the caller sizes it (NewContext, Grow) and names its keys with
// Keys made once (NewKey): SetKey then allocates nothing, and SetValue neither, since it keeps a single value in the
// key's own entry.
type Context struct {
	keys []contextKey
	// slots indexes the first len(slots)*3/4 keys by hash (open addressing; a slot holds a key's index + 1):
	// compiled conditions find a key with a probe or two and one comparison of names (Context.find).
	slots [32]uint8
}

type contextKey struct {
	Key
	values []string
	// one holds the value of a key set by SetValue, which values then points to.
	one [1]string
}

// Key is a condition key's name prepared for a Context: lower-cased and hashed once, so that setting it costs no
// allocation. The zero Key is the empty name.
type Key struct {
	name  string // as given, for explanations
	lower string // in lower case, as compiled conditions look it up
	hash  uint64 // keyHash(lower)
}

// NewKey prepares a key name. Callers that set the same keys on every request make their Keys once.
func NewKey(name string) Key {
	lower := lowerKey(name)
	return Key{name: name, lower: lower, hash: keyHash(lower)}
}

// Name returns the key's name as it was given.
func (k Key) Name() string { return k.name }

// NewContext returns an empty Context with room for n keys.
func NewContext(n int) *Context {
	return &Context{keys: make([]contextKey, 0, max(n, 0))}
}

// Grow makes room for n more keys, so that setting them does not grow the Context key by key.
func (c *Context) Grow(n int) {
	if n > 0 && cap(c.keys)-len(c.keys) < n {
		keys := make([]contextKey, len(c.keys), len(c.keys)+n)
		copy(keys, c.keys)
		// Values set by SetValue point into the old entries, which stay as they are: the copies keep pointing there.
		c.keys = keys
	}
}

// Set sets a key to values (a single-valued key has one; a multivalued key, such as aws:TagKeys, may have any
// number, and an empty list is a key present with no values). Setting a key again replaces it. A name with upper
// case letters costs an allocation, its lower-case copy: on the request path, prefer SetKey or SetValue.
func (c *Context) Set(key string, values ...string) {
	c.SetKey(NewKey(key), values...)
}

// SetKey is Set with a prepared key. values is kept, not copied.
func (c *Context) SetKey(k Key, values ...string) {
	c.entry(k).values = values
}

// SetValue sets a single-valued key without allocating: the value is kept in the key's entry.
func (c *Context) SetValue(k Key, value string) {
	e := c.entry(k)
	e.one[0] = value
	e.values = e.one[:]
}

// entry returns the entry of k, added when the Context does not have it.
func (c *Context) entry(k Key) *contextKey {
	if i, ok := c.index(k.lower, k.hash); ok {
		return &c.keys[i]
	}
	c.keys = append(c.keys, contextKey{Key: k})
	if n := len(c.keys); n <= len(c.slots)*3/4 {
		i := k.hash
		for c.slots[i%uint64(len(c.slots))] != 0 {
			i++
		}
		c.slots[i%uint64(len(c.slots))] = uint8(n)
	}
	return &c.keys[len(c.keys)-1]
}

// Get returns the values of a key and whether it is present.
func (c *Context) Get(key string) ([]string, bool) {
	lower := lowerKey(key)
	return c.find(lower, keyHash(lower))
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
