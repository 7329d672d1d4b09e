package sigv4

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sagebox/sagebox/internal/awserr"
)

var testCreds = Credentials{AccessKeyID: sdkKey, SecretAccessKey: sdkSecret}

// signedRequest is a POST to the service at sdkTime, signed by Sign and seen as a server would.
func signedRequest(t *testing.T, service, body string) *http.Request {
	t.Helper()
	r := serverRequest(t, "POST", "/", "localhost:4566",
		[][2]string{{"Content-Type", "application/x-www-form-urlencoded"}}, body)
	Sign(r, []byte(body), testCreds, "us-east-1", service, sdkTime)
	return r
}

// flavours returns the two answers of a refusal.
func flavours(t *testing.T, err error) (generic, s3 *awserr.Error) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v is not a *sigv4.Error", err)
	}
	return e.Err, e.S3()
}

func TestParseRefuses(t *testing.T) {
	const okAuth = "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/sts/aws4_request, " +
		"SignedHeaders=host;x-amz-date, Signature=abc"
	tests := []struct {
		name     string
		auth     string
		amzDate  string // "" for none
		query    string
		kind     awserr.Kind
		message  string
		s3Code   string // for a request whose scope names s3, or none at all
		s3Substr string
	}{
		{name: "a bearer token", auth: "Bearer token", amzDate: "20260101T000000Z",
			kind:    awserr.KindIncompleteSignature,
			message: "'token' not a valid key=value pair (missing equal-sign) in Authorization header: 'Bearer token'.",
			s3Code:  "InvalidArgument", s3Substr: "Unsupported Authorization Type"},
		{name: "basic credentials", auth: "Basic dXNlcjpwYXNz==",
			kind: awserr.KindIncompleteSignature,
			message: "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' " +
				"parameter. Authorization header requires 'SignedHeaders' parameter. Authorization header requires " +
				"existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=Basic dXNlcjpwYXNz==",
			s3Code: "InvalidArgument", s3Substr: "Unsupported Authorization Type"},
		{name: "a header without a space", auth: "AWS4-HMAC-SHA256", amzDate: "20260101T000000Z",
			kind: awserr.KindIncompleteSignature,
			message: "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' " +
				"parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4-HMAC-SHA256",
			s3Code: "InvalidArgument", s3Substr: "one and only one ' ' (space) required"},
		{name: "no signature", auth: "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/s3/aws4_request, " +
			"SignedHeaders=host;x-amz-date", amzDate: "20260101T000000Z",
			kind: awserr.KindIncompleteSignature,
			message: "Authorization header requires 'Signature' parameter. Authorization=AWS4-HMAC-SHA256 " +
				"Credential=AKID/20260101/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date",
			s3Code: "AuthorizationHeaderMalformed", s3Substr: "requires three components"},
		{name: "no date", auth: okAuth, kind: awserr.KindIncompleteSignature,
			message: "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. " +
				"Authorization=" + okAuth},
		{name: "a date not in ISO 8601", auth: okAuth, amzDate: "2026-01-01T00:00:00Z",
			kind:    awserr.KindIncompleteSignature,
			message: "Date must be in ISO-8601 'basic format'. Got '2026-01-01T00:00:00Z'. See http://en.wikipedia.org/wiki/ISO_8601"},
		{name: "a date with fractional seconds", auth: okAuth, amzDate: "20260101T000000.5Z",
			kind:    awserr.KindIncompleteSignature,
			message: "Date must be in ISO-8601 'basic format'. Got '20260101T000000.5Z'. See http://en.wikipedia.org/wiki/ISO_8601"},
		{name: "host not signed", auth: strings.Replace(okAuth, "host;", "", 1), amzDate: "20260101T000000Z",
			kind: awserr.KindSignatureMismatch, message: msgMissingHost},
		{name: "another algorithm", auth: strings.Replace(okAuth, "SHA256", "SHA512", 1), amzDate: "20260101T000000Z",
			kind:    awserr.KindIncompleteSignature,
			message: "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512' (only AWS4-HMAC-SHA256 for now). "},
		{name: "a credential of four elements", auth: strings.Replace(okAuth, "/aws4_request", "", 1),
			amzDate: "20260101T000000Z", kind: awserr.KindIncompleteSignature,
			message: "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, " +
				"got 'AKID/20260101/us-east-1/sts'"},
		{name: "both a header and a presigned query", auth: okAuth, amzDate: "20260101T000000Z",
			query: "X-Amz-Algorithm=AWS4-HMAC-SHA256", kind: awserr.KindSignatureMismatch, message: "",
			s3Code: "InvalidArgument", s3Substr: "Only one auth mechanism allowed"},
		{name: "an S3 credential without an access key",
			auth:    "AWS4-HMAC-SHA256 Credential=/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=a",
			amzDate: "20260101T000000Z", kind: awserr.KindIncompleteSignature,
			message: msgS3Malformed + "a non-empty Access Key (AKID) must be provided in the credential.",
			s3Code:  "AuthorizationHeaderMalformed", s3Substr: "a non-empty Access Key (AKID)"},
		{name: "an S3 credential dated another day",
			auth:    "AWS4-HMAC-SHA256 Credential=AKID/20251231/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=a",
			amzDate: "20260101T000000Z", kind: awserr.KindIncompleteSignature,
			message: msgS3Malformed + "Invalid credential date. Date is not the same as X-Amz-Date.",
			s3Code:  "AuthorizationHeaderMalformed", s3Substr: "Invalid credential date"},
		{name: "an S3 header dated by Date alone",
			auth: "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=a",
			kind: awserr.KindIncompleteSignature, message: msgS3NoDate,
			s3Code: "AccessDenied", s3Substr: msgS3NoDate},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := serverRequest(t, "GET", "/?"+tt.query, "localhost", nil, "")
			r.Header.Set("Authorization", tt.auth)
			if tt.amzDate != "" {
				r.Header.Set("X-Amz-Date", tt.amzDate)
			} else if strings.Contains(tt.name, "Date alone") {
				r.Header.Set("Date", "Thu, 01 Jan 2026 00:00:00 GMT")
			}
			s, err := Parse(r)
			if err == nil {
				t.Fatalf("Parse() = %+v, want an error", s)
			}
			generic, s3 := flavours(t, err)
			if generic.Kind != tt.kind || generic.Message != tt.message {
				t.Errorf("Parse() = %v %q, want %v %q", generic.Kind, generic.Message, tt.kind, tt.message)
			}
			if tt.s3Code != "" && (s3.Code != tt.s3Code || !strings.Contains(s3.Message, tt.s3Substr)) {
				t.Errorf("Parse() answers S3 with %s %q, want %s containing %q", s3.Code, s3.Message, tt.s3Code,
					tt.s3Substr)
			}
			if got := awserr.As(err); got == nil || got.Kind == awserr.KindInternal {
				t.Errorf("awserr.As(%v) = %v, want the AWS answer", err, got)
			}
		})
	}
}

