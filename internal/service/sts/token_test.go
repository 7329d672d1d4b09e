package sts

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"
	"time"
)

func TestSessionTokens(t *testing.T) {
	issued := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	nonce := bytes.Repeat([]byte{0xA5}, tokenNonceSize)
	tok := makeToken("ASIAEXAMPLEEXAMPLE12", issued, nonce)
	got, err := parseToken(tok)
	if err != nil || got.KeyID != "ASIAEXAMPLEEXAMPLE12" || !got.Issued.Equal(issued) {
		t.Fatalf("parseToken(makeToken(…)) = %+v, %v; want the key and the issue time back", got, err)
	}
	bad := []struct{ name, token string }{
		{"empty", ""},
		{"not base64", "not a token!"},
		{"base64 with a line break", tok[:40] + "\n" + tok[40:]},
		{"cut short", tok[:len(tok)-8]},
		{"another magic", "QUJD" + tok[4:]},
		{"AWS's example token", "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA=="},
		{"a key id of lower-case letters", makeToken("asiaexampleexample12", issued, nonce)},
		{"a short key id", makeToken("ASIA", issued, nonce)},
		{"a short nonce", makeToken("ASIAEXAMPLEEXAMPLE12", issued, nonce[:10])},
		{"too long", strings.Repeat("A", maxTokenLen+4)},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			if got, err := parseToken(tc.token); err == nil {
				t.Errorf("parseToken(%q) = %+v, want an error", tc.token, got)
			}
		})
	}
}

func FuzzParseToken(f *testing.F) {
	f.Add(makeToken("ASIAEXAMPLEEXAMPLE12", time.Unix(1700000000, 0), bytes.Repeat([]byte{1}, tokenNonceSize)))
	f.Add("")
	f.Add("U0IBFA==")
	f.Add("AQoDYXdzEPT//////////wEXAMPLE")
	f.Fuzz(func(t *testing.T, s string) {
		tok, err := parseToken(s)
		if err != nil {
			return
		}
		// What parses is a token makeToken could have made, and says so again.
		b := []byte(s)
		again, err := parseToken(makeToken(tok.KeyID, tok.Issued, nonceOf(t, b)))
		if err != nil || again != tok {
			t.Fatalf("parseToken(%q) = %+v, but the token made from it parses as %+v, %v", s, tok, again, err)
		}
	})
}

// nonceOf returns the nonce of a valid token.
func nonceOf(t *testing.T, s []byte) []byte {
	t.Helper()
	raw := make([]byte, maxTokenLen)
	n, err := base64.StdEncoding.Decode(raw, s)
	if err != nil {
		t.Fatal(err)
	}
	return raw[n-tokenNonceSize : n]
}

func TestPackedSize(t *testing.T) {
	const example = `{"Version":"2012-10-17","Statement":[{"Sid":"Stmt1","Effect":"Allow","Action":"s3:*","Resource":"*"}]}`
	total, ofTags := packedSize([]byte(example), nil, []sessionTag{{"Project", "Pegasus"}, {"Cost-Center", "12345"}})
	if total < 6 || total > 10 || ofTags < 1 || ofTags >= total {
		t.Errorf("packedSize(the STS API Reference's example) = %d%% (tags %d%%), want about AWS's 8%%", total, ofTags)
	}
	big := []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"` + strings.Repeat("x", 1950) + `"}]}`)
	if total, _ := packedSize(big, nil, nil); total > 100 {
		t.Errorf("packedSize(a policy of 2,048 characters) = %d%%, want it to fit", total)
	}
	arns := []string{}
	for range 10 {
		arns = append(arns, "arn:aws:iam::123456789012:policy/a-managed-policy-with-a-long-name")
	}
	if total, _ := packedSize(big, arns, nil); total <= 100 {
		t.Errorf("packedSize(a policy of 2,048 characters and 10 policy ARNs) = %d%%, want it over the limit", total)
	}
	if total, _ := packedSize(nil, nil, nil); total != 0 {
		t.Errorf("packedSize(nothing) = %d%%, want 0", total)
	}
}
