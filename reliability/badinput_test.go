//go:build reliability

package reliability

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/m365beat/m365beat/internal/beatproc"
	"github.com/m365beat/m365beat/internal/eventhubtest"
)

// badBodies is the corpus of malformed Event Hub message bodies; each
// carries its name as a marker that must come back in a document.
func badBodies() map[string]string {
	rec := func(marker, props string) string {
		return fmt.Sprintf(`{"category":"AdvancedHunting-DeviceProcessEvents","Tenant":%q,"properties":%s}`, marker, props)
	}
	deep := strings.Repeat(`{"a":`, 5000) + `1` + strings.Repeat(`}`, 5000)
	big := `{"records":[` + rec("bad-10mb", `{"ProcessCommandLine":"`+strings.Repeat("A", 10<<20)+`","Timestamp":"2024-05-01T10:00:00Z"}`) + `]}`
	return map[string]string{
		"bad-truncated":    `{"records":[` + rec("bad-truncated", `{"DeviceName":"h","Timest`),
		"bad-types":        `{"records":[` + rec("bad-types", `{"Timestamp":42,"ProcessId":"notanumber","DeviceName":{"x":1},"ActionType":[1,2],"ReportId":true,"FileSize":"big","InitiatingProcessAccountSid":null}`) + `]}`,
		"bad-utf8":         `{"records":[` + rec("bad-utf8", "{\"DeviceName\":\"h\xff\xfe\xc3\x28\",\"ActionType\":\"ProcessCreated\",\"Timestamp\":\"2024-05-01T10:00:00Z\"}") + `]}`,
		"bad-10mb":         big,
		"bad-deep":         `{"records":[` + rec("bad-deep", `{"AdditionalFields":`+deep+`,"Timestamp":"2024-05-01T10:00:00Z"}`) + `]}`,
		"bad-category":     `{"records":[{"category":"AdvancedHunting-NoSuchTable","Tenant":"bad-category","properties":{"x":1}}]}`,
		"bad-records-null": `{"records":null,"marker":"bad-records-null"}`,
		"bad-not-json":     `bad-not-json \x00\x01 garbage`,
		"bad-records-type": `{"records":"bad-records-type"}`,
	}
}

// TestBadInputs publishes the corpus and a good record after it: each bad
// body yields a document with error.message naming the problem (its marker
// is in the document), the good record after them arrives, and the process
// never exits.
func TestBadInputs(t *testing.T) {
	az, err := beatproc.StartAzurite(t.TempDir())
	if err != nil {
		t.Skipf("azurite: %v", err)
	}
	defer az.Stop()
	eh := eventhubtest.New(eventhubtest.Options{Hubs: map[string]int{hubName: 1}, MaxMessageSize: 16 << 20})
	if err := eh.Start(); err != nil {
		t.Fatal(err)
	}
	defer eh.Close()
	e := &hubEnv{t: t, eh: eh, az: az, parts: 1, loc: map[string]recLoc{}, next: map[string]int64{}}
	bodies := badBodies()
	for _, b := range bodies {
		if err := eh.Publish(hubName, "0", []byte(b)); err != nil {
			t.Fatal(err)
		}
	}
	// Empty records: no record, so no document (documented); it must not
	// stop what follows.
	if err := eh.Publish(hubName, "0", []byte(`{"records":[]}`)); err != nil {
		t.Fatal(err)
	}
	e.publish(0, 1, 1) // the good record, report_id "0"
	out := outDir(t)
	cfg := e.inputYAML("bad") + queueYAML + beatproc.FileOutputYAML(out)
	p := startBeat(t, filepath.Join(t.TempDir(), "beat"), cfg)
	defer p.Stop(10 * time.Second)
	docs := waitOutput(t, out, 2*time.Minute, p, func(docs []map[string]any) bool {
		c, _, _ := eventKeys(docs)
		return c["0"] > 0
	})
	time.Sleep(2 * time.Second)
	docs, _, _ = beatproc.ReadOutput(out)
	found := map[string]string{}
	for _, d := range docs {
		b, _ := json.Marshal(d)
		s := string(b)
		for marker := range bodies {
			if strings.Contains(s, marker) {
				msg, _ := json.Marshal(beatproc.Get(d, "error.message"))
				found[marker] = string(msg)
			}
		}
	}
	for marker := range bodies {
		msg, ok := found[marker]
		switch {
		case !ok:
			t.Errorf("%s: no document", marker)
		case msg == "null" && marker != "bad-utf8" && marker != "bad-10mb" && marker != "bad-deep":
			t.Errorf("%s: document without error.message", marker)
		default:
			t.Logf("RESULT bad-input %s: error.message %.200s", marker, msg)
		}
	}
	if p.Exited() {
		t.Fatalf("m365beat exited: %s", tail(p.Log(), 3000))
	}
}
