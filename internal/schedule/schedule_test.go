package schedule

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/sagebox/sagebox/internal/clock"
)

func TestTasksRunWhenTheClockReachesThem(t *testing.T) {
	c := clock.NewOffset(func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) })
	s := New(c, 1, nil)
	c.OnAdvance(s.Poke)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go s.Run(ctx)

	var mu sync.Mutex
	var ran []string
	record := func(name string) func(context.Context) {
		return func(context.Context) { mu.Lock(); ran = append(ran, name); mu.Unlock() }
	}
	s.After(2*time.Hour, "later", record("later"))
	s.After(time.Hour, "sooner", record("sooner"))
	s.After(time.Hour, "sooner-second", record("sooner-second"))

	s.Wait()
	mu.Lock()
	if len(ran) != 0 {
		t.Fatalf("before the clock moves, ran = %v, want nothing", ran)
	}
	mu.Unlock()

	c.Advance(90 * time.Minute)
	s.Wait()
	mu.Lock()
	got := append([]string(nil), ran...)
	mu.Unlock()
	if len(got) != 2 || got[0] != "sooner" || got[1] != "sooner-second" {
		t.Fatalf("after 90m, ran = %v, want [sooner sooner-second]", got)
	}
	if s.Pending() != 1 {
		t.Errorf("Pending() = %d, want 1", s.Pending())
	}

	c.Advance(time.Hour)
	s.Wait()
	mu.Lock()
	defer mu.Unlock()
	if len(ran) != 3 || ran[2] != "later" {
		t.Errorf("after 150m, ran = %v, want the later task last", ran)
	}
}

func TestZeroScaleRunsAtOnce(t *testing.T) {
	s := New(clock.NewOffset(nil), 0, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go s.Run(ctx)
	done := make(chan struct{})
	s.After(24*time.Hour, "instant", func(context.Context) { close(done) })
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("a 24h task with scale 0 did not run")
	}
}

func TestAPanickingTaskDoesNotStopTheScheduler(t *testing.T) {
	s := New(clock.NewOffset(nil), 0, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go s.Run(ctx)
	done := make(chan struct{})
	s.After(0, "panics", func(context.Context) { panic("boom") })
	s.After(0, "after", func(context.Context) { close(done) })
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the task after a panicking one did not run")
	}
}
