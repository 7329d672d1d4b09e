package policy

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Matching compiled patterns against a request's strings: globs (Action, StringLike), equality (StringEquals and
// its IgnoreCase form), ARNs (Resource, ArnLike) and principals. Nothing here allocates: variables are resolved
// from the Context as the matcher meets them, and case is folded byte by byte.

// glob reports whether s matches p, where * is any run of characters and ? any one character. With fold, ASCII
// letters match regardless of case; p keeps the case it was written in, since requests mostly spell actions and
// ARNs as policies do and the exact comparison is tried first. A variable without a value matches nothing, so p
// does not match.
//
// The algorithm is the greedy one with a single backtrack point, the last star: every unit between stars has a
// length fixed by the pattern once variables are resolved, so retrying only the last star is enough, and the cost
// is O(len(p)·len(s)) at worst with no recursion.
func (p *pattern) glob(s string, ctx *lookup, fold bool) bool {
	pcs := p.pieces
	// The shapes most patterns have: "*", "text", "text*".
	switch {
	case len(pcs) == 0:
		return s == ""
	case len(pcs) == 1 && pcs[0].kind == pieceStar:
		return true
	case len(pcs) == 1 && pcs[0].kind == pieceText:
		return len(s) == len(pcs[0].text) && hasPrefixCase(s, pcs[0].text, fold)
	case len(pcs) == 2 && pcs[0].kind == pieceText && pcs[1].kind == pieceStar:
		return hasPrefixCase(s, pcs[0].text, fold)
	}
	i, t := 0, 0
	star, mark := -1, 0
	ok := true
	for {
		if i < len(pcs) {
			pc := &pcs[i]
			switch pc.kind {
			case pieceStar:
				if i == len(pcs)-1 {
					return true
				}
				star = i
				i++
				if t, ok = skipTo(pcs[i], s, t, fold); !ok {
					return false
				}
				mark = t
				continue
			case pieceOne:
				if t < len(s) {
					_, w := utf8.DecodeRuneInString(s[t:])
					t += w
					i++
					continue
				}
			case pieceText:
				if hasPrefixCase(s[t:], pc.text, fold) {
					t += len(pc.text)
					i++
					continue
				}
			case pieceVar:
				v, ok := pc.resolve(ctx)
				if !ok {
					return false
				}
				if hasPrefixCase(s[t:], v, fold) {
					t += len(v)
					i++
					continue
				}
			}
		} else if t == len(s) {
			return true
		}
		if star < 0 || mark >= len(s) {
			return false
		}
		_, w := utf8.DecodeRuneInString(s[mark:])
		if mark, ok = skipTo(pcs[star+1], s, mark+w, fold); !ok {
			return false
		}
		i, t = star+1, mark
	}
}

// skipTo returns where, from t on, the star before pc may stop: when pc is case-sensitive text, the next place it
// occurs (found at once rather than tried at every position), and t otherwise. ok is false when the text does not
// occur again, so that nothing after the star can match.
func skipTo(pc piece, s string, t int, fold bool) (int, bool) {
	if pc.kind != pieceText || fold {
		return t, true
	}
	i := strings.Index(s[t:], pc.text)
	return t + i, i >= 0
}

// hasPrefixCase reports whether s begins with prefix, ignoring ASCII case when fold is set. Requests mostly spell
// actions and ARNs as policies do, so the exact comparison comes first.
func hasPrefixCase(s, prefix string, fold bool) bool {
	if len(s) < len(prefix) {
		return false
	}
	return s[:len(prefix)] == prefix || fold && hasPrefixFold(s, prefix)
}

// hasPrefixFold is hasPrefixCase's comparison without regard to ASCII case.
func hasPrefixFold(s, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		if lowerASCII(s[i]) != lowerASCII(prefix[i]) {
			return false
		}
	}
	return true
}

// equal reports whether s is exactly p's text with its variables resolved (StringEquals: * and ? are literal).
// With fold, case is ignored as Unicode simple folding does (StringEqualsIgnoreCase), which is what
// strings.EqualFold does, here across the pieces of p.
func (p *pattern) equal(s string, ctx *lookup, fold bool) bool {
	t := 0
	for i := range p.pieces {
		pc := &p.pieces[i]
		text := pc.text
		switch pc.kind {
		case pieceVar:
			v, ok := pc.resolve(ctx)
			if !ok {
				return false
			}
			text = v
		case pieceStar:
			text = "*"
		case pieceOne:
			text = "?"
		}
		if !fold {
			if !strings.HasPrefix(s[t:], text) {
				return false
			}
			t += len(text)
			continue
		}
		n, ok := foldPrefix(s[t:], text)
		if !ok {
			return false
		}
		t += n
	}
	return t == len(s)
}

