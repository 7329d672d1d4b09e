package sigv4

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/sagebox/sagebox/internal/awserr"
)

// Parse reads the signature a request claims, from its Authorization header or from its presigned query
// (X-Amz-Algorithm, X-Amz-Credential, …). It checks syntax only: no clock, no secret.
//
// A request with no signature at all gets an *Error that wraps ErrUnsigned (KindMissingAuthentication); one whose
// signature is malformed or incomplete gets an *Error with AWS's text for the first fault, in the order AWS looks
// for them (KindIncompleteSignature for most; KindSignatureMismatch where AWS answers SignatureDoesNotMatch).
func Parse(r *http.Request) (*Signed, error) {
	auth := strings.TrimSpace(r.Header.Get("Authorization"))
	_, presigned := rawQueryValue(r.URL.RawQuery, "X-Amz-Algorithm")
	switch {
	case auth != "" && presigned:
		return nil, fail(headerService(auth), kind(awserr.KindSignatureMismatch, ""),
			s3err(400, "InvalidArgument", msgS3OneMechanism, "ArgumentName", "Authorization", "ArgumentValue", auth))
	case auth != "":
		return parseHeader(r, auth)
	case presigned:
		return parsePresigned(r)
	}
	e := fail("", kind(awserr.KindMissingAuthentication, ""), s3err(403, "AccessDenied", "Access Denied"))
	e.cause = ErrUnsigned
	return nil, e
}

// authHeader is what an Authorization header holds, read without judging it.
type authHeader struct {
	raw, scheme                                   string
	space                                         bool // the scheme is followed by a space
	badPair                                       string
	credential, signedHeaders, signature          string
	hasCredential, hasSignedHeaders, hasSignature bool
}

func splitAuthHeader(auth string) authHeader {
	h := authHeader{raw: auth}
	var rest string
	h.scheme, rest, h.space = strings.Cut(auth, " ")
	for rest != "" {
		var part string
		part, rest, _ = strings.Cut(rest, ",")
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			if h.badPair == "" {
				h.badPair = part
			}
			continue
		}
		switch k {
		case "Credential":
			h.credential, h.hasCredential = v, true
		case "SignedHeaders":
			h.signedHeaders, h.hasSignedHeaders = v, true
		case "Signature":
			h.signature, h.hasSignature = v, true
		}
	}
	return h
}

// headerService is the service of the credential scope in an Authorization header, "" when there is none.
func headerService(auth string) string {
	return credentialService(splitAuthHeader(auth).credential)
}

func credentialService(credential string) string {
	return credentialPart(credential, 3)
}

// credentialPart is the i-th slash-separated part of a credential, counted from 0, or "" when it has fewer parts.
func credentialPart(credential string, i int) string {
	for ; i > 0; i-- {
		j := strings.IndexByte(credential, '/')
		if j < 0 {
			return ""
		}
		credential = credential[j+1:]
	}
	if i := strings.IndexByte(credential, '/'); i >= 0 {
		return credential[:i]
	}
	return credential
}

func parseHeader(r *http.Request, auth string) (*Signed, error) {
	h := splitAuthHeader(auth)
	service := credentialService(h.credential)
	amzDate, hasAmzDate := firstValue(r.Header, "X-Amz-Date")
	httpDate, hasHTTPDate := firstValue(r.Header, "Date")

	s := &Signed{
		Signature:     h.signature,
		SecurityToken: r.Header.Get("X-Amz-Security-Token"),
		PayloadHash:   r.Header.Get("X-Amz-Content-Sha256"),
		algorithm:     h.scheme,
		credential:    h.credential,
		signedHeaders: h.signedHeaders,
	}
	var dateOK bool
	if hasAmzDate {
		s.rawDate = amzDate
		s.Time, dateOK = parseAmzDate(amzDate)
	} else if hasHTTPDate {
		// AWS's own test suite signs with a Date header in HTTP format; the string to sign carries it as ISO 8601.
		s.rawDate = httpDate
		if s.Time, dateOK = parseAmzDate(httpDate); !dateOK {
			var err error
			s.Time, err = http.ParseTime(httpDate)
			dateOK = err == nil
		}
	}
	if dateOK {
		s.date = s.rawDate
		if len(s.rawDate) != len(amzDateFormat) {
			s.date = s.Time.Format(amzDateFormat)
		}
	}
	s.SignedHeaders = splitSignedHeaders(h.signedHeaders)

	generic := checkHeaderGeneric(&h, s, hasAmzDate || hasHTTPDate, dateOK)
	var s3 *awserr.Error
	if service == "s3" || service == "" || generic != nil {
		s3 = checkHeaderS3(&h, s, hasAmzDate)
	}
	if service == "s3" && s3 == nil && r.URL.RawQuery != "" {
		if _, v2 := rawQueryValue(r.URL.RawQuery, "Signature"); v2 {
			s3 = s3err(400, "InvalidArgument", msgS3OneMechanism, "ArgumentName", "Authorization", "ArgumentValue", auth)
		}
	}
	if err := choose(service, generic, s3); err != nil {
		return nil, err
	}
	s.Scope = scopeOf(h.credential, service != "s3")
	s.terminator = terminatorOf(h.credential, service != "s3")
	return s, nil
}

