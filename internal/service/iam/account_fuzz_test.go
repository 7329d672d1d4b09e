package iam

import "testing"

// FuzzDetailsMarker feeds GetAccountAuthorizationDetails' marker parser arbitrary markers: it must never panic, must
// answer InvalidInput or a cursor inside the sections, and a cursor it accepts must survive a round trip.
func FuzzDetailsMarker(f *testing.F) {
	for _, seed := range []string{"", "MC8", "NC9SZWFkT25seUFjY2Vzcw", "not-a-marker", "OS8", "LTEvYQ", "/", "%%%"} {
		f.Add(seed)
	}
	for _, c := range []detailsCursor{{0, ""}, {2, "runner"}, {4, "ReadOnlyAccess"}, {1, "a/b/c"}} {
		f.Add(*c.marker())
	}
	f.Fuzz(func(t *testing.T, m string) {
		c, err := decodeDetailsMarker(&m)
		if err != nil {
			return
		}
		if c.section < 0 || c.section >= numSections {
			t.Fatalf("decodeDetailsMarker(%q) = section %d, outside the %d sections", m, c.section, numSections)
		}
		if m == "" {
			return
		}
		again, err := decodeDetailsMarker(c.marker())
		if err != nil || again != c {
			t.Fatalf("decodeDetailsMarker(marker of %+v) = %+v, %v; want it back", c, again, err)
		}
	})
}
