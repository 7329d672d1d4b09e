package sqlite

import (
	"errors"
	"fmt"

	sqlite3 "modernc.org/sqlite/lib"

	"github.com/sagebox/sagebox/internal/store"
)

// tx is a transaction on one connection.
type tx struct {
	db       *DB
	c        *conn
	writable bool
	// gated: the transaction holds the in-memory database's gate.
	gated bool
	done  bool
	// err is the first error SQLite returned. SQLite may have rolled the transaction back by itself (on I/O
	// errors, for one), and a write may have been half done, so the transaction only reports err from then on
	// and Commit rolls back.
	err   error
	hooks []func()
}

var errDone = errors.New("sqlite: transaction already committed or rolled back")

// fail records err as the transaction's failure and returns it.
func (t *tx) fail(err error) error {
	if t.err == nil {
		t.err = err
	}
	return err
}

// usable reports why the transaction cannot be used, if it cannot.
func (t *tx) usable() error {
	if t.done {
		return errDone
	}
	if t.err != nil {
		return fmt.Errorf("sqlite: transaction failed: %w", t.err)
	}
	return nil
}

func (t *tx) writeOK(op string, key store.Key) error {
	if err := t.usable(); err != nil {
		return err
	}
	if !t.writable {
		return fmt.Errorf("%w: %s %s", store.ErrReadOnly, op, describe(key))
	}
	return nil
}

func (t *tx) ungate() {
	if t.gated {
		t.gated = false
		t.db.gate.unlock(t.writable)
	}
}

func notFound(key store.Key) error {
	return fmt.Errorf("%w: %s", store.ErrNotFound, describe(key))
}

// record reads a record's doc, version and indexes from columns col, col+1 and col+2 of the current row into
// rec.
func (c *conn) record(st uintptr, key store.Key, col int32, rec *store.Record) error {
	if ct := c.columnType(st, col+1); ct != sqlite3.SQLITE_INTEGER {
		return fmt.Errorf("sqlite: %s: version of storage class %d", describe(key), ct)
	}
	idx, err := decodeIndexes(c.text(st, col+2))
	if err != nil {
		return fmt.Errorf("%s: %w", describe(key), err)
	}
	*rec = store.Record{Key: key, Doc: c.blob(st, col), Version: c.int64(st, col+1), Indexes: idx}
	return nil
}

// recordRow reads a record of scope from the id, doc, version and indexes columns of the current row into rec.
func (c *conn) recordRow(st uintptr, scope store.Scope, rec *store.Record) error {
	return c.record(st, store.Key{Scope: scope, ID: c.text(st, 0)}, 1, rec)
}

func (t *tx) Get(key store.Key) (*store.Record, error) {
	if err := t.usable(); err != nil {
		return nil, err
	}
	if !validKey(key) {
		return nil, notFound(key)
	}
	var rec *store.Record
	err := t.c.query(sGet, func(st uintptr) (err error) {
		rec = new(store.Record)
		return t.c.record(st, key, 0, rec)
	}, text(key.Account), text(key.Region), text(key.Kind), text(key.ID))
	if err != nil {
		return nil, t.fail(err)
	}
	if rec == nil {
		return nil, notFound(key)
	}
	return rec, nil
}

func (t *tx) Lookup(scope store.Scope, index, value string) (*store.Record, error) {
	if err := t.usable(); err != nil {
		return nil, err
	}
	if validScope(scope) && validString(index) && validString(value) {
		var rec *store.Record
		err := t.c.query(sLookup, func(st uintptr) (err error) {
			rec = new(store.Record)
			return t.c.recordRow(st, scope, rec)
		}, text(scope.Account), text(scope.Region), text(scope.Kind), text(index), text(value))
		if err != nil {
			return nil, t.fail(err)
		}
		if rec != nil {
			return rec, nil
		}
	}
	return nil, fmt.Errorf("%w: %s with %s %q%s", store.ErrNotFound, scope.Kind, index, value, where(scope))
}

func (t *tx) Find(scope store.Scope, index, value string) ([]*store.Record, error) {
	if err := t.usable(); err != nil {
		return nil, err
	}
	if !validScope(scope) || !validString(index) || !validString(value) {
		return nil, nil
	}
	recs, err := t.records(sFind, scope, text(scope.Account), text(scope.Region), text(scope.Kind), text(index), text(value))
	if err != nil {
		return nil, t.fail(err)
	}
	return recs, nil
}

// records runs a statement that returns id, doc, version and indexes columns and returns the records of scope.
func (t *tx) records(id stmtID, scope store.Scope, vals ...val) ([]*store.Record, error) {
	var recs []*store.Record
	// Records are allocated a batch at a time: a page of a hundred costs a few allocations, not a hundred.
	var batch []store.Record
	err := t.c.query(id, func(st uintptr) error {
		if len(batch) == 0 {
			batch = make([]store.Record, min(max(len(recs), 4), 64))
		}
		rec := &batch[0]
		batch = batch[1:]
		if err := t.c.recordRow(st, scope, rec); err != nil {
			return err
		}
		recs = append(recs, rec)
		return nil
	}, vals...)
	return recs, err
}

