package esindex

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/elastic/beats/v7/libbeat/beat"
	"github.com/elastic/beats/v7/libbeat/idxmgmt"
	conf "github.com/elastic/elastic-agent-libs/config"
	"github.com/elastic/elastic-agent-libs/logp"
	"github.com/elastic/elastic-agent-libs/mapstr"

	"github.com/m365beat/m365beat/internal/estest"
)

func TestReadConfigAndValidate(t *testing.T) {
	root := conf.MustNewConfigFrom(map[string]any{
		"m365beat.inputs": []any{
			map[string]any{"type": "graphapi", "data_stream.namespace": "prod"},
			map[string]any{"type": "eventhub"},
			map[string]any{"type": "eventhub", "data_stream.namespace": "prod"},
		},
		"setup.ilm.rollover.max_age": "7d",
	})
	c, err := ReadConfig(root)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(c.Template.Namespaces, ",") != "prod,default" || c.ILM.Rollover.MaxAge != "7d" || c.Template.Priority != 250 {
		t.Fatalf("config %+v", c)
	}
	for key, val := range map[string]any{
		"setup.template.priority":                   100,
		"setup.ilm.rollover.max_age":                "a month",
		"setup.ilm.rollover.max_primary_shard_size": "50 GB",
		"setup.ilm.delete_after":                    "90 days",
		"setup.ilm.policy_name":                     "Bad Name",
		"setup.template.namespaces":                 []any{"Prod-1"},
	} {
		c, err := ReadConfig(conf.MustNewConfigFrom(map[string]any{key: val}))
		if err == nil {
			err = c.Validate()
		}
		if err == nil || !strings.Contains(err.Error(), strings.TrimSuffix(key, "s")) {
			t.Errorf("%s=%v: %v", key, val, err)
		}
	}
}

func TestPolicyDeletePhaseAndFile(t *testing.T) {
	c := defaultConfig()
	c.ILM.DeleteAfter = "90d"
	p, err := Policy(c)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := p.GetValue("policy.phases.delete.min_age"); v != "90d" {
		t.Fatalf("delete phase %v", p)
	}
	c.ILM.PolicyFile = "testdata/does-not-exist.json"
	if _, err := Policy(c); err == nil || !strings.Contains(err.Error(), "setup.ilm.policy_file") {
		t.Fatalf("missing policy file: %v", err)
	}
}

// Events go to @metadata.raw_index (m365beat's routing), else to their
// data stream, else to the output's index setting.
func TestSelector(t *testing.T) {
	s, err := newSupport(logp.NewNopLogger(), beat.Info{Beat: "m365beat", Version: "9.3.0"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	sel, err := s.BuildSelector(conf.NewConfig())
	if err != nil {
		t.Fatal(err)
	}
	ev := &beat.Event{Fields: mapstr.M{"data_stream": mapstr.M{"dataset": "m365_defender.alert", "namespace": "prod"}}}
	if got, err := sel.Select(ev); err != nil || got != "logs-m365_defender.alert-prod" {
		t.Errorf("data stream routing: %q %v", got, err)
	}
	ev.Meta = mapstr.M{"raw_index": "logs-m365_defender.event-Default"}
	if got, _ := sel.Select(ev); got != "logs-m365_defender.event-default" {
		t.Errorf("raw_index routing: %q", got)
	}
	if _, err := sel.Select(&beat.Event{Fields: mapstr.M{}}); err == nil {
		t.Error("event without data stream selected an index")
	}
	sel, _ = s.BuildSelector(conf.MustNewConfigFrom(map[string]any{"index": "custom-%{[data_stream.namespace]}"}))
	if got, _ := sel.Select(&beat.Event{Fields: mapstr.M{"data_stream": mapstr.M{"namespace": "x"}}}); got != "custom-x" {
		t.Errorf("index setting: %q", got)
	}
}

// libbeat's load modes: setup --index-management, the connect callback
// (which never fails the output), and disabled settings.
func TestManagerModes(t *testing.T) {
	es := estest.NewServer()
	defer es.Close()
	s, err := newSupport(logp.NewNopLogger(), beat.Info{Beat: "m365beat", Version: "9.3.0"},
		conf.MustNewConfigFrom(map[string]any{"setup.template.enabled": false, "setup.ilm.enabled": false}))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	s.Out = &out
	s.Connect = func(context.Context) (ESClient, error) { return connect(t, es), nil }
	m := s.Manager(esHandler{}, nil)
	if s.Enabled() {
		t.Error("enabled with both settings false")
	}
	// Connect callback with loading disabled: nothing.
	if err := m.Setup(idxmgmt.LoadModeEnabled, idxmgmt.LoadModeEnabled); err != nil || len(es.Calls()) != 0 {
		t.Fatalf("disabled callback: %v, %d calls", err, len(es.Calls()))
	}
	// setup --index-management loads the templates whatever enabled says;
	// the policy follows setup.ilm.enabled.
	if err := m.Setup(idxmgmt.LoadModeOverwrite, idxmgmt.LoadModeEnabled); err != nil {
		t.Fatal(err)
	}
	if _, ok := es.Template("m365beat-m365_defender.event"); !ok {
		t.Error("setup did not load the template")
	}
	if _, ok := es.Policy("m365beat"); ok {
		t.Error("policy loaded with setup.ilm.enabled false")
	}
	if !strings.Contains(out.String(), "created: index template m365beat-m365_defender.event") {
		t.Errorf("report:\n%s", out.String())
	}
	// A failing connect callback does not fail the output.
	s2, _ := newSupport(logp.NewNopLogger(), beat.Info{Beat: "m365beat", Version: "9.3.0"}, nil)
	es.PutTemplate("other", map[string]any{"index_patterns": []any{"logs-*"}, "priority": 900.0})
	s2.Connect = s.Connect
	if err := s2.Manager(esHandler{}, nil).Setup(idxmgmt.LoadModeEnabled, idxmgmt.LoadModeEnabled); err != nil {
		t.Fatalf("connect callback failed the output: %v", err)
	}
	if err := s2.Manager(esHandler{}, nil).Setup(idxmgmt.LoadModeOverwrite, idxmgmt.LoadModeEnabled); err == nil {
		t.Fatal("setup ignored a conflicting template")
	}
	// Not Elasticsearch: a clear error.
	if err := s.Manager(nil, nil).Setup(idxmgmt.LoadModeForce, idxmgmt.LoadModeDisabled); err == nil || !strings.Contains(err.Error(), "export template") {
		t.Errorf("file handler: %v", err)
	}
}

// esHandler is an idxmgmt.ClientHandler that says it is Elasticsearch.
type esHandler struct{ idxmgmt.ClientHandler }

func (esHandler) IsElasticsearch() bool { return true }
