package graphapi

import (
	"bufio"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/elastic/beats/v7/libbeat/beat"
	jsoncodec "github.com/elastic/beats/v7/libbeat/outputs/codec/json"

	"github.com/m365beat/m365beat/input"
	"github.com/m365beat/m365beat/internal/defendertest"
	"github.com/m365beat/m365beat/internal/inputtest"
	"github.com/m365beat/m365beat/processors/vulnerability"
)

// sinkPipeline is a Connector that behaves like libbeat's for memory
// purposes: Publish runs the m365_defender_vulnerability processor in the
// caller's goroutine, then blocks while queueCap processed events wait (the
// memory queue); an output goroutine encodes each document with the file
// output's JSON codec to out and acknowledges.
type sinkPipeline struct {
	out      io.Writer
	queueCap int
	docs     atomic.Int64
	errs     atomic.Int64
	wg       sync.WaitGroup
}

type sinkClient struct {
	p     *sinkPipeline
	proc  *vulnerability.Processor
	q     chan beat.Event
	onACK func([]any)
	once  sync.Once
}

func (p *sinkPipeline) Connect(_ input.Stream, onACK func([]any)) (input.Client, error) {
	c := &sinkClient{p: p, proc: vulnerability.New(vulnerability.Config{}, nil), q: make(chan beat.Event, p.queueCap), onACK: onACK}
	p.wg.Add(1)
	go c.output()
	return c, nil
}

func (c *sinkClient) output() {
	defer c.p.wg.Done()
	w := bufio.NewWriterSize(c.p.out, 256*1024)
	defer w.Flush()
	enc := jsoncodec.New("9.0.0", jsoncodec.Config{}) // the file output's codec
	privs := make([]any, 0, 512)
	ack := func() {
		c.p.docs.Add(int64(len(privs)))
		if c.onACK != nil && len(privs) > 0 {
			c.onACK(privs)
		}
		privs = privs[:0]
	}
	for e := range c.q {
		b, err := enc.Encode(Type, &e)
		if err == nil {
			_, err = w.Write(b)
		}
		if err == nil {
			err = w.WriteByte('\n')
		}
		if err != nil {
			c.p.errs.Add(1)
		}
		if _, ok := e.Fields["error"]; ok {
			c.p.errs.Add(1)
		}
		privs = append(privs, e.Private)
		if len(privs) == cap(privs) || len(c.q) == 0 {
			ack()
		}
	}
	ack()
}

func (c *sinkClient) Publish(e beat.Event) { c.PublishAll([]beat.Event{e}) }

func (c *sinkClient) PublishAll(es []beat.Event) {
	for i := range es {
		e := es[i]
		if r, err := c.proc.Run(&e); err == nil && r != nil {
			c.q <- *r // blocks while the queue is full
		}
	}
}

func (c *sinkClient) Close() error {
	c.once.Do(func() { close(c.q) })
	return nil
}

// procStatus reads a kB value of /proc/self/status (0 when unavailable).
func procStatus(key string) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, key+":") {
			f := strings.Fields(l[len(key)+1:])
			if len(f) > 0 {
				n, _ := strconv.ParseInt(f[0], 10, 64)
				return n * 1024
			}
		}
	}
	return 0
}

// runLargeExport streams a generated export of n records in files through
// the input and the processor into out; it returns the duration and the
// heap peak above the baseline.
func runLargeExport(t testing.TB, n, files int, out io.Writer, rss0 *int64) (time.Duration, uint64, *sinkPipeline) {
	srv := defendertest.New()
	defer srv.Close()
	var err error
	srv.Files, err = defendertest.CompressedFiles(t.TempDir(), n, files)
	if err != nil {
		t.Fatal(err)
	}
	var size int64
	for _, f := range srv.Files {
		if st, err := os.Stat(f.Path); err == nil {
			size += st.Size()
		}
	}
	t.Logf("export: %d records in %d gzip files, %.1f MB compressed (served from disk by the fake)", n, files, float64(size)/(1<<20))
	// Start from a clean slate: earlier tests' freed memory goes back to
	// the OS and the peak RSS (VmHWM) is reset to the current RSS.
	debug.FreeOSMemory()
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
	if rss0 != nil {
		*rss0 = procStatus("VmRSS")
	}
	in := newTestInput(t, vulnTestConfig(srv, map[string]any{"batch_size": 1000}))
	p := &sinkPipeline{out: out, queueCap: 3200} // libbeat's default queue.mem.events

	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	var peak atomic.Uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		var ms runtime.MemStats
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	begin := time.Now()
	ctx, cancel := inputtest.Context(t, "contoso", p, inputtest.NewStore())
	done := make(chan error, 1)
	go func() { done <- in.Run(ctx) }()
	deadline := time.Now().Add(5 * time.Minute)
	for p.docs.Load() < int64(n) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	elapsed := time.Since(begin)
	cancel()
	<-done
	p.wg.Wait()
	close(stop)
	<-sampled
	var growth uint64
	if pk := peak.Load(); pk > base.HeapInuse {
		growth = pk - base.HeapInuse
	}
	return elapsed, growth, p
}

// TestVulnLargeExportBoundedMemory streams a 500,000-record export
// (generated, gzip NDJSON over HTTP, 5 files) through the input and the
// processor: every record comes out as a document and neither the Go heap
// nor the process RSS grows by 100 MB or more. Skipped with -short.
// M365BEAT_VULN_SINK=path writes the documents to a file.
func TestVulnLargeExportBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("500,000 records: skipped with -short")
	}
	const n = 500000
	out := io.Discard
	if path := os.Getenv("M365BEAT_VULN_SINK"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		out = f
	}
	var rss0 int64
	elapsed, heapGrowth, p := runLargeExport(t, n, 5, out, &rss0)
	hwm := procStatus("VmHWM")
	if got := p.docs.Load(); got != n {
		t.Fatalf("%d documents, want %d", got, n)
	}
	if e := p.errs.Load(); e != 0 {
		t.Errorf("%d documents with errors", e)
	}
	const limit = 100 << 20
	t.Logf("%d records in %s (%.0f records/s); heap growth peak %.1f MB; RSS %.1f MB before, peak %.1f MB (growth %.1f MB)",
		n, elapsed.Round(time.Millisecond), float64(n)/elapsed.Seconds(), float64(heapGrowth)/(1<<20),
		float64(rss0)/(1<<20), float64(hwm)/(1<<20), float64(hwm-rss0)/(1<<20))
	if heapGrowth >= limit {
		t.Errorf("heap grew by %d MB, limit 100 MB", heapGrowth>>20)
	}
	if rss0 > 0 && hwm-rss0 >= limit {
		t.Errorf("RSS grew by %d MB, limit 100 MB", (hwm-rss0)>>20)
	}
}

// BenchmarkVulnExport: records per second through download, gunzip, line
// split, processor and JSON encoding (one op = one record).
func BenchmarkVulnExport(b *testing.B) {
	b.ReportAllocs()
	n := max(b.N, 1000)
	b.ResetTimer()
	elapsed, _, _ := runLargeExport(b, n, 2, io.Discard, nil)
	b.ReportMetric(float64(n)/elapsed.Seconds(), "records/s")
}
