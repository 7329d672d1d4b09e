package server_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sagebox/sagebox/internal/api"
	"github.com/sagebox/sagebox/internal/service/sts"
	"github.com/sagebox/sagebox/internal/sigv4"
)

// BenchmarkGetCallerIdentity is the whole request path of a signed STS call in one process, without the network:
// route, verify the signature, decode, validate, authorize, handle, encode, log (at info, to nowhere).
func BenchmarkGetCallerIdentity(b *testing.B) {
	srv := newHandler(b, slog.New(slog.NewTextHandler(io.Discard, nil)), []*api.ServiceHandlers{sts.New(sts.Config{}).Handlers()})
	body := "Action=GetCallerIdentity&Version=2011-06-15"
	proto, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1:4566/", strings.NewReader(body))
	proto.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	sigv4.Sign(proto, []byte(body), sigv4.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}, "us-east-1", "sts", time.Now())
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r := proto.Clone(context.Background())
			r.Body = io.NopCloser(strings.NewReader(body))
			r.RequestURI = "/"
			w := httptest.NewRecorder()
			srv.ServeHTTP(w, r)
			if w.Code != http.StatusOK {
				b.Fatalf("status %d: %s", w.Code, w.Body)
			}
		}
	})
}
