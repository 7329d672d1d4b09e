package policy

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
)

// benchServices are the services the benchmark policies grant, one statement each.
var benchServices = []string{"s3", "sagemaker", "ec2", "iam", "logs", "sts", "kms", "ecr", "cloudwatch"}

// benchPolicies builds the 10 managed policies of 10 statements of the benchmarks, compiled from their text by one
// Compiler as a store of policies compiles them: in each, one Allow per service
// of benchServices with Get*/List*/Describe* actions, a Resource with policy variables (the s3 one,
// "arn:aws:s3:::BUCKET/home/${aws:username}/*", sends each user to their home) and conditions — a StringLike with
// a variable, a date, a source address and a principal tag — and a Deny of s3 over insecure transport. bucket and
// expiry give policy i's bucket and the end of its date window.
func benchPolicies(t testing.TB, bucket func(i int) string, expiry func(i int) string) []*Compiled {
	var out []*Compiled
	compiler := NewCompiler()
	for i := range 10 {
		var stmts []string
		for j, svc := range benchServices {
			resource := fmt.Sprintf("arn:aws:%s:*:*:project-${aws:PrincipalTag/project}/*", svc)
			switch svc {
			case "s3":
				resource = "arn:aws:s3:::" + bucket(i) + "/home/${aws:username}/*"
			case "iam":
				resource = "arn:aws:iam::*:role/project-${aws:PrincipalTag/project}/*"
			}
			stmts = append(stmts, fmt.Sprintf(`{"Sid": "S%d", "Effect": "Allow",
				"Action": ["%[2]s:Get*", "%[2]s:List*", "%[2]s:Describe*"], "Resource": "%[3]s",
				"Condition": {"StringEquals": {"aws:PrincipalTag/team": ["ml", "cv"]},
				              "StringLike": {"aws:PrincipalArn": "arn:aws:iam::*:user/${aws:username}"},
				              "IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "192.168.0.0/16"]},
				              "DateLessThan": {"aws:CurrentTime": "%[4]s"}}}`, j, svc, resource, expiry(i)))
		}
		stmts = append(stmts, `{"Sid": "DenyInsecureTransport", "Effect": "Deny", "Action": "s3:*", "Resource": "*",
			"Condition": {"Bool": {"aws:SecureTransport": "false"}}}`)
		text := `{"Version": "2012-10-17", "Statement": [` + strings.Join(stmts, ",") + `]}`
		c, err := compiler.CompileText(text, Managed, fmt.Sprintf("policy %d", i), IdentityPolicy)
		if err != nil {
			t.Fatalf("CompileText(%s) = %v", text, err)
		}
		out = append(out, c)
	}
	return out
}

// benchRequest is an IAM user's s3:GetObject in its home directory, with the global keys a request carries.
func benchRequest(bucket string) *Request {
	ctx := &Context{}
	for _, kv := range [][2]string{
		{"aws:username", "alice"}, {"aws:userid", "AIDAEXAMPLEALICE12345"},
		{"aws:PrincipalArn", "arn:aws:iam::111122223333:user/alice"}, {"aws:PrincipalAccount", "111122223333"},
		{"aws:PrincipalType", "User"}, {"aws:PrincipalTag/team", "ml"}, {"aws:PrincipalTag/project", "churn"},
		{"aws:RequestedRegion", "us-east-1"}, {"aws:CurrentTime", "2025-06-01T12:00:00Z"},
		{"aws:EpochTime", "1748779200"}, {"aws:SecureTransport", "true"}, {"aws:SourceIp", "10.1.2.3"},
		{"aws:ViaAWSService", "false"},
	} {
		ctx.Set(kv[0], kv[1])
	}
	return &Request{
		Principal: alice,
		Action:    "s3:GetObject",
		Resource:  "arn:aws:s3:::" + bucket + "/home/alice/data.csv",
		Context:   ctx,
	}
}

// benchScenario is BenchmarkDecide's question: a user with 10 managed policies, one per project bucket, asks for
// an object of the last project's bucket. In every policy the action index leads to the s3 statement, whose
// Resource, variables resolved, names another bucket but in the last one, where every condition is evaluated,
// and to the Deny, whose condition is evaluated in all ten.
func benchScenario(t testing.TB) (*Set, *Request) {
	bucket := func(i int) string { return fmt.Sprintf("project-%d-data", i) }
	set := &Set{Identity: benchPolicies(t, bucket, func(int) string { return "2030-01-01T00:00:00Z" })}
	return set, benchRequest(bucket(9))
}

