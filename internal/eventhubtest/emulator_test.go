package eventhubtest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/messaging/azeventhubs/v2"
)

func start(t testing.TB, partitions int) *Emulator {
	t.Helper()
	e := New(Options{Hubs: map[string]int{"hub": partitions}, Logf: t.Logf})
	if err := e.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

func TestProducerAndConsumer(t *testing.T) {
	e := start(t, 2)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	prod, err := azeventhubs.NewProducerClientFromConnectionString(e.ConnectionString("hub"), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer prod.Close(ctx)
	props, err := prod.GetEventHubProperties(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if props.Name != "hub" || len(props.PartitionIDs) != 2 {
		t.Fatalf("hub properties %+v", props)
	}
	batch, err := prod.NewEventDataBatch(ctx, &azeventhubs.EventDataBatchOptions{PartitionID: toPtr("1")})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 10; i++ {
		if err := batch.AddEventData(&azeventhubs.EventData{Body: []byte(fmt.Sprintf(`{"n":%d}`, i))}, nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := prod.SendEventDataBatch(ctx, batch, nil); err != nil {
		t.Fatal(err)
	}
	if got := e.Len("hub", "1"); got != 10 {
		t.Fatalf("partition 1 has %d events, want 10", got)
	}
	pp, err := prod.GetPartitionProperties(ctx, "1", nil)
	if err != nil {
		t.Fatal(err)
	}
	if pp.LastEnqueuedSequenceNumber != 9 || pp.IsEmpty {
		t.Fatalf("partition properties %+v", pp)
	}

	cons, err := azeventhubs.NewConsumerClientFromConnectionString(e.ConnectionString("hub"), "", azeventhubs.DefaultConsumerGroup, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cons.Close(ctx)
	pc, err := cons.NewPartitionClient("1", &azeventhubs.PartitionClientOptions{
		StartPosition: azeventhubs.StartPosition{SequenceNumber: toPtr(int64(4))},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close(ctx)
	var got []*azeventhubs.ReceivedEventData
	for len(got) < 5 {
		evs, err := pc.ReceiveEvents(ctx, 5-len(got), nil)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, evs...)
	}
	if string(got[0].Body) != `{"n":5}` || got[0].SequenceNumber != 5 || got[0].EnqueuedTime == nil || got[0].Offset == "" {
		t.Fatalf("first event %+v body %s", got[0], got[0].Body)
	}
}

func toPtr[T any](v T) *T { return &v }
