package protocol

// The rest-xml protocol (S3): the operation is the one whose HTTP method and request URI pattern the request
// matches; input members come from URI labels, the query string, headers and an XML (or raw) body; responses carry
// members in the status code, headers and body the same way. Errors are S3's <Error> documents, without a wrapper.

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/textproto"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/sagebox/sagebox/internal/awserr"
	"github.com/sagebox/sagebox/internal/model"
)

// RestXML returns the codec of the rest-xml protocol. Create it once and share it: it caches each service's routes
// and per-shape lookups. It is safe for concurrent use.
func RestXML() Codec {
	return &restXMLCodec{}
}

type restXMLCodec struct {
	routes sync.Map // *model.Service → *rxRoutes
	xml    xmlIndexes
	bufs   xmlBufPool
}

var _ Codec = (*restXMLCodec)(nil)

func (c *restXMLCodec) Name() string { return "rest-xml" }

// rxRoutes is a service's operations by HTTP method, with what every response of the service shares.
type rxRoutes struct {
	byMethod map[string][]*rxRoute
	// ns is the XML namespace of the service's documents: the model's, or, for models that declare it only on
	// their input payloads (S3), the one those declare.
	ns *model.XMLNamespace
}

// rxRoute is one operation's request URI pattern.
type rxRoute struct {
	op   *model.Operation
	segs []rxSegment
	// query holds the literal query keys the pattern requires, with their values where the pattern gives one.
	query []rxLiteral
	// literals counts literal path segments, which make a pattern more specific.
	literals int
	// members are the input's members bound to the URI, query string and headers, with their wire names.
	members []rxMember
	// bound holds the query parameters that something other than a map of query parameters claims.
	bound map[string]bool
}

// rxMember is an input member bound to a part of the request other than the body.
type rxMember struct {
	ref *model.Ref
	// name is the label, parameter or header name; canon is a header's canonical form, for direct lookups.
	name, canon string
}

type rxSegment struct {
	literal string
	label   string
	greedy  bool
}

type rxLiteral struct {
	key, value string
	hasValue   bool
}

func (c *restXMLCodec) routesOf(svc *model.Service) *rxRoutes {
	if v, ok := c.routes.Load(svc); ok {
		return v.(*rxRoutes)
	}
	rs := &rxRoutes{byMethod: map[string][]*rxRoute{}}
	names := make([]string, 0, len(svc.Operations))
	for name := range svc.Operations {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		op := svc.Operations[name]
		rt := rxParseRoute(op)
		method := strings.ToUpper(op.HTTP.Method)
		if method == "" {
			method = http.MethodPost
		}
		rs.byMethod[method] = append(rs.byMethod[method], rt)
		if rs.ns == nil && op.Input != nil && op.Input.XMLNamespace != nil && op.Input.XMLNamespace.URI != "" {
			rs.ns = &model.XMLNamespace{URI: op.Input.XMLNamespace.URI}
		}
	}
	if svc.Metadata.XMLNamespace != "" {
		rs.ns = &model.XMLNamespace{URI: svc.Metadata.XMLNamespace}
	}
	v, _ := c.routes.LoadOrStore(svc, rs)
	return v.(*rxRoutes)
}

func rxParseRoute(op *model.Operation) *rxRoute {
	rt := &rxRoute{op: op}
	uri := op.HTTP.RequestURI
	if uri == "" {
		uri = "/"
	}
	path, query, _ := strings.Cut(uri, "?")
	for _, seg := range strings.Split(strings.Trim(path, "/"), "/") {
		if seg == "" {
			continue
		}
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			label := seg[1 : len(seg)-1]
			greedy := strings.HasSuffix(label, "+")
			rt.segs = append(rt.segs, rxSegment{label: strings.TrimSuffix(label, "+"), greedy: greedy})
			continue
		}
		rt.segs = append(rt.segs, rxSegment{literal: seg})
		rt.literals++
	}
	rt.bound = map[string]bool{"x-id": true}
	for _, part := range strings.Split(query, "&") {
		if part == "" {
			continue
		}
		k, v, hasValue := strings.Cut(part, "=")
		rt.query = append(rt.query, rxLiteral{key: k, value: v, hasValue: hasValue})
		rt.bound[k] = true
	}
	if op.Input != nil {
		for _, mem := range op.Input.Shape.Members {
			switch mem.Location {
			case "uri", "querystring", "header", "headers":
				m := rxMember{ref: mem, name: rxName(mem)}
				if mem.Location == "header" {
					m.canon = textproto.CanonicalMIMEHeaderKey(m.name)
				}
				if mem.Location == "querystring" && mem.Shape.Type != "map" {
					rt.bound[m.name] = true
				}
				rt.members = append(rt.members, m)
			}
		}
	}
	return rt
}

