package policy

import (
	"errors"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// A policy is read into a small tree rather than into map[string]any: IAM refuses duplicate keys, and statements,
// operators and condition keys keep the order they were written in. The scanner is RFC 8259 JSON, as
// encoding/json reads it (invalid UTF-8 becomes U+FFFD), checked against it by FuzzJSON; it exists because
// policies are parsed whenever sagebox loads its IAM state, and encoding/json's token API costs ten times more.

type jkind uint8

const (
	jNull jkind = iota
	jBool
	jNumber
	jString
	jObject
	jArray
)

type jnode struct {
	kind    jkind
	text    string // a string's value, a number's text, "true" or "false"
	members []jmember
	elems   []*jnode
}

type jmember struct {
	key string
	val *jnode
}

func (n *jnode) get(key string) (*jnode, bool) {
	for _, m := range n.members {
		if m.key == key {
			return m.val, true
		}
	}
	return nil, false
}

// maxDepth bounds nesting: the deepest valid policy is six levels deep (document, Statement array, statement,
// Condition, operator, value array), so anything much deeper is refused before it costs stack.
const maxDepth = 32

var (
	errSyntax       = errors.New("invalid JSON")
	errDuplicateKey = errors.New("duplicate key")
	errTooDeep      = errors.New("nested too deeply")
)

type scanner struct {
	s     string
	i     int
	depth int
	dup   bool    // a duplicate key was seen: reported once the text is known to be JSON
	slab  []jnode // nodes are carved from here, to allocate them in batches
}

// parseJSON reads exactly one JSON value from text.
func parseJSON(text string) (*jnode, error) {
	sc := scanner{s: text}
	sc.skipSpace()
	n, err := sc.value()
	if err != nil {
		return nil, err
	}
	sc.skipSpace()
	if sc.i != len(sc.s) {
		return nil, errSyntax
	}
	if sc.dup {
		return nil, errDuplicateKey
	}
	return n, nil
}

func (sc *scanner) node(k jkind) *jnode {
	if len(sc.slab) == 0 {
		sc.slab = make([]jnode, 32)
	}
	n := &sc.slab[0]
	sc.slab = sc.slab[1:]
	n.kind = k
	return n
}

func (sc *scanner) skipSpace() {
	for sc.i < len(sc.s) {
		switch sc.s[sc.i] {
		case ' ', '\t', '\n', '\r':
			sc.i++
		default:
			return
		}
	}
}

func (sc *scanner) value() (*jnode, error) {
	if sc.i >= len(sc.s) {
		return nil, errSyntax
	}
	switch c := sc.s[sc.i]; {
	case c == '{':
		return sc.object()
	case c == '[':
		return sc.array()
	case c == '"':
		s, err := sc.str()
		if err != nil {
			return nil, err
		}
		n := sc.node(jString)
		n.text = s
		return n, nil
	case c == '-' || '0' <= c && c <= '9':
		return sc.number()
	case strings.HasPrefix(sc.s[sc.i:], "true"):
		sc.i += 4
		n := sc.node(jBool)
		n.text = "true"
		return n, nil
	case strings.HasPrefix(sc.s[sc.i:], "false"):
		sc.i += 5
		n := sc.node(jBool)
		n.text = "false"
		return n, nil
	case strings.HasPrefix(sc.s[sc.i:], "null"):
		sc.i += 4
		return sc.node(jNull), nil
	}
	return nil, errSyntax
}

func (sc *scanner) enter() error {
	sc.depth++
	if sc.depth > maxDepth {
		return errTooDeep
	}
	return nil
}

func (sc *scanner) object() (*jnode, error) {
	if err := sc.enter(); err != nil {
		return nil, err
	}
	sc.i++ // '{'
	n := sc.node(jObject)
	var keys map[string]bool // past a few members, duplicates are found by map rather than by scanning
	sc.skipSpace()
	if sc.i < len(sc.s) && sc.s[sc.i] == '}' {
		sc.i++
		sc.depth--
		return n, nil
	}
	for {
		sc.skipSpace()
		if sc.i >= len(sc.s) || sc.s[sc.i] != '"' {
			return nil, errSyntax
		}
		key, err := sc.str()
		if err != nil {
			return nil, err
		}
		switch {
		case keys != nil:
			sc.dup = sc.dup || keys[key]
			keys[key] = true
		case len(n.members) < 16:
			if _, dup := n.get(key); dup {
				sc.dup = true
			}
		default:
			keys = make(map[string]bool, 2*len(n.members))
			for _, m := range n.members {
				keys[m.key] = true
			}
			sc.dup = sc.dup || keys[key]
			keys[key] = true
		}
		sc.skipSpace()
		if sc.i >= len(sc.s) || sc.s[sc.i] != ':' {
			return nil, errSyntax
		}
		sc.i++
		sc.skipSpace()
		v, err := sc.value()
		if err != nil {
			return nil, err
		}
		n.members = append(n.members, jmember{key, v})
		sc.skipSpace()
		if sc.i >= len(sc.s) {
			return nil, errSyntax
		}
		switch sc.s[sc.i] {
		case ',':
			sc.i++
		case '}':
			sc.i++
			sc.depth--
			return n, nil
		default:
			return nil, errSyntax
		}
	}
}

func (sc *scanner) array() (*jnode, error) {
	if err := sc.enter(); err != nil {
		return nil, err
	}
	sc.i++ // '['
	n := sc.node(jArray)
	sc.skipSpace()
	if sc.i < len(sc.s) && sc.s[sc.i] == ']' {
		sc.i++
		sc.depth--
		return n, nil
	}
	for {
		sc.skipSpace()
		v, err := sc.value()
		if err != nil {
			return nil, err
		}
		n.elems = append(n.elems, v)
		sc.skipSpace()
		if sc.i >= len(sc.s) {
			return nil, errSyntax
		}
		switch sc.s[sc.i] {
		case ',':
			sc.i++
		case ']':
			sc.i++
			sc.depth--
			return n, nil
		default:
			return nil, errSyntax
		}
	}
}

// number reads the JSON number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?, kept as text.
func (sc *scanner) number() (*jnode, error) {
	start := sc.i
	if sc.s[sc.i] == '-' {
		sc.i++
	}
	switch {
	case sc.i < len(sc.s) && sc.s[sc.i] == '0':
		sc.i++
	case sc.digits() == 0:
		return nil, errSyntax
	}
	if sc.i < len(sc.s) && sc.s[sc.i] == '.' {
		sc.i++
		if sc.digits() == 0 {
			return nil, errSyntax
		}
	}
	if sc.i < len(sc.s) && (sc.s[sc.i] == 'e' || sc.s[sc.i] == 'E') {
		sc.i++
		if sc.i < len(sc.s) && (sc.s[sc.i] == '+' || sc.s[sc.i] == '-') {
			sc.i++
		}
		if sc.digits() == 0 {
			return nil, errSyntax
		}
	}
	n := sc.node(jNumber)
	n.text = sc.s[start:sc.i]
	return n, nil
}

func (sc *scanner) digits() int {
	start := sc.i
	for sc.i < len(sc.s) && '0' <= sc.s[sc.i] && sc.s[sc.i] <= '9' {
		sc.i++
	}
	return sc.i - start
}

// str reads a string at sc.i (a '"'). A string without escapes and with valid UTF-8 is returned as a slice of the
// input, without copying.
func (sc *scanner) str() (string, error) {
	sc.i++ // '"'
	start := sc.i
	for sc.i < len(sc.s) {
		c := sc.s[sc.i]
		switch {
		case c == '"':
			s := sc.s[start:sc.i]
			sc.i++
			return s, nil
		case c == '\\' || c >= utf8.RuneSelf:
			return sc.slowString(start)
		case c < 0x20:
			return "", errSyntax
		}
		sc.i++
	}
	return "", errSyntax
}

func (sc *scanner) slowString(start int) (string, error) {
	b := make([]byte, 0, sc.i-start+16)
	b = append(b, sc.s[start:sc.i]...)
	for sc.i < len(sc.s) {
		c := sc.s[sc.i]
		switch {
		case c == '"':
			sc.i++
			return string(b), nil
		case c < 0x20:
			return "", errSyntax
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRuneInString(sc.s[sc.i:])
			b = utf8.AppendRune(b, r) // an invalid byte becomes U+FFFD, as in encoding/json
			sc.i += size
		case c != '\\':
			b = append(b, c)
			sc.i++
		default:
			if sc.i+1 >= len(sc.s) {
				return "", errSyntax
			}
			e := sc.s[sc.i+1]
			sc.i += 2
			switch e {
			case '"', '\\', '/':
				b = append(b, e)
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'u':
				r, ok := sc.hex4()
				if !ok {
					return "", errSyntax
				}
				if utf16.IsSurrogate(r) {
					// A high surrogate followed by an escaped low one is one character; anything else is U+FFFD.
					r2 := rune(-1)
					save := sc.i
					if strings.HasPrefix(sc.s[sc.i:], `\u`) {
						sc.i += 2
						var ok bool
						if r2, ok = sc.hex4(); !ok {
							return "", errSyntax
						}
					}
					if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
						r = dec
					} else {
						r = utf8.RuneError
						sc.i = save
					}
				}
				b = utf8.AppendRune(b, r)
			default:
				return "", errSyntax
			}
		}
	}
	return "", errSyntax
}

func (sc *scanner) hex4() (rune, bool) {
	if sc.i+4 > len(sc.s) {
		return 0, false
	}
	var r rune
	for _, c := range []byte(sc.s[sc.i : sc.i+4]) {
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
	sc.i += 4
	return r, true
}