func TestParseUnsigned(t *testing.T) {
	r := serverRequest(t, "GET", "/bucket/key?X-Amz-Signature=abc", "localhost", nil, "")
	_, err := Parse(r)
	if !errors.Is(err, ErrUnsigned) {
		t.Fatalf("Parse() of an unsigned request = %v, want ErrUnsigned", err)
	}
	if e := awserr.As(err); e.Kind != awserr.KindMissingAuthentication {
		t.Errorf("Parse() of an unsigned request answers %v, want %v", e.Kind, awserr.KindMissingAuthentication)
	}
}

func TestParsePresignedRefuses(t *testing.T) {
	const ok = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20260101%2Fus-east-1%2Fs3%2Faws4_request" +
		"&X-Amz-Date=20260101T000000Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=abc"
	tests := []struct {
		name, query string
		kind        awserr.Kind
		message     string
		s3Message   string
	}{
		{"another algorithm", strings.Replace(ok, "SHA256", "SHA1", 1), awserr.KindMissingAuthentication, "",
			`X-Amz-Algorithm only supports "AWS4-HMAC-SHA256 and AWS4-ECDSA-P256-SHA256"`},
		{"no credential or date", "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-SignedHeaders=host&X-Amz-Signature=a",
			awserr.KindIncompleteSignature, "AWS query-string parameters must include 'X-Amz-Credential'. " +
				"AWS query-string parameters must include 'X-Amz-Date'. Re-examine the query-string parameters.",
			msgS3QueryParams},
		{"no expiry", strings.Replace(ok, "&X-Amz-Expires=60", "", 1), awserr.KindIncompleteSignature,
			msgS3QueryParams, msgS3QueryParams},
		{"a bad date", strings.Replace(ok, "20260101T000000Z", "20260101", 1), awserr.KindIncompleteSignature,
			"Date must be in ISO-8601 'basic format'. Got '20260101'. See http://en.wikipedia.org/wiki/ISO_8601",
			`X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'"`},
		{"an expiry that is no number", strings.Replace(ok, "Expires=60", "Expires=1m", 1),
			awserr.KindIncompleteSignature, "X-Amz-Expires should be a number", "X-Amz-Expires should be a number"},
		{"a negative expiry", strings.Replace(ok, "Expires=60", "Expires=-1", 1), awserr.KindIncompleteSignature,
			"X-Amz-Expires must be non-negative", "X-Amz-Expires must be non-negative"},
		{"an expiry over a week", strings.Replace(ok, "Expires=60", "Expires=604801", 1),
			awserr.KindIncompleteSignature,
			"X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less " +
				"than 604800 seconds",
			"X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less " +
				"than 604800 seconds"},
		{"a credential for another day", strings.Replace(ok, "%2F20260101%2F", "%2F20251231%2F", 1),
			awserr.KindIncompleteSignature,
			`Invalid credential date "20251231". This date is not the same as X-Amz-Date: "20260101".`,
			`Invalid credential date "20251231". This date is not the same as X-Amz-Date: "20260101".`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := serverRequest(t, "GET", "/bucket/key?"+tt.query, "localhost", nil, "")
			s, err := Parse(r)
			if err == nil {
				t.Fatalf("Parse() = %+v, want an error", s)
			}
			generic, s3 := flavours(t, err)
			if s3.Code != "AuthorizationQueryParametersError" || s3.Message != tt.s3Message || s3.Status != 400 {
				t.Errorf("Parse() answers S3 with %d %s %q, want 400 AuthorizationQueryParametersError %q",
					s3.Status, s3.Code, s3.Message, tt.s3Message)
			}
			if generic.Kind != tt.kind || generic.Message != tt.message {
				t.Errorf("Parse() = %v %q, want %v %q", generic.Kind, generic.Message, tt.kind, tt.message)
			}
		})
	}
}

