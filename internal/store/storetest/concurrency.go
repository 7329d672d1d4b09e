package storetest

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/sagebox/sagebox/internal/store"
)

func (s *suite) testConcurrency(t *testing.T) {
	run(t, "AReadTransactionKeepsItsSnapshotWhileAWriteCommits", func(t *testing.T) {
		if s.readsWaitForWrites {
			t.Skip("the backend's reads wait for writes (ReadsWaitForWrites)")
		}
		st := s.store(t)
		write(t, st, func(tx store.Tx) {
			mustCreate(t, tx, record(scopeA, "w-1", `{"v":1}`, unique("name", "one")))
		})
		rtx, err := st.Begin(context.Background(), false)
		if err != nil {
			t.Fatalf("Begin(read-only) = %v", err)
		}
		defer rtx.Rollback()
		wantDoc(t, rtx, key(scopeA, "w-1"), `{"v":1}`)

		// A write transaction in progress is invisible to the reader...
		wtx, err := st.Begin(context.Background(), true)
		if err != nil {
			t.Fatalf("Begin(writable) while a read transaction is open = %v", err)
		}
		mustPut(t, wtx, record(scopeA, "w-1", `{"v":2}`, unique("name", "uno")))
		mustCreate(t, wtx, record(scopeA, "w-2", `{}`))
		wantDoc(t, rtx, key(scopeA, "w-2"), "")
		// ...and so is the commit: the reader keeps its snapshot.
		if err := wtx.Commit(); err != nil {
			t.Fatalf("Commit() while a read transaction is open = %v", err)
		}
		wantDoc(t, rtx, key(scopeA, "w-1"), `{"v":1}`)
		wantDoc(t, rtx, key(scopeA, "w-2"), "")
		wantLookup(t, rtx, scopeA, "name", "one", "w-1")
		if n, err := rtx.Count(scopeA); n != 1 || err != nil {
			t.Errorf("Count() in the old snapshot = %d, %v, want 1", n, err)
		}
		if err := rtx.Commit(); err != nil {
			t.Fatalf("Commit() of the read transaction = %v", err)
		}
		read(t, st, func(tx store.Tx) {
			wantDoc(t, tx, key(scopeA, "w-1"), `{"v":2}`)
			wantDoc(t, tx, key(scopeA, "w-2"), `{}`)
			wantLookup(t, tx, scopeA, "name", "uno", "w-1")
		})
	})

	run(t, "ConcurrentWritersIncrementACounterExactly", func(t *testing.T) {
		st := s.store(t)
		const workers, increments = 8, 15
		write(t, st, func(tx store.Tx) { mustCreate(t, tx, record(scopeA, "counter", "0")) })
		var wg sync.WaitGroup
		errs := make(chan error, workers)
		for range workers {
			wg.Go(func() {
				for range increments {
					if err := increment(st); err != nil {
						errs <- err
						return
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("an increment failed: %v", err)
		}
		wantCounter(t, st, workers*increments)
	})

	run(t, "OptimisticWritersRetryUntilTheyWin", func(t *testing.T) {
		st := s.store(t)
		const workers, increments = 6, 10
		write(t, st, func(tx store.Tx) { mustCreate(t, tx, record(scopeA, "counter", "0")) })
		var wg sync.WaitGroup
		var conflicts atomic.Int64
		errs := make(chan error, workers)
		for range workers {
			wg.Go(func() {
				for range increments {
					if err := incrementOptimistically(st, &conflicts); err != nil {
						errs <- err
						return
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("an increment failed: %v", err)
		}
		wantCounter(t, st, workers*increments)
		t.Logf("%d optimistic conflicts retried", conflicts.Load())
	})

	run(t, "ReadersSeeConsistentSnapshotsDuringWrites", func(t *testing.T) {
		st := s.store(t)
		const total = 1000
		write(t, st, func(tx store.Tx) {
			mustCreate(t, tx, record(scopeA, "left", strconv.Itoa(total), unique("side", "L")))
			mustCreate(t, tx, record(scopeA, "right", "0", unique("side", "R")))
		})
		ctx, stop := context.WithCancel(context.Background())
		defer stop()
		var readers, writers sync.WaitGroup
		var reads atomic.Int64
		errs := make(chan error, 16)
		report := func(err error) {
			select {
			case errs <- err:
			default:
			}
		}
		for range 3 {
			readers.Go(func() {
				for ctx.Err() == nil {
					if err := checkInvariant(st, total); err != nil {
						report(err)
						return
					}
					reads.Add(1)
				}
			})
		}
		for w := range 2 {
			writers.Go(func() {
				for i := range 20 {
					if err := transfer(st, w, i); err != nil {
						report(err)
						return
					}
				}
			})
		}
		writers.Wait()
		// Let the readers overlap the last write, then stop them.
		for reads.Load() < 10 {
			if err := checkInvariant(st, total); err != nil {
				report(err)
				break
			}
			reads.Add(1)
		}
		stop()
		readers.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		if err := checkInvariant(st, total); err != nil {
			t.Error(err)
		}
	})
}

// increment adds one to the counter in a write transaction, which holds the write lock from Begin to Commit.
func increment(st store.Store) error {
	tx, err := st.Begin(context.Background(), true)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	rec, err := tx.Get(key(scopeA, "counter"))
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(string(rec.Doc))
	if err != nil {
		return err
	}
	rec.Doc = []byte(strconv.Itoa(n + 1))
	if err := tx.Put(rec); err != nil {
		return err
	}
	return tx.Commit()
}

// incrementOptimistically reads the counter in a read transaction and writes it back in a write transaction
// with the version it read, starting over when another writer got there first.
func incrementOptimistically(st store.Store, conflicts *atomic.Int64) error {
	for attempt := 0; attempt < 1000; attempt++ {
		rtx, err := st.Begin(context.Background(), false)
		if err != nil {
			return err
		}
		rec, err := rtx.Get(key(scopeA, "counter"))
		rtx.Rollback()
		if err != nil {
			return err
		}
		n, err := strconv.Atoi(string(rec.Doc))
		if err != nil {
			return err
		}
		rec.Doc = []byte(strconv.Itoa(n + 1))
		wtx, err := st.Begin(context.Background(), true)
		if err != nil {
			return err
		}
		err = wtx.Put(rec)
		if errors.Is(err, store.ErrConflict) {
			wtx.Rollback()
			conflicts.Add(1)
			continue
		}
		if err != nil {
			wtx.Rollback()
			return err
		}
		return wtx.Commit()
	}
	return errors.New("gave up after 1000 conflicts")
}

func wantCounter(t *testing.T, st store.Store, want int) {
	t.Helper()
	read(t, st, func(tx store.Tx) {
		rec := mustGet(t, tx, key(scopeA, "counter"))
		if string(rec.Doc) != strconv.Itoa(want) {
			t.Errorf("the counter is %s, want %d", rec.Doc, want)
		}
		if rec.Version != int64(want)+1 {
			t.Errorf("the counter's version is %d, want %d", rec.Version, want+1)
		}
	})
}

// transfer moves an amount from one side to the other, and creates and deletes a temporary record, in one write
// transaction: a reader sees all of it or none.
func transfer(st store.Store, w, i int) error {
	tx, err := st.Begin(context.Background(), true)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	left, err := tx.Lookup(scopeA, "side", "L")
	if err != nil {
		return err
	}
	right, err := tx.Get(key(scopeA, "right"))
	if err != nil {
		return err
	}
	l, _ := strconv.Atoi(string(left.Doc))
	r, _ := strconv.Atoi(string(right.Doc))
	amount := (w*31+i*17)%97 - 40
	left.Doc = []byte(strconv.Itoa(l - amount))
	if err := tx.Put(left); err != nil {
		return err
	}
	tmp := record(scopeA, fmt.Sprintf("tmp-%d-%d", w, i), `{}`)
	if err := tx.Create(tmp); err != nil {
		return err
	}
	right.Doc = []byte(strconv.Itoa(r + amount))
	if err := tx.Put(right); err != nil {
		return err
	}
	if err := tx.Delete(tmp.Key); err != nil {
		return err
	}
	return tx.Commit()
}

// checkInvariant reads both sides in one read transaction: their sum never changes, and no temporary record is
// ever seen.
func checkInvariant(st store.Store, total int) error {
	tx, err := st.Begin(context.Background(), false)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	left, err := tx.Get(key(scopeA, "left"))
	if err != nil {
		return err
	}
	right, err := tx.Lookup(scopeA, "side", "R")
	if err != nil {
		return err
	}
	l, _ := strconv.Atoi(string(left.Doc))
	r, _ := strconv.Atoi(string(right.Doc))
	if l+r != total {
		return fmt.Errorf("a reader saw left %d + right %d = %d, want %d", l, r, l+r, total)
	}
	recs, err := tx.List(scopeA, store.ListQuery{})
	if err != nil {
		return err
	}
	if len(recs) != 2 {
		return fmt.Errorf("a reader saw %d records (%q), want left and right only", len(recs), ids(recs))
	}
	return tx.Commit()
}
