// Package estest is a small Elasticsearch fake for tests, in the spirit of
// net/http/httptest: it answers what libbeat's Elasticsearch output asks
// (GET /, GET /_license, POST /_bulk) and records every indexed document.
// Bulk items honour op_type create with _id (409 on a duplicate), and the
// fake can be told to fail requests with a status (e.g. 429 or 503).
package estest

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
)

// Doc is one document the fake accepted.
type Doc struct {
	Index  string
	ID     string
	OpType string
	Source map[string]any
}

// Server is a running fake.
type Server struct {
	*httptest.Server

	mu       sync.Mutex
	docs     []Doc
	ids      map[string]bool // index/_id
	fail     int
	requests []string

	calls      []Call
	duplicates int
	templates  map[string]map[string]any
	policies   map[string]map[string]any
	transforms map[string]json.RawMessage
	started    map[string]bool
	streams    map[string]string // data stream -> template
}

// NewServer starts a fake Elasticsearch 8.17.0 on a loopback port.
func NewServer() *Server {
	s := &Server{ids: map[string]bool{}, templates: map[string]map[string]any{},
		policies: map[string]map[string]any{}, streams: map[string]string{},
		transforms: map[string]json.RawMessage{}, started: map[string]bool{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.handle))
	return s
}

// FailWith makes every _bulk request answer status (0 = stop failing).
func (s *Server) FailWith(status int) {
	s.mu.Lock()
	s.fail = status
	s.mu.Unlock()
}

// Docs returns a copy of the accepted documents, in arrival order.
func (s *Server) Docs() []Doc {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Doc(nil), s.docs...)
}

// Requests returns "METHOD /path" of every request received.
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.requests...)
}

func (s *Server) handle(w http.ResponseWriter, r *http.Request) {
	var body []byte
	if !strings.HasSuffix(r.URL.Path, "/_bulk") {
		body = readBody(r)
	}
	s.mu.Lock()
	s.requests = append(s.requests, r.Method+" "+r.URL.Path)
	s.calls = append(s.calls, Call{Method: r.Method, Path: r.URL.Path, Body: body})
	fail := s.fail
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Elastic-Product", "Elasticsearch")
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/":
		_, _ = io.WriteString(w, `{"name":"estest","cluster_name":"estest","cluster_uuid":"estest-uuid","version":{"number":"8.17.0","build_flavor":"default"},"tagline":"You Know, for Search"}`)
	case r.Method == http.MethodGet && r.URL.Path == "/_license":
		_, _ = io.WriteString(w, `{"license":{"uid":"estest","type":"basic","status":"active"}}`)
	case strings.HasSuffix(r.URL.Path, "/_bulk"):
		if fail != 0 {
			w.WriteHeader(fail)
			_, _ = io.WriteString(w, `{"error":"injected failure"}`)
			return
		}
		s.bulk(w, r)
	case s.indexMgmt(w, r, body):
	default:
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, `{"error":"not handled by estest"}`)
	}
}

func (s *Server) bulk(w http.ResponseWriter, r *http.Request) {
	var body io.Reader = r.Body
	if r.Header.Get("Content-Encoding") == "gzip" {
		gz, err := gzip.NewReader(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		body = gz
	}
	sc := bufio.NewScanner(body)
	sc.Buffer(make([]byte, 0, 1<<20), 256<<20)
	type item map[string]map[string]any
	var items []item
	s.mu.Lock()
	defer s.mu.Unlock()
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var action map[string]struct {
			Index string `json:"_index"`
			ID    string `json:"_id"`
		}
		if err := json.Unmarshal(line, &action); err != nil || len(action) != 1 {
			http.Error(w, "bad action line", http.StatusBadRequest)
			return
		}
		if !sc.Scan() {
			http.Error(w, "action without document", http.StatusBadRequest)
			return
		}
		var src map[string]any
		if err := json.Unmarshal(sc.Bytes(), &src); err != nil {
			http.Error(w, "bad document: "+err.Error(), http.StatusBadRequest)
			return
		}
		for op, meta := range action {
			key := meta.Index + "/" + meta.ID
			if reason := s.dataStreamWrite(meta.Index, op); reason != "" {
				items = append(items, item{op: {"_index": meta.Index, "status": 400,
					"error": map[string]any{"type": "illegal_argument_exception", "reason": reason}}})
				continue
			}
			if op == "create" && meta.ID != "" && s.ids[key] {
				s.duplicates++
				items = append(items, item{op: {"_index": meta.Index, "_id": meta.ID, "status": 409,
					"error": map[string]any{"type": "version_conflict_engine_exception", "reason": "document already exists"}}})
				continue
			}
			if meta.ID != "" {
				s.ids[key] = true
			}
			s.docs = append(s.docs, Doc{Index: meta.Index, ID: meta.ID, OpType: op, Source: src})
			items = append(items, item{op: {"_index": meta.Index, "_id": meta.ID, "status": 201, "result": "created"}})
		}
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"took": 1, "errors": false, "items": items})
}
