package sigv4

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/sagebox/sagebox/internal/awserr"
)

// ErrUnsigned is wrapped by the error Parse returns for a request that carries no signature at all. S3 serves such
// a request as an anonymous one; every other service refuses it.
var ErrUnsigned = errors.New("the request is not signed")

// ErrContentSHA256Mismatch is wrapped by the error Verify returns when the signature is right but the body does not
// hash to the x-amz-content-sha256 the request was signed with (S3's XAmzContentSHA256Mismatch).
var ErrContentSHA256Mismatch = errors.New("x-amz-content-sha256 does not match the body")

// Error is a refused signature. It unwraps to the *awserr.Error that the request's service answers with (S3's
// flavour when the credential scope names s3, the query and JSON flavour otherwise), so that awserr.As finds it, and
// to ErrUnsigned or ErrContentSHA256Mismatch where those apply.
type Error struct {
	// Err is the answer of the query, EC2 and JSON protocols: a Kind, and a Message where AWS puts detail in it.
	Err *awserr.Error
	// S3Err is S3's answer, with S3's code, text, status and fields.
	S3Err *awserr.Error
	// Service is the credential scope's service, "" when the request did not get that far.
	Service string
	// CanonicalRequest and StringToSign are what the verifier computed, set when the signature was computed. They
	// are for debug logs: they name no secret, but they hold the request's headers and security token.
	CanonicalRequest string
	StringToSign     string

	cause error
}

// AWS is the answer for the request's own service: S3Err for an s3 scope, Err otherwise.
func (e *Error) AWS() *awserr.Error {
	if e.Service == "s3" {
		return e.S3()
	}
	return e.Err
}

// S3 is S3's answer, whatever the scope named: the server calls it for a request it routed to S3 by its path or
// host when Parse could not read a scope.
func (e *Error) S3() *awserr.Error {
	if e.S3Err != nil {
		return e.S3Err
	}
	return e.Err
}

// Error describes the answer for the request's own service.
func (e *Error) Error() string { return "sigv4: " + e.AWS().Error() }

// Unwrap returns the answer for the request's own service and the cause, if any.
func (e *Error) Unwrap() []error {
	if e.cause != nil {
		return []error{e.AWS(), e.cause}
	}
	return []error{e.AWS()}
}

// fail builds an Error from the two flavours of one fault.
func fail(service string, generic, s3 *awserr.Error) *Error {
	return &Error{Err: generic, S3Err: s3, Service: service}
}

func kind(k awserr.Kind, msg string) *awserr.Error { return &awserr.Error{Kind: k, Message: msg} }

func s3err(status int, code, msg string, fields ...string) *awserr.Error {
	e := &awserr.Error{Code: code, Message: msg, Status: status}
	if len(fields) > 0 {
		e.Fields = make(map[string]any, len(fields)/2)
		for i := 0; i+1 < len(fields); i += 2 {
			e.Fields[fields[i]] = fields[i+1]
		}
	}
	return e
}

// The texts of the query and JSON services (the "coral" front end of IAM, STS, EC2, SageMaker, Logs), as AWS
// sends them. Sources: AWS's answers quoted in public issues and by emulators that measured them (dynalite,
// scratchstack-aws-signature); see the package tests for the cases.
const (
	msgMissingHost        = "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
	msgDateFormat         = "Date must be in ISO-8601 'basic format'. Got '%s'. See http://en.wikipedia.org/wiki/ISO_8601"
	msgQueryReexamine     = "Re-examine the query-string parameters."
	msgS3Mismatch         = "The request signature we calculated does not match the signature you provided. Check your key and signing method."
	msgS3Malformed        = "The authorization header is malformed; "
	msgS3QueryCredential  = "Error parsing the X-Amz-Credential parameter; "
	msgS3CredentialFormat = "the Credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\"."
	msgS3ThreeComponents  = "the authorization header requires three components: Credential, SignedHeaders, and Signature."
	msgS3OneMechanism     = "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified"
	msgS3NoDate           = "AWS authentication requires a valid Date or x-amz-date header"
	msgS3QueryParams      = "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters."
	msgS3BadPayloadHash   = "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER or a valid sha256 value."
)

// skewError is the answer to a date more than MaxSkew from now (now truncated to the second).
func skewError(s *Signed, now time.Time) *Error {
	var msg string
	if s.Time.Before(now) {
		msg = "Signature expired: " + s.date + " is now earlier than " + now.Add(-MaxSkew).Format(amzDateFormat) +
			" (" + now.Format(amzDateFormat) + " - 15 min.)"
	} else {
		msg = "Signature not yet current: " + s.date + " is still later than " + now.Add(MaxSkew).Format(amzDateFormat) +
			" (" + now.Format(amzDateFormat) + " + 15 min.)"
	}
	return fail(s.Scope.Service, kind(awserr.KindClockSkew, msg),
		s3err(403, "RequestTimeTooSkewed", "The difference between the request time and the current time is too large.",
			"RequestTime", s.rawDate, "ServerTime", now.Format(serverTimeForm),
			"MaxAllowedSkewMilliseconds", strconv.FormatInt(MaxSkew.Milliseconds(), 10)))
}

// mismatchError is the answer to a signature that does not match the one computed.
func mismatchError(s *Signed, canonical, stringToSign []byte) *Error {
	e := fail(s.Scope.Service, kind(awserr.KindSignatureMismatch, ""),
		s3err(403, "SignatureDoesNotMatch", msgS3Mismatch,
			"AWSAccessKeyId", s.Scope.AccessKeyID,
			"StringToSign", string(stringToSign),
			"SignatureProvided", s.Signature,
			"StringToSignBytes", hexBytes(stringToSign),
			"CanonicalRequest", string(canonical),
			"CanonicalRequestBytes", hexBytes(canonical)))
	e.CanonicalRequest = string(canonical)
	e.StringToSign = string(stringToSign)
	// The server logs Detail and never sends it: the canonical request is what a developer needs to see why a
	// client's signature differs.
	detail := "canonical request:\n" + e.CanonicalRequest + "\nstring to sign:\n" + e.StringToSign
	e.Err.Detail, e.S3Err.Detail = detail, detail
	return e
}

// hexBytes writes b as S3 does in StringToSignBytes: two lower-case hex digits a byte, separated by spaces.
func hexBytes(b []byte) string {
	const digits = "0123456789abcdef"
	var sb strings.Builder
	sb.Grow(len(b) * 3)
	for i, c := range b {
		if i > 0 {
			sb.WriteByte(' ')
		}
		sb.WriteByte(digits[c>>4])
		sb.WriteByte(digits[c&15])
	}
	return sb.String()
}
