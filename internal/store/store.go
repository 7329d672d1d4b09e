// Package store is sagebox's narrow transactional store: resources as JSON documents keyed by account, region,
// kind and id, with secondary keys, read and written in transactions.
//
// One API call is one transaction. Backends live in subpackages (sqlite; postgres later) and all pass the contract
// suite in storetest. The store knows nothing of what a document means; services marshal their own types.
package store

import (
	"context"
	"errors"
)

// Errors that backends return, wrapped with detail; match them with errors.Is.
var (
	// ErrNotFound: no record has the key, or no record has the unique index value.
	ErrNotFound = errors.New("store: not found")
	// ErrExists: Create found a record with the same key.
	ErrExists = errors.New("store: already exists")
	// ErrConflict: a unique index value is taken by another record, or a Put's expected version is stale.
	ErrConflict = errors.New("store: conflict")
	// ErrReadOnly: a write in a read-only transaction.
	ErrReadOnly = errors.New("store: read-only transaction")
)

// Scope is a set of records of one kind: one account's, in one region.
type Scope struct {
	// Account is the 12-digit account id; empty for records of sagebox itself (the accounts).
	Account string
	// Region is empty for global resources (IAM's).
	Region string
	// Kind names the resource type, such as "iam.user" or "ec2.vpc".
	Kind string
}

// Key identifies one record.
type Key struct {
	Scope
	ID string
}

// Index is a secondary key of a record, such as an IAM user's lower-cased name or a subnet's VPC id.
type Index struct {
	Name  string
	Value string
	// Unique: no two records of one Scope share (Name, Value).
	Unique bool
}

// Record is one stored resource.
type Record struct {
	Key
	// Doc is the resource as JSON.
	Doc []byte
	// Indexes replace the record's secondary keys on every write.
	Indexes []Index
	// Version is 1 after Create and grows by one on every Put. On Put, a non-zero Version must equal the stored
	// one (optimistic concurrency); zero means "whatever is stored".
	Version int64
}

// ListQuery selects records of one Scope, in ascending ID order.
type ListQuery struct {
	// Prefix keeps IDs that start with it.
	Prefix string
	// After keeps IDs greater than it: the last ID of the previous page.
	After string
	// Limit is the most records returned; zero means no limit.
	Limit int
}

// Store opens transactions.
type Store interface {
	// Begin starts a transaction. Writable transactions are serialized with each other; a read-only transaction
	// sees a consistent snapshot and never waits for writers.
	Begin(ctx context.Context, writable bool) (Tx, error)
	// Reset deletes every record: a fresh start.
	Reset(ctx context.Context) error
	// Close releases the store.
	Close() error
}

// Tx is one transaction. It is used by one goroutine. After Commit or Rollback it may not be used again, except
// that Rollback after Commit is a no-op, so `defer tx.Rollback()` is always safe.
type Tx interface {
	// Get returns the record with the key, or ErrNotFound.
	Get(key Key) (*Record, error)
	// Lookup returns the record of scope whose unique index name has value, or ErrNotFound.
	Lookup(scope Scope, index, value string) (*Record, error)
	// Find returns the records of scope whose index name has value, in ascending ID order.
	Find(scope Scope, index, value string) ([]*Record, error)
	// List returns the records of scope that q selects.
	List(scope Scope, q ListQuery) ([]*Record, error)
	// Count returns how many records scope holds.
	Count(scope Scope) (int, error)
	// Create stores a new record: ErrExists when the key is taken, ErrConflict when a unique index is.
	// It sets rec.Version to 1.
	Create(rec *Record) error
	// Put stores rec, creating or replacing it: ErrConflict when a unique index value belongs to another record
	// or rec.Version is stale. It sets rec.Version to the new version.
	Put(rec *Record) error
	// Delete removes the record with the key, or returns ErrNotFound.
	Delete(key Key) error
	// OnCommit registers fn to run after a successful Commit, in registration order, before Commit returns.
	OnCommit(fn func())
	// Commit makes the writes durable: when it returns nil they survive a crash of the process.
	Commit() error
	// Rollback discards the writes.
	Rollback() error
}
