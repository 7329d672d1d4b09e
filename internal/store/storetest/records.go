package storetest

import (
	"bytes"
	"errors"
	"slices"
	"testing"

	"github.com/sagebox/sagebox/internal/store"
)

func (s *suite) testRecords(t *testing.T) {
	run(t, "CreateThenGetReturnsTheRecord", func(t *testing.T) {
		st := s.store(t)
		rec := record(scopeA, "w-1", `{"name":"one"}`, plain("color", "red"), unique("name", "one"))
		write(t, st, func(tx store.Tx) {
			mustCreate(t, tx, rec)
		})
		if rec.Version != 1 {
			t.Errorf("Create set Version = %d, want 1", rec.Version)
		}
		read(t, st, func(tx store.Tx) {
			got := mustGet(t, tx, key(scopeA, "w-1"))
			if got.Key != rec.Key {
				t.Errorf("Get(w-1).Key = %+v, want %+v", got.Key, rec.Key)
			}
			if string(got.Doc) != `{"name":"one"}` {
				t.Errorf("Get(w-1).Doc = %s, want %s", got.Doc, `{"name":"one"}`)
			}
			if got.Version != 1 {
				t.Errorf("Get(w-1).Version = %d, want 1", got.Version)
			}
			// Indexes come back sorted by name and value.
			want := []store.Index{plain("color", "red"), unique("name", "one")}
			if !slices.Equal(got.Indexes, want) {
				t.Errorf("Get(w-1).Indexes = %+v, want %+v", got.Indexes, want)
			}
		})
	})

	run(t, "GetOfAMissingKeyIsNotFound", func(t *testing.T) {
		st := s.store(t)
		read(t, st, func(tx store.Tx) {
			_, err := tx.Get(key(scopeA, "nope"))
			wantErr(t, "Get(nope)", err, store.ErrNotFound)
		})
	})

	run(t, "CreateOfATakenKeyIsExistsAndChangesNothing", func(t *testing.T) {
		st := s.store(t)
		write(t, st, func(tx store.Tx) {
			mustCreate(t, tx, record(scopeA, "w-1", `{"v":1}`))
			// In the same transaction and...
			wantErr(t, "Create(w-1) again in its transaction", tx.Create(record(scopeA, "w-1", `{"v":2}`)), store.ErrExists)
		})
		write(t, st, func(tx store.Tx) {
			// ...in a later one. The transaction stays usable: it commits.
			wantErr(t, "Create(w-1) again", tx.Create(record(scopeA, "w-1", `{"v":3}`, unique("name", "x"))), store.ErrExists)
			mustCreate(t, tx, record(scopeA, "w-2", `{"v":1}`, unique("name", "x")))
		})
		read(t, st, func(tx store.Tx) {
			wantDoc(t, tx, key(scopeA, "w-1"), `{"v":1}`)
			wantLookup(t, tx, scopeA, "name", "x", "w-2")
			if rec := mustGet(t, tx, key(scopeA, "w-1")); len(rec.Indexes) != 0 {
				t.Errorf("Get(w-1).Indexes = %+v after a refused Create, want none", rec.Indexes)
			}
		})
	})

	run(t, "PutCreatesThenReplaces", func(t *testing.T) {
		st := s.store(t)
		rec := record(scopeA, "w-1", `{"v":1}`)
		write(t, st, func(tx store.Tx) { mustPut(t, tx, rec) })
		if rec.Version != 1 {
			t.Errorf("Put of a new record set Version = %d, want 1", rec.Version)
		}
		rec = record(scopeA, "w-1", `{"v":2}`)
		write(t, st, func(tx store.Tx) { mustPut(t, tx, rec) })
		if rec.Version != 2 {
			t.Errorf("Put of an existing record set Version = %d, want 2", rec.Version)
		}
		read(t, st, func(tx store.Tx) {
			got := mustGet(t, tx, key(scopeA, "w-1"))
			if string(got.Doc) != `{"v":2}` || got.Version != 2 {
				t.Errorf("Get(w-1) = %s version %d, want %s version 2", got.Doc, got.Version, `{"v":2}`)
			}
		})
	})

	run(t, "DeleteRemovesTheRecord", func(t *testing.T) {
		st := s.store(t)
		write(t, st, func(tx store.Tx) {
			mustCreate(t, tx, record(scopeA, "w-1", `{}`))
			mustCreate(t, tx, record(scopeA, "w-2", `{}`))
		})
		write(t, st, func(tx store.Tx) {
			if err := tx.Delete(key(scopeA, "w-1")); err != nil {
				t.Errorf("Delete(w-1) = %v, want nil", err)
			}
			wantErr(t, "Delete(w-1) again", tx.Delete(key(scopeA, "w-1")), store.ErrNotFound)
			wantErr(t, "Delete(missing)", tx.Delete(key(scopeA, "missing")), store.ErrNotFound)
		})
		read(t, st, func(tx store.Tx) {
			wantDoc(t, tx, key(scopeA, "w-1"), "")
			wantDoc(t, tx, key(scopeA, "w-2"), `{}`)
		})
		// A deleted key can be created again, from version 1.
		rec := record(scopeA, "w-1", `{"again":true}`)
		write(t, st, func(tx store.Tx) { mustCreate(t, tx, rec) })
		if rec.Version != 1 {
			t.Errorf("Create after Delete set Version = %d, want 1", rec.Version)
		}
	})

	run(t, "DocumentsRoundTripByteForByte", func(t *testing.T) {
		st := s.store(t)
		all := make([]byte, 256)
		for i := range all {
			all[i] = byte(i)
		}
		large := bytes.Repeat([]byte(`{"k":"0123456789abcdef"},`), 4<<20/25)
		docs := map[string][]byte{
			"empty":       {},
			"nil":         nil,
			"every-byte":  all,
			"large":       large,
			"unicode":     []byte(`{"name":"Zoë 🚀 中文"}`),
			"sql-quoting": []byte(`'); DROP TABLE records; --`),
		}
		write(t, st, func(tx store.Tx) {
			for id, doc := range docs {
				mustCreate(t, tx, &store.Record{Key: key(scopeA, id), Doc: doc})
			}
		})
		read(t, st, func(tx store.Tx) {
			for id, doc := range docs {
				got := mustGet(t, tx, key(scopeA, id))
				if !bytes.Equal(got.Doc, doc) {
					t.Errorf("Get(%s).Doc has %d bytes, want the %d stored", id, len(got.Doc), len(doc))
				}
			}
		})
	})

	run(t, "IDsRoundTrip", func(t *testing.T) {
		st := s.store(t)
		idList := []string{"a", "Zoë", "🚀", "中文", "with space", "quote'\"", "%_*?", "arn:aws:iam::1:role/a/b", "x\u200by"}
		write(t, st, func(tx store.Tx) {
			for _, id := range idList {
				mustCreate(t, tx, record(scopeA, id, `{}`, unique("id", id)))
			}
		})
		read(t, st, func(tx store.Tx) {
			for _, id := range idList {
				if got := mustGet(t, tx, key(scopeA, id)); got.ID != id {
					t.Errorf("Get(%q).ID = %q", id, got.ID)
				}
				wantLookup(t, tx, scopeA, "id", id, id)
			}
			recs, err := tx.List(scopeA, store.ListQuery{})
			want := slices.Clone(idList)
			slices.Sort(want)
			wantIDs(t, "List()", recs, err, want)
		})
	})
}

