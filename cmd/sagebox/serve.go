package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strings"

	"github.com/sagebox/sagebox/internal/app"
	"github.com/sagebox/sagebox/internal/authz"
)

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg := app.Defaults()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:4566", "address to listen on; the admin API is open without credentials only on loopback")
	fs.StringVar(&cfg.DataDir, "data-dir", cfg.DataDir, "directory of the SQLite database")
	fs.BoolVar(&cfg.Memory, "memory", false, "keep state in memory only (lost on exit)")
	fs.StringVar(&cfg.AccountID, "account-id", cfg.AccountID, "the default account's id (12 digits)")
	fs.StringVar(&cfg.RootAccessKey, "root-access-key", cfg.RootAccessKey, "the default account's root access key id")
	fs.StringVar(&cfg.RootSecretKey, "root-secret-key", cfg.RootSecretKey, "the default account's root secret access key")
	fs.StringVar(&cfg.Region, "region", cfg.Region, "the server's own region")
	fs.Float64Var(&cfg.LifecycleScale, "lifecycle-scale", cfg.LifecycleScale, "multiplies lifecycle delays (Pending → InService); 0 finishes them at once")
	mode := fs.String("authz-mode", string(cfg.AuthzMode), "enforce (deny what the policies deny), audit (decide and log, never deny) or off (allow all, still record)")
	level := fs.String("log-level", "info", "debug, info, warn or error; info logs one line per request")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the whole run to this file (for performance work)")
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	authzMode, err := authz.ParseMode(*mode)
	if err != nil {
		return fmt.Errorf("--authz-mode: %w", err)
	}
	cfg.AuthzMode = authzMode
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(*level)); err != nil {
		return fmt.Errorf("--log-level %q: want debug, info, warn or error", *level)
	}
	logs := newLogBuffer(stderr)
	defer logs.Close()
	cfg.Log = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: lvl}))

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	a, err := app.New(ctx, cfg)
	if err != nil {
		ln.Close()
		return err
	}
	defer a.Close()
	banner(logs, cfg, ln.Addr(), a.Services())
	logs.Flush()
	err = a.Serve(ctx, ln)
	fmt.Fprintln(logs, "sagebox: stopped")
	return err
}

func banner(w io.Writer, cfg app.Config, addr net.Addr, services []string) {
	state := "SQLite at " + filepath.Join(cfg.DataDir, "sagebox.db")
	if cfg.Memory {
		state = "in memory (--memory): lost when sagebox stops"
	}
	admin := "open without credentials (loopback)"
	if !app.IsLoopback(addr) {
		admin = "needs a request signed by the default account's root user (not loopback)"
	}
	fmt.Fprintf(w, "sagebox %s listening on http://%s\n", version, addr)
	fmt.Fprintf(w, "  state     %s\n", state)
	fmt.Fprintf(w, "  account   %s, root access key %q, region %s\n", cfg.AccountID, cfg.RootAccessKey, cfg.Region)
	fmt.Fprintf(w, "  services  %s (docs/COVERAGE.md lists the operations)\n", strings.Join(services, ", "))
	fmt.Fprintf(w, "  auth      every request must be SigV4-signed with keys sagebox issued, and is authorized\n")
	fmt.Fprintf(w, "  authz     %s\n", authzBanner(cfg.AuthzMode))
	fmt.Fprintf(w, "  admin     /_sagebox/ %s\n", admin)
}

// authzBanner says what the authorizer does, loudly when it does not enforce.
func authzBanner(m authz.Mode) string {
	switch m {
	case authz.Audit:
		return "!!! AUDIT MODE (--authz-mode audit): denials are logged but NOT enforced; every request goes through !!!"
	case authz.Off:
		return "!!! OFF (--authz-mode off): no policy is checked; every request is allowed (and recorded) !!!"
	}
	return "enforce: what the policies deny is refused with AWS's errors; sagebox explain REQUEST-ID says why"
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
