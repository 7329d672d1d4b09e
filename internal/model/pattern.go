package model

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// compilePattern compiles a model's "pattern" as AWS applies it: the whole value must match (Java's
// Matcher.matches). The models are written in Java's regular expression syntax; what Go's RE2 cannot express is
// translated, and where a translation must drop an assertion (look-ahead, look-behind) the result accepts more than
// AWS would, never less: sagebox must not reject a value that AWS accepts. Length limits dropped that way are still
// enforced by the shape's min and max.
func compilePattern(p string) (*regexp.Regexp, error) {
	re, err := regexp.Compile(`^(?:` + p + `)$`)
	if err == nil {
		return re, nil
	}
	return regexp.Compile(`^(?:` + translatePattern(p) + `)$`)
}

// translatePattern rewrites the Java constructs the AWS models use into RE2: \uXXXX escapes, POSIX classes in
// \p{…} form, repeat counts above RE2's limit of 1000, and look-around groups (dropped).
func translatePattern(p string) string {
	var b strings.Builder
	inClass := false
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '\\' && i+1 < len(p):
			n := p[i+1]
			switch {
			case n == 'u' && i+5 < len(p) && isHex(p[i+2:i+6]):
				r, _ := strconv.ParseUint(p[i+2:i+6], 16, 32)
				i += 5
				// Java writes a code point above U+FFFF as a UTF-16 surrogate pair.
				if utf16.IsSurrogate(rune(r)) && i+6 < len(p) && p[i+1] == '\\' && p[i+2] == 'u' && isHex(p[i+3:i+7]) {
					lo, _ := strconv.ParseUint(p[i+3:i+7], 16, 32)
					if c := utf16.DecodeRune(rune(r), rune(lo)); c != utf8.RuneError {
						r = uint64(c)
						i += 6
					}
				}
				fmt.Fprintf(&b, `\x{%X}`, r)
			case n == 'p' && strings.HasPrefix(p[i+2:], "{"):
				end := strings.IndexByte(p[i:], '}')
				if end < 0 {
					b.WriteString(p[i:])
					return b.String()
				}
				name := p[i+3 : i+end]
				if posix, ok := javaPosix[name]; ok {
					if inClass {
						b.WriteString(posix)
					} else {
						b.WriteString("[" + posix + "]")
					}
				} else {
					b.WriteString(p[i : i+end+1])
				}
				i += end
			default:
				b.WriteByte(c)
				b.WriteByte(n)
				i++
			}
		case c == '[' && !inClass:
			inClass = true
			b.WriteByte(c)
			if i+1 < len(p) && p[i+1] == '^' {
				b.WriteByte('^')
				i++
			}
			if i+1 < len(p) && p[i+1] == ']' { // a leading ] is a literal
				b.WriteString(`\]`)
				i++
			}
		case c == ']' && inClass:
			inClass = false
			b.WriteByte(c)
		case c == '(' && !inClass && strings.HasPrefix(p[i:], "(?") && i+2 < len(p) && strings.ContainsRune("=!<", rune(p[i+2])):
			// A look-around group: skip it whole, nested groups included.
			if p[i+2] == '<' && i+3 < len(p) && p[i+3] != '=' && p[i+3] != '!' {
				b.WriteByte(c) // a named group (?<name>…), which RE2 spells (?P<name>…)
				b.WriteString("?P")
				i++
				continue
			}
			i = skipGroup(p, i)
		case c == '{' && !inClass:
			end := strings.IndexByte(p[i:], '}')
			if end < 0 {
				b.WriteByte(c)
				continue
			}
			b.WriteString(boundRepeat(p[i : i+end+1]))
			i += end
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

var javaPosix = map[string]string{
	"Alnum": "a-zA-Z0-9", "Alpha": "a-zA-Z", "Digit": "0-9", "Upper": "A-Z", "Lower": "a-z",
	"Punct": `!-/:-@\[-` + "`" + `{-~`, "Graph": `!-~`, "Print": ` -~`, "Space": `\t\n\x0B\f\r `,
	"ASCII": `\x00-\x7F`, "XDigit": "0-9a-fA-F", "Blank": ` \t`, "Cntrl": `\x00-\x1F\x7F`,
}

// boundRepeat turns {m,n} with n above RE2's limit into {m,} (and m above it into 1000).
func boundRepeat(rep string) string {
	body := rep[1 : len(rep)-1]
	lo, hi, comma := strings.Cut(body, ",")
	l, err := strconv.Atoi(lo)
	if err != nil {
		return rep
	}
	const limit = 1000
	if l > limit {
		l = limit
	}
	if !comma {
		if l2, _ := strconv.Atoi(lo); l2 > limit {
			return "{" + strconv.Itoa(l) + ",}"
		}
		return rep
	}
	if hi == "" {
		return "{" + strconv.Itoa(l) + ",}"
	}
	if h, err := strconv.Atoi(hi); err == nil && h > limit {
		return "{" + strconv.Itoa(l) + ",}"
	}
	return rep
}

func skipGroup(p string, i int) int {
	depth := 0
	for ; i < len(p); i++ {
		switch p[i] {
		case '\\':
			i++
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return len(p) - 1
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}
