package protocol

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/sagebox/sagebox/internal/model"
)

// validateFile is one file of testdata/validate: cases of one service's real model, with the sources of the AWS
// texts they assert.
type validateFile struct {
	Service string         `json:"service"`
	Sources []string       `json:"sources"`
	Cases   []validateCase `json:"cases"`
}

// validateCase is an operation's input and what Validate must find in it. Strings may hold "${repeat X N}",
// which stands for X written N times, so that long values stay readable.
type validateCase struct {
	Name      string          `json:"name"`
	Operation string          `json:"operation"`
	Input     json.RawMessage `json:"input"`
	// PatternFirst renders the message with PatternFirst, as IAM and STS order it.
	PatternFirst bool `json:"patternFirst"`
	Violations   []struct {
		Path       string `json:"path"`
		Constraint string `json:"constraint"`
		Missing    bool   `json:"missing"`
	} `json:"violations"`
	// Message is ValidationMessage's text for the violations, as AWS writes it.
	Message string `json:"message"`
}

var repeatMacro = regexp.MustCompile(`\$\{repeat (\S+) (\d+)\}`)

// expandRepeats replaces the ${repeat X N} macros of s.
func expandRepeats(s string) string {
	return repeatMacro.ReplaceAllStringFunc(s, func(m string) string {
		parts := repeatMacro.FindStringSubmatch(m)
		n, _ := strconv.Atoi(parts[2])
		return strings.Repeat(parts[1], n)
	})
}

// expandRepeatsAll applies expandRepeats to every string of a decoded JSON value.
func expandRepeatsAll(v any) any {
	switch x := v.(type) {
	case string:
		return expandRepeats(x)
	case map[string]any:
		for k, e := range x {
			x[k] = expandRepeatsAll(e)
		}
	case []any:
		for i, e := range x {
			x[i] = expandRepeatsAll(e)
		}
	}
	return v
}

// models is shared by the tests of the package: parsing a model takes tens of milliseconds.
var realModels = sync.OnceValue(model.NewSet)

func realService(t testing.TB, name string) *model.Service {
	t.Helper()
	svc, err := realModels().Service(name)
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// realInput reads a case's input as the decoded value tree of op's input.
func realInput(t *testing.T, op *model.Operation, raw json.RawMessage) map[string]any {
	t.Helper()
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("input %s: %v", raw, err)
	}
	b, _ := json.Marshal(expandRepeatsAll(v))
	in, _ := caseValue(t, op.Input, b, true).(map[string]any)
	if in == nil {
		in = map[string]any{}
	}
	return in
}

func TestValidateRealModels(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "validate", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no validation cases in testdata/validate: %v", err)
	}
	for _, file := range files {
		raw, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var f validateFile
		if err := json.Unmarshal(raw, &f); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		svc := realService(t, f.Service)
		for _, c := range f.Cases {
			t.Run(f.Service+"/"+c.Name, func(t *testing.T) {
				op := svc.Operations[c.Operation]
				if op == nil {
					t.Fatalf("%s has no operation %s", f.Service, c.Operation)
				}
				in := realInput(t, op, c.Input)
				got := Validate(op.Input, in)
				if len(got) != len(c.Violations) {
					t.Fatalf("Validate(%s %s) found %d violations, want %d: %s", c.Operation, show(in), len(got), len(c.Violations), violationList(got))
				}
				for i, w := range c.Violations {
					g := got[i]
					if g.Path != expandRepeats(w.Path) || g.Constraint != expandRepeats(w.Constraint) || g.Missing != w.Missing {
						t.Errorf("Validate(%s) violation %d = {%s %q missing=%v}, want {%s %q missing=%v}",
							c.Operation, i+1, g.Path, g.Constraint, g.Missing, expandRepeats(w.Path), expandRepeats(w.Constraint), w.Missing)
					}
					if g.Ref == nil || g.Ref.Shape == nil {
						t.Errorf("Validate(%s) violation %d has no Ref", c.Operation, i+1)
					}
					if g.Missing != (g.Value == nil) {
						t.Errorf("Validate(%s) violation %d: Missing %v with Value %v", c.Operation, i+1, g.Missing, g.Value)
					}
				}
				if c.Message != "" {
					vs := got
					if c.PatternFirst {
						vs = PatternFirst(vs)
					}
					if msg := JSON().ValidationError(vs).Message; msg != expandRepeats(c.Message) {
						t.Errorf("ValidationError(%s).Message =\n%s\nwant\n%s", c.Operation, msg, expandRepeats(c.Message))
					}
				}
			})
		}
	}
}

func violationList(vs []Violation) string {
	var b strings.Builder
	for _, v := range vs {
		b.WriteString("\n\t" + v.Path + ": " + v.Constraint)
	}
	return b.String()
}