func TestClockWindow(t *testing.T) {
	r := signedRequest(t, "sts", "Action=GetCallerIdentity")
	s, err := Parse(r)
	if err != nil {
		t.Fatal(err)
	}
	v := NewVerifier()
	tests := []struct {
		name    string
		now     time.Time
		message string // "" when accepted
	}{
		{"at the signing time", sdkTime, ""},
		{"exactly 15 minutes later", sdkTime.Add(15 * time.Minute), ""},
		{"15 minutes and a fraction later", sdkTime.Add(15*time.Minute + 999*time.Millisecond), ""},
		{"exactly 15 minutes earlier", sdkTime.Add(-15 * time.Minute), ""},
		{"a second too late", sdkTime.Add(15*time.Minute + time.Second),
			"Signature expired: 20260101T000000Z is now earlier than 20260101T000001Z (20260101T001501Z - 15 min.)"},
		{"25 minutes late", sdkTime.Add(25 * time.Minute),
			"Signature expired: 20260101T000000Z is now earlier than 20260101T001000Z (20260101T002500Z - 15 min.)"},
		{"a second too early", sdkTime.Add(-15*time.Minute - time.Second),
			"Signature not yet current: 20260101T000000Z is still later than 20251231T235959Z (20251231T234459Z + 15 min.)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := v.Verify(r, []byte("Action=GetCallerIdentity"), s, sdkSecret, tt.now)
			if tt.message == "" {
				if err != nil {
					t.Fatalf("Verify() at %v = %v, want no error", tt.now, err)
				}
				return
			}
			generic, s3 := flavours(t, err)
			if generic.Kind != awserr.KindClockSkew || generic.Message != tt.message {
				t.Errorf("Verify() at %v = %v %q, want %v %q", tt.now, generic.Kind, generic.Message,
					awserr.KindClockSkew, tt.message)
			}
			if s3.Code != "RequestTimeTooSkewed" || s3.Fields["MaxAllowedSkewMilliseconds"] != "900000" ||
				s3.Fields["RequestTime"] != "20260101T000000Z" {
				t.Errorf("Verify() answers S3 with %s %v, want RequestTimeTooSkewed with its fields", s3.Code, s3.Fields)
			}
		})
	}
}

