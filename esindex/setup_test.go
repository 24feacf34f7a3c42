package esindex

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/elastic/beats/v7/libbeat/esleg/eslegclient"
	"github.com/elastic/elastic-agent-libs/logp"

	"github.com/m365beat/m365beat/include"
	"github.com/m365beat/m365beat/internal/estest"
)

func connect(t *testing.T, es *estest.Server) *eslegclient.Connection {
	t.Helper()
	c, err := eslegclient.NewConnection(eslegclient.ConnectionSettings{URL: es.URL, Beatname: "m365beat"}, logp.NewNopLogger())
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// datasetsWithFields are the datasets this build has a fields.yml for.
func datasetsWithFields() []string {
	var out []string
	for _, ds := range Datasets {
		if _, err := include.DatasetFields(ds); err == nil {
			out = append(out, ds)
		}
	}
	return out
}

func get(m map[string]any, path string) any {
	var cur any = m
	for _, k := range strings.Split(path, "/") {
		mm, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = mm[k]
	}
	return cur
}

func mappingType(tmpl map[string]any, field string) any {
	p := "template/mappings"
	for _, part := range strings.Split(field, ".") {
		p += "/properties/" + part
	}
	return get(tmpl, p+"/type")
}

var full = Options{Templates: true, ILM: true, Overwrite: true}

func TestSetupCreatesTemplatesPolicyAndDataStreams(t *testing.T) {
	es := estest.NewServer()
	defer es.Close()
	cfg := defaultConfig()
	cfg.Template.Namespaces = []string{"default", "prod"}
	r, err := Setup(connect(t, es), cfg, full, "9.3.0", logp.NewNopLogger())
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Created) == 0 {
		t.Fatal("nothing created")
	}

	pol, ok := es.Policy("m365beat")
	if !ok {
		t.Fatal("ILM policy m365beat not installed")
	}
	ro := get(pol, "policy/phases/hot/actions/rollover")
	if ro == nil || get(pol, "policy/phases/hot/actions/rollover/max_primary_shard_size") != "50gb" || get(pol, "policy/phases/hot/actions/rollover/max_age") != "30d" {
		t.Fatalf("rollover %v", ro)
	}

	dss := datasetsWithFields()
	if len(dss) == 0 || dss[0] != "m365_defender.event" {
		t.Fatalf("datasets with fields: %v", dss)
	}
	for _, ds := range dss {
		tm, ok := es.Template("m365beat-" + ds)
		if !ok {
			t.Fatalf("template m365beat-%s not installed", ds)
		}
		if p := patternsOf(tm); len(p) != 1 || p[0] != "logs-"+ds+"-*" {
			t.Errorf("%s: index_patterns %v", ds, p)
		}
		if tm["data_stream"] == nil {
			t.Errorf("%s: no data_stream", ds)
		}
		if pr, _ := tm["priority"].(float64); pr != 250 {
			t.Errorf("%s: priority %v", ds, tm["priority"])
		}
		if get(tm, "template/settings/index/lifecycle/name") != "m365beat" {
			t.Errorf("%s: lifecycle %v", ds, get(tm, "template/settings/index/lifecycle"))
		}
		if get(tm, "template/settings/index/mapping/total_fields/ignore_dynamic_beyond_limit") != true ||
			get(tm, "template/settings/index/mapping/ignore_malformed") != true {
			t.Errorf("%s: mapping settings %v", ds, get(tm, "template/settings/index/mapping"))
		}
		if mappingType(tm, "@timestamp") != "date" || mappingType(tm, "data_stream.dataset") != "constant_keyword" {
			t.Errorf("%s: @timestamp %v, data_stream.dataset %v", ds, mappingType(tm, "@timestamp"), mappingType(tm, "data_stream.dataset"))
		}
		for _, ns := range []string{"default", "prod"} {
			if got := es.DataStreams()["logs-"+ds+"-"+ns]; got != "m365beat-"+ds {
				t.Errorf("data stream logs-%s-%s: template %q", ds, ns, got)
			}
		}
	}
	ev, _ := es.Template("m365beat-m365_defender.event")
	for field, want := range map[string]string{
		"source.ip":                             "ip",
		"destination.port":                      "long",
		"m365_defender.event.unmapped":          "flattened",
		"m365_defender.event.additional_fields": "flattened",
		"file.hash.sha256":                      "keyword",
		"azure.eventhub.enqueued_time":          "date",
	} {
		if got := mappingType(ev, field); got != want {
			t.Errorf("event template: %s is %v, want %s", field, got, want)
		}
	}
}

// Each data stream has its fields.yml in this build, so setup installs
// the three templates.
func TestEveryDatasetHasFields(t *testing.T) {
	if got := datasetsWithFields(); len(got) != len(Datasets) {
		t.Fatalf("datasets with a fields.yml: %v, want %v", got, Datasets)
	}
	es := estest.NewServer()
	defer es.Close()
	if _, err := Setup(connect(t, es), defaultConfig(), full, "9.3.0", logp.NewNopLogger()); err != nil {
		t.Fatal(err)
	}
	for tmpl, fields := range map[string]map[string]string{
		"m365beat-m365_defender.alert": {"@timestamp": "date", "m365_defender.alert.severity": "keyword",
			"threat.tactic.name": "keyword", "related.hosts": "keyword", "data_stream.namespace": "constant_keyword"},
		"m365beat-m365_defender.incident": {"@timestamp": "date", "m365_defender.incident.status": "keyword",
			"host.name": "keyword", "m365_defender.incident.id": "keyword"},
	} {
		tm, ok := es.Template(tmpl)
		if !ok {
			t.Fatalf("%s not installed", tmpl)
		}
		for f, want := range fields {
			if got := mappingType(tm, f); got != want {
				t.Errorf("%s: %s is %v, want %s", tmpl, f, got, want)
			}
		}
	}
}

