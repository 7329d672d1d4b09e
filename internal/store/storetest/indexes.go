package storetest

import (
	"slices"
	"testing"

	"github.com/sagebox/sagebox/internal/store"
)

func (s *suite) testUniqueIndexes(t *testing.T) {
	run(t, "LookupFindsTheRecord", func(t *testing.T) {
		st := s.store(t)
		write(t, st, func(tx store.Tx) {
			mustCreate(t, tx, record(scopeA, "w-1", `{}`, unique("name", "alice"), unique("arn", "arn:1")))
			mustCreate(t, tx, record(scopeA, "w-2", `{}`, unique("name", "bob")))
		})
		read(t, st, func(tx store.Tx) {
			wantLookup(t, tx, scopeA, "name", "alice", "w-1")
			wantLookup(t, tx, scopeA, "arn", "arn:1", "w-1")
			wantLookup(t, tx, scopeA, "name", "bob", "w-2")
			wantLookup(t, tx, scopeA, "name", "carol", "")
			wantLookup(t, tx, scopeA, "arn", "alice", "")
			wantLookup(t, tx, scopeA, "name", "Alice", "")
			rec, err := tx.Lookup(scopeA, "name", "alice")
			if err == nil && string(rec.Doc) != `{}` {
				t.Errorf("Lookup(name=alice).Doc = %s, want {}", rec.Doc)
			}
		})
	})

	run(t, "ATakenValueIsConflict", func(t *testing.T) {
		st := s.store(t)
		write(t, st, func(tx store.Tx) {
			mustCreate(t, tx, record(scopeA, "w-1", `{"v":1}`, unique("name", "alice")))
			mustCreate(t, tx, record(scopeA, "w-2", `{"v":1}`, unique("name", "bob")))
		})
		write(t, st, func(tx store.Tx) {
			wantErr(t, "Create(w-3, name=alice)",
				tx.Create(record(scopeA, "w-3", `{}`, unique("name", "alice"))), store.ErrConflict)
			wantErr(t, "Put(w-3, name=alice)",
				tx.Put(record(scopeA, "w-3", `{}`, unique("name", "alice"))), store.ErrConflict)
			wantErr(t, "Put(w-2, name=alice)",
				tx.Put(record(scopeA, "w-2", `{"v":2}`, unique("name", "alice"))), store.ErrConflict)
			// A refused write changes nothing, and the transaction goes on.
			mustCreate(t, tx, record(scopeA, "w-4", `{}`, unique("name", "dave")))
		})
		read(t, st, func(tx store.Tx) {
			wantDoc(t, tx, key(scopeA, "w-3"), "")
			wantDoc(t, tx, key(scopeA, "w-2"), `{"v":1}`)
			wantLookup(t, tx, scopeA, "name", "alice", "w-1")
			wantLookup(t, tx, scopeA, "name", "bob", "w-2")
			wantLookup(t, tx, scopeA, "name", "dave", "w-4")
		})
	})

	run(t, "ARecordKeepsItsOwnValueOnPut", func(t *testing.T) {
		st := s.store(t)
		write(t, st, func(tx store.Tx) {
			mustCreate(t, tx, record(scopeA, "w-1", `{"v":1}`, unique("name", "alice")))
		})
		write(t, st, func(tx store.Tx) {
			mustPut(t, tx, record(scopeA, "w-1", `{"v":2}`, unique("name", "alice"), plain("tag", "x")))
		})
		read(t, st, func(tx store.Tx) {
			wantLookup(t, tx, scopeA, "name", "alice", "w-1")
			wantDoc(t, tx, key(scopeA, "w-1"), `{"v":2}`)
		})
	})

	run(t, "PutReplacesTheIndexes", func(t *testing.T) {
		st := s.store(t)
		write(t, st, func(tx store.Tx) {
			mustCreate(t, tx, record(scopeA, "w-1", `{}`, unique("name", "alice"), plain("tag", "old")))
		})
		write(t, st, func(tx store.Tx) {
			mustPut(t, tx, record(scopeA, "w-1", `{}`, unique("name", "alicia"), plain("tag", "new")))
		})
		read(t, st, func(tx store.Tx) {
			wantLookup(t, tx, scopeA, "name", "alice", "")
			wantLookup(t, tx, scopeA, "name", "alicia", "w-1")
			recs, err := tx.Find(scopeA, "tag", "old")
			wantIDs(t, "Find(tag=old)", recs, err, nil)
			recs, err = tx.Find(scopeA, "tag", "new")
			wantIDs(t, "Find(tag=new)", recs, err, []string{"w-1"})
			got := mustGet(t, tx, key(scopeA, "w-1"))
			want := []store.Index{unique("name", "alicia"), plain("tag", "new")}
			if !slices.Equal(got.Indexes, want) {
				t.Errorf("Get(w-1).Indexes = %+v, want %+v", got.Indexes, want)
			}
		})
		// The old value is free for another record; a Put without indexes drops them all.
		write(t, st, func(tx store.Tx) {
			mustCreate(t, tx, record(scopeA, "w-2", `{}`, unique("name", "alice")))
			mustPut(t, tx, record(scopeA, "w-1", `{}`))
			mustCreate(t, tx, record(scopeA, "w-3", `{}`, unique("name", "alicia")))
		})
		read(t, st, func(tx store.Tx) {
			wantLookup(t, tx, scopeA, "name", "alice", "w-2")
			wantLookup(t, tx, scopeA, "name", "alicia", "w-3")
			recs, err := tx.Find(scopeA, "tag", "new")
			wantIDs(t, "Find(tag=new)", recs, err, nil)
		})
	})

	run(t, "DeleteFreesTheValue", func(t *testing.T) {
		st := s.store(t)
		write(t, st, func(tx store.Tx) {
			mustCreate(t, tx, record(scopeA, "w-1", `{}`, unique("name", "alice")))
		})
		write(t, st, func(tx store.Tx) {
			if err := tx.Delete(key(scopeA, "w-1")); err != nil {
				t.Fatalf("Delete(w-1) = %v, want nil", err)
			}
			wantLookup(t, tx, scopeA, "name", "alice", "")
			mustCreate(t, tx, record(scopeA, "w-2", `{}`, unique("name", "alice")))
		})
		read(t, st, func(tx store.Tx) { wantLookup(t, tx, scopeA, "name", "alice", "w-2") })
	})

	run(t, "AValueMovesBetweenRecordsInOneTransaction", func(t *testing.T) {
		st := s.store(t)
		write(t, st, func(tx store.Tx) {
			mustCreate(t, tx, record(scopeA, "w-1", `{}`, unique("name", "alice")))
			mustCreate(t, tx, record(scopeA, "w-2", `{}`, unique("name", "bob")))
		})
		// A rename that swaps two names, through a third.
		write(t, st, func(tx store.Tx) {
			mustPut(t, tx, record(scopeA, "w-1", `{}`, unique("name", "tmp")))
			mustPut(t, tx, record(scopeA, "w-2", `{}`, unique("name", "alice")))
			mustPut(t, tx, record(scopeA, "w-1", `{}`, unique("name", "bob")))
		})
		read(t, st, func(tx store.Tx) {
			wantLookup(t, tx, scopeA, "name", "alice", "w-2")
			wantLookup(t, tx, scopeA, "name", "bob", "w-1")
			wantLookup(t, tx, scopeA, "name", "tmp", "")
		})
	})

	run(t, "TheSameValueIsFreeInOtherScopesAndNames", func(t *testing.T) {
		st := s.store(t)
		otherRegion := scopeA
		otherRegion.Region = "eu-west-1"
		otherKind := scopeA
		otherKind.Kind = "test.gadget"
		scopes := []store.Scope{scopeA, scopeB, otherRegion, otherKind, global}
		write(t, st, func(tx store.Tx) {
			for _, sc := range scopes {
				mustCreate(t, tx, record(sc, "w-1", `{}`, unique("name", "alice")))
				mustCreate(t, tx, record(sc, "w-2", `{}`, unique("other-name", "alice")))
			}
		})
		read(t, st, func(tx store.Tx) {
			for _, sc := range scopes {
				wantLookup(t, tx, sc, "name", "alice", "w-1")
				wantLookup(t, tx, sc, "other-name", "alice", "w-2")
			}
		})
	})

	run(t, "DuplicateIndexesInOneRecordAreMerged", func(t *testing.T) {
		st := s.store(t)
		write(t, st, func(tx store.Tx) {
			mustCreate(t, tx, record(scopeA, "w-1", `{}`, plain("tag", "x"), plain("tag", "x"), unique("name", "a"),
				plain("name", "a"), plain("tag", "y")))
		})
		read(t, st, func(tx store.Tx) {
			got := mustGet(t, tx, key(scopeA, "w-1"))
			want := []store.Index{unique("name", "a"), plain("tag", "x"), plain("tag", "y")}
			if !slices.Equal(got.Indexes, want) {
				t.Errorf("Get(w-1).Indexes = %+v, want %+v", got.Indexes, want)
			}
			recs, err := tx.Find(scopeA, "tag", "x")
			wantIDs(t, "Find(tag=x)", recs, err, []string{"w-1"})
			wantLookup(t, tx, scopeA, "name", "a", "w-1")
		})
	})

	run(t, "AValueChangesFromPlainToUnique", func(t *testing.T) {
		st := s.store(t)
		write(t, st, func(tx store.Tx) {
			mustCreate(t, tx, record(scopeA, "w-1", `{}`, plain("name", "a")))
			mustCreate(t, tx, record(scopeA, "w-2", `{}`, plain("name", "a")))
		})
		read(t, st, func(tx store.Tx) { wantLookup(t, tx, scopeA, "name", "a", "") })
		write(t, st, func(tx store.Tx) { mustPut(t, tx, record(scopeA, "w-1", `{}`, unique("name", "a"))) })
		read(t, st, func(tx store.Tx) {
			wantLookup(t, tx, scopeA, "name", "a", "w-1")
			recs, err := tx.Find(scopeA, "name", "a")
			wantIDs(t, "Find(name=a)", recs, err, []string{"w-1", "w-2"})
		})
		write(t, st, func(tx store.Tx) {
			wantErr(t, "Put(w-2) making name=a unique too",
				tx.Put(record(scopeA, "w-2", `{}`, unique("name", "a"))), store.ErrConflict)
			mustPut(t, tx, record(scopeA, "w-1", `{}`, plain("name", "a")))
		})
		read(t, st, func(tx store.Tx) { wantLookup(t, tx, scopeA, "name", "a", "") })
	})
}

