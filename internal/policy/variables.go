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

// variable is what a pieceVar needs besides its key. A Compiler shares equal ones among its policies.
type variable struct {
	key    *keyRef
	name   string // the key as written, for explanations
	def    string // the default value, when hasDef
	hasDef bool
}

// pattern is a compiled string of a policy: a list of pieces, adjacent texts merged and runs of stars folded.
type pattern struct {
	pieces []piece
}

// hasVar reports whether a piece of p is a variable.
func (p *pattern) hasVar() bool {
	for i := range p.pieces {
		if p.pieces[i].kind == pieceVar {
			return true
		}
	}
	return false
}

// patternOptions says how to read a string.
type patternOptions struct {
	vars bool      // ${…} is a policy variable (2012-10-17); otherwise literal
	wild bool      // * and ? are wildcards (globs); otherwise literal (StringEquals)
	in   *interner // shares the variables' keys; nil shares nothing
}

// parsePattern compiles s. It never fails: what is not a well-formed variable is literal text. Text pieces are
// slices of s, not copies, unless an escape (${*}) made them differ from it.
func parsePattern(s string, o patternOptions) pattern {
	var p pattern
	// The text not yet added is s[lo:hi], or built when it is not a slice of s.
	var (
		lo, hi int
		built  []byte
	)
	literal := func(i, j int) {
		switch {
		case built != nil:
			built = append(built, s[i:j]...)
		case lo == hi:
			lo, hi = i, j
		case hi == i:
			hi = j
		default:
			built = append([]byte(s[lo:hi]), s[i:j]...)
		}
	}
	escape := func(text string) {
		if built == nil {
			built = append(make([]byte, 0, hi-lo+len(text)), s[lo:hi]...)
		}
		built = append(built, text...)
	}
	flush := func() {
		switch {
		case built != nil:
			if len(built) > 0 {
				p.add(piece{kind: pieceText, text: string(built)})
			}
		case lo < hi:
			p.add(piece{kind: pieceText, text: s[lo:hi]})
		}
		lo, hi, built = 0, 0, nil
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
			v, n, ok := parseVariable(s[i:], o.in)
			if !ok {
				literal(i, i+1)
				i++
				continue
			}
			i += n
			if v.kind == pieceText {
				// ${*}, ${?} and ${$} are literal characters.
				escape(v.text)
				continue
			}
			flush()
			p.add(v)
		default:
			j := i + 1
			for j < len(s) && s[j] != '*' && s[j] != '?' && s[j] != '$' {
				j++
			}
			literal(i, j)
			i = j
		}
	}
	flush()
	return p
}

// add appends a piece, merging it into the last one where both are stars. Texts never meet: parsePattern gathers
// a run of text into one piece.
func (p *pattern) add(pc piece) {
	if n := len(p.pieces); n > 0 && pc.kind == pieceStar && p.pieces[n-1].kind == pieceStar {
		return
	}
	p.pieces = append(p.pieces, pc)
}

// parseVariable reads the variable that s begins with ("${…}") and returns it with its length in s. ok is false
// when s does not begin with a well-formed variable: "${" without "}", an empty key, a default not in single quotes.
// The escapes ${*}, ${?} and ${$} come back as a pieceText.
func parseVariable(s string, in *interner) (v piece, n int, ok bool) {
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
		return variablePiece(key, "", false, in), n, true
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
	return variablePiece(key, def, true, in), n, true
}

func variablePiece(key, def string, hasDef bool, in *interner) piece {
	k := in.key(lowerKey(key))
	return piece{kind: pieceVar, text: k.lower, v: in.variable(variable{key: k, name: key, def: def, hasDef: hasDef})}
}

// resolve returns the value a variable stands for in ctx: the key's value when it has exactly one, else the
// default, else nothing (ok false).
func (pc *piece) resolve(ctx *lookup) (string, bool) {
	if vals, found := ctx.find(pc.v.key); found && len(vals) == 1 {
		return vals[0], true
	}
	if pc.v.hasDef {
		return pc.v.def, true
	}
	return "", false
}

// missingVars appends to out the name of every variable of p that has no value in ctx and no default.
func (p *pattern) missingVars(ctx *lookup, out []string) []string {
	for i := range p.pieces {
		pc := &p.pieces[i]
		if pc.kind != pieceVar || pc.v.hasDef {
			continue
		}
		if _, found := ctx.find(pc.v.key); !found {
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

// keyRef is a condition key as compiled policies look it up: in lower case, with its keyHash. A Compiler makes one
// per key for all its policies, so that a decision can remember by the pointer what it found (lookup).
type keyRef struct {
	lower string
	hash  uint64
}

// lookup finds condition keys in a request's Context for one decision. It remembers what it found for the last
// keys it was asked, by their keyRef: the policies of one principal test the same few keys over and over, and the
// Compiler that compiled them gave each key one keyRef. A nil *lookup finds nothing.
type lookup struct {
	ctx  *Context
	memo [16]memoEntry
}

type memoEntry struct {
	key   *keyRef
	vals  []string
	found bool
}

// lookupIn returns a lookup of ctx.
func lookupIn(ctx *Context) *lookup { return &lookup{ctx: ctx} }

func (l *lookup) find(k *keyRef) ([]string, bool) {
	if l == nil {
		return nil, false
	}
	// Two ways per set: a key found goes first, the one it displaces second.
	set := l.memo[k.hash%uint64(len(l.memo)/2)*2:][:2]
	switch k {
	case set[0].key:
		return set[0].vals, set[0].found
	case set[1].key:
		return set[1].vals, set[1].found
	}
	vals, found := l.ctx.find(k.lower, k.hash)
	set[1] = set[0]
	set[0] = memoEntry{key: k, vals: vals, found: found}
	return vals, found
}

// find returns the values of a key given in lower case with its keyHash, without allocating.
func (c *Context) find(lower string, hash uint64) ([]string, bool) {
	if i, ok := c.index(lower, hash); ok {
		return c.keys[i].values, true
	}
	return nil, false
}

// index returns the position of a key given in lower case with its keyHash.
func (c *Context) index(lower string, hash uint64) (int, bool) {
	if c == nil {
		return 0, false
	}
	if len(c.keys) <= len(c.slots)*3/4 {
		for i := hash; ; i++ {
			s := int(c.slots[i%uint64(len(c.slots))]) - 1
			if s < 0 {
				return 0, false
			}
			if k := &c.keys[s]; k.hash == hash && k.lower == lower {
				return s, true
			}
		}
	}
	for i := range c.keys {
		if k := &c.keys[i]; k.hash == hash && k.lower == lower {
			return i, true
		}
	}
	return 0, false
}