// TestValidateValidInputs checks that inputs that break nothing give nothing, for operations of every json
// service sagebox serves.
func TestValidateValidInputs(t *testing.T) {
	cases := []struct {
		service, operation, input string
	}{
		{"sagemaker", "CreateDomain", `{"DomainName": "studio", "AuthMode": "IAM", "DefaultUserSettings": {
			"ExecutionRole": "arn:aws:iam::000000000000:role/sm", "SecurityGroups": ["sg-0123456789abcdef0"]},
			"SubnetIds": ["subnet-0123456789abcdef0"], "VpcId": "vpc-0123456789abcdef0",
			"Tags": [{"Key": "team", "Value": "ml"}]}`},
		{"sagemaker", "ListDomains", `{"MaxResults": 100}`},
		{"sagemaker", "CreateTrainingJob", `{"TrainingJobName": "job-1",
			"RoleArn": "arn:aws:iam::000000000000:role/sm", "OutputDataConfig": {"S3OutputPath": "s3://b/out"},
			"HyperParameters": {"epochs": "10"}, "Environment": {"MODE": "fast"}}`},
		{"logs", "PutLogEvents", `{"logGroupName": "/aws/sagemaker/TrainingJobs", "logStreamName": "job-1/algo-1",
			"logEvents": [{"timestamp": 1700000000000, "message": "hello"}]}`},
		{"iam", "CreateRole", `{"RoleName": "sm-exec", "Path": "/service-role/", "AssumeRolePolicyDocument": "{}"}`},
	}
	for _, c := range cases {
		t.Run(c.service+"/"+c.operation, func(t *testing.T) {
			op := realService(t, c.service).Operations[c.operation]
			in := realInput(t, op, json.RawMessage(c.input))
			if got := Validate(op.Input, in); len(got) != 0 {
				t.Errorf("Validate(%s) = %s, want no violations", c.input, violationList(got))
			}
		})
	}
}

func TestValidateWithoutInput(t *testing.T) {
	if got := Validate(nil, map[string]any{"x": 1}); got != nil {
		t.Errorf("Validate(nil input) = %v, want nil", got)
	}
}

// TestValidateLimitsOfFloats checks that a float shape's limit reads as Java prints a double ("0.25"), and an
// integer shape's without a fraction.
func TestValidateLimitsOfFloats(t *testing.T) {
	one, quarter, ten := 1.0, 0.25, 10.0
	shapes := map[string]*model.Shape{
		"In": {Type: "structure", Members: model.Members{
			{ShapeName: "Fraction", Name: "Fraction"}, {ShapeName: "Cores", Name: "Cores"}, {ShapeName: "Count", Name: "Count"},
		}},
		"Fraction": {Type: "float", Max: &one},
		"Cores":    {Type: "double", Min: &quarter},
		"Count":    {Type: "integer", Max: &ten},
	}
	ops := map[string]*model.Operation{"Op": {Input: &model.Ref{ShapeName: "In"}}}
	svc, err := model.Build(model.Metadata{Protocol: "json"}, ops, shapes)
	if err != nil {
		t.Fatal(err)
	}
	got := Validate(svc.Operations["Op"].Input, map[string]any{"Fraction": 1.5, "Cores": 0.1, "Count": int64(11)})
	want := []string{
		"fraction: Member must have value less than or equal to 1.0",
		"cores: Member must have value greater than or equal to 0.25",
		"count: Member must have value less than or equal to 10",
	}
	if len(got) != len(want) {
		t.Fatalf("Validate = %s, want %d violations", violationList(got), len(want))
	}
	for i := range want {
		if s := got[i].Path + ": " + got[i].Constraint; s != want[i] {
			t.Errorf("violation %d = %q, want %q", i+1, s, want[i])
		}
	}
}

func TestPatternFirst(t *testing.T) {
	in := []Violation{
		{Path: "a", Constraint: "Member must have length less than or equal to 5"},
		{Path: "b", Constraint: "Member must have length greater than or equal to 20"},
		{Path: "b", Constraint: "Member must satisfy regular expression pattern: x+"},
		{Path: "c", Constraint: "Member must satisfy regular expression pattern: y+"},
	}
	got := PatternFirst(append([]Violation(nil), in...))
	want := []string{"a length", "b pattern", "b length", "c pattern"}
	for i, v := range got {
		kind := "length"
		if strings.Contains(v.Constraint, "pattern") {
			kind = "pattern"
		}
		if s := v.Path + " " + kind; s != want[i] {
			t.Errorf("PatternFirst(...)[%d] = %s, want %s", i, s, want[i])
		}
	}
}

func BenchmarkValidate(b *testing.B) {
	op := realService(b, "sagemaker").Operations["CreateDomain"]
	in := map[string]any{
		"DomainName": "studio", "AuthMode": "IAM", "VpcId": "vpc-0123456789abcdef0",
		"DefaultUserSettings": map[string]any{
			"ExecutionRole":  "arn:aws:iam::000000000000:role/sm",
			"SecurityGroups": []any{"sg-0123456789abcdef0", "sg-0123456789abcdef1"},
		},
		"SubnetIds": []any{"subnet-0123456789abcdef0", "subnet-0123456789abcdef1"},
		"Tags":      []any{map[string]any{"Key": "team", "Value": "ml"}},
	}
	if v := Validate(op.Input, in); len(v) != 0 {
		b.Fatalf("Validate(valid input) = %s", violationList(v))
	}
	b.ReportAllocs()
	for b.Loop() {
		Validate(op.Input, in)
	}
}

// TestValidateDeepTrees checks that a tree deeper than Validate follows is checked down to the bound, without
// failing.
func TestValidateDeepTrees(t *testing.T) {
	op := tinyJSONService(t).Operations["Put"]
	tree := map[string]any{"Str": ""}
	for range 100 {
		tree = map[string]any{"Str": "", "Nested": tree, "List": []any{""}}
	}
	got := Validate(op.Input, tree)
	// Each level breaks Str's length and List's member; a level d deep has a path of d+1 segments.
	if want := 2 * maxValidateDepth; len(got) != want {
		t.Errorf("Validate(a tree 101 deep) found %d violations, want %d", len(got), want)
	}
	if last := got[len(got)-1].Path; strings.Count(last, ".")+1 != maxValidateDepth {
		t.Errorf("Validate(a tree 101 deep) reported %s last, want a path of %d segments", last, maxValidateDepth)
	}
}
