package cmd

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/elastic/elastic-agent-libs/logp/logptest"

	"github.com/m365beat/m365beat/internal/golden"
)

func normalize(t *testing.T, o NormalizeOptions, in string) []map[string]any {
	t.Helper()
	n, err := NewNormalizer(o, logptest.NewTestingLogger(t, ""))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := n.Run(strings.NewReader(in), &out); err != nil {
		t.Fatal(err)
	}
	var docs []map[string]any
	sc := bufio.NewScanner(&out)
	sc.Buffer(nil, 64<<20)
	for sc.Scan() {
		var d map[string]any
		if err := json.Unmarshal(sc.Bytes(), &d); err != nil {
			t.Fatalf("output line is not JSON: %v: %s", err, sc.Text())
		}
		docs = append(docs, d)
	}
	return docs
}

func get(d map[string]any, path string) any {
	var v any = d
	for _, k := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// Every line of every event fixture gives one document with the envelope
// fields and event.original byte-identical to the line.
func TestNormalizeEventFixturesEnvelope(t *testing.T) {
	dir := golden.FixturesDir(t, "..", "event")
	files, _ := filepath.Glob(filepath.Join(dir, "*.log"))
	o := NormalizeOptions{Type: "event", PreserveOriginalEvent: true, PreserveDuplicateCustomFields: true}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimRight(string(raw), "\n"), "\n")
		docs := normalize(t, o, string(raw))
		if len(docs) != len(lines) {
			t.Fatalf("%s: %d documents for %d lines", filepath.Base(f), len(docs), len(lines))
		}
		for i, d := range docs {
			if get(d, "event.original") != lines[i] {
				t.Errorf("%s line %d: event.original differs from the line", filepath.Base(f), i+1)
			}
			for _, k := range []string{"m365_defender.event.category", "m365_defender.event.tenant.id", "m365_defender.event.time", "ecs.version"} {
				if get(d, k) == nil {
					t.Errorf("%s line %d: %s missing", filepath.Base(f), i+1, k)
				}
			}
		}
	}
}

func TestNormalizeSplitsAndClassifies(t *testing.T) {
	rec := `{"category":"AdvancedHunting-DeviceEvents","tenantId":"t","time":"2024-01-01T00:00:00Z","properties":{"Timestamp":"2024-01-01T00:00:00.5Z","DeviceId":"d1","ActionType":"X"}}`
	in := strings.Join([]string{
		`{"records":[` + rec + `,` + rec + `]}`, // Event Hub body: 2
		`[` + rec + `]`,                         // array: 1
		rec,                                     // single record: 1
		`{not json`,                             // unparseable: 1 with error
	}, "\n")
	docs := normalize(t, NormalizeOptions{Type: "auto"}, in)
	if len(docs) != 5 {
		t.Fatalf("%d documents, want 5", len(docs))
	}
	for i := 0; i < 4; i++ {
		if get(docs[i], "m365_defender.event.category") != "AdvancedHunting-DeviceEvents" || get(docs[i], "@timestamp") != "2024-01-01T00:00:00.500Z" {
			t.Errorf("doc %d: %v", i, docs[i])
		}
		if get(docs[i], "event.original") != nil {
			t.Errorf("doc %d keeps event.original without --preserve-original-event", i)
		}
	}
	bad := docs[4]
	if get(bad, "error.message") == nil || get(bad, "event.original") != `{not json` {
		t.Errorf("unparseable line: want error.message and event.original, got %v", bad)
	}
}

func TestClassify(t *testing.T) {
	cases := map[string]string{
		`{"records":[]}`: "event",
		`{"category":"AdvancedHunting-EmailEvents"}`: "event",
		`[1]`:  "event",
		`nope`: "event",
		`{"@odata.type":"#microsoft.graph.security.alert","id":"a"}`:                                              "alert",
		`{"id":"a","alertWebUrl":"https://security.microsoft.com/x","evidence":[]}`:                               "alert",
		`{"@odata.type":"#microsoft.graph.security.incident","alerts":[]}`:                                        "incident",
		`{"value":[{"id":"1","incidentWebUrl":"https://security.microsoft.com/i"}]}`:                              "incident",
		`{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#security/incidents(alerts())","value":[]}`: "incident",
		`{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#security/alerts_v2","value":[]}`:           "alert",
	}
	for in, want := range cases {
		if got := Classify([]byte(in)); got != want {
			t.Errorf("Classify(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestNormalizeRejectsUnknownType(t *testing.T) {
	if _, err := NewNormalizer(NormalizeOptions{Type: "device"}, logptest.NewTestingLogger(t, "")); err == nil || !strings.Contains(err.Error(), "--type") {
		t.Fatalf("want a --type error, got %v", err)
	}
}

// TestNormalizeVulnerability: an export record and a delta page go through
// the m365_defender_vulnerability processor (--type vulnerability and auto).
func TestNormalizeVulnerability(t *testing.T) {
	rec := `{"id":"d1_x_y_1_CVE-2024-1","cveId":"CVE-2024-1","deviceId":"d1","eventTimestamp":"2024-01-01 00:00:00","status":"Fixed"}`
	page := `{"value":[` + rec + `,` + rec + `]}`
	for _, typ := range []string{"vulnerability", "auto"} {
		docs := normalize(t, NormalizeOptions{Type: typ, Metadata: true}, rec+"\n"+page+"\n")
		if len(docs) != 3 {
			t.Fatalf("%s: %d documents, want 3", typ, len(docs))
		}
		for _, d := range docs {
			if get(d, "vulnerability.status") != "fixed" || get(d, "host.id") != "d1" || get(d, "@metadata._id") == nil {
				t.Errorf("%s: unexpected document %v", typ, d)
			}
		}
	}
}
