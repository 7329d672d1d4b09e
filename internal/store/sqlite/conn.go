package sqlite

import (
	"encoding/binary"
	"fmt"
	"unsafe"

	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"
)

// stmtID names one of the statements a connection prepares, once, on first use.
type stmtID int

const (
	sBegin stmtID = iota
	sBeginImmediate
	sCommit
	sRollback
	sGet
	sHead
	sLookup
	sFind
	sListAfter
	sListFrom
	sListAfterBefore
	sListFromBefore
	sCount
	sUniqueHolder
	sInsertRecord
	sUpdateRecord
	sDeleteRecord
	sInsertIndex
	sDeleteIndex
	sResetIndexes
	sResetRecords
	numStmts
)

// Plain SQL, placeholders in argument order, so that a PostgreSQL backend can reuse the statements with $n.
var statements = [numStmts]string{
	sBegin:          `BEGIN`,
	sBeginImmediate: `BEGIN IMMEDIATE`,
	sCommit:         `COMMIT`,
	sRollback:       `ROLLBACK`,
	sGet: `SELECT doc, version, indexes FROM records
		WHERE account = ? AND region = ? AND kind = ? AND id = ?`,
	sHead: `SELECT version, indexes FROM records
		WHERE account = ? AND region = ? AND kind = ? AND id = ?`,
	sLookup: `SELECT r.id, r.doc, r.version, r.indexes FROM indexes i JOIN records r
		ON r.account = i.account AND r.region = i.region AND r.kind = i.kind AND r.id = i.id
		WHERE i.account = ? AND i.region = ? AND i.kind = ? AND i.name = ? AND i.value = ? AND i.uniq = 1`,
	sFind: `SELECT r.id, r.doc, r.version, r.indexes FROM indexes i JOIN records r
		ON r.account = i.account AND r.region = i.region AND r.kind = i.kind AND r.id = i.id
		WHERE i.account = ? AND i.region = ? AND i.kind = ? AND i.name = ? AND i.value = ?
		ORDER BY i.id`,
	sListAfter: `SELECT id, doc, version, indexes FROM records
		WHERE account = ? AND region = ? AND kind = ? AND id > ?
		ORDER BY id LIMIT ?`,
	sListFrom: `SELECT id, doc, version, indexes FROM records
		WHERE account = ? AND region = ? AND kind = ? AND id >= ?
		ORDER BY id LIMIT ?`,
	sListAfterBefore: `SELECT id, doc, version, indexes FROM records
		WHERE account = ? AND region = ? AND kind = ? AND id > ? AND id < ?
		ORDER BY id LIMIT ?`,
	sListFromBefore: `SELECT id, doc, version, indexes FROM records
		WHERE account = ? AND region = ? AND kind = ? AND id >= ? AND id < ?
		ORDER BY id LIMIT ?`,
	sCount: `SELECT count(*) FROM records WHERE account = ? AND region = ? AND kind = ?`,
	sUniqueHolder: `SELECT id FROM indexes
		WHERE account = ? AND region = ? AND kind = ? AND name = ? AND value = ? AND uniq = 1`,
	sInsertRecord: `INSERT INTO records (account, region, kind, id, doc, version, indexes)
		VALUES (?, ?, ?, ?, ?, ?, ?)`,
	sUpdateRecord: `UPDATE records SET doc = ?, version = ?, indexes = ?
		WHERE account = ? AND region = ? AND kind = ? AND id = ?`,
	sDeleteRecord: `DELETE FROM records WHERE account = ? AND region = ? AND kind = ? AND id = ?`,
	sInsertIndex: `INSERT INTO indexes (account, region, kind, name, value, id, uniq)
		VALUES (?, ?, ?, ?, ?, ?, ?)`,
	sDeleteIndex: `DELETE FROM indexes
		WHERE account = ? AND region = ? AND kind = ? AND name = ? AND value = ? AND id = ?`,
	sResetIndexes: `DELETE FROM indexes`,
	sResetRecords: `DELETE FROM records`,
}

