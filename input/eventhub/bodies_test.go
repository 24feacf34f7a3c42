package eventhub

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/messaging/azeventhubs/v2"
	"github.com/elastic/beats/v7/libbeat/beat"
	"github.com/elastic/elastic-agent-libs/mapstr"

	"github.com/m365beat/m365beat/internal/inputtest"
)

func metricValue(t testing.TB, r *running, name string) int64 {
	t.Helper()
	switch v := r.ctx.Metrics.Get(name).(type) {
	case interface{ Get() uint64 }:
		return int64(v.Get())
	case interface{ Get() int64 }:
		return v.Get()
	}
	t.Fatalf("no metric %s", name)
	return 0
}

// TestBodies: every kind of body yields the documented events, and nothing
// is dropped.
func TestBodies(t *testing.T) {
	e := newEnv(t, 1, false)
	big := `{"records":[{"id":"big","category":"AdvancedHunting-DeviceEvents","properties":{"AdditionalFields":"` + strings.Repeat("x", 1<<20-200) + `"}}]}`
	bodies := []string{
		`{"records":[{"id":"a1"},{"id":"a2"}]}`,
		`[{"id":"b1"},{"id":"b2"},{"id":"b3"}]`,
		`{"id":"c1","category":"AdvancedHunting-SomethingNew","properties":{}}`,
		`{'records': [{'id': 'd1', 'properties': {'DeviceName': 'it\'s "quoted"'}}]}`,
		"{\"records\":[{\"id\":\"e1\",\"properties\":{\"ProcessCommandLine\":\"line1\nline2\"}}]}",
		`not json at all`,
		`{"records":[{"id":"f1"}`,
		``,
		`{"records":[]}`,
		`{"records":[{"id":"g1"}]}`,
		"{\"id\":\"h1\"}\n{\"id\":\"h2\"}\n",
	}
	for _, b := range bodies {
		if err := e.eh.Publish(testHub, "0", []byte(b)); err != nil {
			t.Fatal(err)
		}
	}
	// The 1 MB message goes through the real producer (multi-frame transfers).
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	prod, err := azeventhubs.NewProducerClientFromConnectionString(e.eh.ConnectionString(testHub), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer prod.Close(ctx)
	batch, err := prod.NewEventDataBatch(ctx, &azeventhubs.EventDataBatchOptions{PartitionID: to("0")})
	if err != nil {
		t.Fatal(err)
	}
	if err := batch.AddEventData(&azeventhubs.EventData{Body: []byte(big)}, nil); err != nil {
		t.Fatal(err)
	}
	if err := prod.SendEventDataBatch(ctx, batch, nil); err != nil {
		t.Fatal(err)
	}

	pipe := &inputtest.Pipeline{AutoACK: true}
	r := e.run(e.config(nil), pipe)
	const want = 2 + 3 + 1 + 1 + 1 + 3 + 1 + 2 + 1
	evs := pipe.WaitEvents(t, want, 30*time.Second)
	time.Sleep(300 * time.Millisecond)
	if evs = pipe.Events(); len(evs) != want {
		t.Fatalf("%d events, want %d", len(evs), want)
	}

	msg := func(ev beat.Event) string { s, _ := ev.Fields["message"].(string); return s }
	wantMessages := map[int]string{
		0: `{"id":"a1"}`, 1: `{"id":"a2"}`,
		2: `{"id":"b1"}`, 4: `{"id":"b3"}`,
		5:  `{"id":"c1","category":"AdvancedHunting-SomethingNew","properties":{}}`,
		6:  `{"id": "d1", "properties": {"DeviceName": "it's \"quoted\""}}`,
		7:  `{"id":"e1","properties":{"ProcessCommandLine":"line1\nline2"}}`,
		11: `{"id":"g1"}`,
		12: `{"id":"h1"}`, 13: `{"id":"h2"}`,
		14: big[12 : len(big)-2],
	}
	for i, w := range wantMessages {
		if got := msg(evs[i]); got != w {
			if len(got) > 200 {
				got = got[:200] + "..."
			}
			t.Errorf("event %d message = %q, want %.200q", i, got, w)
		}
	}
	for i, orig := range map[int]string{8: `not json at all`, 9: `{"records":[{"id":"f1"}`, 10: ``} {
		ev := evs[i]
		if _, ok := ev.Fields["message"]; ok {
			t.Errorf("event %d: invalid body must not have message", i)
		}
		if got, _ := ev.Fields.GetValue("event.original"); got != orig {
			t.Errorf("event %d: event.original = %q, want %q", i, got, orig)
		}
		em, _ := ev.Fields.GetValue("error.message")
		if list, ok := em.([]string); !ok || len(list) != 1 || !strings.Contains(list[0], "not valid JSON") {
			t.Errorf("event %d: error.message = %#v", i, em)
		}
	}
	for i, ev := range evs {
		eh, err := ev.Fields.GetValue("azure.eventhub")
		if err != nil {
			t.Fatalf("event %d has no azure.eventhub", i)
		}
		m := eh.(mapstr.M)
		if m["partition_id"] != "0" || m["consumer_group"] != "$Default" || m["offset"] == "" {
			t.Errorf("event %d azure.eventhub = %v", i, m)
		}
		if _, ok := m["sequence_number"].(int64); !ok {
			t.Errorf("event %d sequence_number %T", i, m["sequence_number"])
		}
		if _, ok := m["enqueued_time"].(time.Time); !ok {
			t.Errorf("event %d enqueued_time %T", i, m["enqueued_time"])
		}
	}
	if got, _ := evs[0].Fields.GetValue("azure.eventhub.sequence_number"); got != int64(0) {
		t.Errorf("first sequence_number %v", got)
	}
	if got, _ := evs[14].Fields.GetValue("azure.eventhub.sequence_number"); got != int64(11) {
		t.Errorf("1 MB message sequence_number %v, want 11", got)
	}
	for name, want := range map[string]int64{
		"messages_received_total":  12,
		"records_received_total":   want,
		"sanitized_messages_total": 3,
		"decode_errors_total":      3,
		"events_acked_total":       want,
	} {
		waitFor(t, 5*time.Second, name, func() bool { return metricValue(t, r, name) == want })
	}
}
