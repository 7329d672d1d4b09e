package sqlite_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sagebox/sagebox/internal/store"
	"github.com/sagebox/sagebox/internal/store/sqlite"
	"github.com/sagebox/sagebox/internal/store/storetest"
)

func openFile(t *testing.T) store.Store {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "data", "sagebox.db"))
	if err != nil {
		t.Fatalf("Open() = %v", err)
	}
	return db
}

func openMemory(t *testing.T) store.Store {
	t.Helper()
	db, err := sqlite.OpenMemory(context.Background())
	if err != nil {
		t.Fatalf("OpenMemory() = %v", err)
	}
	return db
}

func TestFile(t *testing.T) { storetest.Run(t, openFile) }

func TestMemory(t *testing.T) { storetest.Run(t, openMemory, storetest.ReadsWaitForWrites) }

var scope = store.Scope{Account: "123456789012", Kind: "test.item"}

func key(id string) store.Key { return store.Key{Scope: scope, ID: id} }

func TestAFileKeepsItsRecordsAcrossReopening(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "sagebox.db")
	for round := range 3 {
		db, err := sqlite.Open(ctx, path)
		if err != nil {
			t.Fatalf("Open() round %d = %v", round, err)
		}
		tx, err := db.Begin(ctx, true)
		if err != nil {
			t.Fatalf("Begin() = %v", err)
		}
		for r := range round {
			rec, err := tx.Get(key(strconv.Itoa(r)))
			if err != nil {
				t.Fatalf("round %d: Get(%d) = %v, want the record written in round %d", round, r, err, r)
			}
			if got, want := rec.Indexes, []store.Index{{Name: "n", Value: strconv.Itoa(r), Unique: true}}; len(got) != 1 || got[0] != want[0] {
				t.Errorf("round %d: Get(%d).Indexes = %+v, want %+v", round, r, got, want)
			}
		}
		rec := &store.Record{Key: key(strconv.Itoa(round)), Doc: []byte(`{}`),
			Indexes: []store.Index{{Name: "n", Value: strconv.Itoa(round), Unique: true}}}
		if err := tx.Create(rec); err != nil {
			t.Fatalf("Create() = %v", err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatalf("Commit() = %v", err)
		}
		if err := db.Close(); err != nil {
			t.Fatalf("Close() = %v", err)
		}
	}
}

func TestOpenCreatesTheDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b?c#d%20e")
	db, err := sqlite.Open(context.Background(), filepath.Join(dir, "sagebox.db"))
	if err != nil {
		t.Fatalf("Open() = %v", err)
	}
	defer db.Close()
	if _, err := os.Stat(filepath.Join(dir, "sagebox.db")); err != nil {
		t.Errorf("Open() made no database file where asked: %v", err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		t.Errorf("Open() made the directory with permissions %v, want none for group and others", perm)
	}
}

func TestOpenRefusesAPathItCannotUse(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, []byte("not a directory"), 0o600); err != nil {
		t.Fatal(err)
	}
	notDB := filepath.Join(t.TempDir(), "garbage.db")
	if err := os.WriteFile(notDB, []byte(strings.Repeat("garbage!", 1000)), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, path := range map[string]string{
		"Empty":             "",
		"UnderAFile":        filepath.Join(file, "sagebox.db"),
		"NotADatabase":      notDB,
		"ADirectory":        t.TempDir(),
		"NULInThePath":      filepath.Join(t.TempDir(), "a\x00b"),
		"InvalidUTF8InPath": filepath.Join(t.TempDir(), "\xff", "sagebox.db"),
	} {
		t.Run(name, func(t *testing.T) {
			db, err := sqlite.Open(context.Background(), path)
			if name == "InvalidUTF8InPath" {
				// Linux file names are bytes: this one is fine.
				if err != nil {
					t.Errorf("Open(%q) = %v, want nil", path, err)
				} else {
					db.Close()
				}
				return
			}
			if err == nil {
				db.Close()
				t.Errorf("Open(%q) = nil error, want one", path)
			}
		})
	}
}

