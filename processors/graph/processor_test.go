package graph

import (
	"strings"
	"testing"
	"time"

	"github.com/elastic/beats/v7/libbeat/beat"
	libprocessors "github.com/elastic/beats/v7/libbeat/processors"
	conf "github.com/elastic/elastic-agent-libs/config"
	"github.com/elastic/elastic-agent-libs/logp"
	"github.com/elastic/elastic-agent-libs/mapstr"

	"github.com/m365beat/m365beat/processors"
)

const smallAlert = `{"id":"a1","lastUpdateDateTime":"2024-03-01T10:00:00.1234Z","description":"d","severity":"high","title":"t","evidence":[{"@odata.type":"#microsoft.graph.security.ipEvidence","ipAddress":"10.0.0.1","createdDateTime":"2024-03-01T09:00:00Z"}]}`

func TestRunKeepsInputMetadataAndReplacesFields(t *testing.T) {
	p := New(AlertStream, processors.Options{}, nil)
	ev := &beat.Event{
		Timestamp: testTime,
		Meta:      mapstr.M{"input_id": "graph-1"},
		Fields: mapstr.M{
			"message":     smallAlert,
			"tags":        []string{"forwarded"},
			"data_stream": mapstr.M{"dataset": "m365_defender.alert", "namespace": "default", "type": "logs"},
			"input":       mapstr.M{"type": "graphapi"},
			"azure":       mapstr.M{"tenant": "x"},
			"stale":       "dropped",
			"event":       mapstr.M{"dataset": "m365_defender.alert"},
		},
	}
	out, err := p.Run(ev)
	if err != nil || out == nil {
		t.Fatalf("Run: %v %v", out, err)
	}
	f := out.Fields
	for key, want := range map[string]any{
		"data_stream.dataset": "m365_defender.alert", "input.type": "graphapi", "azure.tenant": "x",
		"event.dataset": "m365_defender.alert", "message": "d", "event.severity": int64(73),
		"m365_defender.alert.title": "t", "ecs.version": "8.11.0", "event.kind": "alert",
	} {
		if got, _ := f.GetValue(key); got != want {
			t.Errorf("%s = %v, want %v", key, got, want)
		}
	}
	if has, _ := f.HasKey("stale"); has {
		t.Error("unrelated input field kept")
	}
	// Options off: no event.original, duplicates removed, no option tags.
	if has, _ := f.HasKey("event.original"); has {
		t.Error("event.original kept without preserve_original_event")
	}
	if has, _ := f.HasKey("m365_defender.alert.id"); has {
		t.Error("duplicate custom field kept without preserve_duplicate_custom_fields")
	}
	if has, _ := f.HasKey("m365_defender.alert.severity"); !has {
		t.Error("m365_defender.alert.severity removed (never a duplicate)")
	}
	if tags, _ := f.GetValue("tags"); len(tags.([]string)) != 1 || tags.([]string)[0] != "forwarded" {
		t.Errorf("tags = %v", tags)
	}
	if want := time.Date(2024, 3, 1, 10, 0, 0, 123_000_000, time.UTC); !out.Timestamp.Equal(want) {
		t.Errorf("@timestamp = %v, want %v", out.Timestamp, want)
	}
	if out.Meta["input_id"] != "graph-1" || out.Meta["_id"] == nil {
		t.Errorf("@metadata = %v", out.Meta)
	}
	if ev, _ := f.GetValue("m365_defender.alert.evidence"); len(ev.([]any)) != 1 {
		t.Errorf("evidence = %v", ev)
	} else if _, has := ev.([]any)[0].(map[string]any)["ip_address"]; has {
		t.Error("evidence duplicate ip_address kept with the option off")
	}
}

func TestRunOptionTagsAndOriginal(t *testing.T) {
	p := New(IncidentStream, bothOptions, nil)
	ev := &beat.Event{Timestamp: testTime, Fields: mapstr.M{
		"event": mapstr.M{"original": `{"id":"1","displayName":"n"}`},
		"tags":  []any{"forwarded", "preserve_original_event"},
	}}
	out, _ := p.Run(ev)
	tags, _ := out.Fields.GetValue("tags")
	want := []string{"preserve_duplicate_custom_fields", "forwarded", "preserve_original_event"}
	if got := tags.([]string); len(got) != 3 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Errorf("tags = %v, want %v", got, want)
	}
	if o, _ := out.Fields.GetValue("event.original"); o != `{"id":"1","displayName":"n"}` {
		t.Errorf("event.original = %v", o)
	}
	if out.Timestamp != testTime {
		t.Errorf("no lastUpdateDateTime: @timestamp %v, want the beat's time", out.Timestamp)
	}
}

