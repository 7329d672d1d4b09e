package storetest

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sagebox/sagebox/internal/store"
)

func (s *suite) testTransactions(t *testing.T) {
	run(t, "AReadOnlyTransactionRefusesWrites", func(t *testing.T) {
		st := s.store(t)
		write(t, st, func(tx store.Tx) { mustCreate(t, tx, record(scopeA, "w-1", `{"v":1}`)) })
		read(t, st, func(tx store.Tx) {
			wantErr(t, "Create in a read-only transaction", tx.Create(record(scopeA, "w-2", `{}`)), store.ErrReadOnly)
			wantErr(t, "Put in a read-only transaction", tx.Put(record(scopeA, "w-1", `{"v":2}`)), store.ErrReadOnly)
			wantErr(t, "Delete in a read-only transaction", tx.Delete(key(scopeA, "w-1")), store.ErrReadOnly)
			wantDoc(t, tx, key(scopeA, "w-1"), `{"v":1}`)
		})
		read(t, st, func(tx store.Tx) {
			wantDoc(t, tx, key(scopeA, "w-1"), `{"v":1}`)
			wantDoc(t, tx, key(scopeA, "w-2"), "")
		})
	})

	run(t, "RollbackDiscardsTheWrites", func(t *testing.T) {
		st := s.store(t)
		write(t, st, func(tx store.Tx) {
			mustCreate(t, tx, record(scopeA, "w-1", `{"v":1}`, unique("name", "one")))
			mustCreate(t, tx, record(scopeA, "w-2", `{"v":1}`))
		})
		tx, err := st.Begin(context.Background(), true)
		if err != nil {
			t.Fatalf("Begin(writable) = %v", err)
		}
		mustCreate(t, tx, record(scopeA, "w-3", `{}`, unique("name", "three")))
		mustPut(t, tx, record(scopeA, "w-1", `{"v":2}`, unique("name", "uno")))
		if err := tx.Delete(key(scopeA, "w-2")); err != nil {
			t.Fatalf("Delete(w-2) = %v", err)
		}
		if err := tx.Rollback(); err != nil {
			t.Fatalf("Rollback() = %v, want nil", err)
		}
		read(t, st, func(tx store.Tx) {
			wantDoc(t, tx, key(scopeA, "w-1"), `{"v":1}`)
			wantDoc(t, tx, key(scopeA, "w-2"), `{"v":1}`)
			wantDoc(t, tx, key(scopeA, "w-3"), "")
			wantLookup(t, tx, scopeA, "name", "one", "w-1")
			wantLookup(t, tx, scopeA, "name", "uno", "")
			wantLookup(t, tx, scopeA, "name", "three", "")
			if got := mustGet(t, tx, key(scopeA, "w-1")); got.Version != 1 {
				t.Errorf("Get(w-1).Version = %d after a rolled back Put, want 1", got.Version)
			}
		})
	})

	run(t, "AWriteTransactionSeesItsOwnWrites", func(t *testing.T) {
		st := s.store(t)
		write(t, st, func(tx store.Tx) {
			mustCreate(t, tx, record(scopeA, "w-1", `{"v":1}`, unique("name", "one"), plain("tag", "t")))
			mustCreate(t, tx, record(scopeA, "w-2", `{"v":1}`, plain("tag", "t")))
			mustPut(t, tx, record(scopeA, "w-2", `{"v":2}`))
			wantDoc(t, tx, key(scopeA, "w-1"), `{"v":1}`)
			wantDoc(t, tx, key(scopeA, "w-2"), `{"v":2}`)
			wantLookup(t, tx, scopeA, "name", "one", "w-1")
			recs, err := tx.Find(scopeA, "tag", "t")
			wantIDs(t, "Find(tag=t)", recs, err, []string{"w-1"})
			recs, err = tx.List(scopeA, store.ListQuery{})
			wantIDs(t, "List()", recs, err, []string{"w-1", "w-2"})
			if n, err := tx.Count(scopeA); n != 2 || err != nil {
				t.Errorf("Count() = %d, %v, want 2", n, err)
			}
		})
	})

	run(t, "ATransactionCannotBeUsedAfterItEnds", func(t *testing.T) {
		st := s.store(t)
		for _, commit := range []bool{true, false} {
			tx, err := st.Begin(context.Background(), true)
			if err != nil {
				t.Fatalf("Begin(writable) = %v", err)
			}
			end, name := tx.Rollback, "Rollback"
			if commit {
				end, name = tx.Commit, "Commit"
			}
			if err := end(); err != nil {
				t.Fatalf("%s() = %v, want nil", name, err)
			}
			if err := tx.Rollback(); err != nil {
				t.Errorf("Rollback() after %s = %v, want nil", name, err)
			}
			if _, err := tx.Get(key(scopeA, "w-1")); err == nil || errors.Is(err, store.ErrNotFound) {
				t.Errorf("Get after %s = %v, want an error other than not found", name, err)
			}
			if err := tx.Create(record(scopeA, "w-1", `{}`)); err == nil {
				t.Errorf("Create after %s = nil, want an error", name)
			}
			if err := tx.Commit(); err == nil {
				t.Errorf("Commit() after %s = nil, want an error", name)
			}
		}
		// The store is still fine.
		write(t, st, func(tx store.Tx) { mustCreate(t, tx, record(scopeA, "w-1", `{}`)) })
	})

	run(t, "BeginHonoursItsContext", func(t *testing.T) {
		st := s.store(t)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		for _, writable := range []bool{true, false} {
			if tx, err := st.Begin(ctx, writable); !errors.Is(err, context.Canceled) {
				if err == nil {
					tx.Rollback()
				}
				t.Errorf("Begin(canceled context, writable=%v) = %v, want %v", writable, err, context.Canceled)
			}
		}
		// A writer waiting for another gives up when its context ends.
		tx, err := st.Begin(context.Background(), true)
		if err != nil {
			t.Fatalf("Begin(writable) = %v", err)
		}
		ctx, cancel = context.WithTimeout(context.Background(), 20*time.Millisecond)
		defer cancel()
		if tx2, err := st.Begin(ctx, true); !errors.Is(err, context.DeadlineExceeded) {
			if err == nil {
				tx2.Rollback()
			}
			t.Errorf("Begin(writable) while another write transaction runs = %v, want %v", err, context.DeadlineExceeded)
		}
		mustCreate(t, tx, record(scopeA, "w-1", `{}`))
		if err := tx.Commit(); err != nil {
			t.Fatalf("Commit() = %v", err)
		}
		read(t, st, func(tx store.Tx) { wantDoc(t, tx, key(scopeA, "w-1"), `{}`) })
	})

	run(t, "ErrorsSayWhatFailed", func(t *testing.T) {
		st := s.store(t)
		write(t, st, func(tx store.Tx) {
			mustCreate(t, tx, record(scopeA, "widget-7", `{}`, unique("name", "seven")))
			errs := map[string]error{
				"Create":          tx.Create(record(scopeA, "widget-7", `{}`)),
				"Put":             tx.Put(record(scopeA, "widget-8", `{}`, unique("name", "seven"))),
				"Get":             func() error { _, err := tx.Get(key(scopeA, "widget-9")); return err }(),
				"Lookup":          func() error { _, err := tx.Lookup(scopeA, "name", "nine"); return err }(),
				"Delete":          tx.Delete(key(scopeA, "widget-9")),
				"Put (versioned)": tx.Put(&store.Record{Key: key(scopeA, "widget-7"), Version: 9}),
			}
			for op, err := range errs {
				if err == nil {
					t.Errorf("%s = nil, want an error", op)
					continue
				}
				msg := err.Error()
				if !strings.Contains(msg, "widget-") && !strings.Contains(msg, "nine") {
					t.Errorf("%s = %q, want a message that names the record", op, msg)
				}
			}
		})
	})
}