// choose returns the Error for the flavour the service answers with, or nil when that flavour found no fault.
func choose(service string, generic, s3 *awserr.Error) *Error {
	if service == "s3" {
		if s3 == nil {
			return nil
		}
		if generic == nil {
			generic = kind(awserr.KindIncompleteSignature, s3.Message)
		}
	} else if generic == nil {
		return nil
	}
	return fail(service, generic, s3)
}

// checkHeaderGeneric looks for the faults of an Authorization header in the order the query and JSON services do.
func checkHeaderGeneric(h *authHeader, s *Signed, hasDate, dateOK bool) *awserr.Error {
	if h.badPair != "" {
		return kind(awserr.KindIncompleteSignature, fmt.Sprintf(
			"'%s' not a valid key=value pair (missing equal-sign) in Authorization header: '%s'.", h.badPair, h.raw))
	}
	var missing strings.Builder
	if h.credential == "" {
		missing.WriteString("Authorization header requires 'Credential' parameter. ")
	}
	if h.signature == "" {
		missing.WriteString("Authorization header requires 'Signature' parameter. ")
	}
	if !h.hasSignedHeaders {
		missing.WriteString("Authorization header requires 'SignedHeaders' parameter. ")
	}
	if !hasDate {
		missing.WriteString("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ")
	}
	if missing.Len() > 0 {
		return kind(awserr.KindIncompleteSignature, missing.String()+"Authorization="+h.raw)
	}
	if !dateOK {
		return kind(awserr.KindIncompleteSignature, fmt.Sprintf(msgDateFormat, s.rawDate))
	}
	return checkCommonGeneric(s, h.scheme, h.credential)
}

// checkCommonGeneric holds the checks that header and query signatures share, after their parameters.
func checkCommonGeneric(s *Signed, algorithm, credential string) *awserr.Error {
	if !signsHost(s.SignedHeaders) {
		return kind(awserr.KindSignatureMismatch, msgMissingHost)
	}
	if algorithm != Algorithm {
		return kind(awserr.KindIncompleteSignature,
			"Unsupported AWS 'algorithm': '"+algorithm+"' (only AWS4-HMAC-SHA256 for now). ")
	}
	// AWS ignores trailing slashes when it counts the elements.
	if strings.Count(strings.TrimRight(credential, "/"), "/") != 4 {
		return kind(awserr.KindIncompleteSignature, "Credential must have exactly 5 slash-delimited elements, "+
			"e.g. keyid/date/region/service/term, got '"+credential+"'")
	}
	return nil
}

