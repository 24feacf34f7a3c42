package graphapi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/elastic/beats/v7/libbeat/beat"
	"github.com/elastic/elastic-agent-libs/logp"
	"github.com/elastic/elastic-agent-libs/mapstr"
	"github.com/valyala/fastjson"

	"github.com/m365beat/m365beat/input"
)

// maxPasses bounds how often one poll re-reads its window because items
// moved while paging.
const maxPasses = 3

// stream polls one Graph resource of one tenant and publishes its items.
type stream struct {
	cfg     streamConfig
	g       *graph
	base    string // Graph base URL
	overlap time.Duration
	lookbk  time.Duration
	dedupN  int
	log     *logp.Logger
	m       *metrics
	client  input.Client
	store   input.Store
	key     string
	now     func() time.Time

	parser fastjson.Parser
	buf    bytes.Buffer // page body, reused
	msg    []byte       // message scratch, reused

	// published holds versions published in this run (acknowledged or
	// not) at or above the current poll's floor; only the poll goroutine
	// touches it.
	published seenSet

	mu      sync.Mutex
	queue   []*page   // pages published, in order, not yet committed
	cursor  time.Time // committed cursor
	rescan  time.Time // committed rescan floor
	acked   seenSet   // acknowledged versions in the overlap window
	saveErr error
}

// page is the ACK state of one published page: every event of the page
// carries a pointer to it as Private.
type page struct {
	pending     int
	sealed      bool
	maxTs       time.Time
	keys        []seenEntry
	clearRescan bool
}

type seenEntry struct {
	k uint64
	t int64
}

// load reads the stream's persisted state.
func (s *stream) load() error {
	s.published = seenSet{}
	s.acked = seenSet{}
	ok, err := s.store.Has(s.key)
	if err != nil || !ok {
		return err
	}
	var p persisted
	if err := s.store.Get(s.key, &p); err != nil {
		return err
	}
	if p.Cursor != "" {
		if s.cursor, err = parseTime([]byte(p.Cursor)); err != nil {
			return err
		}
	}
	if p.Rescan != "" {
		if s.rescan, err = parseTime([]byte(p.Rescan)); err != nil {
			return err
		}
	}
	seen, err := decodeSeen(p.Seen)
	if err != nil {
		return err
	}
	s.acked = seen
	for k, t := range seen {
		s.published[k] = t
	}
	return nil
}

// saveLocked persists the committed state. Called with s.mu held.
func (s *stream) saveLocked() {
	p := persisted{Seen: s.acked.encode()}
	if !s.cursor.IsZero() {
		p.Cursor = formatTime(s.cursor)
	}
	if !s.rescan.IsZero() {
		p.Rescan = formatTime(s.rescan)
	}
	if err := s.store.Set(s.key, p); err != nil {
		if s.saveErr == nil || s.saveErr.Error() != err.Error() {
			s.log.Errorw("Cannot persist the stream cursor; it will be retried on the next acknowledgement.", "error", err)
		}
		s.saveErr = err
		return
	}
	s.saveErr = nil
}

// onACK is the Connector's acknowledgement callback.
func (s *stream) onACK(privates []any) {
	s.m.acked.Add(int64(len(privates)))
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range privates {
		if pg, ok := p.(*page); ok {
			pg.pending--
		}
	}
	s.commitLocked()
}

// enqueue registers a page before its events are published.
func (s *stream) enqueue(pg *page) {
	s.mu.Lock()
	s.queue = append(s.queue, pg)
	s.mu.Unlock()
}

// seal marks a page completely published and commits what can be.
func (s *stream) seal(pg *page) {
	s.mu.Lock()
	defer s.mu.Unlock()
	pg.sealed = true
	s.commitLocked()
}

// commitLocked advances the cursor over the leading fully acknowledged
// pages and persists it.
func (s *stream) commitLocked() {
	n := 0
	for n < len(s.queue) && s.queue[n].sealed && s.queue[n].pending <= 0 {
		pg := s.queue[n]
		if pg.maxTs.After(s.cursor) {
			s.cursor = pg.maxTs
		}
		for _, e := range pg.keys {
			s.acked[e.k] = e.t
		}
		if pg.clearRescan {
			s.rescan = time.Time{}
		}
		n++
	}
	if n == 0 {
		return
	}
	s.queue = append(s.queue[:0], s.queue[n:]...)
	// Keep what a re-read from the rescan floor would meet again, so it is
	// not published twice.
	keep := s.cursor.Add(-s.overlap)
	if !s.rescan.IsZero() && s.rescan.Before(keep) {
		keep = s.rescan
	}
	s.acked.prune(keep, s.dedupN)
	s.m.cursorLag.Set(int64(s.now().Sub(s.cursor) / time.Second))
	s.saveLocked()
}

