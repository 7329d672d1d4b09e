package policy

// Kind says which rules a document must follow. IAM validates a policy differently according to where it goes.
type Kind uint8

// The kinds of policy documents.
const (
	// Identity is an inline policy of a user, group or role (PutUserPolicy, PutGroupPolicy, PutRolePolicy). Principal
	// and NotPrincipal are forbidden; Version may be absent (it then means 2008-10-17) or 2008-10-17.
	Identity Kind = iota
	// Managed is a customer managed policy (CreatePolicy, CreatePolicyVersion), which is also what a permissions
	// boundary is. It follows the Identity rules and must also say Version 2012-10-17.
	Managed
	// Trust is a role's trust policy (CreateRole, UpdateAssumeRolePolicy): Principal required, NotPrincipal,
	// Resource and NotResource not allowed, only the STS actions that assume a role. IAM checks trust policies with a
	// different parser from identity policies, and its texts differ.
	Trust
	// Resource is another resource-based policy (an S3 bucket policy, a VPC endpoint policy): Principal or
	// NotPrincipal required. Services phrase some errors their own way; Error.Code lets them.
	Resource
	// Session is an STS session policy (the Policy parameter of AssumeRole and GetFederationToken). It follows the
	// Identity rules.
	Session
	// ServiceControl is an AWS Organizations service control policy. It follows the Identity rules, but
	// Organizations answers every violation with one text.
	ServiceControl
)

var kindNames = [...]string{"Identity", "Managed", "Trust", "Resource", "Session", "ServiceControl"}

// String returns the kind's name, as the test corpus spells it.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(?)"
}

// ParseKind returns the Kind whose String is name.
func ParseKind(name string) (Kind, bool) {
	for i, n := range kindNames {
		if n == name {
			return Kind(i), true
		}
	}
	return 0, false
}

// The two versions of the policy language.
const (
	Version2008 = "2008-10-17"
	Version2012 = "2012-10-17"
)

// Effect is what a statement does to the requests it matches.
type Effect uint8

// The effects.
const (
	Allow Effect = iota + 1
	Deny
)

// String returns "Allow" or "Deny".
func (e Effect) String() string {
	switch e {
	case Allow:
		return "Allow"
	case Deny:
		return "Deny"
	}
	return "Effect(?)"
}

// Document is a parsed, validated policy.
type Document struct {
	Kind Kind
	// Version is the Version element as written, or "" when the document has none (IAM then reads it as
	// 2008-10-17).
	Version string
	// ID is the Id element, or "".
	ID         string
	Statements []*Statement
}

// Variables reports whether the document's strings may hold policy variables (${aws:username} …): only version
// 2012-10-17 has them; in 2008-10-17 "${" is literal text.
func (d *Document) Variables() bool { return d.Version == Version2012 }

// Statement is one statement of a document. A list element is nil when the statement does not have it, and
// non-nil (possibly empty) when it does: Action and NotAction are never both non-nil, nor Resource and NotResource,
// nor Principal and NotPrincipal.
type Statement struct {
	// Index is the statement's position in the document, from 0; a Statement written as a single object is 0.
	Index  int
	Sid    string
	Effect Effect

	Principal    *Principals
	NotPrincipal *Principals

	// Actions and resources are kept as written: matching them (case-insensitive globs for actions, ARN segments
	// for resources) is the evaluator's business.
	Action      []string
	NotAction   []string
	Resource    []string
	NotResource []string

	// Conditions are in document order: operators in the order written, keys in order within each.
	Conditions []Condition
}

// Principals is the value of a Principal or NotPrincipal element.
type Principals struct {
	// All is set by "*", and by "*" among the AWS principals ({"AWS": "*"}); the "*" is not kept in AWS.
	All bool
	// AWS holds account root ARNs (a bare 12-digit account ID is normalized to arn:aws:iam::ACCOUNT:root), IAM user
	// and role ARNs, assumed-role and federated-user ARNs, and the unique IDs IAM shows for deleted principals.
	AWS           []string
	Service       []string
	Federated     []string
	CanonicalUser []string
}

// Empty reports whether p names no one.
func (p *Principals) Empty() bool {
	return !p.All && len(p.AWS) == 0 && len(p.Service) == 0 && len(p.Federated) == 0 && len(p.CanonicalUser) == 0
}

// Qualifier is the set operator prefix of a condition operator, for keys with several values.
type Qualifier uint8

// The qualifiers.
const (
	Single       Qualifier = iota // no prefix: the key is compared as a single value
	ForAnyValue                   // "ForAnyValue:": at least one value of the key matches
	ForAllValues                  // "ForAllValues:": every value of the key matches
)

// Prefix returns the qualifier as written before an operator, "" for Single.
func (q Qualifier) Prefix() string {
	switch q {
	case ForAnyValue:
		return "ForAnyValue:"
	case ForAllValues:
		return "ForAllValues:"
	}
	return ""
}

// Condition is one key of one condition operator: "StringEquals": {"aws:username": ["a", "b"]} is one Condition,
// and an operator block with two keys gives two.
type Condition struct {
	Operator  Operator
	Qualifier Qualifier
	IfExists  bool
	// Key is the condition key as written; IAM compares key names case-insensitively.
	Key string
	// Values are the values as written; JSON numbers and booleans are kept as their text ("10", "true"). A single
	// value written without brackets is a list of one. Never nil.
	Values []string
}

// OperatorName returns the operator as it is written in a policy, e.g. "ForAnyValue:StringLikeIfExists".
func (c Condition) OperatorName() string {
	s := c.Qualifier.Prefix() + c.Operator.String()
	if c.IfExists {
		s += "IfExists"
	}
	return s
}
