package protocol

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/sagebox/sagebox/internal/awserr"
	"github.com/sagebox/sagebox/internal/model"
)

// JSON returns the codec of AWS's json protocol (awsJson1_1, and awsJson1_0 alike), which SageMaker and CloudWatch
// Logs speak: a POST whose X-Amz-Target header names the operation ("SageMaker.CreateDomain") and whose body is a
// JSON object following the input shape; responses are JSON objects, errors {"__type": code, "message": text}.
func JSON() Codec {
	return &jsonCodec{}
}

// jsonCodec is stateless but for a pool of response buffers, which only saves allocations.
type jsonCodec struct {
	bufs sync.Pool // *[]byte
}

var _ Codec = (*jsonCodec)(nil)

const (
	// maxJSONBody bounds the request body the codec will parse. The largest inputs of the served models are far
	// smaller (PutLogEvents takes at most 1 MiB of events).
	maxJSONBody = 16 << 20
	// maxJSONDepth bounds the nesting of objects and arrays, so that a hostile body cannot exhaust the stack.
	maxJSONDepth = 128
)

func (c *jsonCodec) Name() string { return "json" }

// Decode finds the operation in X-Amz-Target and decodes the body. Content-Type is not checked: clients send
// application/x-amz-json-1.1 or 1.0, and the router has already chosen this codec.
func (c *jsonCodec) Decode(svc *model.Service, r *http.Request, body []byte) (*model.Operation, map[string]any, error) {
	op := jsonOperation(svc, r.Header.Get("X-Amz-Target"))
	if op == nil {
		// AWS answers an unknown or missing target with the bare code and no message.
		return nil, nil, &awserr.Error{Kind: awserr.KindUnknownOperation, Code: "UnknownOperationException"}
	}
	if len(body) > maxJSONBody {
		return op, nil, &awserr.Error{Kind: awserr.KindMalformedInput, Code: "SerializationException",
			Status: http.StatusRequestEntityTooLarge, Detail: fmt.Sprintf("body of %d bytes", len(body))}
	}
	in, err := decodeJSONBody(op.Input, body)
	if err != nil {
		return op, nil, err
	}
	return op, in, nil
}

// jsonOperation returns the operation that target ("Prefix.Operation") names in svc, or nil.
func jsonOperation(svc *model.Service, target string) *model.Operation {
	if svc == nil || target == "" {
		return nil
	}
	var name string
	if prefix := svc.Metadata.TargetPrefix; prefix != "" {
		if len(target) <= len(prefix)+1 || target[len(prefix)] != '.' || target[:len(prefix)] != prefix {
			return nil
		}
		name = target[len(prefix)+1:]
	} else {
		name = target[strings.LastIndexByte(target, '.')+1:]
	}
	return svc.Operations[name]
}

// ValidationError renders violations as Coral's ValidationException.
func (c *jsonCodec) ValidationError(violations []Violation) *awserr.Error {
	return &awserr.Error{
		Kind:    awserr.KindValidation,
		Code:    "ValidationException",
		Message: ValidationMessage(violations),
		Status:  http.StatusBadRequest,
	}
}

// jsonKind is how the json protocol names an error of a kind: its code, status and usual message, as AWS's
// front end for json services answers them (json_test.go lists where each was seen).
func jsonKind(k awserr.Kind) (code string, status int, message string) {
	switch k {
	case awserr.KindMissingAuthentication:
		return "MissingAuthenticationTokenException", 400, "Request is missing Authentication Token"
	case awserr.KindIncompleteSignature:
		return "IncompleteSignatureException", 400, ""
	case awserr.KindUnknownAccessKey:
		return "UnrecognizedClientException", 400, "The security token included in the request is invalid."
	case awserr.KindSignatureMismatch:
		return "InvalidSignatureException", 400, "The request signature we calculated does not match the signature " +
			"you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	case awserr.KindClockSkew, awserr.KindRequestExpired:
		return "InvalidSignatureException", 400, ""
	case awserr.KindExpiredToken:
		return "ExpiredTokenException", 400, "The security token included in the request is expired"
	case awserr.KindAccessDenied:
		return "AccessDeniedException", 400, ""
	case awserr.KindValidation, awserr.KindMissingParameter:
		return "ValidationException", 400, ""
	case awserr.KindMalformedInput:
		return "SerializationException", 400, ""
	case awserr.KindUnknownOperation:
		return "UnknownOperationException", 400, ""
	case awserr.KindNotImplemented:
		return "NotImplemented", 501, ""
	case awserr.KindDryRun:
		// EC2's; no json service has DryRun, but an error of the kind must still render.
		return "DryRunOperation", 412, "Request would have succeeded, but DryRun flag is set."
	default:
		return "InternalFailure", 500, ""
	}
}

// Encode writes output as the operation's JSON response.
func (c *jsonCodec) Encode(w http.ResponseWriter, op *model.Operation, output map[string]any, meta Meta) error {
	bp := c.buffer()
	defer c.release(bp)
	b := (*bp)[:0]
	if op != nil && op.Output != nil && op.Output.Shape != nil && output != nil {
		var err error
		if b, err = appendJSONStructure(b, op.Output.Shape, output, 0); err != nil {
			return fmt.Errorf("protocol: json: encoding the output of %s: %w", op.Name, err)
		}
	} else {
		b = append(b, "{}"...)
	}
	*bp = b
	status := http.StatusOK
	var md *model.Metadata
	if op != nil {
		if op.HTTP.ResponseCode != 0 {
			status = op.HTTP.ResponseCode
		}
		if op.Service != nil {
			md = &op.Service.Metadata
		}
	}
	writeJSONResponse(w, md, status, "", meta, b)
	return nil
}

