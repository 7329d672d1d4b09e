package sts

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"time"
)

// Session tokens. AWS's are opaque base64 text of several hundred characters that carry the session, encrypted;
// clients treat them as opaque and send them back in X-Amz-Security-Token. sagebox keeps the session in its store
// and the token only has to be unguessable and bound to its access key: it is standard base64 (AWS's alphabet,
// with + and /) of
//
//	"SB" 0x01                  magic and version
//	len(keyID) keyID           the access key the token belongs to (16 to 128 characters, [A-Z0-9])
//	issued                     8 bytes, big-endian Unix seconds
//	nonce                      120 random bytes
//
// The key ring compares the whole token with the one issued, so the parser is not on the authentication path; it
// lets a reloaded session check that its token names its key.

const (
	tokenMagic0, tokenMagic1, tokenVersion = 'S', 'B', 1
	tokenNonceSize                         = 120
	minKeyIDLen, maxKeyIDLen               = 16, 128
	// maxTokenLen bounds what parseToken decodes: the longest token it can accept, encoded.
	maxTokenLen = (3 + 1 + maxKeyIDLen + 8 + tokenNonceSize + 2) / 3 * 4
)

var errBadToken = errors.New("sts: not a session token sagebox issued")

// sessionToken is what a token says.
type sessionToken struct {
	KeyID  string
	Issued time.Time
}

// makeToken returns the token of a session of keyID issued at issued, with nonce (tokenNonceSize random bytes).
func makeToken(keyID string, issued time.Time, nonce []byte) string {
	b := make([]byte, 0, 3+1+len(keyID)+8+len(nonce))
	b = append(b, tokenMagic0, tokenMagic1, tokenVersion, byte(len(keyID)))
	b = append(b, keyID...)
	b = binary.BigEndian.AppendUint64(b, uint64(issued.Unix()))
	b = append(b, nonce...)
	return base64.StdEncoding.EncodeToString(b)
}

// parseToken reads a token that makeToken made; anything else is errBadToken.
func parseToken(s string) (sessionToken, error) {
	if len(s) == 0 || len(s) > maxTokenLen {
		return sessionToken{}, errBadToken
	}
	b, err := base64.StdEncoding.Strict().DecodeString(s)
	// The decoder skips line breaks: only the canonical text of a token is one.
	if err != nil || base64.StdEncoding.EncodeToString(b) != s {
		return sessionToken{}, errBadToken
	}
	if len(b) < 4 || b[0] != tokenMagic0 || b[1] != tokenMagic1 || b[2] != tokenVersion {
		return sessionToken{}, errBadToken
	}
	n := int(b[3])
	if n < minKeyIDLen || n > maxKeyIDLen || len(b) != 4+n+8+tokenNonceSize {
		return sessionToken{}, errBadToken
	}
	id := b[4 : 4+n]
	for _, c := range id {
		if !('A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return sessionToken{}, errBadToken
		}
	}
	secs := binary.BigEndian.Uint64(b[4+n : 4+n+8])
	if secs > 1<<40 {
		// Past the year 36000: no token sagebox issued.
		return sessionToken{}, errBadToken
	}
	return sessionToken{KeyID: string(id), Issued: time.Unix(int64(secs), 0).UTC()}, nil
}