func TestRunBadInput(t *testing.T) {
	for _, c := range []struct {
		stream   Stream
		fields   mapstr.M
		wantKind any
	}{
		{AlertStream, mapstr.M{"message": "not json"}, []any{"alert", "pipeline_error"}},
		{AlertStream, mapstr.M{"message": `["array"]`}, []any{"alert", "pipeline_error"}},
		{AlertStream, mapstr.M{}, []any{"alert", "pipeline_error"}},
		{AlertStream, mapstr.M{"message": `{"value":[{"id":"1"}]}`}, "pipeline_error"},
		{IncidentStream, mapstr.M{"message": "{"}, "pipeline_error"},
		{IncidentStream, mapstr.M{"message": `{"id":"1","assignedTo":5}`}, "pipeline_error"},
		{AlertStream, mapstr.M{"message": `{"id":"1","createdDateTime":"soon"}`}, []any{"alert", "pipeline_error"}},
		{IncidentStream, mapstr.M{"message": `{"id":"1","createdDateTime":""}`}, "alert"},
		{IncidentStream, mapstr.M{"message": `{"id":"1","alerts":[{"id":"a"},{"id":"b"}]}`}, "alert"},
	} {
		p := New(c.stream, processors.Options{}, nil)
		out, err := p.Run(&beat.Event{Timestamp: testTime, Fields: c.fields})
		if err != nil || out == nil {
			t.Fatalf("%v: Run = %v, %v (bad input must give an error document)", c.fields, out, err)
		}
		msgs, _ := out.Fields.GetValue("error.message")
		if l, ok := msgs.([]string); !ok || len(l) == 0 {
			t.Errorf("%v: error.message = %v", c.fields, msgs)
		}
		kind, _ := out.Fields.GetValue("event.kind")
		if !equalAny(kind, c.wantKind) {
			t.Errorf("%v: event.kind = %v, want %v", c.fields, kind, c.wantKind)
		}
		if c.wantKind == "alert" && !strings.Contains(c.fields["message"].(string), "alerts") {
			continue // incident non-fatal errors add no tag
		}
		tags, _ := out.Fields.GetValue("tags")
		if l, _ := tags.([]string); !contains(l, "preserve_original_event") {
			t.Errorf("%v: tags = %v", c.fields, tags)
		}
		if _, ok := c.fields["message"]; ok {
			if has, _ := out.Fields.HasKey("event.original"); !has {
				t.Errorf("%v: event.original dropped on error", c.fields)
			}
		}
	}
}

func equalAny(a, b any) bool {
	la, ok1 := a.([]any)
	lb, ok2 := b.([]any)
	if ok1 != ok2 {
		return false
	}
	if !ok1 {
		return a == b
	}
	if len(la) != len(lb) {
		return false
	}
	for i := range la {
		if la[i] != lb[i] {
			return false
		}
	}
	return true
}

func TestEmptyPageIsCountedNotSilent(t *testing.T) {
	for _, s := range []Stream{AlertStream, IncidentStream} {
		p := New(s, processors.Options{}, nil)
		before := p.m.pagesDropped.Get()
		out, err := p.Run(&beat.Event{Fields: mapstr.M{"message": `{"@odata.context":"x","value":[]}`}})
		if out != nil || err != nil {
			t.Errorf("empty page: %v, %v; want no event", out, err)
		}
		if p.m.pagesDropped.Get() != before+1 {
			t.Error("empty page not counted")
		}
	}
}

func TestUnknownEvidenceTypeKeptAndCounted(t *testing.T) {
	p := New(AlertStream, bothOptions, nil)
	before := p.m.unknownEvidence.Get()
	doc := runRecord(t, p, []byte(`{"id":"1","evidence":[{"@odata.type":"#microsoft.graph.security.kubernetesPodEvidence","name":"pod-1","createdDateTime":"2024-01-01T00:00:00Z"},{"@odata.type":"#microsoft.graph.security.ipEvidence","ipAddress":"1.2.3.4"}]}`))
	ev, _ := doc.GetValue("m365_defender.alert.evidence")
	if l, _ := ev.([]any); len(l) != 2 || l[0].(map[string]any)["name"] != "pod-1" {
		t.Errorf("evidence = %v", ev)
	}
	if got := p.m.unknownEvidence.Get() - before; got != 1 {
		t.Errorf("unknown evidence counted %d times, want 1", got)
	}
}

func TestRegisteredPlugins(t *testing.T) {
	for _, name := range []string{processors.Alert, processors.Incident} {
		cfg := conf.MustNewConfigFrom(map[string]any{name: map[string]any{"preserve_original_event": true}})
		list, err := libprocessors.New(libprocessors.PluginConfig{cfg}, logp.NewNopLogger())
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out, err := list.Run(&beat.Event{Timestamp: testTime, Fields: mapstr.M{"message": `{"id":"x"}`}})
		if err != nil || out == nil {
			t.Fatalf("%s: %v", name, err)
		}
		if o, _ := out.Fields.GetValue("event.original"); o != `{"id":"x"}` {
			t.Errorf("%s: option not applied, event.original = %v", name, o)
		}
	}
	bad := conf.MustNewConfigFrom(map[string]any{processors.Alert: map[string]any{"preserve_original_event": "maybe"}})
	if _, err := libprocessors.New(libprocessors.PluginConfig{bad}, logp.NewNopLogger()); err == nil {
		t.Error("invalid option accepted")
	}
}

// TestRunConcurrent runs one processor from several goroutines (libbeat
// may share a processor between clients); run with -race.
func TestRunConcurrent(t *testing.T) {
	p := New(IncidentStream, bothOptions, nil)
	line := []byte(`{"id":"1","lastUpdateDateTime":"2024-01-01T00:00:00Z","alerts":{"id":"a","evidence":[{"@odata.type":"#microsoft.graph.security.processEvidence","processId":1,"processCommandLine":"a.exe","mdeDeviceId":"m","processCreationDateTime":"2024-01-01T00:00:00Z"}]}}`)
	want := runRecord(t, p, line).String()
	done := make(chan string)
	for i := 0; i < 4; i++ {
		go func() {
			var last string
			for j := 0; j < 50; j++ {
				ev := &beat.Event{Timestamp: testTime, Fields: mapstr.M{"message": string(line)}}
				out, _ := p.Run(ev)
				doc := out.Fields.Clone()
				doc["@timestamp"] = out.Timestamp.UTC().Format(dateLayout)
				doc["@metadata"] = mapstr.M{"_id": out.Meta["_id"]}
				last = doc.String()
			}
			done <- last
		}()
	}
	for i := 0; i < 4; i++ {
		if got := <-done; got != want {
			t.Errorf("concurrent run differs:\n%s\nwant\n%s", got, want)
		}
	}
}
