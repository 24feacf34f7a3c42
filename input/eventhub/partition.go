package eventhub

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/messaging/azeventhubs/v2"
	"github.com/elastic/beats/v7/libbeat/beat"
	"github.com/elastic/elastic-agent-libs/logp"
	"github.com/elastic/elastic-agent-libs/mapstr"

	"github.com/m365beat/m365beat/input"
	"github.com/m365beat/m365beat/input/split"
)

// checkpointer is what a tracker writes checkpoints through
// (*azeventhubs.ProcessorPartitionClient in production).
type checkpointer interface {
	UpdateCheckpoint(ctx context.Context, latest *azeventhubs.ReceivedEventData, options *azeventhubs.UpdateCheckpointOptions) error
}

// cpToken rides, as beat.Event.Private, on the last event of each message:
// once it is acknowledged every record of that message (and, acknowledgments
// being in publish order, of every earlier message) is.
type cpToken struct {
	seq      int64
	offset   string
	enqueued time.Time
}

// tracker follows acknowledgments of one partition and writes the
// checkpoint of the latest fully acknowledged message, batched on a timer.
type tracker struct {
	cp  checkpointer
	m   *metrics
	log *logp.Logger
	// pos, when set, learns each acknowledged position of partition pid.
	pos *positions
	pid string

	mu      sync.Mutex
	acked   *cpToken // latest fully acknowledged message
	written *cpToken // latest checkpoint written
	closed  bool
}

// onACK is the pipeline client's acknowledgment callback.
func (t *tracker) onACK(privates []any) {
	now := time.Now()
	var last *cpToken
	for _, p := range privates {
		if tok, ok := p.(*cpToken); ok {
			last = tok
			t.m.observeLag(tok.enqueued, now)
		}
	}
	t.m.eventsAcked.Add(uint64(len(privates)))
	if last != nil {
		t.mu.Lock()
		t.acked = last
		t.mu.Unlock()
		if t.pos != nil {
			t.pos.acked(t.pid, last)
		}
	}
}

// flush writes the checkpoint when it moved since the last write.
func (t *tracker) flush(ctx context.Context) {
	t.mu.Lock()
	tok := t.acked
	if tok == nil || tok == t.written || t.closed {
		t.mu.Unlock()
		return
	}
	t.mu.Unlock()
	err := t.cp.UpdateCheckpoint(ctx, &azeventhubs.ReceivedEventData{SequenceNumber: tok.seq, Offset: tok.offset}, nil)
	if err != nil {
		t.m.checkpointErrors.Inc()
		t.log.Warnw("Writing the checkpoint failed; it is retried at the next interval", "error", redact(err), "sequence_number", tok.seq)
		return
	}
	t.m.checkpoints.Inc()
	t.mu.Lock()
	t.written = tok
	t.mu.Unlock()
}

// run writes the checkpoint every interval until ctx ends.
func (t *tracker) run(ctx context.Context, interval time.Duration) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			t.flush(ctx)
		}
	}
}

// close writes the final checkpoint; later acknowledgments no longer move
// it (another instance may own the partition by then).
func (t *tracker) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	t.flush(ctx)
	t.mu.Lock()
	t.closed = true
	t.mu.Unlock()
}

// abandon stops checkpointing without a final write.
func (t *tracker) abandon() {
	t.mu.Lock()
	t.closed = true
	t.mu.Unlock()
}

