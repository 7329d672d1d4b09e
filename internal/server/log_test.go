package server_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sagebox/sagebox/internal/api"
	"github.com/sagebox/sagebox/internal/service/sts"
	"github.com/sagebox/sagebox/internal/sigv4"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}
func (l *lockedBuffer) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

// TestOneLogLinePerRequest: every request, answered or refused, leaves one line saying who asked what and what
// became of it.
func TestOneLogLinePerRequest(t *testing.T) {
	var logs lockedBuffer
	hs := httptest.NewServer(newHandler(t, slog.New(slog.NewTextHandler(&logs, nil)), []*api.ServiceHandlers{sts.New(sts.Config{}).Handlers()}))
	defer hs.Close()
	call := func(secret string) {
		body := "Action=GetCallerIdentity&Version=2011-06-15"
		req, _ := http.NewRequest(http.MethodPost, hs.URL+"/", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		sigv4.Sign(req, []byte(body), sigv4.Credentials{AccessKeyID: "test", SecretAccessKey: secret}, "us-east-1", "sts", time.Now())
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	call("test")
	call("wrong")
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("two requests logged %d lines:\n%s", len(lines), logs.String())
	}
	for _, want := range []string{"msg=request", "request_id=", "service=sts", "operation=GetCallerIdentity",
		"principal=arn:aws:iam::000000000000:root", "decision=allow", "status=200", "duration="} {
		if !strings.Contains(lines[0], want) {
			t.Errorf("the line of an answered request lacks %q: %s", want, lines[0])
		}
	}
	for _, want := range []string{"service=sts", "decision=-", "status=403", "code=SignatureDoesNotMatch", "message=\"The request signature"} {
		if !strings.Contains(lines[1], want) {
			t.Errorf("the line of a refused request lacks %q: %s", want, lines[1])
		}
	}
	if strings.Contains(lines[1], "canonical") {
		t.Errorf("at info level, the line of a refused signature shows its canonical request: %s", lines[1])
	}
}
