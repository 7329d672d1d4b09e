package protocol

// The XML writer shared by the query, ec2 and rest-xml encoders. It appends to a byte slice and knows the model's
// XML traits (locationName, flattened, xmlAttribute, xmlNamespace, timestampFormat); it never uses reflection.

import (
	"encoding/base64"
	"fmt"
	"math"
	"net/http"
	"sort"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/sagebox/sagebox/internal/model"
)

// Timestamp formats as the models name them.
const (
	xmlTimeISO8601 = "iso8601"
	xmlTimeRFC822  = "rfc822"
	xmlTimeUnix    = "unixTimestamp"
)

// xmlMaxEncodeDepth bounds the nesting of an encoded value, so that a cyclic value tree (a programming error) ends
// in an error instead of a stack overflow.
const xmlMaxEncodeDepth = 100

// xmlBufPool recycles the buffers responses are built in. The zero value is ready to use.
type xmlBufPool struct{ p sync.Pool }

func (bp *xmlBufPool) get() *[]byte {
	if b, ok := bp.p.Get().(*[]byte); ok {
		*b = (*b)[:0]
		return b
	}
	b := make([]byte, 0, 2048)
	return &b
}

// put returns a buffer to the pool, unless it grew large: one huge response should not pin its memory.
func (bp *xmlBufPool) put(b *[]byte) {
	if cap(*b) <= 64<<10 {
		bp.p.Put(b)
	}
}

// xmlWriter appends XML to a byte slice, optionally indented the way the service being imitated indents.
type xmlWriter struct {
	b      []byte
	indent string
	// open records, for each open element, whether it has child elements, which decides where its end tag goes.
	open []bool
	// millis writes iso8601 timestamps always with milliseconds (EC2, S3) rather than only when they have some
	// (IAM, STS).
	millis bool
}

func (w *xmlWriter) newline() {
	if w.indent == "" {
		return
	}
	w.b = append(w.b, '\n')
	for range len(w.open) {
		w.b = append(w.b, w.indent...)
	}
}

// start writes a start tag. ns, when set, adds its xmlns declaration; attrs are written as they are given (values
// escaped).
func (w *xmlWriter) start(name string, ns *model.XMLNamespace, attrs ...string) {
	if n := len(w.open); n > 0 {
		w.open[n-1] = true
	}
	if len(w.open) > 0 {
		w.newline()
	}
	w.b = append(w.b, '<')
	w.b = append(w.b, name...)
	if ns != nil && ns.URI != "" {
		w.b = append(w.b, " xmlns"...)
		if ns.Prefix != "" {
			w.b = append(w.b, ':')
			w.b = append(w.b, ns.Prefix...)
		}
		w.b = append(w.b, `="`...)
		w.b = xmlAppendEscaped(w.b, ns.URI)
		w.b = append(w.b, '"')
	}
	for i := 0; i+1 < len(attrs); i += 2 {
		w.b = append(w.b, ' ')
		w.b = append(w.b, attrs[i]...)
		w.b = append(w.b, `="`...)
		w.b = xmlAppendEscaped(w.b, attrs[i+1])
		w.b = append(w.b, '"')
	}
	w.b = append(w.b, '>')
	w.open = append(w.open, false)
}

// end writes the end tag of the innermost open element.
func (w *xmlWriter) end(name string) {
	n := len(w.open)
	hadChildren := w.open[n-1]
	w.open = w.open[:n-1]
	if hadChildren {
		w.newline()
	}
	w.b = append(w.b, "</"...)
	w.b = append(w.b, name...)
	w.b = append(w.b, '>')
}

// text writes character data, escaped.
func (w *xmlWriter) text(s string) {
	w.b = xmlAppendEscaped(w.b, s)
}

// element writes <name>text</name>.
func (w *xmlWriter) element(name, text string) {
	w.start(name, nil)
	w.text(text)
	w.end(name)
}

// xmlAppendEscaped appends s escaped as AWS's XML writers escape it: the five predefined entities, and the
// characters that an XML parser would otherwise normalize away (tab, CR, LF, NEL, LINE SEPARATOR) as character
// references, so that they survive a round trip. Characters XML cannot carry at all become U+FFFD.
func xmlAppendEscaped(b []byte, s string) []byte {
	last := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			var esc string
			switch c {
			case '"':
				esc = "&quot;"
			case '\'':
				esc = "&apos;"
			case '&':
				esc = "&amp;"
			case '<':
				esc = "&lt;"
			case '>':
				esc = "&gt;"
			case '\t':
				esc = "&#x9;"
			case '\n':
				esc = "&#xA;"
			case '\r':
				esc = "&#xD;"
			default:
				if c < 0x20 {
					esc = "\uFFFD"
				}
			}
			if esc != "" {
				b = append(b, s[last:i]...)
				b = append(b, esc...)
				last = i + 1
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		var esc string
		switch {
		case r == utf8.RuneError && size == 1, r == 0xFFFE, r == 0xFFFF:
			esc = "\uFFFD"
		case r == 0x85:
			esc = "&#x85;"
		case r == 0x2028:
			esc = "&#x2028;"
		}
		if esc != "" {
			b = append(b, s[last:i]...)
			b = append(b, esc...)
			last = i + size
		}
		i += size
	}
	return append(b, s[last:]...)
}

