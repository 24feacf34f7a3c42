package eventhub

import (
	"context"
	"sync"

	"github.com/Azure/azure-sdk-for-go/sdk/messaging/azeventhubs/v2"
	"github.com/elastic/elastic-agent-libs/logp"
)

// positions remembers, for the life of the input, the latest message of
// each partition whose events the output acknowledged. When the processor
// restarts (the storage was unreachable for long), they are written to the
// store where they are ahead of its checkpoints (advance), and they are
// the processor's start positions for partitions the store has no
// checkpoint for (startPositions). Without them a partition would read
// again what was acknowledged while no checkpoint could be written, and a
// partition whose checkpoint was lost (storage reset) would start from
// start_position: the whole retention again with "earliest", a gap with
// "latest".
type positions struct {
	mu   sync.Mutex
	last map[string]*cpToken
}

// acked records the latest acknowledged message of a partition.
func (p *positions) acked(pid string, tok *cpToken) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.last == nil {
		p.last = map[string]*cpToken{}
	}
	p.last[pid] = tok
}

// snapshot copies the remembered positions.
func (p *positions) snapshot() map[string]*cpToken {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make(map[string]*cpToken, len(p.last))
	for pid, tok := range p.last {
		out[pid] = tok
	}
	return out
}

// startPositions are the processor's per-partition start positions: just
// after each remembered message. A checkpoint in the store takes
// precedence over them.
func (p *positions) startPositions() map[string]azeventhubs.StartPosition {
	out := map[string]azeventhubs.StartPosition{}
	for pid, tok := range p.snapshot() {
		seq := tok.seq
		out[pid] = azeventhubs.StartPosition{SequenceNumber: &seq}
	}
	return out
}

// advance writes each remembered position that is ahead of the store's
// checkpoint of its partition, or that the store lacks. Those messages
// are acknowledged, so a checkpoint never moves past an unacknowledged
// event; it never moves back either. Failures are logged: the start
// positions still cover a missing checkpoint.
func (p *positions) advance(ctx context.Context, store azeventhubs.CheckpointStore, ns, hub, cg string, log *logp.Logger) {
	mine := p.snapshot()
	if len(mine) == 0 {
		return
	}
	cps, err := store.ListCheckpoints(ctx, ns, hub, cg, nil)
	if err != nil {
		log.Warnw("Reading the checkpoints before restarting the processor failed", "error", redact(err))
		return
	}
	stored := make(map[string]int64, len(cps))
	for _, cp := range cps {
		if cp.SequenceNumber != nil {
			stored[cp.PartitionID] = *cp.SequenceNumber
		}
	}
	for pid, tok := range mine {
		if seq, ok := stored[pid]; ok && seq >= tok.seq {
			continue
		}
		seq, offset := tok.seq, tok.offset
		cp := azeventhubs.Checkpoint{FullyQualifiedNamespace: ns, EventHubName: hub, ConsumerGroup: cg,
			PartitionID: pid, SequenceNumber: &seq, Offset: &offset}
		if err := store.SetCheckpoint(ctx, cp, nil); err != nil {
			log.Warnw("Writing an acknowledged position before restarting the processor failed", "partition_id", pid, "error", redact(err))
			continue
		}
		log.Infow("Checkpoint moved to the last acknowledged message before restarting the processor", "partition_id", pid, "sequence_number", seq)
	}
}
