package main

import (
	"bytes"
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/sagebox/sagebox/internal/oidc"
)

// TestOIDCToken runs `sagebox serve` and mints a token with `sagebox oidc token`, checking what it claims.
func TestOIDCToken(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	var serverOut syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--memory", "--addr", addr, "--log-level", "warn"}, &serverOut, &serverOut)
	}()
	defer func() {
		cancel()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			t.Error("serve did not stop")
		}
	}()
	endpoint := "--endpoint=http://" + addr
	sagebox := func(args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		code := run(context.Background(), append(args, endpoint), &out, &errOut)
		return code, out.String(), errOut.String()
	}
	deadline := time.Now().Add(10 * time.Second)
	for code, _, _ := sagebox("clock", "show"); code != 0; code, _, _ = sagebox("clock", "show") {
		if time.Now().After(deadline) {
			t.Fatalf("the server did not come up: %s", serverOut.String())
		}
		time.Sleep(20 * time.Millisecond)
	}

	code, out, errOut := sagebox("oidc", "token", "--sub", "repo:org/repo:ref:refs/heads/main", "--claim", "repository=org/repo", "--expires", "15m")
	if code != 0 {
		t.Fatalf("oidc token: exit %d: %s", code, errOut)
	}
	tok, err := oidc.Parse(strings.TrimSpace(out))
	if err != nil {
		t.Fatalf("oidc token printed %q, not a token: %v", out, err)
	}
	if tok.Issuer() != "https://token.actions.githubusercontent.com" || tok.Subject() != "repo:org/repo:ref:refs/heads/main" {
		t.Errorf("the token's iss and sub = %q, %q; want GitHub's issuer (the default) and the subject given", tok.Issuer(), tok.Subject())
	}
	if aud := tok.Audience(); len(aud) != 1 || aud[0] != "sts.amazonaws.com" {
		t.Errorf("the token's aud = %q, want [sts.amazonaws.com] (the default)", aud)
	}
	if r, _ := tok.String("repository"); r != "org/repo" {
		t.Errorf("the token's repository claim = %q, want org/repo", r)
	}
	iat, _, _ := tok.Time("iat")
	exp, _, _ := tok.Time("exp")
	if exp.Sub(iat) != 15*time.Minute {
		t.Errorf("the token is valid for %v, want the 15m asked for", exp.Sub(iat))
	}

	code, out, _ = sagebox("oidc", "token", "--iss", "https://oidc.eks.us-east-1.amazonaws.com/id/X", "--sub", "system:serviceaccount:ns:sa", "--aud", "a", "--aud", "b")
	if tok, err := oidc.Parse(strings.TrimSpace(out)); code != 0 || err != nil || tok.Issuer() != "https://oidc.eks.us-east-1.amazonaws.com/id/X" || len(tok.Audience()) != 2 {
		t.Errorf("oidc token --iss EKS --aud a --aud b: exit %d, %q, want a token of that issuer for two audiences", code, out)
	}

	if code, _, _ := sagebox("oidc", "token"); code != 2 {
		t.Errorf("oidc token without --sub: exit %d, want 2 (usage)", code)
	}
	if code, _, errOut := sagebox("oidc", "token", "--sub", "s", "--claim", "exp=tomorrow"); code != 1 || !strings.Contains(errOut, "Unix seconds") {
		t.Errorf("oidc token --claim exp=tomorrow: exit %d, %q, want an error saying exp takes Unix seconds", code, errOut)
	}
	if code, _, errOut := sagebox("oidc", "token", "--sub", "s", "--expires", "-1h"); code != 1 || !strings.Contains(errOut, "positive duration") {
		t.Errorf("oidc token --expires -1h: exit %d, %q, want the server's refusal of a negative duration", code, errOut)
	}
}

func TestClaimMap(t *testing.T) {
	got, err := claimMap([]string{"repository=org/repo", "exp=100", "ref=refs/heads/a=b"})
	if err != nil {
		t.Fatal(err)
	}
	if got["repository"] != "org/repo" || got["exp"] != int64(100) || got["ref"] != "refs/heads/a=b" {
		t.Errorf("claimMap = %v, want repository and ref as strings (split at the first =), exp as a number", got)
	}
	for _, bad := range []string{"novalue", "=x", "iat=soon"} {
		if _, err := claimMap([]string{bad}); err == nil {
			t.Errorf("claimMap([%q]) succeeded, want an error", bad)
		}
	}
}