func (s *suite) testNonUniqueIndexes(t *testing.T) {
	run(t, "FindReturnsEveryRecordWithTheValueInIDOrder", func(t *testing.T) {
		st := s.store(t)
		write(t, st, func(tx store.Tx) {
			mustCreate(t, tx, record(scopeA, "subnet-c", `{}`, plain("vpc", "vpc-1")))
			mustCreate(t, tx, record(scopeA, "subnet-a", `{}`, plain("vpc", "vpc-1")))
			mustCreate(t, tx, record(scopeA, "subnet-b", `{}`, plain("vpc", "vpc-2")))
			mustCreate(t, tx, record(scopeA, "subnet-d", `{}`, plain("vpc", "vpc-1"), plain("vpc", "vpc-2")))
			mustCreate(t, tx, record(scopeB, "subnet-e", `{}`, plain("vpc", "vpc-1")))
		})
		read(t, st, func(tx store.Tx) {
			recs, err := tx.Find(scopeA, "vpc", "vpc-1")
			wantIDs(t, "Find(vpc=vpc-1)", recs, err, []string{"subnet-a", "subnet-c", "subnet-d"})
			recs, err = tx.Find(scopeA, "vpc", "vpc-2")
			wantIDs(t, "Find(vpc=vpc-2)", recs, err, []string{"subnet-b", "subnet-d"})
			recs, err = tx.Find(scopeA, "vpc", "vpc-3")
			wantIDs(t, "Find(vpc=vpc-3)", recs, err, nil)
			recs, err = tx.Find(scopeA, "other", "vpc-1")
			wantIDs(t, "Find(other=vpc-1)", recs, err, nil)
			// Find returns whole records.
			recs, _ = tx.Find(scopeA, "vpc", "vpc-2")
			for _, r := range recs {
				if r.Version != 1 || string(r.Doc) != `{}` {
					t.Errorf("Find returned %s with version %d and doc %s, want version 1 and {}", r.ID, r.Version, r.Doc)
				}
			}
		})
	})

	run(t, "LookupIgnoresPlainIndexes", func(t *testing.T) {
		st := s.store(t)
		write(t, st, func(tx store.Tx) {
			mustCreate(t, tx, record(scopeA, "w-1", `{}`, plain("tag", "x")))
		})
		read(t, st, func(tx store.Tx) { wantLookup(t, tx, scopeA, "tag", "x", "") })
	})

	run(t, "FindIncludesUniqueIndexes", func(t *testing.T) {
		st := s.store(t)
		write(t, st, func(tx store.Tx) {
			mustCreate(t, tx, record(scopeA, "w-1", `{}`, unique("name", "x")))
		})
		read(t, st, func(tx store.Tx) {
			recs, err := tx.Find(scopeA, "name", "x")
			wantIDs(t, "Find(name=x)", recs, err, []string{"w-1"})
		})
	})

	run(t, "DeleteRemovesTheRecordFromFind", func(t *testing.T) {
		st := s.store(t)
		write(t, st, func(tx store.Tx) {
			mustCreate(t, tx, record(scopeA, "w-1", `{}`, plain("tag", "x")))
			mustCreate(t, tx, record(scopeA, "w-2", `{}`, plain("tag", "x")))
		})
		write(t, st, func(tx store.Tx) {
			if err := tx.Delete(key(scopeA, "w-1")); err != nil {
				t.Fatalf("Delete(w-1) = %v, want nil", err)
			}
		})
		read(t, st, func(tx store.Tx) {
			recs, err := tx.Find(scopeA, "tag", "x")
			wantIDs(t, "Find(tag=x)", recs, err, []string{"w-2"})
		})
	})
}
