package eventhub

import (
	"context"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/messaging/azeventhubs/v2"
	"github.com/Azure/azure-sdk-for-go/sdk/messaging/azeventhubs/v2/checkpoints"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"github.com/elastic/elastic-agent-libs/logp/logptest"
	"github.com/elastic/elastic-agent-libs/monitoring"

	"github.com/m365beat/m365beat/internal/azuritetest"
	"github.com/m365beat/m365beat/internal/inputtest"
)

// TestHealingStoreCreatesMissingContainer: every store call made after the
// container was deleted creates it again and succeeds.
func TestHealingStoreCreatesMissingContainer(t *testing.T) {
	az := azuritetest.Start(t)
	cc, err := container.NewClientFromConnectionString(az.ConnectionString, "heal", nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := ensureContainer(ctx, cc); err != nil {
		t.Fatal(err)
	}
	bs, err := checkpoints.NewBlobStore(cc, nil)
	if err != nil {
		t.Fatal(err)
	}
	created := monitoring.NewUint(monitoring.NewRegistry(), "created")
	s := &healingStore{CheckpointStore: bs, cc: cc, name: "heal", log: logptest.NewTestingLogger(t, "heal"), created: created}
	const ns, hub, cg = "ns.servicebus.windows.net", "hub", "$Default"
	seq := int64(41)
	cp := azeventhubs.Checkpoint{FullyQualifiedNamespace: ns, EventHubName: hub, ConsumerGroup: cg, PartitionID: "0", SequenceNumber: &seq, Offset: to("4100")}

	deleteContainer := func() {
		t.Helper()
		if _, err := cc.Delete(ctx, nil); err != nil {
			t.Fatal(err)
		}
		// Azurite answers ContainerBeingDeleted for a moment.
		waitFor(t, 10*time.Second, "the container gone", func() bool {
			_, err := cc.GetProperties(ctx, nil)
			return err != nil
		})
	}

	deleteContainer()
	if _, err := bs.ListCheckpoints(ctx, ns, hub, cg, nil); err == nil {
		t.Fatal("the plain blob store listed a deleted container: the test does not reach the failure it is about")
	}
	if err := s.SetCheckpoint(ctx, cp, nil); err != nil {
		t.Fatalf("SetCheckpoint after the container was deleted: %v", err)
	}
	got, err := s.ListCheckpoints(ctx, ns, hub, cg, nil)
	if err != nil || len(got) != 1 || got[0].SequenceNumber == nil || *got[0].SequenceNumber != seq {
		t.Fatalf("checkpoints after re-creation: %+v, %v", got, err)
	}

	deleteContainer()
	if got, err := s.ListOwnership(ctx, ns, hub, cg, nil); err != nil || len(got) != 0 {
		t.Fatalf("ListOwnership after the container was deleted: %+v, %v", got, err)
	}
	deleteContainer()
	claimed, err := s.ClaimOwnership(ctx, []azeventhubs.Ownership{{FullyQualifiedNamespace: ns, EventHubName: hub, ConsumerGroup: cg, PartitionID: "0", OwnerID: "me"}}, nil)
	if err != nil || len(claimed) != 1 {
		t.Fatalf("ClaimOwnership after the container was deleted: %+v, %v", claimed, err)
	}
	if created.Get() != 3 {
		t.Errorf("checkpoint_container_recreated_total = %d, want 3", created.Get())
	}
}

// TestContainerDeletedWhileRunning: the checkpoint container is deleted
// while the input runs; checkpoints are written again for every partition
// and reach the records acknowledged after the deletion, and no record is
// read twice.
func TestContainerDeletedWhileRunning(t *testing.T) {
	const perMsg, partitions = 10, 2
	e := newEnv(t, partitions, true)
	e.publishRecords(200, perMsg)
	pipe := &inputtest.Pipeline{AutoACK: true}
	e.run(e.config(nil), pipe)
	waitFor(t, 30*time.Second, "the first checkpoints", func() bool {
		cps, err := e.listCheckpoints("$Default") // the container may not exist yet
		return err == nil && len(cps) == partitions
	})

	cc, err := container.NewClientFromConnectionString(e.az.ConnectionString, e.ctr, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cc.Delete(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	e.publishRecords(200, perMsg) // 10 more messages per partition
	waitFor(t, 30*time.Second, "every record", func() bool { return len(pipe.Events()) >= 400 })
	// Sequence numbers start at 0: 20 messages per partition end at 19.
	e.waitCheckpointsAt(partitions, 19)
	// Partitions kept their positions: nothing was read again (a restart
	// of the processor would have found no checkpoint and read from
	// start_position, "earliest" here).
	time.Sleep(time.Second)
	if got := len(pipe.Events()); got != 400 {
		t.Errorf("%d events published for 400 records: the deletion made the input read records again", got)
	}
}
