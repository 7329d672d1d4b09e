package oidc

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// keyBits is the size of the issuer's RSA key: what identity providers use (GitHub's and EKS's keys are 2048-bit).
const keyBits = 2048

// Config configures an Issuer.
type Config struct {
	// KeyFile keeps the signing key (PEM, PKCS #8), so that tokens minted before a restart still verify after it.
	// Empty: the key lives in memory only.
	KeyFile string
	// Now is the clock tokens are stamped with: the server's, which `sagebox clock advance` moves, so that a token
	// expires in step with everything else. Default time.Now.
	Now func() time.Time
	// Rand is the source of the key and of token ids. Default crypto/rand.
	Rand io.Reader
}

// Issuer is sagebox's built-in test OpenID Connect issuer. It signs tokens with one RSA key, made when it is first
// needed (generating it costs tens of milliseconds, which a server that never mints a token does not pay) and
// kept in Config.KeyFile when there is one. It is safe for concurrent use.
type Issuer struct {
	cfg Config

	mu  sync.Mutex
	key *rsa.PrivateKey
	kid string
}

// NewIssuer returns an issuer for cfg. It reads or makes no key until one is needed.
func NewIssuer(cfg Config) *Issuer {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	return &Issuer{cfg: cfg}
}

// NewIssuerWithKey returns an issuer that signs with key: tests use it to play an issuer that sagebox does not
// trust.
func NewIssuerWithKey(key *rsa.PrivateKey, now func() time.Time) *Issuer {
	i := NewIssuer(Config{Now: now})
	i.key, i.kid = key, Thumbprint(&key.PublicKey)
	return i
}

// signer returns the signing key and its id, loading or making it on first use.
func (i *Issuer) signer() (*rsa.PrivateKey, string, error) {
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.key != nil {
		return i.key, i.kid, nil
	}
	key, err := i.loadKey()
	if err != nil {
		return nil, "", err
	}
	i.key, i.kid = key, Thumbprint(&key.PublicKey)
	return i.key, i.kid, nil
}

