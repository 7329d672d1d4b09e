package store

import (
	"encoding/json"
	"fmt"
)

// NewRecord returns a record with the key whose document is v as JSON, with the indexes.
func NewRecord(key Key, v any, indexes ...Index) (*Record, error) {
	doc, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("store: encode %s %q: %w", key.Kind, key.ID, err)
	}
	return &Record{Key: key, Doc: doc, Indexes: indexes}, nil
}

// Decode returns the record's JSON document decoded into a T.
func Decode[T any](rec *Record) (T, error) {
	var v T
	if err := json.Unmarshal(rec.Doc, &v); err != nil {
		return v, fmt.Errorf("store: decode %s %q: %w", rec.Kind, rec.ID, err)
	}
	return v, nil
}

// GetDoc reads the record with the key and decodes its document into a T. The record comes too, for its version
// and indexes; errors are Get's (ErrNotFound) or Decode's.
func GetDoc[T any](tx Tx, key Key) (T, *Record, error) {
	rec, err := tx.Get(key)
	if err != nil {
		var zero T
		return zero, nil, err
	}
	v, err := Decode[T](rec)
	return v, rec, err
}

// LookupDoc is GetDoc for the record that Lookup finds.
func LookupDoc[T any](tx Tx, scope Scope, index, value string) (T, *Record, error) {
	rec, err := tx.Lookup(scope, index, value)
	if err != nil {
		var zero T
		return zero, nil, err
	}
	v, err := Decode[T](rec)
	return v, rec, err
}
