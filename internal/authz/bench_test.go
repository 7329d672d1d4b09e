package authz

import (
	"fmt"
	"strings"
	"testing"

	"github.com/sagebox/sagebox/internal/api"
	"github.com/sagebox/sagebox/internal/policy"
)

// tenPolicies is a user's ten attached managed policies of ten statements each, every statement with conditions
// on global keys; the one statement that allows iam:GetUser is the last of the last policy.
func tenPolicies(b testing.TB) []*policy.Compiled {
	services := []string{"s3", "ec2", "sagemaker", "logs", "kms", "ecr", "sts", "cloudwatch", "sns", "iam"}
	var out []*policy.Compiled
	for p := range 10 {
		var stmts []string
		for s := range 10 {
			action := fmt.Sprintf(`"%s:Get%d*","%s:List%d*"`, services[(p+s)%10], s, services[(p+s)%10], s)
			if p == 9 && s == 9 {
				action = `"iam:GetUser"`
			}
			stmts = append(stmts, fmt.Sprintf(`{"Sid":"S%d","Effect":"Allow","Action":[%s],"Resource":"arn:aws:*:*:111122223333:*",`+
				`"Condition":{"StringEquals":{"aws:RequestedRegion":["us-east-1","eu-west-1"]},`+
				`"IpAddress":{"aws:SourceIp":["192.0.2.0/24","10.0.0.0/8"]},`+
				`"StringLike":{"aws:PrincipalTag/team":"ml-*"},"DateGreaterThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}}}`,
				s, action))
		}
		doc := `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`
		out = append(out, identityPolicy(b, fmt.Sprintf("arn:aws:iam::111122223333:policy/p%d v1", p), doc))
	}
	return out
}

// BenchmarkAuthorize is one authorization on the request path for a user with ten attached policies: the request
// context built, the engine's decision, the decision logged (the writer is left out: it runs off the path).
func BenchmarkAuthorize(b *testing.B) {
	ids := fakeIdentities{aliceARN: {Identity: tenPolicies(b), Tags: map[string]string{"team": "ml-core"}}}
	z := open(b, Config{Identities: ids})
	c := call(alice, "iam")
	a := &api.Authorization{Action: "iam:GetUser", Resources: []string{aliceARN}}
	if d, _ := z.Authorize(ctx, c, a); !d.Allowed {
		b.Fatalf("the benchmark's request is denied: %s", d.Reason)
	}
	b.ReportAllocs()
	for b.Loop() {
		z.Authorize(ctx, c, a)
	}
}

// BenchmarkDecideTenPolicies is the engine's share of BenchmarkAuthorize.
func BenchmarkDecideTenPolicies(b *testing.B) {
	ids := fakeIdentities{aliceARN: {Identity: tenPolicies(b), Tags: map[string]string{"team": "ml-core"}}}
	z := open(b, Config{Identities: ids})
	var e entry
	if err := z.prepare(call(alice, "iam"), &api.Authorization{Action: "iam:GetUser"}, &e); err != nil {
		b.Fatal(err)
	}
	e.req.Resource = aliceARN
	if d := decide(&e.req, &e.set); d.Outcome != policy.Allowed {
		b.Fatalf("the benchmark's request is %v", d)
	}
	b.ReportAllocs()
	for b.Loop() {
		decide(&e.req, &e.set)
	}
}
