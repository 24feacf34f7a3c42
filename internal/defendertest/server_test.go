package defendertest

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func token(t *testing.T, s *Server) string {
	t.Helper()
	resp, err := http.PostForm(s.URL+"/"+TenantID+"/oauth2/v2.0/token", url.Values{
		"grant_type": {"client_credentials"}, "client_id": {ClientID}, "client_secret": {ClientSecret}, "scope": {"x/.default"}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&tok)
	if tok.AccessToken == "" {
		t.Fatalf("no token (HTTP %d)", resp.StatusCode)
	}
	return tok.AccessToken
}

func get(t *testing.T, u, tok string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// TestExportRoundTrip: the export lists one SAS URL per file; each serves
// its records as gzip NDJSON; an expired answer is Azure Storage's 403.
func TestExportRoundTrip(t *testing.T) {
	s := New()
	defer s.Close()
	s.Files = []File{{Records: []string{Record(0), Record(1)}}, {Generate: Generated(3, 1)[0].Generate}}
	s.ExpireAt = map[int]bool{3: true}
	tok := token(t, s)
	resp := get(t, s.URL+"/api/machines/SoftwareVulnerabilitiesExport?sasValidHours=2", tok)
	var exp struct {
		ExportFiles   []string `json:"exportFiles"`
		GeneratedTime string   `json:"generatedTime"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&exp)
	resp.Body.Close()
	if len(exp.ExportFiles) != 2 || exp.GeneratedTime == "" || !strings.Contains(exp.ExportFiles[0], "sig="+Signature) {
		t.Fatalf("export answer %+v", exp)
	}
	for i, want := range []int{2, 3} {
		resp := get(t, exp.ExportFiles[i], "")
		zr, err := gzip.NewReader(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		sc := bufio.NewScanner(zr)
		for sc.Scan() {
			if !json.Valid(sc.Bytes()) {
				t.Errorf("file %d line %d is not JSON", i, n)
			}
			n++
		}
		resp.Body.Close()
		if n != want {
			t.Errorf("file %d: %d records, want %d", i, n, want)
		}
	}
	resp = get(t, exp.ExportFiles[0], "")
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 403 || resp.Header.Get("x-ms-error-code") != "AuthenticationFailed" || !strings.Contains(string(body), "Signature not valid") {
		t.Errorf("third download: HTTP %d %s", resp.StatusCode, body)
	}
	if st := s.Stats(); st.Downloads != 3 || st.Exports != 1 || st.DownloadsWithAuth != 0 {
		t.Errorf("stats %+v", st)
	}
}

// TestDeltaPaging: changes of the period holding sinceTime and later come
// in pages linked by @odata.nextLink.
func TestDeltaPaging(t *testing.T) {
	s := New()
	defer s.Close()
	s.Changes = []string{Change(0, "New", "2025-10-06T01:00:00Z"), Change(1, "Fixed", "2025-10-06T13:00:00Z"),
		Change(2, "New", "2025-10-06T14:00:00Z"), Change(3, "Updated", "2025-10-07T00:00:00Z")}
	tok := token(t, s)
	u := s.URL + "/api/machines/SoftwareVulnerabilityChangesByMachine?sinceTime=2025-10-06T13:30:00Z&pageSize=2"
	var got []string
	for pages := 0; u != ""; pages++ {
		if pages > 5 {
			t.Fatal("nextLink loop")
		}
		resp := get(t, u, tok)
		var page struct {
			Value    []json.RawMessage `json:"value"`
			NextLink string            `json:"@odata.nextLink"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&page)
		resp.Body.Close()
		for _, v := range page.Value {
			got = append(got, string(v))
		}
		u = page.NextLink
	}
	if len(got) != 3 || got[0] != s.Changes[1] {
		t.Errorf("changes %v", got)
	}
	if resp := get(t, s.URL+"/api/machines/SoftwareVulnerabilityChangesByMachine", tok); resp.StatusCode != 400 {
		t.Errorf("without sinceTime: HTTP %d", resp.StatusCode)
	}
}
