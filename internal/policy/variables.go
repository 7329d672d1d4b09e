package policy

import "strings"

// Policy variables (the IAM User Guide, "IAM policy elements: Variables and tags"). A string of a 2012-10-17
// document may hold ${key}, which evaluation replaces with the request's value of the condition key, and
// ${key, 'default'}, which falls back to the default when the key has no value. ${*}, ${?} and ${$} stand for the
// characters themselves, so that a pattern can name a literal * or ?. In 2008-10-17 all of this is literal text.
//
// A string is compiled once into a pattern, a list of pieces: literal text, the wildcards * and ?, and variables.
// Matching resolves each variable when it meets it, from the Context, so that nothing is allocated per request.
// The value a variable resolves to is matched as literal text, never as a wildcard: it is data the request
// carried (a tag value, a user name), not pattern the policy's author wrote, and reading it as pattern could only
// widen a statement.
//
// A variable whose key is missing, or has several values ("multivalued keys can't be used as variables"), and
// which has no default, resolves to nothing, and the value that holds it matches nothing. The User Guide
// ("Policy variables with no value"): such a value "is effectively null. There is no equal or like value", so a
// positive operator (StringEquals, StringLike) does not match it, a negated one (StringNotEquals, StringNotLike)
// does, and "the resource that includes a policy variable with no value will not match any resource" in Resource
// and NotResource alike.

// pieceKind is what a piece of a pattern is.
type pieceKind uint8

const (
	pieceText pieceKind = iota // literal text
	pieceStar                  // *: any run of characters, the empty one included
	pieceOne                   // ?: any one character
	pieceVar                   // a policy variable
)

// piece is one piece of a pattern. It is kept small, the variable's details behind a pointer, since matching walks
// pieces on every request.
type piece struct {
	kind pieceKind
	// text is the literal text of a pieceText, and for a pieceVar the key in lower case, as Context.find wants it.
	text string
	v    *variable
}

// variable is what a pieceVar needs besides its key.
type variable struct {
	hash   uint64 // keyHash of the key in lower case
	name   string // the key as written, for explanations
	def    string // the default value, when hasDef
	hasDef bool
}

// pattern is a compiled string of a policy: a list of pieces, adjacent texts merged and runs of stars folded.
type pattern struct {
	pieces []piece
	// wild records whether * and ? were read as wildcards; hasVar, whether a piece is a variable.
	wild, hasVar bool
}

// patternOptions says how to read a string.
type patternOptions struct {
	vars bool // ${…} is a policy variable (2012-10-17); otherwise literal
	wild bool // * and ? are wildcards (globs); otherwise literal (StringEquals)
}

// parsePattern compiles s. It never fails: what is not a well-formed variable is literal text.
func parsePattern(s string, o patternOptions) pattern {
	p := pattern{wild: o.wild}
	var text strings.Builder
	flush := func() {
		if text.Len() > 0 {
			p.add(piece{kind: pieceText, text: text.String()})
			text.Reset()
		}
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case o.wild && c == '*':
			flush()
			p.add(piece{kind: pieceStar})
			i++
		case o.wild && c == '?':
			flush()
			p.add(piece{kind: pieceOne})
			i++
		case o.vars && c == '$' && i+1 < len(s) && s[i+1] == '{':
			v, n, ok := parseVariable(s[i:])
			if !ok {
				text.WriteByte(c)
				i++
				continue
			}
			i += n
			if v.kind == pieceText {
				// ${*}, ${?} and ${$} are literal characters.
				text.WriteString(v.text)
				continue
			}
			flush()
			p.add(v)
			p.hasVar = true
		default:
			text.WriteByte(c)
			i++
		}
	}
	flush()
	return p
}

// add appends a piece, merging it into the last one where they are the same literal or both stars.
func (p *pattern) add(pc piece) {
	if n := len(p.pieces); n > 0 {
		last := &p.pieces[n-1]
		switch {
		case pc.kind == pieceStar && last.kind == pieceStar:
			return
		case pc.kind == pieceText && last.kind == pieceText:
			last.text += pc.text
			return
		}
	}
	p.pieces = append(p.pieces, pc)
}

