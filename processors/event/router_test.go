package event

import (
	"encoding/json"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/elastic/beats/v7/libbeat/beat"
	"github.com/elastic/elastic-agent-libs/mapstr"

	"github.com/m365beat/m365beat/internal/golden"
	"github.com/m365beat/m365beat/processors"
	"github.com/m365beat/m365beat/processors/internal/ecs"
)

// TestGolden runs testdata/*.json through the router with both preserve
// options on (like Elastic's test harness).
func TestGolden(t *testing.T) {
	p := newTestRouter(bothOn)
	golden.Dir(t, "testdata", func(line []byte) []any { return []any{render(p, line)} })
}

// TestGoldenOptionsOff runs testdata/options-off/*.json with both options off.
func TestGoldenOptionsOff(t *testing.T) {
	p := newTestRouter(defaultConfig())
	golden.Dir(t, "testdata/options-off", func(line []byte) []any { return []any{render(p, line)} })
}

func TestRouteOrder(t *testing.T) {
	cases := map[string][]Family{
		"advancedhunting-deviceprocessevents": {FamilyDevice},
		"advancedhunting-cloudprocessevents":  {FamilyDevice},
		"advancedhunting-alertevidence":       {FamilyAlert},
		"advancedhunting-messageurlinfo":      {FamilyEmail},
		"advancedhunting-alertdevicemessage":  {FamilyAlert, FamilyDevice, FamilyEmail},
		"advancedhunting-exposuregraphnodes":  nil,
	}
	for cat, want := range cases {
		if got := Route(cat); !reflect.DeepEqual(got, want) {
			t.Errorf("Route(%q) = %v, want %v", cat, got, want)
		}
	}
}

// TestRegistryRoutes checks that each table's registry family is the one
// the routing rules pick (exactly one route per supported category).
func TestRegistryRoutes(t *testing.T) {
	if len(Tables) != 30 {
		t.Errorf("%d tables, the spec lists 30", len(Tables))
	}
	for _, tb := range Tables {
		got := Route(lower(tb.Category()))
		if len(got) != 1 || got[0] != tb.Family {
			t.Errorf("%s routes to %v, registry says %s", tb.Name, got, tb.Family)
		}
		if LookupCategory(tb.Category()) == nil || LookupPlugin(tb.Plugin) == nil {
			t.Errorf("%s: lookup failed", tb.Name)
		}
	}
}

func TestRunKeepsInputMetadataAndNeverFails(t *testing.T) {
	p := newTestRouter(defaultConfig())
	ev := &beat.Event{
		Fields: mapstr.M{
			"message":      `{"category":"AdvancedHunting-Nope","time":"2024-05-01T10:00:00Z","properties":{"Timestamp":"2024-05-01T09:00:00Z"}}`,
			"azure":        mapstr.M{"eventhub": "hub", "offset": int64(5)},
			"data_stream":  mapstr.M{"dataset": "m365_defender.event"},
			"input":        mapstr.M{"type": "azure-eventhub"},
			"tags":         []string{"forwarded"},
			"organization": "o", "division": "d", "team": "t",
			"stray": "dropped",
		},
		Meta: mapstr.M{"_id": "x"},
	}
	out, err := p.Run(ev)
	if err != nil || out == nil {
		t.Fatalf("Run: %v %v", out, err)
	}
	f := out.Fields
	for _, k := range []string{"azure", "data_stream", "input"} {
		if _, ok := f[k]; !ok {
			t.Errorf("%s dropped", k)
		}
	}
	for _, k := range []string{"message", "organization", "division", "team", "stray"} {
		if _, ok := f[k]; ok {
			t.Errorf("%s kept", k)
		}
	}
	if !reflect.DeepEqual(f["tags"], []string{"forwarded", TagUnknownTable}) {
		t.Errorf("tags = %v", f["tags"])
	}
	if _, err := f.GetValue("event.original"); err == nil {
		t.Error("event.original kept without preserve_original_event")
	}
	if out.Meta["_id"] != "x" {
		t.Error("@metadata lost")
	}
	if got := out.Timestamp.UTC().Format("2006-01-02T15:04:05Z"); got != "2024-05-01T09:00:00Z" {
		t.Errorf("@timestamp = %s", got)
	}
}

