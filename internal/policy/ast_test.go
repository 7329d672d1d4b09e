package policy

import (
	"errors"
	"reflect"
	"testing"
)

func equalDocuments(a, b *Document) bool { return reflect.DeepEqual(a, b) }

func mustParse(t *testing.T, text string, kind Kind) *Document {
	t.Helper()
	d, err := Parse(text, kind)
	if err != nil {
		t.Fatalf("Parse(%s, %v) = %v, want valid", text, kind, err)
	}
	return d
}

func TestParseBuildsTheAST(t *testing.T) {
	const text = `{
	  "Id": "trust",
	  "Version": "2012-10-17",
	  "Statement": [
	    {"Sid": "Services", "Effect": "Allow", "Principal": {"Service": ["sagemaker.amazonaws.com", "ec2.amazonaws.com"]},
	     "Action": "sts:AssumeRole"},
	    {"Effect": "Allow", "Principal": {"AWS": ["*", "123456789012", "arn:aws:iam::123456789012:role/ci"]},
	     "Action": ["sts:AssumeRole", "sts:TagSession"],
	     "Condition": {
	       "ForAnyValue:StringLikeIfExists": {"aws:TagKeys": ["team", "cost-*"], "aws:PrincipalTag/team": "ml"},
	       "NumericLessThan": {"aws:MultiFactorAuthAge": 3600},
	       "Bool": {"aws:SecureTransport": true}
	     }},
	    {"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole",
	     "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": []}}}
	  ]
	}`
	got := mustParse(t, text, Trust)
	want := &Document{
		Kind:    Trust,
		Version: Version2012,
		ID:      "trust",
		Statements: []*Statement{
			{Index: 0, Sid: "Services", Effect: Allow,
				Principal: &Principals{Service: []string{"sagemaker.amazonaws.com", "ec2.amazonaws.com"}},
				Action:    []string{"sts:AssumeRole"}},
			{Index: 1, Effect: Allow,
				Principal: &Principals{All: true, AWS: []string{"arn:aws:iam::123456789012:root", "arn:aws:iam::123456789012:role/ci"}},
				Action:    []string{"sts:AssumeRole", "sts:TagSession"},
				Conditions: []Condition{
					{Operator: StringLike, Qualifier: ForAnyValue, IfExists: true, Key: "aws:TagKeys", Values: []string{"team", "cost-*"}},
					{Operator: StringLike, Qualifier: ForAnyValue, IfExists: true, Key: "aws:PrincipalTag/team", Values: []string{"ml"}},
					{Operator: NumericLessThan, Key: "aws:MultiFactorAuthAge", Values: []string{"3600"}},
					{Operator: Bool, Key: "aws:SecureTransport", Values: []string{"true"}},
				}},
			{Index: 2, Effect: Deny, Principal: &Principals{All: true}, Action: []string{"sts:AssumeRole"},
				Conditions: []Condition{{Operator: StringEquals, Qualifier: ForAllValues, Key: "aws:TagKeys", Values: []string{}}}},
		},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Parse(trust policy) =\n%s\nwant\n%s", got, want)
	}
	if !got.Variables() {
		t.Errorf("Variables() of a 2012-10-17 document = false, want true")
	}
	if again := mustParse(t, got.String(), Trust); !reflect.DeepEqual(again, want) {
		t.Errorf("Parse(Marshal()) =\n%s\nwant\n%s", again, want)
	}
	if name := got.Statements[1].Conditions[0].OperatorName(); name != "ForAnyValue:StringLikeIfExists" {
		t.Errorf("OperatorName() = %q, want %q", name, "ForAnyValue:StringLikeIfExists")
	}
	if got := got.AWSPrincipals(); !reflect.DeepEqual(got, []string{"arn:aws:iam::123456789012:role/ci"}) {
		t.Errorf("AWSPrincipals() = %q, want the role only", got)
	}
}

func TestParseKeepsWhatWasWritten(t *testing.T) {
	// A single statement object is statement 0; lists keep their order and duplicates; Version stays absent.
	d := mustParse(t, `{"Statement":{"Effect":"Allow","NotAction":["s3:Get*","s3:Get*"],"NotResource":"arn:aws:s3:::b/*"}}`, Identity)
	s := d.Statements[0]
	if d.Version != "" || d.Variables() {
		t.Errorf("Version = %q, Variables() = %v, want absent and false", d.Version, d.Variables())
	}
	if s.Index != 0 || s.Action != nil || s.Resource != nil || s.Principal != nil {
		t.Errorf("statement = %+v, want index 0 and no Action, Resource or Principal", s)
	}
	if !reflect.DeepEqual(s.NotAction, []string{"s3:Get*", "s3:Get*"}) || !reflect.DeepEqual(s.NotResource, []string{"arn:aws:s3:::b/*"}) {
		t.Errorf("NotAction, NotResource = %q, %q, want them as written", s.NotAction, s.NotResource)
	}
}

