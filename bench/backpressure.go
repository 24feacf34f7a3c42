package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/m365beat/m365beat/internal/beatproc"
	"github.com/m365beat/m365beat/internal/estest"
	"github.com/m365beat/m365beat/internal/eventhubtest"
)

// backpressure stalls the output (the Elasticsearch fake answers 503 to
// every bulk request) while the hub keeps receiving records, and samples
// m365beat's RSS: with the queue full, the input stops taking messages, so
// memory stays flat at a bound set by queue.mem.events and the prefetch.
func backpressure(r *report, bin, tmp string) string {
	stall := 60 * time.Second
	if r.quick {
		stall = 15 * time.Second
	}
	const parts, perMsg, rate = 4, 25, 5000 // records/s produced throughout
	var b strings.Builder
	recs, err := mixRecords()
	if err != nil {
		return "**failed**: " + err.Error()
	}
	az, err := beatproc.StartAzurite(filepath.Join(tmp, "azurite-bp"))
	if err != nil {
		return "**skipped**: " + err.Error()
	}
	defer az.Stop()
	eh := eventhubtest.New(eventhubtest.Options{Hubs: map[string]int{hubName: parts}})
	if err := eh.Start(); err != nil {
		return "**failed**: " + err.Error()
	}
	defer eh.Close()
	es := estest.NewServer()
	defer es.Close()
	stop := make(chan struct{})
	produced := make(chan int, 1)
	go func() {
		total := 0
		defer func() { produced <- total }()
		for {
			select {
			case <-stop:
				return
			case <-time.After(100 * time.Millisecond):
			}
			if _, err := loadHub(eh, recs, rate/10, perMsg); err == nil {
				total += rate / 10
			}
		}
	}()
	home := filepath.Join(tmp, "backpressure")
	cfg := eventhubYAML(eh, az, "bench-bp") + queueDefaults + fmt.Sprintf(`output.elasticsearch:
  hosts: [%q]
  backoff.init: 100ms
  backoff.max: 1s
setup.ilm.enabled: false
setup.template.enabled: false
`, es.URL)
	fmt.Fprintf(os.Stderr, "backpressure (stall %s) ...\n", stall)
	p, err := beatproc.Start(bin, home, cfg)
	if err != nil {
		close(stop)
		return "**failed**: " + err.Error()
	}
	defer p.Stop(30 * time.Second)
	sample := func(d time.Duration) (peak, last int64) {
		end := time.Now().Add(d)
		for time.Now().Before(end) {
			_, rss, _, err := p.Live()
			if err == nil {
				peak = max(peak, rss)
				last = rss
			}
			time.Sleep(250 * time.Millisecond)
		}
		return peak, last
	}
	warmPeak, warmLast := sample(10 * time.Second)
	es.FailWith(503)
	firstPeak, _ := sample(stall / 2)
	secondPeak, endRSS := sample(stall / 2)
	s, _ := p.Stats()
	queued := s["libbeat.pipeline.queue.filled.events"]
	es.FailWith(0)
	close(stop)
	total := <-produced
	t0 := time.Now()
	caught := ""
	for time.Since(t0) < 5*time.Minute {
		s, _ := p.Stats()
		// The hub carries the same records over and over: with
		// @metadata._id the fake answers 409 to a repeated _id, which
		// libbeat counts as duplicates, acknowledged all the same.
		if int(s["libbeat.output.events.acked"]+s["libbeat.output.events.duplicates"]) >= total {
			caught = time.Since(t0).Round(100 * time.Millisecond).String()
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if caught == "" {
		caught = "not within 5m"
	}
	_, _, hwm, _ := p.Live()
	fmt.Fprintf(&b, "Event Hub input (%d partitions, messages of %d records, shipped input settings: max_in_flight_messages 100, prefetch derived 100 ÷ %d = 25 per partition) → Elasticsearch fake; %d records/s keep arriving in the hub throughout. After 10 s of normal flow the fake answers 503 to every bulk request for %s, then recovers. Queue: shipped settings, queue.mem.events 16384, so the bound is the queue (16384 events) plus at most 100 messages received and not yet queued plus the prefetched messages (%d × 25), each of %d records; RSS is sampled every 250 ms.\n\n", parts, perMsg, parts, rate, stall, parts, perMsg)
	b.WriteString("| phase | peak RSS MB | RSS at end MB |\n|---|---:|---:|\n")
	fmt.Fprintf(&b, "| normal flow (10 s) | %.0f | %.0f |\n", mb(warmPeak), mb(warmLast))
	fmt.Fprintf(&b, "| stall, first half | %.0f | |\n", mb(firstPeak))
	fmt.Fprintf(&b, "| stall, second half | %.0f | %.0f |\n", mb(secondPeak), mb(endRSS))
	fmt.Fprintf(&b, "\nEvents in the queue at the end of the stall: %.0f (bound 16384). Growth of the peak from the first to the second half of the stall: %+.1f MB (flat = bounded). Peak RSS of the whole run (VmHWM): %.0f MB. After recovery, all %d records produced were acknowledged in %s.\n", queued, mb(secondPeak-firstPeak), mb(hwm), total, caught)
	return b.String()
}