// loadKey reads the key file, or makes a key and writes it there (atomically, readable by its owner only).
func (i *Issuer) loadKey() (*rsa.PrivateKey, error) {
	if i.cfg.KeyFile != "" {
		b, err := os.ReadFile(i.cfg.KeyFile)
		switch {
		case err == nil:
			return parseKey(b, i.cfg.KeyFile)
		case !errors.Is(err, fs.ErrNotExist):
			return nil, fmt.Errorf("oidc: read the signing key: %w", err)
		}
	}
	key, err := rsa.GenerateKey(i.cfg.Rand, keyBits)
	if err != nil {
		return nil, fmt.Errorf("oidc: make a signing key: %w", err)
	}
	if i.cfg.KeyFile == "" {
		return key, nil
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	data := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	tmp, err := os.CreateTemp(filepath.Dir(i.cfg.KeyFile), ".oidc-key-*")
	if err != nil {
		return nil, fmt.Errorf("oidc: write the signing key: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("oidc: write the signing key: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return nil, fmt.Errorf("oidc: write the signing key: %w", err)
	}
	if err := os.Rename(tmp.Name(), i.cfg.KeyFile); err != nil {
		return nil, fmt.Errorf("oidc: write the signing key: %w", err)
	}
	return key, nil
}

func parseKey(b []byte, name string) (*rsa.PrivateKey, error) {
	block, _ := pem.Decode(b)
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("oidc: %s is not a PEM private key", name)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("oidc: %s: %w", name, err)
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("oidc: %s is not an RSA key", name)
	}
	return rk, nil
}

// Keys returns the issuer's public key set: what verifies its tokens.
func (i *Issuer) Keys() (KeySet, error) {
	key, kid, err := i.signer()
	if err != nil {
		return KeySet{}, err
	}
	var s KeySet
	s.Add(kid, &key.PublicKey)
	return s, nil
}

// Sign signs claims as they are, with RS256 and the issuer's key id in the header.
func (i *Issuer) Sign(claims map[string]any) (string, error) {
	key, kid, err := i.signer()
	if err != nil {
		return "", err
	}
	header, err := json.Marshal(Header{Alg: "RS256", Kid: kid, Typ: "JWT"})
	if err != nil {
		return "", err
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("oidc: the claims cannot be written as JSON: %w", err)
	}
	signed := base64.RawURLEncoding.EncodeToString(header) + "." + base64.RawURLEncoding.EncodeToString(payload)
	// PKCS #1 v1.5 signatures are deterministic: no randomness is needed.
	sig, err := rsa.SignPKCS1v15(nil, key, hashRS256, digest(hashRS256, signed))
	if err != nil {
		return "", err
	}
	return signed + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}

// TokenRequest says what a minted token claims.
type TokenRequest struct {
	// Issuer is iss: any URL, such as https://token.actions.githubusercontent.com. Required.
	Issuer string
	// Subject is sub; Audience is aud (one value is written as a string, several as an array). Either may be left
	// out, to make the tokens a relying party must refuse.
	Subject  string
	Audience []string
	// Claims are more claims, such as GitHub's repository or job_workflow_ref. Numbers under exp, iat and nbf
	// replace the times the issuer would write (a token issued yesterday); iss, sub and aud cannot be set here.
	Claims map[string]any
	// ExpiresIn is how long from now the token is valid; default one hour.
	ExpiresIn time.Duration
}

// DefaultExpiresIn is how long a minted token is valid unless asked otherwise.
const DefaultExpiresIn = time.Hour

// Mint makes a signed ID token: iss, sub, aud, iat and nbf (now), exp (now + ExpiresIn), a random jti, and the
// request's claims. It returns the token and its expiration.
func (i *Issuer) Mint(r TokenRequest) (string, time.Time, error) {
	if r.Issuer == "" {
		return "", time.Time{}, errors.New("a token needs an issuer (iss)")
	}
	if r.ExpiresIn < 0 {
		return "", time.Time{}, errors.New("expiresIn must not be negative")
	}
	if r.ExpiresIn == 0 {
		r.ExpiresIn = DefaultExpiresIn
	}
	for _, reserved := range []string{"iss", "sub", "aud"} {
		if _, ok := r.Claims[reserved]; ok {
			return "", time.Time{}, fmt.Errorf("claims may not set %s: give it as its own field", reserved)
		}
	}
	now := i.cfg.Now().UTC().Truncate(time.Second)
	exp := now.Add(r.ExpiresIn)
	var jti [16]byte
	if _, err := io.ReadFull(i.cfg.Rand, jti[:]); err != nil {
		return "", time.Time{}, err
	}
	claims := map[string]any{
		"iss": r.Issuer,
		"iat": now.Unix(),
		"nbf": now.Unix(),
		"exp": exp.Unix(),
		"jti": fmt.Sprintf("%x", jti),
	}
	if r.Subject != "" {
		claims["sub"] = r.Subject
	}
	switch len(r.Audience) {
	case 0:
	case 1:
		claims["aud"] = r.Audience[0]
	default:
		claims["aud"] = r.Audience
	}
	for k, v := range r.Claims {
		if k == "exp" || k == "iat" || k == "nbf" {
			n, err := integerClaim(k, v)
			if err != nil {
				return "", time.Time{}, err
			}
			if k == "exp" {
				exp = time.Unix(n, 0).UTC()
			}
			v = n
		}
		claims[k] = v
	}
	tok, err := i.Sign(claims)
	if err != nil {
		return "", time.Time{}, err
	}
	return tok, exp, nil
}

func integerClaim(name string, v any) (int64, error) {
	var n int64
	var err error
	switch x := v.(type) {
	case json.Number:
		n, err = x.Int64()
	case int64:
		n = x
	case int:
		n = int64(x)
	case float64:
		n = int64(x)
		if float64(n) != x {
			err = errors.New("not an integer")
		}
	default:
		err = errors.New("not a number")
	}
	if err != nil || n < 0 {
		return 0, fmt.Errorf("the %s claim must be an integer number of seconds since 1970", name)
	}
	return n, nil
}

// Discovery is the OpenID Provider Metadata document an issuer serves at /.well-known/openid-configuration
// (OpenID Connect Discovery 1.0): the members relying parties read.
type Discovery struct {
	Issuer                           string   `json:"issuer"`
	JWKSURI                          string   `json:"jwks_uri"`
	ResponseTypesSupported           []string `json:"response_types_supported"`
	SubjectTypesSupported            []string `json:"subject_types_supported"`
	IDTokenSigningAlgValuesSupported []string `json:"id_token_signing_alg_values_supported"`
	ClaimsSupported                  []string `json:"claims_supported"`
}

// DiscoveryFor returns the discovery document of the issuer served at base (such as
// http://127.0.0.1:4566/_sagebox/oidc).
func DiscoveryFor(base string) Discovery {
	return Discovery{
		Issuer:                           base,
		JWKSURI:                          base + "/jwks",
		ResponseTypesSupported:           []string{"id_token"},
		SubjectTypesSupported:            []string{"public", "pairwise"},
		IDTokenSigningAlgValuesSupported: []string{"RS256"},
		ClaimsSupported:                  []string{"sub", "aud", "exp", "iat", "iss", "jti", "nbf"},
	}
}