// checkHeaderS3 looks for the faults of an Authorization header in the order S3 does.
func checkHeaderS3(h *authHeader, s *Signed, hasAmzDate bool) *awserr.Error {
	args := []string{"ArgumentName", "Authorization", "ArgumentValue", h.raw}
	if !h.space {
		return s3err(400, "InvalidArgument", "Authorization header is invalid -- one and only one ' ' (space) required",
			args...)
	}
	if strings.EqualFold(h.scheme, "AWS") {
		return s3err(400, "InvalidRequest",
			"The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.")
	}
	if !strings.EqualFold(h.scheme, Algorithm) {
		return s3err(400, "InvalidArgument", "Unsupported Authorization Type", args...)
	}
	// S3 reads the date of a SigV4 header from x-amz-date alone.
	if !hasAmzDate || s.date == "" || s.date != s.rawDate {
		return s3err(403, "AccessDenied", msgS3NoDate)
	}
	if h.badPair != "" || !h.hasCredential || !h.hasSignedHeaders || !h.hasSignature {
		return s3err(400, "AuthorizationHeaderMalformed", msgS3Malformed+msgS3ThreeComponents)
	}
	if msg := s3CredentialFault(h.credential); msg != "" {
		return s3err(400, "AuthorizationHeaderMalformed", msgS3Malformed+msg)
	}
	if d := scopeOf(h.credential, false).Date; d != s.date[:8] {
		return s3err(400, "AuthorizationHeaderMalformed",
			msgS3Malformed+"Invalid credential date. Date is not the same as X-Amz-Date.")
	}
	if !signsHost(s.SignedHeaders) {
		return s3err(403, "SignatureDoesNotMatch", msgMissingHost)
	}
	return nil
}

// s3CredentialFault is what S3 finds wrong with a credential scope before it looks at its region, or "".
func s3CredentialFault(credential string) string {
	parts := strings.Split(credential, "/")
	switch {
	case len(parts) != 5:
		return msgS3CredentialFormat
	case parts[0] == "":
		return "a non-empty Access Key (AKID) must be provided in the credential."
	case parts[2] == "":
		return "a non-empty region must be provided in the credential."
	case parts[3] != "s3":
		return "incorrect service \"" + parts[3] + "\". This endpoint belongs to \"s3\"."
	case parts[4] != Terminator:
		return "incorrect terminal \"" + parts[4] + "\". This endpoint uses \"aws4_request\"."
	}
	return ""
}

// scopeOf splits a credential that passed its checks. trimSlashes drops trailing slashes, as the query and JSON
// services do; S3 counts them.
func scopeOf(credential string, trimSlashes bool) Scope {
	if trimSlashes {
		credential = strings.TrimRight(credential, "/")
	}
	var sc Scope
	sc.AccessKeyID, credential, _ = strings.Cut(credential, "/")
	sc.Date, credential, _ = strings.Cut(credential, "/")
	sc.Region, credential, _ = strings.Cut(credential, "/")
	sc.Service, _, _ = strings.Cut(credential, "/")
	return sc
}

func terminatorOf(credential string, trimSlashes bool) string {
	if trimSlashes {
		credential = strings.TrimRight(credential, "/")
	}
	if strings.Count(credential, "/") < 4 {
		return ""
	}
	_, rest, _ := strings.Cut(credential, "/")
	for range 3 {
		_, rest, _ = strings.Cut(rest, "/")
	}
	return rest
}

