package sigv4

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// sdkRequest is a typical SageMaker call as aws-sdk-go-v2 sends it, seen as Go's server hands it over.
func sdkRequest(b testing.TB) (*http.Request, []byte) {
	body := []byte(`{"DomainId":"d-abc123def456","UserProfileName":"alice"}`)
	client, _ := http.NewRequest("POST", "http://localhost:4566/", strings.NewReader(string(body)))
	client.Header.Set("Content-Type", "application/x-amz-json-1.1")
	client.Header.Set("X-Amz-Target", "SageMaker.DescribeUserProfile")
	client.Header.Set("Amz-Sdk-Invocation-Id", "4e3f1c2a-1b2c-4d5e-8f90-123456789abc")
	client.Header.Set("Amz-Sdk-Request", "attempt=1; max=3")
	client.Header.Set("User-Agent", "aws-sdk-go-v2/1.48.0 os/linux lang/go#1.26 md/GOOS#linux api/sagemaker#1.288.1")
	if err := v4.NewSigner().SignHTTP(context.Background(), sdkCreds(""), client, sha256Hex(body), "sagemaker",
		"us-east-1", sdkTime); err != nil {
		b.Fatal(err)
	}
	r := serverRequest(b, "POST", "/", "localhost:4566", nil, string(body))
	for k, v := range client.Header {
		r.Header[k] = v
	}
	r.Header.Set("Content-Length", strconv.Itoa(len(body)))
	r.Header.Set("Accept-Encoding", "gzip")
	r.Body = io.NopCloser(strings.NewReader(""))
	return r, body
}

func BenchmarkParse(b *testing.B) {
	r, _ := sdkRequest(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	r, body := sdkRequest(b)
	s, err := Parse(r)
	if err != nil {
		b.Fatal(err)
	}
	v := NewVerifier()
	b.ReportAllocs()
	for b.Loop() {
		if err := v.Verify(r, body, s, sdkSecret, sdkTime); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseVerify is what the server spends on every request.
func BenchmarkParseVerify(b *testing.B) {
	r, body := sdkRequest(b)
	v := NewVerifier()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			s, err := Parse(r)
			if err != nil {
				b.Fatal(err)
			}
			if err := v.Verify(r, body, s, sdkSecret, sdkTime); err != nil {
				b.Fatal(err)
			}
		}
	})
}