// floor is the lower bound of the next poll's $filter.
func (s *stream) floor() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	var f time.Time
	if s.cursor.IsZero() {
		f = s.now().Add(-s.lookbk)
	} else {
		f = s.cursor.Add(-s.overlap)
		s.m.cursorLag.Set(int64(s.now().Sub(s.cursor) / time.Second))
	}
	if !s.rescan.IsZero() && s.rescan.Before(f) {
		f = s.rescan
	}
	return f
}

func (s *stream) setRescan(t time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.rescan.IsZero() || t.Before(s.rescan) {
		s.rescan = t
	}
	s.saveLocked()
}

func (s *stream) rescanPending() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return !s.rescan.IsZero()
}

// run polls until ctx ends. No error stops it.
func (s *stream) run(ctx context.Context) {
	for {
		err := s.poll(ctx)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			s.m.pollErrors.Inc()
			s.logPollError(err)
		} else {
			s.m.polls.Inc()
		}
		if sleepCtx(ctx, s.cfg.Interval) != nil {
			return
		}
	}
}

func (s *stream) logPollError(err error) {
	var se *statusError
	var te *tokenError
	switch {
	case errors.As(err, &se) && se.status == 403:
		s.log.Errorw(fmt.Sprintf("Graph denied access to %s (HTTP 403): the application lacks the %s application permission, or admin consent was not granted. Grant it in Entra ID > App registrations > API permissions; retrying every %s.",
			s.cfg.Resource, permission(s.cfg.Resource), s.cfg.Interval), "error", err)
	case errors.As(err, &se) && se.status == 401:
		s.log.Errorw("Graph rejected a freshly issued token (HTTP 401): check that graph_url/cloud match the tenant's cloud.", "error", err)
	case errors.As(err, &te):
		s.log.Errorw("Cannot get an access token; check tenant_id, client_id, the credentials and the cloud/login_url.", "error", err)
	default:
		s.log.Errorw("Poll failed; retrying at the next interval.", "error", err)
	}
}

func permission(resource string) string {
	if resource == resourceIncidents {
		return "SecurityIncident.Read.All"
	}
	return "SecurityAlert.Read.All"
}

// poll reads everything updated since the floor, page by page.
func (s *stream) poll(ctx context.Context) error {
	for pass := 1; ; pass++ {
		floor := s.floor()
		s.published.prune(floor, s.dedupN)
		// Until a whole pass has been read without items moving and is
		// acknowledged, the next poll starts from this floor again: a pass
		// cut short (error, stop, crash) cannot tell whether an update
		// shifted an item across a page boundary while the cursor moved
		// past it, so it must be read again, not trusted.
		s.setRescan(floor)
		moved, err := s.pass(ctx, floor)
		if err != nil {
			return err
		}
		if !moved {
			// Clear the rescan floor once everything read in this clean
			// pass is acknowledged.
			pg := &page{clearRescan: true}
			s.enqueue(pg)
			s.seal(pg)
			return nil
		}
		// An item already read in this pass came back with a newer
		// lastUpdateDateTime: with offset paging, the items after its old
		// position shifted and one may have been skipped. Read again.
		s.m.rescans.Inc()
		if pass >= maxPasses {
			s.log.Infow("Items keep changing while paging; the next poll reads again from the same point.", "from", formatTime(floor))
			return nil
		}
		s.log.Debugw("Items changed while paging; reading the window again.", "from", formatTime(floor))
	}
}

// listURL is the first page's URL.
func (s *stream) listURL(floor time.Time, expand bool) string {
	path := "/v1.0/security/alerts_v2"
	params := []string{
		"$filter", "lastUpdateDateTime ge " + formatTime(floor),
		"$orderby", "lastUpdateDateTime asc",
		"$top", strconv.Itoa(s.cfg.BatchSize),
	}
	if s.cfg.Resource == resourceIncidents {
		path = "/v1.0/security/incidents"
		if expand {
			params = append(params, "$expand", "alerts")
		}
	}
	return s.base + path + "?" + odataQuery(params...)
}

