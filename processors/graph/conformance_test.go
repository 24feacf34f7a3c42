package graph

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/elastic/beats/v7/libbeat/beat"
	"github.com/elastic/elastic-agent-libs/mapstr"

	"github.com/m365beat/m365beat/input/split"
	"github.com/m365beat/m365beat/internal/golden"
	"github.com/m365beat/m365beat/processors"
)

// testTime is the beat's event time in tests.
var testTime = time.Date(2026, 1, 2, 3, 4, 5, 678_000_000, time.UTC)

var bothOptions = processors.Options{PreserveOriginalEvent: true, PreserveDuplicateCustomFields: true}

// runRecord runs one record through p as the beat does and returns the
// document as Elasticsearch would receive it (fields + @timestamp + _id
// under @metadata), or nil when no event comes out.
func runRecord(t testing.TB, p *Processor, rec []byte) mapstr.M {
	t.Helper()
	ev := &beat.Event{Timestamp: testTime, Fields: mapstr.M{"message": string(rec)}}
	out, err := p.Run(ev)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if out == nil {
		return nil
	}
	doc := out.Fields.Clone()
	doc["@timestamp"] = out.Timestamp.UTC().Format(dateLayout)
	if id, ok := out.Meta["_id"]; ok {
		doc["@metadata"] = mapstr.M{"_id": id}
	}
	return doc
}

// normalize turns one input line into documents as `m365beat normalize`
// does: a list response is split like a polled page; an incident record is
// split per alert; anything else is one record.
func normalize(t testing.TB, p *Processor, line []byte) []any {
	t.Helper()
	var docs []any
	emit := func(rec []byte) error {
		if d := runRecord(t, p, rec); d != nil {
			docs = append(docs, d)
		}
		return nil
	}
	var err error
	switch {
	case split.IsList(line) && p.stream == AlertStream:
		err = split.AlertPage(line, emit)
	case split.IsList(line):
		err = split.IncidentPage(line, emit)
	case p.stream == IncidentStream:
		if err = split.Incident(line, emit); err != nil {
			err = emit(line) // not JSON: the processor reports it on the event
		}
	default:
		err = emit(line)
	}
	if err != nil {
		t.Fatalf("split: %v", err)
	}
	return docs
}

// external reports fields computed from external data (excluded from
// scoring); none occur in these streams.
func external(f string) bool {
	return strings.Contains(f, ".geo.") || strings.Contains(f, ".as.") ||
		(strings.HasPrefix(f, "user_agent.") && f != "user_agent.original")
}

// withoutMeta drops what the fixtures do not carry (_id is checked by the
// _id tests).
func withoutMeta(d any) any {
	if m, ok := d.(map[string]any); ok {
		delete(m, "@metadata")
	}
	return d
}

// sameErrors makes error.message compare by presence (T17).
func sameErrors(want, got any) {
	w, _ := want.(map[string]any)
	g, _ := got.(map[string]any)
	if w == nil || g == nil || w["error"] == nil || g["error"] == nil {
		return
	}
	g["error"] = w["error"]
}

func conformance(t *testing.T, stream Stream, sub string) {
	dir := golden.FixturesDir(t, "../..", sub)
	logs, _ := filepath.Glob(filepath.Join(dir, "*.log"))
	if len(logs) == 0 {
		t.Fatalf("no fixtures in %s", dir)
	}
	p := New(stream, bothOptions, nil)
	for _, path := range logs {
		t.Run(filepath.Base(path), func(t *testing.T) {
			lines := golden.Lines(t, path)
			want := golden.Expected(t, path+"-expected.json")
			if len(lines) != len(want) {
				t.Fatalf("%d input lines, %d expected entries", len(lines), len(want))
			}
			matched, total := 0, 0
			for i, line := range lines {
				docs := normalize(t, p, line)
				if want[i] == nil {
					if len(docs) != 0 {
						t.Errorf("line %d: %d documents, want none", i+1, len(docs))
					}
					continue
				}
				if len(docs) != 1 {
					t.Errorf("line %d: %d documents, want 1", i+1, len(docs))
					continue
				}
				got := withoutMeta(golden.Canonical(t, docs[0]))
				sameErrors(want[i], got)
				m, n := golden.Score(want[i], got, external)
				matched, total = matched+m, total+n
				for _, diff := range golden.Diff(want[i], got, external) {
					t.Errorf("line %d: %s", i+1, diff)
				}
			}
			t.Logf("%s: %d/%d fields (%.1f%%)", filepath.Base(path), matched, total, 100*float64(matched)/float64(max(total, 1)))
		})
	}
}

func TestConformanceAlert(t *testing.T)    { conformance(t, AlertStream, "alert") }
func TestConformanceIncident(t *testing.T) { conformance(t, IncidentStream, "incident") }

// TestSampleEvent checks Elastic's published sample: its event.original in,
// every pipeline field out (shipper fields and tags ignored).
func TestSampleEvent(t *testing.T) {
	for _, c := range []struct {
		stream Stream
		sub    string
	}{{AlertStream, "alert"}, {IncidentStream, "incident"}} {
		dir := golden.FixturesDir(t, "../..", c.sub)
		raw := golden.Lines(t, filepath.Join(dir, "sample_event.json"))
		var want map[string]any
		if err := json.Unmarshal(joinLines(raw), &want); err != nil {
			t.Fatal(err)
		}
		want = golden.Canonical(t, want).(map[string]any)
		orig := want["event"].(map[string]any)["original"].(string)
		docs := normalize(t, New(c.stream, bothOptions, nil), []byte(orig))
		if len(docs) != 1 {
			t.Fatalf("%s: %d documents", c.sub, len(docs))
		}
		got := withoutMeta(golden.Canonical(t, docs[0]))
		shipper := func(f string) bool {
			for _, p := range []string{"agent.", "elastic_agent.", "data_stream.", "input.", "tags"} {
				if strings.HasPrefix(f, p) {
					return true
				}
			}
			switch f {
			case "event.dataset", "event.ingested", "event.agent_id_status":
				return true
			}
			return external(f)
		}
		m, n := golden.Score(want, got, shipper)
		t.Logf("%s/sample_event.json: %d/%d fields", c.sub, m, n)
		for _, diff := range golden.Diff(want, got, shipper) {
			t.Errorf("%s: %s", c.sub, diff)
		}
	}
}

func joinLines(lines [][]byte) []byte {
	var out []byte
	for _, l := range lines {
		out = append(out, l...)
		out = append(out, '\n')
	}
	return out
}
