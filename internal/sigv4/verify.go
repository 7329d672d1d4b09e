package sigv4

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sagebox/sagebox/internal/awserr"
)

// DefaultKeyCacheSize bounds how many signing keys a Verifier keeps: one a day for each access key, region and
// service in use.
const DefaultKeyCacheSize = 4096

// Verifier checks signatures. It caches derived signing keys, bounded and keyed by a hash of the secret rather
// than the secret, and is safe for concurrent use.
type Verifier struct {
	mu      sync.RWMutex
	keys    map[keyID][32]byte
	max     int
	scratch sync.Pool
}

type keyID struct {
	secret                [32]byte // SHA-256 of the secret access key
	date, region, service string
}

// NewVerifier returns a Verifier with a key cache of DefaultKeyCacheSize.
func NewVerifier() *Verifier {
	return &Verifier{keys: make(map[keyID][32]byte), max: DefaultKeyCacheSize}
}

// String describes v without its keys, so that a Verifier printed by mistake leaks nothing.
func (v *Verifier) String() string {
	v.mu.RLock()
	n := len(v.keys)
	v.mu.RUnlock()
	return "sigv4.Verifier{" + strconv.Itoa(n) + " signing keys cached}"
}

// GoString hides the keys from %#v too.
func (v *Verifier) GoString() string { return v.String() }

func (v *Verifier) builder() *builder {
	if b, ok := v.scratch.Get().(*builder); ok {
		return b
	}
	return newBuilder()
}

// signingKey is kSigning for a secret and scope, from the cache when it can be. When the cache is full it is
// emptied: keys are cheap to derive again, and a full cache means keys that will not be used again.
func (v *Verifier) signingKey(b *builder, secret string, sc Scope) [32]byte {
	b.tmp = append(b.tmp[:0], secret...)
	id := keyID{secret: sha256.Sum256(b.tmp), date: sc.Date, region: sc.Region, service: sc.Service}
	clear(b.tmp)
	v.mu.RLock()
	k, ok := v.keys[id]
	v.mu.RUnlock()
	if ok {
		return k
	}
	k = b.deriveKey(secret, sc)
	id.date, id.region, id.service = strings.Clone(id.date), strings.Clone(id.region), strings.Clone(id.service)
	v.mu.Lock()
	if len(v.keys) >= v.max {
		clear(v.keys)
	}
	v.keys[id] = k
	v.mu.Unlock()
	return k
}

// SigningKey returns kSigning for a secret and scope: S3 needs it to verify the chunk signatures of a STREAMING
// payload after Verify has checked the seed signature.
func (v *Verifier) SigningKey(secret string, sc Scope) []byte {
	b := v.builder()
	defer v.scratch.Put(b)
	k := v.signingKey(b, secret, sc)
	return k[:]
}

// Verify checks s, which Parse read from r, against r, its body and the secret of s's access key: the clock (see
// CheckTime), the credential scope's terminator and date, S3's rules on x-amz-content-sha256 and on unsigned
// x-amz-* headers, then the signature, compared in constant time. A signature that matches over a body that does
// not hash to the x-amz-content-sha256 it was signed with fails with ErrContentSHA256Mismatch.
func (v *Verifier) Verify(r *http.Request, body []byte, s *Signed, secret string, now time.Time) error {
	if err := s.CheckTime(now); err != nil {
		return err
	}
	if err := s.checkScope("", ""); err != nil {
		return err
	}
	if s.Scope.Service == "s3" {
		if err := checkSignedAmzHeaders(r, s); err != nil {
			return err
		}
	}
	b := v.builder()
	defer v.scratch.Put(b)
	payload, bodyMismatch, err := b.payloadHash(s, body)
	if err != nil {
		return err
	}
	canonical := b.canonicalRequest(r, s, payload)
	sts := b.stringToSign(s, canonical)
	key := v.signingKey(b, secret, s.Scope)
	sig := b.hmac(key[:], sts)
	provided, ok := decodeHex32(s.Signature)
	if !ok || subtle.ConstantTimeCompare(provided[:], sig) != 1 {
		return mismatchError(s, canonical, sts)
	}
	if bodyMismatch {
		e := fail(s.Scope.Service, kind(awserr.KindSignatureMismatch, ""),
			s3err(400, "XAmzContentSHA256Mismatch",
				"The provided 'x-amz-content-sha256' header does not match what was computed.",
				"ClientComputedContentSHA256", s.PayloadHash, "S3ComputedContentSHA256", string(b.bodyHex[:])))
		e.cause = ErrContentSHA256Mismatch
		return e
	}
	return nil
}

// payloadHash decides the last line of the canonical request. It returns "" for the body's hash, which it leaves
// in b.bodyHex, and reports a hex x-amz-content-sha256 that is not the body's.
func (b *builder) payloadHash(s *Signed, body []byte) (payload string, bodyMismatch bool, err error) {
	s3 := s.Scope.Service == "s3"
	v := s.PayloadHash
	switch v {
	case "":
		if s3 {
			if s.Presigned {
				return UnsignedPayload, false, nil
			}
			return "", false, fail(s.Scope.Service,
				kind(awserr.KindIncompleteSignature, "Missing required header for this request: x-amz-content-sha256"),
				s3err(400, "InvalidRequest", "Missing required header for this request: x-amz-content-sha256"))
		}
		b.hashBody(body)
		return "", false, nil
	case UnsignedPayload, StreamingUnsignedTrailer, StreamingPayload, StreamingPayloadTrailer, StreamingECDSA,
		StreamingECDSATrailer:
		return v, false, nil
	}
	if len(v) == 64 && isHexString(v) {
		b.hashBody(body)
		return v, !strings.EqualFold(v, string(b.bodyHex[:])), nil
	}
	if s3 {
		return "", false, fail(s.Scope.Service, kind(awserr.KindIncompleteSignature, msgS3BadPayloadHash),
			s3err(400, "InvalidArgument", msgS3BadPayloadHash,
				"ArgumentName", "x-amz-content-sha256", "ArgumentValue", v))
	}
	// The other services sign the body itself; a value they cannot read is no excuse to skip it.
	b.hashBody(body)
	return "", false, nil
}

