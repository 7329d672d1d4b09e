package sigv4

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// FuzzParse feeds Parse arbitrary Authorization headers, presigned queries and dates. Whatever Parse accepts must
// be safe to check and verify.
func FuzzParse(f *testing.F) {
	f.Add("AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/sts/aws4_request, SignedHeaders=host;x-amz-date, "+
		"Signature=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "", "20260101T000000Z", "")
	f.Add("AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/s3/aws4_request,SignedHeaders=host,Signature=a",
		"a=b&c", "20260101T000000Z", "")
	f.Add("AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/sts/aws4_request/, SignedHeaders=host, Signature=a",
		"", "", "Thu, 01 Jan 2026 00:00:00 GMT")
	f.Add("Bearer x", "", "", "")
	f.Add("AWS4-HMAC-SHA256 Credential=/20260101//s3/, SignedHeaders=, Signature=", "", "20260101T000000Z", "")
	f.Add("AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=a",
		"", "", "\x00")
	f.Add("", "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20260101%2Fus-east-1%2Fs3%2Faws4_request"+
		"&X-Amz-Date=20260101T000000Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=abc", "", "")
	f.Add("", "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=a/b/c/sts/e&X-Amz-Date=20260101T000000Z"+
		"&X-Amz-SignedHeaders=host%3Bx&X-Amz-Signature=%zz&X-Amz-Expires=-5", "", "")
	f.Add("", "X-Amz-Algorithm=x&Signature=y", "", "")
	f.Fuzz(func(t *testing.T, auth, query, amzDate, date string) {
		r := serverRequest(t, "GET", "/p?"+query, "localhost", nil, "")
		// A value that starts with NUL stands for a header that is absent; any other, even empty, is sent.
		for name, v := range map[string]string{"Authorization": auth, "X-Amz-Date": amzDate, "Date": date} {
			if !strings.HasPrefix(v, "\x00") {
				r.Header[name] = []string{v}
			}
		}
		s, err := Parse(r)
		if err != nil {
			if e, ok := err.(*Error); !ok || e.Err == nil || e.S3() == nil || e.AWS() == nil || e.Error() == "" {
				t.Fatalf("Parse() = %#v, want an *Error with both answers", err)
			}
			return
		}
		if !signsHost(s.SignedHeaders) {
			t.Fatalf("Parse() accepted SignedHeaders %q without host", s.signedHeaders)
		}
		if s.Time.IsZero() || len(s.date) != 16 {
			t.Fatalf("Parse() accepted a request without a date: %+v", s)
		}
		_ = s.CheckTime(s.Time)
		_ = s.CheckScope("us-east-1", "sts")
		_ = NewVerifier().Verify(r, nil, s, "secret", s.Time)
	})
}

// FuzzVerify signs arbitrary requests with Sign or Presign and checks that Verify accepts them as they are and
// refuses them once the body changes.
func FuzzVerify(f *testing.F) {
	f.Add("POST", "/", "", "Content-Type", "application/x-amz-json-1.1", []byte(`{"a":1}`), byte(0))
	f.Add("PUT", "/bucket/a%20b/c+d=e", "x-id=PutObject", "X-Custom", "  a   b  ", []byte("data"), byte(1))
	f.Add("GET", "//a/./b/../c", "b=2&a=1&a=0&c&%zz=1&x=a+b", "Accept", "*/*", []byte(nil), byte(2))
	f.Add("GET", "/ሴ/%E1%88%B4", "ሴ=bar", "My-Header", "v\tw", []byte(nil), byte(3))
	f.Add("DELETE", "/", "a=%2F&a=%2f", "X", "", []byte("x"), byte(5))
	services := []string{"sts", "s3", "sagemaker", "ec2"}
	f.Fuzz(func(t *testing.T, method, path, query, name, value string, body []byte, mode byte) {
		if !validToken(method) || !validToken(name) || strings.ContainsAny(value, "\r\n\x00") ||
			!strings.HasPrefix(path, "/") || strings.ContainsAny(path+query, "?#\x00 \r\n") ||
			strings.Contains(query, "X-Amz-") || strings.Contains(query, "Signature") {
			t.Skip()
		}
		lname := strings.ToLower(name)
		if strings.HasPrefix(lname, "x-amz-") || unsigned(lname) || lname == "date" {
			t.Skip()
		}
		service := services[int(mode)%len(services)]
		presign := mode&4 != 0
		uri := path
		if query != "" {
			uri += "?" + query
		}
		v := NewVerifier()
		var r *http.Request
		if presign {
			method, body = "GET", nil
			client := serverRequest(t, method, uri, "localhost:4566", [][2]string{{name, value}}, "")
			u := Presign(client, testCreds, "us-east-1", service, sdkTime, time.Hour)
			r = serverRequest(t, method, u[strings.Index(u, "/"):], "localhost:4566", [][2]string{{name, value}}, "")
		} else {
			r = serverRequest(t, method, uri, "localhost:4566", [][2]string{{name, value}}, string(body))
			Sign(r, body, testCreds, "us-east-1", service, sdkTime)
		}
		s, err := Parse(r)
		if err != nil {
			t.Fatalf("Parse() of a signed %s %s = %v", method, r.RequestURI, err)
		}
		if err := v.Verify(r, body, s, sdkSecret, sdkTime); err != nil {
			var detail string
			if e, ok := err.(*Error); ok {
				detail = e.CanonicalRequest
			}
			t.Fatalf("Verify() of a signed %s %s = %v\n%s", method, r.RequestURI, err, detail)
		}
		if presign && service == "s3" {
			return // S3 does not sign the body of a presigned request
		}
		if err := v.Verify(r, append(body, 'x'), s, sdkSecret, sdkTime); err == nil {
			t.Fatalf("Verify() of %s %s with a changed body = nil, want an error", method, r.RequestURI)
		}
	})
}

// validToken reports an HTTP token, the only thing a method or header name can be on the wire.
func validToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return true
}
