package graphapi

// The vulnerabilities stream (GitHub issue 12; spec vulnerability.md §2,
// §10) collects Defender Vulnerability Management data with the input's
// credentials and HTTP transport:
//
//	streams:
//	  - resource: vulnerabilities
//	    enabled: true               # disabled by default
//	    interval: 4h                # full export
//	    api_url: https://api.security.microsoft.com   # default by cloud
//	    token_scopes: ["https://api.securitycenter.microsoft.com/.default"]
//	    sas_valid_hours: 2
//	    max_retries: 3              # per request: network, 429, 5xx, truncated/empty bodies
//	    batch_size: 1000            # events per PublishAll
//	    max_in_flight: 6000         # unacknowledged events (default 6×batch_size)
//	    idle_timeout: 2m            # a download receiving nothing this long is retried
//	    delta: {enabled: true, interval: 1h, page_size: 50000}
//	    data_stream.dataset: m365_defender.vulnerability
//	    preserve_original_event: false
//	    event_ingested: false       # true when the latest transform is installed
//
// Full sync: SoftwareVulnerabilitiesExport, then every file streamed
// (HTTP body → gzip → lines → batches → PublishAll), never a whole file in
// memory. An expired SAS (se= within 2 minutes, or Azure Storage's 403)
// re-requests the export once: same generatedTime resumes (finished files
// skipped, the interrupted one re-downloaded past its published records),
// a new one restarts from its first file; a second expiry ends the sync
// with an error document. The state (last_full_export, delta_cursor) is
// saved only once the output acknowledged every event of the sync / poll.
// Delta: SoftwareVulnerabilityChangesByMachine from delta_cursor, following
// @odata.nextLink; HTTP 400 falls back to a full export.
//
// Metrics (registry <input>/<stream>): export_files, records,
// bytes_downloaded, sas_restarts, sas_restarts_exhausted,
// download_retries, errors, syncs, sync_duration, delta.pages,
// delta.records, delta.duration, requests_total, events_acked_total.

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/elastic/beats/v7/libbeat/beat"
	"github.com/elastic/elastic-agent-libs/logp"
	"github.com/elastic/elastic-agent-libs/mapstr"

	"github.com/m365beat/m365beat/input"
)

// vulnStream is a running vulnerabilities stream: full export every
// interval, delta in between (spec vulnerability.md §2, §10).
type vulnStream struct {
	cfg         streamConfig
	api         string
	tok         *tokens
	http        *http.Client // API calls (the input's client, with its timeout)
	dl          *http.Client // downloads: same transport, no total timeout (idle_timeout instead)
	log         *logp.Logger
	m           *vulnMetrics
	client      input.Client
	store       input.Store
	key         string
	now         func() time.Time
	maxRetries  int
	backoffInit time.Duration
	backoffMax  time.Duration
	maxLine     int

	// maxInFlight bounds the events published and not yet acknowledged:
	// the stream's memory no longer depends on the size of the beat's
	// queue (queue.mem.events), which holds processed documents.
	maxInFlight int

	mu       sync.Mutex
	cond     *sync.Cond // signalled on acknowledgements and on stop
	inflight int        // events of this stream published, not acknowledged
	queue    []*vulnAck // published units, in order, not yet committed
	state    vulnState  // committed state
}

// vulnState is what the stream keeps in the input.Store.
type vulnState struct {
	// LastFullExport is the generatedTime of the last full export whose
	// events were all acknowledged.
	LastFullExport string `json:"last_full_export,omitempty"`
	// FullSyncStarted is when that sync started (wall clock, RFC 3339):
	// the next full sync is due interval after it, across restarts.
	FullSyncStarted string `json:"full_sync_started,omitempty"`
	// DeltaCursor is the sinceTime of the next delta poll: the newest
	// acknowledged eventTimestamp (or LastFullExport).
	DeltaCursor string `json:"delta_cursor,omitempty"`
}

// vulnAck is the acknowledgement state of one unit (a full sync or a
// delta poll); every event of the unit carries it as Private.
type vulnAck struct {
	pending int
	sealed  bool
	commit  func(*vulnState) // applied to the state once all is acknowledged
}

func (s *vulnStream) load() {
	ok, err := s.store.Has(s.key)
	if err == nil && ok {
		err = s.store.Get(s.key, &s.state)
	}
	if err != nil {
		s.log.Errorw("Cannot read the stream's saved state; starting with a full export.", "error", err)
		s.state = vulnState{}
	}
}

