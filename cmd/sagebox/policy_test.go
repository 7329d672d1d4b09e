package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files of testdata/policies")

// TestPolicyValidate runs `sagebox policy validate` on every document of testdata/policies and compares what it
// prints and its exit status with the document's .golden file. A document's name begins with its kind:
// trust.sagemaker.json is validated with --kind trust. go test -run TestPolicyValidate -update rewrites the files.
func TestPolicyValidate(t *testing.T) {
	docs, err := filepath.Glob("testdata/policies/*.json")
	if err != nil || len(docs) == 0 {
		t.Fatalf("no documents in testdata/policies (%v)", err)
	}
	for _, doc := range docs {
		name := strings.TrimSuffix(filepath.Base(doc), ".json")
		kind, _, _ := strings.Cut(name, ".")
		t.Run(name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), []string{"policy", "validate", doc, "--kind", kind}, &stdout, &stderr)
			got := fmt.Sprintf("%sexit %d\n", stdout.String(), code)
			golden := strings.TrimSuffix(doc, ".json") + ".golden"
			if *updateGolden {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to write it)", err)
			}
			if got != string(want) {
				t.Errorf("sagebox policy validate %s --kind %s printed\n%s\nwant\n%s", doc, kind, got, want)
			}
			if code == 1 && !strings.Contains(stderr.String(), "invalid") {
				t.Errorf("sagebox policy validate %s exited 1 with stderr %q, want it to say the policy is invalid", doc, stderr.String())
			}
		})
	}
}

func TestPolicyValidateUsage(t *testing.T) {
	cases := []struct {
		name string
		args []string
		code int
	}{
		{"no subcommand", []string{"policy"}, 2},
		{"an unknown subcommand", []string{"policy", "lint", "x.json"}, 2},
		{"no file", []string{"policy", "validate"}, 2},
		{"two files", []string{"policy", "validate", "a.json", "b.json"}, 2},
		{"an unknown kind", []string{"policy", "validate", "--kind", "bucket", "testdata/policies/identity.good.json"}, 2},
		{"an unknown flag", []string{"policy", "validate", "--strict", "testdata/policies/identity.good.json"}, 2},
		{"a file that does not exist", []string{"policy", "validate", "testdata/policies/none.json"}, 1},
		{"the kind before the file", []string{"policy", "validate", "--kind", "managed", "testdata/policies/identity.good.json"}, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(context.Background(), c.args, &stdout, &stderr); code != c.code {
				t.Errorf("sagebox %s exited %d, want %d (stdout %q, stderr %q)", strings.Join(c.args, " "), code, c.code, stdout.String(), stderr.String())
			}
			if c.code == 2 && !strings.Contains(stderr.String(), "usage: sagebox policy validate") {
				t.Errorf("sagebox %s printed %q to stderr, want the usage", strings.Join(c.args, " "), stderr.String())
			}
		})
	}
}
