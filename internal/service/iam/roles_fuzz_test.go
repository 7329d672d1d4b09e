package iam

import (
	"encoding/json"
	"reflect"
	"testing"
)

// The rewriting of deleted principals in trust policies is a JSON walker of its own, so it gets a table and a
// fuzz target here, beside the behaviour tests that go through the API.

const (
	gone   = "arn:aws:iam::111111111111:role/gone"
	goneID = "AROAGONEGONEGONEGONE1"
)

func TestReplacePrincipals(t *testing.T) {
	repl := map[string]string{gone: goneID}
	cases := []struct{ name, doc, want string }{
		{"a principal string",
			`{"Statement":[{"Principal":{"AWS":"` + gone + `"}}]}`,
			`{"Statement":[{"Principal":{"AWS":"` + goneID + `"}}]}`},
		{"a principal list, spaces kept",
			`{"Statement": [ {"Principal": {"AWS": [ "x" , "` + gone + `" ]}} ]}`,
			`{"Statement": [ {"Principal": {"AWS": [ "x" , "` + goneID + `" ]}} ]}`},
		{"a statement written as an object",
			"{\n\t\"Statement\": {\"Principal\": {\"AWS\": \"" + gone + "\"}}\n}",
			"{\n\t\"Statement\": {\"Principal\": {\"AWS\": \"" + goneID + "\"}}\n}"},
		{"an ARN written with escapes",
			`{"Statement":{"Principal":{"AWS":"arn:aws:iam::111111111111:role\/gone"}}}`,
			`{"Statement":{"Principal":{"AWS":"` + goneID + `"}}}`},
		{"the ARN in a condition stays",
			`{"Statement":{"Principal":{"AWS":"` + gone + `"},"Condition":{"ArnEquals":{"aws:PrincipalArn":"` + gone + `"}}}}`,
			`{"Statement":{"Principal":{"AWS":"` + goneID + `"},"Condition":{"ArnEquals":{"aws:PrincipalArn":"` + gone + `"}}}}`},
		{"a key named AWS elsewhere stays",
			`{"AWS":"` + gone + `","Statement":{"Principal":{"Service":"` + gone + `"}}}`,
			`{"AWS":"` + gone + `","Statement":{"Principal":{"Service":"` + gone + `"}}}`},
		{"several statements",
			`{"Statement":[{"Principal":{"AWS":"` + gone + `"}},{"Principal":{"AWS":["` + gone + `"]}}]}`,
			`{"Statement":[{"Principal":{"AWS":"` + goneID + `"}},{"Principal":{"AWS":["` + goneID + `"]}}]}`},
		{"text that is not JSON", `{"Statement":{"Principal":{"AWS":"` + gone, `{"Statement":{"Principal":{"AWS":"` + gone},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := replacePrincipals(tc.doc, repl); got != tc.want {
				t.Errorf("replacePrincipals(%s) = %s, want %s", tc.doc, got, tc.want)
			}
		})
	}
}

// FuzzReplacePrincipals feeds the rewriter arbitrary documents: it must never panic, must leave a document alone
// when there is nothing to replace, and must turn valid JSON into valid JSON whose value is the input's with the
// principal replaced where a policy has its AWS principals, and nowhere else.
func FuzzReplacePrincipals(f *testing.F) {
	for _, seed := range []string{
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + gone + `"},"Action":"sts:AssumeRole"}]}`,
		`{"Statement":{"Principal":{"AWS":["a","` + gone + `"]},"Condition":{"StringEquals":{"k":"` + gone + `"}}}}`,
		`{"Statement":[{"Principal":{"AWS":"arn:aws:iam::111111111111:role\/gone"}}]}`,
		`{"Statement":[[{"Principal":{"AWS":"` + gone + `"}}]]}`,
		`{"Statement":{"Principal":"*"}}`,
		`[{"Statement":1}]`, `"x"`, `{`, `{"a":}`, ``, `{"Statement":{"Principal":{"AWS":{"AWS":"` + gone + `"}}}}`,
	} {
		f.Add(seed)
	}
	repl := map[string]string{gone: goneID}
	f.Fuzz(func(t *testing.T, doc string) {
		if got := replacePrincipals(doc, nil); got != doc {
			t.Fatalf("replacePrincipals(%q, nothing) = %q, want it unchanged", doc, got)
		}
		got := replacePrincipals(doc, repl)
		var in any
		if json.Unmarshal([]byte(doc), &in) != nil {
			return
		}
		var out any
		if err := json.Unmarshal([]byte(got), &out); err != nil {
			t.Fatalf("replacePrincipals(%q) = %q, which is not JSON: %v", doc, got, err)
		}
		if want := substituted(in); !reflect.DeepEqual(out, want) {
			t.Fatalf("replacePrincipals(%q) = %q, whose value is %#v, want %#v", doc, got, out, want)
		}
	})
}

// substituted is what replacePrincipals should make of a decoded document: gone replaced in every
// Statement → Principal → AWS, where a statement is the value of Statement or an element of it.
func substituted(v any) any {
	top, ok := v.(map[string]any)
	if !ok {
		return v
	}
	stmt := func(s any) {
		m, ok := s.(map[string]any)
		if !ok {
			return
		}
		p, ok := m["Principal"].(map[string]any)
		if !ok {
			return
		}
		switch aws := p["AWS"].(type) {
		case string:
			if aws == gone {
				p["AWS"] = goneID
			}
		case []any:
			for i, a := range aws {
				if a == gone {
					aws[i] = goneID
				}
			}
		}
	}
	switch s := top["Statement"].(type) {
	case []any:
		for _, e := range s {
			stmt(e)
		}
	default:
		stmt(s)
	}
	return top
}

// FuzzStoredRolePath checks the shortcut that ListRoles takes to a stored role's path against encoding/json: for
// any role as the store holds it, it must find the role's path, whatever the strings hold; for any other bytes it
// must not panic.
func FuzzStoredRolePath(f *testing.F) {
	f.Add("app", "AROAAAAAAAAAAAAAAAAAA", "/", "", []byte(`{"path":"/x/"}`))
	f.Add("a", "b", `/we"ird\/path/`, `,"path":"/decoy/"`, []byte(`{"name":"x","path":"\u002f"}`))
	f.Add("n", "i", "/\u2028/<&>/", "d", []byte(`,"path":"\`))
	f.Fuzz(func(t *testing.T, name, id, path, description string, junk []byte) {
		_, _ = storedRolePath(junk)
		r := role{Name: name, ID: id, Path: path, Description: description, TrustPolicy: description}
		doc, err := json.Marshal(&r)
		if err != nil {
			t.Fatal(err)
		}
		var want struct {
			Path string `json:"path"`
		}
		if err := json.Unmarshal(doc, &want); err != nil {
			t.Fatal(err)
		}
		got, err := storedRolePath(doc)
		if err != nil || got != want.Path {
			t.Fatalf("storedRolePath(%s) = %q, %v; want %q", doc, got, err, want.Path)
		}
	})
}
