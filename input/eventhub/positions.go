package eventhub

import (
	"sync"

	"github.com/Azure/azure-sdk-for-go/sdk/messaging/azeventhubs/v2"
)

// positions remembers, for the life of the input, the sequence number of
// the latest message of each partition whose events the output
// acknowledged. A restarted processor starts a partition from its
// checkpoint in the store; these positions are only its fallback when the
// store has no checkpoint for the partition, i.e. when the checkpoints
// were lost while m365beat ran (container deleted, storage reset). Without
// them such a partition would start from start_position: the whole
// retention again with "earliest", a gap with "latest".
type positions struct {
	mu  sync.Mutex
	seq map[string]int64
}

// acked records the latest acknowledged message of a partition.
func (p *positions) acked(pid string, seq int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.seq == nil {
		p.seq = map[string]int64{}
	}
	p.seq[pid] = seq
}

// startPositions are the processor's per-partition start positions: just
// after each remembered message.
func (p *positions) startPositions() map[string]azeventhubs.StartPosition {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make(map[string]azeventhubs.StartPosition, len(p.seq))
	for pid, seq := range p.seq {
		out[pid] = azeventhubs.StartPosition{SequenceNumber: &seq}
	}
	return out
}
