package reference

import (
	"testing"

	"github.com/sagebox/sagebox/internal/policy"
)

// FuzzMatch feeds arbitrary resources and key names to the matchers. They must not panic, and they must agree with
// what a match means: a pattern meets itself, meeting is symmetric, and "*" meets everything.
func FuzzMatch(f *testing.F) {
	for _, s := range []string{
		"arn:aws:iam::123456789012:role/r", "arn:aws:s3:::b/*", "*", "", "arn:", "arn:::::", "a*?b", "${x}",
		"arn:aws:logs:us-east-1:1:log-group:/a:*", "aws:RequestTag/team", "agent.${Domain}.buildkite.dev:x", "<key>",
	} {
		f.Add(s, "arn:aws:iam::*:role/*")
	}
	r := Load()
	iam, _ := r.Service("iam")
	f.Fuzz(func(t *testing.T, a, b string) {
		if len(a) > 512 || len(b) > 512 {
			return
		}
		ta, tb := globTokens(a), globTokens(b)
		if !intersect(ta, literal(a)) {
			t.Errorf("%q does not meet itself", a)
		}
		if intersect(ta, tb) != intersect(tb, ta) {
			t.Errorf("meeting %q and %q is not symmetric", a, b)
		}
		if !intersect(globTokens("*"), ta) {
			t.Errorf(`"*" does not meet %q`, a)
		}
		_ = r.MatchResource("iam", a)
		_ = r.MatchResource("s3", b)
		_, _ = r.ConditionKey(a)
		_ = iam.MatchActions(b)
		newTemplate(a).matches(b)
		formatTokens(a)
	})
}

// FuzzCheck validates arbitrary documents as every kind and checks those IAM accepts: Check must not panic, and
// every finding must name a statement of the document.
func FuzzCheck(f *testing.F) {
	for _, s := range []string{
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObjekt","Resource":"arn:aws:s3:::b"}}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:*","dynamodb:Get*","x*:y"],"Resource":["arn:aws:iam::1:role/${aws:username}","*"],"Condition":{"StringEquals":{"iam:PassedToService":"a","aws:Nope":"b","saml:aud":"c","foo:bar":"d"}}}]}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"accounts.google.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"accounts.google.com:aud":"x"}}}]}`,
		`{"Statement":[{"Effect":"Deny","NotAction":"ec2:Describe*","NotResource":"arn:aws:ec2:*:*:vpc/*"}]}`,
	} {
		f.Add(s)
	}
	r := Load()
	f.Fuzz(func(t *testing.T, text string) {
		if len(text) > 4096 {
			return
		}
		for _, kind := range []policy.Kind{policy.Identity, policy.Managed, policy.Trust, policy.Resource, policy.Session, policy.ServiceControl} {
			doc, err := policy.Parse(text, kind)
			if err != nil {
				continue
			}
			for _, fd := range r.Check(doc) {
				if fd.Statement < 0 || fd.Statement >= len(doc.Statements) || fd.Message == "" || fd.Code == "" {
					t.Errorf("Check(%q) as %v gave %+v, which names no statement of the document", text, kind, fd)
				}
			}
		}
	})
}
