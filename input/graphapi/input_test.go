package graphapi

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/elastic/beats/v7/libbeat/beat"
	"github.com/valyala/fastjson"

	"github.com/m365beat/m365beat/input"
	"github.com/m365beat/m365beat/internal/graphtest"
	"github.com/m365beat/m365beat/internal/inputtest"
)

func TestRegistered(t *testing.T) {
	if _, ok := input.Lookup(Type); !ok {
		t.Fatalf("input type %q not registered", Type)
	}
}

// 5,000 alerts over 20 pages, with throttling, server errors, an expired
// token, a slow answer and an alert updated while the poll runs: every
// alert version is published exactly once.
func TestCollectWithFaults(t *testing.T) {
	srv := graphtest.New(graphtest.Options{})
	defer srv.Close()
	now := time.Now().UTC()
	alerts := srv.Generate(5000, now.Add(-20*time.Hour), now.Add(-time.Hour))
	moved := alerts[300] // read on page 2, updated while page 6 is served
	srv.OnPage(func(_ *http.Request, page int) {
		if page == 6 {
			srv.Update(moved.ID, time.Now())
		}
	})
	srv.Inject(graphtest.Fault{Path: "alerts_v2", Status: 429, RetryAfter: "1", Skip: 2})
	srv.Inject(graphtest.Fault{Path: "alerts_v2", Status: 503, RetryAfter: time.Now().Add(-time.Second).UTC().Format(http.TimeFormat)})
	srv.Inject(graphtest.Fault{Path: "alerts_v2", Status: 500, Times: 3})
	srv.Inject(graphtest.Fault{Path: "alerts_v2", Status: 502})
	srv.Inject(graphtest.Fault{Path: "alerts_v2", Status: 401, Skip: 3})
	srv.Inject(graphtest.Fault{Path: "alerts_v2", Delay: 300 * time.Millisecond})
	srv.Inject(graphtest.Fault{Path: "alerts_v2", Status: 206})

	in := newTestInput(t, fakeConfig(srv, map[string]any{"resource": "alerts", "batch_size": 250, "interval": "50ms"}))
	p := &inputtest.Pipeline{AutoACK: true}
	r := start(t, in, p, inputtest.NewStore())

	want := map[graphtest.Key]bool{}
	for _, a := range srv.Alerts() {
		want[a.Key()] = true
	}
	waitFor(t, "all alert versions", 30*time.Second, func() bool { return len(p.Events()) >= len(want)+1 })
	waitFor(t, "two complete polls", 10*time.Second, func() bool { return r.metric("alerts.polls_total") >= 2 })
	r.stop(t)

	got := countKeys(t, p.Events())
	for k, n := range got {
		if n != 1 {
			t.Errorf("%v published %d times", k, n)
		}
	}
	for k := range want {
		if got[k] != 1 {
			t.Errorf("missing %v", k)
		}
	}
	if len(got) != len(want)+1 { // + the version of `moved` read before its update
		t.Errorf("got %d versions, want %d", len(got), len(want)+1)
	}
	if srv.PendingFaults() != 0 {
		t.Errorf("%d injected faults not consumed", srv.PendingFaults())
	}
	if w := r.metric("alerts.throttled_wait_ms_total"); w < 1000 {
		t.Errorf("throttled_wait_ms_total = %d, want >= 1000 (Retry-After: 1 honoured)", w)
	}
	for _, m := range []string{"alerts.throttled_total", "alerts.retries_total", "alerts.rescans_total",
		"alerts.partial_responses_total", "alerts.errors_by_status.500", "alerts.errors_by_status.401"} {
		if r.metric(m) <= 0 {
			t.Errorf("%s = %d, want > 0", m, r.metric(m))
		}
	}
	if r.metric("alerts.events_acked_total") != int64(len(p.Events())) {
		t.Errorf("acked %d of %d", r.metric("alerts.events_acked_total"), len(p.Events()))
	}
	if st := srv.Stats(); st.PreferUnknown == 0 {
		t.Error("Prefer: include-unknown-enum-members not sent")
	}
}

