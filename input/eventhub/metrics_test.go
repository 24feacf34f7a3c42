package eventhub

import (
	"testing"
	"time"

	"github.com/elastic/elastic-agent-libs/monitoring"
)

// TestMetricsSurviveRestart: a restarted input (same registry, as on config
// reload) reuses the variables instead of panicking on duplicates.
func TestMetricsSurviveRestart(t *testing.T) {
	reg := monitoring.NewRegistry()
	m1 := newMetrics(reg, nil)
	m1.recordsReceived.Add(3)
	m1.processingTime.Update(10)
	m2 := newMetrics(reg, nil)
	m2.recordsReceived.Add(2)
	m2.processingTime.Update(20)
	m2.observeLag(time.Now().Add(-time.Second), time.Now())
	snap := monitoring.CollectFlatSnapshot(reg, monitoring.Full, false)
	if got := snap.Ints["records_received_total"]; got != 5 {
		t.Fatalf("records_received_total = %d, want 5", got)
	}
	if got := snap.Ints["histogram.processing_time_ns.count"]; got != 2 {
		t.Fatalf("processing_time_ns count = %d, want 2 (%v)", got, snap.Ints)
	}
	if got := snap.Ints["histogram.end_to_end_lag_ms.count"]; got != 1 {
		t.Fatalf("end_to_end_lag_ms count = %d, want 1", got)
	}
}
