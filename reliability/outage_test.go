//go:build reliability

package reliability

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/m365beat/m365beat/internal/beatproc"
	"github.com/m365beat/m365beat/internal/estest"
)

// esKeys counts the documents the Elasticsearch fake accepted per record key.
func esKeys(es *estest.Server) map[string]int {
	out := map[string]int{}
	for _, d := range es.Docs() {
		if k, _ := beatproc.Get(d.Source, "m365_defender.event.report_id").(string); k != "" {
			out[k]++
		}
	}
	return out
}

// TestElasticsearchOutage: the Elasticsearch fake answers 503, then 429,
// while the hub keeps producing. Checkpoints stay where they were (nothing
// is acknowledged), and once it recovers every record is indexed.
func TestElasticsearchOutage(t *testing.T) {
	n, outage := pick(10000, 50000), pick(10*time.Second, 30*time.Second)
	const perMsg = 25
	e := newHubEnv(t, 4)
	es := estest.NewServer()
	defer es.Close()
	e.publish(0, n/2, perMsg)
	cfg := e.inputYAML("esout") + queueYAML + fmt.Sprintf(`output.elasticsearch:
  hosts: [%q]
  backoff.init: 100ms
  backoff.max: 1s
setup.ilm.enabled: false
setup.template.enabled: false
`, es.URL)
	p := startBeat(t, filepath.Join(t.TempDir(), "beat"), cfg)
	defer p.Stop(10 * time.Second)
	waitFor(t, "first documents indexed", 60*time.Second, p, func() bool { return len(es.Docs()) > 0 })

	es.FailWith(503)
	time.Sleep(2 * time.Second) // acknowledgements already on their way land
	before, err := e.checkpoints("esout")
	if err != nil {
		t.Fatal(err)
	}
	indexed := len(es.Docs())
	e.publish(n/2, n, perMsg)
	time.Sleep(outage / 2)
	es.FailWith(429)
	time.Sleep(outage / 2)
	during, err := e.checkpoints("esout")
	if err != nil {
		t.Fatal(err)
	}
	for part, seq := range during {
		if seq != before[part] {
			t.Errorf("partition %s checkpoint moved from %d to %d while Elasticsearch refused every bulk request", part, before[part], seq)
		}
	}
	if got := len(es.Docs()); got != indexed {
		t.Errorf("%d documents indexed during the outage", got-indexed)
	}
	if p.Exited() {
		t.Fatalf("m365beat exited during the outage: %s", tail(p.Log(), 3000))
	}
	es.FailWith(0)
	t0 := time.Now()
	waitFor(t, "every record indexed", pick(2*time.Minute, 5*time.Minute), p, func() bool { return len(esKeys(es)) >= n })
	keys := esKeys(es)
	dups := 0
	for _, c := range keys {
		dups += c - 1
	}
	missing := 0
	for i := 0; i < n; i++ {
		if keys[recordKey(i)] == 0 {
			missing++
		}
	}
	t.Logf("RESULT es-outage (%s 503 then 429): records %d, lost %d, duplicates %d, checkpoints before %v during %v, caught up %s after recovery",
		outage, n, missing, dups, before, during, time.Since(t0).Round(time.Millisecond))
	if missing > 0 {
		t.Errorf("%d records lost", missing)
	}
}

// TestAzuriteOutage stops the checkpoint store while the hub keeps
// producing, then starts it again (same port, same data): m365beat keeps
// running, and every record reaches the output.
func TestAzuriteOutage(t *testing.T) {
	n, outage := pick(10000, 50000), pick(10*time.Second, 30*time.Second)
	const perMsg = 25
	e := newHubEnv(t, 4)
	e.publish(0, n/3, perMsg)
	out := outDir(t)
	cfg := e.inputYAML("azdown") + queueYAML + beatproc.FileOutputYAML(out)
	p := startBeat(t, filepath.Join(t.TempDir(), "beat"), cfg)
	defer p.Stop(10 * time.Second)
	waitFor(t, "first documents written", 60*time.Second, p, func() bool { return p.Acked() > 0 })
	e.az.Stop()
	e.publish(n/3, 2*n/3, perMsg)
	time.Sleep(outage)
	ackedDuring := p.Acked()
	if p.Exited() {
		t.Fatalf("m365beat exited while Azurite was down: %s", tail(p.Log(), 3000))
	}
	if err := e.az.Start(60 * time.Second); err != nil {
		t.Fatal(err)
	}
	e.publish(2*n/3, n, perMsg)
	docs := waitOutput(t, out, pick(2*time.Minute, 5*time.Minute), p, func(docs []map[string]any) bool {
		c, _, _ := eventKeys(docs)
		return len(c) >= n
	})
	counts, _, _ := eventKeys(docs)
	dups := 0
	for _, c := range counts {
		dups += c - 1
	}
	cps, err := e.checkpoints("azdown")
	if err != nil {
		t.Errorf("checkpoints after Azurite came back: %v", err)
	}
	t.Logf("RESULT azurite-outage (%s): records %d, lost %d, duplicates %d, acknowledged by the end of the outage %d, checkpoints after %v",
		outage, n, n-len(counts), dups, ackedDuring, cps)
}

func waitFor(t *testing.T, what string, timeout time.Duration, p *beatproc.Process, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if p != nil && p.Exited() {
			t.Fatalf("m365beat exited: %s", tail(p.Log(), 3000))
		}
		if time.Now().After(deadline) {
			if p != nil {
				t.Logf("m365beat log tail: %s", tail(p.Log(), 3000))
			}
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
