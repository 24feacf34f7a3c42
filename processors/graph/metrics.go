package graph

import (
	"github.com/elastic/elastic-agent-libs/monitoring"

	"github.com/m365beat/m365beat/processors"
)

// metrics are the counters of one processor type, registered once in the
// default monitoring registry under processor.<name>.
type metrics struct {
	events          *monitoring.Uint // documents produced
	errors          *monitoring.Uint // documents with error.message
	pagesDropped    *monitoring.Uint // empty result pages (no document)
	evidence        *monitoring.Uint // evidence objects mapped
	unknownEvidence *monitoring.Uint // evidence of a type the spec does not map specifically (kept)
}

// metricsOf returns the counters of processor name (shared by its
// instances).
func metricsOf(name string) *metrics {
	return &metrics{
		events:          processors.Counter(name, "events"),
		errors:          processors.Counter(name, "errors"),
		pagesDropped:    processors.Counter(name, "pages_dropped"),
		evidence:        processors.Counter(name, "evidence.total"),
		unknownEvidence: processors.Counter(name, "evidence.unknown_type"),
	}
}

// countEvidence counts the evidence objects and those of unknown type.
func (m *metrics) countEvidence(evidence []any) {
	if m == nil {
		return
	}
	for _, e := range evidence {
		ev, ok := e.(map[string]any)
		if !ok {
			continue
		}
		m.evidence.Inc()
		if t, _ := evidenceType(ev); !knownEvidence[t] {
			m.unknownEvidence.Inc()
		}
	}
}
