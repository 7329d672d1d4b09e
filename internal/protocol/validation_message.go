package protocol

import (
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/sagebox/sagebox/internal/model"
)

// ValidationMessage renders violations as the message of AWS's model validation errors (the query protocol's
// ValidationError and the json protocol's ValidationException), which AWS's request framework writes the same way
// for every service:
//
//	1 validation error detected: Value 'x' at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+
//	2 validation errors detected: Value null at 'roleName' failed to satisfy constraint: Member must not be null; Value '0' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1
//
// A value renders as Java renders it there: strings as they are, numbers and booleans as written, lists as
// [a, b], maps and structures as {k=v, k2=v2}, timestamps as java.util.Date does, blobs as the ByteBuffer they are
// held in. The value of a sensitive member is left out ("Value at 'password' …").
func ValidationMessage(violations []Violation) string {
	var b strings.Builder
	b.WriteString(strconv.Itoa(len(violations)))
	if len(violations) == 1 {
		b.WriteString(" validation error detected: ")
	} else {
		b.WriteString(" validation errors detected: ")
	}
	for i, v := range violations {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString("Value ")
		switch {
		case v.Missing || v.Value == nil:
			b.WriteString("null ")
		case v.Ref != nil && v.Ref.Shape != nil && v.Ref.Shape.Sensitive:
		default:
			b.WriteByte('\'')
			vmValue(&b, v.Value, vmRefShape(v.Ref))
			b.WriteString("' ")
		}
		b.WriteString("at '")
		b.WriteString(v.Path)
		b.WriteString("' failed to satisfy constraint: ")
		b.WriteString(v.Constraint)
	}
	return b.String()
}

func vmRefShape(r *model.Ref) *model.Shape {
	if r == nil {
		return nil
	}
	return r.Shape
}

// vmValue writes v as Java's toString would for the type that holds it in AWS's request framework.
func vmValue(b *strings.Builder, v any, s *model.Shape) {
	switch x := v.(type) {
	case string:
		b.WriteString(x)
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case float64:
		b.WriteString(vmJavaDouble(x))
	case float32:
		b.WriteString(vmJavaDouble(float64(x)))
	case time.Time:
		// java.util.Date.toString in UTC: "Mon Dec 16 23:48:18 UTC 2019".
		b.WriteString(x.UTC().Format("Mon Jan 02 15:04:05 UTC 2006"))
	case []byte:
		n := strconv.Itoa(len(x))
		b.WriteString("java.nio.HeapByteBuffer[pos=0 lim=" + n + " cap=" + n + "]")
	case []any:
		var member *model.Shape
		if s != nil && s.Member != nil {
			member = s.Member.Shape
		}
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteString(", ")
			}
			vmValue(b, e, member)
		}
		b.WriteByte(']')
	case map[string]any:
		b.WriteByte('{')
		first := true
		item := func(k string, e any, es *model.Shape) {
			if !first {
				b.WriteString(", ")
			}
			first = false
			b.WriteString(k)
			b.WriteByte('=')
			vmValue(b, e, es)
		}
		if s != nil && s.Type == "structure" {
			for _, m := range s.Members {
				if e, ok := x[m.Name]; ok {
					item(m.Name, e, m.Shape)
				}
			}
		} else {
			var value *model.Shape
			if s != nil && s.Value != nil {
				value = s.Value.Shape
			}
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				item(k, x[k], value)
			}
		}
		b.WriteByte('}')
	default:
		if n, ok := xmlInt(v); ok {
			b.WriteString(strconv.FormatInt(n, 10))
			return
		}
		b.WriteString("null")
	}
}

// vmJavaDouble formats f as Java's Double.toString, as AWS's messages show numbers.
func vmJavaDouble(f float64) string {
	if name, ok := floatName(f); ok {
		return name
	}
	return string(appendJavaFloat(nil, f, 64))
}
