package ids

import (
	"regexp"
	"testing"
)

func TestFormats(t *testing.T) {
	s := New()
	cases := []struct {
		name string
		got  string
		want *regexp.Regexp
	}{
		{"RequestID", s.RequestID(), regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)},
		{"IAM(AIDA)", s.IAM("AIDA"), regexp.MustCompile(`^AIDA[A-Z2-7]{17}$`)},
		{"AccessKeyID(ASIA)", s.AccessKeyID("ASIA"), regexp.MustCompile(`^ASIA[A-Z2-7]{16}$`)},
		{"Secret", s.Secret(), regexp.MustCompile(`^[A-Za-z0-9+/]{40}$`)},
		{"EC2(vpc)", s.EC2("vpc"), regexp.MustCompile(`^vpc-[0-9a-f]{17}$`)},
		{"domain", "d-" + s.Alnum(12), regexp.MustCompile(`^d-[a-z0-9]{12}$`)},
		{"Digits(12)", s.Digits(12), regexp.MustCompile(`^[1-9][0-9]{11}$`)},
	}
	for _, c := range cases {
		if !c.want.MatchString(c.got) {
			t.Errorf("%s = %q, want a match for %s", c.name, c.got, c.want)
		}
	}
}

func TestSeededSourcesRepeat(t *testing.T) {
	a, b := Seeded(7), Seeded(7)
	for range 10 {
		if x, y := a.EC2("sg"), b.EC2("sg"); x != y {
			t.Fatalf("two sources seeded alike made %s and %s", x, y)
		}
	}
	if Seeded(7).Secret() == Seeded(8).Secret() {
		t.Error("sources with different seeds made the same secret")
	}
}

func TestNoIDRepeatsInAThousand(t *testing.T) {
	s := New()
	seen := map[string]bool{}
	for range 1000 {
		id := s.IAM("AROA")
		if seen[id] {
			t.Fatalf("IAM id %s made twice", id)
		}
		seen[id] = true
	}
}
