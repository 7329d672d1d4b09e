package oidc

import (
	"errors"
	"testing"
	"time"
)

// FuzzVerify feeds arbitrary text to the JWT parser and verifier: it must never panic, must refuse with an *Error,
// and must accept only what the key signed.
func FuzzVerify(f *testing.F) {
	iss := NewIssuerWithKey(testKey(), fixedClock(t0))
	keys, err := iss.Keys()
	if err != nil {
		f.Fatal(err)
	}
	good, _, err := iss.Mint(TokenRequest{Issuer: "https://i.example.com", Subject: "s", Audience: []string{"a"}})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add("")
	f.Add("..")
	f.Add("e30.e30.")
	f.Add("eyJhbGciOiJSUzI1NiJ9.eyJleHAiOjF9.AAAA")
	f.Add("eyJhbGciOiJub25lIn0.eyJhdWQiOlsiYSIsMSxudWxsXX0.")
	f.Add("eyJhbGciOiJSUzI1NiIsImtpZCI6e319.W10.")
	f.Fuzz(func(t *testing.T, token string) {
		tok, err := Verify(token, keys, Expect{Now: t0, Skew: 5 * time.Minute, Audiences: []string{"a"}})
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Verify(%q) error %T is not an *Error", token, err)
			}
			return
		}
		if token != good {
			// Decoding is strict (no line breaks, no stray bits), so one signed token has one text: anything else
			// that verified would be a forgery.
			t.Fatalf("Verify accepted a token the key did not sign: %q", token)
		}
		_ = tok.Audience()
		_, _, _ = tok.Time("exp")
	})
}

// FuzzParseTokenRequest feeds arbitrary bodies to the admin API's token request parser and mints what it accepts.
func FuzzParseTokenRequest(f *testing.F) {
	iss := NewIssuerWithKey(testKey(), fixedClock(t0))
	f.Add([]byte(`{"iss":"https://token.actions.githubusercontent.com","sub":"repo:o/r:ref:refs/heads/main","aud":"sts.amazonaws.com","claims":{"repository":"o/r","exp":1},"expiresIn":"1h"}`))
	f.Add([]byte(`{"iss":"x","aud":["a",null],"claims":{"nbf":1.5}}`))
	f.Add([]byte(`{"iss":"x","expiresIn":"9999999h"}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := ParseTokenRequest(body)
		if err != nil {
			return
		}
		if req.Issuer == "" {
			t.Fatalf("ParseTokenRequest(%q) accepted a request without an issuer", body)
		}
		tok, _, err := iss.Mint(req)
		if err != nil {
			return
		}
		if _, err := Parse(tok); err != nil {
			t.Fatalf("Parse of a minted token = %v", err)
		}
	})
}
