package protocol

// The test side of the XML-family conformance suites: a response parser that reads query, ec2 and rest-xml
// responses the way AWS's clients do (envelopes, result wrappers, headers, status codes, error documents), and the
// runner that drives the input and output cases of a protocol through a codec.

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sagebox/sagebox/internal/awserr"
	"github.com/sagebox/sagebox/internal/model"
)

// xmlParsedResponse is what a client makes of a response: the output, or an error's code, message and fields.
type xmlParsedResponse struct {
	result  map[string]any
	isError bool
	code    string
	message string
	fields  map[string]any
}

// xmlClientParse parses a response of protocol to op as a client would.
func xmlClientParse(protocol string, svc *model.Service, op *model.Operation, status int, h http.Header, body []byte) (xmlParsedResponse, error) {
	r := xmlReader{&xmlIndexes{}}
	if status >= 300 {
		return xmlClientParseError(r, protocol, svc, status, h, body)
	}
	p := xmlParsedResponse{result: map[string]any{}}
	if op.Output == nil {
		return p, nil
	}
	s := op.Output.Shape
	switch protocol {
	case "query":
		if len(body) == 0 {
			return p, nil
		}
		root, err := xmlParse(body)
		if err != nil {
			return p, err
		}
		wrapper := op.Output.ResultWrapper
		if wrapper == "" {
			wrapper = op.Name + "Result"
		}
		if n := root.child(wrapper); n != nil {
			p.result, err = r.structure(s, n)
		}
		return p, err
	case "ec2":
		if len(body) == 0 {
			return p, nil
		}
		root, err := xmlParse(body)
		if err != nil {
			return p, err
		}
		p.result, err = r.structure(s, root)
		return p, err
	}
	m, err := xmlClientLocated(s, status, h)
	if err != nil {
		return p, err
	}
	p.result = m
	if s.Payload != "" {
		mem := s.MemberNamed(s.Payload)
		if len(body) == 0 || mem == nil {
			return p, nil
		}
		switch mem.Shape.Type {
		case "blob":
			m[mem.Name] = body
		case "string":
			m[mem.Name] = string(body)
		default:
			root, err := xmlParse(body)
			if err != nil {
				return p, err
			}
			v, err := r.value(mem, root)
			if err != nil {
				return p, err
			}
			m[mem.Name] = v
		}
		return p, nil
	}
	if len(body) == 0 {
		return p, nil
	}
	root, err := xmlParse(body)
	if err != nil {
		return p, err
	}
	// A document whose root is its one scalar member (S3's GetBucketLocation).
	for _, mem := range s.Members {
		if mem.Location == "" && mem.Shape.IsScalar() && xmlElementName(mem) == root.name && len(root.children) == 0 {
			v, err := xmlParseScalar(mem, root.text, xmlTimeISO8601)
			if err != nil {
				return p, err
			}
			m[mem.Name] = v
			return p, nil
		}
	}
	body2, err := r.structure(s, root)
	if err != nil {
		return p, err
	}
	for k, v := range body2 {
		m[k] = v
	}
	return p, nil
}

// xmlClientLocated reads the status code, header and prefix-header members of a rest-xml response. Like botocore,
// a prefix-header map is always present, empty when no header has its prefix.
func xmlClientLocated(s *model.Shape, status int, h http.Header) (map[string]any, error) {
	m := map[string]any{}
	for _, mem := range s.Members {
		switch mem.Location {
		case "statusCode":
			m[mem.Name] = int64(status)
		case "header":
			vs := h.Values(rxName(mem))
			if len(vs) == 0 {
				continue
			}
			v, err := rxHeaderValue(mem, strings.Join(vs, ", "))
			if err != nil {
				return nil, err
			}
			m[mem.Name] = v
		case "headers":
			v, err := rxPrefixHeaders(mem, h)
			if err != nil {
				return nil, err
			}
			if v == nil {
				v = map[string]any{}
			}
			m[mem.Name] = v
		}
	}
	return m, nil
}

