package iam

// What the authorization view costs at DESIGN.md §6's scale, set up straight through the store (30,000 API calls
// would take minutes): BenchmarkViewLoad. And the AWS managed policies all compile.

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sagebox/sagebox/internal/api"
	"github.com/sagebox/sagebox/internal/authn"
	"github.com/sagebox/sagebox/internal/ids"
	"github.com/sagebox/sagebox/internal/policy"
	"github.com/sagebox/sagebox/internal/service/iam/managed"
	"github.com/sagebox/sagebox/internal/store/sqlite"
)

func TestViewCompilesEveryAWSManagedPolicy(t *testing.T) {
	catalog, err := managed.Load()
	if err != nil {
		t.Fatal(err)
	}
	s := New(authn.NewKeyRing(), ids.New(), catalog)
	for _, p := range catalog.All() {
		for _, typ := range []policy.PolicyType{policy.IdentityPolicy, policy.BoundaryPolicy} {
			use, err := s.resolveAWSPolicy(p.ARN, typ)
			if err != nil {
				t.Errorf("resolveAWSPolicy(%s, %d) failed: %v", p.ARN, typ, err)
				continue
			}
			if want := p.ARN + " " + p.DefaultVersionID; use.compiled.ID != want || use.compiled.Type != typ {
				t.Errorf("resolveAWSPolicy(%s, %d) = %s of type %d, want %s of type %d", p.ARN, typ, use.compiled.ID, use.compiled.Type, want, typ)
			}
			again, _ := s.resolveAWSPolicy(p.ARN, typ)
			if again.compiled != use.compiled {
				t.Errorf("resolveAWSPolicy(%s, %d) compiled the policy twice", p.ARN, typ)
			}
		}
	}
}

// The documents of the scale test: a customer managed policy of three statements, one with conditions, and a
// role's inline policy of two — the size of what ML platforms write.
func scaleManagedDocument(i int) string {
	return fmt.Sprintf(`{"Version":"2012-10-17","Statement":[`+
		`{"Sid":"Read%[1]d","Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::bucket-%[1]d","arn:aws:s3:::bucket-%[1]d/*"]},`+
		`{"Sid":"Write%[1]d","Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::bucket-%[1]d/out/*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"team-%[1]d"},"Bool":{"aws:SecureTransport":"true"}}},`+
		`{"Effect":"Deny","Action":"s3:DeleteBucket","Resource":"*"}]}`, i)
}

func scaleInlineDocument(i int) string {
	return fmt.Sprintf(`{"Version":"2012-10-17","Statement":[`+
		`{"Effect":"Allow","Action":["logs:CreateLogStream","logs:PutLogEvents"],"Resource":"arn:aws:logs:us-east-1:000000000000:log-group:/aws/sagemaker/job-%[1]d:*"},`+
		`{"Effect":"Allow","Action":"sagemaker:CreateTrainingJob","Resource":"arn:aws:sagemaker:us-east-1:000000000000:training-job/job-%[1]d-*"}]}`, i)
}

