package reference

import (
	"fmt"
	"strings"
	"testing"

	"github.com/sagebox/sagebox/internal/policy"
)

func TestCheck(t *testing.T) {
	r := Load()
	stmt := func(body string) string {
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` + body + `}]}`
	}
	cases := []struct {
		name string
		kind policy.Kind
		doc  string
		want []string // "CODE statement: text the message contains"
	}{
		{"a good policy", policy.Identity, stmt(`"Action":"iam:PassRole","Resource":"arn:aws:iam::123456789012:role/service-role/*","Condition":{"StringEquals":{"iam:PassedToService":"sagemaker.amazonaws.com","aws:PrincipalTag/team":"ml"}}`), nil},
		{"a misspelt action", policy.Identity, stmt(`"Action":"s3:GetObjekt","Resource":"*"`),
			[]string{"INVALID_ACTION 0: the action s3:GetObjekt does not exist in Amazon S3; did you mean s3:GetObject?"}},
		{"an action far from any", policy.Identity, stmt(`"Action":"iam:Frobnicate","Resource":"*"`),
			[]string{"INVALID_ACTION 0: the action iam:Frobnicate does not exist in AWS Identity and Access Management (IAM)"}},
		{"a wildcard that matches nothing", policy.Identity, stmt(`"Action":"sagemaker:Frob*","Resource":"*"`),
			[]string{"NO_ACTION_MATCHES 0: the action sagemaker:Frob* matches no action"}},
		{"an action name is case-insensitive", policy.Identity, stmt(`"Action":"IAM:getrole","Resource":"*"`), nil},
		{"a service that does not exist", policy.Identity, stmt(`"Action":"dynamo:GetItem","Resource":"*"`),
			[]string{"INVALID_SERVICE 0: the service dynamo in the action dynamo:GetItem does not exist"}},
		{"a service that is not vendored", policy.Identity, stmt(`"Action":["dynamodb:GetItem","dynamodb:PutItem"],"Resource":"arn:aws:dynamodb:*:*:table/t","Condition":{"ForAllValues:StringEquals":{"dynamodb:LeadingKeys":"x"}}`),
			[]string{"NOT_CHECKED 0: the actions of dynamodb are not checked", "NOT_CHECKED 0: the condition keys of dynamodb are not checked"}},
		{"a resource of the wrong type", policy.Identity, stmt(`"Action":"iam:GetRole","Resource":"arn:aws:iam::123456789012:user/alice"`),
			[]string{"UNSUPPORTED_RESOURCE 0: the resource arn:aws:iam::123456789012:user/alice matches no resource type of the statement's actions (iam:GetRole)"}},
		{"a bucket for an object action", policy.Identity, stmt(`"Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket"`),
			[]string{"UNSUPPORTED_RESOURCE 0: the resource arn:aws:s3:::bucket matches no resource type"}},
		{"objects for a bucket action", policy.Identity, stmt(`"Action":["s3:ListBucket","s3:GetObject"],"Resource":"arn:aws:s3:::bucket/*"`),
			[]string{"MISSING_RESOURCE 0: the action s3:ListBucket acts on accesspoint or bucket, which none of the statement's resources matches"}},
		{"a list action on a resource", policy.Identity, stmt(`"Action":["iam:ListRoles","iam:GetRole"],"Resource":"arn:aws:iam::123456789012:role/*"`),
			[]string{`MISSING_RESOURCE 0: the action iam:ListRoles takes no resource, so only "Resource": "*" applies to it`}},
		{"a policy variable in a resource", policy.Identity, stmt(`"Action":"iam:GetUser","Resource":"arn:aws:iam::123456789012:user/${aws:username}"`), nil},
		{"a wildcard action and matching resources", policy.Identity, stmt(`"Action":"s3:Get*","Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"]`), nil},
		{"a condition key that does not exist", policy.Identity, stmt(`"Action":"iam:CreateRole","Resource":"*","Condition":{"StringEquals":{"iam:RoleColour":"blue"}}`),
			[]string{"INVALID_SERVICE_CONDITION_KEY 0: the condition key iam:RoleColour does not exist in AWS Identity and Access Management (IAM)"}},
		{"a global key that does not exist", policy.Identity, stmt(`"Action":"iam:GetRole","Resource":"*","Condition":{"Bool":{"aws:SecureTransprt":"true"}}`),
			[]string{"INVALID_GLOBAL_CONDITION_KEY 0: the condition key aws:SecureTransprt is not a global condition key"}},
		{"a key no action takes", policy.Identity, stmt(`"Action":"iam:GetRole","Resource":"*","Condition":{"StringEquals":{"iam:PassedToService":"x"}}`),
			[]string{"UNSUPPORTED_ACTION_FOR_CONDITION_KEY 0: none of the statement's actions (iam:GetRole) takes the condition key iam:PassedToService"}},
		{"a key some actions take", policy.Identity, stmt(`"Action":["iam:PassRole","iam:GetRole"],"Resource":"*","Condition":{"StringEquals":{"iam:PassedToService":"x"}}`),
			[]string{"UNSUPPORTED_ACTION_FOR_CONDITION_KEY 0: the condition key iam:PassedToService is not taken by iam:GetRole"}},
		{"a tag key of the resource", policy.Identity, stmt(`"Action":"sagemaker:DescribeDomain","Resource":"*","Condition":{"StringEquals":{"sagemaker:ResourceTag/team":"ml"}}`), nil},
		{"NotAction names are checked, not their resources", policy.Identity, stmt(`"NotAction":["iam:GetRol"],"Resource":"arn:aws:s3:::b"`),
			[]string{"INVALID_ACTION 0: the action iam:GetRol does not exist"}},
		{"a trust policy with identity provider keys", policy.Trust, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"accounts.google.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"accounts.google.com:aud":"x","sts:ExternalId":"y"}}}]}`,
			[]string{"UNSUPPORTED_ACTION_FOR_CONDITION_KEY 0: none of the statement's actions (sts:AssumeRoleWithWebIdentity) takes the condition key sts:ExternalId"}},
		{"a bucket policy", policy.Resource, `{"Version":"2012-10-17","Statement":[{"Sid":"Deny","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`, nil},
		{"the second statement", policy.Identity, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Sid":"Two","Effect":"Deny","Action":"ec2:DescribeVpc","Resource":"*"}]}`,
			[]string{"INVALID_ACTION 1: the action ec2:DescribeVpc does not exist in Amazon EC2; did you mean ec2:DescribeVpcs?"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc, err := policy.Parse(c.doc, c.kind)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			got := r.Check(doc)
			if len(got) != len(c.want) {
				t.Fatalf("Check(%s) = %v, want %d findings: %v", c.doc, got, len(c.want), c.want)
			}
			for i, w := range c.want {
				code, rest, _ := strings.Cut(w, " ")
				stmtIdx, text, _ := strings.Cut(rest, ": ")
				f := got[i]
				if f.Code != code || fmt.Sprint(f.Statement) != stmtIdx || !strings.Contains(f.Message, text) {
					t.Errorf("Check(%s)[%d] = %s %d %q, want %s", c.doc, i, f.Code, f.Statement, f.Message, w)
				}
				if f.Warning == (code == "NOT_CHECKED") {
					t.Errorf("Check(%s)[%d] = %s with Warning %v, want notes for NOT_CHECKED only", c.doc, i, f.Code, f.Warning)
				}
			}
		})
	}
}

func TestFindingString(t *testing.T) {
	f := Finding{Statement: 2, Sid: "S", Warning: true, Code: "INVALID_ACTION", Message: "the action x:y does not exist"}
	if got, want := f.String(), `warning: statement 2 (Sid "S"): the action x:y does not exist`; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	f = Finding{Statement: 0, Code: "NOT_CHECKED", Message: "m"}
	if got, want := f.String(), "note: statement 0: m"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

func TestDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{{"", "", 0}, {"a", "", 1}, {"getobjekt", "getobject", 1}, {"kitten", "sitting", 3}} {
		if got := distance(c.a, c.b); got != c.want {
			t.Errorf("distance(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}