func xmlClientParseError(r xmlReader, protocol string, svc *model.Service, status int, h http.Header, body []byte) (xmlParsedResponse, error) {
	p := xmlParsedResponse{isError: true, fields: map[string]any{}}
	root, err := xmlParse(body)
	if err != nil {
		return p, err
	}
	var e *xmlNode
	switch protocol {
	case "query":
		e = root.child("Error")
	case "ec2":
		if errs := root.child("Errors"); errs != nil {
			e = errs.child("Error")
		}
	default:
		e = root
		if root.name != "Error" {
			e = root.child("Error")
		}
	}
	if e == nil {
		return p, fmt.Errorf("no Error element in %q", body)
	}
	if n := e.child("Code"); n != nil {
		p.code = n.text
	}
	if n := e.child("Message"); n != nil {
		p.message = n.text
	}
	shape := svc.ErrorShape(p.code)
	if shape == nil {
		return p, nil
	}
	if protocol == "rest-xml" {
		if p.fields, err = xmlClientLocated(shape, status, h); err != nil {
			return p, err
		}
	}
	m, err := r.structure(shape, e)
	if err != nil {
		return p, err
	}
	for k, v := range m {
		p.fields[k] = v
	}
	return p, nil
}

// xmlStripNulls removes members whose value is null: a client sends nothing for them.
func xmlStripNulls(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			if e != nil {
				out[k] = xmlStripNulls(e)
			}
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = xmlStripNulls(e)
		}
		return out
	}
	return v
}

// xmlConformanceTally counts what a conformance run did, for the log.
type xmlConformanceTally struct {
	cases, passed, skipped int
	skips                  []string
}

// runXMLInputCases decodes the serialized request of every input case of protocol and compares the result with the
// case's params. skip maps a case name to the reason it cannot apply to a server.
func runXMLInputCases(t *testing.T, protocol string, codec Codec, skip map[string]string) {
	var tally xmlConformanceTally
	for _, s := range loadSuites(t, "input", protocol) {
		for i := range s.Cases {
			c := &s.Cases[i]
			name := c.name(s, i)
			tally.cases++
			if reason, ok := skip[name]; ok {
				tally.skipped++
				tally.skips = append(tally.skips, name+": "+reason)
				t.Run(name, func(t *testing.T) { t.Skip(reason) })
				continue
			}
			if t.Run(name, func(t *testing.T) { xmlInputCase(t, codec, c) }) {
				tally.passed++
			}
		}
	}
	xmlLogTally(t, protocol+" input", &tally)
}

func xmlInputCase(t *testing.T, codec Codec, c *testCase) {
	req := xmlCaseRequest(t, c)
	op, got, err := codec.Decode(c.Service, req, []byte(c.Serialized.Body))
	if err != nil {
		t.Fatalf("Decode(%s %s) = error %v, want %s", req.Method, c.Serialized.URI, err, c.Params)
	}
	if op.Name != c.Given.Name {
		t.Fatalf("Decode(%s %s) chose %s, want %s", req.Method, c.Serialized.URI, op.Name, c.Given.Name)
	}
	want := normalize(op.Input, xmlStripNulls(decodeJSON(t, c.Params)))
	if !equal(want, got) {
		t.Errorf("Decode(%s %s %q) = %s, want %s", req.Method, c.Serialized.URI, c.Serialized.Body, show(got), show(want))
	}
}

// xmlCaseRequest builds the HTTP request that a case's serialized form describes.
func xmlCaseRequest(t *testing.T, c *testCase) *http.Request {
	ser := c.Serialized
	method := ser.Method
	if method == "" {
		method = c.Given.HTTP.Method
	}
	if method == "" {
		method = http.MethodPost
	}
	host := ser.Host
	if host == "" {
		host = "example.com"
	}
	host, _, _ = strings.Cut(host, "/")
	req, err := http.NewRequest(method, "http://"+host+ser.URI, strings.NewReader(ser.Body))
	if err != nil {
		t.Fatalf("building the request of %s %s: %v", method, ser.URI, err)
	}
	for k, v := range ser.Headers {
		req.Header.Set(k, v)
	}
	return req
}

