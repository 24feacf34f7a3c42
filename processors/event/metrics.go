package event

import "github.com/elastic/elastic-agent-libs/monitoring"

// Counters of the m365_defender event processors, in libbeat's monitoring
// registry under processor.m365_defender.event (visible in the stats API
// and the periodic metrics log).
var (
	metricsReg = monitoring.Default.GetOrCreateRegistry("processor.m365_defender.event")
	// mEvents counts processed records.
	mEvents = monitoring.NewInt(metricsReg, "events")
	// mErrors counts documents that carry error.message.
	mErrors = monitoring.NewInt(metricsReg, "errors")
	// mPipelineErrors counts documents with event.kind pipeline_error.
	mPipelineErrors = monitoring.NewInt(metricsReg, "pipeline_errors")
	// mUnmapped counts columns kept under m365_defender.event.unmapped.
	mUnmapped = monitoring.NewInt(metricsReg, "unmapped_columns")
	// mUnknownTables counts records whose category matches no route.
	mUnknownTables = monitoring.NewInt(metricsReg, "unknown_tables")
)
