package estest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

func do(t *testing.T, s *Server, method, path, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, s.URL+path, strings.NewReader(body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return resp.StatusCode, m
}

// The fake enforces what Elasticsearch enforces for m365beat's setup and
// bulk requests.
func TestIndexManagementRules(t *testing.T) {
	s := NewServer()
	defer s.Close()
	if st, _ := do(t, s, "PUT", "/_data_stream/logs-a.b-default", ""); st != 400 {
		t.Errorf("data stream without template: %d", st)
	}
	if st, _ := do(t, s, "PUT", "/_index_template/t1", `{"priority":200}`); st != 400 {
		t.Errorf("template without index_patterns: %d", st)
	}
	if st, _ := do(t, s, "PUT", "/_index_template/t1", `{"index_patterns":["logs-a.b-*"],"priority":200,"data_stream":{}}`); st != 200 {
		t.Fatalf("template: %d", st)
	}
	if st, _ := do(t, s, "PUT", "/_index_template/t2", `{"index_patterns":["logs-*"],"priority":200}`); st != 400 {
		t.Errorf("overlapping template with the same priority: %d", st)
	}
	if st, _ := do(t, s, "HEAD", "/_index_template/t1", ""); st != 200 {
		t.Errorf("HEAD: %d", st)
	}
	if st, m := do(t, s, "GET", "/_index_template/t1", ""); st != 200 || len(m["index_templates"].([]any)) != 1 {
		t.Errorf("GET template: %d %v", st, m)
	}
	if st, _ := do(t, s, "PUT", "/_data_stream/logs-a.b-default", ""); st != 200 {
		t.Fatalf("data stream: %d", st)
	}
	if st, m := do(t, s, "GET", "/_data_stream/logs-a.b-default", ""); st != 200 || !strings.Contains(toJSON(m), `"template":"t1"`) {
		t.Errorf("GET data stream: %d %v", st, m)
	}
	if st, _ := do(t, s, "PUT", "/_ilm/policy/p", `{"policy":{}}`); st != 400 {
		t.Errorf("policy without phases: %d", st)
	}
	if st, _ := do(t, s, "PUT", "/_ilm/policy/p", `{"policy":{"phases":{"hot":{}}}}`); st != 200 {
		t.Errorf("policy: %d", st)
	}
	// Bulk: index op into a data stream is refused, create accepted once.
	var bulk bytes.Buffer
	bulk.WriteString(`{"index":{"_index":"logs-a.b-default","_id":"1"}}` + "\n{}\n")
	bulk.WriteString(`{"create":{"_index":"logs-a.b-default","_id":"1"}}` + "\n{}\n")
	bulk.WriteString(`{"create":{"_index":"logs-a.b-default","_id":"1"}}` + "\n{}\n")
	_, m := do(t, s, "POST", "/_bulk", bulk.String())
	items := m["items"].([]any)
	var statuses []float64
	for _, it := range items {
		for _, v := range it.(map[string]any) {
			statuses = append(statuses, v.(map[string]any)["status"].(float64))
		}
	}
	if len(statuses) != 3 || statuses[0] != 400 || statuses[1] != 201 || statuses[2] != 409 || s.Duplicates() != 1 {
		t.Errorf("bulk statuses %v, duplicates %d", statuses, s.Duplicates())
	}
	if calls := s.Calls(); len(calls) == 0 || calls[1].Method != "PUT" || string(calls[1].Body) != `{"priority":200}` {
		t.Errorf("calls not recorded with bodies: %+v", calls[:2])
	}
}

func toJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