// A second setup finds everything in place and writes nothing.
func TestSetupTwiceIsNoOp(t *testing.T) {
	es := estest.NewServer()
	defer es.Close()
	c := connect(t, es)
	log := logp.NewNopLogger()
	if _, err := Setup(c, defaultConfig(), full, "9.3.0", log); err != nil {
		t.Fatal(err)
	}
	before := len(es.Calls())
	r, err := Setup(c, defaultConfig(), full, "9.3.0", log)
	if err != nil {
		t.Fatal(err)
	}
	for _, call := range es.Calls()[before:] {
		if call.Method != http.MethodGet && call.Method != http.MethodHead {
			t.Errorf("second setup sent %s %s", call.Method, call.Path)
		}
	}
	if len(r.Created)+len(r.Updated) != 0 {
		t.Errorf("second setup created %v updated %v", r.Created, r.Updated)
	}
	// policy + per dataset: template and data stream
	if want := 1 + 2*len(datasetsWithFields()); len(r.Unchanged) != want {
		t.Errorf("unchanged %v, want %d objects", r.Unchanged, want)
	}
	// A changed setting (new priority) updates the templates, nothing else.
	cfg := defaultConfig()
	cfg.Template.Priority = 260
	r, err = Setup(c, cfg, full, "9.3.0", log)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Updated) != len(datasetsWithFields()) || len(r.Created) != 0 {
		t.Errorf("priority change: updated %v created %v", r.Updated, r.Created)
	}
}

// Another template that would win over m365beat's (or that Elasticsearch
// would refuse m365beat's for) is named in a clear error; a lower one,
// like Elastic's integration, is a warning.
func TestSetupReportsConflictingTemplates(t *testing.T) {
	es := estest.NewServer()
	defer es.Close()
	es.PutTemplate("logs", map[string]any{"index_patterns": []any{"logs-*-*"}, "priority": 100.0, "data_stream": map[string]any{}})
	es.PutTemplate("logs-m365_defender.event", map[string]any{"index_patterns": []any{"logs-m365_defender.event-*"}, "priority": 200.0, "data_stream": map[string]any{}})
	c := connect(t, es)
	log := logp.NewNopLogger()
	r, err := Setup(c, defaultConfig(), full, "9.3.0", log)
	if err != nil {
		t.Fatal(err)
	}
	warned := false
	for _, w := range r.Warnings {
		if strings.Contains(w, `"logs-m365_defender.event"`) && strings.Contains(w, "takes precedence") {
			warned = true
		}
		if strings.Contains(w, `"logs"`) {
			t.Errorf("built-in logs template reported: %s", w)
		}
	}
	if !warned {
		t.Errorf("integration template not reported: %v", r.Warnings)
	}

	es.PutTemplate("custom-m365", map[string]any{"index_patterns": []any{"logs-m365_defender.*"}, "priority": 300.0})
	before := len(es.Calls())
	_, err = Setup(c, defaultConfig(), full, "9.3.0", log)
	if err == nil || !strings.Contains(err.Error(), `"custom-m365"`) || !strings.Contains(err.Error(), "setup.template.priority") {
		t.Fatalf("conflict error %v", err)
	}
	for _, call := range es.Calls()[before:] {
		if strings.HasPrefix(call.Path, "/_index_template/") && call.Method == http.MethodPut {
			t.Errorf("template written despite the conflict: %s", call.Path)
		}
	}

	// A template of the same name not installed by m365beat is not replaced.
	es2 := estest.NewServer()
	defer es2.Close()
	es2.PutTemplate("m365beat-m365_defender.event", map[string]any{"index_patterns": []any{"logs-m365_defender.event-*"}, "priority": 250.0})
	_, err = Setup(connect(t, es2), defaultConfig(), full, "9.3.0", log)
	if err == nil || !strings.Contains(err.Error(), "not installed by m365beat") {
		t.Fatalf("foreign template of the same name: %v", err)
	}
}

func TestSetupPrivilegeError(t *testing.T) {
	srv := estest.NewServer()
	defer srv.Close()
	c := connect(t, srv)
	_, err := Setup(forbidden{c}, defaultConfig(), full, "9.3.0", logp.NewNopLogger())
	var perr PrivilegeError
	if err == nil || !errorsAs(err, &perr) || !strings.Contains(err.Error(), "manage_index_templates") {
		t.Fatalf("error %v", err)
	}
}

type forbidden struct{ *eslegclient.Connection }

func (f forbidden) Request(method, path, pipeline string, params map[string]string, body any) (int, []byte, error) {
	return 403, []byte(`{"error":{"type":"security_exception"}}`), nil
}
