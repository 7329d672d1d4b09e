package policy

import (
	"encoding/base64"
	"net/netip"
	"strconv"
	"strings"
)

// Conditions, as the IAM User Guide describes them in "IAM JSON policy elements: Condition operators" and
// "Condition keys with multiple values" (reference_policies_condition-single-vs-multi-valued-context-keys):
//
//   - Several operators in a Condition, and several keys under one operator, must all be true (AND); the values of
//     one key are alternatives (OR), and for a negated operator none may match (NOR).
//   - "If the key that you specify in a policy condition is not present in the request context, the values do not
//     match and the condition is false. If the policy condition requires that the key is not matched, such as
//     StringNotLike or ArnNotLike, and the right key is not present, the condition is true."
//   - …IfExists: "If the policy key is present in the context of the request, process the key as specified in the
//     policy. If the key is not present, evaluate the condition element as true."
//   - Null: "true" when the key is absent, "false" when it is present.
//   - ForAnyValue: true when at least one of the request's values matches; "For no matching context key or a null
//     dataset, the condition returns false." ForAllValues: true when every value matches; it "also returns true
//     if there are no context keys in the request or if the context key value resolves to a null dataset, such
//     as an empty string". Each request value is compared with each policy value; with a negated operator a
//     request value matches when it matches none of the policy's values.
//   - Key names are case-insensitive; values are compared case-sensitively except by the IgnoreCase operators.
//
// A null dataset is a key present with no values (a multivalued key such as aws:TagKeys on a request without
// tags) or with only an empty string. The set qualifiers treat it as above, and so does Null, which the User Guide
// offers "to check if the context key exists and its value is not null". A key with no values fails the single
// operators as an absent one does and lets IfExists pass; an empty string is compared as the string it is.

// condition is one compiled key of one condition operator.
type condition struct {
	key  *keyRef
	name string // as written, for MissingContextValues
	m    matcher
	q    Qualifier
	// ifExists: true when the key is absent. negated: the operator is true when no value matches.
	ifExists, negated bool
	// pos is the condition's place among its statement's, in document order.
	pos uint16
}

// cost ranks conditions by what testing them costs: presence and Booleans; then plain string comparisons, and
// dates and addresses, which a decision parses once from the request (scratch) and then compares as numbers; then
// globs, numbers and variables; then ARNs.
func (c *condition) cost() int {
	switch m := c.m.(type) {
	case *null, *boolean:
		return 0
	case *stringEquals:
		for i := range m.values {
			if m.values[i].hasVar() {
				return 2
			}
		}
		return 1
	case *binary, *date, *ipAddress:
		return 1
	case *stringLike, *numeric:
		return 2
	}
	return 3
}

// matcher is a condition operator's comparison of one request value with the policy's values (in the positive
// sense: StringNotEquals has StringEquals's matcher and the negated flag). The set is closed: only this package
// implements it, and condition.match and condition.missingVars call each member's methods by its type, which lets
// a decision's lookup stay on the stack.
type matcher interface {
	// match reports whether the request value v matches at least one of the policy's values.
	match(v string, ctx *lookup) bool
	// missingVars appends to out the variables of the policy's values that have no value in ctx.
	missingVars(ctx *lookup, out []string) []string
	sealed()
}

