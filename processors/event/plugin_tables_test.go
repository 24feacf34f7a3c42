package event

import (
	"encoding/json"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/elastic/beats/v7/libbeat/beat"
	"github.com/elastic/elastic-agent-libs/mapstr"

	"github.com/m365beat/m365beat/internal/golden"
)

// TestTablePluginsMapTheirTables runs one golden record of every e-mail,
// alert and app & identity table through that table's libbeat plugin
// (built from the registry by name) and checks it gives the router's
// document; a record of another table gets the mismatch error.
func TestTablePluginsMapTheirTables(t *testing.T) {
	recs := map[string][]byte{}
	files, _ := filepath.Glob("testdata/*.json")
	for _, f := range files {
		if strings.HasSuffix(f, "-expected.json") || strings.Contains(f, "-edge") || strings.Contains(f, "router-") {
			continue
		}
		for _, l := range golden.Lines(t, f) {
			var env struct {
				Category string `json:"category"`
			}
			if json.Unmarshal(l, &env) == nil {
				if _, ok := recs[env.Category]; !ok {
					recs[env.Category] = l
				}
			}
		}
	}
	router := newTestRouter(bothOn)
	n := 0
	for _, tb := range Tables {
		if tb.Family == FamilyDevice {
			continue
		}
		rec, ok := recs[tb.Category()]
		if !ok {
			t.Errorf("%s: no golden record", tb.Name)
			continue
		}
		cfg, err := newPluginConfig(tb.Plugin, map[string]any{"preserve_original_event": true, "preserve_duplicate_custom_fields": true})
		if err != nil {
			t.Fatal(err)
		}
		procs, err := newLibbeatProcessors(cfg)
		if err != nil {
			t.Fatalf("%s: %v", tb.Plugin, err)
		}
		run := func(line []byte) mapstr.M {
			out, err := procs.Run(&beat.Event{Fields: mapstr.M{"message": string(line)}})
			if err != nil || out == nil {
				t.Fatalf("%s: Run = %v, %v", tb.Plugin, out, err)
			}
			return out.Fields
		}
		got := run(rec)
		want := render(router, rec)
		delete(want, "@timestamp")
		if !reflect.DeepEqual(golden.Canonical(t, got), golden.Canonical(t, want)) {
			t.Errorf("%s: plugin output differs from the router's:\n%v", tb.Plugin, golden.Diff(golden.Canonical(t, want), golden.Canonical(t, got), nil))
		}
		other := recs["AdvancedHunting-DeviceInfo"]
		if other == nil {
			t.Fatal("no DeviceInfo golden record")
		}
		msgs, _ := run(other).GetValue("error.message")
		found := false
		for _, m := range asStrings(msgs) {
			found = found || strings.Contains(m, tb.Plugin+": the record's category is not "+tb.Category())
		}
		if !found {
			t.Errorf("%s: no category-mismatch error for a DeviceInfo record: %v", tb.Plugin, msgs)
		}
		n++
	}
	if n != 19 {
		t.Errorf("%d e-mail, alert and app & identity tables checked, want 19", n)
	}
}

func asStrings(v any) []string {
	switch x := v.(type) {
	case []string:
		return x
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}
