package protocol

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/sagebox/sagebox/internal/model"
)

// Violation is one constraint of the model that an input breaks.
type Violation struct {
	// Path names the member as AWS's validation messages do: member names with a lower-case first letter,
	// joined by dots, list elements as "N.member" counted from 1 ("tags.1.member.key"), map values as
	// "KEY.member" ("requestItems.users.member.keys"). A list of scalars, and a map's keys or scalar values, are
	// reported once at the list or map itself; see Validate.
	Path string
	// Ref is the member (or list member, or map key/value) that broke the constraint.
	Ref *model.Ref
	// Value is the offending value; nil when Missing.
	Value any
	// Missing is set for a required member that is absent.
	Missing bool
	// Constraint is AWS's text for the constraint, such as "Member must not be null" or
	// "Member must have length less than or equal to 64".
	Constraint string
}

// Validate checks a decoded input against the constraints of its shape, as AWS's request framework does before
// an operation runs, and returns what it breaks in the order AWS lists it: members in model order, depth first.
//
//   - A required member that is absent: "Member must not be null".
//   - A string's length in Unicode code points (AWS counts a character outside the BMP once), a blob's in bytes,
//     a list's or map's in entries: "Member must have length less than or equal to N" / "greater than or equal
//     to N".
//   - A number's range: "Member must have value less than or equal to N" (N as Java prints the shape's type:
//     "10" for an integer, "1.0" for a double).
//   - A pattern, matched against the whole value: "Member must satisfy regular expression pattern: P", P as the
//     model writes it. A string that breaks its length and its pattern gets both, length first.
//   - An enum: "Member must satisfy enum value set: [A, B]", in model order.
//
// Structures are checked member by member, as are the elements of a list of structures ("tags.1.member.key")
// and the values of a map of structures or lists. A list of scalars is reported once, at the list, when any
// element breaks a constraint of its member shape: "Member must satisfy constraint: [C1, C2, …]" with every
// constraint of that shape; a map likewise with "Map keys must satisfy constraint: […]" and "Map value must
// satisfy constraint: […]", keys first.
//
// Validate allocates nothing for a valid input; paths are built only for what it reports.
func Validate(input *model.Ref, v map[string]any) []Violation {
	if input == nil || input.Shape == nil || input.Shape.Type != "structure" || input.Shape.Document {
		return nil
	}
	var w validator
	w.structure(input.Shape, v)
	return w.out
}

// validator walks a value tree keeping the path as a stack of segments, rendered only for a violation.
type validator struct {
	out  []Violation
	path [maxValidateDepth]segment // a fixed array, so that the validator stays on Validate's stack
	n    int
}

// segment is one step of a path: a member name, a list index (".N.member") or a map key (".KEY.member").
type segment struct {
	name  string
	index int // list elements, from 1; 0 otherwise
	key   bool
}

// maxValidateDepth bounds the path; what lies deeper is not checked. The served models nest far less deeply.
const maxValidateDepth = 64

// push enters a segment, or reports false when the path is as deep as it may go.
func (w *validator) push(s segment) bool {
	if w.n == maxValidateDepth {
		return false
	}
	w.path[w.n] = s
	w.n++
	return true
}

func (w *validator) pop() { w.n-- }

// pathString renders the current path: "vpcConfig.subnets", "tags.1.member.key".
func (w *validator) pathString() string {
	var b strings.Builder
	for i, s := range w.path[:w.n] {
		switch {
		case s.index > 0:
			b.WriteByte('.')
			b.WriteString(strconv.Itoa(s.index))
			b.WriteString(".member")
		case s.key:
			b.WriteByte('.')
			b.WriteString(s.name)
			b.WriteString(".member")
		default:
			if i > 0 {
				b.WriteByte('.')
			}
			b.WriteString(lowerFirst(s.name))
		}
	}
	return b.String()
}

// lowerFirst lower-cases the first letter only, as AWS does ("SAMLOptions" is "sAMLOptions").
func lowerFirst(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError || unicode.IsLower(r) {
		return s
	}
	return string(unicode.ToLower(r)) + s[size:]
}

func (w *validator) report(ref *model.Ref, value any, missing bool, constraint string) {
	w.out = append(w.out, Violation{Path: w.pathString(), Ref: ref, Value: value, Missing: missing, Constraint: constraint})
}

