package policy

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestResourceMatching(t *testing.T) {
	const bucket = "arn:aws:s3:::amzn-s3-demo-bucket"
	cases := []struct {
		name     string
		pattern  string
		resource string
		want     bool
	}{
		{"* alone matches every resource", "*", "arn:aws:s3:::b/k", true},
		{"* alone matches a resource that is no ARN", "*", "*", true},
		{"an ARN pattern does not match the * of an action without resource types", "arn:aws:s3:::*", "*", false},
		{"a bucket's objects match bucket/*", bucket + "/*", bucket + "/a/b", true},
		{"bucket/* does not match the bucket itself", bucket + "/*", bucket, false},
		{"bucket/* does not match another bucket with the same prefix", bucket + "/*", bucket + "2/x", false},
		{"the guide's */test/* matches one level", bucket + "/*/test/*", bucket + "/1/test/object.jpg", true},
		{"the guide's */test/* matches two levels", bucket + "/*/test/*", bucket + "/1/2/test/object.jpg", true},
		{"the guide's */test/* matches empty levels", bucket + "/*/test/*", bucket + "/1///test///object.jpg", true},
		{"the guide's */test/* matches an empty first level", bucket + "/*/test/*", bucket + "//test/object.jpg", true},
		{"the guide's */test/* matches an empty object name", bucket + "/*/test/*", bucket + "/1/test/", true},
		{"the guide's */test/* wants the slashes around test", bucket + "/*/test/*", bucket + "/1-test/object.jpg", false},
		{"the guide's */test/* wants a level before test", bucket + "/*/test/*", bucket + "/test/object.jpg", false},
		{"the guide's */test/* wants test to be a level", bucket + "/*/test/*", bucket + "/1/2/test.jpg", false},
		{"the resource part is case-sensitive", "arn:aws:iam::123456789012:user/Bob", "arn:aws:iam::123456789012:user/bob", false},
		{"the service prefix is case-insensitive", "arn:aws:S3:::b", "arn:aws:s3:::b", true},
		{"segment wildcards match region and account", "arn:aws:sagemaker:*:*:domain/*", "arn:aws:sagemaker:us-east-1:123456789012:domain/d-abc", true},
		{"a segment * matches an empty region", "arn:aws:iam:*:*:role/x", "arn:aws:iam::123456789012:role/x", true},
		{"a ? in a segment matches one character", "arn:aws:ec2:us-east-?:*:vpc/*", "arn:aws:ec2:us-east-1:123456789012:vpc/vpc-1", true},
		{"a ? does not match an empty segment", "arn:aws:s3:?::b", "arn:aws:s3:::b", false},
		{"a * inside a segment does not cross a colon", "arn:aws:ec2:us-*-1:*:vpc/x", "arn:aws:ec2:us-x:y-1:123:vpc/x", false},
		{"a * inside a segment matches within it", "arn:aws:ec2:us-*-1:*:vpc/x", "arn:aws:ec2:us-east-1:123:vpc/x", true},
		{"a pattern ending in a segment * covers the rest of the ARN", "arn:aws:s3:*", "arn:aws:s3:::bucket/key", true},
		{"arn:* matches every ARN", "arn:*", "arn:aws:iam::123456789012:role/x", true},
		{"a partial ARN ending in a prefix covers the rest", "arn:aws:s3:us-*", "arn:aws:s3:us-east-1:1:x", true},
		{"a partial ARN without a star wants as many segments", "arn:aws:s3", "arn:aws:s3:::b", false},
		{"a * ending a segment may expand past its colon", "arn:aws:logs:us-east-1:*:log-stream:s", "arn:aws:logs:us-east-1:123456789012:log-group:g:log-stream:s", true},
		{"an expanding * still wants the rest to match", "arn:aws:logs:us-east-1:*:log-stream:s", "arn:aws:logs:us-east-1:123456789012:log-group:g:log-stream:t", false},
		{"the resource part's * spans colons", "arn:aws:logs:*:*:log-group:g:*", "arn:aws:logs:us-east-1:1:log-group:g:log-stream:s", true},
		{"a different service does not match", "arn:aws:s3:::b", "arn:aws:sqs:::b", false},
		{"a different partition does not match", "arn:aws:s3:::b", "arn:aws-cn:s3:::b", false},
		{"the resource part must match whole", "arn:aws:s3:::b", "arn:aws:s3:::b/x", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := compileARN(c.pattern, arnOptions{vars: true, expand: true, fold: true})
			if got := p.match(c.resource, nil); got != c.want {
				t.Errorf("Resource %q matching %q = %v, want %v", c.pattern, c.resource, got, c.want)
			}
		})
	}
}

