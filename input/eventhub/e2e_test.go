package eventhub

import (
	"testing"
	"time"

	"github.com/m365beat/m365beat/internal/inputtest"
)

// TestAllRecordsPublishedOnceWithCheckpoints: 50,000 records in
// multi-record messages over 4 partitions are all published exactly once and
// the checkpoints reach the last message of every partition.
func TestAllRecordsPublishedOnceWithCheckpoints(t *testing.T) {
	const n, perMsg = 50000, 25
	e := newEnv(t, 4, true)
	e.publishRecords(n, perMsg)

	pipe := &inputtest.Pipeline{AutoACK: true}
	r := e.run(e.config(nil), pipe)
	evs := pipe.WaitEvents(t, n, 60*time.Second)

	seen := map[string]int{}
	for _, ev := range evs {
		seen[recordID(t, ev)]++
	}
	if len(seen) != n {
		t.Fatalf("%d distinct records, want %d", len(seen), n)
	}
	for id, c := range seen {
		if c != 1 {
			t.Fatalf("record %s published %d times", id, c)
		}
	}
	want := map[string]int64{}
	for _, p := range e.eh.PartitionIDs(testHub) {
		want[p] = int64(e.eh.Len(testHub, p) - 1)
	}
	waitFor(t, 10*time.Second, "checkpoints at the last message of each partition", func() bool {
		got := e.checkpoints("$Default")
		for p, seq := range want {
			if got[p] != seq {
				return false
			}
		}
		return true
	})
	r.stop(t)
	if got := r.ctx.Metrics.Get("records_received_total"); got == nil {
		t.Fatal("no records_received_total metric")
	}
}