// A hard stop while a page is published but not acknowledged, then a
// restart on the same store: nothing is missing and only that page is
// published again.
func TestRestartAfterHardStop(t *testing.T) {
	srv := graphtest.New(graphtest.Options{})
	defer srv.Close()
	now := time.Now().UTC()
	srv.Generate(5000, now.Add(-20*time.Hour), now.Add(-time.Hour))
	cfg := fakeConfig(srv, map[string]any{"resource": "alerts", "batch_size": 250, "interval": "1h"})
	store := inputtest.NewStore()

	p1 := &inputtest.Pipeline{}
	var once sync.Once
	stopped := make(chan struct{})
	var r1 atomic.Pointer[running]
	var unacked []beat.Event
	srv.OnPage(func(_ *http.Request, page int) {
		switch {
		case page <= 11:
			p1.ACK(p1.Unacked()) // pages 1..page-1 acknowledged
		case page == 12:
			once.Do(func() {
				for r1.Load() == nil {
					time.Sleep(time.Millisecond)
				}
				r1.Load().cancel() // page 11 stays unacknowledged
				close(stopped)
			})
		}
	})
	r1.Store(start(t, newTestInput(t, cfg), p1, store))
	<-stopped
	r1.Load().stop(t)
	// Page 12 may still be published if its answer raced the stop; it is
	// unacknowledged like page 11.
	first := p1.Events()
	unacked = first[len(first)-p1.Unacked():]
	if acked := len(first) - len(unacked); acked != 10*250 || len(unacked) != 250 && len(unacked) != 500 {
		t.Fatalf("first run published %d events, %d unacknowledged; want 2500 acknowledged and 250 or 500 not", len(first), len(unacked))
	}

	srv.OnPage(nil)
	p2 := &inputtest.Pipeline{AutoACK: true}
	r2 := start(t, newTestInput(t, cfg), p2, store)
	waitFor(t, "second run to complete a poll", 30*time.Second, func() bool { return r2.metric("alerts.polls_total") >= 1 })
	r2.stop(t)

	inUnacked := countKeys(t, unacked)
	seen := countKeys(t, first)
	dups := 0
	for k, n := range countKeys(t, p2.Events()) {
		if n != 1 {
			t.Errorf("%v published %d times in the second run", k, n)
		}
		if seen[k] > 0 {
			dups++
			if inUnacked[k] == 0 {
				t.Errorf("%v was acknowledged in the first run and published again", k)
			}
		}
		seen[k]++
	}
	for _, a := range srv.Alerts() {
		if seen[a.Key()] == 0 {
			t.Errorf("missing %v", a.Key())
		}
	}
	t.Logf("first run %d events (%d unacknowledged), second run %d events, %d duplicates", len(first), len(unacked), len(p2.Events()), dups)
}

// An update that arrives late (its lastUpdateDateTime already behind the
// cursor, inside the overlap window) is collected; unchanged alerts in the
// window are not published again.
func TestLateUpdateInsideOverlap(t *testing.T) {
	srv := graphtest.New(graphtest.Options{})
	defer srv.Close()
	now := time.Now().UTC()
	alerts := srv.Generate(100, now.Add(-50*time.Minute), now.Add(-time.Minute))
	in := newTestInput(t, fakeConfig(srv, map[string]any{"resource": "alerts", "interval": "20ms"}))
	p := &inputtest.Pipeline{AutoACK: true}
	r := start(t, in, p, inputtest.NewStore())
	waitFor(t, "first poll", 10*time.Second, func() bool { return r.metric("alerts.polls_total") >= 1 })
	if n := len(p.Events()); n != 100 {
		t.Fatalf("first poll published %d, want 100", n)
	}
	last := alerts[99].LastUpdate
	late := alerts[10]
	srv.Update(late.ID, last.Add(-2*time.Minute)) // behind the cursor, inside overlap 5m
	polls := r.metric("alerts.polls_total")
	waitFor(t, "two more polls", 10*time.Second, func() bool { return r.metric("alerts.polls_total") >= polls+2 })
	r.stop(t)

	evs := p.Events()
	if len(evs) != 101 {
		t.Fatalf("published %d events, want 101 (100 + the late update)", len(evs))
	}
	got := alertKey(t, evs[100])
	want := graphtest.Key{ID: late.ID, LastUpdate: last.Add(-2 * time.Minute).Format(graphtest.TimeLayout)}
	if got != want {
		t.Errorf("last event %v, want the late update %v", got, want)
	}
	if r.metric("alerts.items_skipped_total") == 0 {
		t.Error("no unchanged alert inside the overlap window was skipped")
	}
}

