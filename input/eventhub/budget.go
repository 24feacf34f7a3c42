package eventhub

import (
	"context"
	"sync"
)

// budget is the in-flight message budget of one input instance, shared by
// its partition loops: a partition receives only messages it holds budget
// for, and gives the budget back once their events are in the libbeat
// queue (the queue bounds them from there on: queue.mem.events).
//
// It is a FIFO weighted semaphore: a request waits behind every earlier
// one, so a partition asking for its share cannot be overtaken forever by
// others. Each partition asks for share(), its fair part of the budget for
// the partitions currently owned, so that all of them can hold a share at
// the same time; a request never exceeds the budget, so it cannot wait
// for ever.
type budget struct {
	size int

	mu         sync.Mutex
	used       int
	peak       int // highest used, for metrics and tests
	partitions int // partition loops registered
	waiters    []*budgetWaiter
}

type budgetWaiter struct {
	n     int
	ready chan struct{}
}

func newBudget(size int) *budget {
	return &budget{size: size}
}

// join registers a partition loop; leave unregisters it.
func (b *budget) join() {
	b.mu.Lock()
	b.partitions++
	b.mu.Unlock()
}

func (b *budget) leave() {
	b.mu.Lock()
	b.partitions--
	b.mu.Unlock()
}

// share is how many messages one partition loop asks for at a time: its
// fair part of the budget, at most limit (partition_receive_count), at
// least one.
func (b *budget) share(limit int) int {
	b.mu.Lock()
	p := b.partitions
	b.mu.Unlock()
	n := b.size
	if p > 1 {
		n = b.size / p
	}
	return max(1, min(limit, b.size, n))
}

// acquire waits until n messages of budget are free (n is clamped to the
// budget) and takes them; it returns the amount taken, or 0 with the
// context's error.
func (b *budget) acquire(ctx context.Context, n int) (int, error) {
	n = max(1, min(n, b.size))
	b.mu.Lock()
	if len(b.waiters) == 0 && b.used+n <= b.size {
		b.take(n)
		b.mu.Unlock()
		return n, nil
	}
	w := &budgetWaiter{n: n, ready: make(chan struct{})}
	b.waiters = append(b.waiters, w)
	b.mu.Unlock()
	select {
	case <-w.ready:
		return n, nil
	case <-ctx.Done():
		b.mu.Lock()
		select {
		case <-w.ready: // granted meanwhile: give it back
			b.used -= n
		default:
			for i, x := range b.waiters {
				if x == w {
					b.waiters = append(b.waiters[:i], b.waiters[i+1:]...)
					break
				}
			}
		}
		b.grant()
		b.mu.Unlock()
		return 0, ctx.Err()
	}
}

// release gives n messages of budget back.
func (b *budget) release(n int) {
	if n <= 0 {
		return
	}
	b.mu.Lock()
	b.used -= n
	if b.used < 0 {
		b.used = 0 // a bug in the caller; never block for ever on it
	}
	b.grant()
	b.mu.Unlock()
}

// usage reports the budget taken now and at most so far.
func (b *budget) usage() (used, peak int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.used, b.peak
}

// take and grant run with mu held.
func (b *budget) take(n int) {
	b.used += n
	b.peak = max(b.peak, b.used)
}

// grant wakes waiters in order while the first one fits.
func (b *budget) grant() {
	for len(b.waiters) > 0 {
		w := b.waiters[0]
		if b.used+w.n > b.size {
			return
		}
		b.take(w.n)
		b.waiters = b.waiters[1:]
		close(w.ready)
	}
}
