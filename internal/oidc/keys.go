package oidc

import (
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
)

// KeySet is a set of RSA public keys by key id: what an issuer publishes as its JWKS and what tokens are verified
// with.
type KeySet struct {
	keys []keyEntry
}

type keyEntry struct {
	kid string
	key *rsa.PublicKey
}

// Add adds key under kid.
func (s *KeySet) Add(kid string, key *rsa.PublicKey) {
	s.keys = append(s.keys, keyEntry{kid: kid, key: key})
}

// Len is how many keys the set holds.
func (s KeySet) Len() int { return len(s.keys) }

// find returns the key with kid; a token without a kid is verified with the only key of a set of one, as JOSE
// libraries do.
func (s KeySet) find(kid string) (*rsa.PublicKey, bool) {
	if kid == "" {
		if len(s.keys) == 1 {
			return s.keys[0].key, true
		}
		return nil, false
	}
	for _, e := range s.keys {
		if e.kid == kid {
			return e.key, true
		}
	}
	return nil, false
}

// JWK is one JSON Web Key of an RSA signing key (RFC 7517, RFC 7518 section 6.3).
type JWK struct {
	Kty string `json:"kty"`
	Use string `json:"use,omitempty"`
	Alg string `json:"alg,omitempty"`
	Kid string `json:"kid,omitempty"`
	N   string `json:"n"`
	E   string `json:"e"`
}

// JWKS is a JSON Web Key Set document.
type JWKS struct {
	Keys []JWK `json:"keys"`
}

// JWKS returns the set as the document an issuer's jwks_uri serves.
func (s KeySet) JWKS() JWKS {
	out := JWKS{Keys: make([]JWK, len(s.keys))}
	for i, e := range s.keys {
		out.Keys[i] = publicJWK(e.kid, e.key)
	}
	return out
}

func publicJWK(kid string, k *rsa.PublicKey) JWK {
	return JWK{
		Kty: "RSA", Use: "sig", Alg: "RS256", Kid: kid,
		N: base64.RawURLEncoding.EncodeToString(k.N.Bytes()),
		E: base64.RawURLEncoding.EncodeToString(big.NewInt(int64(k.E)).Bytes()),
	}
}

// ParseJWKS reads a JWKS document, keeping its RSA keys (keys of other types are skipped, as a verifier that only
// knows RSA must).
func ParseJWKS(b []byte) (KeySet, error) {
	var doc JWKS
	if err := json.Unmarshal(b, &doc); err != nil {
		return KeySet{}, fmt.Errorf("oidc: the key set is not JSON: %w", err)
	}
	var s KeySet
	for _, k := range doc.Keys {
		if k.Kty != "RSA" {
			continue
		}
		n, err := base64.RawURLEncoding.DecodeString(k.N)
		if err != nil || len(n) == 0 {
			return KeySet{}, fmt.Errorf("oidc: key %q: n is not base64url", k.Kid)
		}
		e, err := base64.RawURLEncoding.DecodeString(k.E)
		if err != nil || len(e) == 0 || len(e) > 4 {
			return KeySet{}, fmt.Errorf("oidc: key %q: e is not a small base64url integer", k.Kid)
		}
		exp := int(new(big.Int).SetBytes(e).Int64())
		if exp < 3 || exp%2 == 0 {
			return KeySet{}, errors.New("oidc: key " + k.Kid + ": e is not an odd exponent of at least 3")
		}
		s.Add(k.Kid, &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: exp})
	}
	return s, nil
}

// Thumbprint is the RFC 7638 thumbprint of an RSA public key: base64url of the SHA-256 of its canonical JWK. The
// issuer uses it as the key's id, so that the id names the key and nothing else.
func Thumbprint(k *rsa.PublicKey) string {
	j := publicJWK("", k)
	// The canonical form: the required members only, in lexicographic order, without whitespace.
	canonical := `{"e":"` + j.E + `","kty":"RSA","n":"` + j.N + `"}`
	sum := sha256.Sum256([]byte(canonical))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}
