package protocol

// The query protocol (IAM, STS): requests are form-encoded parameters naming an Action and a Version, responses and
// errors are XML documents. The form decoder here is shared with the ec2 protocol, which names parameters
// differently.

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/sagebox/sagebox/internal/awserr"
	"github.com/sagebox/sagebox/internal/model"
)

// Query returns the codec of the query protocol. Create it once and share it: it caches per-shape lookups. It is
// safe for concurrent use.
func Query() Codec {
	return &queryCodec{forms: formIndexes{style: formQuery}}
}

type queryCodec struct {
	forms formIndexes
	bufs  xmlBufPool
}

var _ Codec = (*queryCodec)(nil)

func (c *queryCodec) Name() string { return "query" }

// Decode reads the form parameters of the URL and, for a form-encoded body, of the body. An operation that the model
// does not have, or a Version other than the model's, is InvalidAction, as AWS answers both.
func (c *queryCodec) Decode(svc *model.Service, r *http.Request, body []byte) (*model.Operation, map[string]any, error) {
	pairs, err := formPairs(r, body)
	if err != nil {
		return nil, nil, err
	}
	action, version, hasVersion := formActionVersion(pairs)
	if action == "" {
		return nil, nil, &awserr.Error{Kind: awserr.KindUnknownOperation, Code: "MissingAction", Message: "Missing Action", Status: 400}
	}
	op := svc.Operations[action]
	if op == nil || !hasVersion || version != svc.Metadata.APIVersion {
		return nil, nil, awserr.Newf(awserr.KindUnknownOperation, "Could not find operation %s for version %s", action, version)
	}
	input, err := formDecode(&c.forms, op, pairs)
	if err != nil {
		return nil, nil, err
	}
	return op, input, nil
}

// Encode writes <OpResponse xmlns=NS><OpResult>…</OpResult><ResponseMetadata>…</ResponseMetadata></OpResponse>,
// indented as IAM and STS indent.
func (c *queryCodec) Encode(w http.ResponseWriter, op *model.Operation, output map[string]any, meta Meta) error {
	buf := c.bufs.get()
	xw := xmlWriter{b: *buf, indent: "  "}
	defer func() { *buf = xw.b; c.bufs.put(buf) }()
	name := op.Name + "Response"
	xw.start(name, xmlServiceNamespace(op.Service))
	if op.Output != nil {
		wrapper := op.Output.ResultWrapper
		if wrapper == "" {
			wrapper = op.Name + "Result"
		}
		attrs, err := xmlAttrs(op.Output.Shape, output)
		if err != nil {
			return err
		}
		xw.start(wrapper, nil, attrs...)
		if err := xw.writeMembers(op.Output.Shape, output, 0); err != nil {
			return err
		}
		xw.end(wrapper)
	}
	xw.start("ResponseMetadata", nil)
	xw.element("RequestId", meta.RequestID)
	xw.end("ResponseMetadata")
	xw.end(name)
	xw.b = append(xw.b, '\n')
	writeXMLResponse(w, http.StatusOK, "text/xml", "x-amzn-RequestId", meta.RequestID, xw.b)
	return nil
}

// EncodeError writes <ErrorResponse xmlns=NS><Error><Type/><Code/><Message/>…</Error><RequestId/></ErrorResponse>.
func (c *queryCodec) EncodeError(w http.ResponseWriter, svc *model.Service, op *model.Operation, err *awserr.Error, meta Meta) {
	e := xmlResolveError(svc, err, queryKind)
	buf := c.bufs.get()
	xw := xmlWriter{b: *buf, indent: "  "}
	defer func() { *buf = xw.b; c.bufs.put(buf) }()
	xw.start("ErrorResponse", xmlServiceNamespace(svc))
	xw.start("Error", nil)
	if e.receiver {
		xw.element("Type", "Receiver")
	} else {
		xw.element("Type", "Sender")
	}
	xw.element("Code", e.code)
	if e.message != "" {
		xw.element("Message", e.message)
	}
	e.writeFields(&xw)
	xw.end("Error")
	xw.element("RequestId", meta.RequestID)
	xw.end("ErrorResponse")
	xw.b = append(xw.b, '\n')
	writeXMLResponse(w, e.status, "text/xml", "x-amzn-RequestId", meta.RequestID, xw.b)
}

