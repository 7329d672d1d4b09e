package policy

// Size returns the size of a policy document as IAM's quotas count it: characters (Unicode code points, not bytes),
// without the white space between JSON tokens. White space inside strings is counted: it is part of the value.
//
// The IAM User Guide ("IAM and AWS STS quotas") says IAM "doesn't count white space" and sizes policies in
// characters; GetAccountSummary calls its size quotas "non-whitespace characters". Neither says whether a space
// inside a string counts; sagebox counts it, as a minifier that keeps the document's meaning would. Characters and
// bytes differ only above U+007F, and IAM accepts documents of U+0009, U+000A, U+000D and U+0020–U+00FF only.
// Size does not need a valid document: it scans the text as JSON would and counts what it sees.
func Size(text string) int {
	n := 0
	inString, escaped := false, false
	for _, r := range text {
		switch {
		case inString:
			n++
			switch {
			case escaped:
				escaped = false
			case r == '\\':
				escaped = true
			case r == '"':
				inString = false
			}
		case r == ' ' || r == '\t' || r == '\n' || r == '\r':
		default:
			n++
			if r == '"' {
				inString = true
			}
		}
	}
	return n
}
