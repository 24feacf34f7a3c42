package beater

import (
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/elastic/beats/v7/libbeat/beat"
	_ "github.com/elastic/beats/v7/libbeat/outputs/logstash"
	"github.com/elastic/elastic-agent-libs/logp"
	"github.com/elastic/elastic-agent-libs/mapstr"
	"github.com/elastic/elastic-agent-libs/monitoring"
	v2 "github.com/elastic/go-lumber/server/v2"
)

// lumberRecords mixes tables of the three families plus a bad record.
func lumberRecords() []string {
	recs := []string{
		`{"Tenant":"Contoso","category":"AdvancedHunting-EmailEvents","properties":{"Timestamp":"2024-05-01T10:00:00Z","NetworkMessageId":"nm-1","RecipientEmailAddress":"bob@contoso.com","SenderFromAddress":"eve@evil.example","Subject":"Invoice","DeliveryAction":"Delivered","ThreatTypes":"Phish","ReportId":"r-1"},"tenantId":"tenant-1","time":"2024-05-01T10:01:00Z"}`,
		`{"Tenant":"Contoso","category":"AdvancedHunting-IdentityLogonEvents","properties":{"Timestamp":"2024-05-01T10:00:01Z","ActionType":"LogonFailed","AccountUpn":"bob@contoso.com","IPAddress":"10.1.2.3","ReportId":"r-2"},"tenantId":"tenant-1","time":"2024-05-01T10:01:00Z"}`,
		`{"category":"AdvancedHunting-DeviceNetworkEvents","properties":{"Timestamp":"2024-05-01T10:00:02Z","DeviceId":"d1","DeviceName":"h1","RemoteIP":"8.8.8.8","RemotePort":53,"ReportId":7},"tenantId":"tenant-1"}`,
		`{"records": not json`,
	}
	for i := 0; i < 20; i++ {
		recs = append(recs, record(i))
	}
	return recs
}

func publishAll(t *testing.T, c *connector, recs []string) {
	t.Helper()
	in := startCursorInput(t, c, newStore(newTestStore(t, t.TempDir()), "probe"))
	for i, r := range recs {
		in.client.Publish(beatEvent(r, i))
	}
	if err := in.client.Close(); err != nil {
		t.Fatal(err)
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.acked != len(recs) {
		t.Fatalf("%d of %d events acknowledged", in.acked, len(recs))
	}
}

// byID indexes documents by @metadata._id.
func byID(t *testing.T, docs []map[string]any) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for _, d := range docs {
		meta, _ := d["@metadata"].(map[string]any)
		id, _ := meta["_id"].(string)
		if id == "" {
			t.Fatalf("document without @metadata._id: %v", d)
		}
		out[id] = d
	}
	return out
}

// Logstash output against an in-process lumberjack v2 server: the
// documents Logstash receives equal the file output's for the same input,
// @metadata included (_id, raw_index, op_type create), so a Logstash
// elasticsearch output can index them into the same data streams keeping
// the _id (README, Logstash).
func TestLogstashOutputMatchesFileOutput(t *testing.T) {
	recs := lumberRecords()

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := v2.NewWithListener(l)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	var mu sync.Mutex
	var lsDocs []map[string]any
	done := make(chan struct{})
	go func() {
		defer close(done)
		for b := range srv.ReceiveChan() {
			mu.Lock()
			for _, e := range b.Events {
				raw, _ := json.Marshal(e)
				var m map[string]any
				_ = json.Unmarshal(raw, &m)
				lsDocs = append(lsDocs, m)
			}
			mu.Unlock()
			b.ACK()
		}
	}()

	pl := newSetupPipeline(t, monitoring.NewRegistry(), "logstash", map[string]any{"hosts": []string{l.Addr().String()}, "timeout": "5s"})
	publishAll(t, &connector{pipeline: pl, inputID: "probe", inputType: "test", waitClose: 10 * time.Second, log: logp.NewNopLogger()}, recs)

	dir := t.TempDir()
	pf := newSetupPipeline(t, monitoring.NewRegistry(), "file", map[string]any{"path": dir, "filename": "out"})
	publishAll(t, &connector{pipeline: pf, inputID: "probe", inputType: "test", waitClose: 10 * time.Second, log: logp.NewNopLogger()}, recs)

	var fileDocs []map[string]any
	files, _ := filepath.Glob(filepath.Join(dir, "out*"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			var m map[string]any
			if err := json.Unmarshal([]byte(line), &m); err != nil {
				t.Fatal(err)
			}
			fileDocs = append(fileDocs, m)
		}
	}

	mu.Lock()
	got := byID(t, lsDocs)
	mu.Unlock()
	want := byID(t, fileDocs)
	if len(want) != len(recs) || len(got) != len(recs) {
		t.Fatalf("logstash %d, file %d distinct documents, want %d", len(got), len(want), len(recs))
	}
	ids := make([]string, 0, len(want))
	for id := range want {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		w, g := want[id], got[id]
		if !reflect.DeepEqual(w, g) {
			wb, _ := json.MarshalIndent(w, "", " ")
			gb, _ := json.MarshalIndent(g, "", " ")
			t.Fatalf("document %s differs\nfile:\n%s\nlogstash:\n%s", id, wb, gb)
		}
		meta := g["@metadata"].(map[string]any)
		if meta["op_type"] != "create" || !strings.HasPrefix(meta["raw_index"].(string), "logs-m365_defender.event-") {
			t.Fatalf("document %s @metadata %v", id, meta)
		}
	}
}

// beatEvent is what an input publishes for a record; the receive time is
// fixed so that records without a Timestamp compare equal across runs.
func beatEvent(rec string, private int) beat.Event {
	received := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	return beat.Event{Timestamp: received, Fields: mapstr.M{"message": rec}, Private: private}
}