// TestMemoryReadsWaitForTheWriteInProgress shows the in-memory database's documented difference: a read
// transaction begun while a write transaction runs waits for its commit, then sees it.
func TestMemoryReadsWaitForTheWriteInProgress(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.OpenMemory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	wtx, err := db.Begin(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	if err := wtx.Create(&store.Record{Key: key("a"), Doc: []byte(`{}`)}); err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if _, err := db.Begin(short, false); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Begin(read-only) during a write = %v, want %v", err, context.DeadlineExceeded)
	}
	got := make(chan error, 1)
	go func() {
		rtx, err := db.Begin(ctx, false)
		if err != nil {
			got <- err
			return
		}
		defer rtx.Rollback()
		_, err = rtx.Get(key("a"))
		got <- err
	}()
	time.Sleep(10 * time.Millisecond)
	if err := wtx.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := <-got; err != nil {
		t.Errorf("Get(a) in a read transaction begun during the write = %v, want the committed record", err)
	}
}

func TestTwoMemoryStoresAreSeparate(t *testing.T) {
	ctx := context.Background()
	a, b := openMemory(t), openMemory(t)
	defer a.Close()
	defer b.Close()
	tx, _ := a.Begin(ctx, true)
	if err := tx.Create(&store.Record{Key: key("x"), Doc: []byte(`{}`)}); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	tx, _ = b.Begin(ctx, false)
	defer tx.Rollback()
	if _, err := tx.Get(key("x")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Get(x) in another memory store = %v, want %v", err, store.ErrNotFound)
	}
}

func TestAClosedStoreRefusesTransactions(t *testing.T) {
	for name, open := range map[string]func(*testing.T) store.Store{"File": openFile, "Memory": openMemory} {
		t.Run(name, func(t *testing.T) {
			st := open(t)
			// A transaction in progress during Close still ends cleanly.
			tx, err := st.Begin(context.Background(), true)
			if err != nil {
				t.Fatal(err)
			}
			if err := st.Close(); err != nil {
				t.Errorf("Close() = %v, want nil", err)
			}
			if err := tx.Rollback(); err != nil {
				t.Errorf("Rollback() after Close = %v, want nil", err)
			}
			for _, writable := range []bool{true, false} {
				if _, err := st.Begin(context.Background(), writable); err == nil {
					t.Errorf("Begin(writable=%v) after Close = nil error, want one", writable)
				}
			}
			if err := st.Close(); err != nil {
				t.Errorf("a second Close() = %v, want nil", err)
			}
		})
	}
}

// The durability test runs the test binary again as a child that writes and reports every acknowledged commit,
// kills it with SIGKILL in mid-stream, and checks that the database has every acknowledged write.
const durabilityChild = "SAGEBOX_STORE_DURABILITY_CHILD"

func TestAcknowledgedWritesSurviveKill9(t *testing.T) {
	if path := os.Getenv(durabilityChild); path != "" {
		durabilityWriter(path)
		return
	}
	if testing.Short() {
		t.Skip("starts child processes")
	}
	// Kill the child after different numbers of acknowledged commits, while it is committing more.
	for _, killAfter := range []int{1, 60, 250} {
		t.Run(fmt.Sprintf("KilledAfter%d", killAfter), func(t *testing.T) {
			t.Parallel()
			killDuringWrites(t, killAfter)
		})
	}
}

