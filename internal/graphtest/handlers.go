package graphtest

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Fault is an injected misbehaviour. The first pending fault matching a
// request applies to it.
type Fault struct {
	// Path is "token", "alerts_v2", "incidents" (the list endpoints) or
	// "incident_alerts" (/security/incidents/{id}/alerts); empty matches
	// every Graph request (not the token endpoint).
	Path string
	// OnlyExpand restricts an incidents fault to requests with
	// $expand=alerts.
	OnlyExpand bool
	// Status is the HTTP status to answer (429, 500, 503, 401, 403, ...);
	// 0 serves the request normally after Delay. 206 serves the page with
	// status 206 (partial content).
	Status int
	// RetryAfter is the Retry-After header value ("2" or an HTTP date).
	RetryAfter string
	// Delay is slept before answering (a slow response).
	Delay time.Duration
	// Skip lets this many matching requests pass before the fault applies.
	Skip int
	// Times is how many requests the fault applies to (default 1).
	Times int
}

// Inject queues a fault.
func (s *Server) Inject(f Fault) {
	if f.Times == 0 {
		f.Times = 1
	}
	s.mu.Lock()
	s.faults = append(s.faults, &f)
	s.mu.Unlock()
}

// PendingFaults is the number of fault applications not yet consumed.
func (s *Server) PendingFaults() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, f := range s.faults {
		n += f.Times
	}
	return n
}

// takeFault returns the fault to apply to a request on path, if any.
// Called with s.mu held.
func (s *Server) takeFault(path string, expand bool) *Fault {
	for i, f := range s.faults {
		if f.Path != "" && f.Path != path || f.Path == "" && path == "token" {
			continue
		}
		if f.OnlyExpand && !expand {
			continue
		}
		if f.Skip > 0 {
			f.Skip--
			return nil
		}
		f.Times--
		if f.Times == 0 {
			s.faults = append(s.faults[:i], s.faults[i+1:]...)
		}
		c := *f
		return &c
	}
	return nil
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	switch {
	case strings.HasSuffix(p, "/oauth2/v2.0/token"):
		s.serveToken(w, r)
	case p == "/v1.0/security/alerts_v2":
		s.serveGraph(w, r, "alerts_v2", "")
	case p == "/v1.0/security/incidents":
		s.serveGraph(w, r, "incidents", "")
	case strings.HasPrefix(p, "/v1.0/security/incidents/") && strings.HasSuffix(p, "/alerts"):
		id := strings.TrimSuffix(strings.TrimPrefix(p, "/v1.0/security/incidents/"), "/alerts")
		s.serveGraph(w, r, "incident_alerts", id)
	default:
		s.count(p, http.StatusNotFound)
		graphError(w, http.StatusNotFound, "ResourceNotFound", "Resource not found for the segment '"+p+"'.")
	}
}

func (s *Server) count(path string, status int) {
	s.mu.Lock()
	s.stats.Requests[path]++
	s.stats.Statuses[status]++
	s.mu.Unlock()
}