// Resolve fills in the code, status and message that err leaves to the query protocol.
func (c *queryCodec) Resolve(svc *model.Service, err *awserr.Error) *awserr.Error {
	r, _ := resolve(svc, err, queryKind)
	return r
}

// ValidationError is ValidationError with the message of AWS's request framework.
func (c *queryCodec) ValidationError(violations []Violation) *awserr.Error {
	return &awserr.Error{Kind: awserr.KindValidation, Code: "ValidationError", Message: ValidationMessage(PatternFirst(violations)), Status: 400}
}

// queryKind is how IAM and STS answer each kind of error: code, status and the message when the error has none.
func queryKind(k awserr.Kind) (code string, status int, message string) {
	switch k {
	case awserr.KindMissingAuthentication:
		return "MissingAuthenticationToken", 403, "Request is missing Authentication Token"
	case awserr.KindIncompleteSignature:
		return "IncompleteSignature", 403, "The request signature does not conform to AWS standards."
	case awserr.KindUnknownAccessKey:
		return "InvalidClientTokenId", 403, "The security token included in the request is invalid."
	case awserr.KindSignatureMismatch, awserr.KindClockSkew:
		return "SignatureDoesNotMatch", 403, "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	case awserr.KindRequestExpired:
		return "RequestExpired", 400, "Request has expired."
	case awserr.KindExpiredToken:
		return "ExpiredToken", 403, "The security token included in the request is expired"
	case awserr.KindAccessDenied:
		return "AccessDenied", 403, "Access denied"
	case awserr.KindValidation, awserr.KindMissingParameter:
		return "ValidationError", 400, ""
	case awserr.KindMalformedInput:
		return "MalformedInput", 400, "The request could not be parsed."
	case awserr.KindUnknownOperation:
		return "InvalidAction", 400, "The action or operation requested is invalid. Verify that the action is typed correctly."
	case awserr.KindNotImplemented:
		return "NotImplemented", 501, "The operation is not implemented."
	case awserr.KindInternal:
		return "InternalFailure", 500, "The request processing has failed because of an unknown error, exception or failure."
	case awserr.KindDryRun:
		return "DryRunOperation", 412, "Request would have succeeded, but DryRun flag is set."
	}
	return "", 400, ""
}

// xmlServiceNamespace returns the model's XML namespace as an xmlns declaration, or nil.
func xmlServiceNamespace(svc *model.Service) *model.XMLNamespace {
	if svc == nil || svc.Metadata.XMLNamespace == "" {
		return nil
	}
	return &model.XMLNamespace{URI: svc.Metadata.XMLNamespace}
}

// writeXMLResponse writes a complete response: headers, status and body.
func writeXMLResponse(w http.ResponseWriter, status int, contentType, idHeader, requestID string, body []byte) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	if requestID != "" {
		h.Set(idHeader, requestID)
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// xmlError is an *awserr.Error resolved for one protocol.
type xmlError struct {
	code, message string
	status        int
	receiver      bool
	// shape is the model's error shape for the code, or nil.
	shape  *model.Shape
	fields map[string]any
}

// xmlResolveError resolves err for an XML protocol. S3 puts the text of some errors in a Message field.
func xmlResolveError(svc *model.Service, err *awserr.Error, kind kindTable) xmlError {
	r, shape := resolve(svc, err, kind)
	e := xmlError{code: r.Code, message: r.Message, status: r.Status, receiver: r.Receiver, shape: shape, fields: r.Fields}
	if e.message == "" && r.Fields != nil {
		for _, k := range []string{"Message", "message"} {
			if m, ok := r.Fields[k].(string); ok {
				e.message = m
				break
			}
		}
	}
	return e
}

// writeFields writes the error's extra fields as elements: the modelled ones in model order with their types, the
// others (S3 writes fields its model does not list, such as BucketName) as text in key order. Members located in
// headers or the status code are not part of the body; Message was written already.
func (e *xmlError) writeFields(w *xmlWriter) {
	if len(e.fields) == 0 {
		return
	}
	done := map[string]bool{"Message": true, "message": true, "Code": true, "Type": true, "RequestId": true}
	if e.shape != nil {
		for _, mem := range e.shape.Members {
			done[mem.Name] = true
			v, ok := e.fields[mem.Name]
			if !ok || v == nil || !xmlInBody(mem) || mem.XMLAttribute || mem.Name == "Message" || mem.Name == "message" {
				continue
			}
			mark := len(w.b)
			openDepth := len(w.open)
			if err := w.writeMember(mem, xmlElementName(mem), v, 0); err != nil {
				// A field of the wrong type is dropped rather than failing the whole error response.
				w.b = w.b[:mark]
				w.open = w.open[:openDepth]
			}
		}
	}
	for _, k := range xmlSortedKeys(e.fields) {
		if done[k] {
			continue
		}
		if text, ok := xmlPlainText(e.fields[k]); ok {
			w.element(k, text)
		}
	}
}

// xmlPlainText renders an unmodelled scalar field.
func xmlPlainText(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case bool:
		return strconv.FormatBool(x), true
	}
	if n, ok := xmlInt(v); ok {
		return strconv.FormatInt(n, 10), true
	}
	if f, ok := xmlFloat(v); ok {
		return xmlFormatFloat(f), true
	}
	return "", false
}

