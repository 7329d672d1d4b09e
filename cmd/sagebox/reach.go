package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"text/tabwriter"

	"github.com/sagebox/sagebox/internal/service/ec2"
)

// errUnreachable makes `sagebox reach` exit with status 1 when the destination cannot be reached, so that scripts
// and CI can test a network with it.
var errUnreachable = errors.New("not reachable")

// listFlag is a flag that may repeat and takes comma-separated lists.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}

const reachUsage = "usage: sagebox reach --subnet SUBNET [--security-group SG …] --service SERVICE [--region R] [--account A] [--json]\n" +
	"       sagebox reach --interface ENI --service SERVICE [--region R] [--account A] [--json]\n" +
	"       sagebox reach --domain D-ID [--region R] [--account A] [--json]   (every service a Studio domain's apps call)\n" +
	"       sagebox reach SUBNET-OR-ENI SERVICE\n" +
	"SERVICE is internet or one of: "

// runReach asks a running sagebox whether HTTPS traffic from a subnet (with security groups) or a network interface
// can get to an AWS service of the region or to the internet, and prints the way or the hop that stops it.
func runReach(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("reach", flag.ContinueOnError)
	c := clientFlags(fs)
	var groups listFlag
	subnet := fs.String("subnet", "", "the subnet traffic starts in")
	fs.Var(&groups, "security-group", "a security group of the source (repeat, or separate with commas; default: the VPC's default group)")
	eni := fs.String("interface", "", "a network interface traffic starts from, in place of --subnet and --security-group")
	domain := fs.String("domain", "", "a SageMaker Studio domain: whether its apps reach each service they call")
	service := fs.String("service", "", "the destination: internet, or a service such as s3, sts, logs, ecr.api, ecr.dkr, sagemaker.api, sagemaker.runtime")
	region := fs.String("region", "", "the region of the source (default: the server's)")
	account := fs.String("account", "", "the account of the source (default: the server's default account)")
	asJSON := fs.Bool("json", false, "print the answer as JSON")
	fs.Usage = func() {
		fmt.Fprintln(stderr, reachUsage+strings.Join(ec2.ServiceNames(), ", "))
		fs.PrintDefaults()
	}
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	// `sagebox reach RESOURCE [SERVICE]`, the form the design names, works too, with flags before or after.
	var words []string
	for fs.NArg() > 0 {
		words = append(words, fs.Arg(0))
		if err := parse(fs, fs.Args()[1:], stderr); err != nil {
			return err
		}
	}
	if len(words) > 0 {
		switch {
		case strings.HasPrefix(words[0], "subnet-") && *subnet == "":
			*subnet = words[0]
		case strings.HasPrefix(words[0], "eni-") && *eni == "":
			*eni = words[0]
		default:
			fmt.Fprintf(stderr, "sagebox reach: %q is neither a subnet (subnet-…) nor a network interface (eni-…)\n", words[0])
			return errUsage
		}
		if len(words) > 1 && *service == "" {
			*service = words[1]
		}
	}
	if *domain != "" && len(words) == 0 && *subnet == "" && *eni == "" && *service == "" {
		return reachDomain(ctx, c, *domain, *region, *account, *asJSON, stdout)
	}
	if len(words) > 2 || *service == "" || (*subnet == "" && *eni == "") {
		fmt.Fprintln(stderr, reachUsage+strings.Join(ec2.ServiceNames(), ", "))
		return errUsage
	}
	q := url.Values{"service": {*service}}
	for k, v := range map[string]string{"subnet": *subnet, "interface": *eni, "region": *region, "account": *account} {
		if v != "" {
			q.Set(k, v)
		}
	}
	for _, g := range groups {
		q.Add("security-group", g)
	}
	var r ec2.Reachability
	if err := c.do(ctx, http.MethodGet, "/_sagebox/reach?"+q.Encode(), nil, &r); err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(r); err != nil {
			return err
		}
	} else {
		printReach(stdout, &r)
	}
	if !r.Reachable {
		return errUnreachable
	}
	return nil
}

// wayNames says each way in words.
var wayNames = map[string]string{
	"gateway-endpoint":   "a gateway endpoint",
	"interface-endpoint": "an interface endpoint",
	"nat-gateway":        "a NAT gateway",
	"internet-gateway":   "an internet gateway",
}

// printReach writes an answer for people: the verdict, the hops one per line, and the reason.
func printReach(w io.Writer, r *ec2.Reachability) {
	dest := r.Destination
	if r.ServiceName != "" {
		dest += " (" + r.ServiceName + ")"
	}
	from := r.Source.Subnet
	if r.Source.Interface != "" {
		from = r.Source.Interface + " in " + from
	}
	from += " at " + r.Source.Address
	if len(r.Source.SecurityGroups) > 0 {
		from += " with " + strings.Join(r.Source.SecurityGroups, ", ")
	}
	verdict := "NOT reachable"
	if r.Reachable {
		verdict = "reachable through " + wayNames[r.Via]
	} else if r.Via != "" {
		verdict += " (through " + wayNames[r.Via] + ")"
	}
	fmt.Fprintf(w, "%s from %s: %s\n", dest, from, verdict)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, h := range r.Path {
		mark := "ok"
		if !h.Allowed {
			mark = "NO"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", mark, h.Kind, h.Detail)
	}
	tw.Flush()
	if !r.Reachable {
		fmt.Fprintf(w, "why: %s\n", r.Reason)
	}
}

// domainReach is one line of a domain's answer (sagemaker.Reach, as the admin API sends it).
type domainReach struct {
	Service   string `json:"service"`
	Reachable bool   `json:"reachable"`
	Via       string `json:"via,omitempty"`
	Reason    string `json:"reason,omitempty"`
}

// reachDomain asks whether a Studio domain's apps reach each service they call, and prints a line per service.
func reachDomain(ctx context.Context, c *client, domain, region, account string, asJSON bool, stdout io.Writer) error {
	q := url.Values{"domain": {domain}}
	for k, v := range map[string]string{"region": region, "account": account} {
		if v != "" {
			q.Set(k, v)
		}
	}
	var rs []domainReach
	if err := c.do(ctx, http.MethodGet, "/_sagebox/reach?"+q.Encode(), nil, &rs); err != nil {
		return err
	}
	all := true
	for _, r := range rs {
		all = all && r.Reachable
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rs); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(stdout, "the apps of domain %s:\n", domain)
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		for _, r := range rs {
			if r.Reachable {
				way := wayNames[r.Via]
				if way == "" {
					way = r.Via
				}
				fmt.Fprintf(tw, "  ok\t%s\treachable through %s\n", r.Service, way)
			} else {
				fmt.Fprintf(tw, "  NO\t%s\t%s\n", r.Service, r.Reason)
			}
		}
		tw.Flush()
	}
	if !all {
		return errUnreachable
	}
	return nil
}
