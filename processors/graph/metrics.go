package graph

import (
	"sync"

	"github.com/elastic/elastic-agent-libs/monitoring"
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

var (
	metricsMu  sync.Mutex
	metricsFor = map[string]*metrics{}
)

// metricsOf returns the counters of processor name, creating them once.
func metricsOf(name string) *metrics {
	metricsMu.Lock()
	defer metricsMu.Unlock()
	if m, ok := metricsFor[name]; ok {
		return m
	}
	reg := monitoring.Default.GetOrCreateRegistry("processor." + name)
	m := &metrics{
		events:          uintVar(reg, "events"),
		errors:          uintVar(reg, "errors"),
		pagesDropped:    uintVar(reg, "pages_dropped"),
		evidence:        uintVar(reg, "evidence.total"),
		unknownEvidence: uintVar(reg, "evidence.unknown_type"),
	}
	metricsFor[name] = m
	return m
}

func uintVar(reg *monitoring.Registry, name string) *monitoring.Uint {
	if v, ok := reg.Get(name).(*monitoring.Uint); ok {
		return v
	}
	return monitoring.NewUint(reg, name)
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
