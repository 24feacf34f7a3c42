package graph

import (
	"errors"
	"fmt"
	"time"

	"github.com/elastic/beats/v7/libbeat/beat"
	"github.com/elastic/elastic-agent-libs/logp"
	"github.com/elastic/elastic-agent-libs/mapstr"

	"github.com/m365beat/m365beat/input/split"
	"github.com/m365beat/m365beat/processors"
)

const (
	ecsVersion            = "8.11.0"
	tagPreserveOriginal   = "preserve_original_event"
	tagPreserveDuplicates = "preserve_duplicate_custom_fields"
)

// Stream selects the mapping.
type Stream int

const (
	// AlertStream maps alerts_v2 objects.
	AlertStream Stream = iota
	// IncidentStream maps incident records (split, one alert each).
	IncidentStream
)

// Processor is one m365_defender_alert or m365_defender_incident processor.
type Processor struct {
	stream Stream
	name   string
	opts   processors.Options
	log    *logp.Logger
	m      *metrics
}

// New builds a processor for stream with the given options.
func New(stream Stream, opts processors.Options, log *logp.Logger) *Processor {
	name := processors.Alert
	if stream == IncidentStream {
		name = processors.Incident
	}
	if log == nil {
		log = logp.NewNopLogger()
	}
	return &Processor{stream: stream, name: name, opts: opts, log: log.Named(name), m: metricsOf(name)}
}

// String implements beat.Processor.
func (p *Processor) String() string {
	return fmt.Sprintf("%s={preserve_original_event: %v, preserve_duplicate_custom_fields: %v}",
		p.name, p.opts.PreserveOriginalEvent, p.opts.PreserveDuplicateCustomFields)
}

// keptInputFields are the input metadata kept on the event (contract in
// processors/processors.go).
var keptInputFields = []string{"azure", "data_stream", "input"}

// Run implements beat.Processor: the event's fields are replaced by the
// ECS document of the record in event.original (else message). A record
// that is an empty Graph result page yields no event (counted, logged at
// debug level). Errors on the record are reported in error.message.
func (p *Processor) Run(ev *beat.Event) (*beat.Event, error) {
	if ev == nil {
		return nil, nil
	}
	if ev.Fields == nil {
		ev.Fields = mapstr.M{}
	}
	raw, ok := processors.RawText(ev.Fields)
	tags := p.opts.MergeTags(ev.Fields["tags"])
	d := newDoc()
	if !ok {
		d.errorf("no record: neither event.original nor message is a string")
		p.finish(ev, d, "", tags, p.stream == IncidentStream)
		return ev, nil
	}
	v, err := split.Decode(raw)
	rec, isObj := v.(map[string]any)
	if err != nil || !isObj {
		if err == nil {
			err = errors.New("not a JSON object")
		}
		// Alert stream: a recorded error ([alert, pipeline_error]);
		// incident stream: fatal (pipeline_error).
		d.errorf("record: " + err.Error())
		p.finish(ev, d, raw, tags, p.stream == IncidentStream)
		return ev, nil
	}
	if page, ok := rec["value"].([]any); ok {
		if len(page) == 0 {
			p.m.pagesDropped.Inc()
			p.log.Debugw("empty Graph result page: no document", "event.original_length", len(raw))
			return nil, nil
		}
		if p.stream == AlertStream {
			d.errorf("unexpected value array, input misconfigured: a whole Graph result page reached the mapping; split it with input/split")
			p.finish(ev, d, raw, tags, true)
			return ev, nil
		}
	}
	now := ev.Timestamp
	if now.IsZero() {
		now = time.Now()
	}
	var ts time.Time
	var id string
	var hasID, fatal bool
	keep := p.opts.PreserveDuplicateCustomFields || contains(tags, tagPreserveDuplicates)
	switch p.stream {
	case AlertStream:
		id, hasID = fingerprint(rec["id"], rec["incidentId"], rec["lastUpdateDateTime"], rec["providerAlertId"])
		ts = mapAlert(rec, d, keep, now, p.m)
	default:
		al := incidentAlert(rec, d)
		if al == nil {
			id, hasID = incidentID(rec, map[string]any{})
		} else {
			id, hasID = incidentID(rec, al)
		}
		if ts, err = mapIncident(rec, al, d, keep, now, p.m); err != nil {
			d.errorf(err.Error())
			fatal = true
		}
	}
	ev.Timestamp = ts
	if hasID {
		if ev.Meta == nil {
			ev.Meta = mapstr.M{}
		}
		ev.Meta["_id"] = id
	}
	p.finish(ev, d, raw, tags, fatal)
	return ev, nil
}

// finish replaces the event's fields by the mapped document plus the kept
// input metadata, and applies §14 and §15.
func (p *Processor) finish(ev *beat.Event, d *doc, raw string, tags []string, fatal bool) {
	d.set("ecs.version", ecsVersion)
	if _, ok := d.f["event.kind"]; !ok {
		d.set("event.kind", "alert")
	}
	fields := d.fields()
	cleanup(fields)
	if len(d.errs) > 0 {
		evf, _ := fields["event"].(mapstr.M)
		if evf == nil {
			evf = mapstr.M{}
			fields["event"] = evf
		}
		switch {
		case fatal:
			evf["kind"] = "pipeline_error"
			tags = addTag(tags, tagPreserveOriginal)
		case p.stream == AlertStream:
			evf["kind"] = []any{"alert", "pipeline_error"}
			tags = addTag(tags, tagPreserveOriginal)
		}
		msgs := make([]string, len(d.errs))
		copy(msgs, d.errs)
		fields["error"] = mapstr.M{"message": msgs}
		p.m.errors.Inc()
	}
	if d.keepOriginal {
		tags = addTag(tags, tagPreserveOriginal)
	}
	if raw != "" && contains(tags, tagPreserveOriginal) {
		evf, _ := fields["event"].(mapstr.M)
		if evf == nil {
			evf = mapstr.M{}
			fields["event"] = evf
		}
		evf["original"] = raw
	}
	if len(tags) > 0 {
		fields["tags"] = tags
	}
	old := ev.Fields
	for _, key := range keptInputFields {
		if v, ok := old[key]; ok {
			if _, taken := fields[key]; !taken {
				fields[key] = v
			} else if m, ok := fields[key].(mapstr.M); ok {
				if om, ok := v.(mapstr.M); ok {
					m.DeepUpdateNoOverwrite(om)
				}
			}
		}
	}
	if ds, err := old.GetValue("event.dataset"); err == nil {
		_, _ = fields.Put("event.dataset", ds)
	}
	ev.Fields = fields
	p.m.events.Inc()
}

func addTag(tags []string, t string) []string {
	if contains(tags, t) {
		return tags
	}
	return append(tags, t)
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}
