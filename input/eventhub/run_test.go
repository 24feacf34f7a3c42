package eventhub

import (
	"testing"
	"time"

	"github.com/m365beat/m365beat/internal/inputtest"
)

// TestRunRetriesUntilStopped: a hub that does not exist is an error the
// input logs and retries; Run returns (nil) only when stopped.
func TestRunRetriesUntilStopped(t *testing.T) {
	e := newEnv(t, 1, false)
	pipe := &inputtest.Pipeline{AutoACK: true}
	r := e.run(e.config(map[string]any{
		"connection_string": e.eh.NamespaceConnectionString(),
		"eventhub":          "missing-hub",
	}), pipe)
	select {
	case err := <-r.done:
		t.Fatalf("Run returned before being stopped: %v", err)
	case <-time.After(1500 * time.Millisecond):
	}
	r.stop(t)
}

// TestStartPositionLatest: without checkpoints, latest skips what is
// already in the hub.
func TestStartPositionLatest(t *testing.T) {
	e := newEnv(t, 2, false)
	e.publishRecords(100, 10)
	pipe := &inputtest.Pipeline{AutoACK: true}
	r := e.run(e.config(map[string]any{"start_position": "latest", "load_balancing": "greedy"}), pipe)
	waitFor(t, 10*time.Second, "both partitions owned", func() bool {
		v, ok := r.ctx.Metrics.Get("partitions_owned").(interface{ Get() int64 })
		return ok && v.Get() == 2 && e.eh.Receivers(testHub, "$Default", "0") == 1 && e.eh.Receivers(testHub, "$Default", "1") == 1
	})
	if err := e.eh.Publish(testHub, "1", []byte(`{"records":[{"id":"new"}]}`)); err != nil {
		t.Fatal(err)
	}
	evs := pipe.WaitEvents(t, 1, 10*time.Second)
	time.Sleep(300 * time.Millisecond)
	if evs = pipe.Events(); len(evs) != 1 || recordID(t, evs[0]) != "new" {
		t.Fatalf("got %d events, first %q; want only the new record", len(evs), recordID(t, evs[0]))
	}
	// Stopping closes every receiver link.
	r.stop(t)
	waitFor(t, 5*time.Second, "receivers closed", func() bool {
		return e.eh.Receivers(testHub, "$Default", "0") == 0 && e.eh.Receivers(testHub, "$Default", "1") == 0
	})
}