func graphError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"error":{"code":%q,"message":%q,"innerError":{"date":%q,"request-id":"00000000-0000-0000-0000-000000000000"}}}`,
		code, msg, time.Now().UTC().Format(time.RFC3339))
}

func sleep(r *http.Request, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.Context().Done():
	}
}

var permissions = map[string]string{
	"alerts_v2":       "SecurityAlert.Read.All",
	"incidents":       "SecurityIncident.Read.All",
	"incident_alerts": "SecurityIncident.Read.All",
}

func (s *Server) serveGraph(w http.ResponseWriter, r *http.Request, path, incidentID string) {
	q := r.URL.Query()
	expand := q.Get("$expand") == "alerts"

	s.mu.Lock()
	auth := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	exp, okTok := s.tokens[auth]
	if strings.Contains(r.Header.Get("Prefer"), "include-unknown-enum-members") {
		s.stats.PreferUnknown++
	}
	f := s.takeFault(path, expand)
	denied := s.denied[path]
	s.mu.Unlock()

	if !okTok || time.Now().After(exp) {
		s.count(path, 401)
		w.Header().Set("WWW-Authenticate", `Bearer realm="", error="invalid_token"`)
		graphError(w, 401, "InvalidAuthenticationToken", "Access token has expired or is not yet valid.")
		return
	}
	if f != nil {
		sleep(r, f.Delay)
		switch {
		case f.Status == 401:
			s.count(path, 401)
			s.mu.Lock()
			delete(s.tokens, auth)
			s.mu.Unlock()
			graphError(w, 401, "InvalidAuthenticationToken", "Access token has expired or is not yet valid.")
			return
		case f.Status == 403:
			denied = true
		case f.Status >= 400:
			s.count(path, f.Status)
			if f.RetryAfter != "" {
				w.Header().Set("Retry-After", f.RetryAfter)
			}
			code := "InternalServerError"
			switch f.Status {
			case 429:
				code = "TooManyRequests"
			case 503:
				code = "ServiceUnavailable"
			}
			graphError(w, f.Status, code, "Injected fault.")
			return
		}
	}
	if denied {
		s.count(path, 403)
		graphError(w, 403, "Forbidden", "Missing application roles. API required roles: "+permissions[path]+". Application roles: .")
		return
	}
	status := http.StatusOK
	if f != nil && f.Status == http.StatusPartialContent {
		status = http.StatusPartialContent
	}

	if path != "incident_alerts" {
		s.mu.Lock()
		s.pageCount[path]++
		n := s.pageCount[path]
		hook := s.hook
		s.mu.Unlock()
		if hook != nil {
			hook(r, n)
		}
	}

	body, err := s.list(r, path, incidentID, q)
	if err != nil {
		s.count(path, 400)
		graphError(w, 400, "BadRequest", err.Error())
		return
	}
	s.count(path, status)
	w.Header().Set("Content-Type", "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

type filter struct {
	since      time.Time
	strict     bool
	hasSince   bool
	incidentID string
}

func parseFilter(f string) (filter, error) {
	var out filter
	if strings.TrimSpace(f) == "" {
		return out, nil
	}
	for _, term := range splitAnd(f) {
		parts := strings.Fields(term)
		if len(parts) != 3 {
			return out, fmt.Errorf("Invalid filter clause: %q", term)
		}
		switch {
		case parts[0] == "lastUpdateDateTime" && (parts[1] == "ge" || parts[1] == "gt"):
			t, err := time.Parse(time.RFC3339Nano, parts[2])
			if err != nil {
				return out, fmt.Errorf("Invalid DateTimeOffset literal %q", parts[2])
			}
			out.since, out.strict, out.hasSince = t, parts[1] == "gt", true
		case parts[0] == "incidentId" && parts[1] == "eq":
			out.incidentID = strings.Trim(parts[2], "'")
		default:
			return out, fmt.Errorf("Unsupported filter clause: %q", term)
		}
	}
	return out, nil
}

func splitAnd(f string) []string {
	var out []string
	for {
		i := strings.Index(strings.ToLower(f), " and ")
		if i < 0 {
			return append(out, f)
		}
		out = append(out, f[:i])
		f = f[i+5:]
	}
}

func (fl filter) matches(t time.Time) bool {
	if !fl.hasSince {
		return true
	}
	if fl.strict {
		return t.After(fl.since)
	}
	return !t.Before(fl.since)
}

func (s *Server) list(r *http.Request, path, incidentID string, q url.Values) ([]byte, error) {
	fl, err := parseFilter(q.Get("$filter"))
	if err != nil {
		return nil, err
	}
	if ob := q.Get("$orderby"); ob != "" && ob != "lastUpdateDateTime asc" && ob != "lastUpdateDateTime" {
		return nil, fmt.Errorf("Unsupported $orderby %q", ob)
	}
	maxTop := s.opts.MaxAlertsTop
	if path == "incidents" {
		maxTop = s.opts.MaxIncidentsTop
	}
	top := s.opts.DefaultTop
	if v := q.Get("$top"); v != "" {
		top, err = strconv.Atoi(v)
		if err != nil || top < 1 {
			return nil, fmt.Errorf("Invalid $top %q", v)
		}
	}
	if top > maxTop {
		top = maxTop
	}
	skip := 0
	if v := q.Get("$skip"); v != "" {
		skip, err = strconv.Atoi(v)
		if err != nil || skip < 0 {
			return nil, fmt.Errorf("Invalid $skip %q", v)
		}
	}
	unknown := strings.Contains(r.Header.Get("Prefer"), "include-unknown-enum-members")

	s.mu.Lock()
	defer s.mu.Unlock()
	body := make([]byte, 0, min(top, 2000)*5000+1024)
	body = append(body, `{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#security/`...)
	if path == "incidents" {
		body = append(body, `incidents`...)
	} else {
		body = append(body, `alerts_v2`...)
	}
	body = append(body, `"`...)

	body = append(body, `,"value":[`...)
	n := 0
	total := 0
	switch path {
	case "alerts_v2", "incident_alerts":
		if path == "incident_alerts" {
			fl.incidentID = incidentID
		}
		for _, a := range s.sortedAlerts() {
			if !fl.matches(a.LastUpdate) || fl.incidentID != "" && itoa(a.Incident) != fl.incidentID {
				continue
			}
			if total >= skip && total < skip+top {
				if n > 0 {
					body = append(body, ',')
				}
				n++
				body = s.renderAlert(body, a, false, unknown)
			}
			total++
		}
	case "incidents":
		expand := q.Get("$expand") == "alerts"
		for _, in := range s.sortedIncidents() {
			if !fl.matches(in.LastUpdate) {
				continue
			}
			if total >= skip && total < skip+top {
				if n > 0 {
					body = append(body, ',')
				}
				n++
				body = s.renderIncident(body, in, expand, unknown)
			}
			total++
		}
	}
	body = append(body, ']')
	// Graph writes @odata.nextLink before or after value; the fake writes
	// it last, which clients must handle too.
	if path != "incident_alerts" && skip+top < total {
		nq := url.Values{}
		for k, v := range q {
			nq[k] = v
		}
		nq.Set("$skip", itoa(skip+top))
		nq.Set("$top", itoa(top))
		next := s.URL + r.URL.Path + "?" + nq.Encode()
		body = append(body, `,"@odata.nextLink":`...)
		body = strconv.AppendQuote(body, next)
	}
	return append(body, '}'), nil
}