// Resolve fills in the code, status and message that err leaves to the json protocol.
func (c *jsonCodec) Resolve(svc *model.Service, err *awserr.Error) *awserr.Error {
	r, _ := resolve(svc, err, jsonKind)
	return r
}

// EncodeError writes err as {"__type": code, "message": text, …fields} with the x-amzn-ErrorType header.
func (c *jsonCodec) EncodeError(w http.ResponseWriter, svc *model.Service, op *model.Operation, err *awserr.Error, meta Meta) {
	r, shape := resolve(svc, err, jsonKind)
	code, message, status := r.Code, r.Message, r.Status
	fields := r.Fields

	bp := c.buffer()
	defer c.release(bp)
	b := appendJSONError((*bp)[:0], shape, code, message, fields)
	*bp = b
	var md *model.Metadata
	if svc != nil {
		md = &svc.Metadata
	}
	writeJSONResponse(w, md, status, code, meta, b)
}

func (c *jsonCodec) buffer() *[]byte {
	if bp, ok := c.bufs.Get().(*[]byte); ok {
		return bp
	}
	b := make([]byte, 0, 1024)
	return &b
}

// release returns a buffer to the pool, unless a large response grew it: one big list should not pin its
// memory for good.
func (c *jsonCodec) release(bp *[]byte) {
	if cap(*bp) <= 64<<10 {
		c.bufs.Put(bp)
	}
}

