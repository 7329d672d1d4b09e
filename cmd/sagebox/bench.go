package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sagebox/sagebox/internal/sigv4"
)

// benchOp is a request the load tool can send: an AWS call signed like an SDK signs it.
type benchOp struct {
	service, contentType, target, body string
}

// benchOps are the calls `sagebox bench load --op` knows. They are reads that every issue's services will keep
// answering, so numbers stay comparable across versions.
var benchOps = map[string]benchOp{
	"sts.GetCallerIdentity": {service: "sts", contentType: "application/x-www-form-urlencoded; charset=utf-8", body: "Action=GetCallerIdentity&Version=2011-06-15"},
}

// request returns the call to endpoint, signed with creds at now as an SDK signs it.
func (op benchOp) request(ctx context.Context, endpoint string, creds sigv4.Credentials, now time.Time) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(endpoint, "/")+"/", strings.NewReader(op.body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", op.contentType)
	if op.target != "" {
		req.Header.Set("X-Amz-Target", op.target)
	}
	sigv4.Sign(req, []byte(op.body), creds, "us-east-1", op.service, now)
	return req, nil
}

func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "load" && args[0] != "startup" && args[0] != "wrk") {
		fmt.Fprintln(stderr, "usage: sagebox bench load [--endpoint URL --clients 8 --duration 10s --op sts.GetCallerIdentity]")
		fmt.Fprintln(stderr, "       sagebox bench startup [--runs 20]   (starts this binary with serve --memory)")
		fmt.Fprintln(stderr, "       sagebox bench wrk [--op …] > req.lua; wrk -s req.lua -c 8 -t 2 -d 10s URL")
		return errUsage
	}
	switch args[0] {
	case "startup":
		return benchStartup(ctx, args[1:], stdout, stderr)
	case "wrk":
		return benchWrk(args[1:], stdout, stderr)
	}
	return benchLoad(ctx, args[1:], stdout, stderr)
}

// benchLoad drives an endpoint with N keep-alive clients, each sending one signed request after another, and
// reports throughput and latency. It works against any endpoint that speaks AWS: sagebox, moto, LocalStack.
func benchLoad(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench load", flag.ContinueOnError)
	c := clientFlags(fs)
	clients := fs.Int("clients", 8, "concurrent keep-alive clients")
	duration := fs.Duration("duration", 10*time.Second, "how long to send requests")
	warmup := fs.Duration("warmup", time.Second, "requests sent before measuring")
	opName := fs.String("op", "sts.GetCallerIdentity", "the call to send")
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	op, ok := benchOps[*opName]
	if !ok {
		return fmt.Errorf("unknown --op %q", *opName)
	}
	res, err := load(ctx, c.endpoint, c.creds, op, *clients, *warmup, *duration)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s against %s: %d clients, %s\n", *opName, c.endpoint, *clients, *duration)
	fmt.Fprintf(stdout, "  requests  %d ok, %d failed\n", res.ok, res.failed)
	fmt.Fprintf(stdout, "  rate      %.0f requests/s\n", float64(res.ok)/res.elapsed.Seconds())
	fmt.Fprintf(stdout, "  latency   p50 %s  p99 %s  max %s\n", res.pct(50), res.pct(99), res.pct(100))
	if res.firstErr != "" {
		fmt.Fprintf(stdout, "  first failure: %s\n", res.firstErr)
	}
	return nil
}

type loadResult struct {
	ok, failed int
	elapsed    time.Duration
	latencies  []time.Duration
	firstErr   string
}

func (r *loadResult) pct(p int) time.Duration {
	if len(r.latencies) == 0 {
		return 0
	}
	i := (len(r.latencies) - 1) * p / 100
	return r.latencies[i].Round(time.Microsecond)
}

func load(ctx context.Context, endpoint string, creds sigv4.Credentials, op benchOp, clients int, warmup, duration time.Duration) (*loadResult, error) {
	transport := &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients, DisableCompression: true}
	defer transport.CloseIdleConnections()
	hc := &http.Client{Transport: transport, Timeout: 30 * time.Second}
	start := time.Now()
	measureFrom := start.Add(warmup)
	stop := measureFrom.Add(duration)
	var mu sync.Mutex
	res := &loadResult{}
	var wg sync.WaitGroup
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var lats []time.Duration
			ok, failed := 0, 0
			firstErr := ""
			var signed http.Header
			var signedAt time.Time
			for ctx.Err() == nil {
				now := time.Now()
				if now.After(stop) {
					break
				}
				// Signing costs the client as much as verifying costs the server, and both share the machine:
				// sign once a minute and resend, as the signature stays valid for 15 minutes.
				var req *http.Request
				var err error
				if signed == nil || now.Sub(signedAt) > time.Minute {
					req, err = op.request(ctx, endpoint, creds, now)
					if err == nil {
						signed, signedAt = req.Header.Clone(), now
					}
				} else {
					req, err = http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(endpoint, "/")+"/", strings.NewReader(op.body))
					if err == nil {
						req.Header = signed.Clone()
					}
				}
				if err != nil {
					firstErr = err.Error()
					failed++
					break
				}
				t0 := time.Now()
				resp, err := hc.Do(req)
				if err == nil {
					_, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if err == nil && resp.StatusCode != http.StatusOK {
						err = fmt.Errorf("HTTP %d", resp.StatusCode)
					}
				}
				lat := time.Since(t0)
				if t0.Before(measureFrom) {
					continue
				}
				if err != nil {
					if firstErr == "" {
						firstErr = err.Error()
					}
					failed++
					continue
				}
				ok++
				lats = append(lats, lat)
			}
			mu.Lock()
			res.ok += ok
			res.failed += failed
			res.latencies = append(res.latencies, lats...)
			if res.firstErr == "" {
				res.firstErr = firstErr
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	res.elapsed = time.Since(measureFrom)
	if res.elapsed > duration {
		res.elapsed = duration
	}
	sort.Slice(res.latencies, func(i, j int) bool { return res.latencies[i] < res.latencies[j] })
	if res.ok == 0 {
		return res, fmt.Errorf("no request succeeded: %s", res.firstErr)
	}
	return res, nil
}

