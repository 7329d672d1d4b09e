package policy

import (
	"bytes"
	"encoding/json"
	"testing"
	"unicode/utf8"
)

func TestSize(t *testing.T) {
	tests := []struct {
		name, text string
		want       int
	}{
		{"empty", "", 0},
		{"compact", `{"a":"b"}`, 9},
		{"white space between tokens", "{ \"a\" :\n\t\"b\"\r\n }", 9},
		{"white space inside a string", `{"a":"b c"}`, 11},
		{"a tab inside a string", "{\"a\":\"b\tc\"}", 11},
		{"escapes as written", `{"a":"\"\\\u0041"}`, 18},
		{"an escaped quote does not end the string", `{"a":"x\" y"}`, 13},
		{"Latin-1 is one character each", `{"é":"ü"}`, 9},
		{"not JSON is still counted", `{ "unterminated : x }`, 20},
		{"numbers and literals", "[ 1 , true , null ]", 13},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Size(tt.text); got != tt.want {
				t.Errorf("Size(%q) = %d, want %d", tt.text, got, tt.want)
			}
		})
	}
}

// A document's size does not depend on how it is indented, and a compact document's size is its length.
func TestSizeIgnoresIndentation(t *testing.T) {
	const compact = `{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Action":["s3:GetObject"],"Resource":"arn:aws:s3:::my bucket/*"}]}`
	var buf bytes.Buffer
	if err := json.Indent(&buf, []byte(compact), "\t", "    "); err != nil {
		t.Fatal(err)
	}
	indented := buf.String()
	if Size(compact) != utf8.RuneCountInString(compact) {
		t.Errorf("Size(compact) = %d, want its length %d", Size(compact), utf8.RuneCountInString(compact))
	}
	if Size(indented) != Size(compact) {
		t.Errorf("Size(indented) = %d, want %d as compact", Size(indented), Size(compact))
	}
}