// formStyle is how a protocol names form parameters.
type formStyle uint8

const (
	// formQuery: member locationName or name; wrapped lists as Name.member.N, maps as Name.entry.N.key.
	formQuery formStyle = iota
	// formEC2: queryName, else locationName or name with a capital first letter; every list flattened as Name.N.
	formEC2
)

// formMaxDepth bounds the number of dot-separated parts of a parameter name.
const formMaxDepth = 64

// formIndexes caches, per structure shape, its members by parameter name.
type formIndexes struct {
	style formStyle
	m     sync.Map // *model.Shape → map[string]*model.Ref
}

func (c *formIndexes) of(s *model.Shape) map[string]*model.Ref {
	if v, ok := c.m.Load(s); ok {
		return v.(map[string]*model.Ref)
	}
	idx := make(map[string]*model.Ref, len(s.Members))
	for _, mem := range s.Members {
		idx[c.style.memberName(mem)] = mem
	}
	v, _ := c.m.LoadOrStore(s, idx)
	return v.(map[string]*model.Ref)
}

// memberName returns the parameter name of a structure member.
func (st formStyle) memberName(ref *model.Ref) string {
	if st == formEC2 {
		switch {
		case ref.QueryName != "":
			return ref.QueryName
		case ref.LocationName != "":
			return formUpperFirst(ref.LocationName)
		}
		return formUpperFirst(ref.Name)
	}
	return xmlElementName(ref)
}

