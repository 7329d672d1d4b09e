package protocol

// The json protocol's conformance: every case of botocore's json protocol tests, current and legacy. Input cases
// decode the request a client sends and must give back its params; output cases encode the result (or error) and
// must give a response that a client-side parser, written here, reads back as the case's result — the same parser
// must also read the case's own response, which is what shows that it parses as clients do.

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sagebox/sagebox/internal/awserr"
	"github.com/sagebox/sagebox/internal/model"
)

// jsonSkips are the cases that test a client's concern, not a server's, with the reason.
var jsonSkips = map[string]string{
	"SDKAppliedContentEncoding_awsJson1_1": "request compression is applied by the client; " +
		"the vector gives no body to decode",
	"SDKAppendsGzipAndIgnoresHttpProvidedEncoding_awsJson1_1": "request compression is applied by the client; " +
		"the vector gives no body to decode",
	"input/Idempotency token auto fill#1": "the client fills in an idempotency token the caller left out; " +
		"the server sees the token like any member (case #0 checks that)",
	"output/RPC JSON Event Stream#0": "event streams (Logs StartLiveTail, GetLogObject) are not spoken by this codec",
	"output/Lists#1": "the vector's model declares MapType a string yet gives it maps ({}); botocore passes " +
		"string values through untyped, but an encoder that follows the model cannot write a map as a string",
}

func TestJSONInputConformance(t *testing.T) {
	codec := JSON()
	var cases, passed, skipped int
	for _, s := range loadSuites(t, "input", "json") {
		for i := range s.Cases {
			c := &s.Cases[i]
			name := c.name(s, i)
			cases++
			t.Run(name, func(t *testing.T) {
				if reason, ok := jsonSkips[name]; ok {
					skipped++
					t.Skip(reason)
				}
				svc := c.Service
				op := svc.Operations[c.Given.Name]
				req := caseRequest(t, c)
				gotOp, got, err := codec.Decode(svc, req, []byte(c.Serialized.Body))
				if err != nil {
					t.Fatalf("Decode(%s) failed: %v", c.Serialized.Body, err)
				}
				if gotOp != op {
					t.Fatalf("Decode(%s) found operation %v, want %s", c.Serialized.Body, gotOp, op.Name)
				}
				want := caseValue(t, op.Input, c.Params, true)
				if want == nil {
					want = map[string]any{}
				}
				if !equal(got, want) {
					t.Fatalf("Decode(%s) = %s, want %s", c.Serialized.Body, show(got), show(want))
				}
				passed++
			})
		}
	}
	t.Logf("json input conformance: %d cases, %d passed, %d skipped", cases, passed, skipped)
	if passed+skipped != cases {
		t.Errorf("%d of %d input cases failed", cases-passed-skipped, cases)
	}
}

// caseRequest builds the request an input case describes. Legacy cases leave out X-Amz-Target where they do not
// test it; a client always sends it, so it is filled in from the model.
func caseRequest(t *testing.T, c *testCase) *http.Request {
	t.Helper()
	method, uri := c.Serialized.Method, c.Serialized.URI
	if method == "" {
		method = http.MethodPost
	}
	if uri == "" {
		uri = "/"
	}
	req := httptest.NewRequest(method, "https://example.com"+uri, strings.NewReader(c.Serialized.Body))
	for k, v := range c.Serialized.Headers {
		req.Header.Set(k, v)
	}
	if req.Header.Get("X-Amz-Target") == "" {
		req.Header.Set("X-Amz-Target", c.Service.Metadata.TargetPrefix+"."+c.Given.Name)
	}
	return req
}

