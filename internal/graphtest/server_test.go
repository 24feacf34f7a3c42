package graphtest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

func token(t *testing.T, s *Server) string {
	t.Helper()
	o := s.Options()
	resp, err := http.PostForm(s.TokenURL(), url.Values{
		"grant_type": {"client_credentials"}, "client_id": {o.ClientID},
		"client_secret": {o.ClientSecret}, "scope": {s.GraphURL() + "/.default"},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}
	if resp.StatusCode != 200 || json.NewDecoder(resp.Body).Decode(&v) != nil || v.AccessToken == "" || v.ExpiresIn != 3600 {
		t.Fatalf("token: HTTP %d %+v", resp.StatusCode, v)
	}
	return v.AccessToken
}

type listPage struct {
	Next  string            `json:"@odata.nextLink"`
	Value []json.RawMessage `json:"value"`
}

func get(t *testing.T, tok, u string, hdr ...string) (int, listPage, http.Header) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var p listPage
	if resp.StatusCode/100 == 2 {
		if err := json.Unmarshal(b, &p); err != nil {
			t.Fatalf("invalid JSON page: %v", err)
		}
	}
	return resp.StatusCode, p, resp.Header
}

func q(base, path string, kv ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return base + path + "?" + v.Encode()
}

func TestPagingFilterAndOrder(t *testing.T) {
	s := New(Options{})
	defer s.Close()
	now := time.Now().UTC().Truncate(time.Second)
	alerts := s.Generate(250, now.Add(-250*time.Minute), now)
	tok := token(t, s)
	since := alerts[50].LastUpdate.Format(TimeLayout)
	u := q(s.GraphURL(), "/v1.0/security/alerts_v2", "$filter", "lastUpdateDateTime ge "+since, "$orderby", "lastUpdateDateTime asc", "$top", "60")
	var ids []string
	var last string
	pages := 0
	for u != "" {
		st, p, _ := get(t, tok, u)
		if st != 200 {
			t.Fatalf("HTTP %d", st)
		}
		pages++
		for _, raw := range p.Value {
			var a struct{ ID, LastUpdateDateTime string }
			_ = json.Unmarshal(raw, &a)
			if a.LastUpdateDateTime < last {
				t.Fatalf("not ordered by lastUpdateDateTime")
			}
			last = a.LastUpdateDateTime
			ids = append(ids, a.ID)
		}
		u = p.Next
	}
	if len(ids) != 200 || pages != 4 || ids[0] != alerts[50].ID {
		t.Fatalf("got %d items in %d pages, first %s", len(ids), pages, ids[0])
	}
	// $top is capped at Graph's maximum.
	_, p, _ := get(t, tok, q(s.GraphURL(), "/v1.0/security/alerts_v2", "$top", "5000"))
	if len(p.Value) != 250 {
		t.Errorf("$top=5000 gave %d", len(p.Value))
	}
	st, _, _ := get(t, tok, q(s.GraphURL(), "/v1.0/security/alerts_v2", "$filter", "severity eq 'high'"))
	if st != 400 {
		t.Errorf("unsupported filter: HTTP %d", st)
	}
}

func TestIncidentsExpandAndAlertsOfIncident(t *testing.T) {
	s := New(Options{})
	defer s.Close()
	now := time.Now().UTC()
	s.Generate(40, now.Add(-time.Hour), now)
	tok := token(t, s)
	_, p, _ := get(t, tok, q(s.GraphURL(), "/v1.0/security/incidents", "$expand", "alerts", "$top", "500"))
	if len(p.Value) == 0 || len(p.Value) > 50 {
		t.Fatalf("%d incidents on a page (max 50)", len(p.Value))
	}
	total := 0
	for _, raw := range p.Value {
		var in struct {
			ID     string
			Alerts []struct{ ID, IncidentID string }
		}
		_ = json.Unmarshal(raw, &in)
		for _, a := range in.Alerts {
			if a.IncidentID != in.ID {
				t.Errorf("alert %s of incident %s says %s", a.ID, in.ID, a.IncidentID)
			}
		}
		total += len(in.Alerts)
		_, ap, _ := get(t, tok, q(s.GraphURL(), "/v1.0/security/alerts_v2", "$filter", "incidentId eq '"+in.ID+"'"))
		_, ip, _ := get(t, tok, s.GraphURL()+"/v1.0/security/incidents/"+in.ID+"/alerts")
		if len(ap.Value) != len(in.Alerts) || len(ip.Value) != len(in.Alerts) {
			t.Errorf("incident %s: %d expanded, %d by filter, %d by path", in.ID, len(in.Alerts), len(ap.Value), len(ip.Value))
		}
	}
	if total != 40 {
		t.Errorf("%d alerts expanded, want 40", total)
	}
	_, p, _ = get(t, tok, q(s.GraphURL(), "/v1.0/security/incidents"))
	if strings.Contains(string(p.Value[0]), `"alerts"`) {
		t.Error("alerts present without $expand")
	}
}

