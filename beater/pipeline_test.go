package beater

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/elastic/beats/v7/libbeat/beat"
	"github.com/elastic/beats/v7/libbeat/idxmgmt"
	"github.com/elastic/beats/v7/libbeat/outputs"
	_ "github.com/elastic/beats/v7/libbeat/outputs/elasticsearch"
	_ "github.com/elastic/beats/v7/libbeat/outputs/fileout"
	"github.com/elastic/beats/v7/libbeat/publisher/pipeline"
	"github.com/elastic/beats/v7/libbeat/publisher/processing"
	"github.com/elastic/beats/v7/libbeat/statestore"
	"github.com/elastic/beats/v7/libbeat/statestore/backend/memlog"
	conf "github.com/elastic/elastic-agent-libs/config"
	"github.com/elastic/elastic-agent-libs/logp/logptest"
	"github.com/elastic/elastic-agent-libs/mapstr"

	"github.com/m365beat/m365beat/input"
	"github.com/m365beat/m365beat/internal/estest"
	"github.com/m365beat/m365beat/processors"
	_ "github.com/m365beat/m365beat/processors/event"
)

// newPipeline loads libbeat's real publisher pipeline with a real output,
// closed when the test ends.
func newPipeline(t *testing.T, output string, outCfg map[string]any) *pipeline.Pipeline {
	t.Helper()
	p := loadPipeline(t, output, outCfg)
	t.Cleanup(func() { p.Close() })
	return p
}

// loadPipeline is newPipeline for tests that close the pipeline themselves
// (libbeat's pipeline must be closed once only).
func loadPipeline(t *testing.T, output string, outCfg map[string]any) *pipeline.Pipeline {
	t.Helper()
	log := logptest.NewTestingLogger(t, "")
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
	im, err := idxmgmt.DefaultSupport(info, nil)
	if err != nil {
		t.Fatal(err)
	}
	p, err := pipeline.Load(info, pipeline.Monitors{Logger: log}, pipeline.Config{Queue: queue}, sup,
		func(obs outputs.Observer) (string, outputs.Group, error) {
			g, err := outputs.Load(im, info, obs, output, conf.MustNewConfigFrom(outCfg))
			return output, g, err
		})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func newTestStore(t *testing.T, dir string) *statestore.Store {
	t.Helper()
	be, err := memlog.New(logptest.NewTestingLogger(t, "registry"), memlog.Settings{Root: dir, FileMode: 0o600})
	if err != nil {
		t.Fatal(err)
	}
	reg := statestore.NewRegistry(be)
	st, err := reg.Get("m365beat")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close(); reg.Close() })
	return st
}

func record(i int) string {
	return fmt.Sprintf(`{"Tenant":"Contoso","category":"AdvancedHunting-DeviceProcessEvents","operationName":"Publish","properties":{"DeviceId":"dev-%d","DeviceName":"host-%d.contoso.com","ActionType":"ProcessCreated","FileName":"cmd.exe","ProcessId":%d,"ProcessCommandLine":"cmd.exe /c whoami","ReportId":%d,"Timestamp":"2024-05-01T10:00:%02d.1234567Z"},"tenantId":"tenant-1","time":"2024-05-01T10:01:00Z"}`, i, i, 1000+i, i, i%60)
}

// cursorInput is the pattern every input follows: publish records with
// their position as Private, persist the position from the ACK callback.
type cursorInput struct {
	client input.Client
	store  input.Store
	mu     sync.Mutex
	acked  int
}