// A 500 on incidents with $expand=alerts falls back to listing incidents
// and fetching each incident's alerts: every alert is delivered, one
// message per alert.
func TestIncidentExpandFallback(t *testing.T) {
	srv := graphtest.New(graphtest.Options{})
	defer srv.Close()
	now := time.Now().UTC()
	srv.Generate(120, now.Add(-3*time.Hour), now.Add(-time.Hour))
	srv.Inject(graphtest.Fault{Path: "incidents", OnlyExpand: true, Status: 500, Skip: 1})
	in := newTestInput(t, fakeConfig(srv, map[string]any{"resource": "incidents", "batch_size": 10, "interval": "1h"}))
	p := &inputtest.Pipeline{AutoACK: true}
	r := start(t, in, p, inputtest.NewStore())
	waitFor(t, "one poll", 20*time.Second, func() bool { return r.metric("incidents.polls_total") >= 1 })
	r.stop(t)

	incidents := srv.Incidents()
	wantAlerts := map[string]string{}
	for k, ids := range incidents {
		for _, id := range ids {
			wantAlerts[id] = k.ID
		}
	}
	got := map[string]int{}
	for _, e := range p.Events() {
		v, err := fastjson.Parse(e.Fields["message"].(string))
		if err != nil {
			t.Fatal(err)
		}
		a := v.Get("alerts")
		if a == nil || a.Type() != fastjson.TypeObject {
			t.Fatalf("message without a single alert object: %.200s", e.Fields["message"])
		}
		id := string(a.GetStringBytes("id"))
		if inc := string(v.GetStringBytes("id")); wantAlerts[id] != inc {
			t.Errorf("alert %s delivered with incident %s, want %s", id, inc, wantAlerts[id])
		}
		got[id]++
	}
	for id := range wantAlerts {
		if got[id] != 1 {
			t.Errorf("alert %s delivered %d times", id, got[id])
		}
	}
	if len(got) != 120 {
		t.Errorf("delivered %d alerts, want 120", len(got))
	}
	if r.metric("incidents.expand_fallbacks_total") != 1 {
		t.Errorf("expand_fallbacks_total = %d, want 1", r.metric("incidents.expand_fallbacks_total"))
	}
}

// Certificate credentials: the fake checks the client assertion's
// signature, x5t, audience, issuer, subject and lifetime.
func TestCertificateCredential(t *testing.T) {
	certPath, keyPath, cert := certFiles(t)
	srv := graphtest.New(graphtest.Options{Certificate: cert})
	defer srv.Close()
	now := time.Now().UTC()
	srv.Generate(10, now.Add(-time.Hour), now)
	cfg := fakeConfig(srv, map[string]any{"resource": "alerts", "interval": "1h"})
	delete(cfg, "client_secret")
	cfg["certificate"], cfg["private_key"] = certPath, keyPath
	p := &inputtest.Pipeline{AutoACK: true}
	r := start(t, newTestInput(t, cfg), p, inputtest.NewStore())
	p.WaitEvents(t, 10, 10*time.Second)
	r.stop(t)
	if st := srv.Stats(); st.Assertions < 1 || st.Statuses[401] != 0 {
		t.Errorf("assertions accepted %d, 401 answers %d", st.Assertions, st.Statuses[401])
	}

	// A certificate the application does not know is rejected.
	otherCert, otherKey, _ := certFiles(t)
	cfg["certificate"], cfg["private_key"] = otherCert, otherKey
	var checks []string
	err := newTestInput(t, cfg).Test(t.Context(), func(check string, err error) {
		checks = append(checks, check+": "+errString(err))
	})
	if err == nil || !strings.Contains(strings.Join(checks, "\n"), "certificate credential was rejected") {
		t.Errorf("unknown certificate: err %v, checks %q", err, checks)
	}
}

