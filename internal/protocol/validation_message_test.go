package protocol

import (
	"math"
	"testing"
	"time"

	"github.com/sagebox/sagebox/internal/model"
)

func TestValidationMessage(t *testing.T) {
	str := &model.Ref{Shape: &model.Shape{Type: "string"}}
	secret := &model.Ref{Shape: &model.Shape{Type: "string", Sensitive: true}}
	list := &model.Ref{Shape: &model.Shape{Type: "list", Member: str}}
	tests := []struct {
		name       string
		violations []Violation
		want       string
	}{
		{"one pattern violation", []Violation{
			{Path: "roleName", Ref: str, Value: "x y", Constraint: `Member must satisfy regular expression pattern: [\w+=,.@-]+`},
		}, `1 validation error detected: Value 'x y' at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+`},
		{"a missing member and a number", []Violation{
			{Path: "roleName", Missing: true, Constraint: "Member must not be null"},
			{Path: "maxItems", Value: int64(0), Constraint: "Member must have value greater than or equal to 1"},
		}, "2 validation errors detected: Value null at 'roleName' failed to satisfy constraint: Member must not be null; " +
			"Value '0' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"a list", []Violation{
			{Path: "vpcConfig.securityGroupIds", Ref: list, Value: []any{"sg-1", "sg-2"}, Constraint: "Member must have length less than or equal to 1"},
		}, "1 validation error detected: Value '[sg-1, sg-2]' at 'vpcConfig.securityGroupIds' failed to satisfy constraint: Member must have length less than or equal to 1"},
		{"a sensitive value is not shown", []Violation{
			{Path: "password", Ref: secret, Value: "hunter2", Constraint: "Member must have length greater than or equal to 8"},
		}, "1 validation error detected: Value at 'password' failed to satisfy constraint: Member must have length greater than or equal to 8"},
		{"a map, a boolean, a float, a timestamp and a blob", []Violation{
			{Path: "tags", Value: map[string]any{"b": "2", "a": "1"}, Constraint: "c"},
			{Path: "flag", Value: true, Constraint: "c"},
			{Path: "ratio", Value: 0.5, Constraint: "c"},
			{Path: "when", Value: time.Date(2019, 12, 16, 23, 48, 18, 0, time.UTC), Constraint: "c"},
			{Path: "data", Value: []byte("abc"), Constraint: "c"},
		}, "5 validation errors detected: Value '{a=1, b=2}' at 'tags' failed to satisfy constraint: c; " +
			"Value 'true' at 'flag' failed to satisfy constraint: c; Value '0.5' at 'ratio' failed to satisfy constraint: c; " +
			"Value 'Mon Dec 16 23:48:18 UTC 2019' at 'when' failed to satisfy constraint: c; " +
			"Value 'java.nio.HeapByteBuffer[pos=0 lim=3 cap=3]' at 'data' failed to satisfy constraint: c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ValidationMessage(tt.violations); got != tt.want {
				t.Errorf("ValidationMessage() =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestJavaDouble(t *testing.T) {
	tests := []struct {
		f    float64
		want string
	}{
		{1, "1.0"}, {0.5, "0.5"}, {-2.25, "-2.25"}, {0, "0.0"}, {1e7, "1.0E7"}, {1.5e-4, "1.5E-4"},
		{123456.789, "123456.789"}, {math.NaN(), "NaN"}, {math.Inf(1), "Infinity"}, {math.Inf(-1), "-Infinity"},
	}
	for _, tt := range tests {
		if got := vmJavaDouble(tt.f); got != tt.want {
			t.Errorf("vmJavaDouble(%v) = %q, want %q", tt.f, got, tt.want)
		}
	}
}
