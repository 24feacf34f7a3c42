package eventhub

import (
	"time"

	"github.com/elastic/elastic-agent-libs/logp"
	"github.com/elastic/elastic-agent-libs/monitoring"
	"github.com/elastic/elastic-agent-libs/monitoring/adapter"
	gometrics "github.com/rcrowley/go-metrics"
)

// metrics of one eventhub input, in its input.Context.Metrics registry.
// The registry outlives the input when it is restarted (config reload):
// existing variables are reused, counters keep counting.
type metrics struct {
	messagesReceived  *monitoring.Uint // Event Hub messages received
	bytesReceived     *monitoring.Uint // message body bytes received
	recordsReceived   *monitoring.Uint // records split out of messages (events published)
	decodeErrors      *monitoring.Uint // messages not valid JSON even after sanitizing
	sanitizedMessages *monitoring.Uint // messages repaired by a sanitizer
	eventsAcked       *monitoring.Uint // events acknowledged by the output
	checkpoints       *monitoring.Uint // checkpoints written to the store
	checkpointErrors  *monitoring.Uint // failed checkpoint writes
	containerCreated  *monitoring.Uint // checkpoint container created again after it disappeared
	receiveErrors     *monitoring.Uint // partition receive errors (ownership loss excluded)
	ownershipLost     *monitoring.Uint // partitions taken over by another instance
	partitionsOwned   *monitoring.Int  // partitions currently read
	inFlight          *monitoring.Int  // messages received and not yet in the queue (max_in_flight_messages)
	inFlightPeak      *monitoring.Int  // highest inFlight since the input started

	processingTime gometrics.Histogram // ns to split and publish one message
	lag            gometrics.Histogram // ms from enqueued to acknowledged
}

func newMetrics(reg *monitoring.Registry, log *logp.Logger) *metrics {
	if reg == nil {
		reg = monitoring.NewRegistry()
	}
	if log == nil {
		log = logp.NewNopLogger()
	}
	u := func(name string) *monitoring.Uint {
		if v, ok := reg.Get(name).(*monitoring.Uint); ok {
			return v
		}
		return monitoring.NewUint(reg, name)
	}
	m := &metrics{
		messagesReceived:  u("messages_received_total"),
		bytesReceived:     u("received_bytes_total"),
		recordsReceived:   u("records_received_total"),
		decodeErrors:      u("decode_errors_total"),
		sanitizedMessages: u("sanitized_messages_total"),
		eventsAcked:       u("events_acked_total"),
		checkpoints:       u("checkpoints_written_total"),
		checkpointErrors:  u("checkpoint_errors_total"),
		containerCreated:  u("checkpoint_container_recreated_total"),
		receiveErrors:     u("receive_errors_total"),
		ownershipLost:     u("ownership_lost_total"),
	}
	i := func(name string) *monitoring.Int {
		if v, ok := reg.Get(name).(*monitoring.Int); ok {
			return v
		}
		return monitoring.NewInt(reg, name)
	}
	m.partitionsOwned = i("partitions_owned")
	m.inFlight = i("in_flight_messages")
	m.inFlightPeak = i("in_flight_messages_peak")
	gm := adapter.GetGoMetrics(reg, "histogram", log, adapter.Accept)
	m.processingTime = histogram(gm, "processing_time_ns")
	m.lag = histogram(gm, "end_to_end_lag_ms")
	return m
}

func histogram(gm *adapter.GoMetricsRegistry, name string) gometrics.Histogram {
	h, ok := gm.GetOrRegister(name, func() gometrics.Histogram {
		return gometrics.NewHistogram(gometrics.NewUniformSample(1024))
	}).(gometrics.Histogram)
	if !ok { // not expected: the name is ours
		h = gometrics.NewHistogram(gometrics.NewUniformSample(1024))
	}
	return h
}

func (m *metrics) observeLag(enqueued time.Time, now time.Time) {
	if !enqueued.IsZero() {
		m.lag.Update(now.Sub(enqueued).Milliseconds())
	}
}

// observeBudget publishes the in-flight gauges.
func (m *metrics) observeBudget(b *budget) {
	used, peak := b.usage()
	m.inFlight.Set(int64(used))
	m.inFlightPeak.Set(int64(peak))
}