func (t *tx) List(scope store.Scope, q store.ListQuery) ([]*store.Record, error) {
	if err := t.usable(); err != nil {
		return nil, err
	}
	if !validScope(scope) {
		return nil, nil
	}
	limit := int64(-1) // SQLite: no limit
	if q.Limit > 0 {
		limit = int64(q.Limit)
	}
	// IDs after q.After and from q.Prefix on, whichever bound is tighter, and before the first string past the
	// prefix.
	lower, inclusive := q.After, false
	if q.Prefix > q.After {
		lower, inclusive = q.Prefix, true
	}
	upper, bounded := prefixEnd(q.Prefix)
	if bounded && lower >= upper {
		return nil, nil
	}
	a, r, k := text(scope.Account), text(scope.Region), text(scope.Kind)
	var recs []*store.Record
	var err error
	switch {
	case bounded && inclusive:
		recs, err = t.records(sListFromBefore, scope, a, r, k, text(lower), text(upper), integer(limit))
	case bounded:
		recs, err = t.records(sListAfterBefore, scope, a, r, k, text(lower), text(upper), integer(limit))
	case inclusive:
		recs, err = t.records(sListFrom, scope, a, r, k, text(lower), integer(limit))
	default:
		recs, err = t.records(sListAfter, scope, a, r, k, text(lower), integer(limit))
	}
	if err != nil {
		return nil, t.fail(err)
	}
	return recs, nil
}

func (t *tx) Count(scope store.Scope) (int, error) {
	if err := t.usable(); err != nil {
		return 0, err
	}
	if !validScope(scope) {
		return 0, nil
	}
	var n int64
	err := t.c.query(sCount, func(st uintptr) error {
		n = t.c.int64(st, 0)
		return nil
	}, text(scope.Account), text(scope.Region), text(scope.Kind))
	if err != nil {
		return 0, t.fail(err)
	}
	return int(n), nil
}

// head returns the stored version and index list of the record with the key; found is false without one.
func (t *tx) head(key store.Key) (version int64, idx []store.Index, found bool, err error) {
	err = t.c.query(sHead, func(st uintptr) error {
		if ct := t.c.columnType(st, 0); ct != sqlite3.SQLITE_INTEGER {
			return fmt.Errorf("sqlite: %s: version of storage class %d", describe(key), ct)
		}
		version, found = t.c.int64(st, 0), true
		idx, err = decodeIndexes(t.c.text(st, 1))
		return err
	}, text(key.Account), text(key.Region), text(key.Kind), text(key.ID))
	return version, idx, found, err
}

// checkWrite validates a record about to be written and returns its normalized indexes.
func checkWrite(rec *store.Record) ([]store.Index, error) {
	if rec == nil {
		return nil, fmt.Errorf("%w: nil record", errInvalid)
	}
	if err := checkKey(rec.Key); err != nil {
		return nil, err
	}
	if len(rec.Doc) > maxValueLen {
		return nil, fmt.Errorf("%w: %s: the document has %d bytes, more than the %d a record may have",
			errInvalid, describe(rec.Key), len(rec.Doc), maxValueLen)
	}
	return normalize(rec)
}

// checkUnique returns ErrConflict when a unique index value in added belongs to another record.
func (t *tx) checkUnique(key store.Key, added []store.Index) error {
	for _, ix := range added {
		if !ix.Unique {
			continue
		}
		var holder string
		err := t.c.query(sUniqueHolder, func(st uintptr) error {
			holder = t.c.text(st, 0)
			return nil
		}, text(key.Account), text(key.Region), text(key.Kind), text(ix.Name), text(ix.Value))
		if err != nil {
			return t.fail(err)
		}
		if holder != "" && holder != key.ID {
			return fmt.Errorf("%w: %s: unique index %s %q is taken by %q", store.ErrConflict, describe(key),
				ix.Name, ix.Value, holder)
		}
	}
	return nil
}

// writeIndexes removes the index entries in gone and adds those in added. It runs after every check passed, so
// any error is SQLite's, and fails the transaction.
func (t *tx) writeIndexes(key store.Key, gone, added []store.Index) error {
	for _, ix := range gone {
		if err := t.c.exec(sDeleteIndex, text(key.Account), text(key.Region), text(key.Kind), text(ix.Name),
			text(ix.Value), text(key.ID)); err != nil {
			return t.fail(fmt.Errorf("sqlite: %s: delete index %s: %w", describe(key), ix.Name, err))
		}
	}
	for _, ix := range added {
		uniq := int64(0)
		if ix.Unique {
			uniq = 1
		}
		if err := t.c.exec(sInsertIndex, text(key.Account), text(key.Region), text(key.Kind), text(ix.Name),
			text(ix.Value), text(key.ID), integer(uniq)); err != nil {
			return t.fail(fmt.Errorf("sqlite: %s: insert index %s: %w", describe(key), ix.Name, err))
		}
	}
	return nil
}

