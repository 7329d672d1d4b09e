package oidc

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

// The reasons a token is refused. Verify and the Token methods return an *Error that wraps one of them, so that
// callers match with errors.Is and show the Error's text.
var (
	// ErrMalformed: the text is not a compact JWS of a JSON header and a JSON object of claims.
	ErrMalformed = errors.New("the token is not a valid JWT")
	// ErrAlgorithm: the header names an algorithm other than RS256, RS384 and RS512.
	ErrAlgorithm = errors.New("the token's signing algorithm is not supported")
	// ErrUnknownKey: no key of the key set has the token's key id.
	ErrUnknownKey = errors.New("no verification key for the token")
	// ErrSignature: the signature does not verify with the key.
	ErrSignature = errors.New("the token's signature is invalid")
	// ErrMissingClaim: a claim that must be there is not.
	ErrMissingClaim = errors.New("the token lacks a required claim")
	// ErrExpired: exp has passed (beyond the allowed skew).
	ErrExpired = errors.New("the token has expired")
	// ErrNotYetValid: nbf has not come yet, or iat is in the future (beyond the allowed skew).
	ErrNotYetValid = errors.New("the token is not valid yet")
	// ErrIssuer: iss is not the issuer expected.
	ErrIssuer = errors.New("the token's issuer is not the one expected")
	// ErrAudience: no value of aud is an audience expected.
	ErrAudience = errors.New("the token's audience is not one expected")
)

// Error is a refused token: Err is one of the reasons above, Detail says what exactly.
type Error struct {
	Err    error
	Detail string
}

func (e *Error) Error() string {
	if e.Detail == "" {
		return e.Err.Error()
	}
	return e.Err.Error() + ": " + e.Detail
}

func (e *Error) Unwrap() error { return e.Err }

func fail(reason error, format string, args ...any) *Error {
	return &Error{Err: reason, Detail: fmt.Sprintf(format, args...)}
}

// b64 decodes the parts of a token: base64url without padding, and with the unused bits of the last character
// zero, so that one token has one text.
var b64 = base64.RawURLEncoding.Strict()

// maxTokenSize bounds what Parse reads. STS takes web identity tokens of up to 20,000 characters.
const maxTokenSize = 20000

// Header is a JWS header.
type Header struct {
	Alg string `json:"alg"`
	Kid string `json:"kid,omitempty"`
	Typ string `json:"typ,omitempty"`
}

// Token is a parsed JWT: what its header and claims say, and what its signature covers. Nothing in it is trusted
// until VerifySignature has succeeded.
type Token struct {
	Header Header
	// Claims are the token's claims as JSON decoded them, numbers as json.Number.
	Claims map[string]any

	signed    string // header.payload, what the signature covers
	signature []byte
}

// Parse reads a compact JWS (header.payload.signature, each base64url without padding) whose payload is a JSON
// object of claims. It verifies nothing: see VerifySignature, CheckTime and Verify.
func Parse(token string) (*Token, error) {
	if len(token) > maxTokenSize {
		return nil, fail(ErrMalformed, "it is longer than %d characters", maxTokenSize)
	}
	if strings.ContainsAny(token, "\r\n") {
		// The base64 decoder skips line breaks: only the canonical text of a token is one.
		return nil, fail(ErrMalformed, "it contains a line break")
	}
	h, rest, ok := strings.Cut(token, ".")
	p, s, ok2 := strings.Cut(rest, ".")
	if !ok || !ok2 || strings.Contains(s, ".") {
		return nil, fail(ErrMalformed, "it does not have three parts separated by dots")
	}
	rawHeader, err := b64.DecodeString(h)
	if err != nil {
		return nil, fail(ErrMalformed, "its header is not base64url")
	}
	rawClaims, err := b64.DecodeString(p)
	if err != nil {
		return nil, fail(ErrMalformed, "its payload is not base64url")
	}
	sig, err := b64.DecodeString(s)
	if err != nil {
		return nil, fail(ErrMalformed, "its signature is not base64url")
	}
	t := &Token{signed: token[:len(h)+1+len(p)], signature: sig}
	if err := decodeObject(rawHeader, &t.Header); err != nil {
		return nil, fail(ErrMalformed, "its header is not a JSON object")
	}
	if t.Header.Alg == "" {
		return nil, fail(ErrMalformed, "its header names no algorithm")
	}
	if err := decodeObject(rawClaims, &t.Claims); err != nil || t.Claims == nil {
		return nil, fail(ErrMalformed, "its payload is not a JSON object")
	}
	return t, nil
}

// decodeObject decodes one JSON object, numbers as json.Number, and nothing after it.
func decodeObject(b []byte, v any) error {
	if len(bytes.TrimSpace(b)) == 0 || bytes.TrimSpace(b)[0] != '{' {
		return errors.New("not an object")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("data after the object")
	}
	return nil
}

// String returns the claim's value when it is a string.
func (t *Token) String(claim string) (string, bool) {
	s, ok := t.Claims[claim].(string)
	return s, ok
}

// Issuer is the iss claim ("" when absent or not a string).
func (t *Token) Issuer() string { s, _ := t.String("iss"); return s }

