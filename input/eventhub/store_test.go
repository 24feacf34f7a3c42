package eventhub

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/messaging/azeventhubs/v2"
)

func TestMemoryStoreOwnershipAndCheckpoints(t *testing.T) {
	ctx := context.Background()
	s := newMemoryStore()
	own := azeventhubs.Ownership{FullyQualifiedNamespace: "ns", EventHubName: "hub", ConsumerGroup: "$Default", PartitionID: "0", OwnerID: "a"}
	got, err := s.ClaimOwnership(ctx, []azeventhubs.Ownership{own}, nil)
	if err != nil || len(got) != 1 || got[0].ETag == nil {
		t.Fatalf("first claim: %v %v", got, err)
	}
	// A claim with a stale (absent) ETag loses.
	b := own
	b.OwnerID = "b"
	if got2, _ := s.ClaimOwnership(ctx, []azeventhubs.Ownership{b}, nil); len(got2) != 0 {
		t.Fatalf("claim without the current ETag succeeded: %v", got2)
	}
	// With the current ETag it wins, and the ETag changes.
	b.ETag = got[0].ETag
	got3, _ := s.ClaimOwnership(ctx, []azeventhubs.Ownership{b}, nil)
	if len(got3) != 1 || *got3[0].ETag == *got[0].ETag {
		t.Fatalf("claim with the current ETag: %v", got3)
	}
	list, _ := s.ListOwnership(ctx, "ns", "hub", "$Default", nil)
	if len(list) != 1 || list[0].OwnerID != "b" {
		t.Fatalf("ownership list %v", list)
	}
	seq, off := int64(41), "4100"
	if err := s.SetCheckpoint(ctx, azeventhubs.Checkpoint{FullyQualifiedNamespace: "ns", EventHubName: "hub", ConsumerGroup: "$Default", PartitionID: "0", SequenceNumber: &seq, Offset: &off}, nil); err != nil {
		t.Fatal(err)
	}
	cps, _ := s.ListCheckpoints(ctx, "ns", "hub", "$Default", nil)
	if len(cps) != 1 || *cps[0].SequenceNumber != 41 {
		t.Fatalf("checkpoints %v", cps)
	}
	if other, _ := s.ListCheckpoints(ctx, "ns", "hub", "other", nil); len(other) != 0 {
		t.Fatalf("checkpoints of another consumer group: %v", other)
	}
}

func TestRedact(t *testing.T) {
	err := errors.New("PUT https://acct.blob.core.windows.net/c?sv=2021&sig=SECRET\n--- RESPONSE 403")
	got := redact(err)
	if strings.Contains(got, "SECRET") || strings.Contains(got, "RESPONSE") {
		t.Fatalf("redact = %q", got)
	}
}