// runPartition reads one owned partition until ownership is lost, the
// processor stops or the link fails (the processor then hands the
// partition out again if it still owns it).
func (in *eventHubInput) runPartition(runCtx context.Context, ictx input.Context, pc *azeventhubs.ProcessorPartitionClient, m *metrics) {
	pid := pc.PartitionID()
	log := in.log.With("partition_id", pid)
	m.partitionsOwned.Inc()
	defer m.partitionsOwned.Dec()
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = pc.Close(ctx)
	}()

	tr := &tracker{cp: pc, m: m, log: log, pos: &in.positions, pid: pid}
	client, err := ictx.Pipeline.Connect(in.stream, tr.onACK)
	if err != nil {
		log.Errorw("Connecting to the pipeline failed", "error", err)
		return
	}
	// Checkpoints are written on their own goroutine: while the storage is
	// slow or down (each write retries for about 10 s), reading goes on.
	flushCtx, stopFlush := context.WithCancel(runCtx)
	flushed := make(chan struct{})
	go func() {
		defer close(flushed)
		tr.run(flushCtx, in.cfg.CheckpointInterval)
	}()
	lost := false
	defer func() {
		stopFlush()
		<-flushed
		client.Close() // waits (shutdown_timeout) for events in flight
		if lost {
			// The new owner checkpoints from now on: writing ours could
			// move its checkpoint back.
			tr.abandon()
		} else {
			tr.close()
		}
	}()
	log.Infow("Reading partition")

	p := &publisher{in: in, m: m, pid: pid}
	in.budget.join()
	defer in.budget.leave()
	for {
		// Receive only the messages budget is held for
		// (max_in_flight_messages); it is given back once their events
		// are in the queue.
		n, err := in.budget.acquire(runCtx, in.budget.share(in.cfg.PartitionReceiveCount))
		if err != nil {
			log.Infow("Stopping partition")
			return
		}
		m.observeBudget(in.budget)
		rctx, cancel := context.WithTimeout(runCtx, in.cfg.PartitionReceiveTimeout)
		evs, err := pc.ReceiveEvents(rctx, n, nil)
		cancel()
		in.budget.release(n - len(evs))
		if len(evs) > 0 {
			// Blocks while the queue is full: the budget stays held, so
			// no partition receives more than the budget meanwhile.
			client.PublishAll(p.events(evs))
			in.budget.release(len(evs))
			m.observeBudget(in.budget)
		}
		if err == nil {
			continue
		}
		if runCtx.Err() != nil {
			log.Infow("Stopping partition")
			return
		}
		if errors.Is(err, context.DeadlineExceeded) {
			continue
		}
		var ehErr *azeventhubs.Error
		if errors.As(err, &ehErr) && ehErr.Code == azeventhubs.ErrorCodeOwnershipLost {
			m.ownershipLost.Inc()
			lost = true
			log.Infow("Partition ownership lost to another instance; releasing it")
			return
		}
		m.receiveErrors.Inc()
		log.Warnw("Receiving from the partition failed; releasing it", "error", err)
		return
	}
}

// publisher turns received messages into events.
type publisher struct {
	in  *eventHubInput
	m   *metrics
	pid string
}

// events splits messages into events; the last event of each message
// carries the message's checkpoint token.
func (p *publisher) events(msgs []*azeventhubs.ReceivedEventData) []beat.Event {
	out := make([]beat.Event, 0, len(msgs)*4)
	now := time.Now()
	for _, msg := range msgs {
		start := time.Now()
		n0 := len(out)
		tok := &cpToken{seq: msg.SequenceNumber, offset: msg.Offset}
		if msg.EnqueuedTime != nil {
			tok.enqueued = *msg.EnqueuedTime
		}
		emit := func(rec []byte) error {
			out = append(out, beat.Event{
				Timestamp: now,
				Fields: mapstr.M{
					"message": string(rec),
					"azure":   p.meta(tok),
				},
			})
			return nil
		}
		err := split.EventHub(msg.Body, emit)
		if errors.Is(err, split.ErrInvalidJSON) {
			if fixed, ok := p.in.sanitizers.Repair(msg.Body); ok {
				p.m.sanitizedMessages.Inc()
				err = split.EventHub(fixed, emit)
			}
		}
		if err != nil {
			p.m.decodeErrors.Inc()
			out = append(out[:n0], beat.Event{
				Timestamp: now,
				Fields: mapstr.M{
					"event": mapstr.M{"original": string(msg.Body)},
					"error": mapstr.M{"message": []string{"Event Hub message body is not valid JSON: " + err.Error()}},
					"azure": p.meta(tok),
				},
			})
		}
		if len(out) > n0 {
			out[len(out)-1].Private = tok
		}
		p.m.messagesReceived.Inc()
		p.m.bytesReceived.Add(uint64(len(msg.Body)))
		p.m.recordsReceived.Add(uint64(len(out) - n0))
		p.m.processingTime.Update(time.Since(start).Nanoseconds())
	}
	return out
}

func (p *publisher) meta(tok *cpToken) mapstr.M {
	eh := mapstr.M{
		"partition_id":    p.pid,
		"sequence_number": tok.seq,
		"offset":          tok.offset,
		"consumer_group":  p.in.cfg.ConsumerGroup,
	}
	if !tok.enqueued.IsZero() {
		eh["enqueued_time"] = tok.enqueued
	}
	return mapstr.M{"eventhub": eh}
}