func (w *validator) structure(s *model.Shape, m map[string]any) {
	for _, mem := range s.Members {
		v, ok := m[mem.Name]
		if (!ok || v == nil) && !mem.Required {
			continue
		}
		if !w.push(segment{name: mem.Name}) {
			return
		}
		if !ok || v == nil {
			w.report(mem, nil, true, "Member must not be null")
		} else {
			w.value(mem, v)
		}
		w.pop()
	}
}

// value checks one value at the current path.
func (w *validator) value(ref *model.Ref, v any) {
	s := ref.Shape
	if s == nil {
		return
	}
	switch s.Type {
	case "structure":
		if m, ok := v.(map[string]any); ok && !s.Document {
			w.structure(s, m)
		}
	case "list":
		l, ok := v.([]any)
		if !ok {
			return
		}
		w.size(ref, v, len(l))
		member := s.Member
		if member == nil || member.Shape == nil {
			return
		}
		if member.Shape.IsScalar() {
			if !hasConstraints(member.Shape) {
				return
			}
			for _, e := range l {
				if e != nil && !scalarValid(member.Shape, e) {
					w.report(member, v, false, "Member must satisfy constraint: "+constraintList(member.Shape))
					return
				}
			}
			return
		}
		for i, e := range l {
			if e == nil {
				continue
			}
			if !w.push(segment{index: i + 1}) {
				return
			}
			w.value(member, e)
			w.pop()
		}
	case "map":
		m, ok := v.(map[string]any)
		if !ok {
			return
		}
		w.size(ref, v, len(m))
		if s.Key != nil && s.Key.Shape != nil && hasConstraints(s.Key.Shape) {
			for k := range m {
				if !scalarValid(s.Key.Shape, k) {
					w.report(s.Key, v, false, "Map keys must satisfy constraint: "+constraintList(s.Key.Shape))
					break
				}
			}
		}
		val := s.Value
		if val == nil || val.Shape == nil {
			return
		}
		if val.Shape.IsScalar() {
			if !hasConstraints(val.Shape) {
				return
			}
			for _, e := range m {
				if e != nil && !scalarValid(val.Shape, e) {
					w.report(val, v, false, "Map value must satisfy constraint: "+constraintList(val.Shape))
					return
				}
			}
			return
		}
		if len(m) == 0 || w.n == maxValidateDepth {
			return // spares sorting keys that cannot be entered
		}
		// Sorted, so that the violations of several entries come in a stable order.
		keys := make([]string, 0, len(m))
		for k, e := range m {
			if e != nil {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		for _, k := range keys {
			if !w.push(segment{name: k, key: true}) {
				return
			}
			w.value(val, m[k])
			w.pop()
		}
	default:
		w.scalar(ref, v)
	}
}

// size checks the number of entries of a list or map.
func (w *validator) size(ref *model.Ref, v any, n int) {
	s := ref.Shape
	if s.Min != nil && float64(n) < *s.Min {
		w.report(ref, v, false, "Member must have length greater than or equal to "+formatLimit(*s.Min, "long"))
	}
	if s.Max != nil && float64(n) > *s.Max {
		w.report(ref, v, false, "Member must have length less than or equal to "+formatLimit(*s.Max, "long"))
	}
}

// scalar checks a string, blob or number, each broken constraint a violation of its own.
func (w *validator) scalar(ref *model.Ref, v any) {
	s := ref.Shape
	switch s.Type {
	case "string", "character":
		str, ok := v.(string)
		if !ok {
			return
		}
		if s.Min != nil || s.Max != nil {
			w.length(ref, v, utf8.RuneCountInString(str))
		}
		if s.Pattern != "" {
			if re := s.Regexp(); re != nil && !re.MatchString(str) {
				w.report(ref, v, false, "Member must satisfy regular expression pattern: "+s.Pattern)
			}
		}
		if !s.InEnum(str) {
			w.report(ref, v, false, "Member must satisfy enum value set: "+enumList(s))
		}
	case "blob":
		if b, ok := v.([]byte); ok && (s.Min != nil || s.Max != nil) {
			w.length(ref, v, len(b))
		}
	case "byte", "short", "integer", "long", "float", "double":
		f, ok := number(v)
		if !ok {
			return
		}
		if s.Min != nil && f < *s.Min {
			w.report(ref, v, false, "Member must have value greater than or equal to "+formatLimit(*s.Min, s.Type))
		}
		if s.Max != nil && f > *s.Max {
			w.report(ref, v, false, "Member must have value less than or equal to "+formatLimit(*s.Max, s.Type))
		}
	}
}

func (w *validator) length(ref *model.Ref, v any, n int) {
	s := ref.Shape
	if s.Min != nil && float64(n) < *s.Min {
		w.report(ref, v, false, "Member must have length greater than or equal to "+formatLimit(*s.Min, "long"))
	}
	if s.Max != nil && float64(n) > *s.Max {
		w.report(ref, v, false, "Member must have length less than or equal to "+formatLimit(*s.Max, "long"))
	}
}

// number returns a numeric value of the tree as a float64 for comparison with the model's limits.
func number(v any) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case float64:
		return x, true
	case float32:
		return float64(x), true
	}
	if i, ok := asInt64(v); ok {
		return float64(i), true
	}
	return 0, false
}