func TestJSONOutputConformance(t *testing.T) {
	codec := JSON()
	var cases, passed, skipped int
	for _, s := range loadSuites(t, "output", "json") {
		for i := range s.Cases {
			c := &s.Cases[i]
			name := c.name(s, i)
			cases++
			t.Run(name, func(t *testing.T) {
				if reason, ok := jsonSkips[name]; ok {
					skipped++
					t.Skip(reason)
				}
				if c.ErrorCode != "" {
					checkJSONErrorCase(t, codec, c)
				} else {
					checkJSONResultCase(t, codec, c)
				}
				if !t.Failed() {
					passed++
				}
			})
		}
	}
	t.Logf("json output conformance: %d cases, %d passed, %d skipped", cases, passed, skipped)
	if passed+skipped != cases {
		t.Errorf("%d of %d output cases failed", cases-passed-skipped, cases)
	}
}

func checkJSONResultCase(t *testing.T, codec Codec, c *testCase) {
	svc := c.Service
	op := svc.Operations[c.Given.Name]
	want, _ := caseValue(t, op.Output, c.Result, false).(map[string]any)
	if want == nil {
		want = map[string]any{}
	}

	// The parser reads the case's own response as a client must.
	own, err := parseJSONResult(op.Output, []byte(c.Response.Body))
	if err != nil {
		t.Fatalf("parsing the case's response %s: %v", c.Response.Body, err)
	}
	if !equal(own, want) {
		t.Fatalf("parsing the case's response %s = %s, want %s", c.Response.Body, show(own), show(want))
	}

	rec := httptest.NewRecorder()
	if err := codec.Encode(rec, op, want, Meta{RequestID: "amazon-uniq-request-id"}); err != nil {
		t.Fatalf("Encode(%s) failed: %v", show(want), err)
	}
	res := rec.Result()
	body := rec.Body.Bytes()
	if res.StatusCode != c.Response.StatusCode {
		t.Errorf("Encode(%s) answered status %d, want %d", show(want), res.StatusCode, c.Response.StatusCode)
	}
	if got := res.Header.Get("Content-Type"); got != "application/x-amz-json-1.1" && got != "application/x-amz-json-1.0" {
		t.Errorf("Encode(%s) answered Content-Type %q, want application/x-amz-json-1.1", show(want), got)
	}
	if got := res.Header.Get("X-Amzn-RequestId"); got != "amazon-uniq-request-id" {
		t.Errorf("Encode(%s) answered x-amzn-RequestId %q, want amazon-uniq-request-id", show(want), got)
	}
	got, err := parseJSONResult(op.Output, body)
	if err != nil {
		t.Fatalf("Encode(%s) wrote %s, which does not parse: %v", show(want), body, err)
	}
	if !equal(got, want) {
		t.Fatalf("Encode(%s) wrote %s, which parses to %s", show(want), body, show(got))
	}
}

func checkJSONErrorCase(t *testing.T, codec Codec, c *testCase) {
	svc := c.Service
	op := svc.Operations[c.Given.Name]
	var wantFields map[string]any
	if shape := svc.ErrorShape(c.ErrorCode); shape != nil {
		wantFields, _ = caseValue(t, &model.Ref{Shape: shape}, c.Error, false).(map[string]any)
	}
	if wantFields == nil {
		wantFields = map[string]any{}
	}
	want := parsedJSONError{Code: c.ErrorCode, Message: c.ErrorMessage, Fields: wantFields, Status: c.Response.StatusCode}

	header := http.Header{}
	for k, v := range c.Response.Headers {
		header.Set(k, v)
	}
	own, err := parseJSONError(svc, c.Response.StatusCode, header, []byte(c.Response.Body))
	if err != nil {
		t.Fatalf("parsing the case's error response %s: %v", c.Response.Body, err)
	}
	if !own.equal(want) {
		t.Fatalf("parsing the case's error response %s = %s, want %s", c.Response.Body, own, want)
	}

	e := &awserr.Error{Code: c.ErrorCode, Message: c.ErrorMessage, Fields: wantFields}
	rec := httptest.NewRecorder()
	codec.EncodeError(rec, svc, op, e, Meta{RequestID: "req-1"})
	res := rec.Result()
	body := rec.Body.Bytes()
	if got := res.Header.Get("Content-Type"); got != "application/x-amz-json-1.1" && got != "application/x-amz-json-1.0" {
		t.Errorf("EncodeError(%v) answered Content-Type %q, want application/x-amz-json-1.1", e, got)
	}
	got, err := parseJSONError(svc, res.StatusCode, res.Header, body)
	if err != nil {
		t.Fatalf("EncodeError(%v) wrote %s, which does not parse: %v", e, body, err)
	}
	if !got.equal(want) {
		t.Fatalf("EncodeError(%v) wrote %d %s, which parses to %s, want %s", e, res.StatusCode, body, got, want)
	}
}

