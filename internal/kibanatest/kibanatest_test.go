package kibanatest

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
)

func post(t *testing.T, s *Server, ndjson string, xsrf bool) int {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	p, _ := w.CreateFormFile("file", "x.ndjson")
	_, _ = p.Write([]byte(ndjson))
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/api/saved_objects/_import?overwrite=true", &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	if xsrf {
		req.Header.Set("kbn-xsrf", "true")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestImportValidatesAndKeepsObjects(t *testing.T) {
	s := NewServer()
	defer s.Close()
	good := `{"type":"dashboard","id":"d1","attributes":{"title":"D","panelsJSON":"[]","optionsJSON":"{}","kibanaSavedObjectMeta":{"searchSourceJSON":"{}"}},"references":[{"type":"index-pattern","id":"x","name":"p1:l"}]}`
	if st := post(t, s, good, true); st != 200 {
		t.Fatalf("valid import: %d", st)
	}
	if _, ok := s.Objects()["dashboard/d1"]; !ok || s.Imports() != 1 {
		t.Fatal("object not kept")
	}
	for name, bad := range map[string]string{
		"panelsJSON object": strings.Replace(good, `"panelsJSON":"[]"`, `"panelsJSON":[]`, 1),
		"no title":          strings.Replace(good, `"title":"D",`, "", 1),
		"reference no name": strings.Replace(good, `,"name":"p1:l"`, "", 1),
		"not json":          "{",
	} {
		if st := post(t, s, bad, true); st != 400 {
			t.Errorf("%s: status %d", name, st)
		}
	}
	if st := post(t, s, good, false); st != 400 {
		t.Errorf("without kbn-xsrf: %d", st)
	}
	resp, err := http.Get(s.URL + "/api/status")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("status: %v", err)
	}
	resp.Body.Close()
}