// writeJSONResponse writes the headers and body of a response. The version of the content type follows the model
// (SageMaker and Logs are 1.1).
func writeJSONResponse(w http.ResponseWriter, md *model.Metadata, status int, errorType string, meta Meta, body []byte) {
	// The keys are written in canonical form, which spares Header.Set its canonicalization.
	h := w.Header()
	ct := "application/x-amz-json-1.1"
	if md != nil && md.JSONVersion == "1.0" {
		ct = "application/x-amz-json-1.0"
	}
	h["Content-Type"] = []string{ct}
	if meta.RequestID != "" {
		h["X-Amzn-Requestid"] = []string{meta.RequestID}
	}
	if errorType != "" {
		h["X-Amzn-Errortype"] = []string{errorType}
	}
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// appendJSONError appends an error body. The message goes under the name the error shape gives its message member
// (SageMaker's modelled errors say "Message"), else under "message" as Coral writes its own errors; the extra fields
// follow in the shape's member order.
func appendJSONError(b []byte, shape *model.Shape, code, message string, fields map[string]any) []byte {
	b = append(b, `{"__type":`...)
	b = appendJSONString(b, code)
	msgKey, msgMember := "message", ""
	if shape != nil {
		for _, m := range shape.Members {
			if strings.EqualFold(m.Name, "message") {
				msgKey, msgMember = jsonMemberName(m), m.Name
				break
			}
		}
	}
	if message == "" && msgMember != "" {
		if s, ok := fields[msgMember].(string); ok {
			message = s
		}
	}
	if message != "" {
		b = append(b, ',')
		b = appendJSONString(b, msgKey)
		b = append(b, ':')
		b = appendJSONString(b, message)
	}
	done := 0
	if shape != nil {
		for _, m := range shape.Members {
			v, ok := fields[m.Name]
			if !ok {
				continue
			}
			done++
			if m.Name == msgMember || v == nil {
				continue
			}
			mark := len(b)
			b = append(b, ',')
			b = appendJSONString(b, jsonMemberName(m))
			b = append(b, ':')
			var err error
			if b, err = appendJSONValue(b, m, v, 1); err != nil {
				// The error must still be answered: fall back to the value as it is.
				b = appendJSONAny(append(b[:mark], ','), jsonMemberName(m), v)
			}
		}
	}
	if done < len(fields) {
		keys := make([]string, 0, len(fields))
		for k := range fields {
			if shape != nil && shape.MemberNamed(k) != nil || k == "__type" || strings.EqualFold(k, msgKey) && message != "" {
				continue
			}
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if fields[k] == nil {
				continue
			}
			b = appendJSONAny(append(b, ','), k, fields[k])
		}
	}
	return append(b, '}')
}

// appendJSONAny appends "key":value for a value outside the model, falling back to its Go text.
func appendJSONAny(b []byte, key string, v any) []byte {
	b = appendJSONString(b, key)
	b = append(b, ':')
	mark := len(b)
	b, err := appendJSONDocument(b, v, 1)
	if err != nil {
		b = appendJSONString(b[:mark], fmt.Sprint(v))
	}
	return b
}

// jsonMemberName is the name a structure member has on the wire.
func jsonMemberName(m *model.Ref) string {
	if m.LocationName != "" {
		return m.LocationName
	}
	return m.Name
}

// ---- decoding ----

// jsonDecoder walks a request body once, following the input shape, and builds the value tree. Its errors are
// Coral's: a body that is not JSON gets SerializationException without a message, a value of the wrong type the
// text of Coral's deserializer ("NUMBER_VALUE can not be converted to a String").
type jsonDecoder struct {
	data []byte
	// text is data as a string, copied once, so that strings without escapes are substrings of it rather than
	// an allocation each.
	text  string
	pos   int
	depth int
}

// malformed returns the SerializationException of a body that cannot be decoded. msg is empty where AWS sends none.
func malformed(msg string) *awserr.Error {
	return &awserr.Error{Kind: awserr.KindMalformedInput, Code: "SerializationException", Message: msg}
}

// syntax is the answer to a body that is not well-formed JSON: AWS sends the code alone.
func (d *jsonDecoder) syntax() *awserr.Error {
	e := malformed("")
	e.Detail = fmt.Sprintf("malformed JSON at offset %d", d.pos)
	return e
}

// decodeJSONBody decodes a whole request body into the input structure. An empty body is an empty input.
func decodeJSONBody(input *model.Ref, body []byte) (map[string]any, error) {
	d := jsonDecoder{data: body, text: string(body)}
	d.space()
	if d.pos == len(d.data) {
		return map[string]any{}, nil
	}
	var in map[string]any
	switch c := d.data[d.pos]; {
	case c == '[':
		return nil, malformed("Start of list found where not expected")
	case c != '{':
		return nil, d.syntax()
	case input == nil || input.Shape == nil || input.Shape.Type != "structure":
		if err := d.skip(); err != nil {
			return nil, err
		}
		in = map[string]any{}
	default:
		var err error
		if in, err = d.structure(input.Shape); err != nil {
			return nil, err
		}
	}
	d.space()
	if d.pos != len(d.data) {
		return nil, d.syntax()
	}
	return in, nil
}

func (d *jsonDecoder) space() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

func (d *jsonDecoder) enter() error {
	d.depth++
	if d.depth > maxJSONDepth {
		return d.syntax()
	}
	return nil
}

// peek returns the first byte of the next value, after white space, or 0 at the end.
func (d *jsonDecoder) peek() byte {
	d.space()
	if d.pos < len(d.data) {
		return d.data[d.pos]
	}
	return 0
}

// value decodes one value following ref. A JSON null decodes to nil, which callers treat as absent.
func (d *jsonDecoder) value(ref *model.Ref) (any, error) {
	c := d.peek()
	if c == 'n' {
		return nil, d.literal("null")
	}
	s := ref.Shape
	switch s.Type {
	case "structure":
		if s.Document {
			return d.document()
		}
		switch c {
		case '{':
			return d.structure(s)
		case '[':
			return nil, malformed("Start of list found where not expected")
		}
		return nil, d.mismatch("Expected null")
	case "list":
		switch c {
		case '[':
			return d.list(s)
		case '{':
			return nil, malformed("Start of structure or map found where not expected.")
		}
		return nil, d.mismatch("Expected list or null")
	case "map":
		switch c {
		case '{':
			return d.mapValue(s)
		case '[':
			return nil, malformed("Start of list found where not expected")
		}
		return nil, d.mismatch("")
	case "string", "character":
		if c == '"' {
			return d.str()
		}
		return nil, d.scalarMismatch(c, "a String")
	case "byte", "short", "integer", "long":
		if c == '-' || '0' <= c && c <= '9' {
			return d.integer()
		}
		return nil, d.scalarMismatch(c, javaIntegerType(s.Type))
	case "float", "double":
		if c == '-' || '0' <= c && c <= '9' {
			if s.Type == "float" {
				return d.float(32)
			}
			return d.float(64)
		}
		if c == '"' {
			str, err := d.str()
			if err != nil {
				return nil, err
			}
			if f, ok := namedFloat(str); ok {
				return f, nil
			}
			return nil, malformed("STRING_VALUE can not be converted to " + javaFloatType(s.Type))
		}
		return nil, d.scalarMismatch(c, javaFloatType(s.Type))
	case "boolean":
		switch c {
		case 't':
			return true, d.literal("true")
		case 'f':
			return false, d.literal("false")
		case '"':
			// Coral turns any string into true where a boolean is expected (measured against SES v2, 2026-06).
			if _, err := d.str(); err != nil {
				return nil, err
			}
			return true, nil
		}
		return nil, d.scalarMismatch(c, "a Boolean")
	case "timestamp":
		return d.timestamp(ref)
	case "blob":
		if c != '"' {
			return nil, d.scalarMismatch(c, "")
		}
		str, err := d.str()
		if err != nil {
			return nil, err
		}
		b, err := base64.StdEncoding.DecodeString(str)
		if err != nil {
			if b, err = base64.RawStdEncoding.DecodeString(str); err != nil {
				return nil, malformed("")
			}
		}
		return b, nil
	default:
		return nil, d.skip()
	}
}

// mismatch answers a scalar where a structure, list or map was expected: the scalar must be well-formed JSON
// first, since Coral only sees tokens that the JSON parser has read.
func (d *jsonDecoder) mismatch(msg string) error {
	if err := d.skip(); err != nil {
		return err
	}
	return malformed(msg)
}

// scalarMismatch answers a value of the wrong type where a scalar was expected, in Coral's words: the JSON token
// ("NUMBER_VALUE") and the Java type it could not become ("a String"). typ is empty where AWS's text is not known,
// and then no message is sent.
func (d *jsonDecoder) scalarMismatch(c byte, typ string) error {
	switch c {
	case '{':
		return malformed("Start of structure or map found where not expected.")
	case '[':
		return malformed("Start of list found where not expected")
	}
	var token string
	switch c {
	case '"':
		token = "STRING_VALUE"
	case 't':
		token = "TRUE_VALUE"
	case 'f':
		token = "FALSE_VALUE"
	default:
		token = "NUMBER_VALUE"
	}
	if err := d.skip(); err != nil {
		return err
	}
	if typ == "" {
		return malformed("")
	}
	return malformed(token + " can not be converted to " + typ)
}

func javaIntegerType(t string) string {
	switch t {
	case "byte":
		return "a Byte"
	case "short":
		return "a Short"
	case "long":
		return "a Long"
	}
	return "an Integer"
}

func javaFloatType(t string) string {
	if t == "float" {
		return "a Float"
	}
	return "a Double"
}

func (d *jsonDecoder) literal(word string) error {
	if len(d.data)-d.pos < len(word) || string(d.data[d.pos:d.pos+len(word)]) != word {
		return d.syntax()
	}
	d.pos += len(word)
	return nil
}

// structure decodes an object into a structure: members by their wire names, unknown members skipped (after
// checking that they are JSON), null members absent, the last of duplicate members winning.
func (d *jsonDecoder) structure(s *model.Shape) (map[string]any, error) {
	m := map[string]any{}
	err := d.object(func(key []byte, _ int) error {
		mem := jsonMemberFor(s, key)
		if mem == nil {
			return d.skip()
		}
		v, err := d.value(mem)
		if err != nil {
			return err
		}
		if v == nil {
			delete(m, mem.Name)
		} else {
			m[mem.Name] = v
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// object walks the object at d.pos: for each member it reads the key and the colon and calls member, which must
// read the value. start is where the key's text begins, for keyString.
func (d *jsonDecoder) object(member func(key []byte, start int) error) error {
	if err := d.enter(); err != nil {
		return err
	}
	d.pos++ // {
	if d.peek() == '}' {
		d.pos++
		d.depth--
		return nil
	}
	for {
		if d.peek() != '"' {
			return d.syntax()
		}
		start := d.pos + 1
		key, err := d.key()
		if err != nil {
			return err
		}
		if d.peek() != ':' {
			return d.syntax()
		}
		d.pos++
		if err := member(key, start); err != nil {
			return err
		}
		switch d.peek() {
		case ',':
			d.pos++
		case '}':
			d.pos++
			d.depth--
			return nil
		default:
			return d.syntax()
		}
	}
}

// array walks the array at d.pos, calling element for each element, which must read it.
func (d *jsonDecoder) array(element func() error) error {
	if err := d.enter(); err != nil {
		return err
	}
	d.pos++ // [
	if d.peek() == ']' {
		d.pos++
		d.depth--
		return nil
	}
	for {
		if err := element(); err != nil {
			return err
		}
		switch d.peek() {
		case ',':
			d.pos++
		case ']':
			d.pos++
			d.depth--
			return nil
		default:
			return d.syntax()
		}
	}
}

// jsonMemberFor finds the member whose wire name is key. A scan beats a map here: structures are small, and the
// comparison does not allocate.
func jsonMemberFor(s *model.Shape, key []byte) *model.Ref {
	for _, m := range s.Members {
		name := m.LocationName
		if name == "" {
			name = m.Name
		}
		if string(key) == name {
			return m
		}
	}
	return nil
}

// list decodes an array. Null elements are dropped, as Coral drops them.
func (d *jsonDecoder) list(s *model.Shape) ([]any, error) {
	l := []any{}
	err := d.array(func() error {
		v, err := d.value(s.Member)
		if err == nil && v != nil {
			l = append(l, v)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return l, nil
}

// mapValue decodes an object into a map; entries with null values are dropped.
func (d *jsonDecoder) mapValue(s *model.Shape) (map[string]any, error) {
	m := map[string]any{}
	err := d.object(func(key []byte, start int) error {
		v, err := d.value(s.Value)
		if err != nil {
			return err
		}
		k := d.keyString(key, start)
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// document decodes any JSON value as encoding/json decodes into an interface value. Nulls inside a document are
// kept: a document is the client's data, not the model's.
func (d *jsonDecoder) document() (any, error) {
	switch c := d.peek(); {
	case c == '{':
		m := map[string]any{}
		err := d.object(func(key []byte, start int) error {
			v, err := d.document()
			m[d.keyString(key, start)] = v
			return err
		})
		if err != nil {
			return nil, err
		}
		return m, nil
	case c == '[':
		l := []any{}
		err := d.array(func() error {
			v, err := d.document()
			l = append(l, v)
			return err
		})
		if err != nil {
			return nil, err
		}
		return l, nil
	case c == '"':
		return d.str()
	case c == 't':
		return true, d.literal("true")
	case c == 'f':
		return false, d.literal("false")
	case c == 'n':
		return nil, d.literal("null")
	case c == '-' || '0' <= c && c <= '9':
		return d.float(64)
	default:
		return nil, d.syntax()
	}
}

// skip checks and passes over one value of any kind.
func (d *jsonDecoder) skip() error {
	switch c := d.peek(); {
	case c == '{':
		return d.object(func([]byte, int) error { return d.skip() })
	case c == '[':
		return d.array(d.skip)
	case c == '"':
		_, err := d.key()
		return err
	case c == 't':
		return d.literal("true")
	case c == 'f':
		return d.literal("false")
	case c == 'n':
		return d.literal("null")
	case c == '-' || '0' <= c && c <= '9':
		_, _, err := d.number()
		return err
	default:
		return d.syntax()
	}
}

// key reads a string and returns its bytes: a slice of the body when it has no escapes, so that member names cost
// no allocation, else a fresh unescaped copy.
func (d *jsonDecoder) key() ([]byte, error) {
	start := d.pos + 1
	ascii := true
	for i := start; i < len(d.data); i++ {
		switch c := d.data[i]; {
		case c == '"':
			s := d.data[start:i]
			if !ascii && !utf8.Valid(s) {
				return nil, d.syntax()
			}
			d.pos = i + 1
			return s, nil
		case c == '\\':
			return d.unescape()
		case c < 0x20:
			d.pos = i
			return nil, d.syntax()
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	d.pos = len(d.data)
	return nil, d.syntax()
}

// str reads a string value.
func (d *jsonDecoder) str() (string, error) {
	start := d.pos + 1
	b, err := d.key()
	if err != nil {
		return "", err
	}
	return d.keyString(b, start), nil
}

// keyString returns as a string the bytes b that key read from start.
func (d *jsonDecoder) keyString(b []byte, start int) string {
	// Without escapes the string is where it stands in the body (key returned a slice of it), and so in text.
	if len(b) > 0 && len(d.text) == len(d.data) && start+len(b) <= len(d.data) && &d.data[start] == &b[0] {
		return d.text[start : start+len(b)]
	}
	return string(b)
}

// unescape reads a string with escapes into a new buffer. A lone UTF-16 surrogate becomes U+FFFD, as in
// encoding/json; bytes that are not UTF-8 are refused, as Jackson refuses them.
func (d *jsonDecoder) unescape() ([]byte, error) {
	i := d.pos + 1
	out := make([]byte, 0, 32)
	for i < len(d.data) {
		c := d.data[i]
		switch {
		case c == '"':
			d.pos = i + 1
			return out, nil
		case c < 0x20:
			d.pos = i
			return nil, d.syntax()
		case c == '\\':
			if i+1 >= len(d.data) {
				d.pos = i
				return nil, d.syntax()
			}
			e := d.data[i+1]
			i += 2
			switch e {
			case '"', '\\', '/':
				out = append(out, e)
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'u':
				r, ok := hex4(d.data, i)
				if !ok {
					d.pos = i
					return nil, d.syntax()
				}
				i += 4
				if utf16.IsSurrogate(r) {
					if lo, ok := hex4(d.data, i+2); ok && i+1 < len(d.data) && d.data[i] == '\\' && d.data[i+1] == 'u' {
						if dec := utf16.DecodeRune(r, lo); dec != utf8.RuneError {
							r = dec
							i += 6
						} else {
							r = utf8.RuneError
						}
					} else {
						r = utf8.RuneError
					}
				}
				out = utf8.AppendRune(out, r)
			default:
				d.pos = i - 1
				return nil, d.syntax()
			}
		case c < utf8.RuneSelf:
			out = append(out, c)
			i++
		default:
			r, size := utf8.DecodeRune(d.data[i:])
			if r == utf8.RuneError && size <= 1 {
				d.pos = i
				return nil, d.syntax()
			}
			out = append(out, d.data[i:i+size]...)
			i += size
		}
	}
	d.pos = len(d.data)
	return nil, d.syntax()
}

func hex4(b []byte, i int) (rune, bool) {
	if i+4 > len(b) {
		return 0, false
	}
	var r rune
	for _, c := range b[i : i+4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// number reads a JSON number and returns its text and whether it is an integer (no fraction, no exponent).
func (d *jsonDecoder) number() ([]byte, bool, error) {
	start, i := d.pos, d.pos
	n := len(d.data)
	if i < n && d.data[i] == '-' {
		i++
	}
	switch {
	case i < n && d.data[i] == '0':
		i++
	case i < n && '1' <= d.data[i] && d.data[i] <= '9':
		for i < n && '0' <= d.data[i] && d.data[i] <= '9' {
			i++
		}
	default:
		d.pos = i
		return nil, false, d.syntax()
	}
	integer := true
	if i < n && d.data[i] == '.' {
		integer = false
		i++
		if i >= n || d.data[i] < '0' || d.data[i] > '9' {
			d.pos = i
			return nil, false, d.syntax()
		}
		for i < n && '0' <= d.data[i] && d.data[i] <= '9' {
			i++
		}
	}
	if i < n && (d.data[i] == 'e' || d.data[i] == 'E') {
		integer = false
		i++
		if i < n && (d.data[i] == '+' || d.data[i] == '-') {
			i++
		}
		if i >= n || d.data[i] < '0' || d.data[i] > '9' {
			d.pos = i
			return nil, false, d.syntax()
		}
		for i < n && '0' <= d.data[i] && d.data[i] <= '9' {
			i++
		}
	}
	d.pos = i
	return d.data[start:i], integer, nil
}

// integer reads a number for an integral shape. A fraction is truncated, as Coral truncates it; a number beyond
// 64 bits cannot be taken.
func (d *jsonDecoder) integer() (any, error) {
	text, isInt, err := d.number()
	if err != nil {
		return nil, err
	}
	if isInt {
		if v, ok := parseInt64(text); ok {
			return v, nil
		}
		return nil, malformed("")
	}
	f, err := strconv.ParseFloat(string(text), 64)
	if err != nil || f != f || f >= 1<<63 || f < -(1<<63) {
		return nil, malformed("")
	}
	return int64(f), nil
}

// parseInt64 parses an optionally negative run of digits without allocating.
func parseInt64(b []byte) (int64, bool) {
	neg := len(b) > 0 && b[0] == '-'
	if neg {
		b = b[1:]
	}
	if len(b) == 0 {
		return 0, false
	}
	var u uint64
	for _, c := range b {
		if c < '0' || c > '9' || u > (math.MaxUint64-9)/10 {
			return 0, false
		}
		u = u*10 + uint64(c-'0')
	}
	if neg {
		if u > 1<<63 {
			return 0, false
		}
		return -int64(u), true
	}
	if u > math.MaxInt64 {
		return 0, false
	}
	return int64(u), true
}

// float reads a number for a float shape (bits 32), a double or a document's number (bits 64). A float is rounded
// to 32 bits as Java's Float holds it; a number beyond the range becomes ±Inf, as Java's parsers make it.
func (d *jsonDecoder) float(bits int) (any, error) {
	text, _, err := d.number()
	if err != nil {
		return nil, err
	}
	f, err := strconv.ParseFloat(string(text), bits)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return nil, malformed("")
	}
	return f, nil
}

// timestamp reads epoch seconds (the protocol's default), or a string in the member's timestampFormat. Times are
// kept to the millisecond, as AWS keeps them.
func (d *jsonDecoder) timestamp(ref *model.Ref) (any, error) {
	switch c := d.peek(); {
	case c == '-' || '0' <= c && c <= '9':
		text, _, err := d.number()
		if err != nil {
			return nil, err
		}
		t, ok := epochSeconds(text)
		if !ok {
			return nil, malformed("")
		}
		return t, nil
	case c == '"':
		s, err := d.str()
		if err != nil {
			return nil, err
		}
		t, ok := parseTimestamp(timestampFormat(ref), s)
		if !ok {
			return nil, malformed("")
		}
		return t, nil
	default:
		return nil, d.scalarMismatch(c, "")
	}
}

// epochSeconds parses seconds since the epoch from their decimal text, fraction and exponent included, exactly,
// truncated to the millisecond. Times beyond ±10^11 seconds (year 5138) are refused.
func epochSeconds(text []byte) (time.Time, bool) {
	neg := len(text) > 0 && text[0] == '-'
	if neg {
		text = text[1:]
	}
	// The value is digits × 10^exp.
	var digits [40]byte
	nd, exp, sawDigit := 0, 0, false
	i := 0
	for ; i < len(text) && '0' <= text[i] && text[i] <= '9'; i++ {
		sawDigit = true
		if nd == 0 && text[i] == '0' {
			continue
		}
		if nd == len(digits) {
			return time.Time{}, false
		}
		digits[nd] = text[i]
		nd++
	}
	if i < len(text) && text[i] == '.' {
		for i++; i < len(text) && '0' <= text[i] && text[i] <= '9'; i++ {
			sawDigit = true
			if nd == 0 && text[i] == '0' {
				exp--
				continue
			}
			if nd < len(digits) { // digits beyond are far below a millisecond
				digits[nd] = text[i]
				nd++
				exp--
			}
		}
	}
	if i < len(text) && (text[i] == 'e' || text[i] == 'E') {
		e, ok := parseInt64(bytes.TrimPrefix(text[i+1:], []byte("+")))
		if !ok || e > 100 || e < -100 {
			return time.Time{}, false
		}
		exp += int(e)
		i = len(text)
	}
	if !sawDigit || i != len(text) {
		return time.Time{}, false
	}
	// Milliseconds: digits × 10^(exp+3), truncated.
	shift := exp + 3
	n := nd + shift
	if n > 15 { // more than 10^14 ms
		return time.Time{}, false
	}
	var ms int64
	for k := 0; k < n; k++ {
		ms *= 10
		if k < nd {
			ms += int64(digits[k] - '0')
		}
	}
	if neg {
		ms = -ms
	}
	if ms > 1e14 || ms < -1e14 {
		return time.Time{}, false
	}
	return time.UnixMilli(ms).UTC(), true
}

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}

// timestampFormat is the format of a timestamp member: the member's trait, else the shape's, else "".
func timestampFormat(ref *model.Ref) string {
	if ref.TimestampFormat != "" {
		return ref.TimestampFormat
	}
	return ref.Shape.TimestampFormat
}

// parseTimestamp parses a timestamp string in format ("iso8601", "rfc822", "unixTimestamp" or "" for the
// protocol's default). Where the format is epoch seconds a string is taken if it is ISO 8601, so that a client
// sending one is not refused.
func parseTimestamp(format, s string) (time.Time, bool) {
	var t time.Time
	var err error
	switch format {
	case "rfc822":
		t, err = http.ParseTime(s)
	case "unixTimestamp":
		if t, ok := epochSeconds([]byte(s)); ok {
			return t, true
		}
		t, err = time.Parse(time.RFC3339Nano, s)
	default:
		t, err = time.Parse(time.RFC3339Nano, s)
	}
	if err != nil {
		return time.Time{}, false
	}
	return t.UTC().Truncate(time.Millisecond), true
}

// ---- encoding ----

// appendJSONStructure appends a structure's members in model order. A member of the tree that the shape does not
// have is sagebox's bug, and so is a value of the wrong type: both are errors.
func appendJSONStructure(b []byte, s *model.Shape, m map[string]any, depth int) ([]byte, error) {
	if depth > maxJSONDepth {
		return b, errors.New("value nested too deeply")
	}
	b = append(b, '{')
	first := true
	member := func(mem *model.Ref, v any) error {
		if !first {
			b = append(b, ',')
		}
		first = false
		b = appendJSONString(b, jsonMemberName(mem))
		b = append(b, ':')
		var err error
		if b, err = appendJSONValue(b, mem, v, depth+1); err != nil {
			return fmt.Errorf("%s: %w", mem.Name, err)
		}
		return nil
	}
	const few = 8
	if len(m) <= few && len(m)*2 < len(s.Members) {
		// Few members of many (most outputs): look up what is there rather than all the shape has, then write
		// in model order.
		var refs [few]*model.Ref
		var vals [few]any
		n := 0
		for k, v := range m {
			ref := s.MemberNamed(k)
			if ref == nil {
				return b, fmt.Errorf("shape %s has no member %q", s.Name, k)
			}
			if v != nil {
				refs[n], vals[n] = ref, v
				n++
			}
		}
		for _, mem := range s.Members {
			for j := 0; j < n; j++ {
				if refs[j] == mem {
					if err := member(mem, vals[j]); err != nil {
						return b, err
					}
				}
			}
		}
		return append(b, '}'), nil
	}
	seen := 0
	for _, mem := range s.Members {
		v, ok := m[mem.Name]
		if !ok {
			continue
		}
		seen++
		if v == nil {
			continue
		}
		if err := member(mem, v); err != nil {
			return b, err
		}
	}
	if seen < len(m) {
		for k := range m {
			if s.MemberNamed(k) == nil {
				return b, fmt.Errorf("shape %s has no member %q", s.Name, k)
			}
		}
	}
	return append(b, '}'), nil
}

func appendJSONValue(b []byte, ref *model.Ref, v any, depth int) ([]byte, error) {
	s := ref.Shape
	switch s.Type {
	case "structure":
		if s.Document {
			return appendJSONDocument(b, v, depth)
		}
		if m, ok := v.(map[string]any); ok {
			return appendJSONStructure(b, s, m, depth)
		}
	case "list":
		l, ok := v.([]any)
		if !ok {
			break
		}
		if depth > maxJSONDepth {
			return b, errors.New("value nested too deeply")
		}
		b = append(b, '[')
		for i, e := range l {
			if i > 0 {
				b = append(b, ',')
			}
			if e == nil {
				b = append(b, "null"...)
				continue
			}
			var err error
			if b, err = appendJSONValue(b, s.Member, e, depth+1); err != nil {
				return b, fmt.Errorf("%d: %w", i, err)
			}
		}
		return append(b, ']'), nil
	case "map":
		m, ok := v.(map[string]any)
		if !ok {
			break
		}
		if depth > maxJSONDepth {
			return b, errors.New("value nested too deeply")
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys) // deterministic bytes
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, k)
			b = append(b, ':')
			if m[k] == nil {
				b = append(b, "null"...)
				continue
			}
			var err error
			if b, err = appendJSONValue(b, s.Value, m[k], depth+1); err != nil {
				return b, fmt.Errorf("%s: %w", k, err)
			}
		}
		return append(b, '}'), nil
	case "string", "character":
		if str, ok := v.(string); ok {
			return appendJSONString(b, str), nil
		}
	case "byte", "short", "integer", "long":
		if i, ok := asInt64(v); ok {
			return strconv.AppendInt(b, i, 10), nil
		}
	case "float", "double":
		var f float64
		switch x := v.(type) {
		case float64:
			f = x
		case float32:
			f = float64(x)
		default:
			i, ok := asInt64(v)
			if !ok {
				return b, fmt.Errorf("%T for a %s", v, s.Type)
			}
			f = float64(i)
		}
		bits := 64
		if s.Type == "float" {
			bits = 32
		}
		return appendJSONFloat(b, f, bits), nil
	case "boolean":
		if x, ok := v.(bool); ok {
			return strconv.AppendBool(b, x), nil
		}
	case "timestamp":
		if t, ok := v.(time.Time); ok {
			return appendJSONTimestamp(b, timestampFormat(ref), t), nil
		}
	case "blob":
		switch x := v.(type) {
		case []byte:
			b = append(b, '"')
			b = base64.StdEncoding.AppendEncode(b, x)
			return append(b, '"'), nil
		case string:
			b = append(b, '"')
			b = base64.StdEncoding.AppendEncode(b, []byte(x))
			return append(b, '"'), nil
		}
	}
	return b, fmt.Errorf("%T for a %s", v, s.Type)
}

func asInt64(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case int:
		return int64(x), true
	case int32:
		return int64(x), true
	case int16:
		return int64(x), true
	case int8:
		return int64(x), true
	case uint8:
		return int64(x), true
	case uint16:
		return int64(x), true
	case uint32:
		return int64(x), true
	}
	return 0, false
}

// appendJSONFloat writes a float as AWS's Java services write it (Double.toString: "1.0", "1234.5", "1.0E7"), and
// NaN and infinities as the strings the protocol uses for them.
func appendJSONFloat(b []byte, f float64, bits int) []byte {
	if name, ok := floatName(f); ok {
		return strconv.AppendQuote(b, name)
	}
	return appendJavaFloat(b, f, bits)
}

// appendJavaFloat formats f as Java's Double.toString (bits 64) or Float.toString (bits 32) do: the shortest
// digits that read back to f, in plain notation with at least one fractional digit for magnitudes in [1e-3, 1e7),
// else as d.dddE±n.
func appendJavaFloat(b []byte, f float64, bits int) []byte {
	if bits == 32 && math.Abs(f) > math.MaxFloat32 {
		bits = 64
	}
	if f == 0 {
		if math.Signbit(f) {
			return append(b, "-0.0"...)
		}
		return append(b, "0.0"...)
	}
	abs := math.Abs(f)
	if bits == 32 {
		abs = float64(float32(abs))
	}
	if abs >= 1e-3 && abs < 1e7 {
		start := len(b)
		b = strconv.AppendFloat(b, f, 'f', -1, bits)
		if indexByte(b[start:], '.') < 0 {
			b = append(b, ".0"...)
		}
		return b
	}
	var scratch [32]byte
	e := strconv.AppendFloat(scratch[:0], f, 'e', -1, bits) // -1.2345e+09
	if indexByte(e, '.') < 0 {
		// Java picks among two-digit decimals when one digit would do: the closest ("4.9E-324", not "5.0E-324").
		e = strconv.AppendFloat(scratch[:0], f, 'e', 1, bits)
	}
	i := indexByte(e, 'e')
	mant, exp := e[:i], e[i+1:]
	b = append(b, mant...)
	if indexByte(mant, '.') < 0 {
		b = append(b, ".0"...)
	}
	b = append(b, 'E')
	if exp[0] == '-' {
		b = append(b, '-')
	}
	exp = exp[1:]
	for len(exp) > 1 && exp[0] == '0' {
		exp = exp[1:]
	}
	return append(b, exp...)
}

// appendJSONTimestamp writes a timestamp: by default as epoch seconds with their milliseconds, as AWS writes
// them (1.735442939457E9).
func appendJSONTimestamp(b []byte, format string, t time.Time) []byte {
	t = t.UTC()
	switch format {
	case "iso8601":
		b = append(b, '"')
		if t.Nanosecond()/1e6 != 0 {
			b = t.AppendFormat(b, "2006-01-02T15:04:05.000Z")
		} else {
			b = t.AppendFormat(b, "2006-01-02T15:04:05Z")
		}
		return append(b, '"')
	case "rfc822":
		b = append(b, '"')
		b = t.AppendFormat(b, http.TimeFormat)
		return append(b, '"')
	default:
		return appendJavaFloat(b, float64(t.UnixMilli())/1000, 64)
	}
}

// appendJSONDocument writes a value outside the model: a document, or an error's field that the model does not
// describe.
func appendJSONDocument(b []byte, v any, depth int) ([]byte, error) {
	if depth > maxJSONDepth {
		return b, errors.New("value nested too deeply")
	}
	switch x := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case string:
		return appendJSONString(b, x), nil
	case bool:
		return strconv.AppendBool(b, x), nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return appendJSONFloat(b, x, 64), nil
		}
		// As encoding/json writes numbers, so that a document's 123 stays 123.
		if a := math.Abs(x); a != 0 && (a < 1e-6 || a >= 1e21) {
			return strconv.AppendFloat(b, x, 'e', -1, 64), nil
		}
		return strconv.AppendFloat(b, x, 'f', -1, 64), nil
	case float32:
		return appendJSONDocument(b, float64(x), depth)
	case time.Time:
		return appendJSONTimestamp(b, "", x), nil
	case []byte:
		b = append(b, '"')
		b = base64.StdEncoding.AppendEncode(b, x)
		return append(b, '"'), nil
	case []any:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = appendJSONDocument(b, e, depth+1); err != nil {
				return b, err
			}
		}
		return append(b, ']'), nil
	case []string:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, e)
		}
		return append(b, ']'), nil
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, k)
			b = append(b, ':')
			var err error
			if b, err = appendJSONDocument(b, x[k], depth+1); err != nil {
				return b, err
			}
		}
		return append(b, '}'), nil
	}
	if i, ok := asInt64(v); ok {
		return strconv.AppendInt(b, i, 10), nil
	}
	return b, fmt.Errorf("%T in a document", v)
}

// appendJSONString writes s as a JSON string the way Jackson does: quotes, backslashes and control characters
// escaped, everything else (HTML characters, non-ASCII) as it is. Bytes that are not UTF-8 become U+FFFD so that
// the response stays JSON.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				b = append(b, s[start:i]...)
				b = append(b, "\ufffd"...)
				i++
				start = i
				continue
			}
			i += size
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		case '\b':
			b = append(b, '\\', 'b')
		case '\f':
			b = append(b, '\\', 'f')
		default:
			const hex = "0123456789abcdef"
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		i++
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
