package eventhub

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/elastic/beats/v7/libbeat/beat"

	"github.com/m365beat/m365beat/input"
	"github.com/m365beat/m365beat/internal/eventhubtest"
)

// defenderRecord is a DeviceProcessEvents record of typical size (~1 KB).
func defenderRecord(i int) string {
	return fmt.Sprintf(`{"time":"2024-05-01T10:00:%02d.1234567Z","tenantId":"7c2c1e7f-0000-4000-8000-000000000000","operationName":"Publish","category":"AdvancedHunting-DeviceProcessEvents","_TimeReceivedBySvc":"2024-05-01T10:00:00.0000000Z","properties":{"AccountDomain":"contoso","AccountName":"user%d","AccountSid":"S-1-5-21-1-2-3-%d","ActionType":"ProcessCreated","DeviceId":"%040d","DeviceName":"host-%d.contoso.com","FileName":"powershell.exe","FolderPath":"C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe","InitiatingProcessCommandLine":"\"cmd.exe\" /c powershell -nop -w hidden","InitiatingProcessFileName":"cmd.exe","InitiatingProcessId":%d,"MD5":"0123456789abcdef0123456789abcdef","ProcessCommandLine":"powershell -nop -w hidden -c \"Get-Process\"","ProcessId":%d,"ReportId":%d,"SHA1":"0123456789abcdef0123456789abcdef01234567","SHA256":"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef","Timestamp":"2024-05-01T10:00:00.0000000Z"},"id":"r%d"}`,
		i%60, i%100, i, i%1000, i%50, 1000+i%5000, 2000+i%5000, i, i)
}

// publishDefender appends n realistic records, perMsg per message, over
// all partitions of the emulator.
func publishDefender(tb testing.TB, eh *eventhubtest.Emulator, n, perMsg int) {
	ids := eh.PartitionIDs(testHub)
	msgs := make([][]eventhubtest.Message, len(ids))
	for i, m := 0, 0; i < n; m++ {
		var b strings.Builder
		b.WriteString(`{"records":[`)
		for j := 0; j < perMsg && i < n; j++ {
			if j > 0 {
				b.WriteByte(',')
			}
			b.WriteString(defenderRecord(i))
			i++
		}
		b.WriteString(`]}`)
		msgs[m%len(ids)] = append(msgs[m%len(ids)], eventhubtest.Message{Body: []byte(b.String())})
	}
	for p, ms := range msgs {
		if err := eh.Append(testHub, ids[p], ms...); err != nil {
			tb.Fatal(err)
		}
	}
}

// rssMB reads the resident set size and its peak from /proc (Linux).
func rssMB() (rss, peak float64) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		kb, _ := strconv.ParseFloat(f[1], 64)
		switch f[0] {
		case "VmRSS:":
			rss = kb / 1024
		case "VmHWM:":
			peak = kb / 1024
		}
	}
	return rss, peak
}

// BenchmarkInputThroughput: one input instance reading ~1 KB Defender
// records (25 per message, 4 partitions) from the emulator into a pipeline
// that acknowledges at once, checkpoints in memory. Reports records/s, the
// process RSS (emulator included: it keeps every message in memory) and the
// peak heap above what the emulator holds (input and AMQP client).
//
//	go test ./input/eventhub/ -run '^$' -bench InputThroughput -benchtime 100000x
func BenchmarkInputThroughput(b *testing.B) { benchmarkThroughput(b, false) }

// BenchmarkInputThroughputBlob is the same with checkpoints and ownership in
// Azurite's Blob storage (skipped when Azurite is not installed).
func BenchmarkInputThroughputBlob(b *testing.B) { benchmarkThroughput(b, true) }

func benchmarkThroughput(b *testing.B, blob bool) {
	e := newEnv(b, 4, blob)
	publishDefender(b, e.eh, b.N, 25)
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	baseline := ms.HeapAlloc // the emulator's log is in it
	var peakHeap atomic.Uint64
	sampling := make(chan struct{})
	go func() {
		var ms runtime.MemStats
		for {
			select {
			case <-sampling:
				return
			case <-time.After(50 * time.Millisecond):
			}
			runtime.ReadMemStats(&ms)
			if ms.HeapAlloc > peakHeap.Load() {
				peakHeap.Store(ms.HeapAlloc)
			}
		}
	}()
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	pipe := &countingPipeline{}
	r := e.run(e.config(nil), pipe)
	for pipe.acked.Load() < int64(b.N) {
		if time.Since(start) > 10*time.Minute {
			b.Fatalf("%d of %d records acknowledged after 10 minutes", pipe.acked.Load(), b.N)
		}
		time.Sleep(5 * time.Millisecond)
	}
	elapsed := time.Since(start)
	b.StopTimer()
	close(sampling)
	rss, peak := rssMB()
	r.stop(b)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "records/s")
	b.ReportMetric(rss, "RSS-MB")
	b.ReportMetric(peak, "peakRSS-MB")
	b.ReportMetric(float64(baseline)/(1<<20), "emulator-heap-MB")
	if p := peakHeap.Load(); p > baseline {
		b.ReportMetric(float64(p-baseline)/(1<<20), "input-peak-heap-MB")
	}
}

// countingPipeline acknowledges every event at once and keeps none, so
// that RSS reflects the input (and the emulator), not a test recorder.
type countingPipeline struct{ acked atomic.Int64 }

func (p *countingPipeline) Connect(_ input.Stream, onACK func([]any)) (input.Client, error) {
	return &countingClient{p: p, onACK: onACK}, nil
}

type countingClient struct {
	p     *countingPipeline
	onACK func([]any)
}

func (c *countingClient) Publish(e beat.Event) { c.PublishAll([]beat.Event{e}) }
func (c *countingClient) PublishAll(es []beat.Event) {
	privs := make([]any, len(es))
	for i := range es {
		privs[i] = es[i].Private
	}
	c.onACK(privs)
	c.p.acked.Add(int64(len(es)))
}
func (c *countingClient) Close() error { return nil }

// BenchmarkPublisherEvents measures splitting messages into events (the
// input's own hot path, no network).
func BenchmarkPublisherEvents(b *testing.B) {
	e := newEnv(b, 1, false)
	publishDefender(b, e.eh, 25*64, 25)
	_ = e
	msgs := receivedFromEmulator(b, e, 64)
	in := &eventHubInput{cfg: defaultConfig()}
	p := &publisher{in: in, m: newMetrics(nil, nil), pid: "0"}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		evs := p.events(msgs)
		if len(evs) != 25*64 {
			b.Fatalf("%d events", len(evs))
		}
	}
	b.ReportMetric(float64(b.N*25*64)/b.Elapsed().Seconds(), "records/s")
}
