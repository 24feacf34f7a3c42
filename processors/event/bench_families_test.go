package event

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/elastic/beats/v7/libbeat/beat"
	jsoncodec "github.com/elastic/beats/v7/libbeat/outputs/codec/json"
	"github.com/elastic/elastic-agent-libs/mapstr"

	"github.com/m365beat/m365beat/internal/golden"
)

// familyFixtures are the scored fixture files of each family (shared
// fixtures), and familyGoldens the golden inputs used when they are absent.
var (
	familyFixtures = map[Family][]string{
		FamilyEmail:  {"test-email.log", "test-message.log"},
		FamilyAlert:  {"test-alert.log", "test-behavior.log"},
		FamilyApp:    {"test-app-and-identity.log", "test-cloud.log"},
		FamilyDevice: {"test-device.log"},
	}
	familyGoldens = map[Family][]string{
		FamilyEmail:  {"email-*.json", "url-click-events.json", "message-*.json"},
		FamilyAlert:  {"alert-info.json", "alert-evidence.json", "behavior-*.json"},
		FamilyApp:    {"identity-*.json", "cloud-app-events.json", "cloud-audit-events.json", "cloud-storage-aggregated-events.json"},
		FamilyDevice: {"device-*.json", "cloud-process-events.json"},
	}
)

// familyRecords returns the records of one family whose category routes to
// it: the fixture lines when the shared fixtures are present, plus one
// golden input per table the fixtures lack (edge cases left out), so every
// table of the family is in the mix.
func familyRecords(b *testing.B, f Family) []string {
	b.Helper()
	var out []string
	seen := map[string]bool{}
	add := func(fn string, onePerTable bool) {
		if strings.HasSuffix(fn, "-expected.json") || strings.Contains(fn, "-edge") {
			return
		}
		for _, l := range golden.Lines(b, fn) {
			var env struct {
				Category string `json:"category"`
			}
			if json.Unmarshal(l, &env) != nil {
				continue
			}
			if fams := Route(strings.ToLower(env.Category)); len(fams) != 1 || fams[0] != f {
				continue
			}
			if onePerTable && seen[env.Category] {
				continue
			}
			seen[env.Category] = true
			out = append(out, string(l))
		}
	}
	dir := filepath.Join("..", "..", "..", "shared", "fixtures", "elastic-m365-defender", "event")
	for _, n := range familyFixtures[f] {
		if _, err := os.Stat(filepath.Join(dir, n)); err == nil {
			add(filepath.Join(dir, n), false)
		}
	}
	for _, pat := range familyGoldens[f] {
		m, _ := filepath.Glob(filepath.Join("testdata", pat))
		for _, fn := range m {
			add(fn, true)
		}
	}
	if len(out) == 0 {
		b.Skipf("no %s records", f)
	}
	return out
}

// allRecords is the mix of every family's records.
func allRecords(b *testing.B) []string {
	var out []string
	for _, f := range []Family{FamilyDevice, FamilyAlert, FamilyEmail, FamilyApp} {
		out = append(out, familyRecords(b, f)...)
	}
	return out
}

// BenchmarkFamily runs the records of each mapper family through the
// router alone (map), the router and libbeat's JSON codec (map_encode, the
// beat's output path) and the encoding/json decode+encode baseline. One op
// = one record.
func BenchmarkFamily(b *testing.B) {
	for _, f := range []Family{FamilyEmail, FamilyAlert, FamilyApp, FamilyDevice} {
		b.Run(string(f), func(b *testing.B) {
			recs := familyRecords(b, f)
			b.Run("map", func(b *testing.B) { benchMap(b, recs, bothOn) })
			b.Run("map_encode", func(b *testing.B) { benchEncode(b, recs, bothOn) })
			b.Run("baseline_encoding_json", func(b *testing.B) { benchBaseline(b, recs) })
		})
	}
}

// benchMap runs recs through the router alone (decode + map).
func benchMap(b *testing.B, recs []string, cfg Config) {
	p := newTestRouter(cfg)
	for _, r := range recs {
		render(p, []byte(r)) // one-time set-up (e.g. user-agent regexes) out of the loop
	}
	b.SetBytes(avgLen(recs))
	measureCPU(b, func(i int) {
		ev := beat.Event{Fields: mapstr.M{"message": recs[i%len(recs)]}}
		_, _ = p.Run(&ev)
	})
}

// benchEncode maps and encodes recs with libbeat's JSON codec.
func benchEncode(b *testing.B, recs []string, cfg Config) {
	p := newTestRouter(cfg)
	for _, r := range recs {
		render(p, []byte(r)) // one-time set-up out of the loop
	}
	enc := jsoncodec.New("9.0.0", jsoncodec.Config{})
	b.SetBytes(avgLen(recs))
	measureCPU(b, func(i int) {
		ev := beat.Event{Fields: mapstr.M{"message": recs[i%len(recs)]}}
		out, _ := p.Run(&ev)
		if _, err := enc.Encode("m365_defender", out); err != nil {
			b.Fatal(err)
		}
	})
}

