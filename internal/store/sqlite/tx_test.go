package sqlite

import (
	"context"
	"errors"
	"testing"

	"github.com/sagebox/sagebox/internal/store"
)

// TestAFailedStatementFailsTheTransaction makes SQLite fail in the middle of a write (the indexes table is gone)
// and checks that the transaction refuses to go on and that Commit rolls all of it back.
func TestAFailedStatementFailsTheTransaction(t *testing.T) {
	ctx := context.Background()
	for name, open := range map[string]func() (*DB, error){
		"File":   func() (*DB, error) { return Open(ctx, t.TempDir()+"/sagebox.db") },
		"Memory": func() (*DB, error) { return OpenMemory(ctx) },
	} {
		t.Run(name, func(t *testing.T) {
			db, err := open()
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			k := store.Key{Scope: store.Scope{Kind: "test.item"}, ID: "a"}
			stx, err := db.Begin(ctx, true)
			if err != nil {
				t.Fatal(err)
			}
			tx := stx.(*tx)
			if err := tx.c.execScript(`DROP TABLE indexes`); err != nil {
				t.Fatal(err)
			}
			err = tx.Create(&store.Record{Key: k, Doc: []byte(`{}`), Indexes: []store.Index{{Name: "n", Value: "v", Unique: true}}})
			if err == nil || errors.Is(err, store.ErrConflict) {
				t.Fatalf("Create() without an indexes table = %v, want SQLite's error", err)
			}
			if _, err := tx.Get(k); err == nil || errors.Is(err, store.ErrNotFound) {
				t.Errorf("Get() after a failed statement = %v, want the transaction's failure", err)
			}
			if err := tx.Commit(); err == nil {
				t.Errorf("Commit() after a failed statement = nil, want an error")
			}
			// Everything was rolled back, the DROP TABLE too, and the store goes on.
			stx, err = db.Begin(ctx, true)
			if err != nil {
				t.Fatal(err)
			}
			defer stx.Rollback()
			if err := stx.Create(&store.Record{Key: k, Doc: []byte(`{}`), Indexes: []store.Index{{Name: "n", Value: "v", Unique: true}}}); err != nil {
				t.Errorf("Create() in the next transaction = %v, want nil", err)
			}
			if err := stx.Commit(); err != nil {
				t.Errorf("Commit() = %v", err)
			}
		})
	}
}

func TestTheArenaShrinksAfterALargeValue(t *testing.T) {
	db, err := OpenMemory(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	stx, err := db.Begin(context.Background(), true)
	if err != nil {
		t.Fatal(err)
	}
	defer stx.Rollback()
	tx := stx.(*tx)
	big := make([]byte, 2*maxKeptArena)
	if err := tx.Create(&store.Record{Key: store.Key{Scope: store.Scope{Kind: "k"}, ID: "big"}, Doc: big}); err != nil {
		t.Fatal(err)
	}
	if tx.c.arenaCap > maxKeptArena {
		t.Errorf("after a %d-byte document the arena keeps %d bytes, want at most %d", len(big), tx.c.arenaCap, maxKeptArena)
	}
	rec, err := tx.Get(store.Key{Scope: store.Scope{Kind: "k"}, ID: "big"})
	if err != nil || len(rec.Doc) != len(big) {
		t.Errorf("Get(big) = %v, want the %d-byte document", err, len(big))
	}
}

func TestAValueTooLargeForSQLiteIsRefused(t *testing.T) {
	c := &conn{}
	err := c.bind(0, []val{text(string(make([]byte, 0))), blob(make([]byte, maxValueLen+1))})
	var e *Error
	if !errors.As(err, &e) || e.Code != 18 {
		t.Errorf("bind(a value of %d bytes) = %v, want SQLITE_TOOBIG", maxValueLen+1, err)
	}
}