// caseValue reads a case's params, result or error into a value tree: numbers exactly (a long such as
// 1234567890123456789 does not survive float64), then normalize. With dropNulls, null members of structures are
// left out, as a client leaves out a member set to null.
func caseValue(t *testing.T, ref *model.Ref, raw json.RawMessage, dropNulls bool) any {
	t.Helper()
	if len(raw) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("case value %s: %v", raw, err)
	}
	return normalize(ref, exactNumbers(ref, v, dropNulls))
}

// exactNumbers turns json.Numbers into int64 for integral shapes and float64 elsewhere, following ref.
func exactNumbers(ref *model.Ref, v any, dropNulls bool) any {
	var s *model.Shape
	if ref != nil {
		s = ref.Shape
	}
	switch x := v.(type) {
	case json.Number:
		if s != nil {
			switch s.Type {
			case "byte", "short", "integer", "long":
				if i, err := x.Int64(); err == nil {
					return i
				}
			}
		}
		f, _ := x.Float64()
		return f
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			if e == nil && dropNulls && s != nil && s.Type == "structure" && !s.Document {
				continue
			}
			var sub *model.Ref
			if s != nil && !s.Document {
				switch s.Type {
				case "structure":
					sub = s.MemberNamed(k)
				case "map":
					sub = s.Value
				}
			}
			out[k] = exactNumbers(sub, e, dropNulls)
		}
		return out
	case []any:
		out := make([]any, len(x))
		var sub *model.Ref
		if s != nil && s.Type == "list" {
			sub = s.Member
		}
		for i, e := range x {
			out[i] = exactNumbers(sub, e, dropNulls)
		}
		return out
	}
	return v
}

