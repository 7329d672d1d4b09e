package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// toAny turns a tree into what encoding/json decodes (with UseNumber), to compare the two readers.
func toAny(n *jnode) any {
	switch n.kind {
	case jNull:
		return nil
	case jBool:
		return n.text == "true"
	case jNumber:
		return json.Number(n.text)
	case jString:
		return n.text
	case jObject:
		m := make(map[string]any, len(n.members))
		for _, mb := range n.members {
			m[mb.key] = toAny(mb.val)
		}
		return m
	}
	l := make([]any, 0, len(n.elems))
	for _, e := range n.elems {
		l = append(l, toAny(e))
	}
	return l
}

func checkAgainstEncodingJSON(t *testing.T, text string) {
	t.Helper()
	n, err := parseJSON(text)
	if errors.Is(err, errTooDeep) {
		return // refused before the rest is read: whether the rest is JSON does not matter
	}
	if errors.Is(err, errDuplicateKey) {
		if !json.Valid([]byte(text)) {
			t.Fatalf("parseJSON(%q) = %v, but encoding/json finds it invalid JSON", text, err)
		}
		return
	}
	if valid := json.Valid([]byte(text)); valid != (err == nil) {
		t.Fatalf("parseJSON(%q) error = %v, but json.Valid = %v", text, err, valid)
	}
	if err != nil {
		return
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(text)))
	dec.UseNumber()
	var want any
	if err := dec.Decode(&want); err != nil {
		t.Fatalf("encoding/json cannot decode %q: %v", text, err)
	}
	if got := toAny(n); !reflect.DeepEqual(got, want) {
		t.Fatalf("parseJSON(%q) = %#v, encoding/json reads %#v", text, got, want)
	}
}

func TestJSONReadsAsEncodingJSON(t *testing.T) {
	for _, text := range []string{
		`{}`, `[]`, ` {"a" : [1, -0.5e+3, true, false, null, "x"]} `, `"\u00e9\ud83d\ude00\ud800x\udc00\n\/"`,
		`"\ud800\u0041"`, "\"\xff\xfe\"", `-0`, `01`, `1.`, `.5`, `1e`, `-`, `tru`, `nul`, `{"a":1,}`, `[1,]`, `{"a"}`,
		`{"a":1 "b":2}`, `"\x"`, "\"\t\"", `"\u12"`, `{"a":{"b":[[]]}}`, `[1] [2]`, ``, ` `, `{"a":1,"a":2}`,
		`"\ud800\uzzzz"`, `1E+9`, manyKeys(40, false), manyKeys(40, true), `[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]`,
	} {
		t.Run(text, func(t *testing.T) { checkAgainstEncodingJSON(t, text) })
	}
}

// manyKeys returns an object of n keys, the last one a repeat of the first when dup is set.
func manyKeys(n int, dup bool) string {
	var b strings.Builder
	b.WriteString("{")
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		k := i
		if dup && i == n-1 {
			k = 0
		}
		fmt.Fprintf(&b, `"k%d":%d`, k, i)
	}
	b.WriteString("}")
	return b.String()
}

// FuzzJSON checks the scanner against encoding/json: the same texts are JSON, and they read the same.
func FuzzJSON(f *testing.F) {
	for _, s := range []string{`{"Statement":[{"Effect":"Allow"}]}`, `"\ud83d\ude00"`, `[1,-2.5e3,true,null]`, "\"\xff\""} {
		f.Add(s)
	}
	f.Fuzz(checkAgainstEncodingJSON)
}

func TestJSONDuplicateKeys(t *testing.T) {
	for _, n := range []int{2, 15, 16, 17, 40} {
		if _, err := parseJSON(manyKeys(n, true)); !errors.Is(err, errDuplicateKey) {
			t.Errorf("parseJSON(%d keys, the last a repeat) = %v, want %v", n, err, errDuplicateKey)
		}
		if _, err := parseJSON(manyKeys(n, false)); err != nil {
			t.Errorf("parseJSON(%d distinct keys) = %v, want nil", n, err)
		}
	}
}
