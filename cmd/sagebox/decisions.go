package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/sagebox/sagebox/internal/authz"
)

// runDecisions lists the newest decisions of a running sagebox's decision log.
func runDecisions(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("decisions", flag.ContinueOnError)
	c := clientFlags(fs)
	limit := fs.Int("limit", 20, "how many of the newest decisions to show, 1 to 1000")
	denied := fs.Bool("denied", false, "show denials only")
	asJSON := fs.Bool("json", false, "print the decisions as JSON")
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fmt.Fprintln(stderr, "usage: sagebox decisions [--limit N] [--denied] [--json]")
		return errUsage
	}
	if *limit < 1 || *limit > 1000 {
		return fmt.Errorf("--limit %d: want 1 to 1000", *limit)
	}
	q := url.Values{"limit": {strconv.Itoa(*limit)}}
	if *denied {
		q.Set("denied", "true")
	}
	var page authz.DecisionPage
	if err := c.do(ctx, http.MethodGet, "/_sagebox/decisions?"+q.Encode(), nil, &page); err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(page)
	}
	if len(page.Decisions) == 0 {
		fmt.Fprintln(stdout, "no decisions")
	} else {
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "TIME\tREQUEST\tOUTCOME\tPRINCIPAL\tACTION\tRESOURCE")
		for _, d := range page.Decisions {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", d.Time.UTC().Format(time.RFC3339), d.RequestID, outcomeWord(&d),
				d.Principal.ARN, d.Action, d.Resource)
		}
		tw.Flush()
	}
	if page.Dropped > 0 {
		fmt.Fprintf(stdout, "(%d decisions were never stored: the log's writer fell behind)\n", page.Dropped)
	}
	return nil
}

// outcomeWord is a decision's outcome in the list, with what became of a denial that was not enforced.
func outcomeWord(d *authz.Record) string {
	switch {
	case !d.Decided:
		return d.Outcome + " (unchecked)"
	case d.Outcome != "allowed" && d.Mode == authz.Audit:
		return d.Outcome + " (audit)"
	}
	return d.Outcome
}

// runExplain prints why a request was allowed or denied.
func runExplain(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var id string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		id, args = args[0], args[1:]
	}
	fs := flag.NewFlagSet("explain", flag.ContinueOnError)
	c := clientFlags(fs)
	asJSON := fs.Bool("json", false, "print the decisions as JSON")
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	if id == "" && fs.NArg() == 1 {
		id = fs.Arg(0)
	} else if fs.NArg() > 0 {
		id = ""
	}
	if id == "" {
		fmt.Fprintln(stderr, "usage: sagebox explain REQUEST-ID [--json]  (request ids are in the server's log and in every AWS response)")
		return errUsage
	}
	var out struct {
		RequestID string         `json:"requestId"`
		Decisions []authz.Record `json:"decisions"`
	}
	if err := c.do(ctx, http.MethodGet, "/_sagebox/decisions/"+url.PathEscape(id), nil, &out); err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	for i := range out.Decisions {
		if i > 0 {
			fmt.Fprintln(stdout)
		}
		out.Decisions[i].WriteText(stdout)
	}
	return nil
}