func (s *suite) testOnCommit(t *testing.T) {
	run(t, "HooksRunInOrderBeforeCommitReturns", func(t *testing.T) {
		st := s.store(t)
		var ran []string
		tx, err := st.Begin(context.Background(), true)
		if err != nil {
			t.Fatalf("Begin(writable) = %v", err)
		}
		mustCreate(t, tx, record(scopeA, "w-1", `{"v":1}`))
		tx.OnCommit(func() { ran = append(ran, "first") })
		tx.OnCommit(func() {
			ran = append(ran, "second")
			// The write is committed by now: a new read transaction sees it.
			read(t, st, func(rtx store.Tx) { wantDoc(t, rtx, key(scopeA, "w-1"), `{"v":1}`) })
		})
		tx.OnCommit(func() { ran = append(ran, "third") })
		if len(ran) != 0 {
			t.Errorf("hooks ran before Commit: %q", ran)
		}
		if err := tx.Commit(); err != nil {
			t.Fatalf("Commit() = %v", err)
		}
		if want := []string{"first", "second", "third"}; !slices.Equal(ran, want) {
			t.Errorf("after Commit, hooks ran %q, want %q", ran, want)
		}
	})

	run(t, "HooksDoNotRunOnRollback", func(t *testing.T) {
		st := s.store(t)
		for _, writable := range []bool{true, false} {
			ran := false
			tx, err := st.Begin(context.Background(), writable)
			if err != nil {
				t.Fatalf("Begin(%v) = %v", writable, err)
			}
			tx.OnCommit(func() { ran = true })
			if err := tx.Rollback(); err != nil {
				t.Fatalf("Rollback() = %v", err)
			}
			if ran {
				t.Errorf("a hook ran on Rollback (writable=%v)", writable)
			}
		}
	})

	run(t, "HooksDoNotRunWhenCommitFails", func(t *testing.T) {
		st := s.store(t)
		ran := false
		tx, err := st.Begin(context.Background(), true)
		if err != nil {
			t.Fatalf("Begin(writable) = %v", err)
		}
		tx.OnCommit(func() { ran = true })
		if err := tx.Rollback(); err != nil {
			t.Fatalf("Rollback() = %v", err)
		}
		if err := tx.Commit(); err == nil {
			t.Errorf("Commit() after Rollback = nil, want an error")
		}
		if ran {
			t.Errorf("a hook ran though Commit failed")
		}
	})
}