// conn is one SQLite connection with its prepared statements. One transaction, on one goroutine, uses it at a
// time, so it is opened without SQLite's connection mutex.
//
// It calls SQLite (modernc.org/sqlite/lib, SQLite translated to Go) directly rather than through database/sql
// and the driver: a read transaction then costs about half as much and allocates only what it returns. The
// driver builds a rows object with column names and types per query, boxes every value in an interface, copies
// every bound string to fresh C memory, and starts a goroutine per statement when the context can be canceled.
// Here statements are prepared once per connection, bound values are copied into one reused C buffer, and
// columns are copied straight into the records. Contexts are honoured while waiting for a connection (Begin).
//
// The only pointers handed to SQLite are to C memory (libc's allocator), never to Go memory.
type conn struct {
	tls   *libc.TLS
	db    uintptr
	stmts [numStmts]uintptr
	// arena holds the values bound to the statement being run, bound SQLITE_STATIC: SQLite reads them only
	// while stepping, and every statement is bound afresh before it runs.
	arena    uintptr
	arenaCap int
	// out is C memory that receives the handles sqlite3_open_v2 and sqlite3_prepare_v3 return. (Go memory
	// would do in a plain build, but not under -race, whose pointer checks refuse Go pointers that SQLite
	// turned into integers and back.)
	out uintptr
}

// handle reads the pointer that SQLite stored in c.out.
func (c *conn) handle() uintptr {
	b := libc.GoBytes(c.out, int(unsafe.Sizeof(uintptr(0))))
	if len(b) == 8 {
		return uintptr(binary.NativeEndian.Uint64(b))
	}
	return uintptr(binary.NativeEndian.Uint32(b))
}

// Error is an error that SQLite returned.
type Error struct {
	// Code is SQLite's extended result code.
	Code int
	Msg  string
}

func (e *Error) Error() string { return fmt.Sprintf("sqlite: %s (%d)", e.Msg, e.Code) }

// openConn opens a connection to dsn (a file: URI) and runs pragmas on it.
func openConn(dsn string, pragmas []string) (*conn, error) {
	c := &conn{tls: libc.NewTLS()}
	name, err := libc.CString(dsn)
	if err != nil {
		c.tls.Close()
		return nil, err
	}
	defer libc.Xfree(c.tls, name)
	if c.out = libc.Xcalloc(c.tls, 1, libc.Tsize_t(unsafe.Sizeof(uintptr(0)))); c.out == 0 {
		c.tls.Close()
		return nil, &Error{Code: sqlite3.SQLITE_NOMEM, Msg: "out of memory"}
	}
	rc := sqlite3.Xsqlite3_open_v2(c.tls, name, c.out,
		sqlite3.SQLITE_OPEN_READWRITE|sqlite3.SQLITE_OPEN_CREATE|sqlite3.SQLITE_OPEN_URI|
			sqlite3.SQLITE_OPEN_NOMUTEX|sqlite3.SQLITE_OPEN_EXRESCODE, 0)
	// SQLite returns a handle even when it fails, for the error message.
	c.db = c.handle()
	if rc != sqlite3.SQLITE_OK {
		err := c.error(rc)
		c.close()
		return nil, err
	}
	if err := c.resize(initialArena); err != nil {
		c.close()
		return nil, err
	}
	for _, p := range pragmas {
		if err := c.execScript(p); err != nil {
			c.close()
			return nil, fmt.Errorf("%s: %w", p, err)
		}
	}
	return c, nil
}

func (c *conn) close() error {
	for i, st := range c.stmts {
		if st != 0 {
			sqlite3.Xsqlite3_finalize(c.tls, st)
			c.stmts[i] = 0
		}
	}
	var err error
	if rc := sqlite3.Xsqlite3_close_v2(c.tls, c.db); rc != sqlite3.SQLITE_OK {
		err = c.error(rc)
	}
	c.db = 0
	for _, p := range []*uintptr{&c.arena, &c.out} {
		if *p != 0 {
			libc.Xfree(c.tls, *p)
			*p = 0
		}
	}
	c.tls.Close()
	return err
}

// error builds the Error for result code rc from the connection's last message.
func (c *conn) error(rc int32) error {
	msg := ""
	if c.db != 0 {
		msg = libc.GoString(sqlite3.Xsqlite3_errmsg(c.tls, c.db))
	}
	if msg == "" {
		msg = libc.GoString(sqlite3.Xsqlite3_errstr(c.tls, rc))
	}
	return &Error{Code: int(rc), Msg: msg}
}

