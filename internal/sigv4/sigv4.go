// Package sigv4 verifies AWS Signature Version 4 on the server side, and signs requests for sagebox's own clients.
//
// A request's signature is handled in steps, so that the server can answer each fault in the order AWS does:
// Parse reads what the Authorization header or the presigned query claims (a syntax check that needs no secret),
// Signed.CheckTime and Signed.CheckScope compare it with the clock and with the endpoint, the server looks the access
// key up, and Verifier.Verify recomputes the signature with the key's secret. Every failure is an *Error, which
// unwraps to the *awserr.Error that a query, EC2 or JSON service answers with, and which also carries S3's answer
// (S3 has codes, texts and fields of its own) and the canonical request and string to sign that were computed.
//
// The package knows the canonical forms of AWS (double-encoded and normalized paths for every service but S3,
// RFC 3986 query encoding, trimmed and folded header values, x-amz-content-sha256 and its UNSIGNED and STREAMING
// forms) and nothing of access keys, principals or policies. It does not decode aws-chunked bodies: for a
// STREAMING payload it verifies the seed signature and leaves the chunks to S3, which SigningKey serves.
// Signature Version 2 and SigV4a (ECDSA) are not supported.
package sigv4

import (
	"time"
)

// Algorithm is the only signing algorithm sagebox accepts.
const Algorithm = "AWS4-HMAC-SHA256"

// Terminator ends every credential scope.
const Terminator = "aws4_request"

// The values x-amz-content-sha256 may have besides a hex SHA-256 of the body.
const (
	UnsignedPayload          = "UNSIGNED-PAYLOAD"
	StreamingUnsignedTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
	StreamingPayload         = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
	StreamingPayloadTrailer  = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
	StreamingECDSA           = "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD"
	StreamingECDSATrailer    = "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER"
)

// MaxSkew is how far a request's date may be from the server's clock, either way. A date exactly MaxSkew away is
// accepted: AWS refuses one that is "now earlier than" the bound.
const MaxSkew = 15 * time.Minute

// MaxExpires is the longest X-Amz-Expires that S3 accepts for a presigned request: seven days.
const MaxExpires = 7 * 24 * time.Hour

// Scope is a credential scope, the Credential of a signature: AccessKeyID/Date/Region/Service/aws4_request.
type Scope struct {
	AccessKeyID string
	Date        string // YYYYMMDD, as sent
	Region      string
	Service     string
}

// String formats s as the scope of a string to sign, without the access key: DATE/REGION/SERVICE/aws4_request.
func (s Scope) String() string {
	return s.Date + "/" + s.Region + "/" + s.Service + "/" + Terminator
}

// Signed is what a request claims about its signature. Parse fills it in; nothing in it has been verified.
type Signed struct {
	Scope Scope
	// Time is the request's date: the X-Amz-Date header (or, lacking it, the Date header), or the X-Amz-Date query
	// parameter of a presigned request.
	Time time.Time
	// SignedHeaders lists the headers the signature covers, lower-case, as the request names them.
	SignedHeaders []string
	// Signature is the hex signature the request carries.
	Signature string
	// Presigned is set for a signature in the query (X-Amz-Algorithm, X-Amz-Signature, …).
	Presigned bool
	// Expires is a presigned request's X-Amz-Expires; zero when it has none.
	Expires time.Duration
	// SecurityToken is the X-Amz-Security-Token header or query parameter of temporary credentials.
	SecurityToken string
	// PayloadHash is x-amz-content-sha256 as sent (header, or query parameter of a presigned request); empty
	// when the request has none.
	PayloadHash string

	algorithm     string // as sent; S3 takes it in any case
	date          string // Time in ISO 8601 basic format, as the string to sign has it
	rawDate       string // the date as sent
	credential    string // the Credential as sent
	terminator    string // the credential scope's last part
	signedHeaders string // SignedHeaders as sent
	expires       string // X-Amz-Expires as sent
}

// Credentials are what a client signs with.
type Credentials struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
}

// String hides the secret, so that credentials printed by mistake do not leak it.
func (c Credentials) String() string {
	return "{AccessKeyID: " + c.AccessKeyID + ", SecretAccessKey: <hidden>}"
}

// GoString hides the secret from %#v too.
func (c Credentials) GoString() string { return "sigv4.Credentials" + c.String() }

const (
	amzDateFormat  = "20060102T150405Z"
	serverTimeForm = "2006-01-02T15:04:05Z"
)

// parseAmzDate reads an ISO 8601 basic date, YYYYMMDD'T'HHMMSS'Z', and nothing looser: time.Parse would also take
// fractional seconds, which AWS refuses.
func parseAmzDate(s string) (time.Time, bool) {
	if len(s) != 16 || s[8] != 'T' || s[15] != 'Z' {
		return time.Time{}, false
	}
	var n [6]int
	pos := [6][2]int{{0, 4}, {4, 6}, {6, 8}, {9, 11}, {11, 13}, {13, 15}}
	for i, p := range pos {
		v := 0
		for j := p[0]; j < p[1]; j++ {
			c := s[j]
			if c < '0' || c > '9' {
				return time.Time{}, false
			}
			v = v*10 + int(c-'0')
		}
		n[i] = v
	}
	if n[1] < 1 || n[1] > 12 || n[2] < 1 || n[3] > 23 || n[4] > 59 || n[5] > 59 {
		return time.Time{}, false
	}
	t := time.Date(n[0], time.Month(n[1]), n[2], n[3], n[4], n[5], 0, time.UTC)
	if t.Day() != n[2] { // 20150231 rolls over into March
		return time.Time{}, false
	}
	return t, true
}
