package policy

import "unicode/utf8"

// Marshal returns the document as compact JSON in a canonical form: elements in the grammar's order, every list as
// an array, principals as normalized, conditions grouped by operator in their order. Parse of the result with the
// document's kind gives an equal document. It is not the text the caller stored: IAM returns documents as they
// were written, so callers keep the original text for that.
func (d *Document) Marshal() []byte {
	b := make([]byte, 0, 256)
	b = append(b, '{')
	comma := false
	field := func(name string) {
		if comma {
			b = append(b, ',')
		}
		comma = true
		b = appendString(b, name)
		b = append(b, ':')
	}
	if d.Version != "" {
		field("Version")
		b = appendString(b, d.Version)
	}
	if d.ID != "" {
		field("Id")
		b = appendString(b, d.ID)
	}
	field("Statement")
	b = append(b, '[')
	for i, s := range d.Statements {
		if i > 0 {
			b = append(b, ',')
		}
		b = s.appendJSON(b)
	}
	b = append(b, ']', '}')
	return b
}

// String returns Marshal's JSON as a string.
func (d *Document) String() string { return string(d.Marshal()) }

func (s *Statement) appendJSON(b []byte) []byte {
	b = append(b, '{')
	comma := false
	field := func(name string) {
		if comma {
			b = append(b, ',')
		}
		comma = true
		b = appendString(b, name)
		b = append(b, ':')
	}
	if s.Sid != "" {
		field("Sid")
		b = appendString(b, s.Sid)
	}
	field("Effect")
	b = appendString(b, s.Effect.String())
	if s.Principal != nil {
		field("Principal")
		b = s.Principal.appendJSON(b)
	}
	if s.NotPrincipal != nil {
		field("NotPrincipal")
		b = s.NotPrincipal.appendJSON(b)
	}
	lists := []struct {
		name string
		list []string
	}{{"Action", s.Action}, {"NotAction", s.NotAction}, {"Resource", s.Resource}, {"NotResource", s.NotResource}}
	for _, l := range lists {
		if l.list != nil {
			field(l.name)
			b = appendStrings(b, l.list)
		}
	}
	if len(s.Conditions) > 0 {
		field("Condition")
		b = append(b, '{')
		for start := 0; start < len(s.Conditions); {
			name := s.Conditions[start].OperatorName()
			if start > 0 {
				b = append(b, ',')
			}
			b = appendString(b, name)
			b = append(b, ':', '{')
			end := start
			for ; end < len(s.Conditions) && s.Conditions[end].OperatorName() == name; end++ {
				if end > start {
					b = append(b, ',')
				}
				b = appendString(b, s.Conditions[end].Key)
				b = append(b, ':')
				b = appendStrings(b, s.Conditions[end].Values)
			}
			b = append(b, '}')
			start = end
		}
		b = append(b, '}')
	}
	return append(b, '}')
}

func (p *Principals) appendJSON(b []byte) []byte {
	if p.All && len(p.AWS) == 0 && len(p.Service) == 0 && len(p.Federated) == 0 && len(p.CanonicalUser) == 0 {
		return appendString(b, "*")
	}
	b = append(b, '{')
	comma := false
	list := func(name string, values []string, all bool) {
		if len(values) == 0 && !all {
			return
		}
		if comma {
			b = append(b, ',')
		}
		comma = true
		b = appendString(b, name)
		b = append(b, ':')
		if all {
			values = append([]string{"*"}, values...)
		}
		b = appendStrings(b, values)
	}
	list("AWS", p.AWS, p.All)
	list("Service", p.Service, false)
	list("Federated", p.Federated, false)
	list("CanonicalUser", p.CanonicalUser, false)
	return append(b, '}')
}

func appendStrings(b []byte, list []string) []byte {
	b = append(b, '[')
	for i, s := range list {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, s)
	}
	return append(b, ']')
}

// appendString appends s as a JSON string. Parse's strings are valid UTF-8; anything else is written as U+FFFD,
// as encoding/json would read it.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
			i++
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			i++
		case c < utf8.RuneSelf:
			b = append(b, c)
			i++
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			b = utf8.AppendRune(b, r)
			i += size
		}
	}
	return append(b, '"')
}
