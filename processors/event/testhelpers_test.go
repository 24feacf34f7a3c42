package event

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/elastic/beats/v7/libbeat/beat"
	libprocs "github.com/elastic/beats/v7/libbeat/processors"
	"github.com/elastic/elastic-agent-libs/logp"
	"github.com/elastic/elastic-agent-libs/mapstr"

	"github.com/m365beat/m365beat/internal/golden"
	"github.com/m365beat/m365beat/processors"
)

// bothOn is the option set of Elastic's test harness.
var bothOn = Config{Options: processors.Options{PreserveOriginalEvent: true, PreserveDuplicateCustomFields: true}}

// render runs one input line through p the way the pipeline would and
// returns the published document (fields plus @timestamp when set).
func render(p *Processor, line []byte) mapstr.M {
	ev := &beat.Event{Fields: mapstr.M{"message": string(line)}}
	out, err := p.Run(ev)
	if err != nil || out == nil {
		return mapstr.M{"run_error": err}
	}
	doc := out.Fields.Clone()
	if !out.Timestamp.IsZero() {
		doc["@timestamp"] = out.Timestamp.UTC().Format("2006-01-02T15:04:05.000Z")
	}
	return doc
}

func newTestRouter(cfg Config) *Processor {
	p, err := New(cfg, logp.NewNopLogger())
	if err != nil {
		panic(err)
	}
	return p
}

var _ = time.Time{}

func lower(s string) string { return strings.ToLower(s) }

func newPluginConfig(name string, opts map[string]any) (libprocs.PluginConfig, error) {
	return libprocs.NewPluginConfigFromList([]mapstr.M{{name: mapstr.M(opts)}})
}

func newLibbeatProcessors(cfg libprocs.PluginConfig) (*libprocs.Processors, error) {
	return libprocs.New(cfg, logp.NewNopLogger())
}

// eachGoldenRecord calls fn with every golden input record (testdata)
// that has a properties object, decoded; fn may modify both maps.
func eachGoldenRecord(t *testing.T, fn func(file string, rec, props map[string]any)) {
	t.Helper()
	files, _ := filepath.Glob("testdata/*.json")
	for _, f := range files {
		if strings.HasSuffix(f, "-expected.json") {
			continue
		}
		for _, line := range golden.Lines(t, f) {
			var rec map[string]any
			if json.Unmarshal(line, &rec) != nil {
				continue
			}
			if props, ok := rec["properties"].(map[string]any); ok {
				fn(f, rec, props)
			}
		}
	}
}
