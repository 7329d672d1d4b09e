package oidc

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestIssuerKeepsItsKeyInTheKeyFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "oidc-key.pem")
	first := NewIssuer(Config{KeyFile: file, Now: fixedClock(t0)})
	if _, err := os.Stat(file); err == nil {
		t.Fatal("NewIssuer wrote a key before one was needed")
	}
	tok, _, err := first.Mint(TokenRequest{Issuer: "https://i.example.com", Subject: "s"})
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(file)
	if err != nil {
		t.Fatalf("the key file after the first token: %v", err)
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		t.Errorf("the key file's mode = %v, want it readable by its owner only", perm)
	}
	// A restarted server reads the same key: the token minted before still verifies.
	second := NewIssuer(Config{KeyFile: file})
	keys, err := second.Keys()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Verify(tok, keys, Expect{Now: t0}); err != nil {
		t.Errorf("Verify after a restart = %v, want no error", err)
	}
}

func TestIssuerRefusesABadKeyFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "oidc-key.pem")
	if err := os.WriteFile(file, []byte("not a key"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := NewIssuer(Config{KeyFile: file}).Keys(); err == nil {
		t.Error("Keys with a key file that holds no key succeeded, want an error")
	}
}

func TestRoutes(t *testing.T) {
	iss := NewIssuerWithKey(testKey(), fixedClock(t0))
	mux := http.NewServeMux()
	iss.Routes(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()

	t.Run("discovery", func(t *testing.T) {
		var d Discovery
		get(t, srv.URL+PathPrefix+"/.well-known/openid-configuration", &d)
		if want := srv.URL + PathPrefix; d.Issuer != want || d.JWKSURI != want+"/jwks" {
			t.Errorf("discovery = issuer %q, jwks_uri %q; want %q and %q/jwks", d.Issuer, d.JWKSURI, want, want)
		}
	})
	var keys KeySet
	t.Run("jwks", func(t *testing.T) {
		resp, err := http.Get(srv.URL + PathPrefix + "/jwks")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var raw json.RawMessage
		if err := json.NewDecoder(resp.Body).Decode(&raw); err != nil {
			t.Fatal(err)
		}
		if keys, err = ParseJWKS(raw); err != nil || keys.Len() != 1 {
			t.Fatalf("ParseJWKS of the served set = %d keys, %v; want 1 key", keys.Len(), err)
		}
	})
	t.Run("token", func(t *testing.T) {
		body := `{"iss": "https://token.actions.githubusercontent.com", "sub": "repo:o/r:ref:refs/heads/main", "aud": "sts.amazonaws.com", "claims": {"repository": "o/r"}, "expiresIn": "10m"}`
		resp, err := http.Post(srv.URL+PathPrefix+"/token", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out TokenResponse
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != 200 {
			t.Fatalf("POST token = %d, %v", resp.StatusCode, err)
		}
		if !out.ExpiresAt.Equal(t0.Add(10 * time.Minute)) {
			t.Errorf("expiresAt = %v, want 10 minutes after now", out.ExpiresAt)
		}
		tok, err := Verify(out.Token, keys, Expect{Now: t0, Issuer: "https://token.actions.githubusercontent.com", Audiences: []string{"sts.amazonaws.com"}})
		if err != nil {
			t.Fatalf("Verify of the minted token with the served keys = %v", err)
		}
		if r, _ := tok.String("repository"); r != "o/r" {
			t.Errorf("repository claim = %q, want o/r", r)
		}
	})
	t.Run("bad token request", func(t *testing.T) {
		resp, err := http.Post(srv.URL+PathPrefix+"/token", "application/json", strings.NewReader(`{"sub": "x"}`))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out struct{ Error string }
		_ = json.NewDecoder(resp.Body).Decode(&out)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(out.Error, "iss is required") {
			t.Errorf("POST token without iss = %d %q, want 400 saying iss is required", resp.StatusCode, out.Error)
		}
	})
}

func get(t *testing.T, url string, out any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s = %s", url, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		t.Fatal(err)
	}
}

func TestParseTokenRequest(t *testing.T) {
	cases := []struct {
		name string
		body string
		ok   bool
		want TokenRequest
	}{
		{"minimal", `{"iss":"https://i"}`, true, TokenRequest{Issuer: "https://i"}},
		{"audience list", `{"iss":"https://i","aud":["a","b"],"expiresIn":"2h"}`, true, TokenRequest{Issuer: "https://i", Audience: []string{"a", "b"}, ExpiresIn: 2 * time.Hour}},
		{"no issuer", `{"sub":"s"}`, false, TokenRequest{}},
		{"unknown field", `{"iss":"https://i","audience":"a"}`, false, TokenRequest{}},
		{"audience a number", `{"iss":"https://i","aud":3}`, false, TokenRequest{}},
		{"negative duration", `{"iss":"https://i","expiresIn":"-1h"}`, false, TokenRequest{}},
		{"not a duration", `{"iss":"https://i","expiresIn":"soon"}`, false, TokenRequest{}},
		{"two objects", `{"iss":"https://i"}{}`, false, TokenRequest{}},
		{"not JSON", `iss=https://i`, false, TokenRequest{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseTokenRequest([]byte(tc.body))
			if (err == nil) != tc.ok {
				t.Fatalf("ParseTokenRequest(%s) error = %v, want ok = %v", tc.body, err, tc.ok)
			}
			if tc.ok && (got.Issuer != tc.want.Issuer || strings.Join(got.Audience, ",") != strings.Join(tc.want.Audience, ",") || got.ExpiresIn != tc.want.ExpiresIn) {
				t.Errorf("ParseTokenRequest(%s) = %+v, want %+v", tc.body, got, tc.want)
			}
		})
	}
}
