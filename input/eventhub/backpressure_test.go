package eventhub

import (
	"sync"
	"testing"
	"time"

	"github.com/elastic/beats/v7/libbeat/beat"

	"github.com/m365beat/m365beat/input"
)

// blockingPipeline accepts one PublishAll, then blocks every other until
// released, like a full libbeat queue.
type blockingPipeline struct {
	mu      sync.Mutex
	calls   int
	release chan struct{}
}

func (p *blockingPipeline) Connect(input.Stream, func([]any)) (input.Client, error) {
	return p, nil
}

func (p *blockingPipeline) Publish(e beat.Event) { p.PublishAll([]beat.Event{e}) }
func (p *blockingPipeline) PublishAll([]beat.Event) {
	p.mu.Lock()
	p.calls++
	first := p.calls == 1
	p.mu.Unlock()
	if !first {
		<-p.release
	}
}
func (p *blockingPipeline) Close() error { return nil }

// TestBackPressure: when the pipeline blocks, the input stops receiving and
// the hub stops sending once the prefetch credit is used.
func TestBackPressure(t *testing.T) {
	const prefetch, count = 50, 10
	e := newEnv(t, 1, false)
	for i := 0; i < 50; i++ {
		bodies := make([][]byte, 100)
		for j := range bodies {
			bodies[j] = []byte(`{"id":"x"}`)
		}
		if err := e.eh.Publish(testHub, "0", bodies...); err != nil {
			t.Fatal(err)
		}
	}
	pipe := &blockingPipeline{release: make(chan struct{})}
	r := e.run(e.config(map[string]any{"prefetch": prefetch, "partition_receive_count": count}), pipe)
	waitFor(t, 10*time.Second, "the pipeline to block", func() bool {
		pipe.mu.Lock()
		defer pipe.mu.Unlock()
		return pipe.calls >= 2
	})
	time.Sleep(500 * time.Millisecond)
	sent := e.eh.Delivered(testHub, "0")
	if limit := int64(2 * (prefetch + count)); sent > limit {
		t.Fatalf("the hub sent %d events to a blocked consumer, want at most %d", sent, limit)
	}
	if got := metricValue(t, r, "messages_received_total"); got > 2*count {
		t.Fatalf("%d messages received while blocked, want at most %d", got, 2*count)
	}
	t.Logf("sent %d of 5000 events while the pipeline was blocked", sent)
	close(pipe.release)
	waitFor(t, 20*time.Second, "all messages after release", func() bool {
		return metricValue(t, r, "messages_received_total") == 5000
	})
}
