package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestSimulate runs `sagebox simulate` on every request of testdata/simulate, as text and as JSON, and compares
// what it prints and its exit status with the request's .golden and .json.golden files. go test -run TestSimulate
// -update rewrites them.
func TestSimulate(t *testing.T) {
	files, err := filepath.Glob("testdata/simulate/*.json")
	if err != nil || len(files) < 5 {
		t.Fatalf("want at least 5 requests in testdata/simulate, have %d (%v)", len(files), err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".json")
		for _, form := range []struct {
			flags  []string
			golden string
		}{{nil, ".golden"}, {[]string{"--json"}, ".json.golden"}} {
			t.Run(name+form.golden, func(t *testing.T) {
				var stdout, stderr bytes.Buffer
				args := append([]string{"simulate", "--request", file}, form.flags...)
				code := run(context.Background(), args, &stdout, &stderr)
				got := fmt.Sprintf("%sexit %d\n", stdout.String(), code)
				golden := strings.TrimSuffix(file, ".json") + form.golden
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
					t.Errorf("sagebox %s printed\n%s\nwant\n%s(stderr %q)", strings.Join(args, " "), got, want, stderr.String())
				}
			})
		}
	}
}

// TestSimulateDecisions holds the golden files to what each request is about, so that a golden file rewritten
// with a wrong answer does not pass: the decision and the layer that made it.
func TestSimulateDecisions(t *testing.T) {
	cases := []struct{ file, decision, layer string }{
		{"user-identity", "allowed", ""},
		{"user-missing-key", "implicitDeny", "identity-based policy"},
		{"role-boundary", "implicitDeny", "permissions boundary"},
		{"role-session-policy", "implicitDeny", "session policy"},
		{"scp-levels", "explicitDeny", "service control policy"},
		{"scp-no-allow", "implicitDeny", "service control policy"},
		{"root-under-scp", "explicitDeny", "service control policy"},
		{"cross-account-bucket", "allowed", ""},
		{"cross-account-no-grant", "implicitDeny", "resource-based policy"},
		{"rcp-outside-org", "explicitDeny", "resource control policy"},
		{"endpoint-policy", "implicitDeny", "VPC endpoint policy"},
		{"service-assume-role", "allowed", ""},
		{"anonymous-public-read", "allowed", ""},
		{"federated-user", "allowed", ""},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(context.Background(), []string{"simulate", "--json", "--request", "testdata/simulate/" + c.file + ".json"}, &stdout, &stderr); code != 0 {
				t.Fatalf("sagebox simulate exited %d: %s", code, stderr.String())
			}
			var out simOutcome
			if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
				t.Fatalf("the JSON output does not read back: %v", err)
			}
			if out.Decision != c.decision || out.Layer != c.layer {
				t.Errorf("%s decided %s by %q, want %s by %q", c.file, out.Decision, out.Layer, c.decision, c.layer)
			}
			if c.decision != "allowed" && !strings.Contains(out.Reason, "is not authorized to perform: ") {
				t.Errorf("%s has the reason %q, want AWS's denial text", c.file, out.Reason)
			}
		})
	}
}

func TestSimulateBadInput(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	user := `"principal": {"type": "user", "arn": "arn:aws:iam::111122223333:user/a"`
	cases := []struct {
		name, body, says string
	}{
		{"not JSON", `{"action":`, "not valid JSON"},
		{"an unknown member", `{"action": "s3:GetObject", ` + user + `}, "resorce": {}}`, "unknown field"},
		{"no action", `{` + user + `}}`, "action"},
		{"an action without a service", `{"action": "GetObject", ` + user + `}}`, "service:Operation"},
		{"no principal", `{"action": "s3:GetObject"}`, "no principal"},
		{"an unknown principal type", `{"action": "s3:GetObject", "principal": {"type": "robot"}}`, "want user, role-session"},
		{"a user ARN that is a role's", `{"action": "s3:GetObject", "principal": {"type": "user", "arn": "arn:aws:iam::111122223333:role/r"}}`, "want arn:aws:iam::ACCOUNT:user"},
		{"a malformed policy", `{"action": "s3:GetObject", ` + user + `, "policies": [{"id": "p", "document": {"Statement": [{"Effect": "Allow", "Action": "s3:*"}]}}]}}`, "MalformedPolicyDocument"},
		{"a policy without a document", `{"action": "s3:GetObject", ` + user + `, "policies": [{"id": "p"}]}}`, "neither a document nor a file"},
		{"a policy file that is not there", `{"action": "s3:GetObject", ` + user + `, "policies": [{"id": "p", "file": "none.json"}]}}`, "none.json"},
		{"session policies for a user", `{"action": "s3:GetObject", ` + user + `, "sessionPolicies": [{"id": "p", "document": "{}"}]}}`, "only a role session"},
		{"an empty SCP level", `{"action": "s3:GetObject", ` + user + `}, "scps": [[]]}`, "level 1 has no policy"},
		{"a resource that is not an ARN", `{"action": "s3:GetObject", ` + user + `}, "resource": {"arn": "bucket"}}`, "not an ARN"},
		{"a bad time", `{"action": "s3:GetObject", ` + user + `}, "request": {"time": "yesterday"}}`, "RFC 3339"},
		{"a context value that is a number", `{"action": "s3:GetObject", ` + user + `}, "context": {"s3:max-keys": 10}}`, "string or a list of strings"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), []string{"simulate", "--request", write(strings.ReplaceAll(c.name, " ", "-")+".json", c.body)}, &stdout, &stderr)
			if code != 1 || !strings.Contains(stderr.String(), c.says) {
				t.Errorf("sagebox simulate of %s exited %d with stderr %q, want 1 and a message saying %q", c.name, code, stderr.String(), c.says)
			}
		})
	}
	usage := []struct {
		name string
		args []string
	}{
		{"no request", []string{"simulate"}},
		{"an argument besides the flags", []string{"simulate", "--request", "x.json", "more"}},
		{"an unknown flag", []string{"simulate", "--explain"}},
	}
	for _, c := range usage {
		t.Run(c.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(context.Background(), c.args, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), "usage: sagebox simulate") {
				t.Errorf("sagebox %s exited %d with stderr %q, want 2 and the usage", strings.Join(c.args, " "), code, stderr.String())
			}
		})
	}
}

// FuzzParseWhatIf feeds the request parser anything: it must answer a request or an error, never panic, and a
// request it accepts must be decidable.
func FuzzParseWhatIf(f *testing.F) {
	files, _ := filepath.Glob("testdata/simulate/*.json")
	for _, file := range files {
		if b, err := os.ReadFile(file); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"action":"s3:GetObject","principal":{"type":"anonymous"}}`))
	f.Add([]byte(`{"action":"a:b","principal":{"type":"root","account":"111122223333"},"scps":[[{"document":"{}"}]]}`))
	noFiles := func(string) ([]byte, error) { return nil, errors.New("no files while fuzzing") }
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, data []byte) {
		w, err := parseWhatIf(data, ".", noFiles, now)
		if err != nil {
			return
		}
		out := w.decide()
		switch out.Decision {
		case "allowed", "implicitDeny", "explicitDeny":
		default:
			t.Fatalf("decide answered %q", out.Decision)
		}
		var b bytes.Buffer
		out.writeText(&b)
	})
}
