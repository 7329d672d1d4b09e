package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The corpus under testdata/cases holds policy documents with the answer IAM gives for them, in the style of
// OPA's test cases: one JSON file per topic, each a list of cases.
//
//	{"name": "…", "kind": "Managed", "document": {…} or "raw text", "want": "valid" or IAM's message,
//	 "principals": [optional: what AWSPrincipals returns], "source": "where the behaviour comes from"}
//
// A document written as a JSON object or array is used byte for byte, so duplicate keys and key order survive; a
// document written as a JSON string is the text itself, for documents that are not JSON.

type corpusCase struct {
	Name       string          `json:"name"`
	Kind       string          `json:"kind"`
	Document   json.RawMessage `json:"document"`
	Want       string          `json:"want"`
	Principals []string        `json:"principals"`
	Source     string          `json:"source"`
}

func (c corpusCase) text() (string, error) {
	raw := bytes.TrimSpace(c.Document)
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		err := json.Unmarshal(raw, &s)
		return s, err
	}
	return string(raw), nil
}

func loadCorpus(t testing.TB) map[string][]corpusCase {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "cases", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus files under testdata/cases (%v)", err)
	}
	out := make(map[string][]corpusCase)
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var cases []corpusCase
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&cases); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out[strings.TrimSuffix(filepath.Base(f), ".json")] = cases
	}
	return out
}

func TestCorpus(t *testing.T) {
	corpus := loadCorpus(t)
	total := 0
	for file, cases := range corpus {
		names := make(map[string]bool)
		for _, c := range cases {
			total++
			if c.Name == "" || c.Source == "" || c.Want == "" {
				t.Errorf("%s: case %q lacks a name, a source or a want", file, c.Name)
			}
			if names[c.Name] {
				t.Errorf("%s: two cases are named %q", file, c.Name)
			}
			names[c.Name] = true
			t.Run(file+"/"+c.Name, func(t *testing.T) { runCase(t, c) })
		}
	}
	if total < 120 {
		t.Errorf("the corpus has %d cases, want at least 120", total)
	}
}

func runCase(t *testing.T, c corpusCase) {
	kind, ok := ParseKind(c.Kind)
	if !ok {
		t.Fatalf("unknown kind %q", c.Kind)
	}
	text, err := c.text()
	if err != nil {
		t.Fatalf("document: %v", err)
	}
	doc, err := Parse(text, kind)
	if c.Want == "valid" {
		if err != nil {
			t.Fatalf("Parse(%s, %v) = %q, want valid", text, kind, err)
		}
		if c.Principals != nil {
			got := doc.AWSPrincipals()
			if strings.Join(got, "\n") != strings.Join(c.Principals, "\n") {
				t.Errorf("AWSPrincipals() = %q, want %q", got, c.Principals)
			}
		}
		again, err := Parse(doc.String(), kind)
		if err != nil {
			t.Fatalf("Parse(Marshal) = %q for %s, want valid", err, doc)
		}
		if !equalDocuments(doc, again) {
			t.Errorf("Parse(Marshal(doc)) = %s, want %s", again, doc)
		}
		return
	}
	if err == nil {
		t.Fatalf("Parse(%s, %v) is valid, want %q", text, kind, c.Want)
	}
	var perr *Error
	if !errors.As(err, &perr) {
		t.Fatalf("Parse(%s, %v) = %T %v, want a *policy.Error", text, kind, err, err)
	}
	if perr.Message != c.Want {
		t.Errorf("Parse(%s, %v) = %q, want %q", text, kind, perr.Message, c.Want)
	}
}