// foldPrefix reports whether s begins with a string equal to prefix under Unicode simple case folding, and how
// many bytes of s it spans (folding may change a character's length: K and the Kelvin sign).
func foldPrefix(s, prefix string) (int, bool) {
	t := 0
	for _, pr := range prefix {
		if t >= len(s) {
			return 0, false
		}
		sr, w := utf8.DecodeRuneInString(s[t:])
		t += w
		if sr != pr && !equalFoldRune(sr, pr) {
			return 0, false
		}
	}
	return t, true
}

// equalFoldRune reports whether a and b are the same letter under Unicode simple case folding.
func equalFoldRune(a, b rune) bool {
	if a < utf8.RuneSelf && b < utf8.RuneSelf {
		return lowerASCII(byte(a)) == lowerASCII(byte(b))
	}
	for r := unicode.SimpleFold(a); r != a; r = unicode.SimpleFold(r) {
		if r == b {
			return true
		}
	}
	return false
}

// arnPattern is a compiled ARN pattern of a Resource, NotResource or Arn* condition. The IAM User Guide
// ("IAM JSON policy elements: Resource"): wildcards * and ? work "within the individual segments of an ARN (the
// parts separated by colons)"; "if the * wildcard is the last character of a resource ARN segment, it can expand
// to match beyond the colon boundaries"; in the resource part, after the fifth colon, * also spans "/" and ":".
// For the Arn* operators ("IAM JSON policy elements: Condition operators"), "each of the six colon-delimited
// components of the ARN is checked separately", so no segment expands there — except that a * ending the whole
// pattern ("arn:aws:s3:*") covers the rest either way.
type arnPattern struct {
	// lead is the leading parts that are plain text, each with the colon after it ("arn:aws:s3:::"), and
	// leadParts their number: they are compared at once.
	lead string
	// parts are the parts after the lead: part k of the pattern, counting from 0 the parts between the first
	// five colons and then the resource part, is parts[k-leadParts]. There are one to six parts in all.
	parts     []pattern
	leadParts uint8
	// expand has bit k set when part k ends with * and may run on past the colon that follows it.
	expand uint8
	// fold: the first five parts (arn, partition, service, region, account) ignore ASCII case. The service prefix
	// of an ARN is case-insensitive; the resource part never is.
	fold bool
	all  bool // the pattern is "*"
}

// arnOptions says how to compile an ARN pattern.
type arnOptions struct {
	vars       bool      // the document has variables (2012-10-17)
	varsPrefix bool      // variables are resolved before the fifth colon too (Arn* conditions); in Resource they are not
	expand     bool      // a * ending a segment may cross colons (Resource); Arn* conditions check segments separately
	fold       bool      // the segments before the resource part ignore case (Resource)
	in         *interner // shares the variables' keys
}

// compileARN compiles an ARN pattern. Colons inside a variable (${aws:username}) do not split the ARN.
func compileARN(s string, o arnOptions) arnPattern {
	if s == "*" {
		return arnPattern{all: true}
	}
	a := arnPattern{fold: o.fold}
	var parts [6]pattern
	n, start := 0, 0
	for i := 0; i < len(s) && n < 5; i++ {
		if o.vars && s[i] == '$' && i+1 < len(s) && s[i+1] == '{' {
			if _, w, ok := parseVariable(s[i:], nil); ok {
				i += w - 1
				continue
			}
		}
		if s[i] == ':' {
			parts[n] = a.part(s[start:i], n, o)
			n, start = n+1, i+1
		}
	}
	parts[n] = a.part(s[start:], n, o)
	n++
	// The lead: the parts before the last that are plain text. Its text is s's up to the colon after them, unless
	// an escape (${*}) made a part's text differ from what s says.
	var lead []byte
	k := 0
	for ; k < n-1; k++ {
		pcs := parts[k].pieces
		if len(pcs) > 1 || len(pcs) == 1 && pcs[0].kind != pieceText {
			break
		}
		if len(pcs) == 1 {
			lead = append(lead, pcs[0].text...)
		}
		lead = append(lead, ':')
	}
	if len(lead) <= len(s) && s[:len(lead)] == string(lead) {
		a.lead = s[:len(lead)]
	} else {
		a.lead = string(lead)
	}
	a.leadParts = uint8(k)
	if o.expand {
		for k := 0; k < n-1; k++ {
			if parts[k].endsWithStar() {
				a.expand |= 1 << k
			}
		}
	}
	a.parts = slices.Clone(parts[k:n])
	return a
}