// benchBaseline is encoding/json decode-into-map + encode of recs.
func benchBaseline(b *testing.B, recs []string) {
	raw := make([][]byte, len(recs))
	for i, r := range recs {
		raw[i] = []byte(r)
	}
	b.SetBytes(avgLen(recs))
	measureCPU(b, func(i int) {
		var m map[string]any
		if err := json.Unmarshal(raw[i%len(raw)], &m); err != nil {
			b.Fatal(err)
		}
		if _, err := json.Marshal(m); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkAllTablesMix decodes, maps and encodes (libbeat's JSON codec,
// the beat's output path) the records of all 30 tables' fixtures, beside
// the baseline of encoding/json decode-into-map + encode of the same
// records. One op = one record.
//
// Three more rows split the default (options off) path, to show where the
// time goes: map_only is the processor alone (decode + map, no encoding);
// codec_only is libbeat's JSON codec on the finished documents; and
// floor_clone_encode copies the finished documents into fresh maps and
// encodes them — no parsing and no mapping logic, so it is a lower bound
// of any processor that emits these documents as mapstr.M.
func BenchmarkAllTablesMix(b *testing.B) {
	recs := allRecords(b)
	b.Run("m365beat_options_on", func(b *testing.B) { benchEncode(b, recs, bothOn) })
	b.Run("m365beat_options_off", func(b *testing.B) { benchEncode(b, recs, defaultConfig()) })
	b.Run("baseline_encoding_json", func(b *testing.B) { benchBaseline(b, recs) })
	b.Run("map_only_options_off", func(b *testing.B) { benchMap(b, recs, defaultConfig()) })
	docs := finishedDocs(recs, defaultConfig())
	enc := jsoncodec.New("9.0.0", jsoncodec.Config{})
	b.Run("codec_only_options_off", func(b *testing.B) {
		b.SetBytes(avgLen(recs))
		measureCPU(b, func(i int) {
			if _, err := enc.Encode("m365_defender", &docs[i%len(docs)]); err != nil {
				b.Fatal(err)
			}
		})
	})
	b.Run("floor_clone_encode_options_off", func(b *testing.B) {
		b.SetBytes(avgLen(recs))
		measureCPU(b, func(i int) {
			d := &docs[i%len(docs)]
			ev := beat.Event{Timestamp: d.Timestamp, Meta: d.Meta, Fields: d.Fields.Clone()}
			if _, err := enc.Encode("m365_defender", &ev); err != nil {
				b.Fatal(err)
			}
		})
	})
}

// finishedDocs maps every record once and keeps the events.
func finishedDocs(recs []string, cfg Config) []beat.Event {
	p := newTestRouter(cfg)
	out := make([]beat.Event, len(recs))
	for i, r := range recs {
		ev := beat.Event{Fields: mapstr.M{"message": r}}
		res, _ := p.Run(&ev)
		out[i] = *res
	}
	return out
}

// BenchmarkAllTablesMixPaired alternates, record by record over the mix of
// all tables, the m365beat path (router + libbeat JSON codec) and the
// encoding/json baseline so both see the same machine load; it reports
// ns/event of each and ratio = m365beat / baseline (< 1 is faster).
func BenchmarkAllTablesMixPaired(b *testing.B) {
	pairedRun(b, allRecords(b))
}

// BenchmarkFamilyPaired is BenchmarkAllTablesMixPaired per mapper family.
func BenchmarkFamilyPaired(b *testing.B) {
	for _, f := range []Family{FamilyEmail, FamilyAlert, FamilyApp, FamilyDevice} {
		b.Run(string(f), func(b *testing.B) { pairedRun(b, familyRecords(b, f)) })
	}
}

func pairedRun(b *testing.B, recs []string) {
	raw := make([][]byte, len(recs))
	for i, r := range recs {
		raw[i] = []byte(r)
	}
	for _, v := range []struct {
		name string
		cfg  Config
	}{{"options_on", bothOn}, {"options_off", defaultConfig()}} {
		b.Run(v.name, func(b *testing.B) {
			p := newTestRouter(v.cfg)
			for _, r := range recs {
				render(p, []byte(r)) // one-time set-up out of the loop
			}
			enc := jsoncodec.New("9.0.0", jsoncodec.Config{})
			var ours, base time.Duration
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				k := i % len(recs)
				t0 := time.Now()
				ev := beat.Event{Fields: mapstr.M{"message": recs[k]}}
				out, _ := p.Run(&ev)
				if _, err := enc.Encode("m365_defender", out); err != nil {
					b.Fatal(err)
				}
				t1 := time.Now()
				var m map[string]any
				if err := json.Unmarshal(raw[k], &m); err != nil {
					b.Fatal(err)
				}
				if _, err := json.Marshal(m); err != nil {
					b.Fatal(err)
				}
				t2 := time.Now()
				ours += t1.Sub(t0)
				base += t2.Sub(t1)
			}
			b.ReportMetric(float64(ours.Nanoseconds())/float64(b.N), "m365beat-ns/event")
			b.ReportMetric(float64(base.Nanoseconds())/float64(b.N), "baseline-ns/event")
			b.ReportMetric(float64(ours)/float64(max(base, 1)), "ratio")
		})
	}
}

// TestAllTablesMixCoversEveryTable keeps the mix honest: the fixture (or
// golden) records of the benchmarks cover every table of the registry.
func TestAllTablesMixCoversEveryTable(t *testing.T) {
	seen := map[string]bool{}
	add := func(files []string) {
		for _, fn := range files {
			if strings.HasSuffix(fn, "-expected.json") {
				continue
			}
			for _, l := range golden.Lines(t, fn) {
				var env struct {
					Category string `json:"category"`
				}
				if json.Unmarshal(l, &env) == nil {
					seen[env.Category] = true
				}
			}
		}
	}
	for _, pats := range familyGoldens {
		for _, pat := range pats {
			m, _ := filepath.Glob(filepath.Join("testdata", pat))
			add(m)
		}
	}
	for _, tb := range Tables {
		if !seen[tb.Category()] {
			t.Errorf("no golden record of %s in the benchmark mix", tb.Name)
		}
	}
}