// onACK is the Connector's acknowledgement callback.
func (s *vulnStream) onACK(privates []any) {
	s.m.acked.Add(int64(len(privates)))
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range privates {
		if a, ok := p.(*vulnAck); ok {
			a.pending--
			s.inflight--
		}
	}
	s.commitLocked()
	s.cond.Broadcast()
}

// acquire waits until n more events may be in flight (always allows one
// batch when nothing is in flight). It fails only when ctx ends.
func (s *vulnStream) acquire(ctx context.Context, n int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for s.inflight > 0 && s.inflight+n > s.maxInFlight {
		if err := ctx.Err(); err != nil {
			return err
		}
		s.cond.Wait()
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	s.inflight += n
	return nil
}

func (s *vulnStream) enqueue(a *vulnAck) {
	s.mu.Lock()
	s.queue = append(s.queue, a)
	s.mu.Unlock()
}

// published counts n events of a as handed to the pipeline.
func (s *vulnStream) published(a *vulnAck, n int) {
	s.mu.Lock()
	a.pending += n
	s.mu.Unlock()
}

// seal marks a unit completely published with its commit (nil: nothing to
// persist, e.g. an interrupted sync).
func (s *vulnStream) seal(a *vulnAck, commit func(*vulnState)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a.sealed = true
	a.commit = commit
	s.commitLocked()
}

func (s *vulnStream) commitLocked() {
	n := 0
	changed := false
	for n < len(s.queue) && s.queue[n].sealed && s.queue[n].pending <= 0 {
		if c := s.queue[n].commit; c != nil {
			c(&s.state)
			changed = true
		}
		n++
	}
	if n == 0 {
		return
	}
	s.queue = append(s.queue[:0], s.queue[n:]...)
	if changed {
		if err := s.store.Set(s.key, s.state); err != nil {
			s.log.Errorw("Cannot persist the vulnerability stream's state.", "error", err)
		}
	}
}

func (s *vulnStream) snapshot() vulnState {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state
}

// publish hands a batch to the pipeline once max_in_flight allows it
// (and blocks on a full queue). It reports false when ctx ended first.
func (s *vulnStream) publish(ctx context.Context, a *vulnAck, batch []beat.Event) bool {
	if len(batch) == 0 {
		return true
	}
	if err := s.acquire(ctx, len(batch)); err != nil {
		return false
	}
	s.published(a, len(batch))
	s.client.PublishAll(batch)
	return true
}

// publishError publishes one collection error document (§9.1) and logs
// the same text.
func (s *vulnStream) publishError(err error) {
	s.m.errors.Inc()
	s.log.Errorw("Vulnerability collection failed.", "error", err)
	e := mapstr.M{"message": []string{err.Error()}}
	var he *httpError
	if errors.As(err, &he) {
		e["code"] = strconv.Itoa(he.status)
		e["id"] = he.line
	}
	s.client.Publish(beat.Event{Timestamp: s.now().UTC(), Fields: mapstr.M{"error": e}})
}

// run schedules full syncs and delta polls until ctx ends.
func (s *vulnStream) run(ctx context.Context) {
	stop := context.AfterFunc(ctx, func() {
		s.mu.Lock()
		s.cond.Broadcast()
		s.mu.Unlock()
	})
	defer stop()
	st := s.snapshot()
	nextFull := s.now()
	if t, err := time.Parse(time.RFC3339Nano, st.FullSyncStarted); err == nil && st.LastFullExport != "" {
		nextFull = t.Add(s.cfg.Interval)
	}
	nextDelta := s.now().Add(s.cfg.Vuln.Delta.Interval)
	for {
		now := s.now()
		due := nextFull
		delta := false
		if s.cfg.Vuln.deltaEnabled() && nextDelta.Before(nextFull) {
			due, delta = nextDelta, true
		}
		if err := sleepCtx(ctx, due.Sub(now)); err != nil {
			return
		}
		if !delta {
			s.fullSync(ctx)
			if ctx.Err() != nil {
				return
			}
			nextFull = s.now().Add(s.cfg.Interval)
			nextDelta = s.now().Add(s.cfg.Vuln.Delta.Interval)
			continue
		}
		needFull := s.delta(ctx)
		if ctx.Err() != nil {
			return
		}
		nextDelta = s.now().Add(s.cfg.Vuln.Delta.Interval)
		if needFull {
			nextFull = s.now()
		}
	}
}
