package policy

import (
	_ "embed"
	"testing"
)

// benchPolicy is shaped like AmazonSageMakerFullAccess (not a copy of it): about 10,000 characters as written
// (5,500 by Size) in two dozen statements, with wildcard actions, NotResource, policy variables, and conditions on
// iam:PassRole, tags, dates and source addresses.
//
//go:embed testdata/bench/sagemaker_full_access_like.json
var benchPolicy string

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(benchPolicy)))
	for b.Loop() {
		if _, err := Parse(benchPolicy, Managed); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSize(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(benchPolicy)))
	for b.Loop() {
		Size(benchPolicy)
	}
}