// match reports whether path (its escaped segments) matches rt, recording the label values in labels when it is
// not nil.
func (rt *rxRoute) match(segs []string, labels map[string]string) bool {
	i := 0
	for si, s := range rt.segs {
		if s.greedy {
			if si != len(rt.segs)-1 || i >= len(segs) {
				return false
			}
			if i == len(segs)-1 && segs[i] == "" {
				return false
			}
			if labels != nil {
				v, err := url.PathUnescape(strings.Join(segs[i:], "/"))
				if err != nil {
					return false
				}
				labels[s.label] = v
			}
			return true
		}
		if i >= len(segs) || segs[i] == "" {
			return false
		}
		if s.literal != "" {
			if v, err := url.PathUnescape(segs[i]); err != nil || v != s.literal {
				return false
			}
		} else if labels != nil {
			v, err := url.PathUnescape(segs[i])
			if err != nil {
				return false
			}
			labels[s.label] = v
		}
		i++
	}
	// One trailing slash is tolerated ("/bucket/" for "/{Bucket}").
	return i == len(segs) || (i == len(segs)-1 && segs[i] == "")
}

// rxQuery is a request's query string: its parameters in order, and by name.
type rxQuery struct {
	pairs []formPair
	byKey map[string][]string
}

func (q *rxQuery) has(k string) bool { _, ok := q.byKey[k]; return ok }

func (q *rxQuery) first(k string) (string, bool) {
	if vs, ok := q.byKey[k]; ok {
		return vs[0], true
	}
	return "", false
}

// Decode finds the operation whose method and URI pattern the request matches — the most specific when several do:
// the one whose literal query keys are present, whose required query and header members are present, and that is
// not deprecated — and decodes its input. The router has already rewritten virtual-hosted requests to path style.
func (c *restXMLCodec) Decode(svc *model.Service, r *http.Request, body []byte) (*model.Operation, map[string]any, error) {
	rs := c.routesOf(svc)
	pairs, err := formAppendPairs(nil, r.URL.RawQuery)
	if err != nil {
		return nil, nil, &awserr.Error{Kind: awserr.KindMalformedInput, Code: "InvalidArgument", Message: "The query string is malformed.", Status: 400}
	}
	q := &rxQuery{pairs: pairs, byKey: make(map[string][]string, len(pairs))}
	for _, p := range pairs {
		q.byKey[p.k] = append(q.byKey[p.k], p.v)
	}
	path := r.URL.EscapedPath()
	segs := strings.Split(strings.TrimPrefix(path, "/"), "/")
	if len(segs) == 1 && segs[0] == "" {
		segs = nil
	}
	var (
		best      *rxRoute
		bestScore int
	)
	for _, rt := range rs.byMethod[r.Method] {
		if !rt.match(segs, nil) {
			continue
		}
		score, ok := rt.score(r, q)
		if !ok {
			continue
		}
		if best == nil || score > bestScore {
			best, bestScore = rt, score
		}
	}
	if best == nil {
		return nil, nil, awserr.Newf(awserr.KindUnknownOperation, "")
	}
	labels := make(map[string]string, 2)
	if !best.match(segs, labels) {
		// A label that does not unescape.
		return nil, nil, &awserr.Error{Kind: awserr.KindMalformedInput, Code: "InvalidURI", Message: "Couldn't parse the specified URI.", Status: 400}
	}
	input, err := c.decodeInput(best, labels, q, r, body)
	if err != nil {
		return nil, nil, err
	}
	return best.op, input, nil
}

