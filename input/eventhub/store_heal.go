package eventhub

import (
	"context"

	"github.com/Azure/azure-sdk-for-go/sdk/messaging/azeventhubs/v2"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"github.com/elastic/elastic-agent-libs/logp"
	"github.com/elastic/elastic-agent-libs/monitoring"
)

// healingStore is the blob checkpoint store, which creates the checkpoint
// container again when it disappears while m365beat runs (deleted by
// hand or by a lifecycle rule). Without it every checkpoint write fails
// until a restart, and that restart reads from start_position: with
// "latest" the records in between would be skipped. Each call that fails
// with ContainerNotFound creates the container and is tried once more.
type healingStore struct {
	azeventhubs.CheckpointStore
	cc   *container.Client
	name string
	log  *logp.Logger
	// created counts the re-creations (checkpoint_container_recreated_total).
	created *monitoring.Uint
}

// healed creates the container when err says it is missing, and reports
// whether the call is worth trying again.
func (s *healingStore) healed(ctx context.Context, err error) bool {
	if err == nil || !bloberror.HasCode(err, bloberror.ContainerNotFound) {
		return false
	}
	if cerr := ensureContainer(ctx, s.cc); cerr != nil {
		s.log.Errorw("The checkpoint container is missing and creating it again failed; checkpoints are not written until it exists",
			"storage_account_container", s.name, "error", redact(cerr))
		return false
	}
	s.created.Inc()
	s.log.Warnw("The checkpoint container was missing (deleted while m365beat ran?) and has been created again; partitions keep their positions and checkpoints are written again",
		"storage_account_container", s.name)
	return true
}

// retried makes call, and once more when its failure was a missing
// container that healed created again.
func retried[T any](ctx context.Context, s *healingStore, call func() (T, error)) (T, error) {
	v, err := call()
	if s.healed(ctx, err) {
		v, err = call()
	}
	return v, err
}

func (s *healingStore) ClaimOwnership(ctx context.Context, want []azeventhubs.Ownership, o *azeventhubs.ClaimOwnershipOptions) ([]azeventhubs.Ownership, error) {
	return retried(ctx, s, func() ([]azeventhubs.Ownership, error) { return s.CheckpointStore.ClaimOwnership(ctx, want, o) })
}

func (s *healingStore) ListCheckpoints(ctx context.Context, ns, hub, cg string, o *azeventhubs.ListCheckpointsOptions) ([]azeventhubs.Checkpoint, error) {
	return retried(ctx, s, func() ([]azeventhubs.Checkpoint, error) {
		return s.CheckpointStore.ListCheckpoints(ctx, ns, hub, cg, o)
	})
}

func (s *healingStore) ListOwnership(ctx context.Context, ns, hub, cg string, o *azeventhubs.ListOwnershipOptions) ([]azeventhubs.Ownership, error) {
	return retried(ctx, s, func() ([]azeventhubs.Ownership, error) { return s.CheckpointStore.ListOwnership(ctx, ns, hub, cg, o) })
}

func (s *healingStore) SetCheckpoint(ctx context.Context, cp azeventhubs.Checkpoint, o *azeventhubs.SetCheckpointOptions) error {
	_, err := retried(ctx, s, func() (struct{}, error) { return struct{}{}, s.CheckpointStore.SetCheckpoint(ctx, cp, o) })
	return err
}
