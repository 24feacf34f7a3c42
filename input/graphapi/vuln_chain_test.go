package graphapi

import (
	"sync"
	"testing"
	"time"

	"github.com/elastic/beats/v7/libbeat/beat"
	_ "github.com/elastic/beats/v7/libbeat/processors/actions"
	"github.com/elastic/elastic-agent-libs/logp"

	"github.com/m365beat/m365beat/beater"
	"github.com/m365beat/m365beat/input"
	"github.com/m365beat/m365beat/internal/defendertest"
	"github.com/m365beat/m365beat/internal/inputtest"
	_ "github.com/m365beat/m365beat/processors/vulnerability"
)

// chainPipeline runs the processors the beat builds for a stream
// (beater.StreamProcessors: the m365_defender processor of the dataset with
// the stream's options, then its own processors) before recording.
type chainPipeline struct {
	inputtest.Pipeline
	mu   sync.Mutex
	docs []beat.Event
	log  *logp.Logger
}

type chainClient struct {
	input.Client
	p     *chainPipeline
	procs beat.Processor
}

func (c *chainPipeline) Connect(s input.Stream, onACK func([]any)) (input.Client, error) {
	procs, err := beater.StreamProcessors(s, c.log)
	if err != nil {
		return nil, err
	}
	cl, err := c.Pipeline.Connect(s, onACK)
	return &chainClient{Client: cl, p: c, procs: procs}, err
}

func (c *chainClient) Publish(e beat.Event) { c.PublishAll([]beat.Event{e}) }
func (c *chainClient) PublishAll(es []beat.Event) {
	for i := range es {
		out, err := c.procs.Run(&es[i])
		if err == nil && out != nil {
			c.p.mu.Lock()
			c.p.docs = append(c.p.docs, *out)
			c.p.mu.Unlock()
		}
	}
	c.Client.PublishAll(es)
}

// TestVulnProcessorChain: the stream's options reach the processor (the
// beat builds it from the stream entry), documents get the snapshot time
// and _id, and collection errors come out as error documents.
func TestVulnProcessorChain(t *testing.T) {
	srv := defendertest.New()
	defer srv.Close()
	srv.Files = []defendertest.File{{Records: records(0, 2)}, {}}
	srv.FailAt = map[int]bool{2: true, 3: true}
	in := newTestInput(t, vulnTestConfig(srv, map[string]any{
		"max_retries": 1, "preserve_original_event": true, "event_ingested": true,
		"processors": []map[string]any{{"add_tags": map[string]any{"tags": []string{"forwarded"}}}},
	}))
	p := &chainPipeline{Pipeline: inputtest.Pipeline{AutoACK: true}, log: testLogger(t)}
	start(t, in, p, inputtest.NewStore())
	p.WaitEvents(t, 3, 10*time.Second)
	p.mu.Lock()
	docs := append([]beat.Event(nil), p.docs...)
	p.mu.Unlock()
	if len(docs) != 3 {
		t.Fatalf("%d documents", len(docs))
	}
	for _, d := range docs[:2] {
		if !d.Timestamp.Equal(time.Date(2025, 10, 6, 12, 0, 0, 0, time.UTC)) {
			t.Errorf("@timestamp = %s, want the export's generatedTime", d.Timestamp)
		}
		if d.Meta["_id"] == nil {
			t.Errorf("no _id: %v", d.Meta)
		}
		if _, ok := d.Meta["m365_defender_snapshot_time"]; ok {
			t.Errorf("snapshot metadata leaked: %v", d.Meta)
		}
		for _, f := range []string{"event.original", "event.ingested", "vulnerability.id", "host.name"} {
			if v, err := d.Fields.GetValue(f); err != nil || v == nil {
				t.Errorf("%s missing: %v", f, d.Fields)
			}
		}
		if tags, _ := d.Fields.GetValue("tags"); len(tags.([]string)) != 2 {
			t.Errorf("tags = %v, want preserve_original_event and forwarded", tags)
		}
	}
	e := docs[2]
	if code, _ := e.Fields.GetValue("error.code"); code != "500" {
		t.Errorf("error document: %v", e.Fields)
	}
}