// score ranks a route whose path matched; false when a literal query key of the pattern is missing.
func (rt *rxRoute) score(r *http.Request, q *rxQuery) (int, bool) {
	score := 0
	for _, l := range rt.query {
		v, ok := q.first(l.key)
		if !ok || (l.hasValue && v != l.value) {
			return 0, false
		}
		score += 1000
	}
	// The Go SDK names the operation in x-id on operations that share a pattern.
	if id, ok := q.first("x-id"); ok && id == rt.op.Name {
		score += 100000
	}
	score += 100 * rt.literals
	if n := len(rt.segs); n > 0 && rt.segs[n-1].greedy {
		score--
	}
	for _, m := range rt.members {
		var present bool
		switch m.ref.Location {
		case "querystring":
			if m.ref.Shape.Type == "map" {
				continue
			}
			present = q.has(m.name)
		case "header":
			vs := r.Header[m.canon]
			present = len(vs) > 0 && vs[0] != ""
		default:
			continue
		}
		switch {
		case present && m.ref.Required:
			score += 10
		case present:
			score++
		case m.ref.Required:
			score -= 100
		}
	}
	if rt.op.Deprecated {
		score -= 5
	}
	return score, true
}

// rxName is the wire name of a member bound to a URI label, query parameter or header.
func rxName(mem *model.Ref) string {
	if mem.LocationName != "" {
		return mem.LocationName
	}
	return mem.Name
}

func (c *restXMLCodec) decodeInput(rt *rxRoute, labels map[string]string, q *rxQuery, r *http.Request, body []byte) (map[string]any, error) {
	input := map[string]any{}
	in := rt.op.Input
	if in == nil {
		return input, nil
	}
	s := in.Shape
	for _, m := range rt.members {
		mem, name := m.ref, m.name
		switch mem.Location {
		case "uri":
			if v, ok := labels[name]; ok {
				val, err := rxScalar(mem, v, xmlTimeISO8601)
				if err != nil {
					return nil, err
				}
				input[mem.Name] = val
			}
		case "querystring":
			v, ok, err := rxQueryMember(mem, q, rt.bound)
			if err != nil {
				return nil, err
			}
			if ok {
				input[mem.Name] = v
			}
		case "header":
			vs := r.Header[m.canon]
			if len(vs) == 0 {
				continue
			}
			v, err := rxHeaderValue(mem, strings.Join(vs, ", "))
			if err != nil {
				return nil, err
			}
			input[mem.Name] = v
		case "headers":
			hm, err := rxPrefixHeaders(mem, r.Header)
			if err != nil {
				return nil, err
			}
			if len(hm) > 0 {
				input[mem.Name] = hm
			}
		}
	}
	if s.Payload != "" {
		mem := s.MemberNamed(s.Payload)
		if mem != nil && len(body) > 0 {
			switch mem.Shape.Type {
			case "blob":
				input[mem.Name] = body
			case "string":
				input[mem.Name] = string(body)
			case "structure", "list", "map":
				root, err := rxParseBody(body)
				if err != nil {
					return nil, err
				}
				v, err := xmlReader{&c.xml}.value(mem, root)
				if err != nil {
					return nil, err
				}
				input[mem.Name] = v
			}
		}
		return input, nil
	}
	if len(body) > 0 && rxHasBody(s) {
		root, err := rxParseBody(body)
		if err != nil {
			return nil, err
		}
		m, err := xmlReader{&c.xml}.structure(s, root)
		if err != nil {
			return nil, err
		}
		for k, v := range m {
			// Members bound to the URI or the query string are taken from there only, never from the body.
			if mem := s.MemberNamed(k); mem != nil && mem.Location == "" {
				input[k] = v
			}
		}
	}
	return input, nil
}