func TestFaultsAndAuth(t *testing.T) {
	s := New(Options{})
	defer s.Close()
	s.Generate(5, time.Now().Add(-time.Hour), time.Now())
	tok := token(t, s)
	u := q(s.GraphURL(), "/v1.0/security/alerts_v2")
	s.Inject(Fault{Path: "alerts_v2", Status: 429, RetryAfter: "3", Skip: 1})
	s.Inject(Fault{Path: "incidents", Status: 500})
	if st, _, _ := get(t, tok, u); st != 200 {
		t.Errorf("skipped fault applied: %d", st)
	}
	if st, _, h := get(t, tok, u); st != 429 || h.Get("Retry-After") != "3" {
		t.Errorf("429: %d %q", st, h.Get("Retry-After"))
	}
	if st, _, _ := get(t, tok, u); st != 200 {
		t.Errorf("fault not consumed: %d", st)
	}
	if s.PendingFaults() != 1 {
		t.Errorf("pending %d", s.PendingFaults())
	}
	s.Inject(Fault{Path: "alerts_v2", Delay: 150 * time.Millisecond})
	begin := time.Now()
	get(t, tok, u)
	if time.Since(begin) < 150*time.Millisecond {
		t.Error("slow response not slow")
	}
	s.Deny("alerts_v2", true)
	if st, _, _ := get(t, tok, u); st != 403 {
		t.Errorf("denied: %d", st)
	}
	s.Deny("alerts_v2", false)
	s.ExpireTokens()
	if st, _, h := get(t, tok, u); st != 401 || h.Get("WWW-Authenticate") == "" {
		t.Errorf("expired token: %d", st)
	}
	if st, _, _ := get(t, "", u); st != 401 {
		t.Errorf("no token: %d", st)
	}
	for name, form := range map[string]url.Values{
		"wrong secret": {"client_secret": {"nope"}},
		"wrong client": {"client_id": {"other"}},
		"wrong scope":  {"scope": {"https://graph.microsoft.us/.default"}},
	} {
		o := s.Options()
		f := url.Values{"grant_type": {"client_credentials"}, "client_id": {o.ClientID},
			"client_secret": {o.ClientSecret}, "scope": {s.GraphURL() + "/.default"}}
		for k, v := range form {
			f[k] = v
		}
		resp, err := http.PostForm(s.TokenURL(), f)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode/100 != 4 || !strings.Contains(string(b), "AADSTS") {
			t.Errorf("%s: HTTP %d %s", name, resp.StatusCode, b)
		}
	}
}

func TestUpdateAndUnknownEnums(t *testing.T) {
	s := New(Options{})
	defer s.Close()
	now := time.Now().UTC()
	a := s.Generate(10, now.Add(-time.Hour), now.Add(-time.Minute))
	if !s.Update(a[0].ID, now) || s.Update("nope", now) {
		t.Fatal("Update")
	}
	tok := token(t, s)
	_, p, _ := get(t, tok, q(s.GraphURL(), "/v1.0/security/alerts_v2"))
	var last struct{ ID, Status string }
	_ = json.Unmarshal(p.Value[len(p.Value)-1], &last)
	if last.ID != a[0].ID || last.Status == "new" {
		t.Errorf("updated alert not last / not changed: %+v", last)
	}
	body := strings.Join(rawStrings(p.Value), "")
	if !strings.Contains(body, "unknownFutureValue") || strings.Contains(body, "microsoftDataLossPrevention") {
		t.Error("evolvable enum members not hidden without Prefer")
	}
	_, p, _ = get(t, tok, q(s.GraphURL(), "/v1.0/security/alerts_v2"), "Prefer", "include-unknown-enum-members")
	if body := strings.Join(rawStrings(p.Value), ""); !strings.Contains(body, "microsoftDataLossPrevention") {
		t.Error("evolvable enum members hidden with Prefer")
	}
}

