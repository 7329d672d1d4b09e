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
	"github.com/sagebox/sagebox/internal/authn"
	"github.com/sagebox/sagebox/internal/authz"
	"github.com/sagebox/sagebox/internal/clock"
	"github.com/sagebox/sagebox/internal/ids"
	"github.com/sagebox/sagebox/internal/model"
	"github.com/sagebox/sagebox/internal/server"
	"github.com/sagebox/sagebox/internal/service/sts"
	"github.com/sagebox/sagebox/internal/sigv4"
	"github.com/sagebox/sagebox/internal/store/sqlite"
)

// BenchmarkGetCallerIdentity is the whole request path of a signed STS call in one process, without the network:
// route, verify the signature, decode, validate, authorize, handle, encode, log (at info, to nowhere).
func BenchmarkGetCallerIdentity(b *testing.B) {
	st, err := sqlite.OpenMemory(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	keys := authn.NewKeyRing()
	keys.Put(&authn.Key{AccessKeyID: "test", SecretAccessKey: "test", Principal: &api.Principal{
		Type: api.Root, Account: "000000000000", ARN: "arn:aws:iam::000000000000:root", UserID: "000000000000", AccessKeyID: "test"}})
	clk := clock.NewOffset(nil)
	srv, err := server.New(server.Config{
		Models: model.NewSet(), Services: []*api.ServiceHandlers{sts.New().Handlers()}, Authn: authn.New(keys, clk),
		Authorizer: authz.New(), Store: st, Clock: clk, IDs: ids.New(), Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		b.Fatal(err)
	}
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