func TestResourceVariables(t *testing.T) {
	cases := []struct {
		name     string
		vars     bool
		pattern  string
		resource string
		ctx      map[string][]string
		want     bool
	}{
		{"a variable in the resource part takes the request's value", true, "arn:aws:s3:::b/${aws:username}/*", "arn:aws:s3:::b/alice/x", map[string][]string{"aws:username": {"alice"}}, true},
		{"a variable's value must be the one in the ARN", true, "arn:aws:s3:::b/${aws:username}/*", "arn:aws:s3:::b/bob/x", map[string][]string{"aws:username": {"alice"}}, false},
		{"a resource with a variable without a value matches no resource", true, "arn:aws:s3:::b/${aws:username}*", "arn:aws:s3:::b/x", nil, false},
		{"a default stands in for a missing tag", true, "arn:aws:s3:::b-${aws:PrincipalTag/team, 'company-wide'}", "arn:aws:s3:::b-company-wide", nil, true},
		{"a tag variable takes the principal's tag", true, "arn:aws:s3:::b-${aws:PrincipalTag/team, 'company-wide'}", "arn:aws:s3:::b-yellow", map[string][]string{"aws:PrincipalTag/team": {"yellow"}}, true},
		{"a service key works as a variable", true, "arn:aws:sagemaker:*:*:user-profile/${sagemaker:DomainId}/${sagemaker:UserProfileName}", "arn:aws:sagemaker:us-east-1:1:user-profile/d-1/alice", map[string][]string{"sagemaker:DomainId": {"d-1"}, "sagemaker:UserProfileName": {"alice"}}, true},
		{"a variable before the fifth colon is not resolved", true, "arn:aws:iam::${aws:PrincipalAccount}:user/x", "arn:aws:iam::123456789012:user/x", map[string][]string{"aws:PrincipalAccount": {"123456789012"}}, false},
		{"a colon inside a variable does not split the ARN", true, "arn:aws:s3:::${aws:username}", "arn:aws:s3:::alice", map[string][]string{"aws:username": {"alice"}}, true},
		{"a variable is literal in 2008-10-17", false, "arn:aws:s3:::b/${aws:username}", "arn:aws:s3:::b/alice", map[string][]string{"aws:username": {"alice"}}, false},
		{"${*} in a resource is a literal star", true, "arn:aws:s3:::b/${*}", "arn:aws:s3:::b/x", nil, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := compileARN(c.pattern, arnOptions{vars: c.vars, expand: true, fold: true})
			if got := p.match(c.resource, lookupIn(ctxOf(c.ctx))); got != c.want {
				t.Errorf("Resource %q matching %q in %v = %v, want %v", c.pattern, c.resource, c.ctx, got, c.want)
			}
		})
	}
}

func TestActionMatching(t *testing.T) {
	cases := []struct {
		name    string
		pattern string
		action  string
		want    bool
	}{
		{"an action matches itself", "s3:GetObject", "s3:GetObject", true},
		{"actions ignore case", "S3:getobject", "s3:GetObject", true},
		{"a * matches the rest of the name", "s3:Get*", "s3:GetObjectAcl", true},
		{"a ? matches one character", "s3:?etObject", "s3:GetObject", true},
		{"* alone matches every action", "*", "sagemaker:CreateDomain", true},
		{"a service's * does not match another service", "s3:*", "sagemaker:CreateDomain", false},
		{"wildcards work in the service prefix", "sage*:Create*", "sagemaker:CreateDomain", true},
		{"a name without a wildcard must match whole", "s3:Get", "s3:GetObject", false},
		{"a prefix of the service does not match", "s:GetObject", "s3:GetObject", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ap := compileAction(c.pattern)
			if got := ap.matchAction(c.action); got != c.want {
				t.Errorf("Action %q matching %q = %v, want %v", c.pattern, c.action, got, c.want)
			}
		})
	}
}