// runXMLOutputCases encodes the result (or error) of every output case of protocol, parses the bytes as a client
// would and compares with the case; it also parses the case's own response, which proves the parser.
func runXMLOutputCases(t *testing.T, protocol string, codec Codec, skip map[string]string) {
	var tally xmlConformanceTally
	for _, s := range loadSuites(t, "output", protocol) {
		for i := range s.Cases {
			c := &s.Cases[i]
			name := c.name(s, i)
			tally.cases++
			if reason, ok := skip[name]; ok {
				tally.skipped++
				tally.skips = append(tally.skips, name+": "+reason)
				t.Run(name, func(t *testing.T) { t.Skip(reason) })
				continue
			}
			if t.Run(name, func(t *testing.T) { xmlOutputCase(t, protocol, codec, c) }) {
				tally.passed++
			}
		}
	}
	xmlLogTally(t, protocol+" output", &tally)
}

func xmlOutputCase(t *testing.T, protocol string, codec Codec, c *testCase) {
	svc := c.Service
	op := svc.Operations[c.Given.Name]
	caseHeader := http.Header{}
	for k, v := range c.Response.Headers {
		caseHeader.Set(k, v)
	}
	rec := httptest.NewRecorder()
	meta := Meta{RequestID: "request-id"}

	if c.ErrorCode != "" {
		var fields map[string]any
		if shape := svc.ErrorShape(c.ErrorCode); shape != nil {
			fields, _ = normalize(&model.Ref{Shape: shape}, decodeJSON(t, c.Error)).(map[string]any)
		}
		if fields == nil {
			fields = map[string]any{}
		}
		codec.EncodeError(rec, svc, op, &awserr.Error{Code: c.ErrorCode, Message: c.ErrorMessage, Fields: fields}, meta)
		for _, src := range []struct {
			what   string
			status int
			h      http.Header
			body   []byte
		}{
			{"the encoded error", rec.Code, rec.Header(), rec.Body.Bytes()},
			{"the case's response", c.Response.StatusCode, caseHeader, []byte(c.Response.Body)},
		} {
			p, err := xmlClientParse(protocol, svc, op, src.status, src.h, src.body)
			if err != nil {
				t.Fatalf("parsing %s %q: %v", src.what, src.body, err)
			}
			// A case without errorMessage does not assert one.
			if !p.isError || p.code != c.ErrorCode || (c.ErrorMessage != "" && p.message != c.ErrorMessage) || !equal(fields, p.fields) {
				t.Errorf("parsing %s %q = error %v %q %q %s, want error %q %q %s", src.what, src.body, p.isError,
					p.code, p.message, show(p.fields), c.ErrorCode, c.ErrorMessage, show(fields))
			}
		}
		if rec.Code != c.Response.StatusCode {
			t.Errorf("EncodeError(%s) status = %d, want %d", c.ErrorCode, rec.Code, c.Response.StatusCode)
		}
		return
	}

	want, _ := normalize(op.Output, decodeJSON(t, c.Result)).(map[string]any)
	if want == nil {
		want = map[string]any{}
	}
	if err := codec.Encode(rec, op, want, meta); err != nil {
		t.Fatalf("Encode(%s) = %v", show(want), err)
	}
	for _, src := range []struct {
		what   string
		status int
		h      http.Header
		body   []byte
	}{
		{"the encoded response", rec.Code, rec.Header(), rec.Body.Bytes()},
		{"the case's response", c.Response.StatusCode, caseHeader, []byte(c.Response.Body)},
	} {
		p, err := xmlClientParse(protocol, svc, op, src.status, src.h, src.body)
		if err != nil {
			t.Fatalf("parsing %s %q: %v", src.what, src.body, err)
		}
		if p.isError || !equal(want, p.result) {
			t.Errorf("parsing %s (%d %v %q) = %s, want %s", src.what, src.status, src.h, src.body, show(p.result), show(want))
		}
	}
	if c.Response.StatusCode != 0 && rec.Code != c.Response.StatusCode {
		t.Errorf("Encode(%s) status = %d, want %d", show(want), rec.Code, c.Response.StatusCode)
	}
}

func xmlLogTally(t *testing.T, what string, tally *xmlConformanceTally) {
	t.Helper()
	t.Logf("%s conformance: %d cases, %d passed, %d skipped, %d failed", what, tally.cases, tally.passed, tally.skipped,
		tally.cases-tally.passed-tally.skipped)
	for _, s := range tally.skips {
		t.Logf("  skipped %s", s)
	}
}