func (s *suite) testVersions(t *testing.T) {
	setup := func(t *testing.T) store.Store {
		st := s.store(t)
		write(t, st, func(tx store.Tx) {
			mustCreate(t, tx, record(scopeA, "w-1", `{"v":1}`, unique("name", "one")))
			mustPut(t, tx, record(scopeA, "w-1", `{"v":2}`, unique("name", "one")))
		})
		return st
	}

	run(t, "PutWithTheCurrentVersionSucceeds", func(t *testing.T) {
		st := setup(t)
		rec := record(scopeA, "w-1", `{"v":3}`)
		rec.Version = 2
		write(t, st, func(tx store.Tx) { mustPut(t, tx, rec) })
		if rec.Version != 3 {
			t.Errorf("Put with version 2 set Version = %d, want 3", rec.Version)
		}
	})

	run(t, "PutWithAStaleVersionIsConflictAndChangesNothing", func(t *testing.T) {
		st := setup(t)
		for _, v := range []int64{1, 3, -1} {
			write(t, st, func(tx store.Tx) {
				rec := record(scopeA, "w-1", `{"v":"stale"}`, unique("name", "changed"))
				rec.Version = v
				wantErr(t, "Put with a stale version", tx.Put(rec), store.ErrConflict)
				if rec.Version != v {
					t.Errorf("a refused Put changed Version from %d to %d", v, rec.Version)
				}
			})
		}
		read(t, st, func(tx store.Tx) {
			got := mustGet(t, tx, key(scopeA, "w-1"))
			if string(got.Doc) != `{"v":2}` || got.Version != 2 {
				t.Errorf("Get(w-1) = %s version %d after refused Puts, want %s version 2", got.Doc, got.Version, `{"v":2}`)
			}
			wantLookup(t, tx, scopeA, "name", "one", "w-1")
			wantLookup(t, tx, scopeA, "name", "changed", "")
		})
	})

	run(t, "PutWithAVersionOfAMissingRecordIsConflict", func(t *testing.T) {
		st := setup(t)
		write(t, st, func(tx store.Tx) {
			rec := record(scopeA, "w-2", `{}`)
			rec.Version = 1
			wantErr(t, "Put(w-2) with version 1", tx.Put(rec), store.ErrConflict)
		})
		read(t, st, func(tx store.Tx) { wantDoc(t, tx, key(scopeA, "w-2"), "") })
	})

	run(t, "VersionsGrowByOneForEveryPut", func(t *testing.T) {
		st := s.store(t)
		rec := record(scopeA, "w-1", `{}`)
		write(t, st, func(tx store.Tx) {
			mustCreate(t, tx, rec)
			for want := int64(2); want <= 5; want++ {
				mustPut(t, tx, rec) // rec.Version is the current one: an optimistic Put each time
				if rec.Version != want {
					t.Fatalf("Put set Version = %d, want %d", rec.Version, want)
				}
			}
		})
		read(t, st, func(tx store.Tx) {
			if got := mustGet(t, tx, key(scopeA, "w-1")); got.Version != 5 {
				t.Errorf("Get(w-1).Version = %d, want 5", got.Version)
			}
		})
	})

	run(t, "ReadModifyWriteDetectsAConcurrentChange", func(t *testing.T) {
		st := setup(t)
		var first *store.Record
		read(t, st, func(tx store.Tx) { first = mustGet(t, tx, key(scopeA, "w-1")) })
		write(t, st, func(tx store.Tx) {
			rec := mustGet(t, tx, key(scopeA, "w-1"))
			rec.Doc = []byte(`{"v":"theirs"}`)
			mustPut(t, tx, rec)
		})
		write(t, st, func(tx store.Tx) {
			first.Doc = []byte(`{"v":"mine"}`)
			err := tx.Put(first)
			if !errors.Is(err, store.ErrConflict) {
				t.Errorf("Put of a record read before another Put = %v, want %v", err, store.ErrConflict)
			}
		})
		read(t, st, func(tx store.Tx) { wantDoc(t, tx, key(scopeA, "w-1"), `{"v":"theirs"}`) })
	})
}
