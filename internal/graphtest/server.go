// Package graphtest is a fake of the Microsoft identity platform token
// endpoint and the Graph Security alerts_v2 and incidents APIs, in the
// spirit of net/http/httptest. It serves a generated data set, honours
// $filter, $orderby, $top, $skip, $expand and @odata.nextLink, and injects
// faults (throttling, server errors, expired tokens, missing permissions,
// slow responses, updates while a poll runs) on demand.
package graphtest

import (
	"crypto/x509"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"sync"
	"time"
)

// Options configure a Server. Zero values get defaults.
type Options struct {
	TenantID     string // default a fixed GUID
	ClientID     string // default a fixed GUID
	ClientSecret string // accepted secret; default "fake-secret"
	// Certificate, when set, makes the token endpoint accept client
	// assertions (RS256 JWT) signed by its key, with x5t of this cert.
	Certificate *x509.Certificate
	// TokenLifetime is expires_in of issued tokens (default 1h).
	TokenLifetime time.Duration
	// MaxAlertsTop / MaxIncidentsTop cap $top (defaults 2000 / 50, as Graph).
	MaxAlertsTop, MaxIncidentsTop int
	// DefaultTop is the page size without $top (default 100).
	DefaultTop int
	// Seed makes the generated data deterministic (default 1).
	Seed uint64
}

// Server is a running fake. All methods are safe for concurrent use.
type Server struct {
	*httptest.Server
	opts Options

	mu        sync.Mutex
	alerts    []*Alert
	byID      map[string]*Alert
	incidents []*Incident
	incByID   map[int]*Incident
	rnd       *rand.Rand
	seq       int
	nextInc   int

	tokens    map[string]time.Time
	tokenSeq  int
	faults    []*Fault
	denied    map[string]bool
	hook      func(r *http.Request, page int)
	pageCount map[string]int
	stats     Stats
}

// Stats counts what the fake served.
type Stats struct {
	TokenRequests int
	Requests      map[string]int // by path
	Statuses      map[int]int
	Assertions    int // valid client assertions accepted
	PreferUnknown int // requests with Prefer: include-unknown-enum-members
}

// New starts a fake with no data (see Generate) on a random local port.
func New(opts Options) *Server {
	s := newServer(opts)
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// NewAt starts a fake listening on addr (e.g. "127.0.0.1:8443"), for the
// demo command and manual runs.
func NewAt(addr string, opts Options) (*Server, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s := newServer(opts)
	s.Server = &httptest.Server{Listener: l, Config: &http.Server{Handler: http.HandlerFunc(s.serve)}}
	s.Server.Start()
	return s, nil
}

func newServer(opts Options) *Server {
	if opts.TenantID == "" {
		opts.TenantID = "3adb963c-8e61-48e8-a06d-6dbb0dacea39"
	}
	if opts.ClientID == "" {
		opts.ClientID = "0b8f3b0e-5d0c-4c6b-9d6e-2b1f0c1c1a11"
	}
	if opts.ClientSecret == "" {
		opts.ClientSecret = "fake-secret"
	}
	if opts.TokenLifetime == 0 {
		opts.TokenLifetime = time.Hour
	}
	if opts.MaxAlertsTop == 0 {
		opts.MaxAlertsTop = 2000
	}
	if opts.MaxIncidentsTop == 0 {
		opts.MaxIncidentsTop = 50
	}
	if opts.DefaultTop == 0 {
		opts.DefaultTop = 100
	}
	if opts.Seed == 0 {
		opts.Seed = 1
	}
	s := &Server{
		opts:      opts,
		byID:      map[string]*Alert{},
		incByID:   map[int]*Incident{},
		rnd:       rand.New(rand.NewPCG(opts.Seed, 42)),
		tokens:    map[string]time.Time{},
		denied:    map[string]bool{},
		pageCount: map[string]int{},
		nextInc:   1000,
		stats:     Stats{Requests: map[string]int{}, Statuses: map[int]int{}},
	}
	return s
}

// Options returns the effective options (with defaults).
func (s *Server) Options() Options { return s.opts }

// LoginURL is the value for the input's login_url.
func (s *Server) LoginURL() string { return s.URL }

// GraphURL is the value for the input's graph_url.
func (s *Server) GraphURL() string { return s.URL }

// TokenURL is the token endpoint of the fake's tenant.
func (s *Server) TokenURL() string { return s.URL + "/" + s.opts.TenantID + "/oauth2/v2.0/token" }

// Generate adds n alerts whose creation and update times are spread evenly
// over [from, to), grouped into incidents of one to five alerts. It returns
// the new alerts in time order.
func (s *Server) Generate(n int, from, to time.Time) []*Alert {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*Alert, 0, n)
	step := to.Sub(from) / time.Duration(max(n, 1))
	var inc *Incident
	left := 0
	for i := 0; i < n; i++ {
		t := from.Add(time.Duration(i) * step).UTC()
		if left == 0 {
			s.nextInc++
			inc = &Incident{ID: s.nextInc, Created: t, LastUpdate: t,
				Status: "active", Severity: severities[s.rnd.IntN(len(severities))]}
			s.incidents = append(s.incidents, inc)
			s.incByID[inc.ID] = inc
			left = 1 + s.rnd.IntN(5)
		}
		left--
		s.seq++
		a := &Alert{
			ID:       fmt.Sprintf("da%016x-%04x-4%03x-8%03x-%012x_1", s.rnd.Uint64(), s.seq&0xffff, s.seq&0xfff, s.rnd.UintN(0xfff), s.seq),
			Incident: inc.ID, Seq: s.seq, Created: t, LastUpdate: t,
			Status: "new", Severity: severities[s.rnd.IntN(len(severities))], Version: 1,
		}
		inc.Alerts = append(inc.Alerts, a)
		if t.After(inc.LastUpdate) {
			inc.LastUpdate = t
		}
		s.alerts = append(s.alerts, a)
		s.byID[a.ID] = a
		out = append(out, a)
	}
	return out
}

