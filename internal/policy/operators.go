package policy

// Operator is a base condition operator: the name without its ForAnyValue:/ForAllValues: prefix and its IfExists
// suffix. The set is closed: Parse produces only the constants below, and the evaluator compiles each to its
// matcher.
type Operator uint8

// The condition operators of the IAM User Guide ("IAM JSON policy elements: Condition operators").
const (
	StringEquals Operator = iota + 1
	StringNotEquals
	StringEqualsIgnoreCase
	StringNotEqualsIgnoreCase
	StringLike
	StringNotLike
	NumericEquals
	NumericNotEquals
	NumericLessThan
	NumericLessThanEquals
	NumericGreaterThan
	NumericGreaterThanEquals
	DateEquals
	DateNotEquals
	DateLessThan
	DateLessThanEquals
	DateGreaterThan
	DateGreaterThanEquals
	Bool
	BinaryEquals
	IPAddress
	NotIPAddress
	ArnEquals
	ArnLike
	ArnNotEquals
	ArnNotLike
	Null
	maxOperator
)

var operatorNames = [maxOperator]string{
	StringEquals:              "StringEquals",
	StringNotEquals:           "StringNotEquals",
	StringEqualsIgnoreCase:    "StringEqualsIgnoreCase",
	StringNotEqualsIgnoreCase: "StringNotEqualsIgnoreCase",
	StringLike:                "StringLike",
	StringNotLike:             "StringNotLike",
	NumericEquals:             "NumericEquals",
	NumericNotEquals:          "NumericNotEquals",
	NumericLessThan:           "NumericLessThan",
	NumericLessThanEquals:     "NumericLessThanEquals",
	NumericGreaterThan:        "NumericGreaterThan",
	NumericGreaterThanEquals:  "NumericGreaterThanEquals",
	DateEquals:                "DateEquals",
	DateNotEquals:             "DateNotEquals",
	DateLessThan:              "DateLessThan",
	DateLessThanEquals:        "DateLessThanEquals",
	DateGreaterThan:           "DateGreaterThan",
	DateGreaterThanEquals:     "DateGreaterThanEquals",
	Bool:                      "Bool",
	BinaryEquals:              "BinaryEquals",
	IPAddress:                 "IpAddress",
	NotIPAddress:              "NotIpAddress",
	ArnEquals:                 "ArnEquals",
	ArnLike:                   "ArnLike",
	ArnNotEquals:              "ArnNotEquals",
	ArnNotLike:                "ArnNotLike",
	Null:                      "Null",
}

// String returns the operator's name as policies write it ("IpAddress", not "IPAddress").
func (o Operator) String() string {
	if o > 0 && o < maxOperator {
		return operatorNames[o]
	}
	return "Operator(?)"
}

// Negated reports whether the operator is true when no value matches (StringNotEquals, NotIpAddress, …): with
// several values, and for a missing key, negated operators behave differently from the positive ones.
func (o Operator) Negated() bool {
	switch o {
	case StringNotEquals, StringNotEqualsIgnoreCase, StringNotLike, NumericNotEquals, DateNotEquals,
		NotIPAddress, ArnNotEquals, ArnNotLike:
		return true
	}
	return false
}

// IsDate reports whether the operator compares dates, whose values IAM checks when it parses the policy.
func (o Operator) IsDate() bool { return o >= DateEquals && o <= DateGreaterThanEquals }

// lookupOperator returns the base operator named exactly name (IAM's names are case-sensitive).
func lookupOperator(name string) (Operator, bool) {
	for o := Operator(1); o < maxOperator; o++ {
		if operatorNames[o] == name {
			return o, true
		}
	}
	return 0, false
}

// splitOperator splits a condition operator as written into its parts. Only the first prefix and the suffix
// are stripped, so "ForAnyValue::StringEquals" and "StringEqualsIfExistsIfExists" are not operators.
func splitOperator(name string) (op Operator, q Qualifier, ifExists bool, ok bool) {
	rest := name
	switch {
	case len(rest) > len("ForAnyValue:") && rest[:len("ForAnyValue:")] == "ForAnyValue:":
		q, rest = ForAnyValue, rest[len("ForAnyValue:"):]
	case len(rest) > len("ForAllValues:") && rest[:len("ForAllValues:")] == "ForAllValues:":
		q, rest = ForAllValues, rest[len("ForAllValues:"):]
	}
	if n := len(rest) - len("IfExists"); n > 0 && rest[n:] == "IfExists" {
		ifExists, rest = true, rest[:n]
	}
	op, ok = lookupOperator(rest)
	return op, q, ifExists, ok
}
