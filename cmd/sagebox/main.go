// Command sagebox runs, offline, the part of AWS an ML platform is built on, as strictly as AWS, and explains
// itself. `sagebox serve` runs the server; the other subcommands talk to a running one.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"serve", "run the server (default 127.0.0.1:4566, state in ./.sagebox)", runServe},
		{"accounts", "create or list accounts: accounts create [--name N] | accounts list", runAccounts},
		{"clock", "show or move the server's clock: clock show | clock advance 2h", runClock},
		{"reset", "bring the server back to a fresh start", runReset},
		{"decisions", "list the newest authorization decisions: decisions [--limit N] [--denied]", runDecisions},
		{"explain", "say why a request was allowed or denied: explain REQUEST-ID", runExplain},
		{"scps", "service control policies: scps put NAME FILE | scps list | scps delete NAME", runSCPs},
		{"bench", "measure a server: bench load [--clients 8 --duration 10s] | bench startup", runBench},
		{"policy", "check a policy offline as IAM and Access Analyzer do: policy validate FILE [--kind KIND]", runPolicy},
		{"simulate", "decide a what-if request offline: simulate --request FILE [--json]", runSimulate},
		{"reach", "can traffic get there? reach --subnet S [--security-group G] --service s3|sts|…|internet [--json]", runReach},
		{"oidc", "mint a token from the built-in OIDC test issuer: oidc token --sub SUB [--aud AUD] [--iss URL]", runOIDC},
		{"coverage", "write docs/COVERAGE.md from the registered operations and the models", runCoverage},
		{"version", "print the version", func(_ context.Context, _ []string, stdout, _ io.Writer) error {
			fmt.Fprintln(stdout, "sagebox", version)
			return nil
		}},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands() {
		if c.name == args[0] {
			err := c.run(ctx, args[1:], stdout, stderr)
			switch {
			case err == nil:
				return 0
			case errors.Is(err, flag.ErrHelp):
				return 0
			case errors.Is(err, errUsage):
				return 2
			}
			fmt.Fprintln(stderr, "sagebox "+c.name+":", err)
			return 1
		}
	}
	fmt.Fprintf(stderr, "sagebox: unknown command %q\n\n", args[0])
	usage(stderr)
	return 2
}

// errUsage reports a usage error that has already been printed.
var errUsage = errors.New("usage")

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: sagebox COMMAND [flags]")
	fmt.Fprintln(w)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Every flag can also be set by a SAGEBOX_ variable: --data-dir by SAGEBOX_DATA_DIR, and so on.")
}

// parse parses args into fs after filling every flag that the command line does not set from its SAGEBOX_
// variable (--root-access-key from SAGEBOX_ROOT_ACCESS_KEY): command line first, then environment, then default.
func parse(fs *flag.FlagSet, args []string, stderr io.Writer) error {
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var bad []string
	fs.VisitAll(func(f *flag.Flag) {
		if set[f.Name] {
			return
		}
		env := envName(f.Name)
		if v, ok := os.LookupEnv(env); ok {
			if err := fs.Set(f.Name, v); err != nil {
				bad = append(bad, fmt.Sprintf("%s=%q: %v", env, v, err))
			}
		}
	})
	if len(bad) > 0 {
		sort.Strings(bad)
		return fmt.Errorf("bad environment: %s", strings.Join(bad, "; "))
	}
	return nil
}

func envName(flagName string) string {
	return "SAGEBOX_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}