// rxHasBody reports whether a structure has members that belong in an XML body.
func rxHasBody(s *model.Shape) bool {
	for _, mem := range s.Members {
		if mem.Location == "" {
			return true
		}
	}
	return false
}

// rxParseBody parses an XML request body. What the parser says is logged; the client gets S3's MalformedXML text.
func rxParseBody(body []byte) (*xmlNode, error) {
	root, err := xmlParse(body)
	if err != nil {
		return nil, &awserr.Error{Kind: awserr.KindMalformedInput, Detail: err.Error()}
	}
	return root, nil
}

// rxScalar parses the text of a URI label, query parameter or header. A value that does not parse is S3's
// InvalidArgument rather than the MalformedXML of a body.
func rxScalar(mem *model.Ref, text, defaultTS string) (any, error) {
	v, err := xmlParseScalar(mem, text, defaultTS)
	if err != nil {
		if e, ok := err.(*awserr.Error); ok {
			e.Code = "InvalidArgument"
			e.Status = 400
		}
		return nil, err
	}
	return v, nil
}

func rxQueryMember(mem *model.Ref, q *rxQuery, bound map[string]bool) (any, bool, error) {
	s := mem.Shape
	switch s.Type {
	case "map":
		// A map of query parameters takes every parameter no other member or the URI pattern claims.
		out := map[string]any{}
		for _, p := range q.pairs {
			if bound[p.k] {
				continue
			}
			if s.Value.Shape.Type == "list" {
				l, _ := out[p.k].([]any)
				v, err := rxScalar(s.Value.Shape.Member, p.v, xmlTimeISO8601)
				if err != nil {
					return nil, false, err
				}
				out[p.k] = append(l, v)
				continue
			}
			if _, dup := out[p.k]; dup {
				continue
			}
			v, err := rxScalar(s.Value, p.v, xmlTimeISO8601)
			if err != nil {
				return nil, false, err
			}
			out[p.k] = v
		}
		return out, len(out) > 0, nil
	case "list":
		vs, ok := q.byKey[rxName(mem)]
		if !ok {
			return nil, false, nil
		}
		l := make([]any, 0, len(vs))
		for _, text := range vs {
			v, err := rxScalar(s.Member, text, xmlTimeISO8601)
			if err != nil {
				return nil, false, err
			}
			l = append(l, v)
		}
		return l, true, nil
	}
	text, ok := q.first(rxName(mem))
	if !ok {
		return nil, false, nil
	}
	v, err := rxScalar(mem, text, xmlTimeISO8601)
	return v, err == nil, err
}

// rxHeaderValue parses a header: a comma-separated list for list members (HTTP dates keep their comma), base64 JSON
// for jsonvalue members, else one scalar with HTTP-date timestamps by default.
func rxHeaderValue(mem *model.Ref, text string) (any, error) {
	s := mem.Shape
	if mem.JSONValue {
		raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(text))
		if err != nil {
			return nil, xmlBadValue(mem, text, "base64-encoded JSON")
		}
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, xmlBadValue(mem, text, "base64-encoded JSON")
		}
		return v, nil
	}
	if s.Type == "list" {
		item := s.Member
		parts := rxSplitHeader(text, item.Shape.Type == "timestamp" && xmlTimestampFormat(item, xmlTimeRFC822) == xmlTimeRFC822)
		l := make([]any, 0, len(parts))
		for _, p := range parts {
			v, err := rxScalar(item, p, xmlTimeRFC822)
			if err != nil {
				return nil, err
			}
			l = append(l, v)
		}
		return l, nil
	}
	if s.Type != "string" {
		text = strings.TrimSpace(text)
	}
	return rxScalar(mem, text, xmlTimeRFC822)
}