// worstScenario is BenchmarkDecideWorstCase's: the same policies all name the same bucket, and in nine of them the
// date window has closed, so that every policy's s3 statement is evaluated through its Resource and all its
// conditions before the last one allows.
func worstScenario(t testing.TB) (*Set, *Request) {
	expiry := func(i int) string {
		if i == 9 {
			return "2030-01-01T00:00:00Z"
		}
		return fmt.Sprintf("2024-0%d-01T00:00:00Z", i+1)
	}
	set := &Set{Identity: benchPolicies(t, func(int) string { return "team-data" }, expiry)}
	return set, benchRequest("team-data")
}

func BenchmarkDecide(b *testing.B) {
	set, req := benchScenario(b)
	if d := Decide(set, req); d.Outcome != Allowed {
		b.Fatalf("Decide = %s, want allowed", describeDecision(d))
	}
	b.ReportAllocs()
	for b.Loop() {
		Decide(set, req)
	}
}

func BenchmarkDecideWorstCase(b *testing.B) {
	set, req := worstScenario(b)
	if d := Decide(set, req); d.Outcome != Allowed {
		b.Fatalf("Decide = %s, want allowed", describeDecision(d))
	}
	b.ReportAllocs()
	for b.Loop() {
		Decide(set, req)
	}
}

func BenchmarkExplain(b *testing.B) {
	set, req := benchScenario(b)
	b.ReportAllocs()
	for b.Loop() {
		Explain(set, req)
	}
}

// BenchmarkCompile compiles a document the size of AmazonSageMakerFullAccess (bench_test.go's benchPolicy).
func BenchmarkCompile(b *testing.B) {
	doc, err := Parse(benchPolicy, Managed)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(benchPolicy)))
	for b.Loop() {
		if _, err := Compile(doc, "bench", IdentityPolicy); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCompiledSize reports the live heap a compiled policy costs, its text included (B/policy), for the
// policies of the IAM view's scale test (internal/service/iam, BenchmarkViewLoad): 2,000 customer managed policies
// of three statements and 1,000 inline policies of two, compiled from their text by one Compiler.
func BenchmarkCompiledSize(b *testing.B) {
	managed := func(i int) string {
		return fmt.Sprintf(`{"Version":"2012-10-17","Statement":[`+
			`{"Sid":"Read%[1]d","Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::bucket-%[1]d","arn:aws:s3:::bucket-%[1]d/*"]},`+
			`{"Sid":"Write%[1]d","Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::bucket-%[1]d/out/*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"team-%[1]d"},"Bool":{"aws:SecureTransport":"true"}}},`+
			`{"Effect":"Deny","Action":"s3:DeleteBucket","Resource":"*"}]}`, i)
	}
	inline := func(i int) string {
		return fmt.Sprintf(`{"Version":"2012-10-17","Statement":[`+
			`{"Effect":"Allow","Action":["logs:CreateLogStream","logs:PutLogEvents"],"Resource":"arn:aws:logs:us-east-1:000000000000:log-group:/aws/sagemaker/job-%[1]d:*"},`+
			`{"Effect":"Allow","Action":"sagemaker:CreateTrainingJob","Resource":"arn:aws:sagemaker:us-east-1:000000000000:training-job/job-%[1]d-*"}]}`, i)
	}
	const n = 3000
	for b.Loop() {
		before := liveHeap()
		compiler := NewCompiler()
		out := make([]*Compiled, 0, n)
		for i := range n {
			text := managed(i)
			if i >= 2*n/3 {
				text = inline(i)
			}
			c, err := compiler.CompileText(text, Identity, fmt.Sprintf("arn:aws:iam::000000000000:policy/policy-%05d v1", i), IdentityPolicy)
			if err != nil {
				b.Fatal(err)
			}
			out = append(out, c)
		}
		b.ReportMetric(float64(liveHeap()-before)/n, "B/policy")
		runtime.KeepAlive(out)
		runtime.KeepAlive(compiler)
	}
}

// liveHeap is the heap in use after a collection.
func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
