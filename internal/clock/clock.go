// Package clock gives sagebox its time. Everything that reads the time takes a Clock, so that tests are
// deterministic and users can move the server's clock forward (`sagebox clock advance 2h`) to see credentials and
// sessions expire without waiting.
package clock

import (
	"sync"
	"time"
)

// Clock tells the time.
type Clock interface {
	Now() time.Time
}

// Offset is the server's clock: a base clock (the system's by default) moved forward by an offset that only
// grows, as `sagebox clock advance` asks. It is safe for concurrent use.
type Offset struct {
	base   func() time.Time
	mu     sync.RWMutex
	offset time.Duration
	// listeners are told of every advance, so that the scheduler can run what became due.
	listeners []func()
}

// NewOffset returns a clock reading base (time.Now when nil) with no offset.
func NewOffset(base func() time.Time) *Offset {
	if base == nil {
		base = time.Now
	}
	return &Offset{base: base}
}

// Now returns the base time plus the offset, in UTC.
func (c *Offset) Now() time.Time {
	c.mu.RLock()
	off := c.offset
	c.mu.RUnlock()
	return c.base().Add(off).UTC()
}

// Offset returns how far the clock has been moved forward.
func (c *Offset) Offset() time.Duration {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.offset
}

// Advance moves the clock forward by d, which must not be negative: time in sagebox never runs backwards, as
// issued credentials and recorded events rely on it.
func (c *Offset) Advance(d time.Duration) {
	if d < 0 {
		return
	}
	c.mu.Lock()
	c.offset += d
	ls := c.listeners
	c.mu.Unlock()
	for _, fn := range ls {
		fn()
	}
}

// Reset sets the offset back to zero (the admin API's reset: a fresh start).
func (c *Offset) Reset() {
	c.mu.Lock()
	c.offset = 0
	c.mu.Unlock()
}

// OnAdvance registers fn to run after every Advance.
func (c *Offset) OnAdvance(fn func()) {
	c.mu.Lock()
	c.listeners = append(c.listeners, fn)
	c.mu.Unlock()
}

// Manual is a clock for tests that moves only when told to.
type Manual struct {
	mu  sync.Mutex
	now time.Time
}

// NewManual returns a clock stopped at t.
func NewManual(t time.Time) *Manual { return &Manual{now: t.UTC()} }

// Now returns the clock's time.
func (m *Manual) Now() time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.now
}

// Set moves the clock to t.
func (m *Manual) Set(t time.Time) {
	m.mu.Lock()
	m.now = t.UTC()
	m.mu.Unlock()
}

// Add moves the clock by d.
func (m *Manual) Add(d time.Duration) {
	m.mu.Lock()
	m.now = m.now.Add(d)
	m.mu.Unlock()
}
