package sigv4

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

const (
	sdkKey    = "AKIAIOSFODNN7EXAMPLE"
	sdkSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

var sdkTime = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// verifyServer is a real HTTP server that parses and verifies every request it gets with sdkSecret, so that the
// tests see requests exactly as Go's server hands them over (Host and Content-Length moved, the target as sent).
type verifyServer struct {
	*httptest.Server
	v   *Verifier
	mu  sync.Mutex
	err error
	got *Signed
}

func newVerifyServer(t *testing.T) *verifyServer {
	vs := &verifyServer{v: NewVerifier()}
	vs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s, err := Parse(r)
		if err == nil {
			err = vs.v.Verify(r, body, s, sdkSecret, sdkTime.Add(30*time.Second))
		}
		vs.mu.Lock()
		vs.err, vs.got = err, s
		vs.mu.Unlock()
	}))
	t.Cleanup(vs.Close)
	return vs
}

// send sends r and returns what the server made of it.
func (vs *verifyServer) send(t *testing.T, r *http.Request) (*Signed, error) {
	t.Helper()
	resp, err := vs.Client().Do(r)
	if err != nil {
		t.Fatalf("sending %s %s failed: %v", r.Method, r.URL, err)
	}
	resp.Body.Close()
	vs.mu.Lock()
	defer vs.mu.Unlock()
	return vs.got, vs.err
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func sdkCreds(token string) aws.Credentials {
	return aws.Credentials{AccessKeyID: sdkKey, SecretAccessKey: sdkSecret, SessionToken: token}
}

// TestVerifySDKSignatures signs requests with aws-sdk-go-v2's signer, a real client, and verifies them through a
// real server.
func TestVerifySDKSignatures(t *testing.T) {
	vs := newVerifyServer(t)
	tests := []struct {
		name    string
		service string
		method  string
		path    string // escaped, as the SDK's serializer writes it
		query   string
		headers [][2]string
		body    string
		payload string // the payload hash to sign; "" for the body's
		token   string
	}{
		{name: "STS query POST", service: "sts", method: "POST", path: "/",
			headers: [][2]string{{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}},
			body:    "Action=GetCallerIdentity&Version=2011-06-15"},
		{name: "IAM query POST with a session token", service: "iam", method: "POST", path: "/",
			headers: [][2]string{{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}},
			body:    "Action=ListRoles&PathPrefix=%2Fservice-role%2F&Version=2010-05-08", token: "FQoGZXIvYXdzEXAMPLE//token+="},
		{name: "SageMaker JSON with X-Amz-Target and SDK headers", service: "sagemaker", method: "POST", path: "/",
			headers: [][2]string{{"Content-Type", "application/x-amz-json-1.1"},
				{"X-Amz-Target", "SageMaker.DescribeDomain"},
				{"Amz-Sdk-Invocation-Id", "4e3f1c2a-1b2c-4d5e-8f90-123456789abc"},
				{"Amz-Sdk-Request", "attempt=1; max=3"}},
			body: `{"DomainId":"d-abc123def456"}`},
		{name: "EC2 query POST", service: "ec2", method: "POST", path: "/",
			headers: [][2]string{{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}},
			body:    "Action=DescribeVpcs&Filter.1.Name=tag%3AName&Filter.1.Value.1=my%20vpc&Version=2016-11-15"},
		{name: "S3 PUT with UNSIGNED-PAYLOAD and an awkward key", service: "s3", method: "PUT",
			path: "/bucket/my%20key/%C3%BC%2Bx%3Dy.txt", query: "x-id=PutObject",
			headers: [][2]string{{"X-Amz-Content-Sha256", UnsignedPayload}, {"Content-Type", "text/plain"}},
			body:    "hello, world", payload: UnsignedPayload},
		{name: "S3 PUT with the body's hash", service: "s3", method: "PUT", path: "/bucket/a/b.bin",
			headers: [][2]string{{"X-Amz-Content-Sha256", sha256Hex([]byte("data"))},
				{"X-Amz-Meta-Owner", "alice"}},
			body: "data"},
		{name: "S3 GET with repeated and unsorted query parameters", service: "s3", method: "GET", path: "/bucket",
			query:   "prefix=a%20b&list-type=2&z=1&a=3&a=1&delimiter=%2F&empty=&plus=a+b",
			headers: [][2]string{{"X-Amz-Content-Sha256", sha256Hex(nil)}}},
		{name: "Logs GET with a query", service: "logs", method: "GET", path: "/",
			query: "b=2&a=%E2%9C%93&a=0&c"},
		{name: "headers with several values and extra whitespace", service: "sagemaker", method: "POST", path: "/",
			headers: [][2]string{{"Content-Type", "application/x-amz-json-1.1"},
				{"X-Amz-Target", "SageMaker.ListDomains"}, {"X-Custom", "  a   b  "}, {"X-Custom", "c\td"},
				{"X-Other", "x"}},
			body: "{}"},
		{name: "GET without a body", service: "sts", method: "GET", path: "/",
			query: "Action=GetCallerIdentity&Version=2011-06-15"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := vs.URL + tt.path
			if tt.query != "" {
				u += "?" + tt.query
			}
			var body io.Reader
			if tt.body != "" {
				body = strings.NewReader(tt.body)
			}
			r, err := http.NewRequest(tt.method, u, body)
			if err != nil {
				t.Fatal(err)
			}
			for _, h := range tt.headers {
				r.Header.Add(h[0], h[1])
			}
			payload := tt.payload
			if payload == "" {
				payload = sha256Hex([]byte(tt.body))
			}
			signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = tt.service == "s3" })
			if err := signer.SignHTTP(context.Background(), sdkCreds(tt.token), r, payload, tt.service, "us-east-1",
				sdkTime); err != nil {
				t.Fatal(err)
			}
			s, err := vs.send(t, r)
			if err != nil {
				var e *Error
				if errors.As(err, &e) {
					t.Logf("canonical request:\n%s", e.CanonicalRequest)
				}
				t.Fatalf("Verify() of an SDK-signed request = %v, want no error", err)
			}
			if s.Scope.Service != tt.service || s.Scope.AccessKeyID != sdkKey || s.SecurityToken != tt.token {
				t.Errorf("Parse() = scope %+v, token %q; want service %s, key %s, token %q",
					s.Scope, s.SecurityToken, tt.service, sdkKey, tt.token)
			}
		})
	}
}