func (s *suite) testReset(t *testing.T) {
	run(t, "ResetDeletesEveryRecord", func(t *testing.T) {
		st := s.store(t)
		write(t, st, func(tx store.Tx) {
			mustCreate(t, tx, record(scopeA, "w-1", `{}`, unique("name", "one"), plain("tag", "t")))
			mustCreate(t, tx, record(scopeB, "w-1", `{}`))
			mustCreate(t, tx, record(store.Scope{Kind: "sagebox.account"}, "111111111111", `{}`))
		})
		if err := st.Reset(context.Background()); err != nil {
			t.Fatalf("Reset() = %v, want nil", err)
		}
		read(t, st, func(tx store.Tx) {
			for _, sc := range []store.Scope{scopeA, scopeB, {Kind: "sagebox.account"}} {
				if n, err := tx.Count(sc); n != 0 || err != nil {
					t.Errorf("Count(%+v) after Reset = %d, %v, want 0", sc, n, err)
				}
			}
			wantDoc(t, tx, key(scopeA, "w-1"), "")
			wantLookup(t, tx, scopeA, "name", "one", "")
			recs, err := tx.Find(scopeA, "tag", "t")
			wantIDs(t, "Find(tag=t) after Reset", recs, err, nil)
		})
		// Unique values are free again, and versions start over.
		rec := record(scopeA, "w-2", `{}`, unique("name", "one"))
		write(t, st, func(tx store.Tx) { mustCreate(t, tx, rec) })
		if rec.Version != 1 {
			t.Errorf("Create after Reset set Version = %d, want 1", rec.Version)
		}
	})

	run(t, "ResetHonoursItsContext", func(t *testing.T) {
		st := s.store(t)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := st.Reset(ctx); !errors.Is(err, context.Canceled) {
			t.Errorf("Reset(canceled context) = %v, want %v", err, context.Canceled)
		}
	})
}

