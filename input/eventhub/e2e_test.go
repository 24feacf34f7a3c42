package eventhub

import (
	"testing"
	"time"

	"github.com/elastic/elastic-agent-libs/monitoring"

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
	snap := monitoring.CollectFlatSnapshot(r.ctx.Metrics, monitoring.Full, false)
	msgs := int64(n / perMsg)
	for key, want := range map[string]int64{
		"messages_received_total": msgs,
		"records_received_total":  n,
		"events_acked_total":      n,
		"decode_errors_total":     0,
		"partitions_owned":        4,
	} {
		got, ok := snap.Ints[key]
		if !ok {
			t.Errorf("metric %s missing", key)
		} else if got != want {
			t.Errorf("metric %s = %d, want %d", key, got, want)
		}
	}
	if got := snap.Ints["checkpoints_written_total"]; got < 4 {
		t.Errorf("checkpoints_written_total = %d, want at least one per partition", got)
	}
	for _, h := range []string{"histogram.processing_time_ns.count", "histogram.end_to_end_lag_ms.count"} {
		if snap.Ints[h] == 0 {
			t.Errorf("histogram %s empty (snapshot %v)", h, snap.Ints)
		}
	}
	r.stop(t)
}
