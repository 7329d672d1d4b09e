package sqlite

import (
	"context"
	"sync"
)

// gate is a readers-writer lock that honours contexts, for the in-memory database.
//
// An in-memory (memdb) database has no write-ahead log: while a connection holds a write lock no other may start
// reading, and a commit must wait until every reader has finished. SQLite reports both as SQLITE_BUSY and retries
// after sleeping for milliseconds; the gate makes the same waits in Go instead, where they end the moment the
// other side is done. A waiting writer stops new readers, so a stream of reads cannot starve it.
type gate struct {
	mu      sync.Mutex
	readers int
	writing bool
	// writerWaiting is set while a writer waits for the readers to leave. Writers are already serialized by
	// the writer connection, so there is at most one.
	writerWaiting bool
	// waiters counts the goroutines waiting on changed, which is closed, and replaced, when the gate opens for
	// them; with nobody waiting, unlock allocates nothing.
	waiters int
	changed chan struct{}
}

func newGate() *gate { return &gate{changed: make(chan struct{})} }

func (g *gate) lock(ctx context.Context, write bool) error {
	g.mu.Lock()
	for {
		if write {
			if !g.writing && g.readers == 0 {
				g.writing = true
				g.writerWaiting = false
				g.mu.Unlock()
				return nil
			}
			g.writerWaiting = true
		} else if !g.writing && !g.writerWaiting {
			g.readers++
			g.mu.Unlock()
			return nil
		}
		ch := g.changed
		g.waiters++
		g.mu.Unlock()
		select {
		case <-ch:
			g.mu.Lock()
			g.waiters--
		case <-ctx.Done():
			g.mu.Lock()
			g.waiters--
			if write {
				g.writerWaiting = false
				g.wake()
			}
			g.mu.Unlock()
			return ctx.Err()
		}
	}
}

func (g *gate) unlock(write bool) {
	g.mu.Lock()
	if write {
		g.writing = false
	} else {
		g.readers--
	}
	g.wake()
	g.mu.Unlock()
}

// wake releases everyone waiting; they look at the gate again. Called with mu held.
func (g *gate) wake() {
	if g.waiters == 0 {
		return
	}
	close(g.changed)
	g.changed = make(chan struct{})
}
