package reference

import "strings"

// A pattern is a list of tokens: literal bytes, and classes of bytes that match once (a policy's ?) or any number
// of times (a policy's *). One matcher, intersect, serves every comparison the package makes — a policy's ARN
// against a resource type's format, a policy's action against an action's name, a condition key against a key with
// a variable part — because each is the question whether two patterns have a string in common.
type token struct {
	kind    uint8 // tokLit, tokOne, tokStar
	c       byte  // the byte of a literal
	noSlash bool  // the class of a tokOne or tokStar excludes '/'
}

const (
	tokLit = iota
	tokOne
	tokStar
)

// compatible reports whether a and b can both consume some one byte.
func compatible(a, b token) bool {
	switch {
	case a.kind == tokLit && b.kind == tokLit:
		return a.c == b.c
	case a.kind == tokLit:
		return !(b.noSlash && a.c == '/')
	case b.kind == tokLit:
		return !(a.noSlash && b.c == '/')
	}
	return true // two classes share every byte but '/'
}

// intersect reports whether some string matches both a and b. It walks the product of the two patterns' automata:
// a state is a position in each, a star may be left without consuming, and a step consumes one byte that the two
// tokens at hand both accept. The walk visits each state once, so it costs at most len(a)·len(b) steps.
func intersect(a, b []token) bool {
	w := len(b) + 1
	seen := make([]bool, (len(a)+1)*w)
	stack := []int{0}
	seen[0] = true
	push := func(i, j int) {
		if s := i*w + j; !seen[s] {
			seen[s] = true
			stack = append(stack, s)
		}
	}
	for len(stack) > 0 {
		s := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		i, j := s/w, s%w
		if i == len(a) && j == len(b) {
			return true
		}
		if i < len(a) && a[i].kind == tokStar {
			push(i+1, j)
		}
		if j < len(b) && b[j].kind == tokStar {
			push(i, j+1)
		}
		if i < len(a) && j < len(b) && compatible(a[i], b[j]) {
			ni, nj := i+1, j+1
			if a[i].kind == tokStar {
				ni = i
			}
			if b[j].kind == tokStar {
				nj = j
			}
			if ni != i || nj != j {
				push(ni, nj)
			}
		}
	}
	return false
}

// literal returns the pattern that matches s alone.
func literal(s string) []token {
	out := make([]token, len(s))
	for i := 0; i < len(s); i++ {
		out[i] = token{kind: tokLit, c: s[i]}
	}
	return out
}

// globTokens returns the pattern of a policy's string, where * is any run of bytes and ? any one byte.
func globTokens(s string) []token {
	out := make([]token, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '*':
			out = append(out, token{kind: tokStar})
		case '?':
			out = append(out, token{kind: tokOne})
		default:
			out = append(out, token{kind: tokLit, c: s[i]})
		}
	}
	return out
}

// globMatch reports whether s matches the policy pattern p.
func globMatch(p, s string) bool { return intersect(globTokens(p), literal(s)) }

// placeholder returns the pattern of the placeholder that begins at s[open] ("${Name}" or "<key>"): some non-empty
// text. It returns the tokens and the index after the placeholder, or ok false when s[open] begins none.
func placeholder(s string, open int) (toks []token, next int, ok bool) {
	var name string
	switch {
	case strings.HasPrefix(s[open:], "${"):
		end := strings.IndexByte(s[open:], '}')
		if end < 0 {
			return nil, 0, false
		}
		name, next = s[open+2:open+end], open+end+1
	case s[open] == '<':
		end := strings.IndexByte(s[open:], '>')
		if end < 0 {
			return nil, 0, false
		}
		name, next = s[open+1:open+end], open+end+1
	default:
		return nil, 0, false
	}
	// A bucket's name never holds a slash, and the reference tells a bucket from an object by the slash alone
	// (arn:${Partition}:s3:::${BucketName} against …:${BucketName}/${ObjectName}). Other names may hold slashes: a
	// role's path, a log group's name.
	noSlash := name == "BucketName"
	return []token{{kind: tokOne, noSlash: noSlash}, {kind: tokStar, noSlash: noSlash}}, next, true
}

// formatTokens returns the pattern of a part of the reference's text with placeholders, in which every other byte
// is literal (the formats hold no wildcards).
func formatTokens(s string) []token {
	out := make([]token, 0, len(s))
	for i := 0; i < len(s); {
		if s[i] == '$' || s[i] == '<' {
			if toks, next, ok := placeholder(s, i); ok {
				out = append(out, toks...)
				i = next
				continue
			}
		}
		out = append(out, token{kind: tokLit, c: s[i]})
		i++
	}
	return out
}

// splitARN splits an ARN into its six segments — "arn", partition, service, region, account, resource — at its
// first five colons; the resource keeps any further colons. IAM matches each segment on its own, so a wildcard
// never spans a colon between segments.
func splitARN(arn string) (segs [6]string, ok bool) {
	rest := arn
	for i := 0; i < 5; i++ {
		var found bool
		segs[i], rest, found = strings.Cut(rest, ":")
		if !found {
			return segs, false
		}
	}
	segs[5] = rest
	return segs, true
}

// parseFormat returns the pattern of each segment of a resource type's ARN format. A format that is not an ARN gets
// patterns that match nothing: a test checks that every vendored format is one.
func parseFormat(format string) (pats [6][]token) {
	segs, ok := splitARN(format)
	if !ok {
		never := []token{{kind: tokLit, c: 0}} // no ARN holds a NUL
		for i := range pats {
			pats[i] = never
		}
		return pats
	}
	for i, s := range segs {
		pats[i] = formatTokens(s)
	}
	return pats
}

// template is a condition key as the reference writes it, such as "aws:RequestTag/${TagKey}" or
// "agent.${Domain}.buildkite.dev:build_branch", ready to match key names case-insensitively.
type template struct {
	toks []token
	vars bool
}

func newTemplate(key string) template {
	lower := strings.ToLower(key)
	toks := formatTokens(lower)
	vars := false
	for _, t := range toks {
		if t.kind != tokLit {
			vars = true
			break
		}
	}
	return template{toks: toks, vars: vars}
}

func (t template) variable() bool { return t.vars }

// matches reports whether name is the key or an instance of it. Names are compared case-insensitively, as IAM
// compares condition keys; the variable part is any non-empty text.
func (t template) matches(name string) bool {
	return intersect(literal(strings.ToLower(name)), t.toks)
}
