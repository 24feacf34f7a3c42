package eventhub

import (
	"context"
	"fmt"
	"math/rand"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/elastic/beats/v7/libbeat/beat"

	"github.com/m365beat/m365beat/input"
	"github.com/m365beat/m365beat/internal/inputtest"
)

// TestBudgetNeverExceeded: concurrent holders never hold more than the
// budget together, and all of them get through.
func TestBudgetNeverExceeded(t *testing.T) {
	const size = 25
	b := newBudget(size)
	var held, peak atomic.Int64
	var wg sync.WaitGroup
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func(seed int64) {
			defer wg.Done()
			rnd := rand.New(rand.NewSource(seed))
			for i := 0; i < 200; i++ {
				n, err := b.acquire(context.Background(), 1+rnd.Intn(40)) // some above the budget
				if err != nil {
					t.Error(err)
					return
				}
				if n > size {
					t.Errorf("granted %d, more than the budget %d", n, size)
				}
				h := held.Add(int64(n))
				for p := peak.Load(); h > p && !peak.CompareAndSwap(p, h); p = peak.Load() {
				}
				time.Sleep(time.Duration(rnd.Intn(50)) * time.Microsecond)
				held.Add(-int64(n))
				b.release(n)
			}
		}(int64(g))
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("holders deadlocked")
	}
	if p := peak.Load(); p > size {
		t.Fatalf("%d messages held at once, budget %d", p, size)
	}
	if used, p := b.usage(); used != 0 || p > size {
		t.Fatalf("usage after all released: used %d peak %d", used, p)
	}
}

// TestBudgetFIFO: a large request is not overtaken by later small ones
// (a partition asking for its share cannot be starved).
func TestBudgetFIFO(t *testing.T) {
	b := newBudget(10)
	ctx := context.Background()
	if _, err := b.acquire(ctx, 10); err != nil {
		t.Fatal(err)
	}
	order := make(chan string, 2)
	go func() { b.acquire(ctx, 8); order <- "big" }()
	waitFor(t, 5*time.Second, "big waiter queued", func() bool { b.mu.Lock(); defer b.mu.Unlock(); return len(b.waiters) == 1 })
	go func() { b.acquire(ctx, 2); order <- "small" }()
	waitFor(t, 5*time.Second, "small waiter queued", func() bool { b.mu.Lock(); defer b.mu.Unlock(); return len(b.waiters) == 2 })
	b.release(2) // room for the small one, but the big one is first
	select {
	case got := <-order:
		t.Fatalf("%s request granted before the earlier 8-message request", got)
	case <-time.After(100 * time.Millisecond):
	}
	b.release(8)
	for i := 0; i < 2; i++ {
		select {
		case <-order:
		case <-time.After(5 * time.Second):
			t.Fatal("waiters not granted after the budget was released")
		}
	}
	if used, _ := b.usage(); used != 10 {
		t.Fatalf("used %d, want 10", used)
	}
}

