// Package storetest is the contract that every store backend meets, as a test suite: a backend's tests call
// Run with a function that opens a fresh, empty store.
//
// It is test code only; sagebox's binary does not import it.
package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/sagebox/sagebox/internal/store"
)

// Option adapts the suite to a limit a backend documents.
type Option int

const (
	// ReadsWaitForWrites says that the backend's read transactions wait for the write transaction in progress,
	// and its commits for the read transactions in progress (sqlite.OpenMemory: an in-memory database has no
	// write-ahead log). The suite then never holds a read transaction open across another transaction's
	// commit, which would deadlock.
	ReadsWaitForWrites Option = iota + 1
)

type suite struct {
	open               func(t *testing.T) store.Store
	readsWaitForWrites bool
}

// Run runs the contract suite. open returns a new, empty store each time it is called; the suite closes it when
// the subtest that opened it ends.
func Run(t *testing.T, open func(t *testing.T) store.Store, opts ...Option) {
	s := &suite{open: open}
	for _, o := range opts {
		switch o {
		case ReadsWaitForWrites:
			s.readsWaitForWrites = true
		default:
			t.Fatalf("storetest.Run: unknown option %d", o)
		}
	}
	t.Run("Records", s.testRecords)
	t.Run("Versions", s.testVersions)
	t.Run("UniqueIndexes", s.testUniqueIndexes)
	t.Run("NonUniqueIndexes", s.testNonUniqueIndexes)
	t.Run("List", s.testList)
	t.Run("Scopes", s.testScopes)
	t.Run("Transactions", s.testTransactions)
	t.Run("OnCommit", s.testOnCommit)
	t.Run("Reset", s.testReset)
	t.Run("BadInput", s.testBadInput)
	t.Run("Concurrency", s.testConcurrency)
}

// run runs a subtest in parallel with its siblings: each opens its own store, and a file store's tests spend
// most of their time waiting for fsync.
func run(t *testing.T, name string, fn func(t *testing.T)) {
	t.Run(name, func(t *testing.T) {
		t.Parallel()
		fn(t)
	})
}

// store opens a fresh store for one test and closes it when the test ends.
func (s *suite) store(t *testing.T) store.Store {
	t.Helper()
	st := s.open(t)
	t.Cleanup(func() {
		if err := st.Close(); err != nil {
			t.Errorf("Close() = %v, want nil", err)
		}
	})
	return st
}

var (
	scopeA = store.Scope{Account: "111111111111", Region: "us-east-1", Kind: "test.widget"}
	scopeB = store.Scope{Account: "222222222222", Region: "us-east-1", Kind: "test.widget"}
	global = store.Scope{Account: "111111111111", Kind: "test.user"}
)

func key(scope store.Scope, id string) store.Key { return store.Key{Scope: scope, ID: id} }

func record(scope store.Scope, id, doc string, idx ...store.Index) *store.Record {
	return &store.Record{Key: key(scope, id), Doc: []byte(doc), Indexes: idx}
}

func unique(name, value string) store.Index {
	return store.Index{Name: name, Value: value, Unique: true}
}
func plain(name, value string) store.Index { return store.Index{Name: name, Value: value} }

// write runs fn in a write transaction and commits it.
func write(t *testing.T, st store.Store, fn func(tx store.Tx)) {
	t.Helper()
	tx, err := st.Begin(context.Background(), true)
	if err != nil {
		t.Fatalf("Begin(writable) = %v, want nil", err)
	}
	defer tx.Rollback()
	fn(tx)
	if err := tx.Commit(); err != nil {
		t.Fatalf("Commit() = %v, want nil", err)
	}
}

// read runs fn in a read transaction.
func read(t *testing.T, st store.Store, fn func(tx store.Tx)) {
	t.Helper()
	tx, err := st.Begin(context.Background(), false)
	if err != nil {
		t.Fatalf("Begin(read-only) = %v, want nil", err)
	}
	defer tx.Rollback()
	fn(tx)
	if err := tx.Commit(); err != nil {
		t.Fatalf("Commit() of a read transaction = %v, want nil", err)
	}
}

func mustCreate(t *testing.T, tx store.Tx, rec *store.Record) {
	t.Helper()
	if err := tx.Create(rec); err != nil {
		t.Fatalf("Create(%s) = %v, want nil", rec.ID, err)
	}
}

func mustPut(t *testing.T, tx store.Tx, rec *store.Record) {
	t.Helper()
	if err := tx.Put(rec); err != nil {
		t.Fatalf("Put(%s) = %v, want nil", rec.ID, err)
	}
}

func mustGet(t *testing.T, tx store.Tx, k store.Key) *store.Record {
	t.Helper()
	rec, err := tx.Get(k)
	if err != nil {
		t.Fatalf("Get(%s) = %v, want nil", k.ID, err)
	}
	return rec
}

// wantErr fails the test unless err matches target.
func wantErr(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Errorf("%s = %v, want %v", what, err, target)
	}
}

// wantDoc checks the document of the record with the key, or that there is none when doc is "".
func wantDoc(t *testing.T, tx store.Tx, k store.Key, doc string) {
	t.Helper()
	rec, err := tx.Get(k)
	switch {
	case doc == "" && !errors.Is(err, store.ErrNotFound):
		t.Errorf("Get(%s) = %v, want %v", k.ID, err, store.ErrNotFound)
	case doc == "":
	case err != nil:
		t.Errorf("Get(%s) = %v, want the document %s", k.ID, err, doc)
	case string(rec.Doc) != doc:
		t.Errorf("Get(%s).Doc = %s, want %s", k.ID, rec.Doc, doc)
	}
}

// ids returns the IDs of records.
func ids(recs []*store.Record) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = r.ID
	}
	return out
}

func wantIDs(t *testing.T, what string, recs []*store.Record, err error, want []string) {
	t.Helper()
	if err != nil {
		t.Errorf("%s = %v, want records %q", what, err, want)
		return
	}
	if got := ids(recs); !slices.Equal(got, want) {
		t.Errorf("%s = %q, want %q", what, got, want)
	}
}

// lookupID returns the ID that Lookup finds, or the error.
func lookupID(tx store.Tx, scope store.Scope, name, value string) (string, error) {
	rec, err := tx.Lookup(scope, name, value)
	if err != nil {
		return "", err
	}
	return rec.ID, nil
}

func wantLookup(t *testing.T, tx store.Tx, scope store.Scope, name, value, id string) {
	t.Helper()
	got, err := lookupID(tx, scope, name, value)
	switch {
	case id == "" && !errors.Is(err, store.ErrNotFound):
		t.Errorf("Lookup(%s, %s=%q) = %q, %v, want %v", scope.Kind, name, value, got, err, store.ErrNotFound)
	case id != "" && (err != nil || got != id):
		t.Errorf("Lookup(%s, %s=%q) = %q, %v, want %q", scope.Kind, name, value, got, err, id)
	}
}
