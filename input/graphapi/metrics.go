package graphapi

import (
	"github.com/elastic/elastic-agent-libs/monitoring"
)

// metrics of one stream, in the input's monitoring registry under the
// stream's name (alerts, incidents).
type metrics struct {
	requests      *monitoring.Int // Graph HTTP requests sent
	pages         *monitoring.Int // list pages processed
	published     *monitoring.Int // events published
	acked         *monitoring.Int // events acknowledged by the output
	skipped       *monitoring.Int // items not republished (already published version)
	retries       *monitoring.Int // requests retried (throttling, 5xx, network)
	throttled     *monitoring.Int // 429/503 answers
	throttledWait *monitoring.Int // total wait asked by throttling, ms
	partial       *monitoring.Int // HTTP 206 answers
	fallbacks     *monitoring.Int // $expand=alerts failures answered by the fallback
	rescans       *monitoring.Int // passes repeated because items moved while paging
	polls         *monitoring.Int // polls completed
	pollErrors    *monitoring.Int // polls that ended in an error
	cursorLag     *monitoring.Int // seconds between now and the cursor
	errors        *monitoring.Registry
}

func newMetrics(reg *monitoring.Registry) *metrics {
	return &metrics{
		requests:      monitoring.NewInt(reg, "requests_total"),
		pages:         monitoring.NewInt(reg, "pages_total"),
		published:     monitoring.NewInt(reg, "events_published_total"),
		acked:         monitoring.NewInt(reg, "events_acked_total"),
		skipped:       monitoring.NewInt(reg, "items_skipped_total"),
		retries:       monitoring.NewInt(reg, "retries_total"),
		throttled:     monitoring.NewInt(reg, "throttled_total"),
		throttledWait: monitoring.NewInt(reg, "throttled_wait_ms_total"),
		partial:       monitoring.NewInt(reg, "partial_responses_total"),
		fallbacks:     monitoring.NewInt(reg, "expand_fallbacks_total"),
		rescans:       monitoring.NewInt(reg, "rescans_total"),
		polls:         monitoring.NewInt(reg, "polls_total"),
		pollErrors:    monitoring.NewInt(reg, "poll_errors_total"),
		cursorLag:     monitoring.NewInt(reg, "cursor_lag_seconds"),
		errors:        reg.GetOrCreateRegistry("errors_by_status"),
	}
}

// errorStatus counts an error answer by status ("429", "network", ...).
func (m *metrics) errorStatus(key string) {
	monitoring.NewInt(m.errors, key).Inc()
}