// Subject is the sub claim ("" when absent or not a string).
func (t *Token) Subject() string { s, _ := t.String("sub"); return s }

// Audience is the aud claim, which RFC 7519 lets be a string or an array of strings; values of other types are
// left out.
func (t *Token) Audience() []string {
	switch v := t.Claims["aud"].(type) {
	case string:
		return []string{v}
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// Time reads a NumericDate claim (exp, nbf, iat): seconds since the epoch, an integer as STS requires ("Timestamps
// in the token must be formatted as either an integer or a long integer"). ok is false when the claim is absent;
// a claim that is there but not an integer is an error.
func (t *Token) Time(claim string) (at time.Time, ok bool, err error) {
	v, present := t.Claims[claim]
	if !present {
		return time.Time{}, false, nil
	}
	n, isNumber := v.(json.Number)
	if !isNumber {
		return time.Time{}, true, fail(ErrMalformed, "its %s claim is not a number", claim)
	}
	secs, perr := n.Int64()
	if perr != nil || secs < 0 || secs > math.MaxInt64/int64(time.Second) {
		return time.Time{}, true, fail(ErrMalformed, "its %s claim is not an integer number of seconds", claim)
	}
	return time.Unix(secs, 0).UTC(), true, nil
}

// CheckTime checks exp (required), nbf and iat against now, allowing skew either way: ErrExpired once exp+skew has
// passed, ErrNotYetValid while nbf-skew or iat-skew is still to come.
func (t *Token) CheckTime(now time.Time, skew time.Duration) error {
	exp, ok, err := t.Time("exp")
	if err != nil {
		return err
	}
	if !ok {
		return fail(ErrMissingClaim, "exp")
	}
	for _, claim := range []string{"nbf", "iat"} {
		at, ok, err := t.Time(claim)
		if err != nil {
			return err
		}
		if ok && now.Before(at.Add(-skew)) {
			return fail(ErrNotYetValid, "its %s is %d, after the current time %d", claim, at.Unix(), now.Unix())
		}
	}
	if !now.Before(exp.Add(skew)) {
		return fail(ErrExpired, "the current time %d is after its expiration %d", now.Unix(), exp.Unix())
	}
	return nil
}

// hashOf is the hash an RSASSA-PKCS1-v1_5 algorithm signs with.
func hashOf(alg string) (crypto.Hash, bool) {
	switch alg {
	case "RS256":
		return crypto.SHA256, true
	case "RS384":
		return crypto.SHA384, true
	case "RS512":
		return crypto.SHA512, true
	}
	return 0, false
}

func digest(h crypto.Hash, data string) []byte {
	switch h {
	case crypto.SHA384:
		d := sha512.Sum384([]byte(data))
		return d[:]
	case crypto.SHA512:
		d := sha512.Sum512([]byte(data))
		return d[:]
	}
	d := sha256.Sum256([]byte(data))
	return d[:]
}

// VerifySignature checks the signature with the key of keys that has the token's kid (or, for a token without a
// kid, with the only key of keys).
func (t *Token) VerifySignature(keys KeySet) error {
	h, ok := hashOf(t.Header.Alg)
	if !ok {
		return fail(ErrAlgorithm, "%q", t.Header.Alg)
	}
	key, ok := keys.find(t.Header.Kid)
	if !ok {
		return fail(ErrUnknownKey, "key id %q", t.Header.Kid)
	}
	if err := rsa.VerifyPKCS1v15(key, h, digest(h, t.signed), t.signature); err != nil {
		return fail(ErrSignature, "with key %q", t.Header.Kid)
	}
	return nil
}

// Expect is what Verify requires of a token besides a good signature.
type Expect struct {
	// Issuer, when set, must equal iss.
	Issuer string
	// Audiences, when set, must contain at least one value of aud.
	Audiences []string
	// Now is the time to check exp, nbf and iat against; Skew how far they may be off.
	Now  time.Time
	Skew time.Duration
}

// Verify parses a token and checks, in this order, its signature with keys, its times, its issuer and its
// audience. The error is an *Error whose reason says which check failed.
func Verify(token string, keys KeySet, want Expect) (*Token, error) {
	t, err := Parse(token)
	if err != nil {
		return nil, err
	}
	if err := t.VerifySignature(keys); err != nil {
		return nil, err
	}
	if err := t.CheckTime(want.Now, want.Skew); err != nil {
		return nil, err
	}
	if want.Issuer != "" && t.Issuer() != want.Issuer {
		return nil, fail(ErrIssuer, "%q, want %q", t.Issuer(), want.Issuer)
	}
	if len(want.Audiences) > 0 {
		if _, ok := t.MatchAudience(want.Audiences); !ok {
			return nil, fail(ErrAudience, "%q", t.Audience())
		}
	}
	return t, nil
}

// MatchAudience returns the first value of aud that is one of allowed.
func (t *Token) MatchAudience(allowed []string) (string, bool) {
	for _, a := range t.Audience() {
		for _, w := range allowed {
			if a == w {
				return a, true
			}
		}
	}
	return "", false
}
