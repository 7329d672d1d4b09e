package model

import (
	"testing"
)

func TestEveryModelParsesAndLinks(t *testing.T) {
	set := NewSet()
	want := []string{"ec2", "iam", "logs", "s3", "sagemaker", "sts"}
	if got := set.Names(); len(got) != len(want) {
		t.Fatalf("Names() = %v, want %v", got, want)
	}
	for _, name := range want {
		svc, err := set.Service(name)
		if err != nil {
			t.Fatalf("Service(%s): %v", name, err)
		}
		if len(svc.Operations) == 0 {
			t.Errorf("Service(%s) has no operations", name)
		}
		for opName, op := range svc.Operations {
			if op.Input != nil && op.Input.Shape == nil {
				t.Errorf("%s.%s input is not linked", name, opName)
			}
		}
	}
}

func TestMembersKeepModelOrder(t *testing.T) {
	svc, err := NewSet().Service("sts")
	if err != nil {
		t.Fatal(err)
	}
	s := svc.Shapes["GetCallerIdentityResponse"]
	var got []string
	for _, m := range s.Members {
		got = append(got, m.Name)
	}
	if len(got) != 3 || got[0] != "UserId" || got[1] != "Account" || got[2] != "Arn" {
		t.Errorf("GetCallerIdentityResponse members = %v, want [UserId Account Arn]", got)
	}
}

// TestPatternsCompile checks that every pattern in the served models compiles, directly or translated, so that
// validation applies each one; a pattern Go cannot express would silently check nothing.
func TestPatternsCompile(t *testing.T) {
	set := NewSet()
	for _, name := range set.Names() {
		svc, err := set.Service(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range svc.Shapes {
			if s.Pattern != "" && s.Regexp() == nil {
				t.Errorf("%s shape %s: pattern %q does not compile: %v", name, s.Name, s.Pattern, s.reErr)
			}
		}
	}
}

func TestTranslatedPatterns(t *testing.T) {
	cases := []struct {
		pattern string
		match   []string
		reject  []string
	}{
		{`[\u0009\u000A\u000D\u0020-\u00FF]+`, []string{"abc", "a\tb"}, []string{"", "\u0100"}},
		{`^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$`, []string{"my-alias"}, []string{"-x", "Ab"}},
		{`arn:[\p{Alnum}\-]+:lambda:[\p{Alnum}\-]+:[0-9]{12}:function:.*`, []string{"arn:aws:lambda:us-east-1:123456789012:function:f"}, []string{"arn:aws:s3:::b"}},
		{`.{0,1024}`, []string{"", "x"}, []string{"a\nb"}},
		{`(?=.{1,32}$)[a-zA-Z0-9](-*[a-zA-Z0-9])*`, []string{"a-b"}, []string{"-a"}},
	}
	for _, c := range cases {
		re, err := compilePattern(c.pattern)
		if err != nil {
			t.Errorf("compilePattern(%q): %v", c.pattern, err)
			continue
		}
		for _, v := range c.match {
			if !re.MatchString(v) {
				t.Errorf("pattern %q does not match %q, want a match", c.pattern, v)
			}
		}
		for _, v := range c.reject {
			if re.MatchString(v) {
				t.Errorf("pattern %q matches %q, want no match", c.pattern, v)
			}
		}
	}
}

func BenchmarkParseSTS(b *testing.B)       { benchParse(b, "sts") }
func BenchmarkParseEC2(b *testing.B)       { benchParse(b, "ec2") }
func BenchmarkParseSageMaker(b *testing.B) { benchParse(b, "sagemaker") }

func benchParse(b *testing.B, name string) {
	raw, err := data.ReadFile("data/" + name + ".json")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		if _, err := Parse(raw); err != nil {
			b.Fatal(err)
		}
	}
}