// benchWrk writes a wrk script that sends one signed request over and over: a load generator lighter than Go's
// HTTP client, for measuring the server rather than the client. The signature is valid for 15 minutes.
func benchWrk(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench wrk", flag.ContinueOnError)
	c := clientFlags(fs)
	opName := fs.String("op", "sts.GetCallerIdentity", "the call to send")
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	op, ok := benchOps[*opName]
	if !ok {
		return fmt.Errorf("unknown --op %q", *opName)
	}
	req, err := op.request(context.Background(), c.endpoint, c.creds, time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "-- %s, signed at %s for %s; valid for 15 minutes.\n", *opName, time.Now().UTC().Format(time.RFC3339), c.endpoint)
	fmt.Fprintln(stdout, `wrk.method = "POST"`)
	fmt.Fprintf(stdout, "wrk.body = %q\n", op.body)
	names := make([]string, 0, len(req.Header))
	for k := range req.Header {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		fmt.Fprintf(stdout, "wrk.headers[%q] = %q\n", k, req.Header.Get(k))
	}
	return nil
}

// benchStartup measures what DESIGN.md §6 budgets: the time from starting the process to its first successful
// signed answer, and its resident memory when idle after that.
func benchStartup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench startup", flag.ContinueOnError)
	runs := fs.Int("runs", 20, "how many times to start the server")
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	var starts []time.Duration
	var rss []int
	for range *runs {
		d, kb, err := startOnce(ctx, self)
		if err != nil {
			return err
		}
		starts = append(starts, d)
		rss = append(rss, kb)
	}
	sort.Slice(starts, func(i, j int) bool { return starts[i] < starts[j] })
	sort.Ints(rss)
	fmt.Fprintf(stdout, "start to first signed GetCallerIdentity answer over %d runs: min %s, median %s, max %s\n",
		*runs, starts[0].Round(10*time.Microsecond), starts[len(starts)/2].Round(10*time.Microsecond), starts[len(starts)-1].Round(10*time.Microsecond))
	fmt.Fprintf(stdout, "resident memory 1s after that answer: median %.1f MB\n", float64(rss[len(rss)/2])/1024)
	return nil
}

func startOnce(ctx context.Context, self string) (time.Duration, int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, 0, err
	}
	addr := ln.Addr().String()
	ln.Close()
	op := benchOps["sts.GetCallerIdentity"]
	creds := sigv4.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}
	hc := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}

	start := time.Now()
	cmd := exec.CommandContext(ctx, self, "serve", "--memory", "--addr", addr, "--log-level", "error")
	cmd.Env = append(os.Environ(), "SAGEBOX_ROOT_ACCESS_KEY=test", "SAGEBOX_ROOT_SECRET_KEY=test")
	var out bytes.Buffer
	cmd.Stderr = &out
	if err := cmd.Start(); err != nil {
		return 0, 0, err
	}
	defer func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}()
	for {
		if time.Since(start) > 10*time.Second {
			return 0, 0, fmt.Errorf("sagebox did not answer within 10s: %s", out.String())
		}
		req, err := op.request(ctx, "http://"+addr, creds, time.Now())
		if err != nil {
			return 0, 0, err
		}
		resp, err := hc.Do(req)
		if err != nil {
			time.Sleep(200 * time.Microsecond)
			continue
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return 0, 0, fmt.Errorf("first answer was HTTP %d", resp.StatusCode)
		}
		break
	}
	took := time.Since(start)
	time.Sleep(time.Second)
	kb, err := residentKB(cmd.Process.Pid)
	return took, kb, err
}

// residentKB reads a process's resident set size from /proc (Linux).
func residentKB(pid int) (int, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			return strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
		}
	}
	return 0, errors.New("no VmRSS in /proc status")
}
