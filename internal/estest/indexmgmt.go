package estest

import (
	"encoding/json"
	"io"
	"net/http"
	"path"
	"sort"
	"strings"
)

// Call is one request the fake received, with its body.
type Call struct {
	Method string
	Path   string
	Body   []byte
}

// Calls returns every request with its body, in arrival order.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// Duplicates is the number of bulk items answered 409 (op_type create on
// an _id already indexed).
func (s *Server) Duplicates() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.duplicates
}

// Template returns an installed index template's body.
func (s *Server) Template(name string) (map[string]any, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.templates[name]
	return t, ok
}

// PutTemplate installs an index template as if someone else had.
func (s *Server) PutTemplate(name string, body map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.templates[name] = body
}

// Policy returns an installed ILM policy ({"policy": ...} as put).
func (s *Server) Policy(name string) (map[string]any, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.policies[name]
	return p, ok
}

// DataStreams returns the data streams and the template each was created
// from.
func (s *Server) DataStreams() map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]string, len(s.streams))
	for k, v := range s.streams {
		out[k] = v
	}
	return out
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func esError(w http.ResponseWriter, status int, typ, reason string) {
	writeJSON(w, status, map[string]any{"error": map[string]any{"type": typ, "reason": reason}, "status": status})
}

// indexMgmt answers the index template, ILM and data stream APIs the way
// Elasticsearch 8 does, with the checks that matter for m365beat: bodies
// must be JSON objects, an index template needs index_patterns and may
// not overlap another with the same priority, a data stream needs a
// matching template with data_stream. It reports whether it handled r.
func (s *Server) indexMgmt(w http.ResponseWriter, r *http.Request, body []byte) bool {
	p := r.URL.Path
	switch {
	case p == "/_index_template" && r.Method == http.MethodGet:
		s.mu.Lock()
		list := s.templateList("")
		s.mu.Unlock()
		writeJSON(w, 200, map[string]any{"index_templates": list})
	case strings.HasPrefix(p, "/_index_template/"):
		s.indexTemplate(w, r, strings.TrimPrefix(p, "/_index_template/"), body)
	case strings.HasPrefix(p, "/_ilm/policy/"):
		s.ilmPolicy(w, r, strings.TrimPrefix(p, "/_ilm/policy/"), body)
	case strings.HasPrefix(p, "/_data_stream/"):
		s.dataStream(w, r, strings.TrimPrefix(p, "/_data_stream/"))
	case strings.HasPrefix(p, "/_transform/"):
		s.transform(w, r, strings.TrimPrefix(p, "/_transform/"), body)
	default:
		return false
	}
	return true
}