// TestBudgetCancel: a waiter that gives up leaves the queue, and those
// behind it proceed.
func TestBudgetCancel(t *testing.T) {
	b := newBudget(4)
	if _, err := b.acquire(context.Background(), 3); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { _, err := b.acquire(ctx, 4); errc <- err }()
	waitFor(t, 5*time.Second, "waiter queued", func() bool { b.mu.Lock(); defer b.mu.Unlock(); return len(b.waiters) == 1 })
	got := make(chan int, 1)
	go func() { n, _ := b.acquire(context.Background(), 1); got <- n }()
	cancel()
	if err := <-errc; err == nil {
		t.Fatal("cancelled acquire returned no error")
	}
	select {
	case n := <-got:
		if n != 1 {
			t.Fatalf("granted %d, want 1", n)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the request behind a cancelled one stayed blocked")
	}
	if used, _ := b.usage(); used != 4 {
		t.Fatalf("used %d, want 4", used)
	}
}

func TestBudgetShare(t *testing.T) {
	b := newBudget(400)
	if got := b.share(100); got != 100 {
		t.Errorf("no partition yet: share %d, want 100", got)
	}
	for i := 0; i < 16; i++ {
		b.join()
	}
	if got := b.share(100); got != 25 {
		t.Errorf("16 partitions: share %d, want 25", got)
	}
	for i := 0; i < 1000; i++ {
		b.join()
	}
	if got := b.share(100); got != 1 {
		t.Errorf("1016 partitions: share %d, want 1", got)
	}
	small := newBudget(20)
	if got := small.share(100); got != 20 {
		t.Errorf("budget below the batch: share %d, want 20", got)
	}
}

func TestPrefetchFor(t *testing.T) {
	c := defaultConfig()
	for parts, want := range map[int]int{1: 100, 2: 50, 4: 25, 16: 6, 32: 3, 1024: 1} {
		if got := c.prefetchFor(parts); got != want {
			t.Errorf("%d partitions: prefetch %d, want %d", parts, got, want)
		}
	}
	c.Prefetch = to(0)
	if got := c.prefetchFor(16); got != 0 {
		t.Errorf("prefetch: 0 set: got %d", got)
	}
	c.Prefetch, c.MaxInFlightMessages = nil, 2000
	if got := c.prefetchFor(1); got != 300 {
		t.Errorf("budget 2000, 1 partition: prefetch %d, want the cap 300", got)
	}
}

// stallPipeline blocks every PublishAll until released, like a stalled
// output with a full queue, and counts the events inside PublishAll.
type stallPipeline struct {
	inputtest.Pipeline
	release chan struct{}
	blocked atomic.Int64 // events held in blocked PublishAll calls
	calls   atomic.Int64
}

func (p *stallPipeline) Connect(s input.Stream, onACK func([]any)) (input.Client, error) {
	c, err := p.Pipeline.Connect(s, onACK)
	return &stallClient{Client: c, p: p}, err
}

type stallClient struct {
	input.Client
	p *stallPipeline
}

func (c *stallClient) Publish(e beat.Event) { c.PublishAll([]beat.Event{e}) }
func (c *stallClient) PublishAll(es []beat.Event) {
	c.p.calls.Add(1)
	c.p.blocked.Add(int64(len(es)))
	<-c.p.release
	c.p.blocked.Add(-int64(len(es)))
	c.Client.PublishAll(es)
}

// TestStalledOutputStopsReceiving: with the output stalled, an instance
// owning 4 partitions receives no more than max_in_flight_messages in all
// (here below one partition_receive_count batch), the hub sends no more
// than that plus the derived prefetch, and once the output moves again
// every record of every partition arrives (no deadlock, no starvation).
func TestStalledOutputStopsReceiving(t *testing.T) {
	const partitions, perPartition, budgetSize, batch = 4, 500, 20, 100
	e := newEnv(t, partitions, false)
	for _, p := range e.eh.PartitionIDs(testHub) {
		bodies := make([][]byte, perPartition)
		for i := range bodies {
			bodies[i] = []byte(fmt.Sprintf(`{"records":[{"id":"p%s-%d"}]}`, p, i))
		}
		if err := e.eh.Publish(testHub, p, bodies...); err != nil {
			t.Fatal(err)
		}
	}
	pipe := &stallPipeline{release: make(chan struct{})}
	pipe.AutoACK = true
	var once sync.Once
	unstall := func() { once.Do(func() { close(pipe.release) }) }
	r := e.run(e.config(map[string]any{
		"max_in_flight_messages":  budgetSize,
		"partition_receive_count": batch,
		"load_balancing":          "greedy",
	}), pipe)
	t.Cleanup(unstall) // runs before the input is stopped
	waitFor(t, 15*time.Second, "every partition owned and the output blocking", func() bool {
		v, ok := r.ctx.Metrics.Get("partitions_owned").(interface{ Get() int64 })
		return ok && v.Get() == partitions && pipe.calls.Load() > 0
	})
	// Let every partition loop try for a while.
	time.Sleep(time.Second)
	received := metricValue(t, r, "messages_received_total")
	if received > budgetSize {
		t.Fatalf("%d messages received while the output was stalled, budget %d", received, budgetSize)
	}
	if b := pipe.blocked.Load(); b > budgetSize {
		t.Fatalf("%d events held in the stalled pipeline, budget %d", b, budgetSize)
	}
	var sent int64
	for _, p := range e.eh.PartitionIDs(testHub) {
		sent += e.eh.Delivered(testHub, p)
	}
	// Derived prefetch: 20/4 = 5 per partition.
	if limit := int64(2 * budgetSize); sent > limit {
		t.Fatalf("the hub sent %d messages to a stalled instance, want at most %d", sent, limit)
	}
	time.Sleep(500 * time.Millisecond)
	if again := metricValue(t, r, "messages_received_total"); again != received {
		t.Fatalf("still receiving while stalled: %d then %d messages", received, again)
	}
	t.Logf("stalled: %d messages received, %d sent by the hub", received, sent)

	unstall()
	waitFor(t, 30*time.Second, "every record after the output recovered", func() bool {
		return len(pipe.Events()) == partitions*perPartition
	})
	seen := map[string]bool{}
	for _, ev := range pipe.Events() {
		seen[recordID(t, ev)] = true
	}
	if len(seen) != partitions*perPartition {
		t.Fatalf("%d distinct records, want %d", len(seen), partitions*perPartition)
	}
	if peak := metricValue(t, r, "in_flight_messages_peak"); peak > budgetSize || peak <= 0 {
		t.Fatalf("in_flight_messages_peak %d, want 1..%d", peak, budgetSize)
	}
}

// BenchmarkBudget: one acquire and release per receive call, alone and
// with 16 partitions contending for a budget that fits 4 of them.
func BenchmarkBudget(b *testing.B) {
	b.Run("uncontended", func(b *testing.B) {
		bu := newBudget(100)
		ctx := context.Background()
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			n, _ := bu.acquire(ctx, 25)
			bu.release(n)
		}
	})
	b.Run("16_partitions", func(b *testing.B) {
		bu := newBudget(100)
		ctx := context.Background()
		b.ReportAllocs()
		b.SetParallelism(8) // 16 goroutines on 2 CPUs
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				n, _ := bu.acquire(ctx, 25)
				bu.release(n)
			}
		})
	})
}