func TestPrincipalMatching(t *testing.T) {
	const (
		acct    = "111122223333"
		root    = "arn:aws:iam::111122223333:root"
		alice   = "arn:aws:iam::111122223333:user/alice"
		role    = "arn:aws:iam::111122223333:role/ml"
		session = "arn:aws:sts::111122223333:assumed-role/ml/s1"
	)
	user := Principal{ARN: alice, Account: acct, UniqueID: "AIDAEXAMPLEEXAMPLE123"}
	sess := Principal{ARN: session, Account: acct, RoleARN: role, UniqueID: "AROAEXAMPLEEXAMPLE123:s1"}
	other := Principal{ARN: "arn:aws:iam::444455556666:user/bob", Account: "444455556666"}
	rootUser := Principal{ARN: root, Account: acct, Root: true}
	svc := Principal{Service: "sagemaker.amazonaws.com"}
	anon := Principal{Anonymous: true}
	web := Principal{Federated: "accounts.google.com"}
	cases := []struct {
		name string
		elem Principals
		p    Principal
		want grantKind
	}{
		{"* names everyone directly", Principals{All: true}, user, grantDirect},
		{"* names the anonymous caller", Principals{All: true}, anon, grantDirect},
		{"* names a service", Principals{All: true}, svc, grantDirect},
		{"a user ARN names the user directly", Principals{AWS: []string{alice}}, user, grantDirect},
		{"a user's unique ID names the user directly", Principals{AWS: []string{"AIDAEXAMPLEEXAMPLE123"}}, user, grantDirect},
		{"a session ARN names the session directly", Principals{AWS: []string{session}}, sess, grantDirect},
		{"a role ARN names its sessions through the role", Principals{AWS: []string{role}}, sess, grantRole},
		{"a role's unique ID names its sessions through the role", Principals{AWS: []string{"AROAEXAMPLEEXAMPLE123"}}, sess, grantRole},
		{"an account root ARN names every principal of the account", Principals{AWS: []string{root}}, sess, grantAccount},
		{"an account root ARN names the root user directly", Principals{AWS: []string{root}}, rootUser, grantDirect},
		{"an account root ARN does not name another account's principal", Principals{AWS: []string{root}}, other, grantNone},
		{"the strongest naming wins", Principals{AWS: []string{root, role, session}}, sess, grantDirect},
		{"a user ARN does not name another user", Principals{AWS: []string{alice}}, other, grantNone},
		{"an AWS principal does not name a service", Principals{AWS: []string{root}}, svc, grantNone},
		{"a service principal names the service", Principals{Service: []string{"sagemaker.amazonaws.com"}}, svc, grantDirect},
		{"a service principal does not name another service", Principals{Service: []string{"ec2.amazonaws.com"}}, svc, grantNone},
		{"only * names the anonymous caller", Principals{AWS: []string{root}}, anon, grantNone},
		{"a Federated principal names the identity provider's users", Principals{Federated: []string{"accounts.google.com"}}, web, grantDirect},
		{"a canonical user names the account's canonical ID", Principals{CanonicalUser: []string{"abc"}}, Principal{ARN: alice, Account: acct, CanonicalUser: "abc"}, grantDirect},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ps := compilePrincipals(&c.elem)
			if got := ps.grant(&c.p); got != c.want {
				t.Errorf("Principal %+v naming %+v = %v, want %v", c.elem, c.p, got, c.want)
			}
		})
	}
}

