package eventhub

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/m365beat/m365beat/internal/inputtest"
)

// TestRestartAfterHardStopLosesNothing stops the input while events are in
// flight (published, not acknowledged), restarts it on the same checkpoint
// container and checks that no record is missing and that duplicates stay
// within what was not acknowledged.
func TestRestartAfterHardStopLosesNothing(t *testing.T) {
	const n, perMsg, partitions = 20000, 25, 4
	e := newEnv(t, partitions, true)
	e.publishRecords(n, perMsg)

	// Phase 1: acknowledge slowly, in chunks that do not align with
	// messages, then stop with events unacknowledged.
	pipe1 := &inputtest.Pipeline{}
	r1 := e.run(e.config(nil), pipe1)
	var acked atomic.Int64
	stopAck := make(chan struct{})
	ackDone := make(chan struct{})
	go func() {
		defer close(ackDone)
		for acked.Load() < n/2 {
			select {
			case <-stopAck:
				return
			case <-time.After(2 * time.Millisecond):
			}
			if pipe1.Unacked() >= 333 {
				pipe1.ACK(333)
				acked.Add(333)
			}
		}
	}()
	waitFor(t, 60*time.Second, "half of the records acknowledged", func() bool { return acked.Load() >= n/2 })
	close(stopAck)
	<-ackDone
	waitFor(t, 10*time.Second, "events in flight", func() bool { return pipe1.Unacked() > 0 })
	r1.stop(t)
	phase1 := pipe1.Events()
	ackedN := int(acked.Load())
	unacked := len(phase1) - ackedN
	ackedIDs := map[string]bool{}
	published1 := map[string]bool{}
	for i, ev := range phase1 {
		id := recordID(t, ev)
		published1[id] = true
		if i < ackedN {
			ackedIDs[id] = true
		}
	}

	// Phase 2: restart, acknowledge everything.
	pipe2 := &inputtest.Pipeline{AutoACK: true}
	e.run(e.config(nil), pipe2)
	want := n - len(ackedIDs)
	waitFor(t, 60*time.Second, "the remaining records", func() bool {
		seen := map[string]bool{}
		for id := range ackedIDs {
			seen[id] = true
		}
		for _, ev := range pipe2.Events() {
			seen[recordID(t, ev)] = true
		}
		return len(seen) == n
	})
	var dupAcked, dupPublished int
	for _, ev := range pipe2.Events() {
		id := recordID(t, ev)
		if ackedIDs[id] {
			dupAcked++
		}
		if published1[id] {
			dupPublished++
		}
	}
	t.Logf("phase 1: %d published, %d acknowledged, %d unacknowledged at stop; phase 2: %d published (%d needed); duplicates: %d of the acknowledged, %d of all phase-1 events",
		len(phase1), ackedN, unacked, len(pipe2.Events()), want, dupAcked, dupPublished)
	// Acknowledged records come back only when they share a message with an
	// unacknowledged one: at most perMsg-1 per partition.
	if maxDup := partitions * (perMsg - 1); dupAcked > maxDup {
		t.Errorf("%d acknowledged records published again, want at most %d", dupAcked, maxDup)
	}
	if maxDup := unacked + partitions*(perMsg-1); dupPublished > maxDup {
		t.Errorf("%d records published twice, want at most %d (unacknowledged window + partial messages)", dupPublished, maxDup)
	}
}
