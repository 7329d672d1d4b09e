package sqlite

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/sagebox/sagebox/internal/store"
)

// FuzzDecodeIndexes feeds the decoder of the records.indexes column damaged bytes: it returns an error or a list
// that encodes back to what it decoded from, and never panics.
func FuzzDecodeIndexes(f *testing.F) {
	f.Add([]byte{})
	f.Add(encodeIndexes([]store.Index{{Name: "name", Value: "alice", Unique: true}, {Name: "tag", Value: ""}}))
	f.Add([]byte{indexFormat, 1, 0x80})
	f.Add([]byte{indexFormat, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})
	f.Add([]byte{2, 0, 1, 'a', 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		idx, err := decodeIndexes(string(b))
		if err != nil {
			if !errors.Is(err, errCorrupt) {
				t.Errorf("decodeIndexes(%x) = %v, want an error wrapping %v", b, err, errCorrupt)
			}
			return
		}
		again, err := decodeIndexes(string(encodeIndexes(idx)))
		if err != nil || !slices.Equal(again, idx) {
			t.Errorf("decodeIndexes(encodeIndexes(%+v)) = %+v, %v, want the same list", idx, again, err)
		}
	})
}

// FuzzParseMigrationName checks that only NNN_name.sql names with NNN >= 001 are taken, for their number.
func FuzzParseMigrationName(f *testing.F) {
	for _, s := range []string{"001_init.sql", "000_zero.sql", "12_short.sql", "001_.sql", "abc_x.sql", "001_init.SQL", "999_é.sql"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		v, label, err := parseMigrationName(name)
		if err != nil {
			return
		}
		if v < 1 || v > 999 || label == "" || fmt.Sprintf("%03d_%s.sql", v, label) != name {
			t.Errorf("parseMigrationName(%q) = %d, %q, want a name that formats back to it", name, v, label)
		}
	})
}

// FuzzRecords stores a record under fuzzed keys, index values and document, and reads it back every way the
// store offers: a key the store can hold round-trips exactly, any other is refused, and nothing panics.
func FuzzRecords(f *testing.F) {
	db, err := OpenMemory(context.Background())
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { db.Close() })
	f.Add("123456789012", "us-east-1", "role-1", "name", "Role-1", "role", []byte(`{"a":1}`))
	f.Add("", "", "中文", "n", "", "中", []byte{})
	f.Add("1", "r", "\xff", "n\x00", "v", "\xe4", []byte{0, 1, 2})
	f.Add("1", "r", "a\x00b", "", "v", "", []byte(nil))
	f.Add("1", "r", "'; DROP TABLE records; --", "n", "%_", "'", []byte(`'`))
	f.Fuzz(func(t *testing.T, account, region, id, index, value, prefix string, doc []byte) {
		ctx := context.Background()
		k := store.Key{Scope: store.Scope{Account: account, Region: region, Kind: "fuzz.item"}, ID: id}
		valid := func(s string) bool { return utf8.ValidString(s) && !strings.ContainsRune(s, 0) }
		storable := id != "" && valid(account) && valid(region) && valid(id) && index != "" && valid(index) && valid(value)

		tx, err := db.Begin(ctx, true)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		rec := &store.Record{Key: k, Doc: doc, Indexes: []store.Index{{Name: index, Value: value, Unique: true}}}
		err = tx.Create(rec)
		if !storable {
			if err == nil {
				t.Fatalf("Create(%+v) = nil, want an error for a key the store cannot hold", k)
			}
			if _, err := tx.Get(k); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("Get(%+v) of a key the store cannot hold = %v, want %v", k, err, store.ErrNotFound)
			}
			if _, err := tx.Lookup(k.Scope, index, value); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("Lookup(%q=%q) = %v, want %v", index, value, err, store.ErrNotFound)
			}
			if _, err := tx.List(k.Scope, store.ListQuery{Prefix: prefix, After: id}); err != nil {
				t.Errorf("List(prefix %q, after %q) = %v", prefix, id, err)
			}
			return
		}
		if err != nil {
			t.Fatalf("Create(%+v) = %v, want nil", k, err)
		}
		got, err := tx.Get(k)
		if err != nil || got.Key != k || !bytes.Equal(got.Doc, doc) || got.Version != 1 {
			t.Fatalf("Get(%+v) = %+v, %v, want the record created", k, got, err)
		}
		if got, err := tx.Lookup(k.Scope, index, value); err != nil || got.ID != id {
			t.Errorf("Lookup(%q=%q) = %v, want %q", index, value, err, id)
		}
		recs, err := tx.List(k.Scope, store.ListQuery{Prefix: prefix})
		if listed := err == nil && len(recs) == 1 && recs[0].ID == id; listed != strings.HasPrefix(id, prefix) {
			t.Errorf("List(prefix %q) = %d records, %v; want %q listed: %v", prefix, len(recs), err, id, strings.HasPrefix(id, prefix))
		}
		if err := tx.Delete(k); err != nil {
			t.Fatalf("Delete(%+v) = %v", k, err)
		}
		if n, err := tx.Count(k.Scope); n != 0 || err != nil {
			t.Errorf("Count() after Delete = %d, %v, want 0", n, err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
	})
}

func TestDecodeStringAgreesWithUvarint(t *testing.T) {
	cases := [][]byte{
		{0}, {3, 'a', 'b', 'c'}, {0x80, 0x01}, {0x80, 0x00}, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01},
		{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02}, {0x80}, {}, {5, 'a'},
	}
	for _, b := range cases {
		s, rest, err := decodeString(string(b))
		n, k := binary.Uvarint(b)
		wantOK := k > 0 && n <= uint64(len(b)-k)
		if (err == nil) != wantOK {
			t.Errorf("decodeString(%x) = %q, %q, %v; binary.Uvarint says ok=%v", b, s, rest, err, wantOK)
			continue
		}
		if wantOK && (s != string(b[k:k+int(n)]) || rest != string(b[k+int(n):])) {
			t.Errorf("decodeString(%x) = %q, %q, want %q, %q", b, s, rest, b[k:k+int(n)], b[k+int(n):])
		}
	}
}
