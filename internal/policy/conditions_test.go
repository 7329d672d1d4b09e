package policy

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// ctxOf builds a Context from a map: a key with a nil slice is absent (left out), one with an empty non-nil slice
// is present with no values.
func ctxOf(m map[string][]string) *Context {
	c := &Context{}
	for k, v := range m {
		if v != nil {
			c.Set(k, v...)
		}
	}
	return c
}

// conditionDoc returns a 2012-10-17 identity policy whose one statement has the condition block given.
func conditionDoc(t testing.TB, version string, block map[string]map[string][]string) *Compiled {
	t.Helper()
	stmt := map[string]any{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": block}
	doc := map[string]any{"Statement": []any{stmt}}
	if version != "" {
		doc["Version"] = version
	}
	text, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	d, err := Parse(string(text), Identity)
	if err != nil {
		t.Fatalf("Parse(%s) = %v", text, err)
	}
	c, err := Compile(d, "test", IdentityPolicy)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// holds reports whether all the conditions of the first statement of c hold in ctx.
func holds(c *Compiled, ctx *Context) bool {
	for i := range c.compiled.stmts[0].conditions {
		if !c.compiled.stmts[0].conditions[i].eval(lookupIn(ctx), &scratch{}) {
			return false
		}
	}
	return true
}

func TestConditionOperators(t *testing.T) {
	abs := []string(nil) // the key is absent
	none := []string{}   // the key is present with no values
	type tc struct {
		name   string
		op     string
		values []string
		req    []string // the request's values of the key k:key
		want   bool
	}
	cases := []tc{
		{"StringEquals matches an equal value", "StringEquals", []string{"ml"}, []string{"ml"}, true},
		{"StringEquals is case-sensitive", "StringEquals", []string{"ML"}, []string{"ml"}, false},
		{"StringEquals takes any of several policy values", "StringEquals", []string{"a", "ml"}, []string{"ml"}, true},
		{"StringEquals reads * as a literal character", "StringEquals", []string{"m*"}, []string{"ml"}, false},
		{"StringEquals matches a literal * in the request", "StringEquals", []string{"m*"}, []string{"m*"}, true},
		{"StringEquals is false when the key is missing", "StringEquals", []string{"ml"}, abs, false},
		{"StringEquals is false for a key with no values", "StringEquals", []string{"ml"}, none, false},
		{"StringEquals with an empty policy list matches nothing", "StringEquals", []string{}, []string{"ml"}, false},
		{"StringEquals on a multivalued key matches when any value does", "StringEquals", []string{"a"}, []string{"b", "a"}, true},
		{"StringNotEquals is true for a different value", "StringNotEquals", []string{"ml"}, []string{"cv"}, true},
		{"StringNotEquals is false for an equal value", "StringNotEquals", []string{"ml"}, []string{"ml"}, false},
		{"StringNotEquals with several values is false when one matches", "StringNotEquals", []string{"a", "b"}, []string{"b"}, false},
		{"StringNotEquals with several values is true when none matches", "StringNotEquals", []string{"a", "b"}, []string{"c"}, true},
		{"StringNotEquals is true when the key is missing", "StringNotEquals", []string{"ml"}, abs, true},
		{"StringNotEquals is true for a key with no values", "StringNotEquals", []string{"ml"}, none, true},
		{"StringNotEquals with an empty policy list is true", "StringNotEquals", []string{}, []string{"ml"}, true},
		{"StringNotEquals on a multivalued key is false when any value matches", "StringNotEquals", []string{"a"}, []string{"b", "a"}, false},
		{"StringEqualsIgnoreCase ignores ASCII case", "StringEqualsIgnoreCase", []string{"ML"}, []string{"ml"}, true},
		{"StringEqualsIgnoreCase ignores Unicode case", "StringEqualsIgnoreCase", []string{"ÉCOLE"}, []string{"école"}, true},
		{"StringEqualsIgnoreCase folds the Kelvin sign to k", "StringEqualsIgnoreCase", []string{"\u212aey"}, []string{"key"}, true},
		{"StringEqualsIgnoreCase still wants the same letters", "StringEqualsIgnoreCase", []string{"ML"}, []string{"mx"}, false},
		{"StringEqualsIgnoreCase wants the whole value", "StringEqualsIgnoreCase", []string{"ML"}, []string{"mlx"}, false},
		{"StringEqualsIgnoreCase is false when the key is missing", "StringEqualsIgnoreCase", []string{"ml"}, abs, false},
		{"StringNotEqualsIgnoreCase is false for the same value in another case", "StringNotEqualsIgnoreCase", []string{"ML"}, []string{"ml"}, false},
		{"StringNotEqualsIgnoreCase is true when the key is missing", "StringNotEqualsIgnoreCase", []string{"ML"}, abs, true},
		{"StringLike matches a * wildcard", "StringLike", []string{"home/*"}, []string{"home/alice/x"}, true},
		{"StringLike matches a ? wildcard", "StringLike", []string{"?x"}, []string{"ax"}, true},
		{"StringLike's ? is one character, not zero", "StringLike", []string{"?x"}, []string{"x"}, false},
		{"StringLike's ? is one character even when it is not ASCII", "StringLike", []string{"?x"}, []string{"éx"}, true},
		{"StringLike is case-sensitive", "StringLike", []string{"Home/*"}, []string{"home/a"}, false},
		{"StringLike's * matches the empty string", "StringLike", []string{"*"}, []string{""}, true},
		{"StringLike without a wildcard wants the whole value", "StringLike", []string{"home"}, []string{"home/a"}, false},
		{"StringLike backtracks over several stars", "StringLike", []string{"*a*b*c"}, []string{"xaxbxbxc"}, true},
		{"StringLike fails when the last literal is not at the end", "StringLike", []string{"*a*b"}, []string{"xaxbx"}, false},
		{"StringLike reads ${*} as a literal star", "StringLike", []string{"a${*}"}, []string{"a*"}, true},
		{"StringLike's ${*} is not a wildcard", "StringLike", []string{"a${*}"}, []string{"ab"}, false},
		{"StringLike reads ${?} and ${$} as literal characters", "StringLike", []string{"${?}${$}"}, []string{"?$"}, true},
		{"StringLike is false when the key is missing", "StringLike", []string{"*"}, abs, false},
		{"StringNotLike is false for a matching value", "StringNotLike", []string{"home/*"}, []string{"home/a"}, false},
		{"StringNotLike is true for a value that matches no pattern", "StringNotLike", []string{"home/*", "tmp/*"}, []string{"etc/a"}, true},
		{"StringNotLike is true when the key is missing", "StringNotLike", []string{"*"}, abs, true},
		{"NumericEquals compares numbers, not text", "NumericEquals", []string{"10"}, []string{"10.0"}, true},
		{"NumericEquals reads exponents", "NumericEquals", []string{"1e3"}, []string{"1000"}, true},
		{"NumericEquals is false for a request value that is no number", "NumericEquals", []string{"10"}, []string{"ten"}, false},
		{"NumericEquals with a policy value that is no number matches nothing", "NumericEquals", []string{"ten"}, []string{"10"}, false},
		{"NumericEquals does not read hexadecimal", "NumericEquals", []string{"16"}, []string{"0x10"}, false},
		{"NumericEquals does not read infinity", "NumericEquals", []string{"1"}, []string{"Inf"}, false},
		{"NumericEquals is false when the key is missing", "NumericEquals", []string{"10"}, abs, false},
		{"NumericNotEquals is true for another number", "NumericNotEquals", []string{"10"}, []string{"11"}, true},
		{"NumericNotEquals is false for the same number", "NumericNotEquals", []string{"10", "11"}, []string{"11"}, false},
		{"NumericNotEquals is true when the key is missing", "NumericNotEquals", []string{"10"}, abs, true},
		{"NumericLessThan is true below", "NumericLessThan", []string{"10"}, []string{"9.5"}, true},
		{"NumericLessThan is false at the bound", "NumericLessThan", []string{"10"}, []string{"10"}, false},
		{"NumericLessThanEquals is true at the bound", "NumericLessThanEquals", []string{"10"}, []string{"10"}, true},
		{"NumericLessThanEquals is false above", "NumericLessThanEquals", []string{"10"}, []string{"10.5"}, false},
		{"NumericGreaterThan is true above", "NumericGreaterThan", []string{"-1"}, []string{"0"}, true},
		{"NumericGreaterThan is false at the bound", "NumericGreaterThan", []string{"0"}, []string{"0"}, false},
		{"NumericGreaterThanEquals is true at the bound", "NumericGreaterThanEquals", []string{"2"}, []string{"2"}, true},
		{"NumericGreaterThanEquals is true when any policy value holds", "NumericGreaterThanEquals", []string{"5", "2"}, []string{"3"}, true},
		{"DateLessThan compares ISO 8601 times", "DateLessThan", []string{"2030-01-01T00:00:00Z"}, []string{"2024-06-01T12:00:00Z"}, true},
		{"DateLessThan is false after the bound", "DateLessThan", []string{"2020-01-01T00:00:00Z"}, []string{"2024-06-01T12:00:00Z"}, false},
		{"DateGreaterThan compares epoch seconds with an ISO date", "DateGreaterThan", []string{"2020-01-01T00:00:00Z"}, []string{"1700000000"}, true},
		{"DateEquals reads a date without a time as midnight UTC", "DateEquals", []string{"2024-01-01"}, []string{"2024-01-01T00:00:00Z"}, true},
		{"DateEquals applies the zone offset", "DateEquals", []string{"2024-01-01T01:00:00+01:00"}, []string{"2024-01-01T00:00:00Z"}, true},
		{"DateEquals compares fractions of seconds", "DateEquals", []string{"2024-01-01T00:00:00.5Z"}, []string{"2024-01-01T00:00:00Z"}, false},
		{"DateEquals of epoch seconds and an ISO time", "DateEquals", []string{"1577836800"}, []string{"2020-01-01T00:00:00Z"}, true},
		{"DateLessThanEquals is true at the bound", "DateLessThanEquals", []string{"2024-01-01T00:00:00Z"}, []string{"2024-01-01T00:00:00Z"}, true},
		{"DateGreaterThanEquals is true at the bound", "DateGreaterThanEquals", []string{"1577836800"}, []string{"1577836800"}, true},
		{"DateLessThan is false for a request value that is no date", "DateLessThan", []string{"2030-01-01"}, []string{"yesterday"}, false},
		{"DateNotEquals is true when the key is missing", "DateNotEquals", []string{"2030-01-01"}, abs, true},
		{"DateNotEquals is false for the same instant", "DateNotEquals", []string{"2030-01-01"}, []string{"2030-01-01T00:00:00Z"}, false},
		{"Bool matches true", "Bool", []string{"true"}, []string{"true"}, true},
		{"Bool does not match false with true", "Bool", []string{"false"}, []string{"true"}, false},
		{"Bool ignores the case of the request value", "Bool", []string{"true"}, []string{"TRUE"}, true},
		{"Bool does not read yes as true", "Bool", []string{"true"}, []string{"yes"}, false},
		{"Bool is false when the key is missing", "Bool", []string{"false"}, abs, false},
		{"BoolIfExists is true when the key is missing", "BoolIfExists", []string{"false"}, abs, true},
		{"BoolIfExists compares when the key is present", "BoolIfExists", []string{"false"}, []string{"true"}, false},
		{"BinaryEquals compares base64 values", "BinaryEquals", []string{"QmluYXJ5VmFsdWU="}, []string{"QmluYXJ5VmFsdWU="}, true},
		{"BinaryEquals takes the unpadded encoding of the same bytes", "BinaryEquals", []string{"QmluYXJ5VmFsdWU="}, []string{"QmluYXJ5VmFsdWU"}, true},
		{"BinaryEquals does not match other bytes", "BinaryEquals", []string{"QmluYXJ5VmFsdWU="}, []string{"T3RoZXI="}, false},
		{"BinaryEquals is false when the key is missing", "BinaryEquals", []string{"QmluYXJ5VmFsdWU="}, abs, false},
		{"IpAddress matches an address in a v4 block", "IpAddress", []string{"203.0.113.0/24"}, []string{"203.0.113.5"}, true},
		{"IpAddress does not match an address outside the block", "IpAddress", []string{"203.0.113.0/24"}, []string{"198.51.100.1"}, false},
		{"IpAddress takes a bare address as a block of one", "IpAddress", []string{"203.0.113.5"}, []string{"203.0.113.5"}, true},
		{"IpAddress's bare address matches no other", "IpAddress", []string{"203.0.113.5"}, []string{"203.0.113.6"}, false},
		{"IpAddress matches an address in a v6 block written in upper case", "IpAddress", []string{"2001:DB8:1234:5678::/64"}, []string{"2001:db8:1234:5678::1"}, true},
		{"IpAddress matches a v4-mapped v6 request address in a v4 block", "IpAddress", []string{"203.0.113.0/24"}, []string{"::ffff:203.0.113.5"}, true},
		{"IpAddress ignores host bits of the block", "IpAddress", []string{"203.0.113.77/24"}, []string{"203.0.113.5"}, true},
		{"IpAddress takes any of several blocks", "IpAddress", []string{"10.0.0.0/8", "2001:db8::/32"}, []string{"2001:db8::9"}, true},
		{"IpAddress is false for a request value that is no address", "IpAddress", []string{"0.0.0.0/0"}, []string{"localhost"}, false},
		{"IpAddress with a bad block matches nothing", "IpAddress", []string{"203.0.113.0/33"}, []string{"203.0.113.5"}, false},
		{"IpAddress is false when the key is missing", "IpAddress", []string{"0.0.0.0/0"}, abs, false},
		{"NotIpAddress is true outside every block", "NotIpAddress", []string{"192.0.2.0/24", "10.0.0.0/8"}, []string{"198.51.100.1"}, true},
		{"NotIpAddress is false inside a block", "NotIpAddress", []string{"192.0.2.0/24"}, []string{"192.0.2.1"}, false},
		{"NotIpAddress is true when the key is missing", "NotIpAddress", []string{"192.0.2.0/24"}, abs, true},
		{"ArnLike matches segment wildcards", "ArnLike", []string{"arn:aws:iam::*:role/ml-*"}, []string{"arn:aws:iam::123456789012:role/ml-x"}, true},
		{"ArnLike is case-sensitive", "ArnLike", []string{"arn:aws:iam::*:role/ML-*"}, []string{"arn:aws:iam::123456789012:role/ml-x"}, false},
		{"ArnLike's service is case-sensitive too", "ArnLike", []string{"arn:aws:IAM::*:role/x"}, []string{"arn:aws:iam::123456789012:role/x"}, false},
		{"ArnLike's resource part wildcard spans colons", "ArnLike", []string{"arn:aws:logs:*:*:log-group:*"}, []string{"arn:aws:logs:us-east-1:123456789012:log-group:g:log-stream:s"}, true},
		{"ArnLike checks each segment on its own", "ArnLike", []string{"arn:aws:s3:*:123456789012:x"}, []string{"arn:aws:s3:us-east-1:999:123456789012:x"}, false},
		{"ArnLike's ? stays within a segment", "ArnLike", []string{"arn:aws:sns:us-east-?:1:t"}, []string{"arn:aws:sns:us-east-1:1:t"}, true},
		{"ArnLike with a trailing * covers the rest of the ARN", "ArnLike", []string{"arn:aws:s3:*"}, []string{"arn:aws:s3:::bucket/key"}, true},
		{"ArnLike does not match a value that is no ARN", "ArnLike", []string{"arn:aws:s3:::b"}, []string{"b"}, false},
		{"ArnEquals takes wildcards as ArnLike does", "ArnEquals", []string{"arn:aws:sns:*:123456789012:topic"}, []string{"arn:aws:sns:us-east-1:123456789012:topic"}, true},
		{"ArnEquals does not match another resource", "ArnEquals", []string{"arn:aws:sns:*:123456789012:topic"}, []string{"arn:aws:sns:us-east-1:123456789012:other"}, false},
		{"ArnNotEquals is false for a matching ARN", "ArnNotEquals", []string{"arn:aws:sns:*:*:topic"}, []string{"arn:aws:sns:us-east-1:123456789012:topic"}, false},
		{"ArnNotLike is true when the key is missing", "ArnNotLike", []string{"arn:aws:iam::*:role/admin-*"}, abs, true},
		{"ArnNotLike is true for another ARN", "ArnNotLike", []string{"arn:aws:iam::*:role/admin-*"}, []string{"arn:aws:iam::1:role/ml"}, true},
		{"Null true holds when the key is missing", "Null", []string{"true"}, abs, true},
		{"Null true fails when the key is present", "Null", []string{"true"}, []string{"x"}, false},
		{"Null false holds when the key is present", "Null", []string{"false"}, []string{"x"}, true},
		{"Null false fails when the key is missing", "Null", []string{"false"}, abs, false},
		{"Null true holds for a key with no values", "Null", []string{"true"}, none, true},
		{"Null with both values always holds", "Null", []string{"true", "false"}, []string{"x"}, true},
		{"StringEqualsIfExists is true when the key is missing", "StringEqualsIfExists", []string{"ml"}, abs, true},
		{"StringEqualsIfExists compares a present key", "StringEqualsIfExists", []string{"ml"}, []string{"cv"}, false},
		{"StringNotEqualsIfExists is true when the key is missing", "StringNotEqualsIfExists", []string{"ml"}, abs, true},
		{"NumericLessThanIfExists is true when the key is missing", "NumericLessThanIfExists", []string{"1"}, abs, true},
		{"IpAddressIfExists compares a present key", "IpAddressIfExists", []string{"10.0.0.0/8"}, []string{"192.0.2.1"}, false},
		{"ForAnyValue:StringEquals is true when one request value matches", "ForAnyValue:StringEquals", []string{"a", "b"}, []string{"c", "b"}, true},
		{"ForAnyValue:StringEquals is false when none matches", "ForAnyValue:StringEquals", []string{"a", "b"}, []string{"c"}, false},
		{"ForAnyValue:StringEquals is false when the key is missing", "ForAnyValue:StringEquals", []string{"a"}, abs, false},
		{"ForAnyValue:StringEquals is false for an empty set", "ForAnyValue:StringEquals", []string{"a"}, none, false},
		{"ForAnyValue:StringNotEquals is true when one request value is not in the list", "ForAnyValue:StringNotEquals", []string{"a"}, []string{"a", "b"}, true},
		{"ForAnyValue:StringNotEquals is false when every value is in the list", "ForAnyValue:StringNotEquals", []string{"a", "b"}, []string{"a", "b"}, false},
		{"ForAnyValue:StringNotEquals is false when the key is missing", "ForAnyValue:StringNotEquals", []string{"a"}, abs, false},
		{"ForAnyValue:StringEqualsIfExists is true when the key is missing", "ForAnyValue:StringEqualsIfExists", []string{"a"}, abs, true},
		{"ForAllValues:StringEquals is true when every value is in the list", "ForAllValues:StringEquals", []string{"a", "b"}, []string{"a", "b"}, true},
		{"ForAllValues:StringEquals is false when one value is not", "ForAllValues:StringEquals", []string{"a", "b"}, []string{"a", "c"}, false},
		{"ForAllValues:StringEquals is true when the key is missing", "ForAllValues:StringEquals", []string{"a"}, abs, true},
		{"ForAllValues:StringEquals is true for an empty set", "ForAllValues:StringEquals", []string{"a"}, none, true},
		{"ForAllValues:StringEquals is true for a null dataset of one empty string", "ForAllValues:StringEquals", []string{"a"}, []string{""}, true},
		{"ForAnyValue:StringEquals is false for a null dataset even when the policy lists the empty string", "ForAnyValue:StringEquals", []string{""}, []string{""}, false},
		{"Null true holds for an empty string", "Null", []string{"true"}, []string{""}, true},
		{"StringEquals compares an empty string as a string", "StringEquals", []string{""}, []string{""}, true},
		{"ForAllValues:StringNotEquals is true when no value is in the list", "ForAllValues:StringNotEquals", []string{"a", "b"}, []string{"c", "d"}, true},
		{"ForAllValues:StringNotEquals is false when one value is in the list", "ForAllValues:StringNotEquals", []string{"a", "b"}, []string{"c", "a"}, false},
		{"ForAllValues:StringLike compares each value with each pattern", "ForAllValues:StringLike", []string{"team", "cost-*"}, []string{"team", "cost-x"}, true},
		{"ForAllValues:StringLike is false for a value no pattern takes", "ForAllValues:StringLike", []string{"team", "cost-*"}, []string{"team", "owner"}, false},
		{"ForAllValues:ArnLike compares each ARN", "ForAllValues:ArnLike", []string{"arn:aws:s3:::a/*"}, []string{"arn:aws:s3:::a/1", "arn:aws:s3:::a/2"}, true},
		{"ForAnyValue:NumericGreaterThan compares each number", "ForAnyValue:NumericGreaterThan", []string{"5"}, []string{"1", "9"}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pol := conditionDoc(t, Version2012, map[string]map[string][]string{c.op: {"k:key": c.values}})
			ctx := ctxOf(map[string][]string{"k:key": c.req})
			if got := holds(pol, ctx); got != c.want {
				t.Errorf("%s %q against %q = %v, want %v", c.op, c.values, c.req, got, c.want)
			}
		})
	}
}

func TestConditionsCombine(t *testing.T) {
	cases := []struct {
		name  string
		block map[string]map[string][]string
		ctx   map[string][]string
		want  bool
	}{
		{
			name:  "two operators must both hold",
			block: map[string]map[string][]string{"StringEquals": {"k:a": {"1"}}, "Bool": {"k:b": {"true"}}},
			ctx:   map[string][]string{"k:a": {"1"}, "k:b": {"false"}},
			want:  false,
		},
		{
			name:  "two operators that both hold allow",
			block: map[string]map[string][]string{"StringEquals": {"k:a": {"1"}}, "Bool": {"k:b": {"true"}}},
			ctx:   map[string][]string{"k:a": {"1"}, "k:b": {"true"}},
			want:  true,
		},
		{
			name:  "two keys of one operator must both hold",
			block: map[string]map[string][]string{"StringEquals": {"k:a": {"1"}, "k:b": {"2"}}},
			ctx:   map[string][]string{"k:a": {"1"}, "k:b": {"3"}},
			want:  false,
		},
		{
			name:  "condition key names are case-insensitive",
			block: map[string]map[string][]string{"StringEquals": {"AWS:PrincipalTag/Team": {"ml"}}},
			ctx:   map[string][]string{"aws:principaltag/team": {"ml"}},
			want:  true,
		},
		{
			name:  "condition values keep their case",
			block: map[string]map[string][]string{"StringEquals": {"aws:PrincipalTag/team": {"ML"}}},
			ctx:   map[string][]string{"aws:PrincipalTag/team": {"ml"}},
			want:  false,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pol := conditionDoc(t, Version2012, c.block)
			if got := holds(pol, ctxOf(c.ctx)); got != c.want {
				t.Errorf("conditions %v in %v = %v, want %v", c.block, c.ctx, got, c.want)
			}
		})
	}
}

