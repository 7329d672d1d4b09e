package protocol

import "math"

// floatName returns the name every AWS protocol gives NaN and the infinities ("NaN", "Infinity", "-Infinity"),
// and false for any other float.
func floatName(f float64) (string, bool) {
	switch {
	case math.IsNaN(f):
		return "NaN", true
	case math.IsInf(f, 1):
		return "Infinity", true
	case math.IsInf(f, -1):
		return "-Infinity", true
	}
	return "", false
}

// namedFloat is the inverse of floatName.
func namedFloat(s string) (float64, bool) {
	switch s {
	case "NaN":
		return math.NaN(), true
	case "Infinity":
		return math.Inf(1), true
	case "-Infinity":
		return math.Inf(-1), true
	}
	return 0, false
}