// rxSplitHeader splits a list header at commas, honouring double-quoted items. HTTP dates contain a comma of their
// own, so a list of them is split at every other comma.
func rxSplitHeader(text string, httpDates bool) []string {
	if strings.TrimSpace(text) == "" {
		return nil
	}
	var parts []string
	var cur strings.Builder
	quoted := false
	for i := 0; i < len(text); i++ {
		ch := text[i]
		switch {
		case quoted && ch == '\\' && i+1 < len(text):
			i++
			cur.WriteByte(text[i])
		case ch == '"':
			quoted = !quoted
		case ch == ',' && !quoted:
			parts = append(parts, strings.TrimSpace(cur.String()))
			cur.Reset()
		default:
			cur.WriteByte(ch)
		}
	}
	parts = append(parts, strings.TrimSpace(cur.String()))
	if httpDates {
		joined := make([]string, 0, (len(parts)+1)/2)
		for i := 0; i < len(parts); i += 2 {
			if i+1 < len(parts) {
				joined = append(joined, parts[i]+", "+parts[i+1])
			} else {
				joined = append(joined, parts[i])
			}
		}
		parts = joined
	}
	return parts
}

// rxPrefixHeaders collects the headers that start with a headers map's prefix, keyed by the rest of their name in
// lower case (S3's user metadata).
func rxPrefixHeaders(mem *model.Ref, h http.Header) (map[string]any, error) {
	prefix := strings.ToLower(mem.LocationName)
	var out map[string]any
	for name, vs := range h {
		lower := strings.ToLower(name)
		if !strings.HasPrefix(lower, prefix) || len(vs) == 0 {
			continue
		}
		v, err := rxScalar(mem.Shape.Value, strings.Join(vs, ", "), xmlTimeRFC822)
		if err != nil {
			return nil, err
		}
		if out == nil {
			out = map[string]any{}
		}
		out[lower[len(prefix):]] = v
	}
	return out, nil
}

// Encode writes the output's status code member, headers, and payload or XML body, with x-amz-request-id.
func (c *restXMLCodec) Encode(w http.ResponseWriter, op *model.Operation, output map[string]any, meta Meta) error {
	status := op.HTTP.ResponseCode
	if status == 0 {
		status = http.StatusOK
	}
	h := w.Header()
	var body []byte
	contentType := ""
	buf := c.bufs.get()
	xw := xmlWriter{b: *buf, millis: true}
	defer func() { *buf = xw.b; c.bufs.put(buf) }()
	if out := op.Output; out != nil && output != nil {
		s := out.Shape
		hdrs := http.Header{}
		code, err := rxWriteLocated(s, output, hdrs)
		if err != nil {
			return err
		}
		if code != 0 {
			status = code
		}
		for k, vs := range hdrs {
			h[k] = vs
		}
		if s.Payload != "" {
			mem := s.MemberNamed(s.Payload)
			if v, ok := output[s.Payload]; ok && v != nil && mem != nil {
				switch mem.Shape.Type {
				case "blob":
					switch b := v.(type) {
					case []byte:
						body = b
					case string:
						body = []byte(b)
					default:
						return xmlTypeError(mem, v)
					}
					contentType = "application/octet-stream"
				case "string":
					str, ok := v.(string)
					if !ok {
						return xmlTypeError(mem, v)
					}
					body = []byte(str)
					contentType = "text/plain"
				default:
					xw.b = append(xw.b, xmlDeclaration...)
					ref := *mem
					if ref.XMLNamespace == nil && mem.Shape.XMLNamespace == nil {
						ref.XMLNamespace = c.namespace(op.Service)
					}
					if err := xw.writeMember(&ref, rxPayloadName(mem), v, 0); err != nil {
						return err
					}
					body = xw.b
					contentType = "application/xml"
				}
			}
		} else if rxHasBodyMembers(s, output) {
			xw.b = append(xw.b, xmlDeclaration...)
			if err := c.writeDocument(&xw, op, s, output); err != nil {
				return err
			}
			body = xw.b
			contentType = "application/xml"
		}
	}
	if contentType != "" && h.Get("Content-Type") == "" {
		h.Set("Content-Type", contentType)
	}
	rxRequestIDs(h, meta.RequestID)
	// A HEAD response (HeadObject) declares the length of the body it does not carry.
	if len(body) > 0 || h.Get("Content-Length") == "" {
		h.Set("Content-Length", strconv.Itoa(len(body)))
	}
	w.WriteHeader(status)
	if len(body) > 0 {
		_, _ = w.Write(body)
	}
	return nil
}

