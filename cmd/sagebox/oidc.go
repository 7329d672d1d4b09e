package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/sagebox/sagebox/internal/oidc"
)

const oidcUsage = `usage: sagebox oidc token --sub SUBJECT [--aud AUDIENCE …] [--iss URL] [--claim KEY=VALUE …] [--expires 1h]

Prints an OpenID Connect ID token signed by the server's built-in test issuer, for
aws sts assume-role-with-web-identity --web-identity-token "$(sagebox oidc token …)".

The issuer signs for any issuer URL you name, and sagebox trusts its key for every IAM OIDC provider created in
it, whatever the provider's URL: create the provider for https://token.actions.githubusercontent.com (or your
EKS cluster's issuer) as you would in AWS, and test the role's trust policy — its
token.actions.githubusercontent.com:sub and :aud conditions — offline. Tokens signed by any other key are refused,
as AWS refuses them. The keys are served at /_sagebox/oidc/jwks.

  --iss      the issuer (default https://token.actions.githubusercontent.com)
  --sub      the subject, such as repo:ORG/REPO:ref:refs/heads/main (required)
  --aud      an audience; repeat for several (default sts.amazonaws.com)
  --claim    another claim as KEY=VALUE (a string), such as repository=ORG/REPO; repeat for several. exp, iat and
             nbf take Unix seconds and replace the times the issuer writes (exp=1 makes an expired token)
  --expires  how long the token is valid (default 1h), on the server's clock`

// repeated is a flag that may be given several times.
type repeated []string

func (r *repeated) String() string     { return strings.Join(*r, ",") }
func (r *repeated) Set(v string) error { *r = append(*r, v); return nil }

// runOIDC mints tokens from a running sagebox's built-in OIDC issuer.
func runOIDC(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "token" {
		fmt.Fprintln(stderr, oidcUsage)
		return errUsage
	}
	fs := flag.NewFlagSet("oidc token", flag.ContinueOnError)
	fs.Usage = func() { fmt.Fprintln(stderr, oidcUsage) }
	c := clientFlags(fs)
	iss := fs.String("iss", "https://token.actions.githubusercontent.com", "the issuer URL the token claims")
	sub := fs.String("sub", "", "the subject (required)")
	expires := fs.String("expires", "1h", "how long the token is valid")
	var auds, claims repeated
	fs.Var(&auds, "aud", "an audience (repeat for several; default sts.amazonaws.com)")
	fs.Var(&claims, "claim", "another claim, KEY=VALUE (repeat for several)")
	if err := parse(fs, args[1:], stderr); err != nil {
		return err
	}
	if *sub == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, oidcUsage)
		return errUsage
	}
	if len(auds) == 0 {
		auds = repeated{"sts.amazonaws.com"}
	}
	extra, err := claimMap(claims)
	if err != nil {
		return err
	}
	body := map[string]any{"iss": *iss, "sub": *sub, "aud": []string(auds), "expiresIn": *expires}
	if len(extra) > 0 {
		body["claims"] = extra
	}
	var out oidc.TokenResponse
	if err := c.do(ctx, http.MethodPost, oidc.PathPrefix+"/token", body, &out); err != nil {
		return err
	}
	fmt.Fprintln(stdout, out.Token)
	return nil
}

// claimMap reads --claim KEY=VALUE flags: values are strings, but exp, iat and nbf, which are numbers.
func claimMap(flags []string) (map[string]any, error) {
	out := map[string]any{}
	for _, f := range flags {
		k, v, ok := strings.Cut(f, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("--claim %q: want KEY=VALUE", f)
		}
		switch k {
		case "exp", "iat", "nbf":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("--claim %s=%s: %s takes Unix seconds", k, v, k)
			}
			out[k] = n
		default:
			out[k] = v
		}
	}
	return out, nil
}
