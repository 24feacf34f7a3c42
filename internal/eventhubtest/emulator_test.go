package eventhubtest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/messaging/azeventhubs/v2"
	"github.com/Azure/go-amqp"
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

func receiveN(t *testing.T, pc *azeventhubs.PartitionClient, n int) []*azeventhubs.ReceivedEventData {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var got []*azeventhubs.ReceivedEventData
	for len(got) < n {
		evs, err := pc.ReceiveEvents(ctx, n-len(got), nil)
		if err != nil {
			t.Fatalf("after %d events: %v", len(got), err)
		}
		got = append(got, evs...)
	}
	return got
}

func TestStartPositions(t *testing.T) {
	e := start(t, 1)
	base := time.Now().Add(-time.Hour).Truncate(time.Millisecond)
	for i := 0; i < 10; i++ {
		if err := e.Append("hub", "0", Message{Body: []byte(fmt.Sprint(i)), EnqueuedAt: base.Add(time.Duration(i) * time.Minute)}); err != nil {
			t.Fatal(err)
		}
	}
	cons, err := azeventhubs.NewConsumerClientFromConnectionString(e.ConnectionString("hub"), "", azeventhubs.DefaultConsumerGroup, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cons.Close(context.Background())
	all := func() []*azeventhubs.ReceivedEventData {
		pc, err := cons.NewPartitionClient("0", &azeventhubs.PartitionClientOptions{StartPosition: azeventhubs.StartPosition{Earliest: toPtr(true)}})
		if err != nil {
			t.Fatal(err)
		}
		defer pc.Close(context.Background())
		return receiveN(t, pc, 10)
	}()
	for i, ev := range all {
		if string(ev.Body) != fmt.Sprint(i) || ev.SequenceNumber != int64(i) || !ev.EnqueuedTime.Equal(base.Add(time.Duration(i)*time.Minute)) {
			t.Fatalf("event %d: body %s seq %d enqueued %v", i, ev.Body, ev.SequenceNumber, ev.EnqueuedTime)
		}
	}
	cases := []struct {
		name  string
		pos   azeventhubs.StartPosition
		first string
	}{
		{"offset exclusive", azeventhubs.StartPosition{Offset: toPtr(all[3].Offset)}, "4"},
		{"offset inclusive", azeventhubs.StartPosition{Offset: toPtr(all[3].Offset), Inclusive: true}, "3"},
		{"sequence exclusive", azeventhubs.StartPosition{SequenceNumber: toPtr(int64(5))}, "6"},
		{"sequence inclusive", azeventhubs.StartPosition{SequenceNumber: toPtr(int64(5)), Inclusive: true}, "5"},
		{"enqueued time", azeventhubs.StartPosition{EnqueuedTime: toPtr(base.Add(7 * time.Minute))}, "8"},
		{"enqueued time inclusive", azeventhubs.StartPosition{EnqueuedTime: toPtr(base.Add(7 * time.Minute)), Inclusive: true}, "7"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pc, err := cons.NewPartitionClient("0", &azeventhubs.PartitionClientOptions{StartPosition: c.pos})
			if err != nil {
				t.Fatal(err)
			}
			defer pc.Close(context.Background())
			if got := receiveN(t, pc, 1); string(got[0].Body) != c.first {
				t.Fatalf("first event %s, want %s", got[0].Body, c.first)
			}
		})
	}
	t.Run("latest", func(t *testing.T) {
		pc, err := cons.NewPartitionClient("0", &azeventhubs.PartitionClientOptions{StartPosition: azeventhubs.StartPosition{Latest: toPtr(true)}})
		if err != nil {
			t.Fatal(err)
		}
		defer pc.Close(context.Background())
		// The link attaches lazily: receive once with a short timeout first.
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		evs, _ := pc.ReceiveEvents(ctx, 1, nil)
		cancel()
		if len(evs) != 0 {
			t.Fatalf("latest returned old event %s", evs[0].Body)
		}
		if err := e.Publish("hub", "0", []byte("new")); err != nil {
			t.Fatal(err)
		}
		if got := receiveN(t, pc, 1); string(got[0].Body) != "new" {
			t.Fatalf("got %s", got[0].Body)
		}
	})
}