func killDuringWrites(t *testing.T, killAfter int) {
	path := filepath.Join(t.TempDir(), "sagebox.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestAcknowledgedWritesSurviveKill9$", "-test.count=1")
	cmd.Env = append(os.Environ(), durabilityChild+"="+path)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	killed := false
	defer func() {
		if !killed {
			cmd.Process.Kill()
			cmd.Wait()
		}
	}()
	acked := map[int]bool{}
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		n, ok := strings.CutPrefix(sc.Text(), "ack ")
		if !ok {
			continue
		}
		i, err := strconv.Atoi(n)
		if err != nil {
			t.Fatalf("the child said %q", sc.Text())
		}
		acked[i] = true
		if len(acked) == killAfter && !killed {
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			killed = true
		}
	}
	werr := cmd.Wait()
	if !killed {
		t.Fatalf("the child stopped after %d acknowledged writes (%v), before it could be killed", len(acked), werr)
	}
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("the child ended with %v, want killed by SIGKILL", werr)
	}

	db, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatalf("Open() after the kill = %v", err)
	}
	defer db.Close()
	if report, err := sqlite.IntegrityCheck(db); err != nil || report != "ok" {
		t.Errorf("the integrity check after the kill = %q, %v, want ok", report, err)
	}
	tx, err := db.Begin(context.Background(), false)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	for i := range acked {
		rec, err := tx.Get(key(strconv.Itoa(i)))
		if err != nil {
			t.Errorf("Get(%d) after kill -9 = %v, want the acknowledged record", i, err)
			continue
		}
		if want := durableDoc(i); string(rec.Doc) != want {
			t.Errorf("Get(%d).Doc = %.40s…, want %.40s…", i, rec.Doc, want)
		}
		if _, err := tx.Lookup(scope, "n", strconv.Itoa(i)); err != nil {
			t.Errorf("Lookup(n=%d) after kill -9 = %v, want the acknowledged record", i, err)
		}
	}
	// Each commit also updated a counter: a transaction is there whole or not at all.
	n, err := tx.Count(scope)
	if err != nil {
		t.Fatal(err)
	}
	counter, err := tx.Get(store.Key{Scope: store.Scope{Kind: "test.counter"}, ID: "c"})
	if err != nil {
		t.Fatalf("Get(counter) = %v", err)
	}
	if string(counter.Doc) != strconv.Itoa(n) {
		t.Errorf("the counter is %s but %d records are stored: a transaction was torn", counter.Doc, n)
	}
	if n < len(acked) {
		t.Errorf("%d records survived, fewer than the %d acknowledged", n, len(acked))
	}
	t.Logf("%d writes acknowledged before SIGKILL, %d found after", len(acked), n)
}

// durableDoc is the document of the i-th record the child writes: several pages, so that a commit is many
// writes that a kill can interrupt.
func durableDoc(i int) string {
	return fmt.Sprintf(`{"n":%d,"pad":"%s"}`, i, strings.Repeat(strconv.Itoa(i%10), 10000))
}

// durabilityWriter is the child: it commits records until it is killed, printing each acknowledged id.
func durabilityWriter(path string) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	counterKey := store.Key{Scope: store.Scope{Kind: "test.counter"}, ID: "c"}
	for i := 0; i < 100_000; i++ {
		tx, err := db.Begin(ctx, true)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		rec := &store.Record{Key: key(strconv.Itoa(i)), Doc: []byte(durableDoc(i)),
			Indexes: []store.Index{{Name: "n", Value: strconv.Itoa(i), Unique: true}}}
		err = tx.Create(rec)
		if err == nil {
			err = tx.Put(&store.Record{Key: counterKey, Doc: []byte(strconv.Itoa(i + 1))})
		}
		if err == nil {
			err = tx.Commit()
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		// os.Stdout is unbuffered: the parent has the line before the next commit starts.
		fmt.Printf("ack %d\n", i)
	}
	os.Exit(3)
}