func TestPresignedExpiry(t *testing.T) {
	for _, service := range []string{"s3", "sts"} {
		r, _ := http.NewRequest("GET", "http://localhost/bucket/key", nil)
		u := Presign(r, testCreds, "us-east-1", service, sdkTime, 100*time.Second)
		req := serverRequest(t, "GET", strings.TrimPrefix(u, "http://localhost"), "localhost", nil, "")
		s, err := Parse(req)
		if err != nil {
			t.Fatalf("Parse(%s) = %v, want no error", u, err)
		}
		if s.Expires != 100*time.Second {
			t.Errorf("Parse(%s).Expires = %v, want 100s", u, s.Expires)
		}
		v := NewVerifier()
		t.Run(service+" within its expiry", func(t *testing.T) {
			if err := v.Verify(req, nil, s, sdkSecret, sdkTime.Add(100*time.Second)); err != nil {
				t.Errorf("Verify() at the expiry = %v, want no error", err)
			}
		})
		t.Run(service+" past its expiry", func(t *testing.T) {
			err := v.Verify(req, nil, s, sdkSecret, sdkTime.Add(101*time.Second))
			if service == "sts" {
				// STS ignores X-Amz-Expires and gives a presigned URL the fifteen minutes of a header.
				if err != nil {
					t.Errorf("Verify() of STS 101s after = %v, want no error", err)
				}
				return
			}
			generic, s3 := flavours(t, err)
			if generic.Kind != awserr.KindRequestExpired {
				t.Errorf("Verify() = %v, want %v", generic.Kind, awserr.KindRequestExpired)
			}
			want := map[string]any{"X-Amz-Expires": "100", "Expires": "2026-01-01T00:01:40Z",
				"ServerTime": "2026-01-01T00:01:41Z"}
			if s3.Code != "AccessDenied" || s3.Message != "Request has expired" || s3.Status != 403 ||
				!sameFields(s3.Fields, want) {
				t.Errorf("Verify() answers S3 with %d %s %q %v, want 403 AccessDenied \"Request has expired\" %v",
					s3.Status, s3.Code, s3.Message, s3.Fields, want)
			}
		})
		t.Run(service+" dated in the future", func(t *testing.T) {
			err := v.Verify(req, nil, s, sdkSecret, sdkTime.Add(-16*time.Minute))
			generic, s3 := flavours(t, err)
			if generic.Kind != awserr.KindClockSkew {
				t.Errorf("Verify() = %v, want %v", generic.Kind, awserr.KindClockSkew)
			}
			if service == "s3" && (s3.Code != "AccessDenied" || s3.Message != "Request is not yet valid" ||
				s3.Fields["X-Amz-Date"] != "1767225600000") {
				t.Errorf("Verify() answers S3 with %s %q %v, want AccessDenied \"Request is not yet valid\"",
					s3.Code, s3.Message, s3.Fields)
			}
		})
		if service == "sts" {
			t.Run("sts past fifteen minutes", func(t *testing.T) {
				generic, _ := flavours(t, v.Verify(req, nil, s, sdkSecret, sdkTime.Add(16*time.Minute)))
				if generic.Kind != awserr.KindClockSkew || !strings.HasPrefix(generic.Message, "Signature expired") {
					t.Errorf("Verify() = %v %q, want a Signature expired", generic.Kind, generic.Message)
				}
			})
		}
	}
}

