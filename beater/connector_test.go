package beater

import (
	"testing"

	"github.com/elastic/beats/v7/libbeat/beat"
	"github.com/elastic/elastic-agent-libs/mapstr"
)

// The routing step sets the data stream fields, keeps what the event
// already has in those objects, and gives each event objects of its own.
func TestDataStreamRouting(t *testing.T) {
	p := dataStream("m365_defender.event", "prod", "eventhub", "hub1")
	a := &beat.Event{Fields: mapstr.M{"event": map[string]any{"kind": "event"}, "input": mapstr.M{"extra": "x"}}}
	b := &beat.Event{Fields: mapstr.M{"data_stream": "not an object"}}
	for _, e := range []*beat.Event{a, b} {
		if _, err := p.Run(e); err != nil {
			t.Fatal(err)
		}
		if e.Meta["raw_index"] != "logs-m365_defender.event-prod" || e.Meta["op_type"] != "create" {
			t.Fatalf("meta %v", e.Meta)
		}
		for path, want := range map[string]string{
			"data_stream.type": "logs", "data_stream.dataset": "m365_defender.event", "data_stream.namespace": "prod",
			"event.dataset": "m365_defender.event", "event.module": "m365_defender",
			"input.type": "eventhub", "input.id": "hub1",
		} {
			if v, _ := e.Fields.GetValue(path); v != want {
				t.Errorf("%s = %v, want %q", path, v, want)
			}
		}
	}
	if v, _ := a.Fields.GetValue("event.kind"); v != "event" {
		t.Errorf("event.kind lost: %v", a.Fields)
	}
	if v, _ := a.Fields.GetValue("input.extra"); v != "x" {
		t.Errorf("input.extra lost: %v", a.Fields)
	}
	// Objects are not shared between events.
	a.Fields["data_stream"].(map[string]any)["namespace"] = "changed"
	if v, _ := b.Fields.GetValue("data_stream.namespace"); v != "prod" {
		t.Errorf("events share data_stream: %v", v)
	}
}
