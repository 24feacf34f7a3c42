package graphapi

import (
	"bufio"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/elastic/elastic-agent-libs/monitoring"

	"github.com/m365beat/m365beat/internal/graphtest"
	"github.com/m365beat/m365beat/internal/inputtest"
)

// vmHWM is the process's peak resident set size in bytes (Linux).
func vmHWM() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return -1
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb * 1024
		}
	}
	return -1
}

// The figure of the issue: 100,000 alerts collected from the fake in
// under 60 s with the whole test process (input and fake) under 200 MB RSS.
func TestCollect100k(t *testing.T) {
	if testing.Short() {
		t.Skip("100k figure skipped under -short")
	}
	const n = 100000
	srv := graphtest.New(graphtest.Options{})
	defer srv.Close()
	now := time.Now().UTC()
	srv.Generate(n, now.Add(-23*time.Hour), now.Add(-time.Minute))
	runtime.GC()

	in := newTestInput(t, fakeConfig(srv, map[string]any{"resource": "alerts", "batch_size": 2000, "interval": "1h"}))
	p := &countingPipeline{}
	begin := time.Now()
	r := start(t, in, p, inputtest.NewStore())
	waitFor(t, "100k alerts", 120*time.Second, func() bool { return r.metric("alerts.polls_total") >= 1 })
	elapsed := time.Since(begin)
	r.stop(t)

	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	rss := vmHWM()
	t.Logf("collected %d alerts (%d MB of messages) in %s (%.0f alerts/s); %d requests, %d pages; peak RSS %d MB, heap sys %d MB, total alloc %d MB",
		p.count(), p.bytes>>20, elapsed.Round(time.Millisecond), float64(p.count())/elapsed.Seconds(),
		r.metric("alerts.requests_total"), r.metric("alerts.pages_total"), rss>>20, ms.HeapSys>>20, ms.TotalAlloc>>20)
	if p.count() != n {
		t.Errorf("collected %d alerts, want %d", p.count(), n)
	}
	if elapsed > 60*time.Second {
		t.Errorf("took %s, want < 60s", elapsed)
	}
	if rss > 200<<20 {
		t.Errorf("peak RSS %d MB, want < 200 MB", rss>>20)
	}
}

// BenchmarkCollect measures a full poll of 10,000 alerts from the fake
// (HTTP, decode, de-dup, publish, ACK, cursor commit) per iteration.
func BenchmarkCollect(b *testing.B) {
	const n = 10000
	srv := graphtest.New(graphtest.Options{})
	defer srv.Close()
	now := time.Now().UTC()
	srv.Generate(n, now.Add(-23*time.Hour), now.Add(-time.Minute))
	in := newTestInput(b, fakeConfig(srv, map[string]any{"resource": "alerts", "batch_size": 2000}))
	s := benchStream(b, in)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s.published, s.acked, s.cursor = seenSet{}, seenSet{}, time.Time{}
		if err := s.poll(b.Context()); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "alerts/s")
}

// BenchmarkPublishPage measures the input's own work on one 2,000-alert
// page (decode, split, de-dup, events, ACK bookkeeping), without HTTP.
func BenchmarkPublishPage(b *testing.B) {
	srv := graphtest.New(graphtest.Options{})
	defer srv.Close()
	now := time.Now().UTC()
	srv.Generate(2000, now.Add(-time.Hour), now)
	in := newTestInput(b, fakeConfig(srv, map[string]any{"resource": "alerts", "batch_size": 2000}))
	s := benchStream(b, in)
	body, err := s.g.get(b.Context(), s.listURL(now.Add(-2*time.Hour), false), s.m, getOpts{})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s.published = seenSet{}
		if _, _, err := s.publishPage(b.Context(), body, map[uint64]struct{}{}, false); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(2000*b.N)/b.Elapsed().Seconds(), "alerts/s")
}

func benchStream(b *testing.B, in *graphInput) *stream {
	sc := in.cfg.Streams[0]
	s := &stream{cfg: sc, g: in.graph, base: in.base, overlap: in.cfg.Overlap, lookbk: in.cfg.InitialLookback,
		dedupN: in.cfg.DedupSize, log: in.log, m: newMetrics(monitoring.NewRegistry()),
		store: inputtest.NewStore(), key: "bench", now: time.Now}
	if err := s.load(); err != nil {
		b.Fatal(err)
	}
	p := &countingPipeline{}
	c, _ := p.Connect(inputStream(sc), s.onACK)
	s.client = c
	return s
}
