// Package sqlite is the store backend on an embedded SQLite database (modernc.org/sqlite, SQLite translated to
// Go, no cgo): sagebox's default, in a file under the data directory, or in memory for --memory.
//
// A file database is in WAL mode with synchronous=FULL: Commit returns once the write-ahead log is synced, so an
// acknowledged write survives kill -9 and power loss. One connection writes, its transactions serialized with
// BEGIN IMMEDIATE; a pool of read-only connections serves read transactions, each a snapshot that never waits for
// the writer. Every connection prepares its statements once and keeps them. The file is locked for this process
// alone: a second sagebox on the same data directory is refused (see exclusiveVFS).
//
// OnCommit hooks run after the commit, in commit order, while the transaction still holds the writer connection:
// they may read (begin read transactions) but must not begin a write transaction, which would wait for itself.
//
// It knows nothing of what the stored documents mean, and it is not a general SQL layer: the schema is the
// store's own (records and their indexes, migrations/*.sql), brought up to date when a database is opened.
package sqlite

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	sqlite3 "modernc.org/sqlite/lib"

	"github.com/sagebox/sagebox/internal/store"
)

// DB is a SQLite store. Its methods are safe for concurrent use.
type DB struct {
	dsn           string
	writerPragmas []string
	readerPragmas []string
	// gate serializes writes against reads in an in-memory database, which has no write-ahead log; nil for a
	// file. See gate.
	gate *gate
	// anchor keeps an in-memory database alive: SQLite frees it when its last connection closes.
	anchor *conn
	// journal is the journal mode the writer must end up in: a file system without shared memory would leave
	// a file database in rollback mode, where readers wait for the writer.
	journal string

	// writer holds the writer connection while no write transaction uses it; nil in it means "open a new one"
	// (after the last one broke).
	writer chan *conn
	// readers holds the idle read connections; at most maxReaders are open.
	readers    chan *conn
	maxReaders int
	// done is closed by Close, waking everyone who waits for a connection.
	done chan struct{}

	mu          sync.Mutex
	closed      bool
	openReaders int
}

var _ store.Store = (*DB)(nil)

// busyTimeout is how long a connection waits for a lock that another process holds before it fails with
// SQLITE_BUSY: long enough to ride out a server that is restarting. Within one DB, the Go side serializes the
// writers and the readers never wait (WAL), so SQLite never waits for a lock of this process.
const busyTimeout = "PRAGMA busy_timeout = 1000"

// mmap lets readers use the operating system's page cache directly, shared by every connection, instead of
// copying pages into each connection's cache with a system call per page.
const mmap = "PRAGMA mmap_size = 1073741824"

// exclusiveVFS is the SQLite VFS that locks a database file for this process alone ("unix-excl"). Its write-ahead
// log index then lives in this process's memory instead of a shared-memory file locked with fcntl, which saves
// two system calls per read transaction (a fifth of a Get's cost). It also keeps a second sagebox from opening the
// same data directory: the in-memory views that each builds on commit would drift apart. Windows has no such VFS;
// its default locks files per process too.
func exclusiveVFS() string {
	if runtime.GOOS == "windows" {
		return ""
	}
	return "vfs=unix-excl"
}

