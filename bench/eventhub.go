package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/m365beat/m365beat/internal/azuritetest"
	"github.com/m365beat/m365beat/internal/beatproc"
	"github.com/m365beat/m365beat/internal/eventhubtest"
)

const hubName = "insights-logs-advancedhunting"

// mixRecords are the golden input records of processors/event (every
// table, edge cases left out): the realistic mix the hub carries.
func mixRecords() ([]string, error) {
	files, err := filepath.Glob("processors/event/testdata/*.json")
	if err != nil {
		return nil, err
	}
	var out []string
	for _, fn := range files {
		if strings.HasSuffix(fn, "-expected.json") || strings.Contains(fn, "-edge") {
			continue
		}
		b, err := os.ReadFile(fn)
		if err != nil {
			return nil, err
		}
		for _, l := range strings.Split(string(b), "\n") {
			l = strings.TrimSpace(l)
			var m map[string]any
			if l != "" && json.Unmarshal([]byte(l), &m) == nil && m["category"] != nil {
				out = append(out, l)
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no records in processors/event/testdata")
	}
	return out, nil
}

// loadHub appends n records of the mix, perMsg per message, round robin
// over the partitions, and returns the bytes of records appended.
func loadHub(eh *eventhubtest.Emulator, recs []string, n, perMsg int) (int64, error) {
	ids := eh.PartitionIDs(hubName)
	msgs := make([][]eventhubtest.Message, len(ids))
	var bytes int64
	for i, m := 0, 0; i < n; m++ {
		var b strings.Builder
		b.WriteString(`{"records":[`)
		for j := 0; j < perMsg && i < n; j++ {
			if j > 0 {
				b.WriteByte(',')
			}
			rec := recs[i%len(recs)]
			bytes += int64(len(rec))
			b.WriteString(rec)
			i++
		}
		b.WriteString(`]}`)
		msgs[m%len(ids)] = append(msgs[m%len(ids)], eventhubtest.Message{Body: []byte(b.String())})
	}
	for p, ms := range msgs {
		if err := eh.Append(hubName, ids[p], ms...); err != nil {
			return 0, err
		}
	}
	return bytes, nil
}

func eventhubYAML(eh *eventhubtest.Emulator, az *azuritetest.Server, ctr string) string {
	return eventhubYAMLWith(eh, az, ctr, "")
}

// eventhubYAMLWith is the input with shipped settings, or with lb as
// load_balancing ("balanced" also gets a 1 s load_balancing_interval, else
// it would need 10 s per partition).
func eventhubYAMLWith(eh *eventhubtest.Emulator, az *azuritetest.Server, ctr, lb string) string {
	extra := ""
	for _, kv := range strings.Split(ehExtra, ";") {
		if kv = strings.TrimSpace(kv); kv != "" {
			extra += "      " + kv + "\n"
		}
	}
	if lb != "" {
		extra = fmt.Sprintf("      load_balancing: %s\n", lb)
		if lb == "balanced" {
			extra += "      load_balancing_interval: 1s\n"
		}
	}
	return fmt.Sprintf(`m365beat:
  shutdown_timeout: 5s
  inputs:
    - type: eventhub
      id: bench
      connection_string: %q
      storage_account_connection_string: %q
      storage_account_container: %s
%s      streams:
        - data_stream.dataset: m365_defender.event
logging.level: warning
logging.metrics.enabled: false
`, eh.ConnectionString(hubName), az.ConnectionString, ctr, extra)
}

// queueDefaults is the shipped queue section (m365beat.yml).
const queueDefaults = `queue.mem:
  events: 16384
  flush.min_events: 2048
  flush.timeout: 1s
`

// ehPartitions limits the eventhub rows to these partition counts
// (-eh-partitions).
var ehPartitions string

// ehExtra are input settings added to every eventhub row (-eh-set),
// separated by semicolons.
var ehExtra string

// ehHeapProfiles is a directory for a heap profile of m365beat at its
// highest RSS in each eventhub row (-eh-heap-profiles).
var ehHeapProfiles string

// run is the measurement of one end-to-end run.
type run struct {
	events      int64
	dur         time.Duration // first acknowledged event to the last
	startup     time.Duration // process start to the first acknowledged event
	cpu         time.Duration // m365beat user+system, whole run
	benchCPU    time.Duration // this process (emulator / fake) over the run
	maxRSS      int64
	queuePeak   int64 // most events seen in the queue
	inputBytes  int64
	outputBytes float64
	err         error
}

func selfCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// measure starts bin with cfg and waits until want events are
// acknowledged by the output.
func measure(bin, home, cfg string, want int64, timeout time.Duration) run {
	c0 := selfCPU()
	t0 := time.Now()
	prof := ehHeapProfiles
	if prof != "" {
		cfg += "\nhttp.pprof.enabled: true\n"
	}
	p, err := beatproc.Start(bin, home, cfg)
	if err != nil {
		return run{err: err}
	}
	var lastProf time.Time
	var profHWM int64
	var first time.Time
	var r run
	deadline := time.Now().Add(timeout)
	var hwm int64
	for {
		if _, rss, h, err := p.Live(); err == nil {
			hwm = max(hwm, h)
			if prof != "" && rss > profHWM && time.Since(lastProf) > 300*time.Millisecond {
				profHWM, lastProf = rss, time.Now()
				if resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/debug/pprof/heap", p.HTTPPort)); err == nil {
					b, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					// The profile at the highest RSS seen is kept.
					_ = os.WriteFile(filepath.Join(prof, filepath.Base(home)+".heap.pb.gz"), b, 0o644)
				}
			}
		}
		s, _ := p.Stats()
		acked := int64(s["libbeat.output.events.acked"])
		r.queuePeak = max(r.queuePeak, int64(s["libbeat.pipeline.queue.filled.events"]))
		if acked > 0 && first.IsZero() {
			first = time.Now()
		}
		if acked >= want {
			r.events = acked
			r.outputBytes = s["libbeat.output.write.bytes"]
			break
		}
		if p.Exited() {
			return run{err: fmt.Errorf("m365beat exited: %s", tail(p.Log(), 2000))}
		}
		if time.Now().After(deadline) {
			p.Kill9()
			return run{err: fmt.Errorf("timeout: %d of %d events acknowledged after %s", acked, want, timeout)}
		}
		time.Sleep(50 * time.Millisecond)
	}
	end := time.Now()
	r.dur = end.Sub(first)
	r.startup = first.Sub(t0)
	r.benchCPU = selfCPU() - c0
	if _, _, h, err := p.Live(); err == nil {
		hwm = max(hwm, h)
	}
	_ = p.Stop(30 * time.Second)
	// Peak RSS is VmHWM read from /proc while the process runs: the
	// rusage of a child forked from this (large) process counts the
	// parent's pages shared before exec.
	r.cpu, r.maxRSS = p.Usage().CPU, hwm
	return r
}

func tail(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}

func mb(b int64) float64 { return float64(b) / (1 << 20) }

// eventhubE2E runs the binary against the emulator at 1, 4 and 16
// partitions with the file output and the discard output.
func eventhubE2E(r *report, bin, tmp string) string {
	n := 200000
	if r.quick {
		n = 50000
	}
	var b strings.Builder
	recs, err := mixRecords()
	if err != nil {
		return "**failed**: " + err.Error() + "\n"
	}
	az, err := beatproc.StartAzurite(filepath.Join(tmp, "azurite"))
	if err != nil {
		return "**skipped**: " + err.Error() + "\n"
	}
	defer az.Stop()
	fmt.Fprintf(&b, "%d records per run (the mix of every table's golden records, %d distinct, 25 records per message) pre-loaded into the in-process emulator; checkpoints in Azurite; shipped queue settings (16384 events, flush 2048/1s); shipped input settings (max_in_flight_messages 100, prefetch derived: 100 ÷ partitions, at most 300; partition_receive_count 100) unless the row says otherwise; real eventhub input, processors and libbeat pipeline in the `m365beat run` subprocess (built as the packages are: CGO off, -trimpath, stripped; idle RSS about 65 MB, of which about 50 MB are pages of the binary). Rate = records ÷ (first to last acknowledged event); startup (process start to first acknowledgement, ownership claims included) is listed apart. CPU = user+system of m365beat over the whole run; the emulator's own CPU (in the bench process, same 2 cores) is listed apart. Queue peak = most events seen in the libbeat queue (libbeat.pipeline.queue.filled.events, sampled every 50 ms): processed events waiting in the queue are most of the live heap, so the further the queue filled (the publishing partitions outrunning the output), the higher the peak RSS.\n\n", n, len(recs))
	b.WriteString("| partitions | load balancing | output | records/s | input MB/s | output MB/s | startup | m365beat CPU s / 100k records | emulator CPU s / 100k | peak RSS MB | queue peak events |\n|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	type row struct {
		parts      int
		lb, output string
	}
	var rows []row
	for _, parts := range []int{1, 4, 16} {
		for _, output := range []string{"file", "discard"} {
			rows = append(rows, row{parts, "", output})
		}
	}
	// The other strategy: balanced claims one partition per
	// load_balancing_interval (1 s here), so a lone instance reads few
	// partitions for most of the run.
	rows = append(rows, row{16, "balanced", "file"})
	for _, rw := range rows {
		parts, output, lb := rw.parts, rw.output, rw.lb
		if ehPartitions != "" && !strings.Contains(","+ehPartitions+",", fmt.Sprintf(",%d,", parts)) {
			continue
		}
		lbName := lb
		if lbName == "" {
			lbName = "default (greedy)"
		}
		{
			eh := eventhubtest.New(eventhubtest.Options{Hubs: map[string]int{hubName: parts}})
			if err := eh.Start(); err != nil {
				return "**failed**: " + err.Error()
			}
			inBytes, err := loadHub(eh, recs, n, 25)
			if err != nil {
				eh.Close()
				return "**failed**: " + err.Error()
			}
			home := filepath.Join(tmp, fmt.Sprintf("eh-%d-%s-%s", parts, lbName[:3], output))
			outCfg := "output.discard: {}\n"
			if output == "file" {
				outCfg = beatproc.FileOutputYAML(filepath.Join(home, "out"))
			}
			cfg := eventhubYAMLWith(eh, az, fmt.Sprintf("bench-%d-%s-%s", parts, lbName[:3], output), lb) + queueDefaults + outCfg
			fmt.Fprintf(os.Stderr, "eventhub %d partitions, %s, %s output ...\n", parts, lbName, output)
			m := measure(bin, home, cfg, int64(n), 10*time.Minute)
			eh.Close()
			if m.err != nil {
				fmt.Fprintf(&b, "| %d | %s | %s | failed: %v | | | | | | | |\n", parts, lbName, output, m.err)
				continue
			}
			secs := m.dur.Seconds()
			outMB := "-"
			if m.outputBytes > 0 {
				outMB = fmt.Sprintf("%.1f", m.outputBytes/(1<<20)/secs)
			}
			fmt.Fprintf(&b, "| %d | %s | %s | %.0f | %.1f | %s | %s | %.2f | %.2f | %.0f | %d |\n", parts, lbName, output,
				float64(n)/secs, mb(inBytes)/secs, outMB, m.startup.Round(10*time.Millisecond),
				m.cpu.Seconds()*100000/float64(n), m.benchCPU.Seconds()*100000/float64(n), mb(m.maxRSS), m.queuePeak)
		}
	}
	return b.String()
}
