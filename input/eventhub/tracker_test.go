package eventhub

import (
	"context"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/messaging/azeventhubs/v2"
	"github.com/elastic/elastic-agent-libs/logp/logptest"
	"github.com/elastic/elastic-agent-libs/monitoring"
)

type fakeCheckpointer struct{ seqs []int64 }

func (f *fakeCheckpointer) UpdateCheckpoint(_ context.Context, ev *azeventhubs.ReceivedEventData, _ *azeventhubs.UpdateCheckpointOptions) error {
	f.seqs = append(f.seqs, ev.SequenceNumber)
	return nil
}

// TestCheckpointOnlyAfterWholeMessage: the checkpoint never moves to a
// message some of whose records are unacknowledged.
func TestCheckpointOnlyAfterWholeMessage(t *testing.T) {
	log := logptest.NewTestingLogger(t, "")
	m := newMetrics(monitoring.NewRegistry(), log)
	p := &publisher{in: &eventHubInput{cfg: defaultConfig()}, m: m, pid: "0"}
	evs := p.events([]*azeventhubs.ReceivedEventData{
		{EventData: azeventhubs.EventData{Body: []byte(`{"records":[{"a":1},{"a":2},{"a":3}]}`)}, SequenceNumber: 7, Offset: "100"},
		{EventData: azeventhubs.EventData{Body: []byte(`{"records":[{"a":4},{"a":5}]}`)}, SequenceNumber: 8, Offset: "200"},
	})
	if len(evs) != 5 {
		t.Fatalf("%d events", len(evs))
	}
	privs := make([]any, len(evs))
	for i, e := range evs {
		privs[i] = e.Private
	}
	fc := &fakeCheckpointer{}
	tr := &tracker{cp: fc, m: m, log: log}
	ctx := context.Background()

	tr.onACK(privs[:2]) // 2 of 3 records of message 7
	tr.flush(ctx)
	if len(fc.seqs) != 0 {
		t.Fatalf("checkpoint written for a partly acknowledged message: %v", fc.seqs)
	}
	tr.onACK(privs[2:4]) // message 7 complete, 1 of 2 of message 8
	tr.flush(ctx)
	tr.flush(ctx) // unchanged: no second write
	if len(fc.seqs) != 1 || fc.seqs[0] != 7 {
		t.Fatalf("checkpoints %v, want [7]", fc.seqs)
	}
	tr.onACK(privs[4:])
	tr.close()
	tr.onACK(nil)
	tr.flush(ctx) // closed: no more writes
	if len(fc.seqs) != 2 || fc.seqs[1] != 8 {
		t.Fatalf("checkpoints %v, want [7 8]", fc.seqs)
	}
	if m.eventsAcked.Get() != 5 || m.checkpoints.Get() != 2 {
		t.Fatalf("metrics: acked %d checkpoints %d", m.eventsAcked.Get(), m.checkpoints.Get())
	}
}