func sameFields(got, want map[string]any) bool {
	if len(got) != len(want) {
		return false
	}
	for k, v := range want {
		if got[k] != v {
			return false
		}
	}
	return true
}

func TestScope(t *testing.T) {
	r := signedRequest(t, "sts", "")
	s, err := Parse(r)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CheckScope("us-east-1", "sts"); err != nil {
		t.Errorf("CheckScope(us-east-1, sts) = %v, want no error", err)
	}
	if err := s.CheckScope("", ""); err != nil {
		t.Errorf("CheckScope of anything = %v, want no error", err)
	}
	generic, _ := flavours(t, s.CheckScope("us-east-2", "iam"))
	want := "Credential should be scoped to a valid region, not 'us-east-1'. " +
		"Credential should be scoped to correct service: 'iam'. "
	if generic.Kind != awserr.KindSignatureMismatch || generic.Message != want {
		t.Errorf("CheckScope(us-east-2, iam) = %v %q, want %v %q", generic.Kind, generic.Message,
			awserr.KindSignatureMismatch, want)
	}

	// A terminator and a date that do not match fail Verify whatever the server checks.
	r = serverRequest(t, "POST", "/", "localhost", nil, "")
	r.Header.Set("X-Amz-Date", "20260101T000000Z")
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20251231/us-east-1/sts/aws5_request, "+
		"SignedHeaders=host;x-amz-date, Signature=abc")
	if s, err = Parse(r); err != nil {
		t.Fatal(err)
	}
	generic, _ = flavours(t, NewVerifier().Verify(r, nil, s, sdkSecret, sdkTime))
	want = "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'. " +
		"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20251231' != " +
		"'20260101', from '20260101T000000Z'. "
	if generic.Kind != awserr.KindSignatureMismatch || generic.Message != want {
		t.Errorf("Verify() = %v %q, want %v %q", generic.Kind, generic.Message, awserr.KindSignatureMismatch, want)
	}

	// S3 names the region it expects.
	r = signedRequest(t, "s3", "")
	if s, err = Parse(r); err != nil {
		t.Fatal(err)
	}
	_, s3 := flavours(t, s.CheckScope("eu-west-1", "s3"))
	if s3.Code != "AuthorizationHeaderMalformed" ||
		s3.Message != msgS3Malformed+"the region 'us-east-1' is wrong; expecting 'eu-west-1'" ||
		s3.Fields["Region"] != "eu-west-1" {
		t.Errorf("CheckScope(eu-west-1, s3) answers S3 with %s %q %v, want AuthorizationHeaderMalformed naming the region",
			s3.Code, s3.Message, s3.Fields)
	}
}