// writeDocument writes the body members of an output as one document. Its root is the shape's locationName, else
// the element S3 names it with (the botocore models drop that name), else the shape's name.
func (c *restXMLCodec) writeDocument(xw *xmlWriter, op *model.Operation, s *model.Shape, output map[string]any) error {
	root := s.LocationName
	if root == "" && op.Service != nil && op.Service.Metadata.ServiceID == "S3" {
		root = s3RootElement(op.Name)
	}
	if root == "" {
		root = s.Name
	}
	ns := s.XMLNamespace
	if ns == nil {
		ns = c.namespace(op.Service)
	}
	// GetBucketLocation's document is its one member's element itself: <LocationConstraint>region</…>.
	for _, mem := range s.Members {
		if xmlInBody(mem) && !mem.XMLAttribute && xmlElementName(mem) == root && mem.Shape.IsScalar() {
			text, err := xw.scalarText(mem, output[mem.Name], xmlTimeISO8601)
			if err != nil {
				return err
			}
			xw.start(root, ns)
			xw.text(text)
			xw.end(root)
			return nil
		}
	}
	return xw.writeStructure(&model.Ref{Shape: s, XMLNamespace: ns}, root, output, 0)
}

// namespace returns the XML namespace of svc's documents, or nil.
func (c *restXMLCodec) namespace(svc *model.Service) *model.XMLNamespace {
	if svc == nil {
		return nil
	}
	return c.routesOf(svc).ns
}

// rxPayloadName returns the root element of a structure payload. A member locationName that only repeats the
// member's name (as botocore writes it for every payload) yields to the shape's own name.
func rxPayloadName(mem *model.Ref) string {
	if mem.LocationName != "" && mem.LocationName != mem.Name {
		return mem.LocationName
	}
	if mem.Shape.LocationName != "" {
		return mem.Shape.LocationName
	}
	if mem.LocationName != "" {
		return mem.LocationName
	}
	return mem.Shape.Name
}

func rxHasBodyMembers(s *model.Shape, m map[string]any) bool {
	for _, mem := range s.Members {
		if !xmlInBody(mem) {
			continue
		}
		if v, ok := m[mem.Name]; ok && v != nil {
			return true
		}
	}
	return false
}

// rxWriteLocated writes the header and headers members of m into h, and returns the status code member's value.
func rxWriteLocated(s *model.Shape, m map[string]any, h http.Header) (int, error) {
	status := 0
	for _, mem := range s.Members {
		v, ok := m[mem.Name]
		if !ok || v == nil {
			continue
		}
		switch mem.Location {
		case "statusCode":
			n, ok := xmlInt(v)
			if !ok || n < 100 || n > 999 {
				return 0, xmlTypeError(mem, v)
			}
			status = int(n)
		case "header":
			text, err := rxHeaderText(mem, v)
			if err != nil {
				return 0, err
			}
			h.Set(rxName(mem), text)
		case "headers":
			mv, ok := v.(map[string]any)
			if !ok {
				return 0, xmlTypeError(mem, v)
			}
			for _, k := range xmlSortedKeys(mv) {
				text, err := xmlScalarText(mem.Shape.Value, mv[k], xmlTimeRFC822, false)
				if err != nil {
					return 0, err
				}
				h.Set(mem.LocationName+k, text)
			}
		}
	}
	return status, nil
}

// rxHeaderText renders a header member: lists comma-separated (items with commas or quotes quoted, HTTP dates
// not), jsonvalue members as base64 JSON, timestamps as HTTP dates unless the model says otherwise.
func rxHeaderText(mem *model.Ref, v any) (string, error) {
	if mem.JSONValue {
		raw, err := json.Marshal(v)
		if err != nil {
			return "", err
		}
		return base64.StdEncoding.EncodeToString(raw), nil
	}
	if mem.Shape.Type == "list" {
		l, ok := v.([]any)
		if !ok {
			return "", xmlTypeError(mem, v)
		}
		item := mem.Shape.Member
		parts := make([]string, len(l))
		for i, e := range l {
			text, err := xmlScalarText(item, e, xmlTimeRFC822, false)
			if err != nil {
				return "", err
			}
			if item.Shape.Type != "timestamp" && strings.ContainsAny(text, `,"`) {
				text = strconv.Quote(text)
			}
			parts[i] = text
		}
		return strings.Join(parts, ", "), nil
	}
	return xmlScalarText(mem, v, xmlTimeRFC822, false)
}

