package graphtest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func seedGet(t *testing.T, s *Server, path string) map[string]any {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {s.opts.ClientID},
		"client_secret": {s.opts.ClientSecret}, "scope": {s.URL + "/.default"}}
	resp, err := http.PostForm(s.TokenURL(), form)
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	req, _ := http.NewRequest(http.MethodGet, s.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", path, resp.StatusCode, b)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("GET %s: %v: %s", path, err, b)
	}
	return out
}

// Seeded alert documents are served as they are, by alerts_v2 and (typed)
// under their incident with $expand=alerts; both lists filter on the
// items' lastUpdateDateTime.
func TestSeededDocumentsServedVerbatim(t *testing.T) {
	s := New(Options{})
	defer s.Close()
	at := time.Date(2026, 1, 2, 10, 0, 0, 0, time.UTC)
	if _, err := s.AddIncident(77, at.Add(-time.Hour), at, "active", "high"); err != nil {
		t.Fatal(err)
	}
	for _, a := range []string{
		`{"id":"da1","incidentId":"77","title":"One","lastUpdateDateTime":"2026-01-02T09:00:00Z","evidence":[]}`,
		`{"id":"da2","incidentId":"77","title":"Two","lastUpdateDateTime":"2026-01-02T09:30:00Z"}`,
		`{"id":"da3","incidentId":"","title":"Alone","lastUpdateDateTime":"2026-01-01T09:30:00Z"}`,
	} {
		if _, err := s.AddAlertJSON([]byte(a)); err != nil {
			t.Fatal(err)
		}
	}
	alerts := seedGet(t, s, "/v1.0/security/alerts_v2?$orderby=lastUpdateDateTime+asc")["value"].([]any)
	if len(alerts) != 3 || alerts[0].(map[string]any)["title"] != "Alone" || alerts[1].(map[string]any)["evidence"] == nil {
		t.Fatalf("alerts %v", alerts)
	}
	if _, typed := alerts[0].(map[string]any)["@odata.type"]; typed {
		t.Fatalf("alerts_v2 items carry no @odata.type: %v", alerts[0])
	}
	incs := seedGet(t, s, "/v1.0/security/incidents?$expand=alerts&$filter="+url.QueryEscape("lastUpdateDateTime ge 2026-01-02T00:00:00Z"))["value"].([]any)
	if len(incs) != 1 {
		t.Fatalf("incidents %v", incs)
	}
	inc := incs[0].(map[string]any)
	if inc["id"] != "77" || inc["status"] != "active" || inc["severity"] != "high" || inc["lastUpdateDateTime"] != "2026-01-02T10:00:00.0000000Z" {
		t.Fatalf("incident %v", inc)
	}
	ia := inc["alerts"].([]any)
	if len(ia) != 2 || ia[0].(map[string]any)["@odata.type"] != "#microsoft.graph.security.alert" || ia[1].(map[string]any)["title"] != "Two" {
		t.Fatalf("incident alerts %v", ia)
	}
	if _, ok := seedGet(t, s, "/v1.0/security/incidents")["value"].([]any)[0].(map[string]any)["alerts"]; ok {
		t.Fatal("alerts without $expand")
	}
	if _, err := s.AddIncident(77, at, at, "active", "low"); err == nil || !strings.HasPrefix(err.Error(), "graphtest: ") {
		t.Errorf("duplicate incident: %v", err)
	}
	for _, bad := range []string{`[]`, `{}`, `{"id":"da1","lastUpdateDateTime":"2026-01-01T00:00:00Z"}`, `{"id":"da9"}`} {
		if _, err := s.AddAlertJSON([]byte(bad)); err == nil {
			t.Errorf("AddAlertJSON(%s) accepted", bad)
		}
	}
}