func errString(err error) string {
	if err == nil {
		return "ok"
	}
	return err.Error()
}

// 403 (permission missing) is logged with the permission name and retried
// at the poll interval until the permission is granted.
func TestForbiddenKeepsRetrying(t *testing.T) {
	srv := graphtest.New(graphtest.Options{})
	defer srv.Close()
	now := time.Now().UTC()
	srv.Generate(20, now.Add(-time.Hour), now)
	srv.Deny("alerts_v2", true)
	in := newTestInput(t, fakeConfig(srv, map[string]any{"resource": "alerts", "interval": "20ms"}))
	p := &inputtest.Pipeline{AutoACK: true}
	r := start(t, in, p, inputtest.NewStore())
	waitFor(t, "several denied polls", 10*time.Second, func() bool { return r.metric("alerts.errors_by_status.403") >= 3 })
	srv.Deny("alerts_v2", false)
	p.WaitEvents(t, 20, 10*time.Second)
	r.stop(t)
}

type streamRecorder struct {
	inputtest.Pipeline
	mu      sync.Mutex
	streams []input.Stream
}

func (r *streamRecorder) Connect(s input.Stream, onACK func([]any)) (input.Client, error) {
	r.mu.Lock()
	r.streams = append(r.streams, s)
	r.mu.Unlock()
	return r.Pipeline.Connect(s, onACK)
}

// One input carries both streams: one client each, with the data stream,
// processor and processor options of its stream.
func TestStreamsConnected(t *testing.T) {
	srv := graphtest.New(graphtest.Options{})
	defer srv.Close()
	cfg := fakeConfig(srv,
		map[string]any{"resource": "alerts", "interval": "1h", "preserve_original_event": true},
		map[string]any{"resource": "incidents", "interval": "1h", "data_stream.dataset": "m365_defender.incident_tenant2",
			"processors": []map[string]any{{"add_tags": map[string]any{"tags": []string{"x"}}}}})
	cfg["data_stream.namespace"] = "prod"
	rec := &streamRecorder{}
	r := start(t, newTestInput(t, cfg), rec, inputtest.NewStore())
	waitFor(t, "both streams to poll", 10*time.Second, func() bool {
		return r.metric("alerts.polls_total") >= 1 && r.metric("incidents.polls_total") >= 1
	})
	r.stop(t)
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.streams) != 2 {
		t.Fatalf("%d clients, want 2", len(rec.streams))
	}
	a, i := rec.streams[0], rec.streams[1]
	if a.Dataset != "m365_defender.alert" || a.Processor != "m365_defender_alert" || a.Namespace != "prod" {
		t.Errorf("alerts stream %+v", a)
	}
	if ok, _ := a.Options.Bool("preserve_original_event", -1); !ok {
		t.Error("preserve_original_event not passed to the processor")
	}
	if i.Dataset != "m365_defender.incident_tenant2" || i.Processor != "m365_defender_incident" || len(i.Processors) != 1 {
		t.Errorf("incidents stream %+v", i)
	}
}

