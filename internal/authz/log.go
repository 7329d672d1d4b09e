package authz

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/sagebox/sagebox/internal/api"
	"github.com/sagebox/sagebox/internal/policy"
	"github.com/sagebox/sagebox/internal/store"
)

// The decision log keeps every decision, bounded: the newest LogSize in the store (kind "sagebox.decision", id the
// decision's sequence number, zero-padded so that ids sort as decisions were made, with the request id and the
// denials as secondary keys), and the newest Recent in memory, in a ring.
//
// The request path only copies its decision into the ring (no allocation, no I/O). A writer goroutine stores what
// the ring holds that the store does not yet, in one transaction per batch: when a batch fills up (batchSize) or
// FlushInterval after the first decision of a batch, whichever comes first. A crash (kill -9) therefore loses at
// most the decisions not yet written: those of the last FlushInterval, or more only while the store is slower than
// the requests — and when the writer falls more than Recent decisions behind, the oldest unwritten decisions are
// overwritten in the ring before they are stored; they are counted as dropped, and the admin API shows the count.
//
// Explanations cost more than decisions, so the request path computes none. The writer explains every denial
// before storing it (and every decision when the log is at debug level), so denials keep their explanation for as
// long as they are kept at all. An allowed decision is explained on demand, from the request and the policies
// that decided it, which the ring keeps for the newest Recent decisions; older allowed decisions keep who did what,
// but no explanation.

const (
	kindDecision     = "sagebox.decision"
	kindDecisionHead = "sagebox.decision-head"
	indexDenied      = "denied"
	batchSize        = 256
)

var (
	decisionScope = store.Scope{Kind: kindDecision}
	headKey       = store.Key{Scope: store.Scope{Kind: kindDecisionHead}, ID: "head"}
)

// how says how a decision was reached.
type how uint8

const (
	decided   how = iota // by the policy engine
	free                 // an action that needs no permission
	unchecked            // authorization is off
)

// entry is one decision, as the request path hands it to the log.
type entry struct {
	seq             uint64
	requestID       string
	time            time.Time
	service         string
	operation       string
	principal       *api.Principal
	action          string
	resource        string
	resourceAccount string
	how             how
	mode            Mode
	decision        policy.Decision
	reason          string
	// req and set are what decided it: kept to explain it later. Both only point at immutable values.
	req policy.Request
	set policy.Set
}

func (e *entry) denied() bool { return e.how == decided && e.decision.Outcome != policy.Allowed }

type headDoc struct {
	Next uint64 `json:"next"`
}

type decisionLog struct {
	st       store.Store
	logger   *slog.Logger
	size     uint64
	interval time.Duration

	mu      sync.Mutex
	ring    []entry
	next    uint64 // the sequence number of the next decision; decisions are numbered from 1
	taken   uint64 // decisions numbered below it were handed to the writer (or dropped)
	dropped uint64

	kick, full chan struct{}
	stop, done chan struct{}
	closeOnce  sync.Once

	// flushMu makes flushes one at a time; batch is their buffer.
	flushMu sync.Mutex
	batch   []entry
}

func openLog(ctx context.Context, cfg Config, logger *slog.Logger) (*decisionLog, error) {
	size, recent, interval := cfg.LogSize, cfg.Recent, cfg.FlushInterval
	if size <= 0 {
		size = DefaultLogSize
	}
	if recent <= 0 {
		recent = DefaultRecent
	}
	if interval <= 0 {
		interval = DefaultFlushInterval
	}
	l := &decisionLog{
		st:       cfg.Store,
		logger:   logger,
		size:     uint64(size),
		interval: interval,
		ring:     make([]entry, recent),
		next:     1,
		kick:     make(chan struct{}, 1),
		full:     make(chan struct{}, 1),
		stop:     make(chan struct{}),
		done:     make(chan struct{}),
	}
	if l.st == nil {
		close(l.done)
		l.taken = l.next
		return l, nil
	}
	tx, err := l.st.Begin(ctx, false)
	if err != nil {
		return nil, err
	}
	head, _, err := store.GetDoc[headDoc](tx, headKey)
	tx.Rollback()
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return nil, fmt.Errorf("authz: the decision log's head: %w", err)
	case head.Next > 0:
		l.next = head.Next
	}
	l.taken = l.next
	go l.run()
	return l, nil
}

// add records e and returns its sequence number. It allocates nothing and never waits for the store.
func (l *decisionLog) add(e *entry) uint64 {
	l.mu.Lock()
	seq := l.next
	l.next++
	e.seq = seq
	slot := &l.ring[seq%uint64(len(l.ring))]
	if l.st != nil && slot.seq != 0 && slot.seq >= l.taken {
		// The writer is more than a ring behind: the decision overwritten will never be stored.
		l.dropped++
	}
	*slot = *e
	pending := uint64(0)
	if l.st == nil {
		l.taken = l.next
	} else {
		pending = l.next - l.taken
	}
	l.mu.Unlock()
	switch pending {
	case 1:
		signal(l.kick)
	case batchSize:
		signal(l.full)
	}
	return seq
}

