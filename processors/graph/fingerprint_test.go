package graph

import (
	"path/filepath"
	"testing"

	"github.com/elastic/elastic-agent-libs/mapstr"

	"github.com/m365beat/m365beat/internal/golden"
)

// TestDocumentID checks the spec's _id test vectors (alert.md §19,
// incident.md §3) through the processors, as @metadata._id.
func TestDocumentID(t *testing.T) {
	cases := []struct {
		stream Stream
		file   string
		line   int
		want   string
	}{
		{AlertStream, "alert/test-alert.log", 1, "uwBZAISsZCB5HDaRw1pAbmn5Zmg="},
		{AlertStream, "alert/sample-alert.log", 1, "uwBZAISsZCB5HDaRw1pAbmn5Zmg="},
		{AlertStream, "alert/test-alert.log", 2, "b0hU7uMv4tXXGnWYWVn8pOAXXGE="},
		{AlertStream, "alert/test-alert.log", 3, "b0hU7uMv4tXXGnWYWVn8pOAXXGE="},
		{IncidentStream, "incident/test-incident-no-alerts.log", 1, "eMyqy+UBzl6bFGE6ab0310JvO6Q="},
		{IncidentStream, "incident/test-incident-no-alerts.log", 2, "2NyvL32MRmaik2e2eAAGJdOUibo="},
		{IncidentStream, "incident/sample-incident.log", 1, "zVgzG5HlKj2JrTWpAATo0CscVRg="},
		{IncidentStream, "incident/test-incident.log", 2, "RJDPoPySgbgCrqqObuC4ic2x9QE="},
	}
	root := filepath.Dir(golden.FixturesDir(t, "../..", "alert"))
	for _, c := range cases {
		lines := golden.Lines(t, filepath.Join(root, c.file))
		doc := runRecord(t, New(c.stream, bothOptions, nil), lines[c.line-1])
		meta, _ := doc["@metadata"].(mapstr.M)
		if meta == nil {
			t.Errorf("%s:%d: no @metadata._id", c.file, c.line)
			continue
		}
		if got := meta["_id"]; got != c.want {
			t.Errorf("%s:%d: _id %v, want %s", c.file, c.line, got, c.want)
		}
	}
}

func TestIDChangesWithUpdate(t *testing.T) {
	p := New(AlertStream, bothOptions, nil)
	a := runRecord(t, p, []byte(`{"id":"x","lastUpdateDateTime":"2024-01-01T00:00:00Z","title":"a"}`))
	b := runRecord(t, p, []byte(`{"id":"x","lastUpdateDateTime":"2024-01-01T00:00:00Z","title":"b"}`))
	c := runRecord(t, p, []byte(`{"id":"x","lastUpdateDateTime":"2024-01-01T00:00:01Z","title":"a"}`))
	id := func(d mapstr.M) any { return d["@metadata"].(mapstr.M)["_id"] }
	if id(a) != id(b) {
		t.Error("same id and lastUpdateDateTime: _id differs")
	}
	if id(a) == id(c) {
		t.Error("new lastUpdateDateTime: same _id")
	}
	if d := runRecord(t, p, []byte(`{"title":"no ids"}`)); d["@metadata"] != nil {
		t.Errorf("no id fields: _id set: %v", d["@metadata"])
	}
}

func TestFingerprintEncodings(t *testing.T) {
	// One text value: the entity-id vector of incident.md §12.2.
	if got := hashText("4780|2021-08-12T12:43:19.077Z|73e7e2de709dff64ef64b1d0c30e67fab63279db"); got != "GdecP48p4oFdVJ7+AU6JJ5JokMc=" {
		t.Errorf("hashText = %s", got)
	}
	if _, ok := fingerprint(nil, nil); ok {
		t.Error("all values null: fingerprint reported")
	}
	// Integers: 4 bytes when they fit int32, else 8; differs from the text.
	a, _ := fingerprint(int64(1))
	b, _ := fingerprint("1")
	c, _ := fingerprint(int64(1) << 40)
	if a == b || a == c || len(a) != 28 {
		t.Errorf("integer encodings: %s %s %s", a, b, c)
	}
}