func TestVerifyRefuses(t *testing.T) {
	tests := []struct {
		name    string
		service string
		body    string
		change  func(r *http.Request) (body string)
		kind    awserr.Kind
		s3Code  string
		is      error
	}{
		{name: "a changed body", service: "sts", body: "Action=GetCallerIdentity",
			change: func(*http.Request) string { return "Action=AssumeRole" }, kind: awserr.KindSignatureMismatch,
			s3Code: "SignatureDoesNotMatch"},
		{name: "a changed signed header", service: "sagemaker", body: "{}",
			change: func(r *http.Request) string { r.Header.Set("Content-Type", "text/plain"); return "{}" },
			kind:   awserr.KindSignatureMismatch, s3Code: "SignatureDoesNotMatch"},
		{name: "a signed header that is gone", service: "sagemaker", body: "{}",
			change: func(r *http.Request) string { r.Header.Del("Content-Type"); return "{}" },
			kind:   awserr.KindSignatureMismatch, s3Code: "SignatureDoesNotMatch"},
		{name: "another host", service: "sts", body: "x",
			change: func(r *http.Request) string { r.Host = "evil:4566"; return "x" },
			kind:   awserr.KindSignatureMismatch, s3Code: "SignatureDoesNotMatch"},
		{name: "an added query parameter", service: "sts", body: "x",
			change: func(r *http.Request) string { r.RequestURI = "/?a=b"; r.URL.RawQuery = "a=b"; return "x" },
			kind:   awserr.KindSignatureMismatch, s3Code: "SignatureDoesNotMatch"},
		{name: "an upper-case signature", service: "sts", body: "x",
			change: func(r *http.Request) string {
				a := r.Header.Get("Authorization")
				i := strings.LastIndex(a, "=")
				r.Header.Set("Authorization", a[:i+1]+strings.ToUpper(a[i+1:]))
				return "x"
			}, kind: awserr.KindSignatureMismatch, s3Code: "SignatureDoesNotMatch"},
		{name: "an S3 body that does not match its hash", service: "s3", body: "data",
			change: func(*http.Request) string { return "evil" }, kind: awserr.KindSignatureMismatch,
			s3Code: "XAmzContentSHA256Mismatch", is: ErrContentSHA256Mismatch},
		{name: "an S3 request without x-amz-content-sha256", service: "s3", body: "data",
			change: func(r *http.Request) string { r.Header.Del("X-Amz-Content-Sha256"); return "data" },
			kind:   awserr.KindIncompleteSignature, s3Code: "InvalidRequest"},
		{name: "an S3 request with a bad x-amz-content-sha256", service: "s3", body: "data",
			change: func(r *http.Request) string { r.Header.Set("X-Amz-Content-Sha256", "abc"); return "data" },
			kind:   awserr.KindIncompleteSignature, s3Code: "InvalidArgument"},
		{name: "an unsigned x-amz header to S3", service: "s3", body: "data",
			change: func(r *http.Request) string { r.Header.Set("X-Amz-Acl", "public-read"); return "data" },
			kind:   awserr.KindAccessDenied, s3Code: "AccessDenied"},
	}
	v := NewVerifier()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := signedRequest(t, tt.service, tt.body)
			body := tt.change(r)
			s, err := Parse(r)
			if err != nil {
				t.Fatalf("Parse() = %v, want no error", err)
			}
			err = v.Verify(r, []byte(body), s, sdkSecret, sdkTime)
			if err == nil {
				t.Fatal("Verify() = nil, want an error")
			}
			generic, s3 := flavours(t, err)
			if generic.Kind != tt.kind {
				t.Errorf("Verify() = %v, want %v", generic.Kind, tt.kind)
			}
			if s3.Code != tt.s3Code {
				t.Errorf("Verify() answers S3 with %s %q, want %s", s3.Code, s3.Message, tt.s3Code)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("Verify() = %v, want it to wrap %v", err, tt.is)
			}
		})
	}
}

func TestMismatchDetail(t *testing.T) {
	r := signedRequest(t, "s3", "data")
	s, err := Parse(r)
	if err != nil {
		t.Fatal(err)
	}
	err = NewVerifier().Verify(r, []byte("data"), s, "wrong secret", sdkTime)
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("Verify() with a wrong secret = %v, want an *Error", err)
	}
	if !strings.HasPrefix(e.CanonicalRequest, "POST\n/\n\ncontent-length:4\ncontent-type:") {
		t.Errorf("CanonicalRequest = %q, want the request's", e.CanonicalRequest)
	}
	s3 := e.AWS()
	if s3.Code != "SignatureDoesNotMatch" || s3.Message != msgS3Mismatch ||
		s3.Fields["StringToSign"] != e.StringToSign || s3.Fields["CanonicalRequest"] != e.CanonicalRequest ||
		s3.Fields["AWSAccessKeyId"] != sdkKey || s3.Fields["SignatureProvided"] != s.Signature ||
		!strings.HasPrefix(s3.Fields["StringToSignBytes"].(string), "41 57 53 34 2d") {
		t.Errorf("an S3 mismatch answers %s %q %v, want SignatureDoesNotMatch with S3's fields", s3.Code, s3.Message,
			s3.Fields)
	}
	if strings.Contains(err.Error(), "wrong secret") || strings.Contains(e.Err.Detail, "wrong secret") {
		t.Errorf("the error %q names the secret", err)
	}
}

