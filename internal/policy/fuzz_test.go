package policy

import (
	"errors"
	"testing"
	"unicode/utf8"
)

// FuzzParse checks that Parse never panics, that every refusal is a *Error with IAM's text, and that whatever
// Parse accepts survives Marshal: Parse of the canonical form accepts it and gives an equal document.
func FuzzParse(f *testing.F) {
	for _, cases := range loadCorpus(f) {
		for _, c := range cases {
			kind, ok := ParseKind(c.Kind)
			text, err := c.text()
			if ok && err == nil {
				f.Add(text, uint8(kind))
			}
		}
	}
	f.Fuzz(func(t *testing.T, text string, k uint8) {
		kind := Kind(k % uint8(len(kindNames)))
		if n := Size(text); n > utf8.RuneCountInString(text) {
			t.Fatalf("Size(%q) = %d, more than its %d characters", text, n, utf8.RuneCountInString(text))
		}
		doc, err := Parse(text, kind)
		if err != nil {
			var perr *Error
			if !errors.As(err, &perr) || perr.Message == "" || perr.Code == 0 {
				t.Fatalf("Parse(%q, %v) = %#v, want a *Error with a code and a message", text, kind, err)
			}
			return
		}
		if doc.Kind != kind || len(doc.Statements) == 0 {
			t.Fatalf("Parse(%q, %v) = %s of kind %v, want statements of kind %v", text, kind, doc, doc.Kind, kind)
		}
		canonical := doc.String()
		again, err := Parse(canonical, kind)
		if err != nil {
			t.Fatalf("Parse(%q, %v) accepts, but Parse of its Marshal %s = %v", text, kind, canonical, err)
		}
		if !equalDocuments(doc, again) {
			t.Fatalf("Parse(Marshal(%q)) = %s, want %s", text, again, doc)
		}
		_ = doc.AWSPrincipals()
	})
}