func TestOwnerLevelStealsPartition(t *testing.T) {
	e := start(t, 1)
	if err := e.Publish("hub", "0", []byte("a"), []byte("b")); err != nil {
		t.Fatal(err)
	}
	cons, err := azeventhubs.NewConsumerClientFromConnectionString(e.ConnectionString("hub"), "", azeventhubs.DefaultConsumerGroup, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cons.Close(context.Background())
	opts := &azeventhubs.PartitionClientOptions{StartPosition: azeventhubs.StartPosition{Earliest: toPtr(true)}, OwnerLevel: toPtr(int64(0))}
	first, err := cons.NewPartitionClient("0", opts)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close(context.Background())
	receiveN(t, first, 2)
	if n := e.Receivers("hub", "$Default", "0"); n != 1 {
		t.Fatalf("%d receivers", n)
	}
	second, err := cons.NewPartitionClient("0", opts)
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close(context.Background())
	receiveN(t, second, 2)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err = first.ReceiveEvents(ctx, 1, nil)
	var ehErr *azeventhubs.Error
	if !errors.As(err, &ehErr) || ehErr.Code != azeventhubs.ErrorCodeOwnershipLost {
		t.Fatalf("first receiver got %v, want ownership lost", err)
	}
	if n := e.Receivers("hub", "$Default", "0"); n != 1 {
		t.Fatalf("%d receivers after stealing", n)
	}
}

func TestUnknownHubAndPartition(t *testing.T) {
	e := start(t, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cons, err := azeventhubs.NewConsumerClientFromConnectionString(e.NamespaceConnectionString(), "nohub", azeventhubs.DefaultConsumerGroup, &azeventhubs.ConsumerClientOptions{RetryOptions: azeventhubs.RetryOptions{MaxRetries: -1}})
	if err != nil {
		t.Fatal(err)
	}
	defer cons.Close(ctx)
	if _, err := cons.GetEventHubProperties(ctx, nil); err == nil {
		t.Fatal("want an error for an unknown hub")
	}
	if err := e.Publish("hub", "9", []byte("x")); err == nil {
		t.Fatal("want an error for an unknown partition")
	}
}

func TestClientsRecoverFromDroppedConnections(t *testing.T) {
	e := start(t, 1)
	if err := e.Publish("hub", "0", []byte("a")); err != nil {
		t.Fatal(err)
	}
	cons, err := azeventhubs.NewConsumerClientFromConnectionString(e.ConnectionString("hub"), "", azeventhubs.DefaultConsumerGroup, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cons.Close(context.Background())
	pc, err := cons.NewPartitionClient("0", &azeventhubs.PartitionClientOptions{StartPosition: azeventhubs.StartPosition{Earliest: toPtr(true)}})
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close(context.Background())
	receiveN(t, pc, 1)
	e.DropConnections()
	if err := e.Publish("hub", "0", []byte("b")); err != nil {
		t.Fatal(err)
	}
	got := receiveN(t, pc, 1)
	if string(got[0].Body) != "b" {
		t.Fatalf("after reconnect got %s, want b", got[0].Body)
	}
}

func TestPublishRecordsAndRoundRobin(t *testing.T) {
	e := start(t, 3)
	if err := e.PublishRecords("hub", "2", []byte(`{"a":1}`), []byte(`{"b":2}`)); err != nil {
		t.Fatal(err)
	}
	if e.Len("hub", "2") != 1 {
		t.Fatalf("partition 2 has %d events", e.Len("hub", "2"))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	prod, err := azeventhubs.NewProducerClientFromConnectionString(e.ConnectionString("hub"), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer prod.Close(ctx)
	for i := 0; i < 6; i++ {
		batch, err := prod.NewEventDataBatch(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := batch.AddEventData(&azeventhubs.EventData{Body: []byte("x")}, nil); err != nil {
			t.Fatal(err)
		}
		if err := prod.SendEventDataBatch(ctx, batch, nil); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []string{"0", "1"} {
		if e.Len("hub", p) == 0 {
			t.Fatalf("partition %s got nothing from a producer without partition", p)
		}
	}
	cons, err := azeventhubs.NewConsumerClientFromConnectionString(e.ConnectionString("hub"), "", azeventhubs.DefaultConsumerGroup, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cons.Close(ctx)
	pc, err := cons.NewPartitionClient("2", &azeventhubs.PartitionClientOptions{StartPosition: azeventhubs.StartPosition{Earliest: toPtr(true)}})
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close(ctx)
	if got := receiveN(t, pc, 1); string(got[0].Body) != `{"records":[{"a":1},{"b":2}]}` {
		t.Fatalf("body %s", got[0].Body)
	}
}

func TestRetention(t *testing.T) {
	e := New(Options{Hubs: map[string]int{"hub": 1}, MaxEventsPerPartition: 10})
	if err := e.Start(); err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	for i := 0; i < 25; i++ {
		if err := e.Publish("hub", "0", []byte(fmt.Sprint(i))); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cons, err := azeventhubs.NewConsumerClientFromConnectionString(e.ConnectionString("hub"), "", azeventhubs.DefaultConsumerGroup, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cons.Close(ctx)
	pp, err := cons.GetPartitionProperties(ctx, "0", nil)
	if err != nil {
		t.Fatal(err)
	}
	if pp.BeginningSequenceNumber != 15 || pp.LastEnqueuedSequenceNumber != 24 {
		t.Fatalf("partition properties %+v", pp)
	}
	// A position that expired continues with the oldest event kept.
	pc, err := cons.NewPartitionClient("0", &azeventhubs.PartitionClientOptions{StartPosition: azeventhubs.StartPosition{SequenceNumber: toPtr(int64(3))}})
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close(ctx)
	got := receiveN(t, pc, 10)
	if got[0].SequenceNumber != 15 || string(got[9].Body) != "24" {
		t.Fatalf("first %d, last body %s", got[0].SequenceNumber, got[9].Body)
	}
}

func TestSASLPlainAndNoSASL(t *testing.T) {
	e := start(t, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for name, opts := range map[string]*amqp.ConnOptions{
		"plain":   {SASLType: amqp.SASLTypePlain("user", "pass")},
		"no sasl": {},
	} {
		t.Run(name, func(t *testing.T) {
			c, err := amqp.Dial(ctx, "amqp://"+e.Addr(), opts)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			s, err := c.NewSession(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			r, err := s.NewReceiver(ctx, "hub/ConsumerGroups/$Default/Partitions/9", nil)
			if err == nil {
				r.Close(ctx)
				t.Fatal("want an error for an unknown partition")
			}
			var amqpErr *amqp.Error
			if !errors.As(err, &amqpErr) || amqpErr.Condition != "amqp:not-found" {
				t.Fatalf("got %v, want amqp:not-found", err)
			}
			if err := s.Close(ctx); err != nil {
				t.Fatal(err)
			}
		})
	}
}