// Open opens, creating it and its directory when missing, the database file at path, and brings its schema up to
// date.
func Open(ctx context.Context, path string) (*DB, error) {
	if path == "" || strings.IndexByte(path, 0) >= 0 {
		return nil, fmt.Errorf("sqlite: open %q: not a file name", path)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	// The data directory holds secret access keys: only its owner may look in.
	if err := os.MkdirAll(filepath.Dir(abs), 0o700); err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	// A file: URI, with the path escaped, so that no character of it ('?', '#', '%') is taken for URI syntax.
	p := filepath.ToSlash(abs)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // a Windows drive letter
	}
	dsn := (&url.URL{Scheme: "file", Path: p, RawQuery: exclusiveVFS()}).String()
	db := &DB{
		dsn:     dsn,
		journal: "wal",
		writerPragmas: []string{
			busyTimeout, mmap,
			"PRAGMA journal_mode = WAL",
			// FULL: a commit syncs the WAL before it returns, so it survives a power cut as well as a crash.
			"PRAGMA synchronous = FULL",
			// Checkpoints leave the WAL at its size; keep a burst of writes from leaving a large file behind.
			"PRAGMA journal_size_limit = 67108864",
		},
		readerPragmas: []string{
			busyTimeout, mmap,
			// The store refuses writes in read transactions itself; this makes SQLite refuse them too.
			"PRAGMA query_only = 1",
		},
	}
	if err := db.init(ctx); err != nil {
		var e *Error
		if errors.As(err, &e) && e.Code&0xff == sqlite3.SQLITE_BUSY {
			return nil, fmt.Errorf("sqlite: open %s: another process, such as a sagebox server on the same data directory, has the database: %w", path, err)
		}
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	return db, nil
}

// OpenMemory opens an empty database that lives in memory only, for --memory: nothing touches the disk, and
// everything is gone after Close.
//
// It is an in-memory ("memdb") SQLite database shared by a writer connection and a pool of readers, so read
// transactions run in parallel on every core. Such a database has no write-ahead log, so reads and writes cannot
// overlap: a read transaction waits for the write transaction in progress to finish, and a write transaction for
// the read transactions in progress (see gate). Transactions are short, so the waits are too; but a goroutine
// must not hold a read transaction open while it waits for a write transaction to commit.
func OpenMemory(ctx context.Context) (*DB, error) {
	var name [8]byte
	if _, err := rand.Read(name[:]); err != nil {
		return nil, fmt.Errorf("sqlite: open memory: %w", err)
	}
	// A memdb database whose name starts with '/' is shared by every connection that opens the name in this
	// process; the random name keeps two stores apart.
	db := &DB{
		dsn:     "file:/sagebox-" + hex.EncodeToString(name[:]) + "?vfs=memdb",
		journal: "memory",
		writerPragmas: []string{
			busyTimeout, mmap,
			// There is no disk to sync; the rollback journal stays in memory.
			"PRAGMA journal_mode = MEMORY",
			"PRAGMA synchronous = OFF",
		},
		readerPragmas: []string{busyTimeout, mmap, "PRAGMA query_only = 1"},
		gate:          newGate(),
	}
	anchor, err := openConn(db.dsn, nil)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open memory: %w", err)
	}
	db.anchor = anchor
	if err := db.init(ctx); err != nil {
		anchor.close()
		return nil, fmt.Errorf("sqlite: open memory: %w", err)
	}
	return db, nil
}

// init opens the writer, migrates the schema, and sets up the reader pool.
func (db *DB) init(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	ms, err := loadMigrations(migrationFiles)
	if err != nil {
		return err
	}
	w, err := openConn(db.dsn, db.writerPragmas)
	if err != nil {
		return err
	}
	if mode, err := w.queryValue("PRAGMA journal_mode"); err != nil || mode != db.journal {
		w.close()
		return fmt.Errorf("journal mode is %v (%v), want %s", mode, err, db.journal)
	}
	if err := migrate(w, ms); err != nil {
		w.close()
		return err
	}
	// Enough readers that every request in flight on a busy server gets one without waiting; they are opened
	// on demand, so an idle server has none.
	db.maxReaders = max(8, 2*runtime.GOMAXPROCS(0))
	db.readers = make(chan *conn, db.maxReaders)
	db.writer = make(chan *conn, 1)
	db.writer <- w
	db.done = make(chan struct{})
	return nil
}

var errClosed = errors.New("sqlite: store closed")

