package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/m365beat/m365beat/internal/beatproc"
	"github.com/m365beat/m365beat/internal/graphtest"
)

func graphYAML(srv *graphtest.Server) string {
	o := srv.Options()
	return fmt.Sprintf(`m365beat:
  shutdown_timeout: 5s
  inputs:
    - type: graphapi
      id: bench
      tenant_id: %q
      client_id: %q
      client_secret: %q
      login_url: %q
      graph_url: %q
      backoff.init: 50ms
      backoff.max: 2s
      streams:
        - resource: alerts
          interval: 1s
        - resource: incidents
          interval: 1s
logging.level: warning
logging.metrics.enabled: false
`, o.TenantID, o.ClientID, o.ClientSecret, srv.LoginURL(), srv.GraphURL())
}

// graphE2E backfills a tenant of n alerts from the Graph fake, with and
// without throttling (one Graph request in five answered 429 with
// Retry-After: 1).
func graphE2E(r *report, bin, tmp string) string {
	n := 20000
	if r.quick {
		n = 5000
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Backfill of %d alerts (10 evidence items each in the fake's data, grouped into incidents of 1–5 alerts, incidents with $expand=alerts) by `m365beat run` with the file output, streams polling every second. Rates are per stream, from process start to the stream's last document acknowledged. Throttling on: one Graph request in five (after four that pass) is answered 429 with Retry-After: 1.\n\n", n)
	b.WriteString("| throttling | alerts/s | incidents/s | incident documents/s | 429s served | m365beat CPU s | fake CPU s | peak RSS MB |\n|---|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, throttle := range []bool{false, true} {
		srv := graphtest.New(graphtest.Options{})
		now := time.Now()
		srv.Generate(n, now.Add(-23*time.Hour), now.Add(-time.Minute))
		incidents := len(srv.Incidents())
		home := filepath.Join(tmp, fmt.Sprintf("graph-%v", throttle))
		cfg := graphYAML(srv) + queueDefaults + beatproc.FileOutputYAML(filepath.Join(home, "out"))
		stop := make(chan struct{})
		if throttle {
			go func() {
				for {
					select {
					case <-stop:
						return
					case <-time.After(100 * time.Millisecond):
					}
					if srv.PendingFaults() == 0 {
						srv.Inject(graphtest.Fault{Status: 429, RetryAfter: "1", Skip: 4})
					}
				}
			}()
		}
		fmt.Fprintf(os.Stderr, "graph throttling=%v ...\n", throttle)
		c0 := selfCPU()
		t0 := time.Now()
		p, err := beatproc.Start(bin, home, cfg)
		if err != nil {
			close(stop)
			srv.Close()
			return "**failed**: " + err.Error()
		}
		var alertsDone, incDone time.Duration
		deadline := time.Now().Add(10 * time.Minute)
		failed := ""
		var hwm int64
		for alertsDone == 0 || incDone == 0 {
			if _, _, h, err := p.Live(); err == nil {
				hwm = max(hwm, h)
			}
			s, _ := p.Stats()
			// Acknowledged = output acked; per-stream progress from the
			// processors' event counters, complete when output caught up.
			acked := s["libbeat.output.events.acked"]
			al := s["processor.m365_defender_alert.events"]
			inc := s["processor.m365_defender_incident.events"]
			if alertsDone == 0 && al >= float64(n) && acked >= al+inc {
				alertsDone = time.Since(t0)
			}
			if incDone == 0 && inc >= float64(n) && acked >= al+inc {
				incDone = time.Since(t0)
			}
			if p.Exited() {
				failed = "m365beat exited: " + tail(p.Log(), 1000)
				break
			}
			if time.Now().After(deadline) {
				failed = fmt.Sprintf("timeout (alerts %0.f, incident documents %.0f of %d)", al, inc, n)
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		close(stop)
		if _, _, h, err := p.Live(); err == nil {
			hwm = max(hwm, h)
		}
		benchCPU := selfCPU() - c0
		_ = p.Stop(30 * time.Second)
		u := p.Usage()
		st := srv.Stats()
		srv.Close()
		if failed != "" {
			fmt.Fprintf(&b, "| %v | failed: %s | | | | | | |\n", throttle, failed)
			continue
		}
		fmt.Fprintf(&b, "| %v | %.0f | %.0f | %.0f | %d | %.2f | %.2f | %.0f |\n", onOff(throttle),
			float64(n)/alertsDone.Seconds(), float64(incidents)/incDone.Seconds(), float64(n)/incDone.Seconds(),
			st.Statuses[429], u.CPU.Seconds(), benchCPU.Seconds(), mb(hwm))
	}
	return b.String()
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}