func startCursorInput(t *testing.T, c input.Connector, st input.Store) *cursorInput {
	t.Helper()
	ci := &cursorInput{store: st}
	cl, err := c.Connect(input.Stream{Dataset: processors.DatasetEvent, Namespace: "default"}, func(privates []any) {
		last := privates[len(privates)-1].(int)
		ci.mu.Lock()
		ci.acked += len(privates)
		ci.mu.Unlock()
		if err := st.Set("cursor", map[string]int{"position": last}); err != nil {
			t.Errorf("persist cursor: %v", err)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	ci.client = cl
	return ci
}

func (ci *cursorInput) publish(from, to int) {
	for i := from; i < to; i++ {
		ci.client.Publish(beat.Event{Timestamp: time.Now(), Fields: mapstr.M{"message": record(i)}, Private: i})
	}
}

func cursor(t *testing.T, st input.Store) (int, bool) {
	var v map[string]int
	if err := st.Get("cursor", &v); err != nil {
		return 0, false
	}
	return v["position"], true
}

func waitFor(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// The cursor moves only once Elasticsearch acknowledged the events: not
// while the output fails, and to the last event once it recovers. The
// documents land in the event data stream with op_type create, mapped by
// the m365_defender router.
func TestCursorPersistedOnlyAfterOutputACK(t *testing.T) {
	es := estest.NewServer()
	defer es.Close()
	es.FailWith(503)

	p := newPipeline(t, "elasticsearch", map[string]any{"hosts": []string{es.URL}, "backoff.init": "50ms", "backoff.max": "100ms"})
	dir := t.TempDir()
	st := newStore(newTestStore(t, dir), "probe")
	c := &connector{pipeline: p, inputID: "probe", inputType: "test", waitClose: 5 * time.Second, log: logptest.NewTestingLogger(t, "")}
	in := startCursorInput(t, c, st)

	const n = 50
	in.publish(0, n)
	// Several bulk attempts fail; nothing may be acknowledged meanwhile.
	waitFor(t, "bulk retries", 10*time.Second, func() bool {
		k := 0
		for _, r := range es.Requests() {
			if strings.HasSuffix(r, "/_bulk") {
				k++
			}
		}
		return k >= 3
	})
	if pos, ok := cursor(t, st); ok {
		t.Fatalf("cursor persisted at %d while the output was failing", pos)
	}
	if len(es.Docs()) != 0 {
		t.Fatalf("%d docs indexed while failing", len(es.Docs()))
	}

	es.FailWith(0)
	waitFor(t, "cursor at the last event", 20*time.Second, func() bool {
		pos, ok := cursor(t, st)
		return ok && pos == n-1
	})
	docs := es.Docs()
	if len(docs) != n {
		t.Fatalf("%d documents indexed, want %d", len(docs), n)
	}
	for _, d := range docs {
		if d.Index != "logs-m365_defender.event-default" || d.OpType != "create" {
			t.Fatalf("document routed to %q with %q, want logs-m365_defender.event-default with create", d.Index, d.OpType)
		}
		ev, _ := d.Source["m365_defender"].(map[string]any)["event"].(map[string]any)
		if ev["category"] != "AdvancedHunting-DeviceProcessEvents" || d.Source["@timestamp"] == nil {
			t.Fatalf("document not mapped by the router: %v", d.Source)
		}
		if ds := d.Source["data_stream"].(map[string]any); ds["dataset"] != "m365_defender.event" || ds["namespace"] != "default" {
			t.Fatalf("data_stream %v", ds)
		}
	}
	// The cursor survives a restart: it is on disk under the registry.
	if err := in.client.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "m365beat")); err != nil {
		t.Fatalf("state store not on disk: %v", err)
	}
}

// Closing the client waits (bounded) for in-flight events: after Close the
// output has acknowledged everything published before it, and the file
// output holds every event.
func TestCloseWaitsForInFlightACKs(t *testing.T) {
	dir := t.TempDir()
	p := newPipeline(t, "file", map[string]any{"path": dir, "filename": "out"})
	st := newStore(newTestStore(t, t.TempDir()), "probe")
	c := &connector{pipeline: p, inputID: "probe", inputType: "test", waitClose: 10 * time.Second, log: logptest.NewTestingLogger(t, "")}
	in := startCursorInput(t, c, st)
	const n = 2000
	in.publish(0, n)
	if err := in.client.Close(); err != nil {
		t.Fatal(err)
	}
	in.mu.Lock()
	acked := in.acked
	in.mu.Unlock()
	if acked != n {
		t.Fatalf("%d of %d events acknowledged when Close returned", acked, n)
	}
	if pos, _ := cursor(t, st); pos != n-1 {
		t.Fatalf("cursor %d, want %d", pos, n-1)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "out*"))
	lines := 0
	for _, f := range files {
		b, _ := os.ReadFile(f)
		lines += strings.Count(string(b), "\n")
	}
	if lines != n {
		t.Fatalf("file output holds %d events, want %d", lines, n)
	}
}
