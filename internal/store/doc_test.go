package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/sagebox/sagebox/internal/store"
	"github.com/sagebox/sagebox/internal/store/sqlite"
)

type user struct {
	Name string `json:"name"`
	Age  int    `json:"age"`
}

var users = store.Scope{Account: "123456789012", Kind: "test.user"}

func TestDocumentHelpersRoundTrip(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.OpenMemory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	key := store.Key{Scope: users, ID: "AIDAEXAMPLE"}
	rec, err := store.NewRecord(key, user{Name: "alice", Age: 30}, store.Index{Name: "name", Value: "alice", Unique: true})
	if err != nil {
		t.Fatalf("NewRecord() = %v", err)
	}
	if string(rec.Doc) != `{"name":"alice","age":30}` || rec.Key != key || len(rec.Indexes) != 1 {
		t.Errorf("NewRecord() = %+v, want the key, the JSON document and the index", rec)
	}
	tx, err := db.Begin(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if err := tx.Create(rec); err != nil {
		t.Fatal(err)
	}

	u, got, err := store.GetDoc[user](tx, key)
	if err != nil || u != (user{Name: "alice", Age: 30}) || got.Version != 1 {
		t.Errorf("GetDoc() = %+v, %+v, %v, want alice, 30 at version 1", u, got, err)
	}
	p, got, err := store.LookupDoc[*user](tx, users, "name", "alice")
	if err != nil || p == nil || *p != (user{Name: "alice", Age: 30}) || got.ID != key.ID {
		t.Errorf("LookupDoc() = %+v, %+v, %v, want alice, 30", p, got, err)
	}

	if _, _, err := store.GetDoc[user](tx, store.Key{Scope: users, ID: "missing"}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetDoc(missing) = %v, want %v", err, store.ErrNotFound)
	}
	if _, _, err := store.LookupDoc[user](tx, users, "name", "bob"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("LookupDoc(bob) = %v, want %v", err, store.ErrNotFound)
	}

	// A document that does not fit the type is an error that names the record.
	bad := &store.Record{Key: store.Key{Scope: users, ID: "AIDABAD"}, Doc: []byte(`{"age":"old"}`)}
	if err := tx.Create(bad); err != nil {
		t.Fatal(err)
	}
	if _, rec, err := store.GetDoc[user](tx, bad.Key); err == nil || !strings.Contains(err.Error(), "AIDABAD") || rec == nil {
		t.Errorf("GetDoc(AIDABAD) = %v, %v, want a decode error naming the record, and the record", rec, err)
	}
}

func TestNewRecordRefusesWhatJSONCannotEncode(t *testing.T) {
	_, err := store.NewRecord(store.Key{Scope: users, ID: "x"}, map[string]any{"f": func() {}})
	if err == nil || !strings.Contains(err.Error(), `"x"`) {
		t.Errorf("NewRecord(a func) = %v, want an encode error naming the record", err)
	}
}
