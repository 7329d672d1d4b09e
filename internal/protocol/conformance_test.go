package protocol

// The protocol conformance suites: botocore's protocol test vectors (generated from the Smithy AWS protocol tests),
// read from ../shared/protocol-tests, never copied into the repository. Each protocol's test file
// (query_conformance_test.go, …) runs the cases of its protocol with the helpers here.

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/sagebox/sagebox/internal/model"
)

// suite is one suite of a protocol test file: a small model and its cases.
type suite struct {
	Description string          `json:"description"`
	Metadata    model.Metadata  `json:"metadata"`
	Shapes      json.RawMessage `json:"shapes"`
	Cases       []testCase      `json:"cases"`
	File        string          `json:"-"`
}

// testCase is one case. Input cases have Params and Serialized; output cases have Response and Result, or
// Response, ErrorCode and Error.
type testCase struct {
	ID          string           `json:"id"`
	Description string           `json:"description"`
	Given       *model.Operation `json:"given"`
	Params      json.RawMessage  `json:"params"`
	Serialized  *struct {
		Method      string            `json:"method"`
		URI         string            `json:"uri"`
		Body        string            `json:"body"`
		Headers     map[string]string `json:"headers"`
		ForbidHdrs  []string          `json:"forbidHeaders"`
		RequireHdrs []string          `json:"requireHeaders"`
		Host        string            `json:"host"`
	} `json:"serialized"`
	Response *struct {
		StatusCode int               `json:"status_code"`
		Headers    map[string]string `json:"headers"`
		Body       string            `json:"body"`
	} `json:"response"`
	Result       json.RawMessage `json:"result"`
	ErrorCode    string          `json:"errorCode"`
	ErrorMessage string          `json:"errorMessage"`
	Error        json.RawMessage `json:"error"`

	// Service is the suite's model with this case's operation, linked.
	Service *model.Service `json:"-"`
}

// Name is the case's name for a subtest: its id, or the suite's description and index for legacy cases.
func (c *testCase) name(s *suite, i int) string {
	if c.ID != "" {
		return c.ID
	}
	return fmt.Sprintf("%s/%s#%d", filepath.Base(filepath.Dir(s.File)), strings.TrimPrefix(s.Description, "Test cases for "), i)
}

// protocolTestsDir returns the folder of the shared protocol tests, or skips when it is absent (on a user's
// machine; CI always has it).
func protocolTestsDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "shared", "protocol-tests")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("protocol tests not found at %s: %v", dir, err)
	}
	return dir
}

// loadSuites reads the input or output cases ("input" or "output") of one protocol ("query", "ec2", "json",
// "rest-xml"), current and legacy, and links a model for each case.
func loadSuites(t *testing.T, kind, protocol string) []*suite {
	t.Helper()
	dir := protocolTestsDir(t)
	var all []*suite
	for _, p := range []string{filepath.Join(dir, kind, protocol+".json"), filepath.Join(dir, "legacy", kind, protocol+".json")} {
		raw, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var suites []*suite
		if err := json.Unmarshal(raw, &suites); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		for _, s := range suites {
			s.File = p
			for i := range s.Cases {
				c := &s.Cases[i]
				// Each case gets a fresh copy of the shapes: Build links them in place.
				var shapes map[string]*model.Shape
				if len(s.Shapes) > 0 {
					if err := json.Unmarshal(s.Shapes, &shapes); err != nil {
						t.Fatalf("%s: %s: shapes: %v", p, s.Description, err)
					}
				}
				if shapes == nil {
					shapes = map[string]*model.Shape{}
				}
				svc, err := model.Build(s.Metadata, map[string]*model.Operation{c.Given.Name: c.Given}, shapes)
				if err != nil {
					t.Fatalf("%s: %s: %v", p, s.Description, err)
				}
				c.Service = svc
			}
		}
		all = append(all, suites...)
	}
	return all
}

// normalize turns a value as the test files write it (JSON: numbers as float64, timestamps as epoch seconds,
// blobs as strings) into the value tree that Decode produces and Encode takes, following shape.
func normalize(ref *model.Ref, v any) any {
	if v == nil || ref == nil {
		return v
	}
	s := ref.Shape
	switch s.Type {
	case "structure":
		m, ok := v.(map[string]any)
		if !ok {
			return v
		}
		out := make(map[string]any, len(m))
		for k, mv := range m {
			out[k] = normalize(s.MemberNamed(k), mv)
		}
		return out
	case "list":
		l, ok := v.([]any)
		if !ok {
			return v
		}
		out := make([]any, len(l))
		for i, e := range l {
			out[i] = normalize(s.Member, e)
		}
		return out
	case "map":
		m, ok := v.(map[string]any)
		if !ok {
			return v
		}
		out := make(map[string]any, len(m))
		for k, mv := range m {
			out[k] = normalize(s.Value, mv)
		}
		return out
	case "byte", "short", "integer", "long":
		if f, ok := v.(float64); ok {
			return int64(f)
		}
	case "float", "double":
		switch x := v.(type) {
		case string:
			switch x {
			case "NaN":
				return math.NaN()
			case "Infinity":
				return math.Inf(1)
			case "-Infinity":
				return math.Inf(-1)
			}
		case float64:
			return x
		}
	case "timestamp":
		if f, ok := v.(float64); ok {
			sec, frac := math.Modf(f)
			return time.Unix(int64(sec), int64(math.Round(frac*1e3))*1e6).UTC()
		}
	case "blob":
		if str, ok := v.(string); ok {
			return []byte(str)
		}
	}
	return v
}

// decodeJSON parses raw (a case's params, result or error) into a value tree, or nil when raw is empty.
func decodeJSON(t *testing.T, raw json.RawMessage) any {
	t.Helper()
	if len(raw) == 0 {
		return nil
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("case value: %v", err)
	}
	return v
}

// equal compares two value trees: NaN equals NaN, times compare as instants, and an empty map or list equals a
// missing one only where both are empty (so that a decoded empty list is told apart from an absent one).
func equal(a, b any) bool {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !equal(v, w) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equal(x[i], y[i]) {
				return false
			}
		}
		return true
	case float64:
		y, ok := b.(float64)
		return ok && (x == y || math.IsNaN(x) && math.IsNaN(y))
	case time.Time:
		y, ok := b.(time.Time)
		return ok && x.Equal(y)
	case []byte:
		y, ok := b.([]byte)
		return ok && bytes.Equal(x, y)
	default:
		return a == b
	}
}

// show renders a value tree for a failure message, deterministically.
func show(v any) string {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var b strings.Builder
		b.WriteString("{")
		for i, k := range keys {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%s: %s", k, show(x[k]))
		}
		b.WriteString("}")
		return b.String()
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = show(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case []byte:
		return "b64:" + base64.StdEncoding.EncodeToString(x)
	case time.Time:
		return x.Format(time.RFC3339Nano)
	case string:
		return fmt.Sprintf("%q", x)
	default:
		return fmt.Sprintf("%v(%T)", x, x)
	}
}
