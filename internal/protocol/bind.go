package protocol

import (
	"fmt"
	"reflect"
	"sync"
	"time"

	"github.com/sagebox/sagebox/internal/awserr"
)

// Bind copies a decoded value tree into dst, a pointer to a handler's input struct. Struct fields carry the model's
// member names, or a tag `aws:"name"` where the member name is not an exported Go name (CloudWatch Logs' members
// start with a lower-case letter); optional scalars are pointers. Because decoding follows the model and the structs are generated
// from it, a mismatch is sagebox's bug and Bind reports it as an internal failure.
func Bind(tree map[string]any, dst any) error {
	rv := reflect.ValueOf(dst)
	if rv.Kind() != reflect.Pointer || rv.Elem().Kind() != reflect.Struct {
		return awserr.Internal(fmt.Errorf("protocol: Bind into %T, want a pointer to a struct", dst))
	}
	if err := bindStruct(rv.Elem(), tree); err != nil {
		return awserr.Internal(fmt.Errorf("protocol: Bind into %T: %w", dst, err))
	}
	return nil
}

// Unbind turns src, a pointer to a handler's output struct, into the value tree that Encode takes. Nil pointers,
// slices and maps are absent members.
func Unbind(src any) (map[string]any, error) {
	rv := reflect.ValueOf(src)
	if rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return nil, nil
		}
		rv = rv.Elem()
	}
	if rv.Kind() != reflect.Struct {
		return nil, awserr.Internal(fmt.Errorf("protocol: Unbind of %T, want a struct", src))
	}
	return unbindStruct(rv), nil
}

var timeType = reflect.TypeFor[time.Time]()

// fields caches each struct type's exported fields. Like encoding/json's field cache it is package-level: it
// memoizes a pure function of the type and is never reset.
var fields sync.Map // reflect.Type -> []field

type field struct {
	name  string
	index int
}

func fieldsOf(t reflect.Type) []field {
	if fs, ok := fields.Load(t); ok {
		return fs.([]field)
	}
	var fs []field
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name := f.Name
		if tag, ok := f.Tag.Lookup("aws"); ok {
			name = tag
		}
		fs = append(fs, field{name: name, index: i})
	}
	fields.Store(t, fs)
	return fs
}

func bindStruct(rv reflect.Value, tree map[string]any) error {
	for _, f := range fieldsOf(rv.Type()) {
		v, ok := tree[f.name]
		if !ok || v == nil {
			continue
		}
		if err := bindValue(rv.Field(f.index), v); err != nil {
			return fmt.Errorf("%s: %w", f.name, err)
		}
	}
	return nil
}

func bindValue(rv reflect.Value, v any) error {
	switch rv.Kind() {
	case reflect.Pointer:
		p := reflect.New(rv.Type().Elem())
		if err := bindValue(p.Elem(), v); err != nil {
			return err
		}
		rv.Set(p)
		return nil
	case reflect.Interface:
		rv.Set(reflect.ValueOf(v))
		return nil
	case reflect.String:
		s, ok := v.(string)
		if !ok {
			return mismatch(rv, v)
		}
		rv.SetString(s)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, ok := v.(int64)
		if !ok || rv.OverflowInt(n) {
			return mismatch(rv, v)
		}
		rv.SetInt(n)
	case reflect.Float32, reflect.Float64:
		f, ok := v.(float64)
		if !ok {
			return mismatch(rv, v)
		}
		rv.SetFloat(f)
	case reflect.Bool:
		b, ok := v.(bool)
		if !ok {
			return mismatch(rv, v)
		}
		rv.SetBool(b)
	case reflect.Struct:
		if rv.Type() == timeType {
			t, ok := v.(time.Time)
			if !ok {
				return mismatch(rv, v)
			}
			rv.Set(reflect.ValueOf(t))
			return nil
		}
		m, ok := v.(map[string]any)
		if !ok {
			return mismatch(rv, v)
		}
		return bindStruct(rv, m)
	case reflect.Slice:
		if rv.Type().Elem().Kind() == reflect.Uint8 {
			b, ok := v.([]byte)
			if !ok {
				return mismatch(rv, v)
			}
			rv.SetBytes(b)
			return nil
		}
		l, ok := v.([]any)
		if !ok {
			return mismatch(rv, v)
		}
		s := reflect.MakeSlice(rv.Type(), len(l), len(l))
		for i, e := range l {
			if e == nil {
				continue
			}
			if err := bindValue(s.Index(i), e); err != nil {
				return fmt.Errorf("[%d]: %w", i, err)
			}
		}
		rv.Set(s)
	case reflect.Map:
		m, ok := v.(map[string]any)
		if !ok || rv.Type().Key().Kind() != reflect.String {
			return mismatch(rv, v)
		}
		out := reflect.MakeMapWithSize(rv.Type(), len(m))
		for k, e := range m {
			ev := reflect.New(rv.Type().Elem()).Elem()
			if e != nil {
				if err := bindValue(ev, e); err != nil {
					return fmt.Errorf("[%q]: %w", k, err)
				}
			}
			out.SetMapIndex(reflect.ValueOf(k).Convert(rv.Type().Key()), ev)
		}
		rv.Set(out)
	default:
		return mismatch(rv, v)
	}
	return nil
}

func mismatch(rv reflect.Value, v any) error {
	return fmt.Errorf("cannot bind %T into %s", v, rv.Type())
}

func unbindStruct(rv reflect.Value) map[string]any {
	fs := fieldsOf(rv.Type())
	out := make(map[string]any, len(fs))
	for _, f := range fs {
		if v, ok := unbindValue(rv.Field(f.index)); ok {
			out[f.name] = v
		}
	}
	return out
}

// unbindValue returns the tree value of rv, and false when rv is an absent member.
func unbindValue(rv reflect.Value) (any, bool) {
	switch rv.Kind() {
	case reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			return nil, false
		}
		if rv.Kind() == reflect.Interface {
			return rv.Interface(), true
		}
		return unbindValue(rv.Elem())
	case reflect.String:
		return rv.String(), true
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int(), true
	case reflect.Float32, reflect.Float64:
		return rv.Float(), true
	case reflect.Bool:
		return rv.Bool(), true
	case reflect.Struct:
		if rv.Type() == timeType {
			return rv.Interface().(time.Time).UTC(), true
		}
		return unbindStruct(rv), true
	case reflect.Slice:
		if rv.IsNil() {
			return nil, false
		}
		if rv.Type().Elem().Kind() == reflect.Uint8 {
			return rv.Bytes(), true
		}
		l := make([]any, rv.Len())
		for i := range l {
			l[i], _ = unbindValue(rv.Index(i))
		}
		return l, true
	case reflect.Map:
		if rv.IsNil() {
			return nil, false
		}
		m := make(map[string]any, rv.Len())
		it := rv.MapRange()
		for it.Next() {
			m[it.Key().String()], _ = unbindValue(it.Value())
		}
		return m, true
	}
	return nil, false
}
