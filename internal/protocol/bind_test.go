package protocol

import (
	"reflect"
	"testing"
	"time"
)

type bindTag struct {
	Key   string
	Value *string
}

type bindInput struct {
	Name     string
	Count    *int32
	Big      int64
	Ratio    *float64
	On       *bool
	When     *time.Time
	Data     []byte
	Tags     []*bindTag
	Names    []string
	Attrs    map[string]string
	Nested   *bindTag
	Document any
	Absent   *string
}

func TestBindAndUnbindRoundTrip(t *testing.T) {
	when := time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)
	tree := map[string]any{
		"Name":     "n",
		"Count":    int64(3),
		"Big":      int64(1 << 40),
		"Ratio":    0.5,
		"On":       true,
		"When":     when,
		"Data":     []byte("blob"),
		"Tags":     []any{map[string]any{"Key": "k", "Value": "v"}, map[string]any{"Key": "k2"}},
		"Names":    []any{"a", "b"},
		"Attrs":    map[string]any{"x": "1"},
		"Nested":   map[string]any{"Key": "inner"},
		"Document": map[string]any{"free": []any{1.0, "form"}},
	}
	var in bindInput
	if err := Bind(tree, &in); err != nil {
		t.Fatal(err)
	}
	if in.Name != "n" || *in.Count != 3 || in.Big != 1<<40 || *in.Ratio != 0.5 || !*in.On || !in.When.Equal(when) {
		t.Errorf("Bind scalars = %+v", in)
	}
	if len(in.Tags) != 2 || in.Tags[0].Key != "k" || *in.Tags[0].Value != "v" || in.Tags[1].Value != nil {
		t.Errorf("Bind list of structures = %+v", in.Tags)
	}
	if in.Absent != nil {
		t.Errorf("Bind set an absent member: %v", *in.Absent)
	}
	back, err := Unbind(&in)
	if err != nil {
		t.Fatal(err)
	}
	if !equal(back, tree) {
		t.Errorf("Unbind(Bind(tree)) = %s, want %s", show(back), show(tree))
	}
}

func TestBindRefusesAMismatchAsInternal(t *testing.T) {
	var in bindInput
	err := Bind(map[string]any{"Count": "three"}, &in)
	if err == nil {
		t.Fatal("Bind of a string into an int32 succeeded")
	}
	if reflect.TypeOf(err).String() != "*awserr.Error" {
		t.Errorf("Bind error is %T, want *awserr.Error", err)
	}
	if err := Bind(map[string]any{"Count": int64(1) << 40}, &in); err == nil {
		t.Error("Bind of 2^40 into an int32 succeeded")
	}
}
