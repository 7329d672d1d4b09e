package oidc

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

// Keys take tens of milliseconds to make: the tests share two.
var (
	testKey  = sync.OnceValue(func() *rsa.PrivateKey { return mustKey() })
	otherKey = sync.OnceValue(func() *rsa.PrivateKey { return mustKey() })
)

func mustKey() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, keyBits)
	if err != nil {
		panic(err)
	}
	return k
}

var t0 = time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)

func fixedClock(t time.Time) func() time.Time { return func() time.Time { return t } }

func TestMintThenVerify(t *testing.T) {
	iss := NewIssuerWithKey(testKey(), fixedClock(t0))
	tok, exp, err := iss.Mint(TokenRequest{
		Issuer:   "https://token.actions.githubusercontent.com",
		Subject:  "repo:org/repo:ref:refs/heads/main",
		Audience: []string{"sts.amazonaws.com"},
		Claims:   map[string]any{"repository": "org/repo"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := t0.Add(time.Hour); !exp.Equal(want) {
		t.Errorf("Mint expiration = %v, want %v", exp, want)
	}
	keys, err := iss.Keys()
	if err != nil {
		t.Fatal(err)
	}
	got, err := Verify(tok, keys, Expect{
		Issuer: "https://token.actions.githubusercontent.com", Audiences: []string{"sts.amazonaws.com"}, Now: t0.Add(time.Minute),
	})
	if err != nil {
		t.Fatalf("Verify of a fresh token = %v, want no error", err)
	}
	if got.Subject() != "repo:org/repo:ref:refs/heads/main" {
		t.Errorf("Subject() = %q, want the minted subject", got.Subject())
	}
	if r, _ := got.String("repository"); r != "org/repo" {
		t.Errorf("String(repository) = %q, want org/repo", r)
	}
	if aud := got.Audience(); len(aud) != 1 || aud[0] != "sts.amazonaws.com" {
		t.Errorf("Audience() = %q, want [sts.amazonaws.com]", aud)
	}
	if got.Header.Kid != Thumbprint(&testKey().PublicKey) || got.Header.Alg != "RS256" {
		t.Errorf("header = %+v, want RS256 with the key's thumbprint as kid", got.Header)
	}
}

func TestVerifyRefuses(t *testing.T) {
	iss := NewIssuerWithKey(testKey(), fixedClock(t0))
	keys, err := iss.Keys()
	if err != nil {
		t.Fatal(err)
	}
	mint := func(r TokenRequest) string {
		t.Helper()
		if r.Issuer == "" {
			r.Issuer = "https://issuer.example.com"
		}
		tok, _, err := iss.Mint(r)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	stranger := NewIssuerWithKey(otherKey(), fixedClock(t0))
	strangerToken, _, err := stranger.Mint(TokenRequest{Issuer: "https://issuer.example.com", Audience: []string{"a"}})
	if err != nil {
		t.Fatal(err)
	}
	good := mint(TokenRequest{Subject: "s", Audience: []string{"a", "b"}})
	parts := strings.Split(good, ".")
	forged := parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"iss":"https://issuer.example.com","sub":"root","aud":"a","exp":9999999999}`)) + "." + parts[2]
	hs256 := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","kid":"x"}`)) + "." + parts[1] + "." + parts[2]
	none := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none"}`)) + "." + parts[1] + "."
	strangerKid := strings.Split(strangerToken, ".")
	// The stranger's token presented under our key id: the signature must fail, not the key lookup.
	ourHeader := parts[0]
	underOurKid := ourHeader + "." + strangerKid[1] + "." + strangerKid[2]

	cases := []struct {
		name  string
		token string
		want  Expect
		err   error
	}{
		{"two parts", "a.b", Expect{Now: t0}, ErrMalformed},
		{"four parts", good + ".x", Expect{Now: t0}, ErrMalformed},
		{"not base64", "a*b.c.d", Expect{Now: t0}, ErrMalformed},
		{"header not JSON", base64.RawURLEncoding.EncodeToString([]byte("hi")) + "." + parts[1] + "." + parts[2], Expect{Now: t0}, ErrMalformed},
		{"payload an array", parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(`[1]`)) + "." + parts[2], Expect{Now: t0}, ErrMalformed},
		{"algorithm HS256", hs256, Expect{Now: t0}, ErrAlgorithm},
		{"algorithm none", none, Expect{Now: t0}, ErrAlgorithm},
		{"another issuer's key", strangerToken, Expect{Now: t0}, ErrUnknownKey},
		{"another key under our key id", underOurKid, Expect{Now: t0}, ErrSignature},
		{"claims changed after signing", forged, Expect{Now: t0}, ErrSignature},
		{"expired", good, Expect{Now: t0.Add(time.Hour + 5*time.Minute), Skew: 5 * time.Minute}, ErrExpired},
		{"issued in the future", good, Expect{Now: t0.Add(-10 * time.Minute), Skew: 5 * time.Minute}, ErrNotYetValid},
		{"not before", mint(TokenRequest{Claims: map[string]any{"nbf": t0.Add(time.Hour).Unix()}}), Expect{Now: t0}, ErrNotYetValid},
		{"no exp", mustSign(t, iss, map[string]any{"iss": "x"}), Expect{Now: t0}, ErrMissingClaim},
		{"exp a string", mustSign(t, iss, map[string]any{"exp": "tomorrow"}), Expect{Now: t0}, ErrMalformed},
		{"exp a fraction", mustSign(t, iss, map[string]any{"exp": 1.5e9 + 0.5}), Expect{Now: t0}, ErrMalformed},
		{"another issuer", good, Expect{Now: t0, Issuer: "https://other.example.com"}, ErrIssuer},
		{"another audience", good, Expect{Now: t0, Audiences: []string{"c"}}, ErrAudience},
		{"no audience", mint(TokenRequest{Subject: "s"}), Expect{Now: t0, Audiences: []string{"a"}}, ErrAudience},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Verify(tc.token, keys, tc.want)
			if !errors.Is(err, tc.err) {
				t.Fatalf("Verify = %v, want %v", err, tc.err)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Errorf("Verify error %T is not an *Error", err)
			}
		})
	}
}