// odataQuery builds a query string from key, value pairs the way Graph's
// documentation writes them: system query options keep their literal "$"
// and spaces are %20.
func odataQuery(kv ...string) string {
	var b strings.Builder
	for i := 0; i+1 < len(kv); i += 2 {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(kv[i])
		b.WriteByte('=')
		b.WriteString(strings.ReplaceAll(url.QueryEscape(kv[i+1]), "+", "%20"))
	}
	return b.String()
}

// withoutExpand removes $expand from a list URL (a nextLink included),
// leaving the rest of it as the service wrote it.
func withoutExpand(u string) string {
	base, query, ok := strings.Cut(u, "?")
	if !ok {
		return u
	}
	var kept []string
	for _, part := range strings.Split(query, "&") {
		key, _, _ := strings.Cut(part, "=")
		if k, err := url.QueryUnescape(key); err == nil && k == "$expand" {
			continue
		}
		kept = append(kept, part)
	}
	return base + "?" + strings.Join(kept, "&")
}

// pass pages through one window. It reports whether an item moved while
// paging.
func (s *stream) pass(ctx context.Context, floor time.Time) (bool, error) {
	expand := s.cfg.Resource == resourceIncidents && s.cfg.includeAlerts()
	fallback := false
	u := s.listURL(floor, expand)
	ids := map[uint64]struct{}{}
	moved := false
	for u != "" {
		body, err := s.g.get(ctx, u, s.m, getOpts{expandFallback: expand && !fallback, buf: &s.buf})
		var ee *expandError
		if errors.As(err, &ee) {
			s.m.fallbacks.Inc()
			s.log.Warnw("Listing incidents with $expand=alerts failed; listing them without and fetching each incident's alerts.", "status", ee.status)
			fallback = true
			u = withoutExpand(u)
			continue
		}
		if err == nil {
			err = ctx.Err() // stopped while the answer arrived: publish nothing more
		}
		if err != nil {
			return moved, err
		}
		s.m.pages.Inc()
		next, mv, err := s.publishPage(ctx, body, ids, fallback)
		if err != nil {
			return moved, err
		}
		moved = moved || mv
		u = next
	}
	return moved, nil
}

// item is the identity of one list element.
type item struct {
	id, lastUpdate []byte
}

// publishPage publishes the new items of one page and returns the
// nextLink.
func (s *stream) publishPage(ctx context.Context, body []byte, ids map[uint64]struct{}, fetchAlerts bool) (string, bool, error) {
	next, err := nextLink(body, &s.parser)
	if err != nil {
		return "", false, fmt.Errorf("cannot decode Graph response: %w", err)
	}

	pg := &page{}
	events := make([]beat.Event, 0, s.cfg.BatchSize)
	moved := false
	now := s.now()
	err = splitList(body, func(raw []byte) error {
		it, err := s.identify(raw)
		if err != nil {
			// Published as is: the processor reports the bad record on
			// the event; it cannot be de-duplicated.
			s.log.Warnw("Graph returned an item that is not valid JSON; publishing it as is.", "error", err)
		}
		var ts time.Time
		if len(it.lastUpdate) > 0 {
			t, err := parseTime(it.lastUpdate)
			if err != nil {
				s.log.Warnw("Item with an invalid lastUpdateDateTime; publishing it without de-duplication.", "id", string(it.id), "error", err)
			} else {
				ts = t
			}
		}
		if len(it.id) > 0 {
			ik := idKey(it.id)
			if _, again := ids[ik]; again {
				moved = true
			}
			ids[ik] = struct{}{}
		}
		if !ts.IsZero() && len(it.id) > 0 {
			k := versionKey(it.id, it.lastUpdate)
			if _, dup := s.published[k]; dup {
				s.m.skipped.Inc()
				return nil
			}
			s.published[k] = ts.UnixMilli()
			pg.keys = append(pg.keys, seenEntry{k, ts.UnixMilli()})
			if ts.After(pg.maxTs) {
				pg.maxTs = ts
			}
		}
		emit := func(msg []byte) error {
			events = append(events, beat.Event{
				Timestamp: now,
				Fields:    mapstr.M{"message": string(msg)},
				Private:   pg,
			})
			return nil
		}
		if s.cfg.Resource != resourceIncidents {
			msg, err := alertMessage(s.msg[:0], raw)
			if err != nil {
				s.log.Warnw("Cannot normalise alert; publishing it as received.", "id", string(it.id), "error", err)
				return emit(raw)
			}
			s.msg = msg
			return emit(msg)
		}
		if fetchAlerts && len(it.id) > 0 && err == nil {
			full, err := s.withAlerts(ctx, raw, it.id)
			var se *statusError
			switch {
			case errors.As(err, &se) && se.status == 403:
				s.log.Errorw("Cannot fetch the alerts of an incident: listing alerts needs the SecurityAlert.Read.All application permission. Publishing the incident without its alerts.",
					"incident_id", string(it.id), "error", err)
			case err != nil:
				return err
			default:
				raw = full
			}
		}
		n := len(events)
		if err := splitIncident(raw, emit); err != nil {
			events = events[:n] // drop a partial split, publish the record whole
			s.log.Warnw("Cannot split incident; publishing it whole.", "id", string(it.id), "error", err)
			return emit(raw)
		}
		return nil
	})
	if err != nil {
		// Nothing of this page was published: forget its versions so a
		// retry publishes them.
		for _, e := range pg.keys {
			delete(s.published, e.k)
		}
		return "", moved, err
	}
	pg.pending = len(events)
	s.enqueue(pg)
	if len(events) > 0 {
		s.client.PublishAll(events)
		s.m.published.Add(int64(len(events)))
	}
	s.seal(pg)
	return next, moved, nil
}

