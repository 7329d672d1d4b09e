package sigv4

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// unsigned reports the headers a signer leaves out, as the AWS SDKs do: proxies and clients change them. Host and
// Content-Length are signed from r.Host and r.ContentLength instead.
func unsigned(lowerName string) bool {
	switch lowerName {
	case "authorization", "user-agent", "x-amzn-trace-id", "expect", "transfer-encoding", "host", "content-length":
		return true
	}
	return false
}

// Sign signs r in its Authorization header, as an AWS SDK does, for sagebox's own clients (CLI subcommands, the
// load tool) and tests. It sets X-Amz-Date and, for temporary credentials, X-Amz-Security-Token; for S3 it sets
// X-Amz-Content-Sha256 to the body's hash unless r already has one (UNSIGNED-PAYLOAD, say). It signs host, the
// content length of a non-empty body and every other header r carries.
func Sign(r *http.Request, body []byte, c Credentials, region, service string, now time.Time) {
	now = now.UTC().Truncate(time.Second)
	date := now.Format(amzDateFormat)
	if r.Header == nil {
		r.Header = http.Header{}
	}
	r.Header.Del("Authorization")
	r.Header.Set("X-Amz-Date", date)
	if c.SessionToken != "" {
		r.Header.Set("X-Amz-Security-Token", c.SessionToken)
	}
	sum := sha256.Sum256(body)
	bodyHash := hex.EncodeToString(sum[:])
	if service == "s3" && r.Header.Get("X-Amz-Content-Sha256") == "" {
		r.Header.Set("X-Amz-Content-Sha256", bodyHash)
	}
	payload := r.Header.Get("X-Amz-Content-Sha256")
	if payload == "" {
		payload = bodyHash
	}

	names := []string{"host"}
	if r.ContentLength > 0 || r.Header.Get("Content-Length") != "" {
		names = append(names, "content-length")
	}
	for k := range r.Header {
		if lk := strings.ToLower(k); !unsigned(lk) {
			names = append(names, lk)
		}
	}
	s := newSigned(c.AccessKeyID, region, service, now, names)
	sig := signature(r, s, payload, c.SecretAccessKey)
	r.Header.Set("Authorization", Algorithm+" Credential="+s.credential+", SignedHeaders="+s.signedHeaders+
		", Signature="+sig)
}

// Presign returns r's URL signed in its query, as an SDK's presigner does, valid for expires (X-Amz-Expires). It
// signs host and every header r carries (which the URL's user must then send), and the payload as UNSIGNED-PAYLOAD
// for S3 and as an empty body for the other services, whose presigned requests are GETs. r is not changed.
func Presign(r *http.Request, c Credentials, region, service string, now time.Time, expires time.Duration) string {
	now = now.UTC().Truncate(time.Second)
	names := []string{"host"}
	for k := range r.Header {
		if lk := strings.ToLower(k); !unsigned(lk) {
			names = append(names, lk)
		}
	}
	s := newSigned(c.AccessKeyID, region, service, now, names)
	s.Presigned = true

	u := *r.URL
	q := u.Query()
	q.Set("X-Amz-Algorithm", Algorithm)
	q.Set("X-Amz-Credential", s.credential)
	q.Set("X-Amz-Date", s.date)
	q.Set("X-Amz-Expires", strconv.FormatInt(int64(expires/time.Second), 10))
	q.Set("X-Amz-SignedHeaders", s.signedHeaders)
	if c.SessionToken != "" {
		q.Set("X-Amz-Security-Token", c.SessionToken)
	}
	q.Del("X-Amz-Signature")
	u.RawQuery = q.Encode()
	presigned := *r
	presigned.URL = &u
	presigned.RequestURI = "" // the URL is what will be sent, so the URL is what to sign

	payload := UnsignedPayload
	if service != "s3" {
		sum := sha256.Sum256(nil)
		payload = hex.EncodeToString(sum[:])
	}
	sig := signature(&presigned, s, payload, c.SecretAccessKey)
	u.RawQuery += "&X-Amz-Signature=" + sig
	return u.String()
}

func newSigned(accessKeyID, region, service string, now time.Time, names []string) *Signed {
	sort.Strings(names)
	names = compact(names)
	s := &Signed{
		Scope:         Scope{AccessKeyID: accessKeyID, Date: now.Format("20060102"), Region: region, Service: service},
		Time:          now,
		SignedHeaders: names,
		algorithm:     Algorithm,
		date:          now.Format(amzDateFormat),
		terminator:    Terminator,
		signedHeaders: strings.Join(names, ";"),
	}
	s.credential = accessKeyID + "/" + s.Scope.String()
	return s
}

func compact(sorted []string) []string {
	out := sorted[:0]
	for i, n := range sorted {
		if i == 0 || n != sorted[i-1] {
			out = append(out, n)
		}
	}
	return out
}

// signature computes the hex signature of r as s describes it.
func signature(r *http.Request, s *Signed, payload, secret string) string {
	b := newBuilder()
	canonical := b.canonicalRequest(r, s, payload)
	sts := b.stringToSign(s, canonical)
	key := b.deriveKey(secret, s.Scope)
	return hex.EncodeToString(b.hmac(key[:], sts))
}