// part compiles part k of an ARN pattern.
func (a *arnPattern) part(s string, k int, o arnOptions) pattern {
	return parsePattern(s, patternOptions{vars: o.vars && (k == 5 || o.varsPrefix), wild: true, in: o.in})
}

// match reports whether the ARN s matches a. The parts of a are laid on the colon-separated segments of s in
// order. A part that may expand ends, once its text before the final * matched its segment, at any later colon of
// s, so the parts after it may start after any of those colons: the earliest start that lets them match is the
// one kept, since every start a later one allows, an earlier one allows too. The last part takes the rest of s.
func (a *arnPattern) match(s string, ctx *lookup) bool {
	if a.all {
		return true
	}
	if !hasPrefixCase(s, a.lead, a.fold) {
		return false
	}
	lead := int(a.leadParts)
	n := lead + len(a.parts)
	if lead == 5 {
		// The most common shape: every part before the resource part is plain text.
		return a.parts[0].glob(s[len(a.lead):], ctx, false)
	}
	pos, flexible := len(a.lead), false
	for i := lead; i < n; {
		j := i
		for j < n-1 && a.expand&(1<<j) == 0 {
			j++
		}
		for start := pos; ; {
			if end, ok := a.matchRun(i, j, s, start, ctx); ok {
				if j == n-1 {
					return true
				}
				pos, flexible = end, true
				break
			}
			c := strings.IndexByte(s[start:], ':')
			if !flexible || c < 0 {
				return false
			}
			start += c + 1
		}
		i = j + 1
	}
	return false
}

// matchRun matches parts i…j of a on consecutive segments of s from start. Parts before j each take one segment;
// part j, when it is not the last part, takes one segment and returns where the next may start; the last part
// takes the rest of s.
func (a *arnPattern) matchRun(i, j int, s string, start int, ctx *lookup) (int, bool) {
	lead := int(a.leadParts)
	n := lead + len(a.parts)
	for k := i; k <= j; k++ {
		part := &a.parts[k-lead]
		fold := a.fold && k < 5
		rest := s[start:]
		if k == 5 {
			// The resource part: its wildcards span colons.
			return 0, part.glob(rest, ctx, false)
		}
		c := strings.IndexByte(rest, ':')
		if k == n-1 {
			switch {
			case part.endsWithStar():
				// A trailing * covers the rest of the ARN; the part's text before it stays in its segment.
				if c >= 0 {
					rest = rest[:c]
				}
				return 0, part.glob(rest, ctx, fold)
			default:
				return 0, c < 0 && part.glob(rest, ctx, fold)
			}
		}
		if c < 0 || !part.glob(rest[:c], ctx, fold) {
			return 0, false
		}
		start += c + 1
	}
	return start, true
}

func (p *pattern) endsWithStar() bool {
	return len(p.pieces) > 0 && p.pieces[len(p.pieces)-1].kind == pieceStar
}

// missingVars appends to out the variables of every part that have no value in ctx.
func (a *arnPattern) missingVars(ctx *lookup, out []string) []string {
	for i := range a.parts {
		out = a.parts[i].missingVars(ctx, out)
	}
	return out
}

// compileAction compiles an Action or NotAction entry. Actions match case-insensitively ("The prefix and the
// action name are case insensitive", IAM User Guide, "IAM JSON policy elements: Action"), with * and ? globs: "*"
// is one star, which matches every action.
func compileAction(a string) pattern {
	return parsePattern(a, patternOptions{wild: true})
}

// matchAction reports whether the compiled Action entry p matches action.
func (p *pattern) matchAction(action string) bool {
	return p.glob(action, nil, true)
}

// grantKind is how a resource-based policy's statement names the principal of a request, which decides what else
// must allow in the same account (the IAM User Guide, "Policy evaluation for requests within a single account").
type grantKind uint8