// xmlNamespaceOf returns the namespace to declare on an element for ref: the member's, else its shape's.
func xmlNamespaceOf(ref *model.Ref) *model.XMLNamespace {
	if ref.XMLNamespace != nil {
		return ref.XMLNamespace
	}
	return ref.Shape.XMLNamespace
}

// xmlInBody reports whether a member of a structure written as XML is part of the document. In a response, URI and
// query string locations mean nothing and the member is written in the body, as clients read it.
func xmlInBody(ref *model.Ref) bool {
	switch ref.Location {
	case "header", "headers", "statusCode":
		return false
	}
	return true
}

// xmlIsFlattened reports whether a list or map is written without a wrapping element.
func xmlIsFlattened(ref *model.Ref) bool {
	return ref.Flattened || ref.Shape.Flattened
}

// xmlElementName returns the element name of a structure member: its locationName, else its name. For a flattened
// list whose flattening comes from its shape (the older botocore form), the list member's locationName names the
// repeated element; a member-level flattened trait (Smithy's form) keeps the member's own name.
func xmlElementName(ref *model.Ref) string {
	if ref.LocationName != "" {
		return ref.LocationName
	}
	s := ref.Shape
	if s.Type == "list" && s.Flattened && !ref.Flattened && s.Member.LocationName != "" {
		return s.Member.LocationName
	}
	return ref.Name
}

// xmlListItemName returns the element name of a wrapped list's items.
func xmlListItemName(list *model.Shape) string {
	if list.Member.LocationName != "" {
		return list.Member.LocationName
	}
	return "member"
}

// xmlMapKeyNames returns the element names of a map entry's key and value.
func xmlMapKeyNames(m *model.Shape) (key, value string) {
	key, value = "key", "value"
	if m.Key.LocationName != "" {
		key = m.Key.LocationName
	}
	if m.Value.LocationName != "" {
		value = m.Value.LocationName
	}
	return key, value
}

// xmlAttrName returns the attribute name of an xmlAttribute member.
func xmlAttrName(ref *model.Ref) string {
	if ref.LocationName != "" {
		return ref.LocationName
	}
	return ref.Name
}

// writeMember writes v, the value of ref, as the element(s) named name. A flattened list or map writes one element
// per item; everything else writes one element.
func (w *xmlWriter) writeMember(ref *model.Ref, name string, v any, depth int) error {
	if depth > xmlMaxEncodeDepth {
		return fmt.Errorf("protocol: value nested deeper than %d", xmlMaxEncodeDepth)
	}
	s := ref.Shape
	switch s.Type {
	case "structure":
		m, ok := v.(map[string]any)
		if !ok {
			return xmlTypeError(ref, v)
		}
		return w.writeStructure(ref, name, m, depth)
	case "list":
		l, ok := v.([]any)
		if !ok {
			return xmlTypeError(ref, v)
		}
		if xmlIsFlattened(ref) {
			for _, item := range l {
				if err := w.writeMember(s.Member, name, item, depth+1); err != nil {
					return err
				}
			}
			return nil
		}
		w.start(name, xmlNamespaceOf(ref))
		item := xmlListItemName(s)
		for _, e := range l {
			if err := w.writeMember(s.Member, item, e, depth+1); err != nil {
				return err
			}
		}
		w.end(name)
		return nil
	case "map":
		m, ok := v.(map[string]any)
		if !ok {
			return xmlTypeError(ref, v)
		}
		keyName, valueName := xmlMapKeyNames(s)
		keys := xmlSortedKeys(m)
		flat := xmlIsFlattened(ref)
		if !flat {
			w.start(name, xmlNamespaceOf(ref))
		}
		for _, k := range keys {
			entry := name
			if !flat {
				entry = "entry"
				w.start(entry, nil)
			} else {
				w.start(entry, xmlNamespaceOf(ref))
			}
			w.start(keyName, xmlNamespaceOf(s.Key))
			w.text(k)
			w.end(keyName)
			if err := w.writeMember(s.Value, valueName, m[k], depth+1); err != nil {
				return err
			}
			w.end(entry)
		}
		if !flat {
			w.end(name)
		}
		return nil
	}
	text, err := w.scalarText(ref, v, xmlTimeISO8601)
	if err != nil {
		return err
	}
	w.start(name, xmlNamespaceOf(ref))
	w.text(text)
	w.end(name)
	return nil
}

// writeStructure writes a structure element: attribute members on the start tag, the others as children in model
// order. Members located in headers or the status code are not part of the body.
func (w *xmlWriter) writeStructure(ref *model.Ref, name string, m map[string]any, depth int) error {
	attrs, err := xmlAttrs(ref.Shape, m)
	if err != nil {
		return err
	}
	w.start(name, xmlNamespaceOf(ref), attrs...)
	if err := w.writeMembers(ref.Shape, m, depth); err != nil {
		return err
	}
	w.end(name)
	return nil
}