func TestConditionVariables(t *testing.T) {
	abs := []string(nil)
	cases := []struct {
		name    string
		version string
		op      string
		value   string
		req     []string
		user    []string // aws:username
		want    bool
	}{
		{"a variable is replaced by the request's value", Version2012, "StringEquals", "${aws:username}", []string{"alice"}, []string{"alice"}, true},
		{"a variable's value is compared whole", Version2012, "StringEquals", "${aws:username}", []string{"alice"}, []string{"bob"}, false},
		{"a variable sits inside literal text", Version2012, "StringLike", "home/${aws:username}/*", []string{"home/alice/x"}, []string{"alice"}, true},
		{"a variable's value is literal even when it holds a star", Version2012, "StringLike", "home/${aws:username}", []string{"home/anyone"}, []string{"*"}, false},
		{"a variable's value holding a star matches that star", Version2012, "StringLike", "home/${aws:username}", []string{"home/*"}, []string{"*"}, true},
		{"a positive operator does not match a variable without a value", Version2012, "StringEquals", "${aws:username}", []string{""}, abs, false},
		{"a StringLike does not match a variable without a value", Version2012, "StringLike", "${aws:username}*", []string{"x"}, abs, false},
		{"a negated operator matches a variable without a value", Version2012, "StringNotEquals", "${aws:username}", []string{"x"}, abs, true},
		{"a default stands in for a missing key", Version2012, "StringEquals", "${aws:username, 'nobody'}", []string{"nobody"}, abs, true},
		{"a default is not used when the key has a value", Version2012, "StringEquals", "${aws:username, 'nobody'}", []string{"nobody"}, []string{"alice"}, false},
		{"a default may be written without the space", Version2012, "StringEquals", "${aws:username,'nobody'}", []string{"nobody"}, abs, true},
		{"a variable's key is case-insensitive", Version2012, "StringEquals", "${AWS:UserName}", []string{"alice"}, []string{"alice"}, true},
		{"a multivalued key is no variable", Version2012, "StringEquals", "${aws:username}", []string{"a"}, []string{"a", "b"}, false},
		{"variables are literal in 2008-10-17", Version2008, "StringEquals", "${aws:username}", []string{"${aws:username}"}, []string{"alice"}, true},
		{"variables are literal without a Version", "", "StringEquals", "${aws:username}", []string{"alice"}, []string{"alice"}, false},
		{"an unterminated variable is literal text", Version2012, "StringEquals", "${aws:username", []string{"${aws:username"}, []string{"alice"}, true},
		{"ArnLike resolves a variable in the account segment", Version2012, "ArnLike", "arn:aws:iam::${aws:username}:role/x", []string{"arn:aws:iam::123456789012:role/x"}, []string{"123456789012"}, true},
		{"NumericEquals does not resolve variables", Version2012, "NumericEquals", "${aws:username}", []string{"5"}, []string{"5"}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pol := conditionDoc(t, c.version, map[string]map[string][]string{c.op: {"k:key": {c.value}}})
			ctx := ctxOf(map[string][]string{"k:key": c.req, "aws:username": c.user})
			if got := holds(pol, ctx); got != c.want {
				t.Errorf("%s %q against %q with aws:username %q = %v, want %v", c.op, c.value, c.req, c.user, got, c.want)
			}
		})
	}
}