// rxRequestIDs sets S3's request id headers. x-amz-id-2 (S3's "host id") is derived from the request id, so that a
// response is a function of its request.
func rxRequestIDs(h http.Header, requestID string) {
	if requestID == "" {
		return
	}
	h.Set("x-amz-request-id", requestID)
	h.Set("x-amz-id-2", rxHostID(requestID))
}

func rxHostID(requestID string) string {
	return base64.StdEncoding.EncodeToString([]byte(requestID))
}

// Resolve fills in the code, status and message that err leaves to the protocol.
func (c *restXMLCodec) Resolve(svc *model.Service, err *awserr.Error) *awserr.Error {
	r, _ := resolve(svc, err, restXMLKind)
	return r
}

// EncodeError writes S3's <Error><Code/><Message/>…fields…<RequestId/><HostId/></Error>; modelled fields located in
// headers or the status code go there.
func (c *restXMLCodec) EncodeError(w http.ResponseWriter, svc *model.Service, op *model.Operation, err *awserr.Error, meta Meta) {
	e := xmlResolveError(svc, err, restXMLKind)
	h := w.Header()
	if e.shape != nil && len(e.fields) > 0 {
		hdrs := http.Header{}
		if code, werr := rxWriteLocated(e.shape, e.fields, hdrs); werr == nil {
			for k, vs := range hdrs {
				h[k] = vs
			}
			if code != 0 && err.Status == 0 {
				e.status = code
			}
		}
	}
	buf := c.bufs.get()
	xw := xmlWriter{b: *buf, millis: true}
	defer func() { *buf = xw.b; c.bufs.put(buf) }()
	xw.b = append(xw.b, xmlDeclaration...)
	xw.start("Error", nil)
	xw.element("Code", e.code)
	if e.message != "" {
		xw.element("Message", e.message)
	}
	e.writeFields(&xw)
	if meta.RequestID != "" {
		xw.element("RequestId", meta.RequestID)
		xw.element("HostId", rxHostID(meta.RequestID))
	}
	xw.end("Error")
	h.Set("Content-Type", "application/xml")
	rxRequestIDs(h, meta.RequestID)
	h.Set("Content-Length", strconv.Itoa(len(xw.b)))
	w.WriteHeader(e.status)
	_, _ = w.Write(xw.b)
}

// ValidationError answers as S3 answers a request argument it refuses: InvalidArgument, naming the argument.
func (c *restXMLCodec) ValidationError(violations []Violation) *awserr.Error {
	v := violations[0]
	name := v.Path
	if v.Ref != nil {
		name = rxName(v.Ref)
	}
	e := &awserr.Error{Kind: awserr.KindValidation, Code: "InvalidArgument", Status: 400,
		Fields: map[string]any{"ArgumentName": name}}
	if v.Missing {
		e.Message = "Missing required argument " + name + "."
		return e
	}
	var b strings.Builder
	if v.Ref == nil || v.Ref.Shape == nil || !v.Ref.Shape.Sensitive {
		vmValue(&b, v.Value, vmRefShape(v.Ref))
	}
	e.Fields["ArgumentValue"] = b.String()
	e.Message = "Invalid argument " + name + ": " + v.Constraint
	return e
}

