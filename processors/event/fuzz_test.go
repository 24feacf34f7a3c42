package event

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/elastic/beats/v7/libbeat/beat"
	"github.com/elastic/elastic-agent-libs/mapstr"

	"github.com/m365beat/m365beat/internal/golden"
)

// FuzzRouter feeds arbitrary record texts to the router. Seeds: every
// golden input line (testdata/*.json); checked-in corpus in
// testdata/fuzz/FuzzRouter. Run: go test -fuzz FuzzRouter ./processors/event/
func FuzzRouter(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.json")
	for _, in := range files {
		if strings.HasSuffix(in, "-expected.json") {
			continue
		}
		for _, line := range golden.Lines(f, in) {
			f.Add(string(line))
		}
	}
	on, off := newTestRouter(bothOn), newTestRouter(defaultConfig())
	f.Fuzz(func(t *testing.T, record string) {
		for _, p := range []*Processor{on, off} {
			ev := &beat.Event{Fields: mapstr.M{"message": record}}
			out, err := p.Run(ev)
			if err != nil || out == nil {
				t.Fatalf("Run returned %v, %v", out, err)
			}
			if v, _ := out.Fields.GetValue("ecs.version"); v != ecsVersion {
				t.Fatalf("ecs.version = %v", v)
			}
			// message is ECS output of the alert mapper (Title, event-alert.md
			// §2.11); the raw record must never survive in it.
			if m, err := out.Fields.GetValue("message"); err == nil && m == record {
				t.Fatal("message kept")
			}
			if msgs, err := out.Fields.GetValue("error.message"); err == nil {
				for _, m := range msgs.([]string) {
					if strings.Contains(m, "internal error") {
						t.Fatalf("mapper panicked: %s", m)
					}
				}
			}
			if _, err := json.Marshal(out.Fields); err != nil {
				t.Fatalf("document does not encode: %v", err)
			}
			if e := findEmpty("", golden.Canonical(t, out.Fields)); e != "" {
				t.Fatalf("empty value left at %s", e)
			}
		}
	})
}
