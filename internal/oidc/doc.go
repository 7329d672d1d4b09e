// Package oidc is sagebox's OpenID Connect toolkit: a built-in test issuer that signs ID tokens for any issuer
// URL a caller names (https://token.actions.githubusercontent.com, an EKS cluster's), the JWKS and discovery
// documents it serves, and the parsing and verification of JWTs (RS256, RS384, RS512; exp, nbf, iat with skew;
// iss; aud as a string or a list) with errors that say which check failed.
//
// sagebox trusts its own issuer's key for every IAM OIDC provider created in it, whatever the provider's URL: that
// is what lets a CI pipeline test its federation trust policies (token.actions.githubusercontent.com:sub and the
// like) offline, with tokens minted by `sagebox oidc token`. A token signed by any other key is refused.
//
// The package is not an identity provider for people (no login, no authorization endpoint, no refresh tokens), it
// does not fetch keys from the internet, and it knows nothing of IAM or STS beyond the Provider type they share.
package oidc

import "crypto"

// hashRS256 is the hash the issuer signs with.
const hashRS256 = crypto.SHA256

// Provider is an IAM OpenID Connect provider as STS needs it to accept a web identity token: IAM stores providers,
// STS reads them through this type, which both packages share without importing each other.
type Provider struct {
	// ARN is arn:aws:iam::ACCOUNT:oidc-provider/HOST/PATH.
	ARN string
	// URL is the provider's URL without its scheme (HOST/PATH), as IAM returns it and as trust policies prefix
	// their condition keys with ("token.actions.githubusercontent.com:sub").
	URL string
	// ClientIDs are the audiences the provider accepts.
	ClientIDs []string
}