func parsePresigned(r *http.Request) (*Signed, error) {
	// ParseQuery keeps the pairs it can read when it reports a malformed one; the signature check then fails on
	// the canonical query, which is built from the raw query.
	q, _ := url.ParseQuery(r.URL.RawQuery)
	get := func(k string) (string, bool) {
		v, ok := q[k]
		if !ok || len(v) == 0 {
			return "", false
		}
		return v[0], true
	}
	algorithm, _ := get("X-Amz-Algorithm")
	credential, hasCredential := get("X-Amz-Credential")
	signature, hasSignature := get("X-Amz-Signature")
	signedHeaders, hasSignedHeaders := get("X-Amz-SignedHeaders")
	date, hasDate := get("X-Amz-Date")
	expires, hasExpires := get("X-Amz-Expires")
	service := credentialService(credential)

	s := &Signed{
		Signature:     signature,
		Presigned:     true,
		SignedHeaders: splitSignedHeaders(signedHeaders),
		algorithm:     algorithm,
		rawDate:       date,
		credential:    credential,
		signedHeaders: signedHeaders,
		expires:       expires,
	}
	s.SecurityToken, _ = get("X-Amz-Security-Token")
	s.PayloadHash, _ = get("X-Amz-Content-Sha256")
	var dateOK bool
	if s.Time, dateOK = parseAmzDate(date); dateOK {
		s.date = date
	}
	n, expiresErr := strconv.ParseInt(expires, 10, 64)
	if expiresErr == nil && n >= 0 && n <= int64(MaxExpires/time.Second) {
		s.Expires = time.Duration(n) * time.Second
	}

	var generic *awserr.Error
	switch {
	case algorithm != Algorithm:
		// The query and JSON services read an unknown algorithm as no signature at all.
		generic = kind(awserr.KindMissingAuthentication, "")
	case !hasCredential || !hasSignature || !hasSignedHeaders || !hasDate:
		var b strings.Builder
		for _, p := range []struct {
			name string
			has  bool
		}{{"X-Amz-Credential", hasCredential}, {"X-Amz-Signature", hasSignature},
			{"X-Amz-SignedHeaders", hasSignedHeaders}, {"X-Amz-Date", hasDate}} {
			if !p.has {
				b.WriteString("AWS query-string parameters must include '" + p.name + "'. ")
			}
		}
		generic = kind(awserr.KindIncompleteSignature, b.String()+msgQueryReexamine)
	case !dateOK:
		generic = kind(awserr.KindIncompleteSignature, fmt.Sprintf(msgDateFormat, date))
	default:
		generic = checkCommonGeneric(s, algorithm, credential)
	}

	var s3 *awserr.Error
	if service == "s3" || service == "" || generic != nil {
		s3 = checkPresignedS3(s, hasCredential && hasSignature && hasSignedHeaders && hasDate && hasExpires,
			dateOK, expiresErr, n)
	}
	if err := choose(service, generic, s3); err != nil {
		return nil, err
	}
	s.Scope = scopeOf(credential, service != "s3")
	s.terminator = terminatorOf(credential, service != "s3")
	return s, nil
}

// checkPresignedS3 looks for the faults of a presigned query in the order S3 does, up to the clock.
func checkPresignedS3(s *Signed, complete, dateOK bool, expiresErr error, expires int64) *awserr.Error {
	bad := func(msg string) *awserr.Error { return s3err(400, "AuthorizationQueryParametersError", msg) }
	switch {
	case s.algorithm != Algorithm:
		return bad("X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256 and AWS4-ECDSA-P256-SHA256\"")
	case !complete:
		return bad(msgS3QueryParams)
	case !dateOK:
		return bad("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"")
	case expiresErr != nil:
		return bad("X-Amz-Expires should be a number")
	case expires < 0:
		return bad("X-Amz-Expires must be non-negative")
	case expires > int64(MaxExpires/time.Second):
		return bad("X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must " +
			"be less than 604800 seconds")
	}
	if msg := s3CredentialFault(s.credential); msg != "" {
		return bad(msgS3QueryCredential + msg)
	}
	if d := scopeOf(s.credential, false).Date; d != s.date[:8] {
		return bad("Invalid credential date \"" + d + "\". This date is not the same as X-Amz-Date: \"" +
			s.date[:8] + "\".")
	}
	if !signsHost(s.SignedHeaders) {
		return s3err(403, "SignatureDoesNotMatch", msgMissingHost)
	}
	return nil
}

func splitSignedHeaders(list string) []string {
	if list == "" {
		return nil
	}
	return strings.Split(list, ";")
}

func signsHost(names []string) bool {
	for _, n := range names {
		if strings.EqualFold(n, "host") || n == ":authority" {
			return true
		}
	}
	return false
}

// firstValue is the first value of a header, and whether the header is there at all.
func firstValue(h http.Header, key string) (string, bool) {
	v, ok := h[key]
	if !ok || len(v) == 0 {
		return "", false
	}
	return v[0], true
}

// rawQueryValue finds key in a raw query without building a map: the hot path only needs to know whether a
// request is presigned. The value is decoded; an undecodable one comes back raw.
func rawQueryValue(raw, key string) (string, bool) {
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		k, v, _ := strings.Cut(pair, "=")
		if k != key {
			continue
		}
		if d, err := url.QueryUnescape(v); err == nil {
			v = d
		}
		return v, true
	}
	return "", false
}