// parseJSONResult is a client's parser of a json response body, independent of the codec: encoding/json, then
// the shape. It follows botocore: null members are absent, null list elements kept, unknown members ignored.
func parseJSONResult(output *model.Ref, body []byte) (map[string]any, error) {
	if len(bytes.TrimSpace(body)) == 0 || output == nil {
		return map[string]any{}, nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var raw any
	if err := dec.Decode(&raw); err != nil {
		return nil, err
	}
	v, err := clientValue(output, raw)
	if err != nil {
		return nil, err
	}
	m, _ := v.(map[string]any)
	if m == nil {
		m = map[string]any{}
	}
	return m, nil
}

type parseError string

func (e parseError) Error() string { return string(e) }

func clientValue(ref *model.Ref, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	s := ref.Shape
	bad := func() (any, error) { return nil, parseError("unexpected " + show(v) + " for a " + s.Type) }
	switch s.Type {
	case "structure":
		if s.Document {
			return exactNumbers(nil, v, false), nil
		}
		m, ok := v.(map[string]any)
		if !ok {
			return bad()
		}
		out := map[string]any{}
		for _, mem := range s.Members {
			e, ok := m[jsonMemberName(mem)]
			if !ok || e == nil {
				continue
			}
			cv, err := clientValue(mem, e)
			if err != nil {
				return nil, err
			}
			out[mem.Name] = cv
		}
		return out, nil
	case "list":
		l, ok := v.([]any)
		if !ok {
			return bad()
		}
		out := make([]any, len(l))
		for i, e := range l {
			cv, err := clientValue(s.Member, e)
			if err != nil {
				return nil, err
			}
			out[i] = cv
		}
		return out, nil
	case "map":
		m, ok := v.(map[string]any)
		if !ok {
			return bad()
		}
		out := make(map[string]any, len(m))
		for k, e := range m {
			cv, err := clientValue(s.Value, e)
			if err != nil {
				return nil, err
			}
			out[k] = cv
		}
		return out, nil
	case "string", "character":
		if str, ok := v.(string); ok {
			return str, nil
		}
	case "byte", "short", "integer", "long":
		if n, ok := v.(json.Number); ok {
			if i, err := n.Int64(); err == nil {
				return i, nil
			}
		}
	case "float", "double":
		switch x := v.(type) {
		case json.Number:
			f, err := x.Float64()
			if err == nil {
				return f, nil
			}
		case string:
			switch x {
			case "NaN":
				return math.NaN(), nil
			case "Infinity":
				return math.Inf(1), nil
			case "-Infinity":
				return math.Inf(-1), nil
			}
		}
	case "boolean":
		if b, ok := v.(bool); ok {
			return b, nil
		}
	case "timestamp":
		switch x := v.(type) {
		case json.Number:
			f, err := x.Float64()
			if err == nil {
				sec, frac := math.Modf(f)
				return time.Unix(int64(sec), int64(math.Round(frac*1e3))*1e6).UTC(), nil
			}
		case string:
			if t, err := time.Parse(time.RFC3339Nano, x); err == nil {
				return t.UTC(), nil
			}
			if t, err := http.ParseTime(x); err == nil {
				return t.UTC(), nil
			}
		}
	case "blob":
		if str, ok := v.(string); ok {
			if b, err := base64.StdEncoding.DecodeString(str); err == nil {
				return b, nil
			}
		}
	}
	return bad()
}

// parsedJSONError is what a client makes of an error response.
type parsedJSONError struct {
	Code, Message string
	Fields        map[string]any
	Status        int
}

func (e parsedJSONError) equal(o parsedJSONError) bool {
	return e.Code == o.Code && e.Message == o.Message && e.Status == o.Status && equal(e.Fields, o.Fields)
}

func (e parsedJSONError) String() string {
	return e.Code + " " + show(e.Message) + " " + show(e.Fields) + " " + http.StatusText(e.Status)
}

// parseJSONError reads an error response as botocore does: the code from x-amzn-ErrorType, else __type, else
// code, without a namespace ("aws.protocoltests#FooError") or a URI suffix (":http://internal…"); the message from
// message or Message; the fields following the error shape, when the model has one for the code.
func parseJSONError(svc *model.Service, status int, header http.Header, body []byte) (parsedJSONError, error) {
	var raw map[string]any
	if len(bytes.TrimSpace(body)) > 0 {
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		if err := dec.Decode(&raw); err != nil {
			return parsedJSONError{}, err
		}
	}
	code := header.Get("X-Amzn-Errortype")
	if code == "" {
		code, _ = raw["__type"].(string)
	}
	if code == "" {
		code, _ = raw["code"].(string)
	}
	if i := strings.IndexByte(code, ':'); i >= 0 {
		code = code[:i]
	}
	if i := strings.LastIndexByte(code, '#'); i >= 0 {
		code = code[i+1:]
	}
	msg, ok := raw["message"].(string)
	if !ok {
		msg, _ = raw["Message"].(string)
	}
	fields := map[string]any{}
	if shape := svc.ErrorShape(code); shape != nil && raw != nil {
		v, err := clientValue(&model.Ref{Shape: shape}, raw)
		if err != nil {
			return parsedJSONError{}, err
		}
		fields = v.(map[string]any)
	}
	return parsedJSONError{Code: code, Message: msg, Fields: fields, Status: status}, nil
}