func rawStrings(v []json.RawMessage) []string {
	out := make([]string, len(v))
	for i, r := range v {
		out[i] = string(r)
	}
	return out
}

func keys(t *testing.T, raw []byte) []string {
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	var k []string
	for x := range m {
		k = append(k, x)
	}
	sort.Strings(k)
	return k
}

// Generated objects have the shape of real alerts_v2 / incidents objects
// (the keys of the shared fixtures).
func TestShapeMatchesFixtures(t *testing.T) {
	dir := "../../../shared/fixtures/elastic-m365-defender/"
	alertLine, err := os.ReadFile(dir + "alert/test-alert.log")
	if err != nil {
		t.Skipf("fixtures not available: %v", err)
	}
	s := New(Options{})
	defer s.Close()
	s.Generate(3, time.Now().Add(-time.Hour), time.Now())
	tok := token(t, s)
	_, p, _ := get(t, tok, q(s.GraphURL(), "/v1.0/security/alerts_v2"))
	want := keys(t, []byte(strings.SplitN(string(alertLine), "\n", 2)[0]))
	if got := keys(t, p.Value[0]); !slices.Equal(got, want) {
		t.Errorf("alert keys\n got %v\nwant %v", got, want)
	}
	incLine, err := os.ReadFile(dir + "incident/sample-incident.log")
	if err != nil {
		t.Skip(err)
	}
	_, p, _ = get(t, tok, q(s.GraphURL(), "/v1.0/security/incidents", "$expand", "alerts"))
	want = keys(t, []byte(strings.SplitN(string(incLine), "\n", 2)[0]))
	if got := keys(t, p.Value[0]); !slices.Equal(got, want) {
		t.Errorf("incident keys\n got %v\nwant %v", got, want)
	}
}

func TestNewAt(t *testing.T) {
	s, err := NewAt("127.0.0.1:0", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.Generate(3, time.Now().Add(-time.Hour), time.Now())
	_, p, _ := get(t, token(t, s), q(s.GraphURL(), "/v1.0/security/alerts_v2"))
	if len(p.Value) != 3 {
		t.Errorf("%d alerts", len(p.Value))
	}
	if _, err := NewAt("256.0.0.1:1", Options{}); err == nil {
		t.Error("bad address accepted")
	}
}

// Every generated document is valid JSON whatever the knobs.
func TestRenderedJSONValid(t *testing.T) {
	s := New(Options{})
	defer s.Close()
	for _, a := range s.Generate(50, time.Now().Add(-time.Hour), time.Now()) {
		for _, typ := range []bool{false, true} {
			b := s.renderAlert(nil, a, typ, typ)
			var m map[string]any
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatalf("alert %s: %v\n%s", a.ID, err, b)
			}
			if m["recommendedActions"] != "1. Review the device timeline.\n2. Contain the device if the activity is confirmed." {
				t.Fatalf("string escaping: %q", m["recommendedActions"])
			}
		}
	}
	s.mu.Lock()
	incs := append([]*Incident(nil), s.incidents...)
	s.mu.Unlock()
	for _, in := range incs {
		if !json.Valid(s.renderIncident(nil, in, true, false)) || !json.Valid(s.renderIncident(nil, in, false, false)) {
			t.Fatalf("incident %d: invalid JSON", in.ID)
		}
	}
	if got := string(appendString(nil, "a\"b\\c\x01\n")); got != `"a\"b\\c\u0001\n"` {
		t.Errorf("appendString: %s", got)
	}
}
