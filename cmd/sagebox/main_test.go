package main

import (
	"bytes"
	"context"
	"flag"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestCoverageIsUpToDate(t *testing.T) {
	want, err := coverage(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("../../docs/COVERAGE.md")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("docs/COVERAGE.md is out of date: run go run ./cmd/sagebox coverage")
	}
}

func TestFlagsFallBackToSageboxVariables(t *testing.T) {
	t.Setenv("SAGEBOX_DATA_DIR", "/from/env")
	t.Setenv("SAGEBOX_ROOT_ACCESS_KEY", "envkey")
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	dir := fs.String("data-dir", "default", "")
	key := fs.String("root-access-key", "default", "")
	region := fs.String("region", "us-east-1", "")
	if err := parse(fs, []string{"--root-access-key", "flagkey"}, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	if *dir != "/from/env" {
		t.Errorf("--data-dir = %q, want the SAGEBOX_DATA_DIR value /from/env", *dir)
	}
	if *key != "flagkey" {
		t.Errorf("--root-access-key = %q, want the command line's flagkey over the environment's", *key)
	}
	if *region != "us-east-1" {
		t.Errorf("--region = %q, want its default", *region)
	}
}

func TestBadEnvironmentIsAnError(t *testing.T) {
	t.Setenv("SAGEBOX_MEMORY", "perhaps")
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.Bool("memory", false, "")
	err := parse(fs, nil, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "SAGEBOX_MEMORY") {
		t.Errorf("parse with SAGEBOX_MEMORY=perhaps: %v, want an error naming it", err)
	}
}

// syncBuffer is a bytes.Buffer safe for the server goroutine and the test to share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// TestServeThenClientCommands runs `sagebox serve` and drives it with the client subcommands, then stops it as
// SIGINT would (by cancelling its context) and checks it shut down.
func TestServeThenClientCommands(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	var serverOut syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--memory", "--addr", addr, "--log-level", "warn"}, &serverOut, &serverOut)
	}()
	endpoint := "--endpoint=http://" + addr
	var out bytes.Buffer
	deadline := time.Now().Add(10 * time.Second)
	for run(context.Background(), []string{"clock", "show", endpoint}, &out, &out) != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("the server did not come up: %s", serverOut.String())
		}
		out.Reset()
		time.Sleep(20 * time.Millisecond)
	}
	for _, want := range []string{"listening on http://" + addr, "in memory", "sts", "every request must be SigV4-signed"} {
		if !strings.Contains(serverOut.String(), want) {
			t.Errorf("the banner does not say %q:\n%s", want, serverOut.String())
		}
	}
	out.Reset()
	if code := run(context.Background(), []string{"bench", "load", "--clients", "2", "--warmup", "0s", "--duration", "300ms", endpoint}, &out, &out); code != 0 ||
		!strings.Contains(out.String(), " 0 failed") {
		t.Errorf("bench load: exit %d, output %q, want requests and no failures", code, out.String())
	}
	out.Reset()
	if code := run(context.Background(), []string{"clock", "advance", "90m", endpoint}, &out, &out); code != 0 || !strings.Contains(out.String(), "offset 1h30m0s") {
		t.Errorf("clock advance 90m: exit %d, output %q", code, out.String())
	}
	out.Reset()
	if code := run(context.Background(), []string{"accounts", "create", "--name", "x", endpoint}, &out, &out); code != 0 || !strings.Contains(out.String(), "AWS_SECRET_ACCESS_KEY=") {
		t.Errorf("accounts create: exit %d, output %q", code, out.String())
	}
	out.Reset()
	if code := run(context.Background(), []string{"accounts", "list", endpoint}, &out, &out); code != 0 || strings.Count(out.String(), "\n") != 2 {
		t.Errorf("accounts list after one create: exit %d, output %q, want two accounts", code, out.String())
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("serve exited %d after its context ended: %s", code, serverOut.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop after its context ended")
	}
}