// TestVerifySDKPresigned verifies URLs presigned by aws-sdk-go-v2: an S3 GET and the STS GetCallerIdentity that
// EKS and Vault use as an identity token.
func TestVerifySDKPresigned(t *testing.T) {
	vs := newVerifyServer(t)
	tests := []struct {
		name, service, path, query, payload string
		headers                             [][2]string
		token                               string
	}{
		{name: "S3 GET object", service: "s3", path: "/bucket/dir/my%20file.txt", query: "X-Amz-Expires=900",
			payload: UnsignedPayload},
		{name: "S3 GET with a session token", service: "s3", path: "/bucket/k", query: "X-Amz-Expires=60",
			payload: UnsignedPayload, token: "IQoJb3JpZ2luX2VjEXAMPLE/+="},
		{name: "STS GetCallerIdentity as an EKS token", service: "sts", path: "/",
			query:   "Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Expires=60",
			payload: sha256Hex(nil), headers: [][2]string{{"X-K8s-Aws-Id", "my-cluster"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := http.NewRequest("GET", vs.URL+tt.path+"?"+tt.query, nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, h := range tt.headers {
				r.Header.Add(h[0], h[1])
			}
			signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = tt.service == "s3" })
			signed, hdr, err := signer.PresignHTTP(context.Background(), sdkCreds(tt.token), r, tt.payload,
				tt.service, "us-east-1", sdkTime)
			if err != nil {
				t.Fatal(err)
			}
			req, err := http.NewRequest("GET", signed, nil)
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range hdr {
				if !strings.EqualFold(k, "host") {
					req.Header[k] = v
				}
			}
			s, err := vs.send(t, req)
			if err != nil {
				var e *Error
				if errors.As(err, &e) {
					t.Logf("canonical request:\n%s", e.CanonicalRequest)
				}
				t.Fatalf("Verify() of %s = %v, want no error", signed, err)
			}
			if !s.Presigned || s.SecurityToken != tt.token {
				t.Errorf("Parse() = presigned %v, token %q; want presigned, token %q", s.Presigned, s.SecurityToken,
					tt.token)
			}
		})
	}
}

