package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/sagebox/sagebox/internal/authz/reference"
	"github.com/sagebox/sagebox/internal/policy"
)

// policyKinds maps --kind to the rules a document is validated by.
var policyKinds = []struct {
	name string
	kind policy.Kind
	what string
}{
	{"identity", policy.Identity, "an inline policy of a user, group or role"},
	{"managed", policy.Managed, "a customer managed policy or a permissions boundary"},
	{"trust", policy.Trust, "a role's trust policy"},
	{"resource", policy.Resource, "a resource-based policy: a bucket policy, a VPC endpoint policy"},
	{"session", policy.Session, "an STS session policy"},
	{"scp", policy.ServiceControl, "a service control policy"},
}

// errInvalidPolicy reports a document IAM would refuse; the refusal has been printed.
var errInvalidPolicy = errors.New("the policy is invalid")

// runPolicy is `sagebox policy validate FILE [--kind K]`. It works offline: it needs neither a server nor a data
// directory.
func runPolicy(_ context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "validate" {
		policyUsage(stderr)
		return errUsage
	}
	fs := flag.NewFlagSet("policy validate", flag.ContinueOnError)
	kindName := fs.String("kind", "identity", "the policy's kind: identity, managed, trust, resource, session or scp")
	fs.Usage = func() { policyUsage(stderr) }
	// Flags may follow the file, as in `sagebox policy validate p.json --kind trust`.
	var files []string
	rest := args[1:]
	for {
		if err := parse(fs, rest, stderr); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		files = append(files, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	kind, ok := policyKind(*kindName)
	if !ok {
		fmt.Fprintf(stderr, "sagebox policy validate: unknown --kind %q\n", *kindName)
		policyUsage(stderr)
		return errUsage
	}
	if len(files) != 1 {
		policyUsage(stderr)
		return errUsage
	}
	text, err := readPolicy(files[0])
	if err != nil {
		return err
	}
	doc, err := policy.Parse(string(text), kind)
	if err != nil {
		var perr *policy.Error
		if errors.As(err, &perr) {
			fmt.Fprintf(stdout, "invalid: MalformedPolicyDocument: %s\n", perr.Message)
			return errInvalidPolicy
		}
		return err
	}
	fmt.Fprintln(stdout, "valid")
	for _, f := range reference.Load().Check(doc) {
		fmt.Fprintln(stdout, f)
	}
	return nil
}

func policyKind(name string) (policy.Kind, bool) {
	for _, k := range policyKinds {
		if k.name == name {
			return k.kind, true
		}
	}
	return 0, false
}

// readPolicy reads the document from a file, or from standard input for "-".
func readPolicy(name string) ([]byte, error) {
	if name == "-" {
		return io.ReadAll(os.Stdin)
	}
	return os.ReadFile(name)
}

func policyUsage(w io.Writer) {
	fmt.Fprintln(w, "usage: sagebox policy validate FILE [--kind KIND]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Validates a policy document as IAM does and prints IAM's error or \"valid\", then warnings, as Access")
	fmt.Fprintln(w, "Analyzer's ValidatePolicy gives them, for actions, resources and condition keys that the Service")
	fmt.Fprintln(w, "Authorization Reference does not know or that do not fit the statement. FILE - reads standard input.")
	fmt.Fprintln(w, "Exit status: 0 valid (with or without warnings), 1 invalid, 2 usage.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "KIND is one of (default identity):")
	for _, k := range policyKinds {
		fmt.Fprintf(w, "  %-9s %s\n", k.name, k.what)
	}
}