// When the fallback cannot list alerts (SecurityAlert.Read.All missing),
// incidents are still published, without their alerts, and the poll goes on.
func TestIncidentFallbackWithoutAlertPermission(t *testing.T) {
	srv := graphtest.New(graphtest.Options{})
	defer srv.Close()
	now := time.Now().UTC()
	srv.Generate(30, now.Add(-3*time.Hour), now.Add(-time.Hour))
	srv.Inject(graphtest.Fault{Path: "incidents", OnlyExpand: true, Status: 500})
	srv.Deny("alerts_v2", true)
	in := newTestInput(t, fakeConfig(srv, map[string]any{"resource": "incidents", "interval": "1h"}))
	p := &inputtest.Pipeline{AutoACK: true}
	r := start(t, in, p, inputtest.NewStore())
	waitFor(t, "one poll", 10*time.Second, func() bool { return r.metric("incidents.polls_total") >= 1 })
	r.stop(t)
	if got, want := len(p.Events()), len(srv.Incidents()); got != want {
		t.Errorf("published %d, want one per incident (%d)", got, want)
	}
}

// include_alerts: false lists incidents without $expand: one message per
// incident, without alerts.
func TestIncidentsWithoutAlerts(t *testing.T) {
	srv := graphtest.New(graphtest.Options{})
	defer srv.Close()
	now := time.Now().UTC()
	srv.Generate(30, now.Add(-3*time.Hour), now.Add(-time.Hour))
	var expanded atomic.Int32
	srv.OnPage(func(r *http.Request, _ int) {
		if r.URL.Query().Get("$expand") != "" {
			expanded.Add(1)
		}
	})
	in := newTestInput(t, fakeConfig(srv, map[string]any{"resource": "incidents", "include_alerts": false, "interval": "1h"}))
	p := &inputtest.Pipeline{AutoACK: true}
	r := start(t, in, p, inputtest.NewStore())
	waitFor(t, "one poll", 10*time.Second, func() bool { return r.metric("incidents.polls_total") >= 1 })
	r.stop(t)
	if got, want := len(p.Events()), len(srv.Incidents()); got != want || expanded.Load() != 0 {
		t.Errorf("published %d (want %d), %d requests with $expand", got, want, expanded.Load())
	}
	for _, e := range p.Events() {
		if strings.Contains(e.Fields["message"].(string), `"alerts"`) {
			t.Fatalf("incident with alerts: %.200s", e.Fields["message"])
		}
	}
}

// blockingPipeline's Publish blocks until the client is closed, like a
// full queue in front of an unreachable output.
type blockingPipeline struct{}

type blockingClient struct {
	once   sync.Once
	closed chan struct{}
}

func (blockingPipeline) Connect(input.Stream, func([]any)) (input.Client, error) {
	return &blockingClient{closed: make(chan struct{})}, nil
}
func (c *blockingClient) Publish(beat.Event)      { <-c.closed }
func (c *blockingClient) PublishAll([]beat.Event) { <-c.closed }
func (c *blockingClient) Close() error {
	c.once.Do(func() { close(c.closed) })
	return nil
}

// Stopping while Publish waits for queue space returns promptly and does
// not move the cursor.
func TestStopWhilePublishBlocked(t *testing.T) {
	srv := graphtest.New(graphtest.Options{})
	defer srv.Close()
	srv.Generate(10, time.Now().Add(-time.Hour), time.Now())
	store := inputtest.NewStore()
	in := newTestInput(t, fakeConfig(srv, map[string]any{"resource": "alerts"}))
	r := start(t, in, blockingPipeline{}, store)
	waitFor(t, "a page", 10*time.Second, func() bool { return r.metric("alerts.pages_total") >= 1 })
	r.stop(t)
	if n := r.metric("alerts.events_acked_total"); n != 0 {
		t.Errorf("acked %d", n)
	}
	// The state may hold the floor to re-read from (written when a pass
	// starts), never a cursor that moved without acknowledgements.
	var st persisted
	if err := store.Get(in.stateKey(in.cfg.Streams[0]), &st); err == nil && st.Cursor != "" {
		t.Errorf("cursor %s written without acknowledgements", st.Cursor)
	}
}

type pair struct{ incident, alert string }