func TestAgentlessMetadataKeptUnlessAllStrings(t *testing.T) {
	p := newTestRouter(defaultConfig())
	ev := &beat.Event{Fields: mapstr.M{"message": `{}`, "organization": "o", "division": int64(1), "team": "t"}}
	out, _ := p.Run(ev)
	if _, ok := out.Fields["organization"]; ok {
		// R0 leaves them, but the document replaces all fields that are
		// not input metadata: they must not survive either way.
		t.Error("organization survived")
	}
}

func TestEventOriginalPreferredOverMessage(t *testing.T) {
	p := newTestRouter(bothOn)
	orig := `{"category":"AdvancedHunting-Nope","properties":{}}`
	ev := &beat.Event{Fields: mapstr.M{"message": "ignored", "event": mapstr.M{"original": orig}}}
	out, _ := p.Run(ev)
	if v, _ := out.Fields.GetValue("event.original"); v != orig {
		t.Errorf("event.original = %v", v)
	}
	if v, _ := out.Fields.GetValue("m365_defender.event.category"); v != "AdvancedHunting-Nope" {
		t.Errorf("category = %v", v)
	}
}

func TestOptionTags(t *testing.T) {
	p := newTestRouter(bothOn)
	ev := &beat.Event{Fields: mapstr.M{"message": `{"category":"AdvancedHunting-Nope"}`, "tags": []any{"forwarded", "preserve_original_event"}}}
	out, _ := p.Run(ev)
	want := []string{"preserve_duplicate_custom_fields", "forwarded", "preserve_original_event", TagUnknownTable}
	if !reflect.DeepEqual(out.Fields["tags"], want) {
		t.Errorf("tags = %v, want %v", out.Fields["tags"], want)
	}
}

func TestNilAndEmptyEvents(t *testing.T) {
	p := newTestRouter(bothOn)
	if out, err := p.Run(nil); out != nil || err != nil {
		t.Errorf("Run(nil) = %v, %v", out, err)
	}
	out, err := p.Run(&beat.Event{})
	if err != nil || out == nil {
		t.Fatalf("Run(empty) = %v, %v", out, err)
	}
	if k, _ := out.Fields.GetValue("event.kind"); k != "pipeline_error" {
		t.Errorf("event.kind = %v", k)
	}
	if m, _ := out.Fields.GetValue("error.message"); m == nil {
		t.Error("no error.message")
	}
}

func TestUnmappedMetric(t *testing.T) {
	p := newTestRouter(bothOn)
	before := mUnmapped.Get()
	render(p, []byte(`{"category":"AdvancedHunting-Nope","properties":{"A":1,"B":"x","C":null,"D":""}}`))
	if got := mUnmapped.Get() - before; got != 2 {
		t.Errorf("unmapped_columns grew by %d, want 2", got)
	}
}

// TestPluginsRegistered builds every registry plugin (and the router)
// through libbeat's processor registry.
func TestPluginsRegistered(t *testing.T) {
	names := []string{processors.Event}
	for _, tb := range Tables {
		names = append(names, tb.Plugin)
	}
	for _, n := range names {
		cfg, err := newPluginConfig(n, map[string]any{"preserve_original_event": true})
		if err != nil {
			t.Fatal(err)
		}
		procs, err := newLibbeatProcessors(cfg)
		if err != nil {
			t.Errorf("%s: %v", n, err)
			continue
		}
		if len(procs.All()) != 1 {
			t.Errorf("%s: %d processors", n, len(procs.All()))
			continue
		}
		// The options reach the processor: event.original is kept.
		out, err := procs.Run(&beat.Event{Fields: mapstr.M{"message": `{"category":"AdvancedHunting-DeviceInfo","properties":{}}`}})
		if err != nil || out == nil {
			t.Errorf("%s: Run = %v, %v", n, out, err)
			continue
		}
		if _, err := out.Fields.GetValue("event.original"); err != nil {
			t.Errorf("%s: preserve_original_event not applied: %v", n, out.Fields)
		}
	}
}