// TestSignAndPresignAgreeWithSDK checks sagebox's own signer against the SDK's on the same requests.
func TestSignAndPresignAgreeWithSDK(t *testing.T) {
	creds := Credentials{AccessKeyID: sdkKey, SecretAccessKey: sdkSecret, SessionToken: "tok"}
	for _, service := range []string{"sts", "s3"} {
		t.Run("Sign for "+service, func(t *testing.T) {
			body := []byte("Action=GetCallerIdentity&Version=2011-06-15")
			mine, _ := http.NewRequest("POST", "https://example.com/a%20b?z=1&a=2", bytes.NewReader(body))
			mine.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			theirs := mine.Clone(context.Background())
			Sign(mine, body, creds, "us-east-1", service, sdkTime)
			if service == "s3" {
				theirs.Header.Set("X-Amz-Content-Sha256", sha256Hex(body))
			}
			signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = service == "s3" })
			_ = signer.SignHTTP(context.Background(), sdkCreds("tok"), theirs, sha256Hex(body), service, "us-east-1",
				sdkTime)
			if got, want := mine.Header.Get("Authorization"), theirs.Header.Get("Authorization"); got != want {
				t.Errorf("Sign() Authorization = %q, want the SDK's %q", got, want)
			}
		})
	}
	t.Run("Presign for s3", func(t *testing.T) {
		r, _ := http.NewRequest("GET", "https://example.com/bucket/key%201", nil)
		got := Presign(r, creds, "us-east-1", "s3", sdkTime, 15*time.Minute)
		withExpires, _ := http.NewRequest("GET", "https://example.com/bucket/key%201?X-Amz-Expires=900", nil)
		signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
		want, _, _ := signer.PresignHTTP(context.Background(), sdkCreds("tok"), withExpires, UnsignedPayload, "s3",
			"us-east-1", sdkTime)
		if sigOf(t, got) != sigOf(t, want) {
			t.Errorf("Presign() = %s, want the SDK's signature in %s", got, want)
		}
	})
}

func sigOf(t *testing.T, rawURL string) string {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query().Get("X-Amz-Signature")
}

// TestPresignVerifies sends URLs from Presign through the server, with and without headers to sign.
func TestPresignVerifies(t *testing.T) {
	vs := newVerifyServer(t)
	creds := Credentials{AccessKeyID: sdkKey, SecretAccessKey: sdkSecret}
	for _, service := range []string{"s3", "sts"} {
		t.Run(service, func(t *testing.T) {
			r, _ := http.NewRequest("GET", vs.URL+"/x/y%2Bz?Action=GetCallerIdentity&Version=2011-06-15", nil)
			r.Header.Set("X-K8s-Aws-Id", "cluster")
			u := Presign(r, creds, "us-east-1", service, sdkTime, time.Minute)
			req, _ := http.NewRequest("GET", u, nil)
			req.Header.Set("X-K8s-Aws-Id", "cluster")
			if _, err := vs.send(t, req); err != nil {
				t.Fatalf("Verify() of Presign()'s %s = %v, want no error", u, err)
			}
			if expires := strconv.Itoa(60); !strings.Contains(u, "X-Amz-Expires="+expires) {
				t.Errorf("Presign() = %s, want X-Amz-Expires=%s", u, expires)
			}
		})
	}
}

// TestVerifyStreamingSeed checks that a STREAMING payload signs its x-amz-content-sha256 value, not the body: the
// seed signature verifies whatever the chunks hold, which S3 checks later with SigningKey.
func TestVerifyStreamingSeed(t *testing.T) {
	vs := newVerifyServer(t)
	for _, payload := range []string{StreamingPayload, StreamingUnsignedTrailer, StreamingPayloadTrailer} {
		t.Run(payload, func(t *testing.T) {
			body := "5;chunk-signature=abc\r\nhello\r\n0;chunk-signature=def\r\n\r\n"
			r, _ := http.NewRequest("PUT", vs.URL+"/bucket/key", strings.NewReader(body))
			r.Header.Set("X-Amz-Content-Sha256", payload)
			r.Header.Set("Content-Encoding", "aws-chunked")
			r.Header.Set("X-Amz-Decoded-Content-Length", "5")
			signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
			if err := signer.SignHTTP(context.Background(), sdkCreds(""), r, payload, "s3", "us-east-1",
				sdkTime); err != nil {
				t.Fatal(err)
			}
			s, err := vs.send(t, r)
			if err != nil {
				t.Fatalf("Verify() of a %s request = %v, want no error", payload, err)
			}
			if s.PayloadHash != payload {
				t.Errorf("Parse().PayloadHash = %q, want %q", s.PayloadHash, payload)
			}
		})
	}
}