func TestNotPrincipalExcludes(t *testing.T) {
	const (
		acct    = "444455556666"
		root    = "arn:aws:iam::444455556666:root"
		bob     = "arn:aws:iam::444455556666:user/Bob"
		role    = "arn:aws:iam::444455556666:role/cross-account-read-only-role"
		session = "arn:aws:sts::444455556666:assumed-role/cross-account-read-only-role/cross-account-audit-app"
	)
	bobP := Principal{ARN: bob, Account: acct}
	alice := Principal{ARN: "arn:aws:iam::444455556666:user/alice", Account: acct}
	sess := Principal{ARN: session, Account: acct, RoleARN: role}
	cases := []struct {
		name string
		elem Principals
		p    Principal
		want bool
	}{
		{"the guide's user and account spare the user", Principals{AWS: []string{bob, root}}, bobP, true},
		{"the guide's user and account do not spare another user of the account", Principals{AWS: []string{bob, root}}, alice, false},
		{"the user without its account does not spare the user", Principals{AWS: []string{bob}}, bobP, false},
		{"the account alone spares the root user", Principals{AWS: []string{root}}, Principal{ARN: root, Account: acct, Root: true}, true},
		{"the account alone does not spare its users", Principals{AWS: []string{root}}, bobP, false},
		{"the guide's session, role and account spare the session", Principals{AWS: []string{session, role, root}}, sess, true},
		{"the session and account without the role do not spare the session", Principals{AWS: []string{session, root}}, sess, false},
		{"the role and account without the session do not spare the session", Principals{AWS: []string{role, root}}, sess, false},
		{"a service spares that service", Principals{Service: []string{"s3.amazonaws.com"}}, Principal{Service: "s3.amazonaws.com"}, true},
		{"nothing but * spares the anonymous caller", Principals{AWS: []string{root}}, Principal{Anonymous: true}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ps := compilePrincipals(&c.elem)
			if got := ps.excludes(&c.p); got != c.want {
				t.Errorf("NotPrincipal %+v sparing %+v = %v, want %v", c.elem, c.p, got, c.want)
			}
		})
	}
}

func TestParsePattern(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want string // the pieces, rendered by describe
	}{
		{"text is one piece", "abc", "T(abc)"},
		{"wildcards split text", "a*b?c", "T(a) * T(b) ? T(c)"},
		{"runs of stars fold into one", "a**b", "T(a) * T(b)"},
		{"a variable is a piece with its key in lower case", "home/${aws:UserName}/x", "T(home/) V(aws:username) T(/x)"},
		{"a default is kept", "${aws:PrincipalTag/team, 'none'}", "V(aws:principaltag/team='none')"},
		{"the escapes are literal text", "a${*}b${?}${$}", "T(a*b?$)"},
		{"an unterminated variable is text", "a${aws:x", "T(a${aws:x)"},
		{"an empty variable is text", "${}", "T(${})"},
		{"a default without quotes leaves the variable as text", "${aws:x, none}", "T(${aws:x, none})"},
		{"a lone dollar is text", "$x", "T($x)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := parsePattern(c.in, patternOptions{vars: true, wild: true})
			if got := describe(p); got != c.want {
				t.Errorf("parsePattern(%q) = %s, want %s", c.in, got, c.want)
			}
		})
	}
}

func describe(p pattern) string {
	var parts []string
	for _, pc := range p.pieces {
		switch pc.kind {
		case pieceText:
			parts = append(parts, "T("+pc.text+")")
		case pieceStar:
			parts = append(parts, "*")
		case pieceOne:
			parts = append(parts, "?")
		case pieceVar:
			v := "V(" + pc.text
			if pc.v.hasDef {
				v += "='" + pc.v.def + "'"
			}
			parts = append(parts, v+")")
		}
	}
	return strings.Join(parts, " ")
}

// globReference is the obvious dynamic-programming glob over characters, to check the compiled matcher against.
func globReference(pattern, s string) bool {
	p, t := []rune(pattern), []rune(s)
	// m[j] reports whether p[:i] matches t[:j], row by row.
	m := make([]bool, len(t)+1)
	m[0] = true
	for i := 1; i <= len(p); i++ {
		next := make([]bool, len(t)+1)
		switch p[i-1] {
		case '*':
			next[0] = m[0]
			for j := 1; j <= len(t); j++ {
				next[j] = m[j] || next[j-1]
			}
		case '?':
			for j := 1; j <= len(t); j++ {
				next[j] = m[j-1]
			}
		default:
			for j := 1; j <= len(t); j++ {
				next[j] = m[j-1] && p[i-1] == t[j-1]
			}
		}
		m = next
	}
	return m[len(t)]
}