func TestMarshal(t *testing.T) {
	const text = `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"123456789012","Federated":"cognito-identity.amazonaws.com"},` +
		`"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"a\"b":"<x>\u00e9"}}}],"Version":"2012-10-17"}`
	d := mustParse(t, text, Trust)
	const want = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::123456789012:root"],` +
		`"Federated":["cognito-identity.amazonaws.com"]},"Action":["sts:AssumeRoleWithWebIdentity"],` +
		`"Condition":{"StringEquals":{"a\"b":["<x>é"]}}}]}`
	if got := d.String(); got != want {
		t.Errorf("Marshal() =\n%s\nwant\n%s", got, want)
	}
	all := mustParse(t, `{"Statement":{"Effect":"Allow","Principal":{"AWS":["*"]},"Action":"sts:AssumeRole"}}`, Trust)
	if got := string(all.Statements[0].Principal.appendJSON(nil)); got != `"*"` {
		t.Errorf("Marshal of {\"AWS\": [\"*\"]} = %s, want \"*\"", got)
	}
}

func TestErrorsSayWhere(t *testing.T) {
	tests := []struct {
		name, text string
		kind       Kind
		want       Error
	}{
		{"second statement's resource", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"},{"Effect":"Allow","Action":"s3:*","Resource":"bucket"}]}`,
			Managed, Error{Code: CodeResource, Statement: 1, Value: "bucket", Message: `Resource bucket must be in ARN format or "*".`}},
		{"an action", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:a:b","Resource":"*"}}`,
			Identity, Error{Code: CodeAction, Statement: 0, Value: "s3:a:b", Message: msgActionColon}},
		{"a principal", `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"},{"Effect":"Allow","Principal":{"Service":"x"},"Action":"sts:AssumeRole"}]}`,
			Trust, Error{Code: CodePrincipal, Statement: 1, Value: "x", Message: `Invalid principal in policy: "SERVICE":"x"`}},
		{"the version", `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`,
			Managed, Error{Code: CodeVersion, Statement: -1, Message: msgVersion}},
		{"an SCP keeps the rule", `{"Statement":{"Effect":"Deny","Action":"s3:*"}}`,
			ServiceControl, Error{Code: CodeNoResources, Statement: 0, Message: msgPolicyType}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.text, tt.kind)
			var got *Error
			if !errors.As(err, &got) {
				t.Fatalf("Parse(%s) = %v, want a *Error", tt.text, err)
			}
			if *got != tt.want {
				t.Errorf("Parse(%s) = %+v, want %+v", tt.text, *got, tt.want)
			}
		})
	}
}

func TestInvalidPrincipalText(t *testing.T) {
	got := InvalidPrincipal("AWS", "arn:aws:iam::123456789012:role/gone").Message
	const want = `Invalid principal in policy: "AWS":"arn:aws:iam::123456789012:role/gone"`
	if got != want {
		t.Errorf("InvalidPrincipal(AWS, …) = %q, want %q", got, want)
	}
}

func TestKindNames(t *testing.T) {
	for k := Identity; k <= ServiceControl; k++ {
		if got, ok := ParseKind(k.String()); !ok || got != k {
			t.Errorf("ParseKind(%q) = %v, %v, want %v", k.String(), got, ok, k)
		}
	}
	if _, ok := ParseKind("Inline"); ok {
		t.Errorf("ParseKind(%q) succeeded, want false", "Inline")
	}
}

func TestOperators(t *testing.T) {
	for o := Operator(1); o < maxOperator; o++ {
		got, q, ifExists, ok := splitOperator("ForAllValues:" + o.String() + "IfExists")
		if !ok || got != o || q != ForAllValues || !ifExists {
			t.Errorf("splitOperator(ForAllValues:%sIfExists) = %v, %v, %v, %v, want %v", o, got, q, ifExists, ok, o)
		}
	}
	for _, name := range []string{"IfExists", "ForAnyValue:", "ForAnyValue:IfExists", "StringEqualsIfExistsIfExists", "ForAllValues:ForAnyValue:Bool", "IPAddress"} {
		if _, _, _, ok := splitOperator(name); ok {
			t.Errorf("splitOperator(%q) is an operator, want not", name)
		}
	}
	if !NotIPAddress.Negated() || StringLike.Negated() || !DateEquals.IsDate() || Bool.IsDate() {
		t.Errorf("Negated or IsDate is wrong")
	}
}
