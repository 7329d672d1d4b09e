// Package schedule runs the asynchronous parts of AWS lifecycles — a domain going from Pending to InService, a job
// through its phases — at times read from sagebox's clock.
//
// A task is due at a clock time. The scheduler runs due tasks on its own goroutine, in due order, one at a time;
// it wakes when the system time reaches the next due time and whenever the clock is advanced. Delays are scaled by
// a factor that tests set to zero, so that lifecycles finish at once.
package schedule

import (
	"container/heap"
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/sagebox/sagebox/internal/clock"
)

// Scheduler runs tasks when the clock reaches their due time. It is safe for concurrent use.
type Scheduler struct {
	clock clock.Clock
	scale float64
	log   *slog.Logger

	mu    sync.Mutex
	tasks taskHeap
	seq   uint64
	wake  chan struct{}
	idle  *sync.Cond // signalled when no task is due and none is running
	busy  bool
}

type task struct {
	due  time.Time
	seq  uint64 // keeps tasks due at the same time in the order they were scheduled
	name string
	fn   func(context.Context)
}

// New returns a scheduler reading c. Every delay is multiplied by scale: 1 runs lifecycles at the pace the
// services set, 0 makes every task due at once.
func New(c clock.Clock, scale float64, log *slog.Logger) *Scheduler {
	if log == nil {
		log = slog.Default()
	}
	s := &Scheduler{clock: c, scale: scale, log: log, wake: make(chan struct{}, 1)}
	s.idle = sync.NewCond(&s.mu)
	return s
}

// After schedules fn to run once delay (scaled) has passed on the clock. name appears in logs.
func (s *Scheduler) After(delay time.Duration, name string, fn func(context.Context)) {
	d := time.Duration(float64(delay) * s.scale)
	s.mu.Lock()
	s.seq++
	heap.Push(&s.tasks, &task{due: s.clock.Now().Add(d), seq: s.seq, name: name, fn: fn})
	s.mu.Unlock()
	s.Poke()
}

// Poke makes the scheduler look for due tasks now; the server calls it after the clock is advanced.
func (s *Scheduler) Poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Clear drops every pending task (the admin API's reset).
func (s *Scheduler) Clear() {
	s.mu.Lock()
	s.tasks = nil
	s.mu.Unlock()
}

// Pending returns how many tasks wait.
func (s *Scheduler) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.tasks)
}

// Wait blocks until no task is due now and none is running (tasks due later may remain). It lets a caller who
// advanced the clock see the lifecycles that became due settle.
func (s *Scheduler) Wait() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for s.busy || (len(s.tasks) > 0 && !s.tasks[0].due.After(s.clock.Now())) {
		s.idle.Wait()
	}
}

// Run runs due tasks until ctx is done.
func (s *Scheduler) Run(ctx context.Context) {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		for {
			t := s.next()
			if t == nil {
				break
			}
			s.run(ctx, t)
		}
		s.mu.Lock()
		wait := time.Hour
		if len(s.tasks) > 0 {
			wait = s.tasks[0].due.Sub(s.clock.Now())
		}
		s.idle.Broadcast()
		s.mu.Unlock()
		timer.Reset(max(wait, 0))
		select {
		case <-ctx.Done():
			return
		case <-s.wake:
		case <-timer.C:
		}
	}
}

// next pops the first due task and marks the scheduler busy, or returns nil.
func (s *Scheduler) next() *task {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.tasks) == 0 || s.tasks[0].due.After(s.clock.Now()) {
		s.busy = false
		return nil
	}
	s.busy = true
	return heap.Pop(&s.tasks).(*task)
}

func (s *Scheduler) run(ctx context.Context, t *task) {
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("scheduled task panicked", "task", t.name, "panic", r)
		}
	}()
	t.fn(ctx)
}

type taskHeap []*task

func (h taskHeap) Len() int { return len(h) }
func (h taskHeap) Less(i, j int) bool {
	if !h[i].due.Equal(h[j].due) {
		return h[i].due.Before(h[j].due)
	}
	return h[i].seq < h[j].seq
}
func (h taskHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *taskHeap) Push(x any)   { *h = append(*h, x.(*task)) }
func (h *taskHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	*h = old[:len(old)-1]
	return t
}