// parseVariable reads the variable that s begins with ("${…}") and returns it with its length in s. ok is false
// when s does not begin with a well-formed variable: "${" without "}", an empty key, a default not in single quotes.
// The escapes ${*}, ${?} and ${$} come back as a pieceText.
func parseVariable(s string) (v piece, n int, ok bool) {
	body := s[2:]
	end := strings.IndexAny(body, ",}")
	if end < 0 {
		return piece{}, 0, false
	}
	key := strings.TrimSpace(body[:end])
	if key == "" {
		return piece{}, 0, false
	}
	if body[end] == '}' {
		n = 2 + end + 1
		switch key {
		case "*", "?", "$":
			return piece{kind: pieceText, text: key}, n, true
		}
		return piece{kind: pieceVar, text: lowerKey(key), v: &variable{hash: keyHash(lowerKey(key)), name: key}}, n, true
	}
	// ${key, 'default'}: the User Guide separates them with a comma and a space; more or less space is read too.
	rest := strings.TrimLeft(body[end+1:], " ")
	if !strings.HasPrefix(rest, "'") {
		return piece{}, 0, false
	}
	q := strings.IndexByte(rest[1:], '\'')
	if q < 0 {
		return piece{}, 0, false
	}
	def := rest[1 : 1+q]
	after := strings.TrimLeft(rest[1+q+1:], " ")
	if !strings.HasPrefix(after, "}") {
		return piece{}, 0, false
	}
	n = len(s) - len(after) + 1
	return piece{kind: pieceVar, text: lowerKey(key), v: &variable{hash: keyHash(lowerKey(key)), name: key, def: def, hasDef: true}}, n, true
}

// resolve returns the value a variable stands for in ctx: the key's value when it has exactly one, else the
// default, else nothing (ok false).
func (pc *piece) resolve(ctx *Context) (string, bool) {
	if vals, found := ctx.find(pc.text, pc.v.hash); found && len(vals) == 1 {
		return vals[0], true
	}
	if pc.v.hasDef {
		return pc.v.def, true
	}
	return "", false
}

// missingVars appends to out the name of every variable of p that has no value in ctx and no default.
func (p *pattern) missingVars(ctx *Context, out []string) []string {
	for i := range p.pieces {
		pc := &p.pieces[i]
		if pc.kind != pieceVar || pc.v.hasDef {
			continue
		}
		if _, found := ctx.find(pc.text, pc.v.hash); !found {
			out = append(out, pc.v.name)
		}
	}
	return out
}

// lowerASCIIString lower-cases the ASCII letters of s.
func lowerASCIIString(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				b[j] = lowerASCII(b[j])
			}
			return string(b)
		}
	}
	return s
}

// keyHash hashes a condition key in lower case (FNV-1a). A Context keeps the hash of each of its keys and compiled
// conditions keep the hash of theirs, so that finding a key compares numbers before it compares strings: the
// keys of a request share long prefixes ("aws:Principal…").
func keyHash(lower string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(lower); i++ {
		h ^= uint64(lower[i])
		h *= 1099511628211
	}
	return h
}

// find is Context.lookup for a key whose keyHash is known, without allocating.
func (c *Context) find(lower string, hash uint64) ([]string, bool) {
	if c == nil {
		return nil, false
	}
	if len(c.keys) <= len(c.slots)*3/4 {
		for i := hash; ; i++ {
			s := int(c.slots[i%uint64(len(c.slots))]) - 1
			if s < 0 {
				return nil, false
			}
			if k := &c.keys[s]; c.hashes[s] == hash && k.lower == lower {
				return k.values, true
			}
		}
	}
	for i, h := range c.hashes {
		if h == hash && c.keys[i].lower == lower {
			return c.keys[i].values, true
		}
	}
	return nil, false
}