func incidentPairs(t *testing.T, evs []beat.Event) map[pair]int {
	out := map[pair]int{}
	for _, e := range evs {
		v, err := fastjson.Parse(e.Fields["message"].(string))
		if err != nil {
			t.Fatal(err)
		}
		out[pair{string(v.GetStringBytes("id")), string(v.GetStringBytes("alerts", "id"))}]++
	}
	return out
}

// The incidents stream survives a hard stop the same way: every alert of
// every incident is delivered, and only the unacknowledged tail twice.
func TestIncidentsRestartAfterHardStop(t *testing.T) {
	srv := graphtest.New(graphtest.Options{})
	defer srv.Close()
	now := time.Now().UTC()
	srv.Generate(300, now.Add(-20*time.Hour), now.Add(-time.Hour))
	cfg := fakeConfig(srv, map[string]any{"resource": "incidents", "batch_size": 10, "interval": "1h"})
	store := inputtest.NewStore()
	p1 := &inputtest.Pipeline{}
	var r1 atomic.Pointer[running]
	stopped := make(chan struct{})
	var once sync.Once
	srv.OnPage(func(_ *http.Request, page int) {
		switch {
		case page <= 4:
			p1.ACK(p1.Unacked())
		case page == 6:
			once.Do(func() {
				for r1.Load() == nil {
					time.Sleep(time.Millisecond)
				}
				r1.Load().cancel()
				close(stopped)
			})
		}
	})
	r1.Store(start(t, newTestInput(t, cfg), p1, store))
	<-stopped
	r1.Load().stop(t)
	first := p1.Events()
	unacked := incidentPairs(t, first[len(first)-p1.Unacked():])
	if len(unacked) == 0 {
		t.Fatal("nothing left unacknowledged")
	}

	srv.OnPage(nil)
	p2 := &inputtest.Pipeline{AutoACK: true}
	r2 := start(t, newTestInput(t, cfg), p2, store)
	waitFor(t, "second run to complete a poll", 20*time.Second, func() bool { return r2.metric("incidents.polls_total") >= 1 })
	r2.stop(t)

	seen := incidentPairs(t, first)
	for k, n := range incidentPairs(t, p2.Events()) {
		if n != 1 {
			t.Errorf("%v published %d times in the second run", k, n)
		}
		if seen[k] > 0 && unacked[k] == 0 {
			t.Errorf("%v was acknowledged in the first run and published again", k)
		}
		seen[k] += n
	}
	for k, alerts := range srv.Incidents() {
		for _, a := range alerts {
			if seen[pair{k.ID, a}] == 0 {
				t.Errorf("missing alert %s of incident %s", a, k.ID)
			}
		}
	}
}

// A live tenant (new alerts and updates while polls page through it): each
// version is published at most once and the final version of every alert
// is collected.
func TestLiveTenant(t *testing.T) {
	srv := graphtest.New(graphtest.Options{})
	defer srv.Close()
	now := time.Now().UTC()
	srv.Generate(2000, now.Add(-2*time.Hour), now.Add(-time.Second))
	in := newTestInput(t, fakeConfig(srv, map[string]any{"resource": "alerts", "batch_size": 50, "interval": "30ms"}))
	p := &inputtest.Pipeline{AutoACK: true}
	r := start(t, in, p, inputtest.NewStore())
	ctx, cancel := context.WithTimeout(t.Context(), 1500*time.Millisecond)
	srv.Simulate(ctx, 10*time.Millisecond, 3, 5)
	cancel()
	polls := r.metric("alerts.polls_total")
	waitFor(t, "two polls after the activity", 20*time.Second, func() bool { return r.metric("alerts.polls_total") >= polls+2 })
	r.stop(t)

	got := countKeys(t, p.Events())
	for k, n := range got {
		if n != 1 {
			t.Errorf("%v published %d times", k, n)
		}
	}
	for _, a := range srv.Alerts() {
		if got[a.Key()] == 0 {
			t.Errorf("final version %v not collected", a.Key())
		}
	}
	t.Logf("%d alerts, %d versions published, %d rescans", len(srv.Alerts()), len(got), r.metric("alerts.rescans_total"))
}