// checkSignedAmzHeaders enforces S3's rule that every x-amz-* header a request carries is signed.
func checkSignedAmzHeaders(r *http.Request, s *Signed) error {
	var unsigned []string
	for k := range r.Header {
		if len(k) < 6 || !strings.EqualFold(k[:6], "x-amz-") {
			continue
		}
		signed := false
		for _, n := range s.SignedHeaders {
			if strings.EqualFold(n, k) {
				signed = true
				break
			}
		}
		if !signed {
			unsigned = append(unsigned, strings.ToLower(k))
		}
	}
	if unsigned == nil {
		return nil
	}
	const msg = "There were headers present in the request which were not signed"
	return fail(s.Scope.Service, kind(awserr.KindAccessDenied, msg),
		s3err(403, "AccessDenied", msg, "HeadersNotSigned", strings.Join(sortStrings(unsigned), ", ")))
}

func sortStrings(s []string) []string {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	return s
}

// CheckTime compares the request's date with now. A request signed in its header, and a presigned request to any
// service but S3, must be within MaxSkew of now either way: AWS's query and JSON services ignore X-Amz-Expires
// and give a presigned URL the same fifteen minutes as a header. A presigned S3 request must be no more than
// MaxSkew in the future and not past X-Amz-Date + X-Amz-Expires.
func (s *Signed) CheckTime(now time.Time) error {
	now = now.UTC().Truncate(time.Second)
	if s.Presigned && s.Scope.Service == "s3" {
		expires := s.Time.Add(s.Expires).Format(serverTimeForm)
		if s.Time.After(now.Add(MaxSkew)) {
			e := skewError(s, now)
			e.S3Err = s3err(403, "AccessDenied", "Request is not yet valid",
				"X-Amz-Date", strconv.FormatInt(s.Time.UnixMilli(), 10), "Expires", expires,
				"ServerTime", now.Format(serverTimeForm))
			return e
		}
		if now.After(s.Time.Add(s.Expires)) {
			return fail(s.Scope.Service, kind(awserr.KindRequestExpired, "Request has expired"),
				s3err(403, "AccessDenied", "Request has expired", "X-Amz-Expires", s.expires, "Expires", expires,
					"ServerTime", now.Format(serverTimeForm)))
		}
		return nil
	}
	if s.Time.Before(now.Add(-MaxSkew)) || s.Time.After(now.Add(MaxSkew)) {
		return skewError(s, now)
	}
	return nil
}

// CheckScope compares the credential scope with the endpoint's: region and service are what the endpoint expects
// ("" accepts any). It also checks the terminator and that the scope's date is the request's, as Verify does.
// The server calls it before it looks the access key up, where AWS does; an IAM endpoint, for one, takes only
// us-east-1.
func (s *Signed) CheckScope(region, service string) error {
	return s.checkScope(region, service)
}

func (s *Signed) checkScope(region, service string) error {
	var msg strings.Builder
	if region != "" && s.Scope.Region != region {
		msg.WriteString("Credential should be scoped to a valid region, not '" + s.Scope.Region + "'. ")
	}
	if service != "" && s.Scope.Service != service {
		msg.WriteString("Credential should be scoped to correct service: '" + service + "'. ")
	}
	if s.terminator != Terminator {
		msg.WriteString("Credential should be scoped with a valid terminator: 'aws4_request', not '" +
			s.terminator + "'. ")
	}
	if len(s.date) >= 8 && s.Scope.Date != s.date[:8] {
		msg.WriteString("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '" +
			s.Scope.Date + "' != '" + s.date[:8] + "', from '" + s.date + "'. ")
	}
	var s3 *awserr.Error
	if region != "" && s.Scope.Region != region {
		prefix := msgS3Malformed
		if s.Presigned {
			prefix = msgS3QueryCredential
		}
		code := "AuthorizationHeaderMalformed"
		if s.Presigned {
			code = "AuthorizationQueryParametersError"
		}
		s3 = s3err(400, code, prefix+"the region '"+s.Scope.Region+"' is wrong; expecting '"+region+"'",
			"Region", region)
	}
	var generic *awserr.Error
	if msg.Len() > 0 {
		generic = kind(awserr.KindSignatureMismatch, msg.String())
	}
	if err := choose(s.Scope.Service, generic, s3); err != nil {
		return err
	}
	return nil
}

// decodeHex32 decodes a signature: 64 lower-case hex digits, the only form AWS's signers write.
func decodeHex32(s string) (out [32]byte, ok bool) {
	if len(s) != 64 {
		return out, false
	}
	for i := range out {
		hi, lo := s[2*i], s[2*i+1]
		if !isLowerHex(hi) || !isLowerHex(lo) {
			return out, false
		}
		out[i] = unhex(hi)<<4 | unhex(lo)
	}
	return out, true
}

func isLowerHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' }

func isHexString(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isHex(s[i]) {
			return false
		}
	}
	return true
}