// BenchmarkViewLoad stores 20,000 customer managed policies and 10,000 roles, each with an inline policy and two
// of the managed ones attached, then builds the view as Load does at start-up, and reports the heap the view keeps
// (MB-view), what the same 30,000 policies cost compiled on their own (MB-policies-alone: the policy engine's
// share), how much the process's resident memory grew during Load and what it is after (MB-rss-growth, MB-rss:
// this process also holds the store it set up) and the time Load took (ms-load). Run it alone:
//
//	go test ./internal/service/iam/ -run '^$' -bench BenchmarkViewLoad -benchtime 1x
func BenchmarkViewLoad(b *testing.B) {
	const (
		account  = "000000000000"
		roles    = 10000
		policies = 2 * roles
	)
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "sagebox.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	t, err := st.Begin(ctx, true)
	if err != nil {
		b.Fatal(err)
	}
	created := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range policies {
		p := &managedPolicy{
			Name: fmt.Sprintf("policy-%05d", i), ID: fmt.Sprintf("ANPA%017d", i), Path: "/", Created: created, Updated: created,
			DefaultVersion: "v1", NextVersion: 2,
			Versions: []policyVersion{{ID: "v1", Document: scaleManagedDocument(i), Created: created}},
		}
		if err := save(t, account, kindPolicy, p.Name, p, p.indexes(), nil); err != nil {
			b.Fatal(err)
		}
	}
	for i := range roles {
		r := &role{
			Name: fmt.Sprintf("role-%05d", i), ID: fmt.Sprintf("AROA%017d", i), Path: "/", Created: created,
			TrustPolicy:        `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"sagemaker.amazonaws.com"},"Action":"sts:AssumeRole"}}`,
			MaxSessionDuration: 3600,
			Tags:               []tag{{Key: "team", Value: "team-" + strconv.Itoa(i%50)}},
			permissions: permissions{
				Inline: []inlinePolicy{{Name: "job", Document: scaleInlineDocument(i)}},
				Attached: []string{
					policyARN(account, "/", fmt.Sprintf("policy-%05d", 2*i)),
					policyARN(account, "/", fmt.Sprintf("policy-%05d", 2*i+1)),
				},
			},
		}
		if err := save(t, account, kindRole, r.Name, r, r.indexes(), nil); err != nil {
			b.Fatal(err)
		}
	}
	if err := t.Commit(); err != nil {
		b.Fatal(err)
	}
	catalog, err := managed.Load()
	if err != nil {
		b.Fatal(err)
	}

	for b.Loop() {
		// The same policies compiled on their own, by one Compiler as the view compiles them: what the policy
		// engine's forms cost, whoever holds them.
		before := heapInUse()
		compiled := make([]*policy.Compiled, 0, policies+roles)
		compiler := policy.NewCompiler()
		for i := range policies {
			c, err := compiler.CompileText(scaleManagedDocument(i), policy.Identity, policyARN(account, "/", fmt.Sprintf("policy-%05d", i))+" v1", policy.IdentityPolicy)
			if err != nil {
				b.Fatal(err)
			}
			compiled = append(compiled, c)
		}
		for i := range roles {
			c, err := compiler.CompileText(scaleInlineDocument(i), policy.Identity, roleARN(account, "/", fmt.Sprintf("role-%05d", i))+" inline policy job", policy.IdentityPolicy)
			if err != nil {
				b.Fatal(err)
			}
			compiled = append(compiled, c)
		}
		alone := heapInUse() - before
		runtime.KeepAlive(compiled)
		runtime.KeepAlive(compiler)
		compiled, compiler = nil, nil

		before = heapInUse()
		debug.FreeOSMemory()
		rssBefore := rss()
		s := New(authn.NewKeyRing(), ids.New(), catalog)
		start := time.Now()
		if err := s.Load(ctx, st, []string{account}); err != nil {
			b.Fatal(err)
		}
		elapsed := time.Since(start)
		after := heapInUse()
		debug.FreeOSMemory()
		pp, _ := s.Identity(account, &api.Principal{Type: api.AssumedRole, UserID: fmt.Sprintf("AROA%017d", roles-1) + ":s"})
		if pp == nil || len(pp.Identity) != 3 {
			b.Fatalf("Identity(the last role's session) = %v, want its 3 policies", pp)
		}
		b.ReportMetric(float64(after-before)/1e6, "MB-view")
		b.ReportMetric(float64(alone)/1e6, "MB-policies-alone")
		b.ReportMetric(float64(int64(rss())-int64(rssBefore))/1e6, "MB-rss-growth")
		b.ReportMetric(float64(rss())/1e6, "MB-rss")
		b.ReportMetric(float64(elapsed.Milliseconds()), "ms-load")
		runtime.KeepAlive(s)
	}
}

// heapInUse is the live heap after a collection.
func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// rss is the process's resident memory on Linux, 0 elsewhere.
func rss() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(b)) {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb * 1024
		}
	}
	return 0
}

// BenchmarkIdentityDuringWrites reads a role's policies while a writer, as fast as it can, switches the default
// version of a managed policy attached to 1,000 roles (each switch re-assembles and publishes all of them): how
// much readers wait for writers. writes/s is how many switches the writer made.
func BenchmarkIdentityDuringWrites(b *testing.B) {
	const account = "000000000000"
	s := New(authn.NewKeyRing(), ids.New(), nil)
	versions := make([]*versionChange, 2)
	for i := range versions {
		arn := policyARN(account, "/", "shared")
		c, err := compileText(scaleManagedDocument(i), arn+" v"+strconv.Itoa(i+1), policy.IdentityPolicy)
		if err != nil {
			b.Fatal(err)
		}
		versions[i] = &versionChange{arn: arn, version: "v" + strconv.Itoa(i+1), identity: c}
	}
	for i := range 1000 {
		id := fmt.Sprintf("AROA%017d", i)
		inline, err := compileText(scaleInlineDocument(i), "inline", policy.IdentityPolicy)
		if err != nil {
			b.Fatal(err)
		}
		s.view.applyEntity(account, &entityChange{
			kind: kindRole, id: id, inline: []viewInline{{compiled: inline}},
			attached: []policyUse{{arn: versions[0].arn, version: versions[0].version, compiled: versions[0].identity}},
		})
	}
	session := &api.Principal{Type: api.AssumedRole, UserID: fmt.Sprintf("AROA%017d", 500) + ":s"}
	var stop atomic.Bool
	var writes atomic.Int64
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; !stop.Load(); i++ {
			s.view.applyVersion(account, versions[i%2])
			writes.Add(1)
		}
	}()
	start := time.Now()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if pp, _ := s.Identity(account, session); pp == nil || len(pp.Identity) != 2 {
				b.Fatalf("Identity(a role's session) = %v, want 2 policies", pp)
			}
		}
	})
	stop.Store(true)
	<-done
	b.ReportMetric(float64(writes.Load())/time.Since(start).Seconds(), "writes/s")
}
