//go:build reliability

package reliability

import (
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	lumber "github.com/elastic/go-lumber/server/v2"

	"github.com/m365beat/m365beat/internal/beatproc"
	"github.com/m365beat/m365beat/internal/testenv"
)

// lumberSink is a Logstash stand-in (lumberjack v2 server) that can go
// down and come back on the same address.
type lumberSink struct {
	addr string
	mu   sync.Mutex
	keys map[string]int
	srv  interface{ Close() error }
	done chan struct{}
}

func (l *lumberSink) start(t *testing.T) {
	t.Helper()
	var srv *lumber.Server
	var err error
	for i := 0; i < 50; i++ { // the port may linger a moment after Close
		if srv, err = lumber.ListenAndServe(l.addr); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("lumberjack server on %s: %v", l.addr, err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for b := range srv.ReceiveChan() {
			l.mu.Lock()
			for _, ev := range b.Events {
				if m, ok := ev.(map[string]any); ok {
					if k, _ := beatproc.Get(m, "m365_defender.event.report_id").(string); k != "" {
						l.keys[k]++
					}
				}
			}
			l.mu.Unlock()
			b.ACK()
		}
	}()
	l.mu.Lock()
	l.srv, l.done = srv, done
	l.mu.Unlock()
}

func (l *lumberSink) stop() {
	l.mu.Lock()
	srv, done := l.srv, l.done
	l.srv = nil
	l.mu.Unlock()
	if srv != nil {
		srv.Close()
		<-done
	}
}

func (l *lumberSink) counts() map[string]int {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make(map[string]int, len(l.keys))
	for k, v := range l.keys {
		out[k] = v
	}
	return out
}

// TestLogstashOutage: the Logstash output's server goes away while the hub
// keeps producing; checkpoints stay put, and after it returns every record
// arrives.
func TestLogstashOutage(t *testing.T) {
	n, outage := pick(10000, 50000), pick(10*time.Second, 30*time.Second)
	const perMsg = 25
	e := newHubEnv(t, 4)
	port, err := testenv.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	ls := &lumberSink{addr: fmt.Sprintf("127.0.0.1:%d", port), keys: map[string]int{}}
	ls.start(t)
	defer ls.stop()
	e.publish(0, n/2, perMsg)
	cfg := e.inputYAML("lsout") + queueYAML + fmt.Sprintf(`output.logstash:
  hosts: [%q]
  backoff.init: 100ms
  backoff.max: 1s
  timeout: 5s
`, ls.addr)
	p := startBeat(t, filepath.Join(t.TempDir(), "beat"), cfg)
	defer p.Stop(10 * time.Second)
	waitFor(t, "first events at Logstash", 60*time.Second, p, func() bool { return len(ls.counts()) > 0 })
	ls.stop()
	time.Sleep(2 * time.Second)
	before, err := e.checkpoints("lsout")
	if err != nil {
		t.Fatal(err)
	}
	e.publish(n/2, n, perMsg)
	time.Sleep(outage)
	during, err := e.checkpoints("lsout")
	if err != nil {
		t.Fatal(err)
	}
	for part, seq := range during {
		if seq != before[part] {
			t.Errorf("partition %s checkpoint moved from %d to %d while Logstash was down", part, before[part], seq)
		}
	}
	if p.Exited() {
		t.Fatalf("m365beat exited during the outage: %s", tail(p.Log(), 3000))
	}
	ls.start(t)
	t0 := time.Now()
	waitFor(t, "every record at Logstash", pick(2*time.Minute, 5*time.Minute), p, func() bool { return len(ls.counts()) >= n })
	keys := ls.counts()
	dups, missing := 0, 0
	for _, c := range keys {
		dups += c - 1
	}
	for i := 0; i < n; i++ {
		if keys[recordKey(i)] == 0 {
			missing++
		}
	}
	t.Logf("RESULT logstash-outage (%s): records %d, lost %d, duplicates %d, checkpoints before %v during %v, caught up %s after it came back",
		outage, n, missing, dups, before, during, time.Since(t0).Round(time.Millisecond))
	if missing > 0 {
		t.Errorf("%d records lost", missing)
	}
}
