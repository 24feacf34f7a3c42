package beater

import (
	"io"
	"sync/atomic"
	"testing"
	"time"

	"github.com/elastic/beats/v7/libbeat/beat"
	conf "github.com/elastic/elastic-agent-libs/config"
	"github.com/elastic/elastic-agent-libs/logp"
	"github.com/elastic/elastic-agent-libs/logp/logptest"
	"github.com/elastic/elastic-agent-libs/mapstr"
	"github.com/elastic/elastic-agent-libs/paths"

	"github.com/m365beat/m365beat/input"
	"github.com/m365beat/m365beat/internal/estest"
	"github.com/m365beat/m365beat/processors"
)

// streamingProbe publishes records until stopped and counts what the
// output acknowledged, like an input moving its checkpoint.
type streamingProbe struct{}

var probePublished, probeAcked atomic.Int64

func (streamingProbe) Run(ctx input.Context) error {
	cl, err := ctx.Pipeline.Connect(input.Stream{Dataset: processors.DatasetEvent}, func(p []any) { probeAcked.Add(int64(len(p))) })
	if err != nil {
		return err
	}
	defer cl.Close() // waits (bounded) for in-flight acknowledgements
	for i := 0; ; i++ {
		select {
		case <-ctx.Cancel.Done():
			return nil
		default:
		}
		cl.Publish(beat.Event{Timestamp: time.Now(), Fields: mapstr.M{"message": record(i)}, Private: i})
		probePublished.Add(1)
		time.Sleep(time.Millisecond)
	}
}

func init() {
	input.Register("drain_probe", func(*conf.C, *logp.Logger) (input.Input, error) { return streamingProbe{}, nil })
}

// libbeat's stop sequence closes the publisher before it stops the
// Beater. Closing it must first stop the inputs while the output still
// runs, so every published event is acknowledged before exit.
func TestPublisherCloseDrainsInputsFirst(t *testing.T) {
	es := estest.NewServer()
	defer es.Close()
	home := t.TempDir()
	b := &beat.Beat{
		Info:      beat.Info{Beat: "m365beat", Logger: logptest.NewTestingLogger(t, "")},
		Paths:     &paths.Path{Home: home, Config: home, Data: home, Logs: home},
		Publisher: loadPipeline(t, "elasticsearch", map[string]any{"hosts": []string{es.URL}, "backoff.init": "50ms", "backoff.max": "100ms"}),
	}
	cfg, _ := conf.NewConfigWithYAML([]byte("inputs: [{type: drain_probe, id: drain}]\nshutdown_timeout: 20s"), "m365beat")
	bt, err := New(b, cfg)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- bt.Run(b) }()
	waitFor(t, "events flowing", 10*time.Second, func() bool { return probeAcked.Load() > 50 })

	// Events are in flight (the output is failing) when the stop begins;
	// the output recovers while the inputs drain.
	es.FailWith(503)
	time.Sleep(300 * time.Millisecond)
	go func() {
		time.Sleep(time.Second)
		es.FailWith(0)
	}()
	start := time.Now()
	if err := b.Publisher.(io.Closer).Close(); err != nil { // what libbeat's signal handler does first
		t.Fatal(err)
	}
	bt.Stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if pub, ack := probePublished.Load(), probeAcked.Load(); pub != ack {
		t.Fatalf("%d events published, %d acknowledged at exit", pub, ack)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("stop took %s", d)
	}
	if got := int64(len(es.Docs())); got != probeAcked.Load() {
		t.Fatalf("%d documents indexed, %d acknowledged", got, probeAcked.Load())
	}
}
