package beater

import (
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/elastic/beats/v7/libbeat/beat"
	"github.com/elastic/beats/v7/libbeat/idxmgmt"
	"github.com/elastic/beats/v7/libbeat/outputs"
	"github.com/elastic/beats/v7/libbeat/publisher/pipeline"
	"github.com/elastic/beats/v7/libbeat/publisher/processing"
	conf "github.com/elastic/elastic-agent-libs/config"
	"github.com/elastic/elastic-agent-libs/logp"
	"github.com/elastic/elastic-agent-libs/monitoring"

	"github.com/m365beat/m365beat/esindex"
	"github.com/m365beat/m365beat/input"
	"github.com/m365beat/m365beat/internal/estest"
	"github.com/m365beat/m365beat/processors"
	_ "github.com/m365beat/m365beat/processors/graph"
)

// newSetupPipeline is newPipeline with m365beat's index management (as
// cmd/root.go configures it) and output metrics in reg.
func newSetupPipeline(t *testing.T, reg *monitoring.Registry, output string, outCfg map[string]any) *pipeline.Pipeline {
	t.Helper()
	log := logp.NewNopLogger()
	info := beat.Info{Beat: "m365beat", IndexPrefix: "m365beat", Version: "9.3.0", Logger: log}
	sup, err := processing.MakeDefaultSupport(true, nil)(info, log, conf.NewConfig())
	if err != nil {
		t.Fatal(err)
	}
	var queue conf.Namespace
	if err := queue.Unpack(conf.MustNewConfigFrom(map[string]any{
		"mem": map[string]any{"events": 4096, "flush.min_events": 1, "flush.timeout": "10ms"},
	})); err != nil {
		t.Fatal(err)
	}
	var im idxmgmt.Supporter
	im, err = esindex.NewSupport(log, info, nil)
	if err != nil {
		t.Fatal(err)
	}
	p, err := pipeline.Load(info, pipeline.Monitors{Logger: log, Metrics: reg}, pipeline.Config{Queue: queue}, sup,
		func(obs outputs.Observer) (string, outputs.Group, error) {
			g, err := outputs.Load(im, info, obs, output, conf.MustNewConfigFrom(outCfg))
			return output, g, err
		})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func counter(reg *monitoring.Registry, name string) uint64 {
	v, _ := reg.Get("output." + name).(*monitoring.Uint)
	if v == nil {
		return 0
	}
	return v.Get()
}

// After `setup`, documents go through libbeat's real Elasticsearch output
// into the data stream with their _id and op_type create. A replay of the
// same records (a restart before the checkpoint moved) is answered 409 per
// document: counted as duplicates and acknowledged, not retried, not an
// error, and no second copy exists.
func TestReplayAfterSetupIsIdempotent(t *testing.T) {
	es := estest.NewServer()
	defer es.Close()
	conn := esConnect(t, es)
	if _, err := esindex.Setup(conn, esindexConfig(t), esindex.Options{Templates: true, ILM: true, Overwrite: true}, "9.3.0", logp.NewNopLogger()); err != nil {
		t.Fatal(err)
	}
	reg := monitoring.NewRegistry()
	p := newSetupPipeline(t, reg, "elasticsearch", map[string]any{"hosts": []string{es.URL}, "backoff.init": "50ms", "backoff.max": "100ms"})
	c := &connector{pipeline: p, inputID: "probe", inputType: "test", waitClose: 10 * time.Second, log: logp.NewNopLogger()}

	const n = 40
	first := startCursorInput(t, c, newStore(newTestStore(t, t.TempDir()), "probe"))
	first.publish(0, n)
	if err := first.client.Close(); err != nil {
		t.Fatal(err)
	}
	docs := es.Docs()
	if len(docs) != n {
		t.Fatalf("%d documents after the first run, want %d", len(docs), n)
	}
	ids := map[string]bool{}
	for _, d := range docs {
		if d.Index != "logs-m365_defender.event-default" || d.OpType != "create" || len(d.ID) != 28 {
			t.Fatalf("document %q in %q with %q", d.ID, d.Index, d.OpType)
		}
		ids[d.ID] = true
	}
	if len(ids) != n {
		t.Fatalf("%d distinct _id for %d distinct records", len(ids), n)
	}
	if ds := es.DataStreams()["logs-m365_defender.event-default"]; ds != "m365beat-m365_defender.event" {
		t.Fatalf("data stream from template %q", ds)
	}
	bulks := func() int {
		k := 0
		for _, r := range es.Requests() {
			if strings.HasSuffix(r, "/_bulk") {
				k++
			}
		}
		return k
	}
	bulksBefore := bulks()

	// Replay: the same records again, plus new ones.
	replay := startCursorInput(t, c, newStore(newTestStore(t, t.TempDir()), "probe"))
	replay.publish(0, n+10)
	if err := replay.client.Close(); err != nil {
		t.Fatal(err)
	}
	replay.mu.Lock()
	acked := replay.acked
	replay.mu.Unlock()
	if acked != n+10 {
		t.Fatalf("%d of %d replayed events acknowledged", acked, n+10)
	}
	if got := len(es.Docs()); got != n+10 {
		t.Fatalf("%d documents after the replay, want %d (no second copies)", got, n+10)
	}
	if es.Duplicates() != n {
		t.Fatalf("%d items answered 409, want %d", es.Duplicates(), n)
	}
	if d, f := counter(reg, "events.duplicates"), counter(reg, "events.failed"); d != n || f != 0 {
		t.Fatalf("output metrics: duplicates %d failed %d, want %d and 0", d, f, n)
	}
	// 409 is final: no item was retried (a retry counts as failed and
	// would send the duplicates again).
	if extra := bulks() - bulksBefore; extra == 0 {
		t.Fatal("the replay sent nothing")
	}
}

// Graph alerts and incidents take the same path: their data stream, the
// fingerprint _id of processors/graph, op_type create, and a replay
// stores nothing twice.
func TestAlertsAndIncidentsRouteToTheirDataStreams(t *testing.T) {
	es := estest.NewServer()
	defer es.Close()
	if _, err := esindex.Setup(esConnect(t, es), esindexConfig(t), esindex.Options{Templates: true, ILM: true, Overwrite: true}, "9.3.0", logp.NewNopLogger()); err != nil {
		t.Fatal(err)
	}
	p := newSetupPipeline(t, monitoring.NewRegistry(), "elasticsearch", map[string]any{"hosts": []string{es.URL}})
	c := &connector{pipeline: p, inputID: "graph", inputType: "test", waitClose: 10 * time.Second, log: logp.NewNopLogger()}
	alert := firstLine(t, "../processors/graph/testdata/alert/all-evidence.json")
	incident := firstLine(t, "../processors/graph/testdata/incident/evidence-types.json")
	for round := 0; round < 2; round++ {
		for _, s := range []struct{ ds, rec string }{{processors.DatasetAlert, alert}, {processors.DatasetIncident, incident}} {
			acked := 0
			var mu sync.Mutex
			cl, err := c.Connect(input.Stream{Dataset: s.ds, Namespace: "prod"}, func(p []any) { mu.Lock(); acked += len(p); mu.Unlock() })
			if err != nil {
				t.Fatal(err)
			}
			cl.Publish(beatEvent(s.rec, 0))
			if err := cl.Close(); err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			if acked != 1 {
				t.Fatalf("%s round %d: %d acknowledged", s.ds, round, acked)
			}
			mu.Unlock()
		}
	}
	counts := map[string]int{}
	for _, d := range es.Docs() {
		if d.OpType != "create" || d.ID == "" {
			t.Fatalf("document in %s: op_type %q _id %q", d.Index, d.OpType, d.ID)
		}
		counts[d.Index]++
	}
	if counts["logs-m365_defender.alert-prod"] != 1 || counts["logs-m365_defender.incident-prod"] == 0 || len(counts) != 2 {
		t.Fatalf("documents per data stream %v", counts)
	}
	if es.Duplicates() != len(es.Docs()) {
		t.Fatalf("replay: %d duplicates for %d documents", es.Duplicates(), len(es.Docs()))
	}
	if es.DataStreams()["logs-m365_defender.alert-prod"] != "m365beat-m365_defender.alert" {
		t.Fatalf("data streams %v", es.DataStreams())
	}
}

func firstLine(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	line, _, _ := strings.Cut(string(b), "\n")
	return line
}
