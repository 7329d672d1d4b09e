package policy

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"
)

func TestCompileText(t *testing.T) {
	text := `{"Version": "2012-10-17", "Statement": [
		{"Sid": "Trust", "Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}]}`
	for _, compiler := range []*Compiler{nil, NewCompiler()} {
		name := "CompileText"
		if compiler != nil {
			name = "(*Compiler).CompileText"
		}
		t.Run(name, func(t *testing.T) {
			c, err := compiler.CompileText(text, Trust, "role trust", ResourcePolicy)
			if err != nil {
				t.Fatalf("%s = %v, want a compiled policy", name, err)
			}
			if c.ID != "role trust" || c.Type != ResourcePolicy || c.Kind() != Trust {
				t.Errorf("%s = %s of type %v and kind %v, want role trust of type %v and kind Trust", name, c.ID, c.Type, c.Kind(), ResourcePolicy)
			}
			want, _ := Parse(text, Trust)
			first, second := c.Document(), c.Document()
			if !reflect.DeepEqual(first, want) {
				t.Errorf("Document() = %s, want %s", first, want)
			}
			if first == second {
				t.Errorf("Document() returned the same Document twice, want a new one each time")
			}
			req := &Request{Principal: Principal{Service: "sagemaker.amazonaws.com"}, Action: "sts:AssumeRole",
				Resource: "arn:aws:iam::111122223333:role/exec", Context: &Context{}}
			if d := Decide(&Set{Resource: c}, req); d.Outcome != Allowed {
				t.Errorf("Decide(SageMaker assuming the role) = %s, want allowed", describeDecision(d))
			}
		})
	}
	t.Run("a document Parse refuses", func(t *testing.T) {
		_, err := CompileText(`{"Statement": {"Effect": "Allow", "Action": "s3:*"}}`, Managed, "x", IdentityPolicy)
		var perr *Error
		if !errors.As(err, &perr) {
			t.Errorf("CompileText(a managed policy without Version) = %v, want Parse's *Error", err)
		}
	})
}

// TestCompilerShares checks what a Compiler shares between the policies it compiles — the condition keys, the
// variables, the Action patterns — and that policies compiled on their own share none of it.
func TestCompilerShares(t *testing.T) {
	doc := func(bucket string) string {
		return `{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": ["s3:Get*", "s3:PutObject"],
			"Resource": "arn:aws:s3:::` + bucket + `/${aws:username}/*",
			"Condition": {"StringEquals": {"aws:PrincipalTag/Team": "ml"}}}}`
	}
	compile := func(c *Compiler, bucket string) *statement {
		p, err := c.CompileText(doc(bucket), Managed, bucket, IdentityPolicy)
		if err != nil {
			t.Fatal(err)
		}
		return &p.compiled.stmts[0]
	}
	shares := func(a, b *statement) []string {
		var out []string
		if a.conditions[0].key == b.conditions[0].key {
			out = append(out, "condition key")
		}
		if a.resources[0].parts[0].pieces[1].v == b.resources[0].parts[0].pieces[1].v {
			out = append(out, "variable")
		}
		if &a.actions[0].pieces[0] == &b.actions[0].pieces[0] {
			out = append(out, "action")
		}
		return out
	}
	compiler := NewCompiler()
	if got, want := shares(compile(compiler, "a"), compile(compiler, "b")), []string{"condition key", "variable", "action"}; !slices.Equal(got, want) {
		t.Errorf("two policies of one Compiler share %q, want %q", got, want)
	}
	if got := shares(compile(nil, "a"), compile(nil, "b")); len(got) != 0 {
		t.Errorf("two policies compiled on their own share %q, want nothing", got)
	}
	if got := compile(compiler, "c").conditions[0].key.lower; got != "aws:principaltag/team" {
		t.Errorf("the shared condition key is %q, want it in lower case", got)
	}
}

func TestInternerIsBounded(t *testing.T) {
	in := NewCompiler().in
	for i := range maxInterned {
		in.str(fmt.Sprint(i))
	}
	past := fmt.Sprint(maxInterned)
	if got := in.str(past); got != past || len(in.strs) != maxInterned {
		t.Errorf("str(%q) past the bound = %q with %d strings kept, want the string itself and %d kept", past, got, len(in.strs), maxInterned)
	}
	if got := in.str("7"); got != "7" {
		t.Errorf("str(7) = %q, want the shared 7", got)
	}
}