func mustSign(t *testing.T, iss *Issuer, claims map[string]any) string {
	t.Helper()
	tok, err := iss.Sign(claims)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestVerifyAllowsSkew(t *testing.T) {
	iss := NewIssuerWithKey(testKey(), fixedClock(t0))
	tok, _, err := iss.Mint(TokenRequest{Issuer: "https://i.example.com", ExpiresIn: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	keys, _ := iss.Keys()
	for _, now := range []time.Time{t0.Add(-4 * time.Minute), t0.Add(5 * time.Minute)} {
		if _, err := Verify(tok, keys, Expect{Now: now, Skew: 5 * time.Minute}); err != nil {
			t.Errorf("Verify at %v with 5 minutes of skew = %v, want no error", now.Sub(t0), err)
		}
	}
	if _, err := Verify(tok, keys, Expect{Now: t0.Add(6 * time.Minute), Skew: 5 * time.Minute}); !errors.Is(err, ErrExpired) {
		t.Errorf("Verify 6 minutes after issue of a 1-minute token = %v, want ErrExpired", err)
	}
}

func TestAudienceList(t *testing.T) {
	tok := &Token{Claims: map[string]any{"aud": []any{"x", json.Number("3"), "y"}}}
	if got := tok.Audience(); len(got) != 2 || got[0] != "x" || got[1] != "y" {
		t.Errorf("Audience() of [x, 3, y] = %q, want [x y]", got)
	}
	if a, ok := tok.MatchAudience([]string{"z", "y"}); !ok || a != "y" {
		t.Errorf("MatchAudience([z y]) = %q, %v, want y, true", a, ok)
	}
}

func TestMintClaims(t *testing.T) {
	iss := NewIssuerWithKey(testKey(), fixedClock(t0))
	for _, reserved := range []string{"iss", "sub", "aud"} {
		if _, _, err := iss.Mint(TokenRequest{Issuer: "https://i", Claims: map[string]any{reserved: "x"}}); err == nil {
			t.Errorf("Mint with %s among the claims succeeded, want an error", reserved)
		}
	}
	if _, _, err := iss.Mint(TokenRequest{Claims: map[string]any{}}); err == nil {
		t.Error("Mint without an issuer succeeded, want an error")
	}
	if _, _, err := iss.Mint(TokenRequest{Issuer: "https://i", Claims: map[string]any{"exp": "soon"}}); err == nil {
		t.Error("Mint with exp \"soon\" succeeded, want an error")
	}
	yesterday := t0.Add(-24 * time.Hour).Unix()
	tok, exp, err := iss.Mint(TokenRequest{Issuer: "https://i", Audience: []string{"a", "b"}, Claims: map[string]any{"exp": json.Number(itoa(yesterday))}})
	if err != nil {
		t.Fatal(err)
	}
	if exp.Unix() != yesterday {
		t.Errorf("Mint expiration = %d, want the exp claim given, %d", exp.Unix(), yesterday)
	}
	parsed, err := Parse(tok)
	if err != nil {
		t.Fatal(err)
	}
	if aud, ok := parsed.Claims["aud"].([]any); !ok || len(aud) != 2 {
		t.Errorf("aud of a token for two audiences = %#v, want a list of two", parsed.Claims["aud"])
	}
	if _, ok := parsed.Claims["sub"]; ok {
		t.Error("a token minted without a subject has a sub claim")
	}
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }
