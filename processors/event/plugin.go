package event

import (
	"github.com/elastic/beats/v7/libbeat/processors"

	m365 "github.com/m365beat/m365beat/processors"
)

// init registers the router and one processor per table of the registry.
func init() {
	processors.RegisterPlugin(m365.Event, constructor(nil))
	for i := range Tables {
		processors.RegisterPlugin(Tables[i].Plugin, constructor(&Tables[i]))
	}
}