func (s *suite) testBadInput(t *testing.T) {
	bad := map[string]store.Key{
		"EmptyID":         key(scopeA, ""),
		"EmptyKind":       {Scope: store.Scope{Account: "1"}, ID: "x"},
		"InvalidUTF8ID":   key(scopeA, "\xff\xfe"),
		"NULInID":         key(scopeA, "a\x00b"),
		"InvalidUTF8Kind": key(store.Scope{Kind: "k\xc3"}, "x"),
		"NULInAccount":    key(store.Scope{Account: "1\x00", Kind: "k"}, "x"),
		"InvalidRegion":   key(store.Scope{Region: "\xc0\xaf", Kind: "k"}, "x"),
	}
	for name, k := range bad {
		run(t, name, func(t *testing.T) {
			st := s.store(t)
			write(t, st, func(tx store.Tx) {
				if err := tx.Create(&store.Record{Key: k, Doc: []byte(`{}`)}); err == nil {
					t.Errorf("Create(%q) = nil, want an error", k.ID)
				}
				if err := tx.Put(&store.Record{Key: k, Doc: []byte(`{}`)}); err == nil {
					t.Errorf("Put(%q) = nil, want an error", k.ID)
				}
				// Nothing can be stored under such a key, so reads find nothing.
				_, err := tx.Get(k)
				wantErr(t, "Get of a bad key", err, store.ErrNotFound)
				wantErr(t, "Delete of a bad key", tx.Delete(k), store.ErrNotFound)
				if recs, err := tx.List(k.Scope, store.ListQuery{}); len(recs) != 0 || err != nil {
					t.Errorf("List(bad scope) = %d records, %v, want none", len(recs), err)
				}
				if n, err := tx.Count(k.Scope); n != 0 || err != nil {
					t.Errorf("Count(bad scope) = %d, %v, want 0", n, err)
				}
				// The refused writes left the transaction usable.
				mustCreate(t, tx, record(scopeA, "fine", `{}`))
			})
		})
	}

	run(t, "BadIndexes", func(t *testing.T) {
		st := s.store(t)
		write(t, st, func(tx store.Tx) {
			for _, ix := range []store.Index{
				{Name: "", Value: "x"}, {Name: "n\xff", Value: "x"}, {Name: "n", Value: "\xff"},
				{Name: "n", Value: "a\x00", Unique: true},
			} {
				if err := tx.Create(record(scopeA, "w-1", `{}`, ix)); err == nil {
					t.Errorf("Create with index %q=%q = nil, want an error", ix.Name, ix.Value)
				}
				_, err := tx.Lookup(scopeA, ix.Name, ix.Value)
				wantErr(t, "Lookup of a bad index value", err, store.ErrNotFound)
				if recs, err := tx.Find(scopeA, ix.Name, ix.Value); len(recs) != 0 || err != nil {
					t.Errorf("Find(%q=%q) = %d records, %v, want none", ix.Name, ix.Value, len(recs), err)
				}
			}
			wantDoc(t, tx, key(scopeA, "w-1"), "")
			mustCreate(t, tx, record(scopeA, "w-1", `{}`, plain("n", "")))
		})
		read(t, st, func(tx store.Tx) {
			recs, err := tx.Find(scopeA, "n", "")
			wantIDs(t, `Find(n="")`, recs, err, []string{"w-1"})
		})
	})

	run(t, "NilRecord", func(t *testing.T) {
		st := s.store(t)
		write(t, st, func(tx store.Tx) {
			if err := tx.Create(nil); err == nil {
				t.Errorf("Create(nil) = nil, want an error")
			}
			if err := tx.Put(nil); err == nil {
				t.Errorf("Put(nil) = nil, want an error")
			}
			tx.OnCommit(nil)
		})
	})

	run(t, "ListWithBadBounds", func(t *testing.T) {
		st := s.store(t)
		write(t, st, func(tx store.Tx) {
			for _, id := range []string{"a", "b", "c"} {
				mustCreate(t, tx, record(scopeA, id, `{}`))
			}
		})
		read(t, st, func(tx store.Tx) {
			for _, q := range []store.ListQuery{
				{Prefix: "\xff"}, {Prefix: "\xff\xff"}, {After: "\xff"}, {Prefix: "a\x00"}, {After: "a\x00", Limit: 1},
				{Limit: -1, After: "a"},
			} {
				recs, err := tx.List(scopeA, q)
				if err != nil {
					t.Errorf("List(%+v) = %v, want no error", q, err)
				}
				// A negative limit is no limit.
				if want := listModel([]string{"a", "b", "c"}, q); !slices.Equal(ids(recs), want) {
					t.Errorf("List(%+v) = %q, want %q", q, ids(recs), want)
				}
			}
		})
	})
}