func (s *Server) templateList(only string) []map[string]any {
	names := make([]string, 0, len(s.templates))
	for n := range s.templates {
		if only == "" || n == only {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	out := make([]map[string]any, 0, len(names))
	for _, n := range names {
		out = append(out, map[string]any{"name": n, "index_template": s.templates[n]})
	}
	return out
}

func priorityOf(t map[string]any) int {
	f, _ := t["priority"].(float64)
	return int(f)
}

func patternsOf(t map[string]any) []string {
	var out []string
	arr, _ := t["index_patterns"].([]any)
	for _, x := range arr {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// overlap is a sufficient test for the fake: one pattern matches the
// other with its wildcards filled in.
func overlap(a, b string) bool {
	fill := func(p string) string { return strings.ReplaceAll(p, "*", "x-y") }
	m1, _ := path.Match(a, fill(b))
	m2, _ := path.Match(b, fill(a))
	return m1 || m2
}

func (s *Server) indexTemplate(w http.ResponseWriter, r *http.Request, name string, body []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, exists := s.templates[name]
	switch r.Method {
	case http.MethodHead:
		if !exists {
			w.WriteHeader(404)
		}
	case http.MethodGet:
		if !exists {
			esError(w, 404, "resource_not_found_exception", "index template matching ["+name+"] not found")
			return
		}
		writeJSON(w, 200, map[string]any{"index_templates": s.templateList(name)})
	case http.MethodDelete:
		if !exists {
			esError(w, 404, "resource_not_found_exception", "index_template ["+name+"] missing")
			return
		}
		delete(s.templates, name)
		writeJSON(w, 200, map[string]any{"acknowledged": true})
	case http.MethodPut, http.MethodPost:
		var nt map[string]any
		if err := json.Unmarshal(body, &nt); err != nil || nt == nil {
			esError(w, 400, "parse_exception", "request body is required and must be a JSON object")
			return
		}
		pats := patternsOf(nt)
		if len(pats) == 0 {
			esError(w, 400, "action_request_validation_exception", "index patterns are missing")
			return
		}
		for other, ot := range s.templates {
			if other == name || priorityOf(ot) != priorityOf(nt) {
				continue
			}
			for _, a := range pats {
				for _, b := range patternsOf(ot) {
					if overlap(a, b) {
						esError(w, 400, "illegal_argument_exception", "index template ["+name+"] has index patterns "+a+" matching patterns from existing templates ["+other+"] that have the same priority")
						return
					}
				}
			}
		}
		s.templates[name] = nt
		writeJSON(w, 200, map[string]any{"acknowledged": true})
	default:
		esError(w, 405, "method_not_allowed", r.Method)
	}
}

func (s *Server) ilmPolicy(w http.ResponseWriter, r *http.Request, name string, body []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, exists := s.policies[name]
	switch r.Method {
	case http.MethodGet:
		if !exists {
			esError(w, 404, "resource_not_found_exception", "Lifecycle policy not found: "+name)
			return
		}
		writeJSON(w, 200, map[string]any{name: map[string]any{"version": 1, "modified_date": "2024-05-01T00:00:00.000Z", "policy": p["policy"]}})
	case http.MethodPut:
		var np map[string]any
		if err := json.Unmarshal(body, &np); err != nil {
			esError(w, 400, "parse_exception", err.Error())
			return
		}
		if pol, ok := np["policy"].(map[string]any); !ok || pol["phases"] == nil {
			esError(w, 400, "x_content_parse_exception", "[put_lifecycle_request] policy with phases required")
			return
		}
		s.policies[name] = np
		writeJSON(w, 200, map[string]any{"acknowledged": true})
	default:
		esError(w, 405, "method_not_allowed", r.Method)
	}
}

// matchTemplate returns the highest-priority template whose patterns
// match index (callers hold s.mu).
func (s *Server) matchTemplate(index string) (string, map[string]any) {
	best, bestPrio := "", -1
	for n, t := range s.templates {
		for _, p := range patternsOf(t) {
			if ok, _ := path.Match(p, index); ok && priorityOf(t) > bestPrio {
				best, bestPrio = n, priorityOf(t)
			}
		}
	}
	if best == "" {
		return "", nil
	}
	return best, s.templates[best]
}

func (s *Server) dataStream(w http.ResponseWriter, r *http.Request, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	tmpl, exists := s.streams[name]
	switch r.Method {
	case http.MethodGet:
		if !exists {
			esError(w, 404, "index_not_found_exception", "no such index ["+name+"]")
			return
		}
		writeJSON(w, 200, map[string]any{"data_streams": []any{map[string]any{"name": name, "template": tmpl, "status": "GREEN"}}})
	case http.MethodPut:
		if exists {
			esError(w, 400, "resource_already_exists_exception", "data_stream ["+name+"] already exists")
			return
		}
		tn, t := s.matchTemplate(name)
		if t == nil || t["data_stream"] == nil {
			esError(w, 400, "illegal_argument_exception", "no matching index template found for data stream ["+name+"]")
			return
		}
		s.streams[name] = tn
		writeJSON(w, 200, map[string]any{"acknowledged": true})
	default:
		esError(w, 405, "method_not_allowed", r.Method)
	}
}

// dataStreamWrite checks a bulk item against the data streams: into an
// index that is (or by its template would become) a data stream only
// op_type create is allowed. It returns an error reason or "".
func (s *Server) dataStreamWrite(index, op string) string {
	if _, ok := s.streams[index]; !ok {
		tn, t := s.matchTemplate(index)
		if t == nil || t["data_stream"] == nil {
			return ""
		}
		s.streams[index] = tn
	}
	if op != "create" {
		return "only write ops with an op_type of create are allowed in data streams"
	}
	return ""
}

func readBody(r *http.Request) []byte {
	if r.Body == nil {
		return nil
	}
	b, _ := io.ReadAll(r.Body)
	return b
}

// transform answers the _transform API for one transform: GET, PUT (409
// when it exists), DELETE, and POST _start / _stop.
func (s *Server) transform(w http.ResponseWriter, r *http.Request, rest string, body []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, action, _ := strings.Cut(rest, "/")
	t, exists := s.transforms[id]
	switch {
	case action == "" && r.Method == http.MethodGet:
		if !exists {
			esError(w, 404, "resource_not_found_exception", "Transform with id ["+id+"] could not be found")
			return
		}
		writeJSON(w, 200, map[string]any{"count": 1, "transforms": []json.RawMessage{t}})
	case action == "" && r.Method == http.MethodPut:
		if exists {
			esError(w, 409, "resource_already_exists_exception", "Transform with id ["+id+"] already exists")
			return
		}
		var def map[string]any
		if err := json.Unmarshal(body, &def); err != nil || def["source"] == nil || def["dest"] == nil {
			esError(w, 400, "x_content_parse_exception", "transform needs source and dest")
			return
		}
		s.transforms[id] = append(json.RawMessage(nil), body...)
		writeJSON(w, 200, map[string]any{"acknowledged": true})
	case action == "" && r.Method == http.MethodDelete:
		delete(s.transforms, id)
		delete(s.started, id)
		writeJSON(w, 200, map[string]any{"acknowledged": true})
	case action == "_start" && exists:
		if s.started[id] {
			esError(w, 409, "status_exception", "Cannot start transform ["+id+"] as it is already started.")
			return
		}
		s.started[id] = true
		writeJSON(w, 200, map[string]any{"acknowledged": true})
	case action == "_stop" && exists:
		s.started[id] = false
		writeJSON(w, 200, map[string]any{"acknowledged": true})
	default:
		esError(w, 404, "resource_not_found_exception", "Transform with id ["+id+"] could not be found")
	}
}

// Transforms returns the installed transforms and whether each is started.
func (s *Server) Transforms() map[string]bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]bool, len(s.transforms))
	for id := range s.transforms {
		out[id] = s.started[id]
	}
	return out
}