// restXMLKind is how S3 answers each kind of error (S3 API Reference, "Error responses").
func restXMLKind(k awserr.Kind) (code string, status int, message string) {
	switch k {
	case awserr.KindMissingAuthentication, awserr.KindAccessDenied:
		return "AccessDenied", 403, "Access Denied"
	case awserr.KindIncompleteSignature:
		return "AuthorizationHeaderMalformed", 400, "The authorization header is malformed."
	case awserr.KindUnknownAccessKey:
		return "InvalidAccessKeyId", 403, "The AWS Access Key Id you provided does not exist in our records."
	case awserr.KindSignatureMismatch:
		return "SignatureDoesNotMatch", 403, "The request signature we calculated does not match the signature you provided. Check your key and signing method."
	case awserr.KindClockSkew:
		return "RequestTimeTooSkewed", 403, "The difference between the request time and the current time is too large."
	case awserr.KindRequestExpired:
		return "AccessDenied", 403, "Request has expired"
	case awserr.KindExpiredToken:
		return "ExpiredToken", 400, "The provided token has expired."
	case awserr.KindValidation, awserr.KindMissingParameter:
		return "InvalidArgument", 400, "Invalid Argument"
	case awserr.KindMalformedInput:
		return "MalformedXML", 400, "The XML you provided was not well-formed or did not validate against our published schema"
	case awserr.KindUnknownOperation:
		return "MethodNotAllowed", 405, "The specified method is not allowed against this resource."
	case awserr.KindNotImplemented:
		return "NotImplemented", 501, "A header you provided implies functionality that is not implemented"
	case awserr.KindInternal:
		return "InternalError", 500, "We encountered an internal error. Please try again."
	case awserr.KindDryRun:
		return "DryRunOperation", 412, "Request would have succeeded, but DryRun flag is set."
	}
	return "", 400, ""
}

// s3RootElement names the document element of an S3 operation's response. Smithy's S3 model names them (xmlName
// on the output structures) but botocore's conversion drops the names; these are the names the S3 API Reference
// documents and S3 sends.
func s3RootElement(op string) string {
	switch op {
	case "ListBuckets":
		return "ListAllMyBucketsResult"
	case "ListDirectoryBuckets":
		return "ListAllMyDirectoryBucketsResult"
	case "ListObjects", "ListObjectsV2":
		return "ListBucketResult"
	case "ListObjectVersions":
		return "ListVersionsResult"
	case "ListMultipartUploads":
		return "ListMultipartUploadsResult"
	case "ListParts":
		return "ListPartsResult"
	case "CreateMultipartUpload":
		return "InitiateMultipartUploadResult"
	case "CompleteMultipartUpload":
		return "CompleteMultipartUploadResult"
	case "DeleteObjects":
		return "DeleteResult"
	case "GetBucketLocation":
		return "LocationConstraint"
	case "GetBucketTagging", "GetObjectTagging":
		return "Tagging"
	case "GetBucketAcl", "GetObjectAcl":
		return "AccessControlPolicy"
	case "GetBucketVersioning":
		return "VersioningConfiguration"
	case "GetBucketCors":
		return "CORSConfiguration"
	case "GetBucketLifecycleConfiguration", "GetBucketLifecycle":
		return "LifecycleConfiguration"
	case "GetBucketWebsite":
		return "WebsiteConfiguration"
	case "GetBucketLogging":
		return "BucketLoggingStatus"
	case "GetBucketNotificationConfiguration", "GetBucketNotification":
		return "NotificationConfiguration"
	case "GetBucketRequestPayment":
		return "RequestPaymentConfiguration"
	case "GetBucketAccelerateConfiguration":
		return "AccelerateConfiguration"
	case "GetObjectAttributes":
		return "GetObjectAttributesResponse"
	case "GetBucketReplication":
		return "ReplicationConfiguration"
	case "ListBucketAnalyticsConfigurations":
		return "ListBucketAnalyticsConfigurationResult"
	case "ListBucketMetricsConfigurations":
		return "ListMetricsConfigurationsResult"
	case "ListBucketInventoryConfigurations":
		return "ListInventoryConfigurationsResult"
	case "ListBucketIntelligentTieringConfigurations":
		return "ListBucketIntelligentTieringConfigurationsOutput"
	case "CreateSession":
		return "CreateSessionResult"
	}
	return ""
}
