package graphapi

import (
	"testing"

	"github.com/elastic/elastic-agent-libs/monitoring"
)

func TestMetricsNames(t *testing.T) {
	reg := monitoring.NewRegistry()
	m := newMetrics(reg)
	m.errorStatus("429")
	m.errorStatus("429")
	m.errorStatus("network")
	snap := monitoring.CollectFlatSnapshot(reg, monitoring.Full, false)
	for _, name := range []string{"requests_total", "pages_total", "events_published_total", "events_acked_total",
		"items_skipped_total", "retries_total", "throttled_total", "throttled_wait_ms_total", "partial_responses_total",
		"expand_fallbacks_total", "rescans_total", "polls_total", "poll_errors_total", "cursor_lag_seconds"} {
		if _, ok := snap.Ints[name]; !ok {
			t.Errorf("metric %s missing", name)
		}
	}
	if snap.Ints["errors_by_status.429"] != 2 || snap.Ints["errors_by_status.network"] != 1 {
		t.Errorf("errors_by_status: %v", snap.Ints)
	}
}