// compileCondition compiles one Condition. Policy values that the operator cannot read (a number that is not one,
// a date IAM would not take, a bad CIDR) are kept out: they match nothing, which is what AWS does with a value
// that cannot equal any request value.
func compileCondition(c *Condition, vars bool, in *interner) condition {
	cc := condition{key: in.key(lowerKey(c.Key)), name: c.Key, q: c.Qualifier, ifExists: c.IfExists, negated: c.Operator.Negated()}
	switch c.Operator {
	case StringEquals, StringNotEquals, StringEqualsIgnoreCase, StringNotEqualsIgnoreCase:
		m := &stringEquals{fold: c.Operator == StringEqualsIgnoreCase || c.Operator == StringNotEqualsIgnoreCase}
		m.values = make([]pattern, 0, len(c.Values))
		for _, v := range c.Values {
			m.values = append(m.values, parsePattern(v, patternOptions{vars: vars, in: in}))
		}
		cc.m = m
	case StringLike, StringNotLike:
		m := &stringLike{values: make([]pattern, 0, len(c.Values))}
		for _, v := range c.Values {
			m.values = append(m.values, parsePattern(v, patternOptions{vars: vars, wild: true, in: in}))
		}
		cc.m = m
	case NumericEquals, NumericNotEquals, NumericLessThan, NumericLessThanEquals, NumericGreaterThan, NumericGreaterThanEquals:
		m := &numeric{cmp: comparisonOf(c.Operator)}
		for _, v := range c.Values {
			if f, ok := parseNumber(v); ok {
				m.values = append(m.values, f)
			}
		}
		cc.m = m
	case DateEquals, DateNotEquals, DateLessThan, DateLessThanEquals, DateGreaterThan, DateGreaterThanEquals:
		m := &date{cmp: comparisonOf(c.Operator)}
		for _, v := range c.Values {
			if d, ok := parseDate(v); ok {
				m.values = append(m.values, d)
			}
		}
		cc.m = m
	case Bool:
		m := &boolean{}
		for _, v := range c.Values {
			if b, ok := parseBool(v); ok {
				m.values = append(m.values, b)
			}
		}
		cc.m = m
	case BinaryEquals:
		m := &binary{}
		for _, v := range c.Values {
			if b, err := base64.StdEncoding.DecodeString(v); err == nil {
				m.values = append(m.values, base64.StdEncoding.EncodeToString(b), base64.RawStdEncoding.EncodeToString(b))
			}
		}
		cc.m = m
	case IPAddress, NotIPAddress:
		m := &ipAddress{}
		for _, v := range c.Values {
			if p, ok := parseCIDR(v); ok {
				m.values = append(m.values, p)
			}
		}
		cc.m = m
	case ArnEquals, ArnLike, ArnNotEquals, ArnNotLike:
		m := &arnLike{values: make([]arnPattern, 0, len(c.Values))}
		for _, v := range c.Values {
			m.values = append(m.values, compileARN(v, arnOptions{vars: vars, varsPrefix: true, in: in}))
		}
		cc.m = m
	case Null:
		m := &null{}
		for _, v := range c.Values {
			if b, ok := parseBool(v); ok {
				m.values = append(m.values, b)
			}
		}
		cc.m = m
	default:
		// Parse produces no other operator; a hand-built one matches nothing.
		cc.m = &stringEquals{}
	}
	return cc
}

// scratch remembers, within one decision, the last date and address a condition read from the request: the
// statements of a principal's policies test the same aws:CurrentTime and aws:SourceIp over and over.
type scratch struct {
	dateIn        string
	date          instant
	dateOK, dated bool
	addrIn        string
	addr          netip.Addr
	addrOK, addrd bool
}

func (sc *scratch) parseDate(v string) (instant, bool) {
	if !sc.dated || sc.dateIn != v {
		sc.date, sc.dateOK = parseDate(v)
		sc.dateIn, sc.dated = v, true
	}
	return sc.date, sc.dateOK
}

func (sc *scratch) parseAddr(v string) (netip.Addr, bool) {
	if !sc.addrd || sc.addrIn != v {
		sc.addr, sc.addrOK = parseAddr(v)
		sc.addrIn, sc.addrd = v, true
	}
	return sc.addr, sc.addrOK
}

