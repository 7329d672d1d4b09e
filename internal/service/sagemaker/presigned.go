package sagemaker

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"net/url"
	"time"

	"github.com/sagebox/sagebox/internal/api"
)

// Presigned Studio URLs. CreatePresignedDomainUrl hands back http://HOST/_sagebox/studio/auth?token=TOKEN, where
// TOKEN says, under an HMAC-SHA256 of the server's URL key, whose Studio it opens (account, region, domain, user
// profile, space, landing URI), until when the URL may be used and how long the session it opens lasts. The Studio
// page (studio.go) verifies it; any change to it breaks the MAC and is refused.

func (s *Service) registerPresigned(h *api.ServiceHandlers) {
	// It changes no state (the URL is its whole result), so its transaction is read-only, though the Service
	// Authorization Reference counts the action as Write.
	api.Read(h, "CreatePresignedDomainUrl", s.createPresignedDomainURL)
}

// The bounds and defaults of the request's durations (API Reference: ExpiresInSeconds 5–300, default 300;
// SessionExpirationDurationInSeconds 1800–43200, default 43200). The model's ranges make the validation errors;
// the defaults are applied here.
const (
	defaultURLExpiry       = 300
	defaultSessionDuration = 43200
)

// StudioPath is where the Studio pages are served; AuthPath is the presigned URL's path under the host.
const (
	StudioPath = "/_sagebox/studio/"
	AuthPath   = StudioPath + "auth"
)

func (s *Service) createPresignedDomainURL(ctx context.Context, c *api.Call, in *CreatePresignedDomainUrlInput) (*CreatePresignedDomainUrlOutput, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	// The Service Authorization Reference: CreatePresignedDomainUrl on user-profile, no condition keys.
	if err := authorize(ctx, c, "CreatePresignedDomainUrl", profileARN(c, in.DomainId, in.UserProfileName), nil); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	d, _, err := get[domain](t, c.Account(), c.Region, kindDomain, in.DomainId)
	if err != nil {
		return nil, err
	}
	if d == nil || !presentAt(&d.lifecycle, c.Now) {
		return nil, domainNotFound(in.DomainId)
	}
	if d.AuthMode != "IAM" {
		// API Reference: "This operation can only be called when the authentication mode equals IAM." The error's
		// code and text are not documented; unverified.
		return nil, validation("CreatePresignedDomainUrl is only supported for domains with AuthMode IAM; domain %s uses AuthMode %s.", d.ID, d.AuthMode)
	}
	p, _, err := get[profile](t, c.Account(), c.Region, kindProfile, profileID(d.ID, in.UserProfileName))
	if err != nil {
		return nil, err
	}
	if p == nil || !presentAt(&p.lifecycle, c.Now) {
		return nil, errProfileNotFound(profileARN(c, d.ID, in.UserProfileName))
	}
	spaceName := deref(in.SpaceName)
	if spaceName != "" {
		sp, _, err := get[space](t, c.Account(), c.Region, kindSpace, spaceID(d.ID, spaceName))
		if err != nil {
			return nil, err
		}
		if sp == nil || !presentAt(&sp.lifecycle, c.Now) {
			return nil, errSpaceNotFound(spaceARN(c, d.ID, spaceName))
		}
		spaceName = sp.Name
	}
	expires, session := int32(defaultURLExpiry), int32(defaultSessionDuration)
	if in.ExpiresInSeconds != nil {
		expires = *in.ExpiresInSeconds
	}
	if in.SessionExpirationDurationInSeconds != nil {
		session = *in.SessionExpirationDurationInSeconds
	}
	tok := studioToken{
		Kind:    tokenURL,
		Expires: c.Now.Add(time.Duration(expires) * time.Second).UnixMilli(),
		Session: uint32(session),
		Nonce:   s.ids.Hex(32),
		Account: c.Account(),
		Region:  c.Region,
		Domain:  d.ID,
		Profile: p.Name,
		Space:   spaceName,
		Landing: deref(in.LandingUri),
	}
	scheme := "http"
	if c.SecureTransport {
		scheme = "https"
	}
	u := url.URL{Scheme: scheme, Host: c.Host, Path: AuthPath, RawQuery: url.Values{"token": {tok.sign(s.urlKey)}}.Encode()}
	return &CreatePresignedDomainUrlOutput{AuthorizedUrl: ptr(u.String())}, nil
}