// TestTableProcessor checks a per-table processor: its own table maps
// cleanly; another table is still mapped by its category, with an error.
func TestTableProcessor(t *testing.T) {
	tb := LookupPlugin("m365_defender_device_info")
	p, err := NewTable(bothOn, tb, nil)
	if err != nil {
		t.Fatal(err)
	}
	own := render(p, []byte(`{"category":"AdvancedHunting-DeviceInfo","properties":{"Timestamp":"2024-05-01T09:00:00Z","DeviceName":"PC1"}}`))
	if _, err := own.GetValue("error"); err == nil {
		t.Errorf("own table got an error: %v", own)
	}
	if v, _ := own.GetValue("host.name"); v != "pc1" {
		t.Errorf("host.name = %v", v)
	}
	other := render(p, []byte(`{"category":"AdvancedHunting-DeviceLogonEvents","properties":{"Timestamp":"2024-05-01T09:00:00Z","ActionType":"LogonSuccess"}}`))
	msgs, _ := other.GetValue("error.message")
	if l, ok := msgs.([]string); !ok || len(l) != 1 || !strings.Contains(l[0], "m365_defender_device_info") {
		t.Errorf("error.message = %v", msgs)
	}
	if v, _ := other.GetValue("event.outcome"); v != "success" {
		t.Errorf("other table not mapped by its category: %v", other)
	}
	if !strings.Contains(p.String(), "m365_defender_device_info") {
		t.Errorf("String() = %s", p.String())
	}
}

func TestPluginConfigErrorNamesKey(t *testing.T) {
	cfg, err := newPluginConfig(processors.Event, map[string]any{"geoip": map[string]any{"database": "/nonexistent/city.mmdb"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := newLibbeatProcessors(cfg); err == nil || !strings.Contains(err.Error(), "geoip.database") {
		t.Errorf("error = %v, want one naming geoip.database", err)
	}
}

func TestTimestampIsMillisecondPrecision(t *testing.T) {
	p := newTestRouter(defaultConfig())
	ev := &beat.Event{Fields: mapstr.M{"message": `{"category":"AdvancedHunting-Nope","properties":{"Timestamp":"2024-05-01T09:00:00.1239999Z"}}`}}
	out, _ := p.Run(ev)
	if got := out.Timestamp.Format(time.RFC3339Nano); got != "2024-05-01T09:00:00.123Z" {
		t.Errorf("@timestamp = %s", got)
	}
}

// TestConcurrentRun runs one router from several goroutines (libbeat may
// share a processor between pipeline clients); run with -race.
func TestConcurrentRun(t *testing.T) {
	p := newTestRouter(bothOn)
	var lines [][]byte
	files, _ := filepath.Glob("testdata/*.json")
	for _, f := range files {
		if !strings.HasSuffix(f, "-expected.json") {
			lines = append(lines, golden.Lines(t, f)...)
		}
	}
	want := make([]string, len(lines))
	for i, l := range lines {
		b, _ := json.Marshal(render(p, l))
		want[i] = string(b)
	}
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i, l := range lines {
				b, _ := json.Marshal(render(p, l))
				if string(b) != want[i] {
					t.Errorf("line %d differs under concurrency", i)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// The unmapped columns that a mapper lists during its own visit are
// exactly those its dictionary does not know (the keepUnmapped fast path
// against the Known predicate), on every golden input, with extra columns
// of each JSON type added to each record.
func TestUnmappedFromMapperVisit(t *testing.T) {
	p := newTestRouter(bothOn)
	n := 0
	eachGoldenRecord(t, func(fn string, rec, props map[string]any) {
		cat, _ := rec["category"].(string)
		fams := Route(strings.ToLower(cat))
		if len(fams) != 1 || MapperOf(fams[0]) == nil {
			return
		}
		props["ZzExtraString"], props["ZzExtraNumber"], props["ZzExtraObject"] = "x", 7, map[string]any{"a": "b"}
		m := MapperOf(fams[0])
		want := map[string]bool{}
		for k, v := range props {
			if _, empty := ecs.Prune(v); !m.Known(k) && k != "Timestamp" && !empty {
				want[k] = true
			}
		}
		b, _ := json.Marshal(rec)
		doc := render(p, b)
		un, _ := doc.GetValue("m365_defender.event.unmapped")
		got := map[string]bool{}
		if um, ok := un.(mapstr.M); ok {
			for k := range um {
				got[k] = true
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s (%s): unmapped %v, want %v", fn, cat, got, want)
		}
		n++
	})
	if n < 30 {
		t.Fatalf("only %d records checked", n)
	}
}
