package policy

import (
	"strconv"
	"strings"
)

// legacyDate reports whether IAM's legacy parser reads v as the value of a Date operator: either a count of epoch
// seconds from 0 to the largest int64, or an ISO 8601 date and time (any part after the year optional) with the
// years Java's clock can hold. The edges come from moto's AWS-recorded cases: "01T" and
// "2016-12-13t2:00:00.593194+23" are dates, "234-13", "…+1" (a one-digit offset), a fraction of ten digits and
// 9223372036854775808 are not.
func legacyDate(v string) bool {
	lower := strings.ToLower(v)
	if !strings.ContainsAny(lower, "t-") {
		n, err := strconv.ParseInt(v, 10, 64)
		return err == nil && n >= 0 && isDigits(v)
	}
	date, clock, _ := strings.Cut(lower, "t")
	negative := strings.HasPrefix(date, "-")
	if negative {
		date = date[1:]
	}
	parts := strings.Split(date, "-")
	if len(parts) > 3 {
		return false
	}
	year, ok := number(parts[0], 0, 292278993)
	if !ok || negative && year > 292275054 {
		return false
	}
	if len(parts) > 1 {
		if _, ok := number(parts[1], 1, 12); !ok {
			return false
		}
	}
	if len(parts) > 2 {
		if _, ok := number(parts[2], 1, 31); !ok {
			return false
		}
	}
	return legacyTime(clock)
}

// legacyTime reads hh[:mm[:ss[.fraction]]] with an optional zone: "z", or +hh or -hh with an optional :mm.
func legacyTime(s string) bool {
	if s == "" {
		return true
	}
	zone := ""
	if i := strings.IndexAny(s, "z+-"); i >= 0 {
		s, zone = s[:i], s[i:]
		if !legacyZone(zone) {
			return false
		}
	}
	parts := strings.Split(s, ":")
	if len(parts) > 3 {
		return false
	}
	if parts[0] != "" {
		if _, ok := number(parts[0], 0, 23); !ok {
			return false
		}
	} else if len(parts) > 1 || zone != "" {
		return false
	}
	if len(parts) > 1 {
		if _, ok := number(parts[1], 0, 59); !ok {
			return false
		}
	}
	if len(parts) > 2 {
		sec, frac, hasFrac := strings.Cut(parts[2], ".")
		if _, ok := number(sec, 0, 59); !ok {
			return false
		}
		if hasFrac {
			if _, ok := number(frac, 0, 999999999); !ok {
				return false
			}
		}
	}
	return true
}

func legacyZone(z string) bool {
	if z == "z" {
		return true
	}
	hh, mm, hasMinutes := strings.Cut(z[1:], ":")
	if len(hh) != 2 {
		return false
	}
	if _, ok := number(hh, 0, 23); !ok {
		return false
	}
	if hasMinutes {
		if _, ok := number(mm, 0, 59); !ok || len(mm) != 2 {
			return false
		}
	}
	return true
}

// number reads a decimal number of digits only, between lo and hi.
func number(s string, lo, hi int64) (int64, bool) {
	if !isDigits(s) || len(s) > 18 {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil && n >= lo && n <= hi
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
