package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/sagebox/sagebox/internal/authz"
)

const scpsUsage = `usage: sagebox scps put NAME FILE [--account ID]   (FILE - reads the policy from standard input)
       sagebox scps list [--account ID]
       sagebox scps delete NAME [--account ID]
An account's SCPs are exactly those put: as in AWS, where FullAWSAccess is attached until you detach it, an
account whose SCPs allow nothing can do nothing. To deny a few actions, also put an SCP that allows "*" on "*".`

// runSCPs manages the service control policies of a running sagebox's accounts.
func runSCPs(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var sub string
	if len(args) > 0 {
		sub, args = args[0], args[1:]
	}
	want := map[string]int{"put": 2, "list": 0, "delete": 1}[sub]
	var pos []string
	for len(args) > 0 && len(pos) < want && !strings.HasPrefix(args[0], "-") {
		pos, args = append(pos, args[0]), args[1:]
	}
	if sub != "put" && sub != "list" && sub != "delete" || len(pos) != want {
		fmt.Fprintln(stderr, scpsUsage)
		return errUsage
	}
	fs := flag.NewFlagSet("scps "+sub, flag.ContinueOnError)
	c := clientFlags(fs)
	account := fs.String("account", "", "the account (default: the server's default account)")
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fmt.Fprintln(stderr, scpsUsage)
		return errUsage
	}
	switch sub {
	case "put":
		doc, err := readPolicyFile(pos[1])
		if err != nil {
			return err
		}
		var scp authz.SCP
		if err := c.do(ctx, http.MethodPost, "/_sagebox/scps", map[string]string{"account": *account, "name": pos[0], "document": doc}, &scp); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "SCP %s of account %s put\n", scp.Name, scp.Account)
	case "delete":
		path := "/_sagebox/scps/" + url.PathEscape(pos[0])
		if *account != "" {
			path = "/_sagebox/scps/" + url.PathEscape(*account) + "/" + url.PathEscape(pos[0])
		}
		var out authz.SCP
		if err := c.do(ctx, http.MethodDelete, path, nil, &out); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "SCP %s of account %s deleted\n", out.Name, out.Account)
	case "list":
		q := ""
		if *account != "" {
			q = "?account=" + url.QueryEscape(*account)
		}
		var out struct {
			SCPs []authz.SCP `json:"scps"`
		}
		if err := c.do(ctx, http.MethodGet, "/_sagebox/scps"+q, nil, &out); err != nil {
			return err
		}
		if len(out.SCPs) == 0 {
			fmt.Fprintln(stdout, "no SCPs: every account's principals are limited by their IAM policies alone")
			return nil
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ACCOUNT\tNAME\tUPDATED\tDOCUMENT")
		for _, s := range out.SCPs {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", s.Account, s.Name, s.Updated.UTC().Format(time.RFC3339), oneLine(s.Document))
		}
		tw.Flush()
	}
	return nil
}

func readPolicyFile(name string) (string, error) {
	var b []byte
	var err error
	if name == "-" {
		b, err = io.ReadAll(io.LimitReader(os.Stdin, 64<<10))
	} else {
		b, err = os.ReadFile(name)
	}
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// oneLine squeezes a policy document's whitespace for a table.
func oneLine(doc string) string {
	s := strings.Join(strings.Fields(doc), " ")
	if len(s) > 100 {
		s = s[:97] + "..."
	}
	return s
}
