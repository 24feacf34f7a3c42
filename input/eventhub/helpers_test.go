package eventhub

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/messaging/azeventhubs/v2"
	"github.com/Azure/azure-sdk-for-go/sdk/messaging/azeventhubs/v2/checkpoints"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"github.com/elastic/beats/v7/libbeat/beat"
	conf "github.com/elastic/elastic-agent-libs/config"
	"github.com/elastic/elastic-agent-libs/logp/logptest"
	"github.com/valyala/fastjson"

	"github.com/m365beat/m365beat/input"
	"github.com/m365beat/m365beat/internal/azuritetest"
	"github.com/m365beat/m365beat/internal/eventhubtest"
	"github.com/m365beat/m365beat/internal/inputtest"
)

const testHub = "insights-logs-advancedhunting"

type env struct {
	t   testing.TB
	eh  *eventhubtest.Emulator
	az  *azuritetest.Server // nil: in-memory checkpoints
	ctr string
}

func newEnv(t testing.TB, partitions int, blob bool) *env {
	t.Helper()
	e := &env{t: t, ctr: "checkpoints"}
	if blob {
		e.az = azuritetest.Start(t)
	}
	e.eh = eventhubtest.New(eventhubtest.Options{Hubs: map[string]int{testHub: partitions}})
	if err := e.eh.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.eh.Close() })
	return e
}

// config is a test input configuration with fast timers.
func (e *env) config(extra map[string]any) *conf.C {
	m := map[string]any{
		"type":                      "eventhub",
		"id":                        "defender-events",
		"connection_string":         e.eh.ConnectionString(testHub),
		"storage_account_container": e.ctr,
		"checkpoint_interval":       "100ms",
		"load_balancing_interval":   "500ms",
		"partition_expiration":      "3s",
		"partition_receive_timeout": "100ms",
	}
	if e.az != nil {
		m["storage_account_connection_string"] = e.az.ConnectionString
	}
	for k, v := range extra {
		m[k] = v
	}
	return conf.MustNewConfigFrom(m)
}

// running is an input running in the background.
type running struct {
	pipe   input.Connector
	ctx    input.Context
	cancel context.CancelFunc
	done   chan error
}

func (e *env) run(cfg *conf.C, pipe input.Connector) *running {
	e.t.Helper()
	in, err := New(cfg, logptest.NewTestingLogger(e.t, "eventhub"))
	if err != nil {
		e.t.Fatal(err)
	}
	ictx, cancel := inputtest.Context(e.t, "defender-events", pipe, inputtest.NewStore())
	r := &running{pipe: pipe, ctx: ictx, cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- in.Run(ictx) }()
	e.t.Cleanup(func() { r.stop(e.t) })
	return r
}

func (r *running) stop(t testing.TB) {
	r.cancel()
	select {
	case err := <-r.done:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
		r.done <- nil
	case <-time.After(30 * time.Second):
		t.Errorf("input did not stop within 30s")
	}
}

// publishRecords appends n records, perMsg per message, spread over the
// partitions; record ids are "r<i>".
func (e *env) publishRecords(n, perMsg int) {
	e.t.Helper()
	ids := e.eh.PartitionIDs(testHub)
	var msgs [][]eventhubtest.Message
	msgs = make([][]eventhubtest.Message, len(ids))
	for i, m := 0, 0; i < n; m++ {
		var b strings.Builder
		b.WriteString(`{"records":[`)
		for j := 0; j < perMsg && i < n; j++ {
			if j > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"id":"r%d","category":"AdvancedHunting-DeviceProcessEvents","properties":{"DeviceName":"host-%d","ActionType":"ProcessCreated"}}`, i, i%50)
			i++
		}
		b.WriteString(`]}`)
		p := m % len(ids)
		msgs[p] = append(msgs[p], eventhubtest.Message{Body: []byte(b.String())})
	}
	for p, ms := range msgs {
		if err := e.eh.Append(testHub, ids[p], ms...); err != nil {
			e.t.Fatal(err)
		}
	}
}

// recordID extracts the "id" of a published record.
func recordID(t testing.TB, ev beat.Event) string {
	msg, _ := ev.Fields["message"].(string)
	v, err := fastjson.Parse(msg)
	if err != nil {
		t.Fatalf("message is not JSON: %v: %q", err, msg)
	}
	return string(v.GetStringBytes("id"))
}

// checkpoints lists the checkpoints in the blob container.
func (e *env) checkpoints(cg string) map[string]int64 {
	e.t.Helper()
	out, err := e.listCheckpoints(cg)
	if err != nil {
		e.t.Fatal(err)
	}
	return out
}

// listCheckpoints is checkpoints that returns the store's error.
func (e *env) listCheckpoints(cg string) (map[string]int64, error) {
	cc, err := container.NewClientFromConnectionString(e.az.ConnectionString, e.ctr, nil)
	if err != nil {
		return nil, err
	}
	store, err := checkpoints.NewBlobStore(cc, nil)
	if err != nil {
		return nil, err
	}
	props, _ := azeventhubs.ParseConnectionString(e.eh.ConnectionString(testHub))
	cps, err := store.ListCheckpoints(context.Background(), props.FullyQualifiedNamespace, testHub, cg, nil)
	if err != nil {
		return nil, err
	}
	out := map[string]int64{}
	for _, c := range cps {
		if c.SequenceNumber != nil {
			out[c.PartitionID] = *c.SequenceNumber
		}
	}
	return out, nil
}

// waitCheckpointsAt waits until each of the partitions has its checkpoint
// at sequence number seq (the store may be unreachable meanwhile).
func (e *env) waitCheckpointsAt(partitions int, seq int64) {
	e.t.Helper()
	waitFor(e.t, 30*time.Second, fmt.Sprintf("checkpoints of every partition at sequence number %d", seq), func() bool {
		cps, err := e.listCheckpoints("$Default")
		if err != nil || len(cps) != partitions {
			return false
		}
		for _, s := range cps {
			if s != seq {
				return false
			}
		}
		return true
	})
}

// waitFor polls cond until true or the timeout.
func waitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// receivedFromEmulator reads n messages of partition 0 with the real client.
func receivedFromEmulator(tb testing.TB, e *env, n int) []*azeventhubs.ReceivedEventData {
	tb.Helper()
	cons, err := azeventhubs.NewConsumerClientFromConnectionString(e.eh.ConnectionString(testHub), "", azeventhubs.DefaultConsumerGroup, nil)
	if err != nil {
		tb.Fatal(err)
	}
	defer cons.Close(context.Background())
	pc, err := cons.NewPartitionClient("0", &azeventhubs.PartitionClientOptions{StartPosition: azeventhubs.StartPosition{Earliest: to(true)}})
	if err != nil {
		tb.Fatal(err)
	}
	defer pc.Close(context.Background())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out []*azeventhubs.ReceivedEventData
	for len(out) < n {
		evs, err := pc.ReceiveEvents(ctx, n-len(out), nil)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, evs...)
	}
	return out
}