// hasConstraints reports whether a scalar shape has anything to check.
func hasConstraints(s *model.Shape) bool {
	return s.Min != nil || s.Max != nil || s.Pattern != "" || len(s.Enum) > 0
}

// scalarValid reports whether a list element or map key or value meets every constraint of its shape.
func scalarValid(s *model.Shape, v any) bool {
	switch s.Type {
	case "string", "character":
		str, ok := v.(string)
		if !ok {
			return true
		}
		if s.Min != nil || s.Max != nil {
			n := float64(utf8.RuneCountInString(str))
			if s.Min != nil && n < *s.Min || s.Max != nil && n > *s.Max {
				return false
			}
		}
		if s.Pattern != "" {
			if re := s.Regexp(); re != nil && !re.MatchString(str) {
				return false
			}
		}
		return s.InEnum(str)
	case "blob":
		b, ok := v.([]byte)
		if !ok {
			return true
		}
		n := float64(len(b))
		return !(s.Min != nil && n < *s.Min || s.Max != nil && n > *s.Max)
	case "byte", "short", "integer", "long", "float", "double":
		f, ok := number(v)
		if !ok {
			return true
		}
		return !(s.Min != nil && f < *s.Min || s.Max != nil && f > *s.Max)
	}
	return true
}

// constraintList is every constraint of a scalar shape, as AWS lists them for a list's members or a map's keys
// and values: "[Member must have length less than or equal to 253, Member must have length greater than or equal
// to 1, Member must satisfy regular expression pattern: P]".
func constraintList(s *model.Shape) string {
	var parts []string
	word := "length"
	typ := "long"
	switch s.Type {
	case "byte", "short", "integer", "long", "float", "double":
		word, typ = "value", s.Type
	}
	if s.Max != nil {
		parts = append(parts, "Member must have "+word+" less than or equal to "+formatLimit(*s.Max, typ))
	}
	if s.Min != nil {
		parts = append(parts, "Member must have "+word+" greater than or equal to "+formatLimit(*s.Min, typ))
	}
	if s.Pattern != "" {
		parts = append(parts, "Member must satisfy regular expression pattern: "+s.Pattern)
	}
	if len(s.Enum) > 0 {
		parts = append(parts, "Member must satisfy enum value set: "+enumList(s))
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func enumList(s *model.Shape) string {
	return "[" + strings.Join(s.Enum, ", ") + "]"
}

// formatLimit writes a model limit as Java prints it for the shape's type: whole for the integral types, as a
// double ("1.0", "1.0E7") for float and double.
func formatLimit(f float64, typ string) string {
	switch typ {
	case "float", "double":
		return string(appendJavaFloat(nil, f, 64))
	}
	if f == math.Trunc(f) && math.Abs(f) < 1<<63 {
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// PatternFirst puts, for each value, its pattern violation before its length violations, and returns vs. AWS's
// services disagree on the order: SageMaker lists the length first ("Member must have length less than or equal
// to 63; … Member must satisfy regular expression pattern: …"), which is Validate's order, while IAM and STS list
// the pattern first, so the query codec reorders with PatternFirst.
func PatternFirst(vs []Violation) []Violation {
	const pattern = "Member must satisfy regular expression pattern: "
	for i := 1; i < len(vs); i++ {
		if !strings.HasPrefix(vs[i].Constraint, pattern) {
			continue
		}
		j := i
		for j > 0 && vs[j-1].Path == vs[i].Path && strings.HasPrefix(vs[j-1].Constraint, "Member must have length ") {
			j--
		}
		if j < i {
			v := vs[i]
			copy(vs[j+1:i+1], vs[j:i])
			vs[j] = v
		}
	}
	return vs
}