const (
	grantNone grantKind = iota
	// grantAccount: the statement names the principal's account ("arn:aws:iam::A:root", or "A"): the account
	// delegates to its identity-based policies, which must allow.
	grantAccount
	// grantRole: the statement names the role of a role session: the session's permissions boundary and session
	// policies still apply, its identity-based policies need not allow.
	grantRole
	// grantDirect: the statement names the principal itself (its user, session or federated-user ARN, or unique
	// ID), a service or identity provider, or everyone ("*"): it grants on its own.
	grantDirect
)

// principalSet is a compiled Principal or NotPrincipal element.
type principalSet struct {
	all bool
	// arns holds the AWS principals compared whole with the request's: user, role, assumed-role and
	// federated-user ARNs, account root ARNs, and unique IDs.
	arns []string
	// accounts holds the accounts named by their root ARN.
	accounts  []string
	services  []string
	federated []string
	canonical []string
}

func compilePrincipals(p *Principals) *principalSet {
	if p == nil {
		return nil
	}
	ps := &principalSet{all: p.All, services: p.Service, federated: p.Federated, canonical: p.CanonicalUser}
	for _, v := range p.AWS {
		if v == "*" {
			ps.all = true
			continue
		}
		ps.arns = append(ps.arns, v)
		if acct, ok := rootAccount(v); ok {
			ps.accounts = append(ps.accounts, acct)
		} else if isAccountID(v) {
			ps.accounts = append(ps.accounts, v)
		}
	}
	return ps
}

// rootAccount returns the account of an account principal "arn:PARTITION:iam::ACCOUNT:root".
func rootAccount(v string) (string, bool) {
	rest, ok := strings.CutPrefix(v, "arn:")
	if !ok {
		return "", false
	}
	_, rest, ok = strings.Cut(rest, ":")
	if !ok {
		return "", false
	}
	rest, ok = strings.CutPrefix(rest, "iam::")
	if !ok {
		return "", false
	}
	acct, ok := strings.CutSuffix(rest, ":root")
	return acct, ok && isAccountID(acct)
}

// grant returns how the element names p, grantNone when it does not.
func (ps *principalSet) grant(p *Principal) grantKind {
	if ps.all {
		return grantDirect
	}
	switch {
	case p.Anonymous:
		return grantNone
	case p.Service != "":
		if contains(ps.services, p.Service) {
			return grantDirect
		}
		return grantNone
	case p.Federated != "" && p.ARN == "":
		if contains(ps.federated, p.Federated) {
			return grantDirect
		}
		return grantNone
	}
	if p.CanonicalUser != "" && contains(ps.canonical, p.CanonicalUser) {
		return grantDirect
	}
	best := grantNone
	for _, v := range ps.arns {
		switch {
		case v == p.ARN && v != "", v == p.UniqueID && v != "":
			return grantDirect
		case v == p.RoleARN && v != "":
			best = max(best, grantRole)
		case p.UniqueID != "" && strings.HasPrefix(p.UniqueID, v) && len(p.UniqueID) > len(v) && p.UniqueID[len(v)] == ':':
			// A role session's unique ID is the role's, a colon and the session name: naming the role's ID
			// names the role.
			best = max(best, grantRole)
		}
	}
	if best == grantNone && p.Account != "" && contains(ps.accounts, p.Account) {
		best = grantAccount
	}
	return best
}

// excludes reports whether a NotPrincipal element spares p. The IAM User Guide ("AWS JSON policy elements:
// NotPrincipal") warns that AWS "might validate the account first, then the role, and then the assumed-role
// user", each against the element, and that leaving out the account or the role "might" deny them: a Deny with
// NotPrincipal spares a principal only when the element names it at every level — its account (by root ARN), its
// role for a role session, and itself. Each level is compared whole: naming the account spares the account, not
// the users in it.
func (ps *principalSet) excludes(p *Principal) bool {
	if ps.all {
		return true
	}
	switch {
	case p.Anonymous:
		return false
	case p.Service != "":
		return contains(ps.services, p.Service)
	case p.Federated != "" && p.ARN == "":
		return contains(ps.federated, p.Federated)
	}
	if p.Account == "" || !contains(ps.accounts, p.Account) {
		return false
	}
	if p.RoleARN != "" && !contains(ps.arns, p.RoleARN) {
		return false
	}
	return p.Root || contains(ps.arns, p.ARN) || p.UniqueID != "" && contains(ps.arns, p.UniqueID)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
