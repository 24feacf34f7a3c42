// Package kibanatest is a small Kibana fake for tests, in the spirit of
// net/http/httptest: it answers GET /api/status (Kibana 8.17.0) and the
// saved objects import API libbeat's dashboard loader uses, validates each
// imported object the way Kibana's import would reject it (one JSON object
// per line with type, id and attributes; a dashboard's panelsJSON a JSON
// array string; references with type, id and name) and keeps the objects.
package kibanatest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
)

// Object is one imported saved object.
type Object struct {
	Type       string           `json:"type"`
	ID         string           `json:"id"`
	Attributes map[string]any   `json:"attributes"`
	References []map[string]any `json:"references"`
}

// Server is a running fake.
type Server struct {
	*httptest.Server

	mu      sync.Mutex
	objects map[string]Object // type/id
	imports int
}

// NewServer starts the fake on a loopback port.
func NewServer() *Server {
	s := &Server{objects: map[string]Object{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.handle))
	return s
}

// Objects returns the imported objects by "type/id".
func (s *Server) Objects() map[string]Object {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]Object, len(s.objects))
	for k, v := range s.objects {
		out[k] = v
	}
	return out
}

// Imports is the number of import requests that succeeded.
func (s *Server) Imports() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.imports
}

func (s *Server) handle(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/api/status":
		_, _ = io.WriteString(w, `{"name":"kibanatest","version":{"number":"8.17.0","build_snapshot":false},"status":{"overall":{"level":"available"}}}`)
	case r.Method == http.MethodPost && r.URL.Path == "/api/saved_objects/_import":
		s.importObjects(w, r)
	default:
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, `{"statusCode":404,"error":"Not Found","message":"not handled by kibanatest"}`)
	}
}

func fail(w http.ResponseWriter, msg string) {
	w.WriteHeader(http.StatusBadRequest)
	_ = json.NewEncoder(w).Encode(map[string]any{"statusCode": 400, "error": "Bad Request", "message": msg})
}

func (s *Server) importObjects(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("kbn-xsrf") == "" {
		fail(w, "Request must contain a kbn-xsrf header.")
		return
	}
	f, _, err := r.FormFile("file")
	if err != nil {
		fail(w, "file: "+err.Error())
		return
	}
	defer f.Close()
	var objs []Object
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<20), 64<<20)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var o Object
		if err := json.Unmarshal(line, &o); err != nil {
			fail(w, fmt.Sprintf("line %d: %v", n, err))
			return
		}
		if err := validate(o); err != nil {
			fail(w, fmt.Sprintf("line %d: %v", n, err))
			return
		}
		objs = append(objs, o)
	}
	s.mu.Lock()
	for _, o := range objs {
		s.objects[o.Type+"/"+o.ID] = o
	}
	s.imports++
	s.mu.Unlock()
	_ = json.NewEncoder(w).Encode(map[string]any{"success": true, "successCount": len(objs)})
}

func validate(o Object) error {
	if o.Type == "" || o.ID == "" || o.Attributes == nil {
		return fmt.Errorf("object needs type, id and attributes")
	}
	if t, _ := o.Attributes["title"].(string); t == "" {
		return fmt.Errorf("%s %s: no attributes.title", o.Type, o.ID)
	}
	for _, ref := range o.References {
		for _, k := range []string{"type", "id", "name"} {
			if v, _ := ref[k].(string); v == "" {
				return fmt.Errorf("%s %s: reference without %s", o.Type, o.ID, k)
			}
		}
	}
	if o.Type == "dashboard" {
		pj, ok := o.Attributes["panelsJSON"].(string)
		if !ok {
			return fmt.Errorf("dashboard %s: panelsJSON must be a string", o.ID)
		}
		var panels []map[string]any
		if err := json.Unmarshal([]byte(pj), &panels); err != nil {
			return fmt.Errorf("dashboard %s: panelsJSON: %v", o.ID, err)
		}
		if _, ok := o.Attributes["optionsJSON"].(string); !ok {
			return fmt.Errorf("dashboard %s: optionsJSON must be a string", o.ID)
		}
		meta, _ := o.Attributes["kibanaSavedObjectMeta"].(map[string]any)
		if _, ok := meta["searchSourceJSON"].(string); !ok {
			return fmt.Errorf("dashboard %s: kibanaSavedObjectMeta.searchSourceJSON must be a string", o.ID)
		}
	}
	if o.Type == "index-pattern" {
		if _, ok := o.Attributes["fields"].(string); !ok {
			return fmt.Errorf("index-pattern %s: attributes.fields must be a string", o.ID)
		}
	}
	return nil
}