// writeMembers writes the body members of structure s present in m, in model order.
func (w *xmlWriter) writeMembers(s *model.Shape, m map[string]any, depth int) error {
	for _, mem := range s.Members {
		if mem.XMLAttribute || !xmlInBody(mem) {
			continue
		}
		v, ok := m[mem.Name]
		if !ok || v == nil {
			continue
		}
		if err := w.writeMember(mem, xmlElementName(mem), v, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// xmlAttrs returns the attribute members of s present in m as name, value pairs.
func xmlAttrs(s *model.Shape, m map[string]any) ([]string, error) {
	var attrs []string
	for _, mem := range s.Members {
		if !mem.XMLAttribute {
			continue
		}
		v, ok := m[mem.Name]
		if !ok || v == nil {
			continue
		}
		text, err := xmlScalarText(mem, v, xmlTimeISO8601, false)
		if err != nil {
			return nil, err
		}
		attrs = append(attrs, xmlAttrName(mem), text)
	}
	return attrs, nil
}

func (w *xmlWriter) scalarText(ref *model.Ref, v any, defaultTS string) (string, error) {
	return xmlScalarText(ref, v, defaultTS, w.millis)
}

// xmlScalarText renders a scalar value as the wire text of its type. defaultTS is the timestamp format where the
// model names none; millis forces milliseconds into iso8601 timestamps.
func xmlScalarText(ref *model.Ref, v any, defaultTS string, millis bool) (string, error) {
	s := ref.Shape
	switch s.Type {
	case "string", "character":
		if str, ok := v.(string); ok {
			return str, nil
		}
	case "boolean":
		if b, ok := v.(bool); ok {
			return strconv.FormatBool(b), nil
		}
	case "byte", "short", "integer", "long":
		if n, ok := xmlInt(v); ok {
			return strconv.FormatInt(n, 10), nil
		}
	case "float", "double":
		if f, ok := xmlFloat(v); ok {
			return xmlFormatFloat(f), nil
		}
	case "blob":
		switch b := v.(type) {
		case []byte:
			return base64.StdEncoding.EncodeToString(b), nil
		case string:
			return base64.StdEncoding.EncodeToString([]byte(b)), nil
		}
	case "timestamp":
		if t, ok := v.(time.Time); ok {
			return xmlFormatTime(t, xmlTimestampFormat(ref, defaultTS), millis), nil
		}
	}
	return "", xmlTypeError(ref, v)
}

func xmlTypeError(ref *model.Ref, v any) error {
	name := ref.Name
	if name == "" {
		name = ref.ShapeName
	}
	return fmt.Errorf("protocol: value of %s (%s) is a %T", name, ref.Shape.Type, v)
}

// xmlInt accepts the integer types a value tree may carry (int64 by convention; other widths from hand-built trees).
func xmlInt(v any) (int64, bool) {
	switch n := v.(type) {
	case int64:
		return n, true
	case int:
		return int64(n), true
	case int32:
		return int64(n), true
	case int16:
		return int64(n), true
	case int8:
		return int64(n), true
	case uint8:
		return int64(n), true
	case uint16:
		return int64(n), true
	case uint32:
		return int64(n), true
	case float64:
		if n == math.Trunc(n) && math.Abs(n) < 1<<63 {
			return int64(n), true
		}
	}
	return 0, false
}

func xmlFloat(v any) (float64, bool) {
	switch f := v.(type) {
	case float64:
		return f, true
	case float32:
		return float64(f), true
	}
	if n, ok := xmlInt(v); ok {
		return float64(n), true
	}
	return 0, false
}

// xmlFormatFloat writes a float as the AWS protocols do: shortest decimal form, NaN and ±Infinity spelled out.
func xmlFormatFloat(f float64) string {
	if name, ok := floatName(f); ok {
		return name
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// xmlTimestampFormat returns the format of a timestamp member: the member's trait, else the shape's, else def.
func xmlTimestampFormat(ref *model.Ref, def string) string {
	if ref.TimestampFormat != "" {
		return ref.TimestampFormat
	}
	if ref.Shape.TimestampFormat != "" {
		return ref.Shape.TimestampFormat
	}
	return def
}

// xmlFormatTime writes t in format. iso8601 carries milliseconds when millis is set or when t has any; unix
// timestamps carry a fraction only when t has one.
func xmlFormatTime(t time.Time, format string, millis bool) string {
	t = t.UTC()
	switch format {
	case xmlTimeRFC822:
		return t.Format(http.TimeFormat)
	case xmlTimeUnix:
		sec := t.Unix()
		ms := t.Nanosecond() / 1e6
		if ms == 0 {
			return strconv.FormatInt(sec, 10)
		}
		return strconv.FormatFloat(float64(sec)+float64(ms)/1e3, 'f', -1, 64)
	}
	if millis || t.Nanosecond()/1e6 != 0 {
		return t.Format("2006-01-02T15:04:05.000Z")
	}
	return t.Format("2006-01-02T15:04:05Z")
}

func xmlSortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
