package processors

import (
	"sync"

	"github.com/elastic/elastic-agent-libs/monitoring"
)

var countersMu sync.Mutex

// Counter returns the counter name of the monitoring registry
// processor.<processor>, creating it on first use. Every instance of a
// processor shares its counters; creation is serialised because libbeat's
// registry refuses a name registered twice.
func Counter(processor, name string) *monitoring.Uint {
	countersMu.Lock()
	defer countersMu.Unlock()
	reg := monitoring.Default.GetOrCreateRegistry("processor." + processor)
	if v, ok := reg.Get(name).(*monitoring.Uint); ok {
		return v
	}
	return monitoring.NewUint(reg, name)
}
