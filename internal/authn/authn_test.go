package authn

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sagebox/sagebox/internal/api"
	"github.com/sagebox/sagebox/internal/awserr"
	"github.com/sagebox/sagebox/internal/clock"
	"github.com/sagebox/sagebox/internal/sigv4"
)

var t0 = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func signed(t *testing.T, creds sigv4.Credentials, at time.Time) (*http.Request, []byte, *sigv4.Signed) {
	t.Helper()
	body := []byte("Action=GetCallerIdentity&Version=2011-06-15")
	r, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1:4566/", strings.NewReader(string(body)))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	sigv4.Sign(r, body, creds, "us-east-1", "sts", at)
	s, err := sigv4.Parse(r)
	if err != nil {
		t.Fatal(err)
	}
	return r, body, s
}

func TestAuthenticate(t *testing.T) {
	alice := &api.Principal{Type: api.User, Account: "111111111111", ARN: "arn:aws:iam::111111111111:user/alice"}
	session := &api.Principal{Type: api.AssumedRole, Account: "111111111111", ARN: "arn:aws:sts::111111111111:assumed-role/r/s"}
	keys := NewKeyRing()
	keys.Put(&Key{AccessKeyID: "AKIAALICE", SecretAccessKey: "secret", Principal: alice})
	keys.Put(&Key{AccessKeyID: "AKIAOLD", SecretAccessKey: "secret", Principal: alice, Inactive: true})
	keys.Put(&Key{AccessKeyID: "ASIASESSION", SecretAccessKey: "secret", Principal: session, SessionToken: "token", Expires: t0.Add(time.Hour)})
	clk := clock.NewManual(t0)
	a := New(keys, clk)

	cases := []struct {
		name     string
		creds    sigv4.Credentials
		signedAt time.Duration // when the client signed, from t0
		now      time.Duration // the server's clock, from t0
		want     *api.Principal
		wantKind awserr.Kind
	}{
		{"a long-term key", sigv4.Credentials{AccessKeyID: "AKIAALICE", SecretAccessKey: "secret"}, 0, 0, alice, 0},
		{"a wrong secret", sigv4.Credentials{AccessKeyID: "AKIAALICE", SecretAccessKey: "guess"}, 0, 0, nil, awserr.KindSignatureMismatch},
		{"an unknown key", sigv4.Credentials{AccessKeyID: "AKIANOBODY", SecretAccessKey: "secret"}, 0, 0, nil, awserr.KindUnknownAccessKey},
		{"an inactive key", sigv4.Credentials{AccessKeyID: "AKIAOLD", SecretAccessKey: "secret"}, 0, 0, nil, awserr.KindUnknownAccessKey},
		{"a session with its token", sigv4.Credentials{AccessKeyID: "ASIASESSION", SecretAccessKey: "secret", SessionToken: "token"}, 0, 0, session, 0},
		{"a session without its token", sigv4.Credentials{AccessKeyID: "ASIASESSION", SecretAccessKey: "secret"}, 0, 0, nil, awserr.KindUnknownAccessKey},
		{"a session with another token", sigv4.Credentials{AccessKeyID: "ASIASESSION", SecretAccessKey: "secret", SessionToken: "forged"}, 0, 0, nil, awserr.KindUnknownAccessKey},
		{"a session past its expiry", sigv4.Credentials{AccessKeyID: "ASIASESSION", SecretAccessKey: "secret", SessionToken: "token"}, time.Hour, time.Hour, nil, awserr.KindExpiredToken},
		{"a signature 20 minutes old", sigv4.Credentials{AccessKeyID: "AKIAALICE", SecretAccessKey: "secret"}, 0, 20 * time.Minute, nil, awserr.KindClockSkew},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, body, s := signed(t, c.creds, t0.Add(c.signedAt))
			clk.Set(t0.Add(c.now))
			p, err := a.Authenticate(r, body, s)
			if c.want != nil {
				if err != nil || p != c.want {
					t.Fatalf("Authenticate = %v, %v; want %s", p, err, c.want.ARN)
				}
				return
			}
			if !errors.Is(err, &awserr.Error{Kind: c.wantKind}) {
				t.Errorf("Authenticate error = %v, want kind %s", err, c.wantKind)
			}
		})
	}
}
