package eventhub

import (
	"time"

	"github.com/elastic/elastic-agent-libs/logp"
	"github.com/elastic/elastic-agent-libs/monitoring"
	"github.com/elastic/elastic-agent-libs/monitoring/adapter"
	gometrics "github.com/rcrowley/go-metrics"
)

// metrics of one eventhub input, in its input.Context.Metrics registry.
type metrics struct {
	messagesReceived  *monitoring.Uint // Event Hub messages received
	bytesReceived     *monitoring.Uint // message body bytes received
	recordsReceived   *monitoring.Uint // records split out of messages (events published)
	decodeErrors      *monitoring.Uint // messages not valid JSON even after sanitizing
	sanitizedMessages *monitoring.Uint // messages repaired by a sanitizer
	eventsAcked       *monitoring.Uint // events acknowledged by the output
	checkpoints       *monitoring.Uint // checkpoints written to the store
	checkpointErrors  *monitoring.Uint // failed checkpoint writes
	receiveErrors     *monitoring.Uint // partition receive errors (ownership loss excluded)
	ownershipLost     *monitoring.Uint // partitions taken over by another instance
	partitionsOwned   *monitoring.Int  // partitions currently read

	processingTime gometrics.Sample // ns to split and publish one message
	lag            gometrics.Sample // ms from enqueued to acknowledged
}

func newMetrics(reg *monitoring.Registry, log *logp.Logger) *metrics {
	if reg == nil {
		reg = monitoring.NewRegistry()
	}
	m := &metrics{
		messagesReceived:  monitoring.NewUint(reg, "messages_received_total"),
		bytesReceived:     monitoring.NewUint(reg, "received_bytes_total"),
		recordsReceived:   monitoring.NewUint(reg, "records_received_total"),
		decodeErrors:      monitoring.NewUint(reg, "decode_errors_total"),
		sanitizedMessages: monitoring.NewUint(reg, "sanitized_messages_total"),
		eventsAcked:       monitoring.NewUint(reg, "events_acked_total"),
		checkpoints:       monitoring.NewUint(reg, "checkpoints_written_total"),
		checkpointErrors:  monitoring.NewUint(reg, "checkpoint_errors_total"),
		receiveErrors:     monitoring.NewUint(reg, "receive_errors_total"),
		ownershipLost:     monitoring.NewUint(reg, "ownership_lost_total"),
		partitionsOwned:   monitoring.NewInt(reg, "partitions_owned"),
		processingTime:    gometrics.NewUniformSample(1024),
		lag:               gometrics.NewUniformSample(1024),
	}
	gm := adapter.NewGoMetrics(reg, "histogram", log, adapter.Accept)
	_ = gm.Register("processing_time_ns", gometrics.NewHistogram(m.processingTime))
	_ = gm.Register("end_to_end_lag_ms", gometrics.NewHistogram(m.lag))
	return m
}

func (m *metrics) observeLag(enqueued time.Time, now time.Time) {
	if !enqueued.IsZero() {
		m.lag.Update(now.Sub(enqueued).Milliseconds())
	}
}