// TestConnectionSettings checks the settings that durability and concurrency rest on.
func TestConnectionSettings(t *testing.T) {
	ctx := context.Background()
	file, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "sagebox.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	mem, err := sqlite.OpenMemory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer mem.Close()
	cases := []struct {
		name   string
		db     *sqlite.DB
		writer bool
		pragma string
		want   any
	}{
		{"FileWriterUsesTheWriteAheadLog", file, true, "journal_mode", "wal"},
		{"FileWriterSyncsEveryCommit", file, true, "synchronous", int64(2)},
		{"FileWriterWaitsForARestartingServer", file, true, "busy_timeout", int64(1000)},
		{"FileReaderIsReadOnly", file, false, "query_only", int64(1)},
		{"FileReaderUsesTheWriteAheadLog", file, false, "journal_mode", "wal"},
		{"MemoryWriterJournalsInMemory", mem, true, "journal_mode", "memory"},
		{"MemoryReaderIsReadOnly", mem, false, "query_only", int64(1)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := sqlite.Pragma(c.db, c.pragma, c.writer)
			if err != nil || got != c.want {
				t.Errorf("PRAGMA %s = %v, %v, want %v", c.pragma, got, err, c.want)
			}
		})
	}
}

func TestMigrationsRunOnce(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "sagebox.db")
	for range 2 {
		db, err := sqlite.Open(ctx, path)
		if err != nil {
			t.Fatalf("Open() = %v", err)
		}
		n, err := sqlite.SchemaVersions(db)
		if err != nil || n != "1:init" {
			t.Errorf("schema_version = %q, %v, want one row for 001_init", n, err)
		}
		db.Close()
	}
}

func TestOpenRefusesADatabaseFromANewerSagebox(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "sagebox.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := sqlite.Exec(db, `INSERT INTO schema_version (version, name) VALUES (999, 'future')`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if db, err := sqlite.Open(ctx, path); err == nil || !strings.Contains(err.Error(), "999") {
		if err == nil {
			db.Close()
		}
		t.Errorf("Open() of a database at schema version 999 = %v, want an error naming the version", err)
	}
}

// TestQueriesUseIndexes checks SQLite's plan for every statement that looks records up: each searches an index,
// none scans a table or sorts.
func TestQueriesUseIndexes(t *testing.T) {
	db, err := sqlite.OpenMemory(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	plans, err := sqlite.QueryPlans(db)
	if err != nil {
		t.Fatal(err)
	}
	if len(plans) < 10 {
		t.Fatalf("QueryPlans() returned %d plans, want one for every reading statement", len(plans))
	}
	for sql, plan := range plans {
		if strings.Contains(plan, "SCAN") || strings.Contains(plan, "TEMP B-TREE") || !strings.Contains(plan, "SEARCH") {
			t.Errorf("the plan for\n%s\nis %q, want index searches only", sql, plan)
		}
	}
}

const holdChild = "SAGEBOX_STORE_HOLD_CHILD"

// TestASecondProcessCannotOpenTheDatabase runs a child process that holds a database open, and checks that this
// one cannot open it until the child is gone.
func TestASecondProcessCannotOpenTheDatabase(t *testing.T) {
	if path := os.Getenv(holdChild); path != "" {
		db, err := sqlite.Open(context.Background(), path)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		defer db.Close()
		fmt.Println("ready")
		// Hold the database until the parent closes stdin.
		io.Copy(io.Discard, os.Stdin)
		return
	}
	if testing.Short() {
		t.Skip("starts a child process")
	}
	t.Parallel()
	path := filepath.Join(t.TempDir(), "sagebox.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestASecondProcessCannotOpenTheDatabase$", "-test.count=1")
	cmd.Env = append(os.Environ(), holdChild+"="+path)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	if line, err := bufio.NewReader(out).ReadString('\n'); err != nil || line != "ready\n" {
		t.Fatalf("the child said %q, %v", line, err)
	}
	if db, err := sqlite.Open(context.Background(), path); err == nil || !strings.Contains(err.Error(), "another process") {
		if err == nil {
			db.Close()
		}
		t.Errorf("Open() of a database another process has = %v, want an error saying so", err)
	}
	stdin.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("the child ended with %v", err)
	}
	db, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatalf("Open() after the other process ended = %v", err)
	}
	db.Close()
}
