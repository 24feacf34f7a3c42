package graphapi

import (
	"strings"
	"testing"
	"time"

	"github.com/m365beat/m365beat/internal/graphtest"
	"github.com/m365beat/m365beat/internal/inputtest"
	"github.com/m365beat/m365beat/processors"
	graphproc "github.com/m365beat/m365beat/processors/graph"
)

// What the input publishes maps cleanly with the stream's processor: every
// message becomes an ECS document without error.message, and the incident
// stream yields one document per alert.
func TestMessagesMapWithProcessors(t *testing.T) {
	srv := graphtest.New(graphtest.Options{})
	defer srv.Close()
	now := time.Now().UTC()
	srv.Generate(30, now.Add(-time.Hour), now)
	p := &inputtest.Pipeline{AutoACK: true}
	cfg := fakeConfig(srv, map[string]any{"resource": "alerts", "interval": "1h"},
		map[string]any{"resource": "incidents", "interval": "1h"})
	r := start(t, newTestInput(t, cfg), p, inputtest.NewStore())
	evs := p.WaitEvents(t, 60, 10*time.Second)
	r.stop(t)

	alertP := graphproc.New(graphproc.AlertStream, processors.DefaultOptions(), testLogger(t))
	incP := graphproc.New(graphproc.IncidentStream, processors.DefaultOptions(), testLogger(t))
	kinds := map[string]int{}
	for _, e := range evs {
		e := e
		e.Fields = e.Fields.Clone()
		msg, _ := e.Fields["message"].(string)
		proc := alertP
		if len(msg) > 0 && msg[0] == '{' && strings.Contains(msg, `"#microsoft.graph.security.incident"`) {
			proc = incP
		}
		out, err := proc.Run(&e)
		if err != nil || out == nil {
			t.Fatalf("processor: %v, %v", out, err)
		}
		if v, _ := out.Fields.GetValue("error.message"); v != nil {
			t.Errorf("error.message %v for %.300s", v, msg)
		}
		ds, _ := out.Fields.GetValue("m365_defender")
		if ds == nil {
			t.Errorf("no m365_defender fields for %.200s", msg)
		}
		kinds[proc.String()[:strings.Index(proc.String(), "=")]]++
	}
	if len(kinds) != 2 {
		t.Errorf("documents per processor %v, want both streams", kinds)
	}
}