// execScript runs SQL text that may hold several statements and returns no rows worth reading: pragmas and
// migrations.
func (c *conn) execScript(sql string) error {
	z, err := libc.CString(sql)
	if err != nil {
		return err
	}
	defer libc.Xfree(c.tls, z)
	if rc := sqlite3.Xsqlite3_exec(c.tls, c.db, z, 0, 0, 0); rc != sqlite3.SQLITE_OK {
		return c.error(rc)
	}
	return nil
}

// prepareText prepares one statement of SQL text that is not worth keeping; the caller finalizes it.
func (c *conn) prepareText(sql string) (uintptr, error) {
	z, err := libc.CString(sql)
	if err != nil {
		return 0, err
	}
	defer libc.Xfree(c.tls, z)
	if rc := sqlite3.Xsqlite3_prepare_v3(c.tls, c.db, z, -1, 0, c.out, 0); rc != sqlite3.SQLITE_OK {
		return 0, c.error(rc)
	}
	return c.handle(), nil
}

func (c *conn) finalize(st uintptr) { sqlite3.Xsqlite3_finalize(c.tls, st) }

// queryValue runs one statement of SQL text, binding vals, and returns its first column of its first row as an
// int64 or a string (nil without a row).
func (c *conn) queryValue(sql string, vals ...val) (any, error) {
	st, err := c.prepareText(sql)
	if err != nil {
		return nil, err
	}
	defer c.finalize(st)
	if err := c.bind(st, vals); err != nil {
		return nil, err
	}
	var v any
	err = c.rows(st, func() error {
		if v == nil {
			switch c.columnType(st, 0) {
			case sqlite3.SQLITE_INTEGER:
				v = c.int64(st, 0)
			default:
				v = c.text(st, 0)
			}
		}
		return nil
	})
	return v, err
}

// stmt returns the prepared statement, preparing it on first use.
func (c *conn) stmt(id stmtID) (uintptr, error) {
	if st := c.stmts[id]; st != 0 {
		return st, nil
	}
	z, err := libc.CString(statements[id])
	if err != nil {
		return 0, err
	}
	defer libc.Xfree(c.tls, z)
	rc := sqlite3.Xsqlite3_prepare_v3(c.tls, c.db, z, -1, sqlite3.SQLITE_PREPARE_PERSISTENT, c.out, 0)
	if rc != sqlite3.SQLITE_OK {
		return 0, fmt.Errorf("prepare %q: %w", statements[id], c.error(rc))
	}
	c.stmts[id] = c.handle()
	return c.stmts[id], nil
}

// val is a value to bind: text, a blob or an integer. A struct rather than an interface, so that binding
// allocates nothing.
type val struct {
	kind byte
	s    string
	b    []byte
	i    int64
}

const (
	kindText byte = iota
	kindBlob
	kindInt
)

func text(s string) val   { return val{kind: kindText, s: s} }
func blob(b []byte) val   { return val{kind: kindBlob, b: b} }
func integer(i int64) val { return val{kind: kindInt, i: i} }

// The arena starts small, grows to hold the values of a statement, and shrinks back after a statement that
// needed more than maxKeptArena (a large document), so that the memory is not held for the connection's life.
const (
	initialArena = 1024
	maxKeptArena = 1 << 20
)

