package event

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/elastic/beats/v7/libbeat/beat"
	"github.com/elastic/elastic-agent-libs/mapstr"

	"github.com/m365beat/m365beat/internal/golden"
)

// benchRecords returns the device fixture lines (test-device.log) when the
// shared fixtures are present, else the device golden inputs.
func benchRecords(b *testing.B) []string {
	b.Helper()
	var files []string
	fx := filepath.Join("..", "..", "..", "shared", "fixtures", "elastic-m365-defender", "event", "test-device.log")
	if _, err := os.Stat(fx); err == nil {
		files = []string{fx}
	} else {
		files, _ = filepath.Glob("testdata/device-*.json")
	}
	var out []string
	for _, f := range files {
		if strings.HasSuffix(f, "-expected.json") || strings.HasSuffix(f, "device-edge.json") {
			continue
		}
		for _, l := range golden.Lines(b, f) {
			out = append(out, string(l))
		}
	}
	if len(out) == 0 {
		b.Fatal("no benchmark records")
	}
	return out
}

// cpuTime is the CPU time (user + system) the process used so far. Unlike
// wall time it does not grow while other processes hold the CPU, so
// cpu-ns/event stays comparable on a loaded machine.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// measureCPU runs fn b.N times and reports cpu-ns/event.
func measureCPU(b *testing.B, fn func(i int)) {
	b.ReportAllocs()
	b.ResetTimer()
	start := cpuTime()
	for i := 0; i < b.N; i++ {
		fn(i)
	}
	b.StopTimer()
	b.ReportMetric(float64((cpuTime()-start).Nanoseconds())/float64(b.N), "cpu-ns/event")
}

func avgLen(recs []string) int64 {
	n := 0
	for _, r := range recs {
		n += len(r)
	}
	return int64(n / len(recs))
}

// BenchmarkDeviceMix decodes, normalises and JSON-encodes the device fixture
// mix (m365beat), beside the baseline of encoding/json decode-into-map +
// encode of the same records. One op = one record.
func BenchmarkDeviceMix(b *testing.B) {
	recs := benchRecords(b)
	b.Run("m365beat", func(b *testing.B) {
		p := newTestRouter(bothOn)
		b.SetBytes(avgLen(recs))
		measureCPU(b, func(i int) {
			ev := beat.Event{Fields: mapstr.M{"message": recs[i%len(recs)]}}
			out, _ := p.Run(&ev)
			if _, err := json.Marshal(out.Fields); err != nil {
				b.Fatal(err)
			}
		})
	})
	// The beat's real output path: libbeat's JSON codec (go-structform).
	b.Run("m365beat_libbeat_codec", func(b *testing.B) { benchEncode(b, recs, bothOn) })
	b.Run("m365beat_libbeat_codec_options_off", func(b *testing.B) { benchEncode(b, recs, defaultConfig()) })
	b.Run("baseline_encoding_json", func(b *testing.B) { benchBaseline(b, recs) })
}

// BenchmarkTable maps one record of each table (no encoding).
func BenchmarkTable(b *testing.B) {
	recs := allRecords(b) // every table of the registry (bench_families_test.go)
	byTable := map[string]string{}
	for _, r := range recs {
		var env struct {
			Category string `json:"category"`
		}
		if json.Unmarshal([]byte(r), &env) == nil {
			if _, ok := byTable[env.Category]; !ok {
				byTable[env.Category] = r
			}
		}
	}
	for _, tb := range Tables {
		rec, ok := byTable[tb.Category()]
		if !ok {
			continue
		}
		b.Run(tb.Name, func(b *testing.B) {
			p := newTestRouter(bothOn)
			b.SetBytes(int64(len(rec)))
			measureCPU(b, func(int) {
				ev := beat.Event{Fields: mapstr.M{"message": rec}}
				_, _ = p.Run(&ev)
			})
		})
	}
}

// BenchmarkDeviceMixPaired is BenchmarkAllTablesMixPaired on the device
// fixture mix.
func BenchmarkDeviceMixPaired(b *testing.B) { pairedRun(b, benchRecords(b)) }
