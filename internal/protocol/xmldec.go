package protocol

// The XML reader shared by the rest-xml decoder (S3 request bodies) and, in tests, by the response parsers: it reads
// a document into a small element tree, bounded in depth and size, and decodes elements into value trees following
// the model. It also holds the scalar parsers that every XML-family codec uses for wire text (form values, headers,
// query strings, URI labels).

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sagebox/sagebox/internal/awserr"
	"github.com/sagebox/sagebox/internal/model"
)

// Bounds on an XML document that a request may carry. No model nests anywhere near xmlMaxDepth; xmlMaxNodes allows
// S3's largest documents (DeleteObjects with 1,000 keys, lifecycle configurations with 1,000 rules) with room to
// spare while keeping a hostile body from building an unbounded tree.
const (
	xmlMaxDepth = 64
	xmlMaxNodes = 100_000
)

// xmlNode is one element of a parsed document.
type xmlNode struct {
	// name is the element's local name: namespaces play no part in how AWS's XML is read.
	name     string
	attrs    []xml.Attr
	children []*xmlNode
	text     string
}

// child returns the first child element named name, or nil.
func (n *xmlNode) child(name string) *xmlNode {
	for _, c := range n.children {
		if c.name == name {
			return c
		}
	}
	return nil
}

// errXMLLimit reports a document beyond xmlMaxDepth or xmlMaxNodes.
var errXMLLimit = errors.New("XML document nested too deeply or too large")

// xmlParse reads a whole document and returns its root element.
func xmlParse(body []byte) (*xmlNode, error) {
	d := xml.NewDecoder(bytes.NewReader(body))
	d.Strict = true
	var (
		stack []*xmlNode
		root  *xmlNode
		text  []byte
		nodes int
	)
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if root != nil && len(stack) == 0 {
				return nil, errors.New("XML document has more than one root element")
			}
			nodes++
			if len(stack) >= xmlMaxDepth || nodes > xmlMaxNodes {
				return nil, errXMLLimit
			}
			n := &xmlNode{name: t.Name.Local}
			if len(t.Attr) > 0 {
				n.attrs = append([]xml.Attr(nil), t.Attr...)
			}
			if len(stack) > 0 {
				parent := stack[len(stack)-1]
				parent.children = append(parent.children, n)
			} else {
				root = n
			}
			stack = append(stack, n)
			text = text[:0]
		case xml.EndElement:
			n := stack[len(stack)-1]
			if len(n.children) == 0 {
				n.text = string(text)
			}
			stack = stack[:len(stack)-1]
			text = text[:0]
		case xml.CharData:
			if len(stack) == 0 {
				if len(bytes.TrimSpace(t)) != 0 {
					return nil, errors.New("XML document has text outside its root element")
				}
				continue
			}
			text = append(text, t...)
		}
	}
	if root == nil {
		return nil, errors.New("XML document has no root element")
	}
	return root, nil
}

// xmlShapeIndex maps the element names of a structure's body members to the members.
type xmlShapeIndex struct {
	byElement map[string]*model.Ref
	attrs     []*model.Ref
}

// xmlIndexes caches an xmlShapeIndex per structure shape. The zero value is ready to use.
type xmlIndexes struct {
	m sync.Map // *model.Shape → *xmlShapeIndex
}

func (c *xmlIndexes) of(s *model.Shape) *xmlShapeIndex {
	if v, ok := c.m.Load(s); ok {
		return v.(*xmlShapeIndex)
	}
	idx := &xmlShapeIndex{byElement: make(map[string]*model.Ref, len(s.Members))}
	for _, mem := range s.Members {
		switch {
		case mem.XMLAttribute:
			idx.attrs = append(idx.attrs, mem)
		case xmlInBody(mem):
			idx.byElement[xmlElementName(mem)] = mem
		}
	}
	v, _ := c.m.LoadOrStore(s, idx)
	return v.(*xmlShapeIndex)
}

// xmlReader decodes elements into value trees.
type xmlReader struct {
	idx *xmlIndexes
}

// structure decodes a structure element (or a document's root standing for one): attribute members from its
// attributes, the others from its child elements. Unknown elements are ignored.
func (r xmlReader) structure(s *model.Shape, n *xmlNode) (map[string]any, error) {
	idx := r.idx.of(s)
	out := make(map[string]any, len(n.children)+len(idx.attrs))
	for _, mem := range idx.attrs {
		want := xmlAttrName(mem)
		if i := strings.IndexByte(want, ':'); i >= 0 {
			want = want[i+1:]
		}
		for _, a := range n.attrs {
			if a.Name.Local == want && a.Name.Space != "xmlns" {
				v, err := xmlParseScalar(mem, a.Value, xmlTimeISO8601)
				if err != nil {
					return nil, err
				}
				out[mem.Name] = v
				break
			}
		}
	}
	for _, c := range n.children {
		mem := idx.byElement[c.name]
		if mem == nil {
			continue
		}
		ms := mem.Shape
		switch {
		case ms.Type == "list" && xmlIsFlattened(mem):
			item, err := r.value(ms.Member, c)
			if err != nil {
				return nil, err
			}
			l, _ := out[mem.Name].([]any)
			out[mem.Name] = append(l, item)
		case ms.Type == "map" && xmlIsFlattened(mem):
			m, _ := out[mem.Name].(map[string]any)
			if m == nil {
				m = map[string]any{}
				out[mem.Name] = m
			}
			if err := r.mapEntry(ms, c, m); err != nil {
				return nil, err
			}
		default:
			v, err := r.value(mem, c)
			if err != nil {
				return nil, err
			}
			out[mem.Name] = v
		}
	}
	return out, nil
}