func formUpperFirst(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

// formPair is one name=value parameter, unescaped.
type formPair struct{ k, v string }

// formPairs returns the parameters of the URL's query string followed by those of the body when the body is a form
// (a form content type, or none at all).
func formPairs(r *http.Request, body []byte) ([]formPair, error) {
	var pairs []formPair
	var err error
	if r.URL != nil && r.URL.RawQuery != "" {
		if pairs, err = formAppendPairs(pairs, r.URL.RawQuery); err != nil {
			return nil, err
		}
	}
	if len(body) > 0 {
		ct := r.Header.Get("Content-Type")
		if ct == "" || strings.HasPrefix(strings.ToLower(ct), "application/x-www-form-urlencoded") {
			if pairs, err = formAppendPairs(pairs, string(body)); err != nil {
				return nil, err
			}
		}
	}
	return pairs, nil
}

func formAppendPairs(pairs []formPair, s string) ([]formPair, error) {
	if pairs == nil {
		pairs = make([]formPair, 0, strings.Count(s, "&")+1)
	}
	for s != "" {
		var part string
		part, s, _ = strings.Cut(s, "&")
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		k, err := formUnescape(k)
		if err != nil {
			return nil, err
		}
		if v, err = formUnescape(v); err != nil {
			return nil, err
		}
		pairs = append(pairs, formPair{k, v})
	}
	return pairs, nil
}

func formUnescape(s string) (string, error) {
	if strings.IndexByte(s, '%') < 0 && strings.IndexByte(s, '+') < 0 {
		return s, nil
	}
	u, err := url.QueryUnescape(s)
	if err != nil {
		return "", xmlMalformed("The query string is malformed: %v", err)
	}
	return u, nil
}

// formActionVersion returns the Action and Version parameters.
func formActionVersion(pairs []formPair) (action, version string, hasVersion bool) {
	for _, p := range pairs {
		switch p.k {
		case "Action":
			action = p.v
		case "Version":
			version, hasVersion = p.v, true
		}
	}
	return action, version, hasVersion
}

// formSkip reports parameters that belong to the request rather than the operation: Action and Version, and the
// authentication parameters of presigned URLs (SigV4's X-Amz-*, SigV2's). A member of the same name wins.
func formSkip(k string) bool {
	switch k {
	case "Action", "Version", "AWSAccessKeyId", "Signature", "SignatureMethod", "SignatureVersion", "Timestamp", "Expires", "SecurityToken":
		return true
	}
	return strings.HasPrefix(k, "X-Amz-") || strings.HasPrefix(k, "x-amz-")
}

// formDecode decodes the parameters of op's input.
func formDecode(idx *formIndexes, op *model.Operation, pairs []formPair) (map[string]any, error) {
	input := make(map[string]any, len(pairs))
	if op.Input == nil {
		return input, nil
	}
	d := formDecoder{idx: idx}
	members := idx.of(op.Input.Shape)
	for _, p := range pairs {
		if formSkip(p.k) && members[p.k] == nil {
			continue
		}
		if strings.Count(p.k, ".") >= formMaxDepth {
			return nil, xmlMalformed("The parameter name %.100q has too many parts.", p.k)
		}
		d.key = p.k
		if _, err := d.set(op.Input, input, p.k, p.v, 0); err != nil {
			return nil, err
		}
	}
	formFinish(op.Input.Shape, input)
	return input, nil
}

// formDecoder places parameters into a value tree under construction, where lists and maps are kept by index
// (formList, formMap) until formFinish orders them.
type formDecoder struct {
	idx *formIndexes
	key string // the whole parameter name, for errors
}

// set places the value of the parameter whose name, below ref, is rest into cur (the value of ref so far, or nil),
// and returns the new value of ref, or cur when the parameter names nothing.
func (d *formDecoder) set(ref *model.Ref, cur any, rest, val string, depth int) (any, error) {
	if depth > formMaxDepth {
		return nil, xmlMalformed("The parameter name %.100q has too many parts.", d.key)
	}
	s := ref.Shape
	switch s.Type {
	case "structure":
		if rest == "" {
			return cur, nil
		}
		seg, tail := formCut(rest)
		mem := d.idx.of(s)[seg]
		if mem == nil {
			return cur, d.unknown()
		}
		m, _ := cur.(map[string]any)
		v, err := d.set(mem, m[mem.Name], tail, val, depth+1)
		if err != nil || v == nil {
			return cur, err
		}
		if m == nil {
			m = make(map[string]any, 4)
		}
		m[mem.Name] = v
		return m, nil
	case "list":
		l, _ := cur.(*formList)
		if rest == "" {
			if val == "" && l == nil {
				return &formList{}, nil // "Name=" is an empty list
			}
			return cur, nil
		}
		seg, tail := formCut(rest)
		if d.idx.style != formEC2 && !xmlIsFlattened(ref) {
			if seg != xmlListItemName(s) {
				return cur, d.unknown()
			}
			if tail == "" {
				return cur, nil
			}
			seg, tail = formCut(tail)
		}
		n, err := d.index(seg)
		if err != nil {
			return nil, err
		}
		v, err := d.set(s.Member, l.get(n), tail, val, depth+1)
		if err != nil || v == nil {
			return cur, err
		}
		if l == nil {
			l = &formList{}
		}
		l.put(n, v)
		return l, nil
	case "map":
		fm, _ := cur.(*formMap)
		if rest == "" {
			if val == "" && fm == nil {
				return &formMap{}, nil
			}
			return cur, nil
		}
		seg, tail := formCut(rest)
		if !xmlIsFlattened(ref) {
			if seg != "entry" {
				return cur, d.unknown()
			}
			seg, tail = formCut(tail)
		}
		n, err := d.index(seg)
		if err != nil {
			return nil, err
		}
		keyName, valueName := xmlMapKeyNames(s)
		part, tail := formCut(tail)
		var entry *formEntry
		if fm != nil {
			entry, _ = fm.entries.get(n).(*formEntry)
		}
		switch {
		case part == keyName && tail == "":
			if entry == nil {
				entry = &formEntry{}
			}
			entry.key, entry.hasKey = val, true
		case part == valueName:
			var old any
			if entry != nil {
				old = entry.val
			}
			v, err := d.set(s.Value, old, tail, val, depth+1)
			if err != nil || v == nil {
				return cur, err
			}
			if entry == nil {
				entry = &formEntry{}
			}
			entry.val = v
		default:
			return cur, d.unknown()
		}
		if fm == nil {
			fm = &formMap{}
		}
		fm.entries.put(n, entry)
		return fm, nil
	}
	if rest != "" {
		return cur, d.unknown()
	}
	return xmlParseScalar(ref, val, xmlTimeISO8601)
}

// unknown answers a parameter that names no member: EC2 refuses it, query services ignore it.
func (d *formDecoder) unknown() error {
	if d.idx.style == formEC2 {
		return awserr.New("UnknownParameter", "The parameter %s is not recognized", d.key).WithStatus(400)
	}
	return nil
}

// index parses a list or map position, counted from 1.
func (d *formDecoder) index(seg string) (int, error) {
	n, err := strconv.Atoi(seg)
	if err != nil || n < 1 || n > 1<<31-1 || seg[0] == '+' {
		return 0, xmlMalformed("The parameter %.100q has %.20q where a position (1, 2, …) belongs.", d.key, seg)
	}
	return n, nil
}

func formCut(s string) (seg, tail string) {
	seg, tail, _ = strings.Cut(s, ".")
	return seg, tail
}

// formList is a list under construction: values by their position in the request.
type formList struct {
	idx  []int
	vals []any
	// pos indexes positions once a list grows past a few items, so that a request listing items out of order
	// cannot make decoding quadratic.
	pos map[int]int
}

func (l *formList) get(n int) any {
	if l == nil {
		return nil
	}
	if i, ok := l.find(n); ok {
		return l.vals[i]
	}
	return nil
}

func (l *formList) find(n int) (int, bool) {
	if k := len(l.idx); k > 0 && l.idx[k-1] == n {
		return k - 1, true
	}
	if l.pos != nil {
		i, ok := l.pos[n]
		return i, ok
	}
	for i, m := range l.idx {
		if m == n {
			return i, true
		}
	}
	return 0, false
}

func (l *formList) put(n int, v any) {
	if i, ok := l.find(n); ok {
		l.vals[i] = v
		return
	}
	l.idx = append(l.idx, n)
	l.vals = append(l.vals, v)
	if l.pos == nil && len(l.idx) > 16 {
		l.pos = make(map[int]int, len(l.idx)*2)
		for i, m := range l.idx {
			l.pos[m] = i
		}
	} else if l.pos != nil {
		l.pos[n] = len(l.idx) - 1
	}
}

// sorted returns the values in position order.
func (l *formList) sorted() []any {
	order := make([]int, len(l.idx))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool { return l.idx[order[a]] < l.idx[order[b]] })
	out := make([]any, len(order))
	for i, o := range order {
		out[i] = l.vals[o]
	}
	return out
}

// formMap is a map under construction: entries by position.
type formMap struct{ entries formList }

type formEntry struct {
	key    string
	hasKey bool
	val    any
}

// formFinish turns the lists and maps under construction in structure m into []any and map[string]any, in position
// order. A map entry that lacks its key or its value is dropped.
func formFinish(s *model.Shape, m map[string]any) {
	for k, v := range m {
		if mem := s.MemberNamed(k); mem != nil {
			m[k] = formFinishValue(mem, v)
		}
	}
}

func formFinishValue(ref *model.Ref, v any) any {
	switch x := v.(type) {
	case map[string]any:
		formFinish(ref.Shape, x)
		return x
	case *formList:
		out := x.sorted()
		for i, e := range out {
			out[i] = formFinishValue(ref.Shape.Member, e)
		}
		return out
	case *formMap:
		out := make(map[string]any, len(x.entries.vals))
		for _, e := range x.entries.sorted() {
			entry := e.(*formEntry)
			if !entry.hasKey || entry.val == nil {
				continue
			}
			out[entry.key] = formFinishValue(ref.Shape.Value, entry.val)
		}
		return out
	}
	return v
}