// match reports whether the request value v matches one of the policy's values, reading dates and addresses
// through sc.
func (c *condition) match(v string, ctx *lookup, sc *scratch) bool {
	switch m := c.m.(type) {
	case *stringEquals:
		return m.match(v, ctx)
	case *stringLike:
		return m.match(v, ctx)
	case *arnLike:
		return m.match(v, ctx)
	case *date:
		d, ok := sc.parseDate(v)
		return ok && m.matchInstant(d)
	case *ipAddress:
		a, ok := sc.parseAddr(v)
		return ok && m.matchAddr(a)
	case *numeric:
		return m.match(v, nil)
	case *boolean:
		return m.match(v, nil)
	case *binary:
		return m.match(v, nil)
	}
	return false
}

// missingVars appends to out the variables of the condition's values that have no value in ctx.
func (c *condition) missingVars(ctx *lookup, out []string) []string {
	switch m := c.m.(type) {
	case *stringEquals:
		return m.missingVars(ctx, out)
	case *stringLike:
		return m.missingVars(ctx, out)
	case *arnLike:
		return m.missingVars(ctx, out)
	}
	return out
}

// eval reports whether the condition holds for ctx.
func (c *condition) eval(ctx *lookup, sc *scratch) bool {
	vals, _ := ctx.find(c.key)
	empty := len(vals) == 0
	// A null dataset: no values, or just an empty string.
	nullSet := empty || len(vals) == 1 && vals[0] == ""
	if n, ok := c.m.(*null); ok {
		return n.holds(nullSet)
	}
	if empty && c.ifExists {
		return true
	}
	switch c.q {
	case ForAnyValue:
		if nullSet {
			return false
		}
		for _, v := range vals {
			if c.match(v, ctx, sc) != c.negated {
				return true
			}
		}
		return false
	case ForAllValues:
		if nullSet {
			return true
		}
		for _, v := range vals {
			if c.match(v, ctx, sc) == c.negated {
				return false
			}
		}
		return true
	}
	// A single-valued comparison; a multivalued key without a qualifier matches when any of its values does.
	for _, v := range vals {
		if c.match(v, ctx, sc) {
			return !c.negated
		}
	}
	return c.negated
}

// stringEquals: StringEquals, StringNotEquals and their IgnoreCase forms. * and ? are literal.
type stringEquals struct {
	values []pattern
	fold   bool
}

func (m *stringEquals) match(v string, ctx *lookup) bool {
	for i := range m.values {
		if m.values[i].equal(v, ctx, m.fold) {
			return true
		}
	}
	return false
}

func (m *stringEquals) missingVars(ctx *lookup, out []string) []string {
	for i := range m.values {
		out = m.values[i].missingVars(ctx, out)
	}
	return out
}

// stringLike: StringLike and StringNotLike, case-sensitive globs.
type stringLike struct{ values []pattern }

func (m *stringLike) match(v string, ctx *lookup) bool {
	for i := range m.values {
		if m.values[i].glob(v, ctx, false) {
			return true
		}
	}
	return false
}

func (m *stringLike) missingVars(ctx *lookup, out []string) []string {
	for i := range m.values {
		out = m.values[i].missingVars(ctx, out)
	}
	return out
}

// comparison is the relation a Numeric or Date operator tests, request value on the left.
type comparison uint8

const (
	cmpEqual comparison = iota
	cmpLess
	cmpLessEqual
	cmpGreater
	cmpGreaterEqual
)

func comparisonOf(o Operator) comparison {
	switch o {
	case NumericLessThan, DateLessThan:
		return cmpLess
	case NumericLessThanEquals, DateLessThanEquals:
		return cmpLessEqual
	case NumericGreaterThan, DateGreaterThan:
		return cmpGreater
	case NumericGreaterThanEquals, DateGreaterThanEquals:
		return cmpGreaterEqual
	}
	return cmpEqual
}

// holds reports whether the relation holds for the sign of (request − policy): -1, 0 or 1.
func (c comparison) holds(sign int) bool {
	switch c {
	case cmpLess:
		return sign < 0
	case cmpLessEqual:
		return sign <= 0
	case cmpGreater:
		return sign > 0
	case cmpGreaterEqual:
		return sign >= 0
	}
	return sign == 0
}