// presentAt reports whether a resource is there at now (its deletion has not ended).
func presentAt(l *lifecycle, now time.Time) bool {
	_, ok := l.status(now)
	return ok
}

// The not-found texts are those of DescribeDomain, DescribeUserProfile and DescribeSpace (domains.go, profiles.go,
// spaces.go), so that one resource is missing in the same words whichever operation meets it.

// Token kinds: a presigned URL's token, and the session cookie the Studio page sets when the URL is used.
const (
	tokenURL     byte = 'u'
	tokenSession byte = 's'
)

// tokenVersion is the first byte of every token, so that a later format can be told apart.
const tokenVersion byte = 1

// maxTokenLength bounds what the parser reads: a token of the longest names and a 1023-character landing URI is
// well under it.
const maxTokenLength = 4096

// studioToken is what a presigned URL (or a Studio session) carries.
type studioToken struct {
	Kind byte
	// Expires is when the URL (or the session) stops working, in Unix milliseconds of the server's clock.
	Expires int64
	// Session is the session's length in seconds (SessionExpirationDurationInSeconds).
	Session uint32
	// Nonce makes every URL distinct, so that it can be used once.
	Nonce                                            string
	Account, Region, Domain, Profile, Space, Landing string
}

var errBadToken = errors.New("the token is malformed or its signature does not match")

// encode lays the token out: version, kind, expiry, session length, then each string as a uvarint length and its
// bytes.
func (t *studioToken) encode() []byte {
	b := []byte{tokenVersion, t.Kind}
	b = binary.BigEndian.AppendUint64(b, uint64(t.Expires))
	b = binary.BigEndian.AppendUint32(b, t.Session)
	for _, s := range t.fields() {
		b = binary.AppendUvarint(b, uint64(len(*s)))
		b = append(b, *s...)
	}
	return b
}

func (t *studioToken) fields() []*string {
	return []*string{&t.Nonce, &t.Account, &t.Region, &t.Domain, &t.Profile, &t.Space, &t.Landing}
}

// sign returns the token's text: base64url of its bytes followed by their HMAC-SHA256 under key.
func (t *studioToken) sign(key []byte) string {
	payload := t.encode()
	m := hmac.New(sha256.New, key)
	m.Write(payload)
	return base64.RawURLEncoding.EncodeToString(m.Sum(payload))
}

// parseToken verifies a token's text with key and decodes it. It checks the MAC before it reads anything else, so
// that what it parses is only ever what the server wrote; it does not look at the expiry (the caller compares it
// with its clock).
func parseToken(key []byte, text string) (*studioToken, error) {
	if len(text) == 0 || len(text) > maxTokenLength {
		return nil, errBadToken
	}
	raw, err := base64.RawURLEncoding.DecodeString(text)
	if err != nil || len(raw) < sha256.Size+14 {
		return nil, errBadToken
	}
	payload, mac := raw[:len(raw)-sha256.Size], raw[len(raw)-sha256.Size:]
	m := hmac.New(sha256.New, key)
	m.Write(payload)
	if !hmac.Equal(mac, m.Sum(nil)) {
		return nil, errBadToken
	}
	return decodeToken(payload)
}

// decodeToken reads a token's bytes; every length is checked against what remains.
func decodeToken(b []byte) (*studioToken, error) {
	if len(b) < 14 || b[0] != tokenVersion || (b[1] != tokenURL && b[1] != tokenSession) {
		return nil, errBadToken
	}
	t := &studioToken{Kind: b[1], Expires: int64(binary.BigEndian.Uint64(b[2:10])), Session: binary.BigEndian.Uint32(b[10:14])}
	rest := b[14:]
	for _, f := range t.fields() {
		n, w := binary.Uvarint(rest)
		if w <= 0 || n > uint64(len(rest)-w) {
			return nil, errBadToken
		}
		*f = string(rest[w : w+int(n)])
		rest = rest[w+int(n):]
	}
	if len(rest) != 0 {
		return nil, errBadToken
	}
	return t, nil
}
