package beater

import (
	"fmt"
	"time"

	"github.com/elastic/beats/v7/libbeat/beat"
	"github.com/elastic/beats/v7/libbeat/common/acker"
	libprocessors "github.com/elastic/beats/v7/libbeat/processors"
	conf "github.com/elastic/elastic-agent-libs/config"
	"github.com/elastic/elastic-agent-libs/logp"
	"github.com/elastic/elastic-agent-libs/mapstr"

	"github.com/m365beat/m365beat/config"
	"github.com/m365beat/m365beat/input"
	"github.com/m365beat/m365beat/processors"
)

// connector is the input.Connector of one input: it opens libbeat pipeline
// clients whose processors are the stream's m365_defender processor, then
// the stream's own processors, then the data stream routing.
type connector struct {
	pipeline  beat.PipelineConnector
	inputID   string
	inputType string
	waitClose time.Duration
	log       *logp.Logger
}

// Connect implements input.Connector.
func (c *connector) Connect(s input.Stream, onACK func([]any)) (input.Client, error) {
	procs, err := StreamProcessors(s, c.log)
	if err != nil {
		return nil, err
	}
	ns := s.Namespace
	if ns == "" {
		ns = config.DefaultNamespace
	}
	procs.AddProcessor(dataStream(s.Dataset, ns, c.inputType, c.inputID))

	// libbeat's event normalization would deep-copy the fields the input
	// publishes (the record text and its source metadata: strings, integers,
	// time.Time, maps) only for the m365_defender processor to replace them:
	// inputs publish normalized types, so it is off.
	normalize := false
	cfg := beat.ClientConfig{
		PublishMode: beat.GuaranteedSend,
		Processing:  beat.ProcessingConfig{Processor: procs, EventNormalization: &normalize},
		WaitClose:   c.waitClose,
	}
	if onACK != nil {
		cfg.EventListener = acker.EventPrivateReporter(func(_ int, privates []any) { onACK(privates) })
	}
	cl, err := c.pipeline.ConnectWith(cfg)
	if err != nil {
		return nil, fmt.Errorf("input %s: connect to the pipeline: %w", c.inputID, err)
	}
	return cl, nil
}

// StreamProcessors builds the processors of a stream: its m365_defender
// processor (with the stream's options) followed by the stream's own
// `processors:`. normalize uses the same function.
func StreamProcessors(s input.Stream, log *logp.Logger) (*libprocessors.Processors, error) {
	name := s.Processor
	if name == "" {
		var ok bool
		if name, ok = processors.ForDataset(s.Dataset); !ok {
			return nil, fmt.Errorf("data_stream.dataset: %q has no m365_defender processor; set one of %s, %s, %s, %s",
				s.Dataset, processors.DatasetEvent, processors.DatasetAlert, processors.DatasetIncident, processors.DatasetVulnerability)
		}
	}
	opts := s.Options
	if opts == nil {
		opts = conf.NewConfig()
	}
	list := []*conf.C{conf.MustNewConfigFrom(map[string]any{name: map[string]any{}})}
	if err := list[0].SetChild(name, -1, opts); err != nil {
		return nil, err
	}
	list = append(list, s.Processors...)
	procs, err := libprocessors.New(list, log)
	if err != nil {
		return nil, fmt.Errorf("processors: %w", err)
	}
	return procs, nil
}

// dataStream sets the data_stream fields and routes the event to its data
// stream (raw index, op_type create, as data streams require).
func dataStream(dataset, namespace, inputType, inputID string) beat.Processor {
	return &routing{
		index: "logs-" + dataset + "-" + namespace, dataset: dataset, namespace: namespace,
		inputType: inputType, inputID: inputID,
	}
}

type routing struct {
	index, dataset, namespace, inputType, inputID string
}

func (r *routing) Run(e *beat.Event) (*beat.Event, error) {
	if e.Meta == nil {
		e.Meta = mapstr.M{}
	}
	e.Meta["raw_index"] = r.index
	if _, ok := e.Meta["op_type"]; !ok {
		e.Meta["op_type"] = "create"
	}
	if e.Fields == nil {
		e.Fields = mapstr.M{}
	}
	merge(e.Fields, "data_stream", "type", "logs", "dataset", r.dataset, "namespace", r.namespace)
	merge(e.Fields, "event", "dataset", r.dataset, "module", "m365_defender")
	merge(e.Fields, "input", "type", r.inputType, "id", r.inputID)
	return e, nil
}

// merge sets key/value pairs kv in the object fields[name], creating it
// when absent or not an object. Each event gets objects of its own
// (processors that run later may change them), as plain maps: libbeat's
// JSON encoder has a fast path for them.
func merge(fields mapstr.M, name string, kv ...string) {
	var m map[string]any
	switch o := fields[name].(type) {
	case map[string]any:
		m = o
	case mapstr.M:
		m = o
	default:
		m = make(map[string]any, len(kv)/2)
		fields[name] = m
	}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
}

func (r *routing) String() string { return "m365beat_data_stream=" + r.index }