func TestContext(t *testing.T) {
	user, tag := NewKey("aws:userName"), NewKey("aws:PrincipalTag/team")
	ctx := NewContext(2)
	ctx.SetValue(user, "alice")
	ctx.SetKey(tag, "ml", "cv")
	ctx.Set("aws:TagKeys")
	ctx.Grow(40)
	for i := range 30 {
		ctx.SetValue(NewKey(fmt.Sprintf("svc:Key%d", i)), fmt.Sprint(i))
	}
	ctx.SetValue(NewKey("AWS:USERNAME"), "bob")
	cases := []struct {
		key  string
		want []string
		ok   bool
	}{
		{"aws:username", []string{"bob"}, true},
		{"AWS:PRINCIPALTAG/TEAM", []string{"ml", "cv"}, true},
		{"aws:tagkeys", nil, true},
		{"svc:key0", []string{"0"}, true},
		{"svc:key29", []string{"29"}, true},
		{"svc:key30", nil, false},
	}
	for _, c := range cases {
		if got, ok := ctx.Get(c.key); ok != c.ok || !slices.Equal(got, c.want) {
			t.Errorf("Get(%s) = %q, %v, want %q, %v", c.key, got, ok, c.want, c.ok)
		}
	}
	if keys := ctx.Keys(); len(keys) != 33 || keys[0] != "aws:userName" || keys[1] != "aws:PrincipalTag/team" {
		t.Errorf("Keys() = %q, want 33 keys as first set, aws:userName first", keys)
	}
	if user.Name() != "aws:userName" {
		t.Errorf("Name() = %q, want aws:userName", user.Name())
	}
	if n := testing.AllocsPerRun(100, func() {
		c := NewContext(2)
		c.SetValue(user, "alice")
		c.SetKey(tag, "ml")
	}); n != 2 {
		t.Errorf("a Context of two prepared keys costs %v allocations, want 2 (the Context and its keys)", n)
	}
}

// TestLookupRemembers checks a decision's lookup when the keys it asks for share its memo's sets: whatever it
// remembers or forgets, it answers as the Context does.
func TestLookupRemembers(t *testing.T) {
	ctx := &Context{}
	var keys []*keyRef
	sets := map[uint64]int{}
	for i := 0; len(keys) < 4; i++ {
		name := fmt.Sprintf("k%d", i)
		k := &keyRef{lower: name, hash: keyHash(name)}
		if set := k.hash % uint64(len(lookup{}.memo)/2); sets[set] < 4 && (len(keys) == 0 || set == keys[0].hash%uint64(len(lookup{}.memo)/2)) {
			sets[set]++
			keys = append(keys, k)
			if len(keys) != 4 {
				// The last key is absent.
				ctx.Set(name, name+"-value")
			}
		}
	}
	l := lookupIn(ctx)
	for round := range 3 {
		for i, k := range append(slices.Clone(keys), keys[1], keys[0], keys[3], keys[3]) {
			vals, ok := l.find(k)
			want, wantOK := ctx.find(k.lower, k.hash)
			if ok != wantOK || !slices.Equal(vals, want) {
				t.Errorf("round %d, lookup %d of %s = %q, %v, want %q, %v", round, i, k.lower, vals, ok, want, wantOK)
			}
		}
	}
}

// TestCompilerConcurrently compiles with one Compiler from several goroutines while others decide with what it
// compiled: run with -race.
func TestCompilerConcurrently(t *testing.T) {
	compiler := NewCompiler()
	text := func(i int) string {
		return fmt.Sprintf(`{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:Get*",
			"Resource": "arn:aws:s3:::b-%d/${aws:username}/*", "Condition": {"StringEquals": {"aws:PrincipalTag/team": "ml"}}}}`, i)
	}
	errs := make(chan error, 4)
	for g := range 4 {
		go func() {
			for i := range 50 {
				c, err := compiler.CompileText(text(i%10), Managed, "p", IdentityPolicy)
				if err != nil {
					errs <- err
					return
				}
				ctx := &Context{}
				ctx.Set("aws:username", "alice")
				ctx.Set("aws:PrincipalTag/team", "ml")
				req := &Request{Principal: alice, Action: "s3:GetObject", Resource: fmt.Sprintf("arn:aws:s3:::b-%d/alice/k", i%10), Context: ctx}
				if d := Decide(&Set{Identity: list(c)}, req); d.Outcome != Allowed {
					errs <- fmt.Errorf("goroutine %d: Decide(policy %d) = %s, want allowed", g, i%10, describeDecision(d))
					return
				}
			}
			errs <- nil
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