func TestSecretsStayHidden(t *testing.T) {
	v := NewVerifier()
	r := signedRequest(t, "sts", "x")
	s, _ := Parse(r)
	if err := v.Verify(r, []byte("x"), s, sdkSecret, sdkTime); err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{v.String(), v.GoString(), testCreds.String(), testCreds.GoString()} {
		if strings.Contains(text, sdkSecret) {
			t.Errorf("%q shows the secret", text)
		}
	}
	if got := v.String(); got != "sigv4.Verifier{1 signing keys cached}" {
		t.Errorf("Verifier.String() = %q, want one key cached", got)
	}
}

func TestKeyCacheIsBounded(t *testing.T) {
	v := NewVerifier()
	v.max = 4
	for i := range 10 {
		sc := Scope{Date: "20260101", Region: "us-east-1", Service: "sts"}
		want := newBuilder().deriveKey(sdkSecret+string(rune('a'+i)), sc)
		got := v.SigningKey(sdkSecret+string(rune('a'+i)), sc)
		if string(got) != string(want[:]) {
			t.Fatalf("SigningKey() = %x, want %x", got, want)
		}
		if n := len(v.keys); n > v.max {
			t.Fatalf("the cache holds %d keys, want at most %d", n, v.max)
		}
	}
	// A cached key answers for the secret it was derived from and no other.
	sc := Scope{Date: "20260101", Region: "us-east-1", Service: "sts"}
	a, b := v.SigningKey("secret-a", sc), v.SigningKey("secret-b", sc)
	if string(a) == string(b) {
		t.Error("SigningKey() is the same for two secrets")
	}
}

// TestDerivedKey checks the key derivation against the example of AWS's documentation.
func TestDerivedKey(t *testing.T) {
	k := newBuilder().deriveKey("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
		Scope{Date: "20120215", Region: "us-east-1", Service: "iam"})
	const want = "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d"
	if got := sha256Hexless(k[:]); got != want {
		t.Errorf("deriveKey() = %s, want %s", got, want)
	}
}

func sha256Hexless(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}

// TestCredentialTrailingSlash: the query and JSON services ignore trailing slashes when they count the elements of
// a credential (dynalite measured it); S3 does not.
func TestCredentialTrailingSlash(t *testing.T) {
	for _, service := range []string{"sts", "s3"} {
		r := signedRequest(t, service, "x")
		r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "/aws4_request,",
			"/aws4_request/,", 1))
		s, err := Parse(r)
		if service == "s3" {
			if _, s3 := flavours(t, err); s3.Code != "AuthorizationHeaderMalformed" {
				t.Errorf("Parse() of an S3 credential with a trailing slash answers %s, want AuthorizationHeaderMalformed",
					s3.Code)
			}
			continue
		}
		if err != nil {
			t.Fatalf("Parse() of a credential with a trailing slash = %v, want no error", err)
		}
		if s.Scope.Service != "sts" || s.terminator != Terminator {
			t.Errorf("Parse() = scope %+v, terminator %q; want sts and aws4_request", s.Scope, s.terminator)
		}
		if err := NewVerifier().Verify(r, []byte("x"), s, sdkSecret, sdkTime); err != nil {
			t.Errorf("Verify() = %v, want no error", err)
		}
	}
}