// identify reads an item's id and lastUpdateDateTime (copies).
func (s *stream) identify(raw []byte) (item, error) {
	v, err := s.parser.ParseBytes(raw)
	if err != nil {
		return item{}, fmt.Errorf("cannot decode item: %w", err)
	}
	return item{
		id:         append([]byte(nil), v.GetStringBytes("id")...),
		lastUpdate: append([]byte(nil), v.GetStringBytes("lastUpdateDateTime")...),
	}, nil
}

// nextLink returns the @odata.nextLink of a list response ("" on the last
// page).
func nextLink(body []byte, p *fastjson.Parser) (string, error) {
	raw, ok, err := member(body, "@odata.nextLink")
	if err != nil || !ok {
		return "", err
	}
	v, err := p.ParseBytes(raw)
	if err != nil {
		return "", err
	}
	if v.Type() == fastjson.TypeNull {
		return "", nil
	}
	b, err := v.StringBytes()
	if err != nil {
		return "", errors.New("@odata.nextLink is not a string")
	}
	return string(b), nil
}

// withAlerts returns the incident with its alerts fetched from alerts_v2
// (the fallback when $expand=alerts fails).
func (s *stream) withAlerts(ctx context.Context, incident, id []byte) ([]byte, error) {
	u := s.base + "/v1.0/security/alerts_v2?" + odataQuery(
		"$filter", "incidentId eq '"+strings.ReplaceAll(string(id), "'", "''")+"'",
		"$top", strconv.Itoa(maxAlertsTop))
	var alerts []byte
	n := 0
	var p fastjson.Parser
	for u != "" {
		body, err := s.g.get(ctx, u, s.m, getOpts{})
		if err != nil {
			return nil, fmt.Errorf("fetching the alerts of incident %s: %w", id, err)
		}
		v, err := p.ParseBytes(body)
		if err != nil {
			return nil, fmt.Errorf("fetching the alerts of incident %s: %w", id, err)
		}
		u = string(v.GetStringBytes("@odata.nextLink"))
		err = splitList(body, func(a []byte) error {
			if n > 0 {
				alerts = append(alerts, ',')
			}
			n++
			if !strings.Contains(string(a[:min(len(a), 64)]), `"@odata.type"`) && len(a) > 1 && a[0] == '{' {
				alerts = append(alerts, `{"@odata.type":"#microsoft.graph.security.alert"`...)
				if len(a) > 2 {
					alerts = append(alerts, ',')
				}
				alerts = append(alerts, a[1:]...)
				return nil
			}
			alerts = append(alerts, a...)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return spliceAlerts(incident, alerts)
}

// spliceAlerts sets the incident object's "alerts" to the JSON array of
// the comma-separated alert objects.
func spliceAlerts(incident, alerts []byte) ([]byte, error) {
	v, err := fastjson.ParseBytes(incident)
	if err != nil {
		return nil, err
	}
	obj, err := v.Object()
	if err != nil {
		return nil, errors.New("incident is not a JSON object")
	}
	arr, err := fastjson.ParseBytes(append(append([]byte{'['}, alerts...), ']'))
	if err != nil {
		return nil, err
	}
	obj.Set("alerts", arr)
	return v.MarshalTo(nil), nil
}
