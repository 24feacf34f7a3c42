package graphapi

import (
	"github.com/elastic/elastic-agent-libs/monitoring"
)

// vulnMetrics of a vulnerabilities stream, in the input's registry under
// the stream's name (spec vulnerability.md §2.5).
type vulnMetrics struct {
	exportFiles     *monitoring.Int   // export files downloaded completely
	records         *monitoring.Int   // export records published
	bytesDownloaded *monitoring.Int   // compressed bytes received from the SAS URLs
	sasRestarts     *monitoring.Int   // export re-requested after an expired SAS
	sasExhausted    *monitoring.Int   // syncs ended by a second SAS expiry
	downloadRetries *monitoring.Int   // downloads retried (network, 5xx, truncated, empty)
	errors          *monitoring.Int   // collection error documents published
	syncs           *monitoring.Int   // full syncs completed (all files)
	syncDuration    *monitoring.Float // seconds the last full sync took
	deltaPages      *monitoring.Int   // delta pages processed
	deltaRecords    *monitoring.Int   // delta records published
	deltaDuration   *monitoring.Float // seconds the last delta poll took
	requests        *monitoring.Int   // API requests (token excluded)
	acked           *monitoring.Int   // events acknowledged by the output
}

func newVulnMetrics(reg *monitoring.Registry) *vulnMetrics {
	return &vulnMetrics{
		exportFiles:     monitoring.NewInt(reg, "export_files"),
		records:         monitoring.NewInt(reg, "records"),
		bytesDownloaded: monitoring.NewInt(reg, "bytes_downloaded"),
		sasRestarts:     monitoring.NewInt(reg, "sas_restarts"),
		sasExhausted:    monitoring.NewInt(reg, "sas_restarts_exhausted"),
		downloadRetries: monitoring.NewInt(reg, "download_retries"),
		errors:          monitoring.NewInt(reg, "errors"),
		syncs:           monitoring.NewInt(reg, "syncs"),
		syncDuration:    monitoring.NewFloat(reg, "sync_duration"),
		deltaPages:      monitoring.NewInt(reg, "delta.pages"),
		deltaRecords:    monitoring.NewInt(reg, "delta.records"),
		deltaDuration:   monitoring.NewFloat(reg, "delta.duration"),
		requests:        monitoring.NewInt(reg, "requests_total"),
		acked:           monitoring.NewInt(reg, "events_acked_total"),
	}
}