func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// run is the writer: it stores a batch FlushInterval after its first decision, or as soon as it is full.
func (l *decisionLog) run() {
	defer close(l.done)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		select {
		case <-l.stop:
			l.flushLogged()
			return
		case <-l.kick:
		case <-l.full:
		}
		timer.Reset(l.interval)
		select {
		case <-l.stop:
			timer.Stop()
			l.flushLogged()
			return
		case <-l.full:
			timer.Stop()
		case <-timer.C:
		}
		l.flushLogged()
	}
}

func (l *decisionLog) flushLogged() {
	if err := l.flush(context.Background()); err != nil {
		l.logger.Warn("the decision log could not store decisions", "err", err)
	}
}

// flush stores every decision of the ring that the store does not have yet.
func (l *decisionLog) flush(ctx context.Context) error {
	if l.st == nil {
		return nil
	}
	l.flushMu.Lock()
	defer l.flushMu.Unlock()
	l.mu.Lock()
	from, to := l.taken, l.next
	l.batch = l.batch[:0]
	for s := from; s < to; s++ {
		if slot := &l.ring[s%uint64(len(l.ring))]; slot.seq == s {
			l.batch = append(l.batch, *slot)
		}
	}
	l.taken = to
	l.mu.Unlock()
	if from == to {
		return nil
	}
	if err := l.write(ctx, to); err != nil {
		l.mu.Lock()
		l.dropped += uint64(len(l.batch))
		l.mu.Unlock()
		clear(l.batch)
		return fmt.Errorf("%d decisions not stored: %w", len(l.batch), err)
	}
	clear(l.batch)
	return nil
}

// write stores the batch in one transaction with the log's head (to, the number of the next decision), and deletes
// the stored decisions numbered before the newest size. It finds them by reading the oldest stored decisions, not by
// the numbers that fall out: a decision dropped from the ring was never stored, and when the writer falls behind
// most numbers are such — deleting each would cost as much as the requests made (and deleting only the batch's
// predecessors would leave the others forever).
func (l *decisionLog) write(ctx context.Context, to uint64) error {
	debug := l.logger.Enabled(ctx, slog.LevelDebug)
	recs := make([]*store.Record, 0, len(l.batch))
	for i := range l.batch {
		e := &l.batch[i]
		r := e.record(e.denied() || debug)
		if debug {
			l.logger.Debug("decision", "request_id", r.RequestID, "action", r.Action, "resource", r.Resource,
				"outcome", r.Outcome, "explanation", r.Explanation.String())
		}
		// Only denials are indexed: an index row per decision doubled the writer's cost under load, and the one
		// lookup by request id (sagebox explain) can afford to scan the newest LogSize decisions.
		var indexes []store.Index
		if e.denied() {
			indexes = append(indexes, store.Index{Name: indexDenied, Value: "1"})
		}
		rec, err := store.NewRecord(store.Key{Scope: decisionScope, ID: seqID(e.seq)}, r, indexes...)
		if err != nil {
			return err
		}
		recs = append(recs, rec)
	}
	tx, err := l.st.Begin(ctx, true)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, rec := range recs {
		if err := tx.Put(rec); err != nil {
			return err
		}
	}
	if to > l.size {
		// Twice the batch, and more: each write retires at least as many as it stores, so the store comes back to
		// size even after LogSize was lowered across a restart.
		old, err := tx.List(decisionScope, store.ListQuery{Limit: 2*len(recs) + 16})
		if err != nil {
			return err
		}
		keep := seqID(to - l.size) // the oldest number the newest size may hold
		for _, rec := range old {
			if rec.ID >= keep {
				break
			}
			if err := tx.Delete(rec.Key); err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
		}
	}
	head, err := store.NewRecord(headKey, headDoc{Next: to})
	if err != nil {
		return err
	}
	if err := tx.Put(head); err != nil {
		return err
	}
	return tx.Commit()
}

// close stores what is left and stops the writer.
func (l *decisionLog) close() error {
	l.closeOnce.Do(func() {
		if l.st != nil {
			close(l.stop)
		}
	})
	<-l.done
	return nil
}

// reset forgets the decisions not stored yet, after the store was emptied; numbering goes on, so that an encoded
// message handed out before the reset cannot name a decision made after it.
func (l *decisionLog) reset() {
	l.flushMu.Lock()
	defer l.flushMu.Unlock()
	l.mu.Lock()
	defer l.mu.Unlock()
	clear(l.ring)
	l.taken = l.next
}

// seqID is the store id of a decision: its number, zero-padded so that ids sort as numbers do.
func seqID(seq uint64) string { return fmt.Sprintf("%020d", seq) }

// recent returns copies of the ring's decisions that keep, newest first.
func (l *decisionLog) recent(keep func(*entry) bool) []entry {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []entry
	n := uint64(len(l.ring))
	for s := l.next - 1; s >= 1 && l.next-s <= n; s-- {
		if e := &l.ring[s%n]; e.seq == s && keep(e) {
			out = append(out, *e)
		}
	}
	return out
}