func TestParseDate(t *testing.T) {
	cases := []struct {
		in   string
		sec  int64
		nsec int32
		ok   bool
	}{
		{"2020-01-01T00:00:00Z", 1577836800, 0, true},
		{"2020-01-01", 1577836800, 0, true},
		{"2020", 2020, 0, true}, // without "t" or "-", epoch seconds, as IAM's parser reads it
		{"2020-01", 1577836800, 0, true},
		{"2020-01-01t00:00:00z", 1577836800, 0, true},
		{"2020-01-01T01:00:00+01:00", 1577836800, 0, true},
		{"2019-12-31T23:00:00-01", 1577836800, 0, true},
		{"2020-01-01T00:00:00.25Z", 1577836800, 250000000, true},
		{"2020-01-01T00:00", 1577836800, 0, true},
		{"1577836800", 1577836800, 0, true},
		{"1970-01-01T00:00:00Z", 0, 0, true},
		{"1969-12-31T23:59:59Z", -1, 0, true},
		{"0000-03-01", -62162035200, 0, true},
		{"2024-02-29", 1709164800, 0, true},
		{"2020-13-01", 0, 0, false},
		{"2020-01-01T24:00:00Z", 0, 0, false},
		{"2020-01-01T00:00:00+1", 0, 0, false},
		{"yesterday", 0, 0, false},
		{"", 0, 0, false},
		{"-1", -62198755200, 0, true}, // with a "-", a year: the year before year 0
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			got, ok := parseDate(c.in)
			if ok != c.ok || ok && (got.sec != c.sec || got.nsec != c.nsec) {
				t.Errorf("parseDate(%q) = %v, %v, want {%d %d}, %v", c.in, got, ok, c.sec, c.nsec, c.ok)
			}
			if ok != legacyDate(c.in) {
				t.Errorf("parseDate(%q) ok = %v, but legacyDate = %v", c.in, ok, legacyDate(c.in))
			}
		})
	}
}

// FuzzParseDate checks that parseDate never panics and reads exactly the values IAM's parser takes (legacyDate),
// and that a date it reads compares equal to itself written as epoch seconds when that is possible.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2020-01-01T00:00:00Z", "1577836800", "01T", "2016-12-13t2:00:00.593194+23", "-292275054-01-01", "2020-01-01T00:00:00.1234567891Z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, ok := parseDate(s)
		if ok != legacyDate(s) {
			t.Fatalf("parseDate(%q) ok = %v, but legacyDate = %v", s, ok, legacyDate(s))
		}
		if ok && d.sec >= 0 && d.nsec == 0 && !strings.ContainsAny(s, "tT-") {
			again, ok2 := parseDate(fmt.Sprint(d.sec))
			if !ok2 || again != d {
				t.Fatalf("parseDate(%q) = %v, but its epoch seconds read back as %v, %v", s, d, again, ok2)
			}
		}
	})
}