// bind binds vals to the statement's parameters, in order.
func (c *conn) bind(st uintptr, vals []val) error {
	need := 0
	for _, v := range vals {
		n := len(v.s) + len(v.b)
		if n > maxValueLen {
			// SQLite takes lengths as 32-bit integers; refuse what it would refuse anyway.
			return &Error{Code: sqlite3.SQLITE_TOOBIG, Msg: fmt.Sprintf("a value of %d bytes is too big", n)}
		}
		need += n
	}
	if need > c.arenaCap {
		if err := c.resize(need); err != nil {
			return err
		}
	}
	off := 0
	for i, v := range vals {
		p := c.arena + uintptr(off)
		var rc int32
		switch v.kind {
		case kindText:
			copy(libc.GoBytes(p, len(v.s)), v.s)
			rc = sqlite3.Xsqlite3_bind_text(c.tls, st, int32(i+1), p, int32(len(v.s)), sqlite3.SQLITE_STATIC)
			off += len(v.s)
		case kindBlob:
			// A non-NULL pointer even for an empty blob, which SQLite stores as a zero-length blob, not NULL.
			copy(libc.GoBytes(p, len(v.b)), v.b)
			rc = sqlite3.Xsqlite3_bind_blob(c.tls, st, int32(i+1), p, int32(len(v.b)), sqlite3.SQLITE_STATIC)
			off += len(v.b)
		case kindInt:
			rc = sqlite3.Xsqlite3_bind_int64(c.tls, st, int32(i+1), v.i)
		}
		if rc != sqlite3.SQLITE_OK {
			return c.error(rc)
		}
	}
	return nil
}

// resize replaces the arena with one of n bytes. Statements that ran before may still point into the old one,
// so their bindings are cleared before it is freed.
func (c *conn) resize(n int) error {
	p := libc.Xmalloc(c.tls, libc.Tsize_t(n))
	if p == 0 {
		return &Error{Code: sqlite3.SQLITE_NOMEM, Msg: fmt.Sprintf("out of memory for %d bytes", n)}
	}
	for _, st := range c.stmts {
		if st != 0 {
			sqlite3.Xsqlite3_clear_bindings(c.tls, st)
		}
	}
	if c.arena != 0 {
		libc.Xfree(c.tls, c.arena)
	}
	c.arena, c.arenaCap = p, n
	return nil
}

// exec runs a prepared statement that returns no rows.
func (c *conn) exec(id stmtID, vals ...val) error {
	st, err := c.stmt(id)
	if err != nil {
		return err
	}
	if err := c.bind(st, vals); err != nil {
		return err
	}
	return c.rows(st, func() error { return nil })
}

// query runs a prepared statement and calls row for each row it returns; row reads the columns with c.text,
// c.blob and c.int64 and must not run other statements.
func (c *conn) query(id stmtID, row func(st uintptr) error, vals ...val) error {
	st, err := c.stmt(id)
	if err != nil {
		return err
	}
	if err := c.bind(st, vals); err != nil {
		return err
	}
	return c.rows(st, func() error { return row(st) })
}

// rows steps a bound statement to its end, calling row for every row, and resets it.
func (c *conn) rows(st uintptr, row func() error) error {
	defer func() {
		sqlite3.Xsqlite3_reset(c.tls, st)
		if c.arenaCap > maxKeptArena {
			// Out of memory here leaves the large arena in place, which works.
			_ = c.resize(initialArena)
		}
	}()
	for {
		switch rc := sqlite3.Xsqlite3_step(c.tls, st); rc {
		case sqlite3.SQLITE_ROW:
			if err := row(); err != nil {
				return err
			}
		case sqlite3.SQLITE_DONE:
			return nil
		default:
			return c.error(rc)
		}
	}
}

// text returns column i of the current row as a string.
func (c *conn) text(st uintptr, i int32) string {
	p := sqlite3.Xsqlite3_column_text(c.tls, st, i)
	n := int(sqlite3.Xsqlite3_column_bytes(c.tls, st, i))
	if p == 0 || n == 0 {
		return ""
	}
	return string(libc.GoBytes(p, n))
}

// blob returns a copy of column i of the current row; nil for NULL or an empty blob.
func (c *conn) blob(st uintptr, i int32) []byte {
	p := sqlite3.Xsqlite3_column_blob(c.tls, st, i)
	n := int(sqlite3.Xsqlite3_column_bytes(c.tls, st, i))
	if p == 0 || n == 0 {
		return nil
	}
	b := make([]byte, n)
	copy(b, libc.GoBytes(p, n))
	return b
}

// int64 returns column i of the current row as an integer.
func (c *conn) int64(st uintptr, i int32) int64 {
	return sqlite3.Xsqlite3_column_int64(c.tls, st, i)
}

// columnType returns the storage class of column i of the current row.
func (c *conn) columnType(st uintptr, i int32) int32 {
	return sqlite3.Xsqlite3_column_type(c.tls, st, i)
}
