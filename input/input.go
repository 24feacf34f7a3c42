// Package input holds the registry of m365beat inputs and the small
// interfaces an input uses to publish events and keep state. Inputs never
// touch libbeat's pipeline directly: the Beater hands them a Connector.
package input

import (
	"context"
	"fmt"
	"sort"
	"sync"

	"github.com/elastic/beats/v7/libbeat/beat"
	conf "github.com/elastic/elastic-agent-libs/config"
	"github.com/elastic/elastic-agent-libs/logp"
	"github.com/elastic/elastic-agent-libs/monitoring"
)

// Input is one configured input (one entry of m365beat.inputs).
type Input interface {
	// Run blocks until ctx.Cancel is done or the input fails for good.
	// Transient errors are the input's own business: it logs, backs off and
	// retries; it returns only when told to stop or on a configuration error.
	Run(ctx Context) error
}

// Tester is implemented by inputs that can check their connectivity and
// credentials for `m365beat test inputs`.
type Tester interface {
	// Test runs the checks and reports each through report.
	Test(ctx context.Context, report func(check string, err error)) error
}

// Factory builds an input from its configuration (the whole entry of
// m365beat.inputs, including id, type, data_stream and streams). It must
// validate the configuration and return errors that name the YAML key.
type Factory func(cfg *conf.C, log *logp.Logger) (Input, error)

// Context is what the Beater gives a running input.
type Context struct {
	// ID is the input's id (unique in the process).
	ID string
	// Cancel is done when the input must stop.
	Cancel context.Context
	// Logger is already named after the input.
	Logger *logp.Logger
	// Pipeline connects publishing clients (one per stream usually).
	Pipeline Connector
	// Store persists checkpoints and cursors under path.data.
	Store Store
	// Metrics is the monitoring registry of this input (namespace
	// "dataset" of libbeat's monitoring, keyed by input id).
	Metrics *monitoring.Registry
}

// Connector opens publishing clients on libbeat's pipeline.
type Connector interface {
	// Connect opens a client publishing into data stream dataset, running
	// the processors configured for that stream. onACK (may be nil) is
	// called, in publish order, with the Private values of acknowledged
	// events once the output has acknowledged them.
	Connect(stream Stream, onACK func(privates []any)) (Client, error)
}

// Stream identifies the data stream a client publishes to and the
// processors applied to its events.
type Stream struct {
	// Dataset is data_stream.dataset, e.g. m365_defender.event.
	Dataset string
	// Namespace is data_stream.namespace (default "default").
	Namespace string
	// Processor is the m365_defender processor that maps the stream's
	// records (e.g. "m365_defender_alert"). Empty means: the processor of
	// Dataset (see processors.ForDataset).
	Processor string
	// Processors is the stream's `processors:` configuration (optional).
	Processors []*conf.C
	// Options are options of the m365_defender processors for this stream
	// (preserve_original_event, preserve_duplicate_custom_fields, ...).
	Options *conf.C
}

// Client publishes events. Publish blocks when the queue is full (back
// pressure) and returns once the event is in the queue.
type Client interface {
	Publish(beat.Event)
	PublishAll([]beat.Event)
	Close() error
}

// Store is a small persistent key/value store (libbeat's statestore).
type Store interface {
	Get(key string, into any) error
	Has(key string) (bool, error)
	Set(key string, from any) error
	Remove(key string) error
}

var (
	mu       sync.RWMutex
	registry = map[string]Factory{}
)

// Register adds an input type. It panics on duplicate names: registration
// happens in init functions and a duplicate is a programming error.
func Register(name string, f Factory) {
	mu.Lock()
	defer mu.Unlock()
	if _, dup := registry[name]; dup {
		panic(fmt.Sprintf("input type %q registered twice", name))
	}
	registry[name] = f
}

// Lookup returns the factory of an input type.
func Lookup(name string) (Factory, bool) {
	mu.RLock()
	defer mu.RUnlock()
	f, ok := registry[name]
	return f, ok
}

// Types lists the registered input types, sorted.
func Types() []string {
	mu.RLock()
	defer mu.RUnlock()
	out := make([]string, 0, len(registry))
	for k := range registry {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