// arnReference is the ARN matching of the User Guide written the obvious way, character by character with
// memoized backtracking, to check arnPattern against: up to the fifth colon of the pattern a colon must meet a
// colon, ? and * stay within a segment, and a * that ends a segment (with expand) or the whole pattern may run on
// past colons; after it, * and ? take any character. With fold the segments before the resource part ignore
// ASCII case.
func arnReference(pattern, s string, expand, fold bool) bool {
	seen := make(map[[2]int]bool)
	var match func(pi, ti, seg int) bool
	match = func(pi, ti, seg int) bool {
		key := [2]int{pi, ti}
		if done, ok := seen[key]; ok {
			return done
		}
		result := false
		switch {
		case pi == len(pattern):
			result = ti == len(s)
		case seg < 5 && pattern[pi] == ':':
			result = ti < len(s) && s[ti] == ':' && match(pi+1, ti+1, seg+1)
		case pattern[pi] == '*':
			last := pi == len(pattern)-1
			crosses := seg == 5 || last || expand && pattern[pi+1] == ':'
			for t := ti; ; t++ {
				if match(pi+1, t, seg) {
					result = true
					break
				}
				if t == len(s) || !crosses && s[t] == ':' {
					break
				}
			}
		case pattern[pi] == '?':
			result = ti < len(s) && (seg == 5 || s[ti] != ':') && match(pi+1, ti+1, seg)
		default:
			a, b := pattern[pi], byte(0)
			if ti < len(s) {
				b = s[ti]
			}
			if fold && seg < 5 {
				a, b = lowerASCII(a), lowerASCII(b)
			}
			result = ti < len(s) && a == b && match(pi+1, ti+1, seg)
		}
		seen[key] = result
		return result
	}
	return pattern == "*" || match(0, 0, 0)
}

// FuzzGlob checks the compiled glob against globReference, with and without ASCII case folding, and that patterns
// with variables never panic whatever they resolve to.
func FuzzGlob(f *testing.F) {
	for _, s := range [][2]string{
		{"*a*b*c", "xaxbxbxc"}, {"home/*", "home/alice"}, {"?x", "éx"}, {"a*", ""}, {"**?", "ab"},
		{"arn:aws:logs:us-east-1:*:log-stream:s", "arn:aws:logs:us-east-1:1:log-group:g:log-stream:s"},
		{"arn:aws:s3:*", "arn:aws:s3:::b/k"}, {"arn:aws:ec2:us-*-1:*:vpc/x", "arn:aws:ec2:us-x:y-1:1:vpc/x"},
		{"a:*:c*:d", "a:b:cx:y:d"}, {"arn:aws:S3:::B", "arn:aws:s3:::B"},
		{"${aws:username}*", "alice"}, {"a${*}b", "a*b"}, {"*${x, 'd'}?", "zdz"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pat, s string) {
		if !utf8.ValidString(pat) || !utf8.ValidString(s) {
			return
		}
		p := parsePattern(pat, patternOptions{wild: true})
		if got, want := p.glob(s, nil, false), globReference(pat, s); got != want {
			t.Fatalf("glob(%q, %q) = %v, want %v", pat, s, got, want)
		}
		if got, want := p.glob(s, nil, true), globReference(lowerASCIIString(pat), lowerASCIIString(s)); got != want {
			t.Fatalf("glob folding case(%q, %q) = %v, want %v", pat, s, got, want)
		}
		if isASCII(pat) && isASCII(s) {
			for _, o := range []arnOptions{{expand: true, fold: true}, {}} {
				a := compileARN(pat, o)
				if got, want := a.match(s, nil), arnReference(pat, s, o.expand, o.fold); got != want {
					t.Fatalf("ARN %q (%+v) matching %q = %v, want %v", pat, o, s, got, want)
				}
			}
		}
		c := &Context{}
		c.Set("x", s)
		c.Set("aws:username", pat)
		ctx := lookupIn(c)
		v := parsePattern(pat, patternOptions{vars: true, wild: true})
		v.glob(s, ctx, false)
		v.equal(s, ctx, true)
		a := compileARN(pat, arnOptions{vars: true, expand: true, fold: true})
		a.match(s, ctx)
		b := compileARN(pat, arnOptions{vars: true, varsPrefix: true})
		// Every character of a pattern without variables matches itself, wildcards included.
		if !strings.Contains(pat, "$") && !b.match(pat, ctx) {
			t.Fatalf("ArnLike %q does not match itself", pat)
		}
	})
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
