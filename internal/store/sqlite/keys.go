package sqlite

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/sagebox/sagebox/internal/store"
)

// maxValueLen is the most bytes a document or a key string may have: SQLite's default SQLITE_MAX_LENGTH. Larger
// values are refused before they reach SQLite, whose length arguments are 32-bit.
const maxValueLen = 1_000_000_000

// validString reports whether s can be part of a stored key: valid UTF-8 without NUL bytes. Both SQLite and
// PostgreSQL store that as TEXT and order it by bytes (with the C collation), so every backend keeps the same keys
// in the same order; nothing else is ever stored, so a read asking for anything else finds nothing.
func validString(s string) bool {
	return len(s) <= maxValueLen && utf8.ValidString(s) && strings.IndexByte(s, 0) < 0
}

func validScope(s store.Scope) bool {
	return s.Kind != "" && validString(s.Account) && validString(s.Region) && validString(s.Kind)
}

func validKey(k store.Key) bool { return k.ID != "" && validString(k.ID) && validScope(k.Scope) }

// errInvalid reports a record that no backend can store. It wraps no store sentinel: services validate their
// input against AWS's rules first, so reaching this is a bug in sagebox, not a client's mistake.
var errInvalid = errors.New("sqlite: invalid record")

func checkKey(k store.Key) error {
	if validKey(k) {
		return nil
	}
	return fmt.Errorf("%w: key %s: kind and id must not be empty, and every part must be valid UTF-8 without NUL bytes",
		errInvalid, describe(k))
}

// normalize returns the record's indexes sorted by name and value, with duplicates merged (unique if any of them
// is), so that two index lists compare equal when they mean the same.
func normalize(rec *store.Record) ([]store.Index, error) {
	if len(rec.Indexes) == 0 {
		return nil, nil
	}
	idx := slices.Clone(rec.Indexes)
	for _, ix := range idx {
		if ix.Name == "" || !validString(ix.Name) || !validString(ix.Value) {
			return nil, fmt.Errorf("%w: %s: index %q = %q: the name must not be empty, and name and value must be valid UTF-8 without NUL bytes",
				errInvalid, describe(rec.Key), ix.Name, ix.Value)
		}
	}
	slices.SortFunc(idx, compareIndex)
	out := idx[:1]
	for _, ix := range idx[1:] {
		last := &out[len(out)-1]
		if ix.Name == last.Name && ix.Value == last.Value {
			last.Unique = last.Unique || ix.Unique
			continue
		}
		out = append(out, ix)
	}
	return out, nil
}

func compareIndex(a, b store.Index) int {
	if c := strings.Compare(a.Name, b.Name); c != 0 {
		return c
	}
	return strings.Compare(a.Value, b.Value)
}

// indexFormat leads an encoded index list, so that the encoding can change later.
const indexFormat = 1

// encodeIndexes encodes a normalized index list for the records.indexes column: a format byte, then per index a
// flags byte (1 = unique) and the name and value, each length-prefixed with a uvarint. An empty list is empty.
func encodeIndexes(idx []store.Index) []byte {
	if len(idx) == 0 {
		return []byte{}
	}
	n := 1
	for _, ix := range idx {
		n += 1 + 2*binary.MaxVarintLen64 + len(ix.Name) + len(ix.Value)
	}
	b := make([]byte, 0, n)
	b = append(b, indexFormat)
	for _, ix := range idx {
		var flags byte
		if ix.Unique {
			flags = 1
		}
		b = append(b, flags)
		b = binary.AppendUvarint(b, uint64(len(ix.Name)))
		b = append(b, ix.Name...)
		b = binary.AppendUvarint(b, uint64(len(ix.Value)))
		b = append(b, ix.Value...)
	}
	return b
}

var errCorrupt = errors.New("sqlite: corrupt index list")

// decodeIndexes is the inverse of encodeIndexes, reading the column as one string, whose memory the names and
// values share rather than taking an allocation each. The bytes come from the database, but a damaged file must
// give an error, never a panic.
func decodeIndexes(s string) ([]store.Index, error) {
	if len(s) == 0 {
		return nil, nil
	}
	if s[0] != indexFormat {
		return nil, fmt.Errorf("%w: format %d", errCorrupt, s[0])
	}
	var idx []store.Index
	for pass := 0; pass < 2; pass++ {
		// The first pass counts and checks, the second fills a list of the right size.
		n := 0
		for rest := s[1:]; len(rest) > 0; n++ {
			flags := rest[0]
			if flags > 1 {
				return nil, fmt.Errorf("%w: flags %#x", errCorrupt, flags)
			}
			name, r, err := decodeString(rest[1:])
			if err != nil {
				return nil, err
			}
			value, r, err := decodeString(r)
			if err != nil {
				return nil, err
			}
			rest = r
			if pass == 1 {
				idx[n] = store.Index{Name: name, Value: value, Unique: flags == 1}
			}
		}
		if pass == 0 {
			idx = make([]store.Index, n)
		}
	}
	return idx, nil
}

// decodeString splits a uvarint-length-prefixed string off s.
func decodeString(s string) (string, string, error) {
	var n uint64
	var shift uint
	for i := 0; i < len(s) && i < binary.MaxVarintLen64; i++ {
		c := s[i]
		if i == binary.MaxVarintLen64-1 && c > 1 {
			break // more than 64 bits
		}
		n |= uint64(c&0x7f) << shift
		if c < 0x80 {
			k := i + 1
			if n > uint64(len(s)-k) {
				break
			}
			end := k + int(n)
			return s[k:end], s[end:], nil
		}
		shift += 7
	}
	return "", "", fmt.Errorf("%w: bad length", errCorrupt)
}

// prefixEnd returns the least string greater than every string that starts with prefix, and false when there is
// none (prefix is empty or all 0xff bytes).
func prefixEnd(prefix string) (string, bool) {
	b := []byte(prefix)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xff {
			b[i]++
			return string(b[:i+1]), true
		}
	}
	return "", false
}

// describe formats a key for error messages.
func describe(k store.Key) string {
	return fmt.Sprintf("%s %q%s", k.Kind, k.ID, where(k.Scope))
}

func where(s store.Scope) string {
	switch {
	case s.Account == "" && s.Region == "":
		return ""
	case s.Region == "":
		return fmt.Sprintf(" in account %q", s.Account)
	default:
		return fmt.Sprintf(" in account %q, region %q", s.Account, s.Region)
	}
}

// diffIndexes returns the entries of old that new lacks and those of new that old lacks; an entry whose Unique
// flag changed is in both.
func diffIndexes(old, new []store.Index) (gone, added []store.Index) {
	i, j := 0, 0
	for i < len(old) || j < len(new) {
		switch {
		case j == len(new):
			gone = append(gone, old[i])
			i++
		case i == len(old):
			added = append(added, new[j])
			j++
		default:
			switch c := compareIndex(old[i], new[j]); {
			case c < 0:
				gone = append(gone, old[i])
				i++
			case c > 0:
				added = append(added, new[j])
				j++
			default:
				if old[i].Unique != new[j].Unique {
					gone = append(gone, old[i])
					added = append(added, new[j])
				}
				i++
				j++
			}
		}
	}
	return gone, added
}