// numeric: the Numeric operators. A request value that is not a number matches no policy value.
type numeric struct {
	cmp    comparison
	values []float64
}

func (m *numeric) match(v string, _ *lookup) bool {
	f, ok := parseNumber(v)
	if !ok {
		return false
	}
	for _, p := range m.values {
		sign := 0
		if f < p {
			sign = -1
		} else if f > p {
			sign = 1
		}
		if m.cmp.holds(sign) {
			return true
		}
	}
	return false
}

func (m *numeric) missingVars(_ *lookup, out []string) []string { return out }

// parseNumber reads a decimal number: an optional sign, digits with an optional fraction, an optional exponent.
// The shape is checked before strconv is called so that a value that is no number costs no allocation.
func parseNumber(s string) (float64, bool) {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := 0
	for i < len(s) && '0' <= s[i] && s[i] <= '9' {
		i, digits = i+1, digits+1
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && '0' <= s[i] && s[i] <= '9' {
			i, digits = i+1, digits+1
		}
	}
	if digits == 0 {
		return 0, false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		exp := 0
		for i < len(s) && '0' <= s[i] && s[i] <= '9' {
			i, exp = i+1, exp+1
		}
		if exp == 0 {
			return 0, false
		}
	}
	if i != len(s) {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}

// date: the Date operators. Policy and request values are ISO 8601 dates and times or epoch seconds; a request
// value that is neither matches no policy value.
type date struct {
	cmp    comparison
	values []instant
}

func (m *date) match(v string, _ *lookup) bool {
	d, ok := parseDate(v)
	return ok && m.matchInstant(d)
}

func (m *date) matchInstant(d instant) bool {
	for _, p := range m.values {
		if m.cmp.holds(d.compare(p)) {
			return true
		}
	}
	return false
}

func (m *date) missingVars(_ *lookup, out []string) []string { return out }

// instant is a point in time as seconds since the Unix epoch and nanoseconds, over the whole range of years IAM's
// parser takes (date.go), beyond what time.Time's Unix methods are meant for.
type instant struct {
	sec  int64
	nsec int32
}

func (a instant) compare(b instant) int {
	switch {
	case a.sec < b.sec, a.sec == b.sec && a.nsec < b.nsec:
		return -1
	case a.sec > b.sec, a.sec == b.sec && a.nsec > b.nsec:
		return 1
	}
	return 0
}

// parseDate reads a value of a Date operator as IAM's parser does (legacyDate in date.go says which values it
// takes): epoch seconds when the value has neither "t" nor "-", else [-]YYYY[-MM[-DD]][Thh[:mm[:ss[.f]]][zone]]
// with the zone "Z", ±hh or ±hh:mm, case-insensitive, UTC when absent.
func parseDate(v string) (instant, bool) {
	if d, ok := parseCanonicalTime(v); ok {
		return d, true
	}
	if !strings.ContainsAny(v, "tT-") {
		n, ok := number(v, 0, 1<<63-1)
		if !ok && isDigits(v) && len(v) > 18 {
			// number stops at 18 digits; the largest int64 has 19.
			m, err := strconv.ParseInt(v, 10, 64)
			return instant{sec: m}, err == nil
		}
		return instant{sec: n}, ok
	}
	datePart, clock := v, ""
	if i := strings.IndexAny(v, "tT"); i >= 0 {
		datePart, clock = v[:i], v[i+1:]
	}
	negative := strings.HasPrefix(datePart, "-")
	if negative {
		datePart = datePart[1:]
	}
	var fields [3]int64
	fields[1], fields[2] = 1, 1
	limits := [3][2]int64{{0, 292278993}, {1, 12}, {1, 31}}
	for k := 0; ; k++ {
		if k == 3 {
			return instant{}, false
		}
		part, rest, more := strings.Cut(datePart, "-")
		n, ok := number(part, limits[k][0], limits[k][1])
		if !ok {
			return instant{}, false
		}
		fields[k] = n
		if !more {
			break
		}
		datePart = rest
	}
	year := fields[0]
	if negative {
		if year > 292275054 {
			return instant{}, false
		}
		year = -year
	}
	secs, nsec, offset, ok := parseClock(clock)
	if !ok {
		return instant{}, false
	}
	days := daysFromCivil(year, fields[1], fields[2])
	return instant{sec: days*86400 + secs - offset, nsec: nsec}, true
}

// parseCanonicalTime reads the form requests carry aws:CurrentTime in, "2006-01-02T15:04:05Z", quickly: Date
// conditions compare it on every request.
func parseCanonicalTime(v string) (instant, bool) {
	if len(v) != 20 || v[4] != '-' || v[7] != '-' || v[10] != 'T' || v[13] != ':' || v[16] != ':' || v[19] != 'Z' {
		return instant{}, false
	}
	field := func(i, n int) int64 {
		x := int64(0)
		for _, c := range []byte(v[i : i+n]) {
			if c < '0' || c > '9' {
				return -1
			}
			x = x*10 + int64(c-'0')
		}
		return x
	}
	y, mo, d, h, mi, sec := field(0, 4), field(5, 2), field(8, 2), field(11, 2), field(14, 2), field(17, 2)
	if y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59 {
		return instant{}, false
	}
	return instant{sec: daysFromCivil(y, mo, d)*86400 + h*3600 + mi*60 + sec}, true
}

// parseClock reads hh[:mm[:ss[.fraction]]][zone] and returns the seconds into the day, the nanoseconds, and the
// zone's offset east of UTC in seconds.
func parseClock(s string) (secs int64, nsec int32, offset int64, ok bool) {
	if s == "" {
		return 0, 0, 0, true
	}
	if i := strings.IndexAny(s, "zZ+-"); i >= 0 {
		zone := s[i:]
		s = s[:i]
		switch {
		case zone == "z" || zone == "Z":
		default:
			hh, mm, hasMinutes := strings.Cut(zone[1:], ":")
			h, okh := number(hh, 0, 23)
			if len(hh) != 2 || !okh {
				return 0, 0, 0, false
			}
			var m int64
			if hasMinutes {
				var okm bool
				if m, okm = number(mm, 0, 59); !okm || len(mm) != 2 {
					return 0, 0, 0, false
				}
			}
			offset = h*3600 + m*60
			if zone[0] == '-' {
				offset = -offset
			}
		}
		if s == "" {
			return 0, 0, 0, false
		}
	}
	limits := [3]int64{23, 59, 59}
	units := [3]int64{3600, 60, 1}
	for k := 0; ; k++ {
		if k == 3 {
			return 0, 0, 0, false
		}
		part, rest, more := strings.Cut(s, ":")
		if k == 2 {
			if sec, frac, hasFrac := strings.Cut(part, "."); hasFrac {
				if _, okf := number(frac, 0, 999999999); !okf {
					return 0, 0, 0, false
				}
				// Nanoseconds: the first nine digits, padded; IAM's parser takes more only when they are zeros.
				var ns int32
				for d := 0; d < 9; d++ {
					ns *= 10
					if d < len(frac) {
						ns += int32(frac[d] - '0')
					}
				}
				nsec = ns
				part = sec
			}
		}
		n, okn := number(part, 0, limits[k])
		if !okn {
			return 0, 0, 0, false
		}
		secs += n * units[k]
		if !more {
			break
		}
		s = rest
	}
	return secs, nsec, offset, true
}

// daysFromCivil returns the days from 1970-01-01 to the given proleptic Gregorian date (Howard Hinnant's
// algorithm). A day beyond the month's last runs into the next month, as a lenient parser reads it.
func daysFromCivil(y, m, d int64) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// boolean: the Bool operator.
type boolean struct{ values []bool }

func (m *boolean) match(v string, _ *lookup) bool {
	b, ok := parseBool(v)
	if !ok {
		return false
	}
	for _, p := range m.values {
		if p == b {
			return true
		}
	}
	return false
}

func (m *boolean) missingVars(_ *lookup, out []string) []string { return out }

// parseBool reads "true" or "false" in any case: JSON booleans come through the parser as their text.
func parseBool(v string) (bool, bool) {
	switch {
	case v == "true":
		return true, true
	case v == "false":
		return false, true
	case strings.EqualFold(v, "true"):
		return true, true
	case strings.EqualFold(v, "false"):
		return false, true
	}
	return false, false
}

// binary: BinaryEquals. The policy's value is base64; so is a binary key's value in a Context, as the IAM
// simulator's ContextEntries carry it. The bytes are compared: the policy value is kept in its canonical padded and
// unpadded encodings, which are the only ones a request's bytes can have.
type binary struct{ values []string }

func (m *binary) match(v string, _ *lookup) bool {
	return contains(m.values, v)
}

func (m *binary) missingVars(_ *lookup, out []string) []string { return out }

// ipAddress: IpAddress and NotIpAddress. A policy value is a CIDR block or a bare address (a block of one), v4 or
// v6; a request value that is no address matches nothing.
type ipAddress struct{ values []netip.Prefix }

func (m *ipAddress) match(v string, _ *lookup) bool {
	addr, ok := parseAddr(v)
	return ok && m.matchAddr(addr)
}

// parseAddr reads a request's address, v4-mapped v6 addresses as the v4 ones, without a zone.
func parseAddr(v string) (netip.Addr, bool) {
	addr, err := netip.ParseAddr(v)
	if err != nil {
		return netip.Addr{}, false
	}
	return addr.Unmap().WithZone(""), true
}

func (m *ipAddress) matchAddr(addr netip.Addr) bool {
	for _, p := range m.values {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

func (m *ipAddress) missingVars(_ *lookup, out []string) []string { return out }

func parseCIDR(v string) (netip.Prefix, bool) {
	if p, err := netip.ParsePrefix(v); err == nil {
		if p.Addr().Is4In6() {
			// 0:0:0:0:0:ffff:a.b.c.d/n: the v4 block it maps.
			bits := p.Bits() - 96
			if bits < 0 {
				return netip.Prefix{}, false
			}
			p = netip.PrefixFrom(p.Addr().Unmap(), bits)
		}
		return p.Masked(), true
	}
	addr, err := netip.ParseAddr(v)
	if err != nil || addr.Zone() != "" {
		return netip.Prefix{}, false
	}
	addr = addr.Unmap()
	return netip.PrefixFrom(addr, addr.BitLen()), true
}

// arnLike: ArnEquals, ArnLike and their negations, which the User Guide describes alike: case-sensitive, segment
// by segment, with wildcards in each.
type arnLike struct{ values []arnPattern }

func (m *arnLike) match(v string, ctx *lookup) bool {
	for i := range m.values {
		if m.values[i].match(v, ctx) {
			return true
		}
	}
	return false
}

func (m *arnLike) missingVars(ctx *lookup, out []string) []string {
	for i := range m.values {
		out = m.values[i].missingVars(ctx, out)
	}
	return out
}

// null: the Null operator, true for "true" when the key is absent and for "false" when it is present.
type null struct{ values []bool }

func (m *null) holds(absent bool) bool {
	for _, p := range m.values {
		if p == absent {
			return true
		}
	}
	return false
}

// match is not used: eval asks holds, since Null tests the key's presence, not its values.
func (m *null) match(string, *lookup) bool { return false }

func (m *null) missingVars(_ *lookup, out []string) []string { return out }

func (*stringEquals) sealed() {}
func (*stringLike) sealed()   {}
func (*numeric) sealed()      {}
func (*date) sealed()         {}
func (*boolean) sealed()      {}
func (*binary) sealed()       {}
func (*ipAddress) sealed()    {}
func (*arnLike) sealed()      {}
func (*null) sealed()         {}