// Begin starts a transaction: on the writer connection, with BEGIN IMMEDIATE so that it holds the write lock from
// the start, or on a reader connection. It waits, until ctx is done, for the connection to be free.
func (db *DB) Begin(ctx context.Context, writable bool) (store.Tx, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c, err := db.acquire(ctx, writable)
	if err != nil {
		return nil, err
	}
	t := &tx{db: db, c: c, writable: writable}
	if db.gate != nil {
		if err := db.gate.lock(ctx, writable); err != nil {
			db.release(c, writable, false)
			return nil, err
		}
		t.gated = true
	}
	begin := sBegin
	if writable {
		begin = sBeginImmediate
	}
	if err := c.exec(begin); err != nil {
		t.ungate()
		db.release(c, writable, true)
		return nil, fmt.Errorf("sqlite: begin: %w", err)
	}
	return t, nil
}

// acquire takes the writer or a reader connection, opening one when needed.
func (db *DB) acquire(ctx context.Context, writable bool) (*conn, error) {
	if writable {
		select {
		case c := <-db.writer:
			select {
			case <-db.done:
				db.release(c, true, false)
				return nil, errClosed
			default:
			}
			if c != nil {
				return c, nil
			}
			c, err := db.openConn(true)
			if err != nil {
				db.writer <- nil
				return nil, err
			}
			return c, nil
		case <-db.done:
			return nil, errClosed
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	select {
	case c := <-db.readers:
		return c, nil
	default:
	}
	db.mu.Lock()
	if db.closed {
		db.mu.Unlock()
		return nil, errClosed
	}
	if db.openReaders < db.maxReaders {
		db.openReaders++
		db.mu.Unlock()
		c, err := db.openConn(false)
		if err != nil {
			db.mu.Lock()
			db.openReaders--
			db.mu.Unlock()
			return nil, err
		}
		return c, nil
	}
	db.mu.Unlock()
	select {
	case c := <-db.readers:
		return c, nil
	case <-db.done:
		return nil, errClosed
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (db *DB) openConn(writable bool) (*conn, error) {
	pragmas := db.readerPragmas
	if writable {
		pragmas = db.writerPragmas
	}
	c, err := openConn(db.dsn, pragmas)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open connection: %w", err)
	}
	return c, nil
}

// release gives a connection back; a broken one is closed, and replaced when next needed.
func (db *DB) release(c *conn, writable, broken bool) {
	db.mu.Lock()
	closed := db.closed
	if !writable && (closed || broken) {
		db.openReaders--
	}
	db.mu.Unlock()
	if c != nil && (closed || broken) {
		c.close()
		c = nil
	}
	if writable {
		db.writer <- c
		return
	}
	if c != nil {
		db.readers <- c
	}
}

// Reset deletes every record and index entry.
func (db *DB) Reset(ctx context.Context) error {
	stx, err := db.Begin(ctx, true)
	if err != nil {
		return err
	}
	t := stx.(*tx)
	defer t.Rollback()
	for _, s := range []stmtID{sResetIndexes, sResetRecords} {
		if err := t.c.exec(s); err != nil {
			return fmt.Errorf("sqlite: reset: %w", t.fail(err))
		}
	}
	return t.Commit()
}

// Close closes the idle connections at once and the others as their transactions end. A file database is
// checkpointed when its last connection closes; an in-memory one is gone.
func (db *DB) Close() error {
	db.mu.Lock()
	if db.closed {
		db.mu.Unlock()
		return nil
	}
	db.closed = true
	close(db.done)
	db.mu.Unlock()

	var errs []error
	for {
		select {
		case c := <-db.readers:
			db.mu.Lock()
			db.openReaders--
			db.mu.Unlock()
			errs = append(errs, c.close())
			continue
		default:
		}
		break
	}
	select {
	case c := <-db.writer:
		if c != nil {
			errs = append(errs, c.close())
		}
	default:
		// A write transaction is in progress; its connection is closed when it ends.
	}
	if db.anchor != nil {
		// SQLite frees the in-memory database when the last connection, maybe one still in a transaction,
		// closes.
		errs = append(errs, db.anchor.close())
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("sqlite: close: %w", err)
	}
	return nil
}
