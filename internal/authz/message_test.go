package authz

import (
	"encoding/base64"
	"strings"
	"testing"
)

func TestEncodedMessageRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		seq uint64
		id  string
	}{{1, "req-1"}, {18446744073709551615, "2b1f5a2c-0e9c-4c5e-8c4a-7a0c1e6e9d11"}, {42, "a.b.c"}} {
		blob := encodeMessage(tc.seq, tc.id)
		seq, id, ok := decodeMessage(blob)
		if !ok || seq != tc.seq || id != tc.id {
			t.Errorf("decodeMessage(encodeMessage(%d, %q)) = %d, %q, %v", tc.seq, tc.id, seq, id, ok)
		}
	}
}

func TestDecodeMessageRefusesWhatSageboxDidNotEncode(t *testing.T) {
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	for _, blob := range []string{
		"", "!!!", enc("hello"), enc("sbx1."), enc("sbx1.7"), enc("sbx1.7."), enc("sbx1..req"), enc("sbx1.07.req"),
		enc("sbx1.-7.req"), enc("sbx1.99999999999999999999.req"), strings.Repeat("A", maxEncodedMessage+1),
	} {
		if seq, id, ok := decodeMessage(blob); ok {
			t.Errorf("decodeMessage(%q) = %d, %q, true; want false", blob, seq, id)
		}
	}
}

func FuzzDecodeMessage(f *testing.F) {
	f.Add(encodeMessage(7, "req-7"))
	f.Add(base64.RawURLEncoding.EncodeToString([]byte("sbx1.1.")))
	f.Add("c2J4MS4x")
	f.Add("")
	f.Fuzz(func(t *testing.T, blob string) {
		seq, id, ok := decodeMessage(blob)
		if !ok {
			return
		}
		// What decodes re-encodes to itself: a message names one decision only.
		if again := encodeMessage(seq, id); again != blob {
			t.Errorf("decodeMessage(%q) = %d, %q, but that encodes as %q", blob, seq, id, again)
		}
	})
}