// bySeq returns the decision numbered seq from the ring, or else the store.
func (l *decisionLog) bySeq(ctx context.Context, seq uint64) (Record, bool, error) {
	l.mu.Lock()
	if n := uint64(len(l.ring)); seq > 0 && seq < l.next && l.next-seq <= n {
		if e := l.ring[seq%n]; e.seq == seq {
			l.mu.Unlock()
			return e.record(true), true, nil
		}
	}
	l.mu.Unlock()
	if l.st == nil {
		return Record{}, false, nil
	}
	tx, err := l.st.Begin(ctx, false)
	if err != nil {
		return Record{}, false, err
	}
	defer tx.Rollback()
	r, _, err := store.GetDoc[Record](tx, store.Key{Scope: decisionScope, ID: seqID(seq)})
	if errors.Is(err, store.ErrNotFound) {
		return Record{}, false, nil
	}
	if err != nil {
		return Record{}, false, err
	}
	return r, true, nil
}

// byRequest returns every decision of a request, in the order made: from the ring when it still has them (with
// their explanations, computed now), else from the store.
func (l *decisionLog) byRequest(ctx context.Context, requestID string) ([]Record, error) {
	var out []Record
	seen := map[uint64]bool{}
	for _, e := range l.recent(func(e *entry) bool { return e.requestID == requestID }) {
		out = append(out, e.record(true))
		seen[e.seq] = true
	}
	if l.st != nil {
		tx, err := l.st.Begin(ctx, false)
		if err != nil {
			return nil, err
		}
		defer tx.Rollback()
		recs, err := tx.List(decisionScope, store.ListQuery{})
		if err != nil {
			return nil, err
		}
		quoted := []byte(strconv.Quote(requestID))
		for _, rec := range recs {
			if !bytes.Contains(rec.Doc, quoted) {
				continue // not this request's: skip decoding it
			}
			r, err := store.Decode[Record](rec)
			if err != nil {
				return nil, err
			}
			if r.RequestID == requestID && !seen[r.ID] {
				if r.Explanation == nil && r.Outcome == policy.Allowed.String() {
					r.Note = notExplained(len(l.ring))
				}
				out = append(out, r)
			}
		}
	}
	slices.SortFunc(out, func(a, b Record) int { return cmpUint(a.ID, b.ID) })
	return out, nil
}

func notExplained(recent int) string {
	return fmt.Sprintf("allowed decisions are explained only while they are among the newest %d", recent)
}

func cmpUint(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// list returns the newest limit decisions (denials only when denied is set), newest first.
func (l *decisionLog) list(ctx context.Context, limit int, denied bool) ([]Record, uint64, error) {
	l.mu.Lock()
	dropped := l.dropped
	l.mu.Unlock()
	if l.st == nil {
		entries := l.recent(func(e *entry) bool { return !denied || e.denied() })
		if len(entries) > limit {
			entries = entries[:limit]
		}
		out := make([]Record, len(entries))
		for i := range entries {
			out[i] = entries[i].record(entries[i].denied())
		}
		return out, dropped, nil
	}
	if err := l.flush(ctx); err != nil {
		return nil, dropped, err
	}
	tx, err := l.st.Begin(ctx, false)
	if err != nil {
		return nil, dropped, err
	}
	defer tx.Rollback()
	var recs []*store.Record
	if denied {
		recs, err = tx.Find(decisionScope, indexDenied, "1")
	} else {
		l.mu.Lock()
		next := l.next
		l.mu.Unlock()
		q := store.ListQuery{}
		if next > uint64(limit)+1 {
			q.After = seqID(next - uint64(limit) - 1)
		}
		recs, err = tx.List(decisionScope, q)
	}
	if err != nil {
		return nil, dropped, err
	}
	if len(recs) > limit {
		recs = recs[len(recs)-limit:]
	}
	out := make([]Record, 0, len(recs))
	for i := len(recs) - 1; i >= 0; i-- {
		r, err := store.Decode[Record](recs[i])
		if err != nil {
			return nil, dropped, err
		}
		out = append(out, r)
	}
	return out, dropped, nil
}

// DecisionPage is a page of the decision log, newest first.
type DecisionPage struct {
	Decisions []Record `json:"decisions"`
	// Dropped counts the decisions that were never stored because the writer fell too far behind.
	Dropped uint64 `json:"dropped"`
}

// Decisions returns the newest limit decisions (1 to 1,000; 0 means 100), only the denials when denied is set.
func (z *Authorizer) Decisions(ctx context.Context, limit int, denied bool) (DecisionPage, error) {
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, 1000)
	recs, dropped, err := z.log.list(ctx, limit, denied)
	return DecisionPage{Decisions: recs, Dropped: dropped}, err
}

// Decision returns the decisions of one request, with their explanations, in the order made; none when the log
// does not have it (any more).
func (z *Authorizer) Decision(ctx context.Context, requestID string) ([]Record, error) {
	return z.log.byRequest(ctx, requestID)
}