func (t *tx) Create(rec *store.Record) error {
	var key store.Key
	if rec != nil {
		key = rec.Key
	}
	if err := t.writeOK("Create", key); err != nil {
		return err
	}
	idx, err := checkWrite(rec)
	if err != nil {
		return err
	}
	_, _, found, err := t.head(key)
	if err != nil {
		return t.fail(err)
	}
	if found {
		return fmt.Errorf("%w: %s", store.ErrExists, describe(key))
	}
	if err := t.checkUnique(key, idx); err != nil {
		return err
	}
	if err := t.c.exec(sInsertRecord, text(key.Account), text(key.Region), text(key.Kind), text(key.ID),
		blob(rec.Doc), integer(1), blob(encodeIndexes(idx))); err != nil {
		return t.fail(fmt.Errorf("sqlite: create %s: %w", describe(key), err))
	}
	if err := t.writeIndexes(key, nil, idx); err != nil {
		return err
	}
	rec.Version = 1
	return nil
}

func (t *tx) Put(rec *store.Record) error {
	var key store.Key
	if rec != nil {
		key = rec.Key
	}
	if err := t.writeOK("Put", key); err != nil {
		return err
	}
	idx, err := checkWrite(rec)
	if err != nil {
		return err
	}
	version, old, found, err := t.head(key)
	if err != nil {
		return t.fail(err)
	}
	switch {
	case rec.Version != 0 && !found:
		return fmt.Errorf("%w: %s: expected version %d, but there is no such record", store.ErrConflict,
			describe(key), rec.Version)
	case rec.Version != 0 && rec.Version != version:
		return fmt.Errorf("%w: %s: expected version %d, but it is at version %d", store.ErrConflict,
			describe(key), rec.Version, version)
	}
	gone, added := diffIndexes(old, idx)
	if err := t.checkUnique(key, added); err != nil {
		return err
	}
	if found {
		err = t.c.exec(sUpdateRecord, blob(rec.Doc), integer(version+1), blob(encodeIndexes(idx)),
			text(key.Account), text(key.Region), text(key.Kind), text(key.ID))
	} else {
		err = t.c.exec(sInsertRecord, text(key.Account), text(key.Region), text(key.Kind), text(key.ID),
			blob(rec.Doc), integer(1), blob(encodeIndexes(idx)))
	}
	if err != nil {
		return t.fail(fmt.Errorf("sqlite: put %s: %w", describe(key), err))
	}
	if err := t.writeIndexes(key, gone, added); err != nil {
		return err
	}
	rec.Version = version + 1
	return nil
}

func (t *tx) Delete(key store.Key) error {
	if err := t.writeOK("Delete", key); err != nil {
		return err
	}
	if !validKey(key) {
		return notFound(key)
	}
	_, old, found, err := t.head(key)
	if err != nil {
		return t.fail(err)
	}
	if !found {
		return notFound(key)
	}
	if err := t.c.exec(sDeleteRecord, text(key.Account), text(key.Region), text(key.Kind), text(key.ID)); err != nil {
		return t.fail(fmt.Errorf("sqlite: delete %s: %w", describe(key), err))
	}
	return t.writeIndexes(key, old, nil)
}

func (t *tx) OnCommit(fn func()) {
	if fn != nil {
		t.hooks = append(t.hooks, fn)
	}
}

func (t *tx) Commit() error {
	if t.done {
		return errDone
	}
	if t.err != nil {
		err := t.err
		t.Rollback()
		return fmt.Errorf("sqlite: transaction failed, rolled back: %w", err)
	}
	t.done = true
	if err := t.c.exec(sCommit); err != nil {
		// The connection may still be in the transaction: roll it back, or give up on the connection.
		rerr := t.c.exec(sRollback)
		t.end(rerr != nil)
		return fmt.Errorf("sqlite: commit: %w", err)
	}
	// The hooks run in commit order, so they still hold the writer connection (another write cannot commit
	// before they are done) but not the gate (they may read).
	t.ungate()
	defer t.end(false)
	for _, fn := range t.hooks {
		fn()
	}
	return nil
}

func (t *tx) Rollback() error {
	if t.done {
		return nil
	}
	t.done = true
	err := t.c.exec(sRollback)
	// After an error SQLite may have rolled back already; then ROLLBACK fails, and the connection is fine, but
	// there is no telling that apart from a connection stuck in its transaction.
	t.end(err != nil)
	if err != nil && t.err == nil {
		return fmt.Errorf("sqlite: rollback: %w", err)
	}
	return nil
}

// end gives the connection back.
func (t *tx) end(broken bool) {
	t.ungate()
	t.db.release(t.c, t.writable, broken)
	t.c = nil
}