// value decodes element n as the value of ref (a wrapped list or map, a structure, or a scalar).
func (r xmlReader) value(ref *model.Ref, n *xmlNode) (any, error) {
	s := ref.Shape
	switch s.Type {
	case "structure":
		return r.structure(s, n)
	case "list":
		item := xmlListItemName(s)
		l := make([]any, 0, len(n.children))
		for _, c := range n.children {
			if c.name != item {
				continue
			}
			v, err := r.value(s.Member, c)
			if err != nil {
				return nil, err
			}
			l = append(l, v)
		}
		return l, nil
	case "map":
		m := make(map[string]any, len(n.children))
		for _, c := range n.children {
			if c.name != "entry" {
				continue
			}
			if err := r.mapEntry(s, c, m); err != nil {
				return nil, err
			}
		}
		return m, nil
	}
	return xmlParseScalar(ref, n.text, xmlTimeISO8601)
}

// mapEntry decodes one entry element (holding a key and a value element) into m.
func (r xmlReader) mapEntry(s *model.Shape, entry *xmlNode, m map[string]any) error {
	keyName, valueName := xmlMapKeyNames(s)
	k := entry.child(keyName)
	if k == nil {
		return xmlMalformed("a map entry has no %s element", keyName)
	}
	vn := entry.child(valueName)
	if vn == nil {
		return xmlMalformed("the map entry %q has no %s element", k.text, valueName)
	}
	v, err := r.value(s.Value, vn)
	if err != nil {
		return err
	}
	m[k.text] = v
	return nil
}

// xmlMalformed returns a KindMalformedInput error.
func xmlMalformed(format string, args ...any) *awserr.Error {
	return awserr.Newf(awserr.KindMalformedInput, format, args...)
}

// xmlParseScalar parses wire text as the value of a scalar member. defaultTS is the timestamp format of the place
// the text comes from when the model names none; the other formats are accepted too, as AWS does.
func xmlParseScalar(ref *model.Ref, text, defaultTS string) (any, error) {
	s := ref.Shape
	switch s.Type {
	case "string", "character":
		return text, nil
	case "boolean":
		switch text {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
		return nil, xmlBadValue(ref, text, "a boolean")
	case "byte", "short", "integer", "long":
		bits := 64
		switch s.Type {
		case "byte":
			bits = 8
		case "short":
			bits = 16
		case "integer":
			bits = 32
		}
		n, err := strconv.ParseInt(strings.TrimSpace(text), 10, bits)
		if err != nil {
			return nil, xmlBadValue(ref, text, "an integer")
		}
		return n, nil
	case "float", "double":
		t := strings.TrimSpace(text)
		if f, ok := namedFloat(t); ok {
			return f, nil
		}
		// ParseFloat would also take "inf" and "nan" in any case, and hex floats; AWS takes decimals.
		if t == "" || strings.ContainsAny(t, "nNiIxXpP_") {
			return nil, xmlBadValue(ref, text, "a number")
		}
		f, err := strconv.ParseFloat(t, 64)
		if err != nil {
			return nil, xmlBadValue(ref, text, "a number")
		}
		return f, nil
	case "blob":
		b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(text))
		if err != nil {
			return nil, xmlBadValue(ref, text, "base64-encoded binary data")
		}
		return b, nil
	case "timestamp":
		t, ok := xmlParseTime(strings.TrimSpace(text), xmlTimestampFormat(ref, defaultTS))
		if !ok {
			return nil, xmlBadValue(ref, text, "a timestamp")
		}
		return t, nil
	}
	return nil, xmlMalformed("%s of type %s cannot be read from text", xmlRefLabel(ref), s.Type)
}

func xmlRefLabel(ref *model.Ref) string {
	switch {
	case ref.LocationName != "":
		return ref.LocationName
	case ref.Name != "":
		return ref.Name
	}
	return ref.ShapeName
}

func xmlBadValue(ref *model.Ref, text, want string) *awserr.Error {
	if len(text) > 64 {
		text = text[:64] + "..."
	}
	return xmlMalformed("The value %q of %s is not %s.", text, xmlRefLabel(ref), want)
}

// xmlParseTime parses a timestamp in format, falling back to the other formats AWS accepts: ISO 8601 (with any
// fraction and offset), epoch seconds (with a fraction), and HTTP dates.
func xmlParseTime(s, format string) (time.Time, bool) {
	for _, f := range [4]string{format, xmlTimeISO8601, xmlTimeUnix, xmlTimeRFC822} {
		var (
			t   time.Time
			err error
		)
		switch f {
		case xmlTimeRFC822:
			t, err = http.ParseTime(s)
			if err != nil {
				t, err = time.Parse(time.RFC1123Z, s)
			}
		case xmlTimeUnix:
			t, err = xmlParseEpoch(s)
		default:
			t, err = time.Parse(time.RFC3339Nano, s)
		}
		if err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// xmlParseEpoch parses epoch seconds with an optional decimal fraction, exactly (no float rounding).
func xmlParseEpoch(s string) (time.Time, error) {
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || len(frac) > 9 || (len(s) > 0 && s[len(s)-1] == '.') {
		return time.Time{}, fmt.Errorf("not epoch seconds: %q", s)
	}
	sec, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return time.Time{}, err
	}
	var nsec int64
	if frac != "" {
		for _, c := range frac {
			if c < '0' || c > '9' {
				return time.Time{}, fmt.Errorf("not epoch seconds: %q", s)
			}
		}
		n, _ := strconv.ParseInt(frac+strings.Repeat("0", 9-len(frac)), 10, 64)
		nsec = n
		if strings.HasPrefix(whole, "-") {
			nsec = -nsec
		}
	}
	return time.Unix(sec, nsec), nil
}
