package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/sagebox/sagebox/internal/sigv4"
)

// client talks to a running sagebox's admin API. It signs every request with the root credentials it is given,
// which the admin API requires when the server listens beyond loopback.
type client struct {
	endpoint string
	creds    sigv4.Credentials
	http     *http.Client
}

// clientFlags adds the flags every client subcommand takes.
func clientFlags(fs *flag.FlagSet) *client {
	c := &client{http: &http.Client{Timeout: 30 * time.Second}}
	fs.StringVar(&c.endpoint, "endpoint", "http://127.0.0.1:4566", "the sagebox server to talk to")
	fs.StringVar(&c.creds.AccessKeyID, "access-key", envOr("AWS_ACCESS_KEY_ID", "test"), "root access key id of the default account (default: $AWS_ACCESS_KEY_ID or test)")
	fs.StringVar(&c.creds.SecretAccessKey, "secret-key", envOr("AWS_SECRET_ACCESS_KEY", "test"), "its secret (default: $AWS_SECRET_ACCESS_KEY or test)")
	return c
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// do sends a request to the admin API and decodes the JSON answer into out.
func (c *client) do(ctx context.Context, method, path string, in, out any) error {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return err
		}
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimSuffix(c.endpoint, "/")+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	sigv4.Sign(req, body, c.creds, "us-east-1", "sagebox", time.Now())
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("is sagebox running at %s? %w", c.endpoint, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode >= 300 {
		var e struct {
			Error string `json:"error"`
		}
		if json.Unmarshal(raw, &e) == nil && e.Error != "" {
			return fmt.Errorf("%s: %s", resp.Status, e.Error)
		}
		return fmt.Errorf("%s: %s", resp.Status, bytes.TrimSpace(raw))
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(raw, out)
}

func runAccounts(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "create" && args[0] != "list") {
		fmt.Fprintln(stderr, "usage: sagebox accounts create [--name NAME] | sagebox accounts list")
		return errUsage
	}
	fs := flag.NewFlagSet("accounts "+args[0], flag.ContinueOnError)
	c := clientFlags(fs)
	name := fs.String("name", "", "a name for the new account")
	if err := parse(fs, args[1:], stderr); err != nil {
		return err
	}
	if args[0] == "list" {
		var out struct {
			Accounts []struct {
				AccountID   string `json:"accountId"`
				Name        string `json:"name"`
				AccessKeyID string `json:"accessKeyId"`
			} `json:"accounts"`
		}
		if err := c.do(ctx, http.MethodGet, "/_sagebox/accounts", nil, &out); err != nil {
			return err
		}
		for _, a := range out.Accounts {
			fmt.Fprintf(stdout, "%s\t%s\t%s\n", a.AccountID, a.AccessKeyID, a.Name)
		}
		return nil
	}
	var out struct {
		AccountID       string `json:"accountId"`
		AccessKeyID     string `json:"accessKeyId"`
		SecretAccessKey string `json:"secretAccessKey"`
	}
	if err := c.do(ctx, http.MethodPost, "/_sagebox/accounts", map[string]string{"name": *name}, &out); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "AWS_ACCOUNT_ID=%s\nAWS_ACCESS_KEY_ID=%s\nAWS_SECRET_ACCESS_KEY=%s\n", out.AccountID, out.AccessKeyID, out.SecretAccessKey)
	return nil
}

func runClock(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "show" && args[0] != "advance") || (args[0] == "advance" && len(args) < 2) {
		fmt.Fprintln(stderr, "usage: sagebox clock show | sagebox clock advance DURATION (such as 90m or 2h)")
		return errUsage
	}
	fs := flag.NewFlagSet("clock", flag.ContinueOnError)
	c := clientFlags(fs)
	rest := args[1:]
	if args[0] == "advance" {
		rest = args[2:]
	}
	if err := parse(fs, rest, stderr); err != nil {
		return err
	}
	var out struct {
		Now    time.Time `json:"now"`
		Offset string    `json:"offset"`
	}
	var err error
	if args[0] == "advance" {
		if _, perr := time.ParseDuration(args[1]); perr != nil {
			return fmt.Errorf("%q is not a duration such as 90m or 2h", args[1])
		}
		err = c.do(ctx, http.MethodPost, "/_sagebox/clock", map[string]string{"advance": args[1]}, &out)
	} else {
		err = c.do(ctx, http.MethodGet, "/_sagebox/clock", nil, &out)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s (offset %s)\n", out.Now.Format(time.RFC3339), out.Offset)
	return nil
}

func runReset(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("reset", flag.ContinueOnError)
	c := clientFlags(fs)
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	if err := c.do(ctx, http.MethodPost, "/_sagebox/reset", nil, nil); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "reset")
	return nil
}