// Update changes an alert's status and sets its lastUpdateDateTime (and
// its incident's) to at, as an analyst's action would. It returns false
// for an unknown id.
func (s *Server) Update(id string, at time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.byID[id]
	if !ok {
		return false
	}
	a.LastUpdate = at.UTC()
	a.Version++
	a.Status = statuses[a.Version%len(statuses)]
	if inc := s.incByID[a.Incident]; inc != nil && a.LastUpdate.After(inc.LastUpdate) {
		inc.LastUpdate = a.LastUpdate
	}
	return true
}

// Alerts returns a snapshot of every alert version currently served.
func (s *Server) Alerts() []Alert {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Alert, len(s.alerts))
	for i, a := range s.alerts {
		out[i] = *a
	}
	return out
}

// Incidents returns the incidents' current version keys and alert ids.
func (s *Server) Incidents() map[Key][]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[Key][]string{}
	for _, in := range s.incidents {
		ids := make([]string, len(in.Alerts))
		for i, a := range in.Alerts {
			ids[i] = a.ID
		}
		out[in.Key()] = ids
	}
	return out
}

// Stats returns a copy of the counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.Requests = map[string]int{}
	for k, v := range s.stats.Requests {
		st.Requests[k] = v
	}
	st.Statuses = map[int]int{}
	for k, v := range s.stats.Statuses {
		st.Statuses[k] = v
	}
	return st
}

// OnPage installs a hook called (without the fake's lock) before every
// alerts_v2 or incidents list page is served; page counts from 1 per path.
// Use it to update alerts while a poll is running.
func (s *Server) OnPage(fn func(r *http.Request, page int)) {
	s.mu.Lock()
	s.hook = fn
	s.mu.Unlock()
}

// ExpireTokens invalidates every issued access token: the next Graph call
// with one gets 401 InvalidAuthenticationToken.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	s.tokens = map[string]time.Time{}
	s.mu.Unlock()
}

// Deny makes Graph answer 403 on resource ("alerts_v2" or "incidents") as
// when the application permission is not granted; Deny(r, false) undoes it.
func (s *Server) Deny(resource string, denied bool) {
	s.mu.Lock()
	s.denied[resource] = denied
	s.mu.Unlock()
}

func (s *Server) sortedAlerts() []*Alert {
	out := append([]*Alert(nil), s.alerts...)
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].LastUpdate.Equal(out[j].LastUpdate) {
			return out[i].LastUpdate.Before(out[j].LastUpdate)
		}
		return out[i].Seq < out[j].Seq
	})
	return out
}

func (s *Server) sortedIncidents() []*Incident {
	out := append([]*Incident(nil), s.incidents...)
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].LastUpdate.Equal(out[j].LastUpdate) {
			return out[i].LastUpdate.Before(out[j].LastUpdate)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

func itoa(i int) string { return strconv.Itoa(i) }
