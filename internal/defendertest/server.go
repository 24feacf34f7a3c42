// Package defendertest is a fake of the Microsoft identity platform token
// endpoint, the Defender for Endpoint vulnerability APIs
// (SoftwareVulnerabilitiesExport and SoftwareVulnerabilityChangesByMachine)
// and the Azure Blob Storage SAS downloads of the export files, in the
// spirit of net/http/httptest. Export files are gzip NDJSON compressed on
// the fly from their records or from a generator, so a test can serve an
// export of any size without holding it in memory. Faults: expired SAS
// answers, download failures, truncated bodies, delta errors.
package defendertest

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Defaults of a Server.
const (
	TenantID     = "00000000-0000-0000-0000-0000000000aa"
	ClientID     = "00000000-0000-0000-0000-0000000000bb"
	ClientSecret = "fake-defender-secret"
	// Signature is the sig= of every SAS URL (tests assert it never leaks).
	Signature = "SASsignatureSECRET"
)

// File is one export file: Records (one JSON object each), Generate,
// which writes the uncompressed NDJSON body, or Gzip / Path, the
// compressed body (in memory / in a file) served as is.
type File struct {
	Records  []string
	Generate func(w io.Writer) error
	Gzip     []byte
	Path     string
}

// Server is a running fake. Exported fields may be changed under Lock.
type Server struct {
	*httptest.Server

	mu sync.Mutex
	// Files is the current export snapshot; GeneratedTime its time.
	Files         []File
	GeneratedTime string
	// SASValidity is how long after the export call the SAS URLs expire
	// (se=); default 1h. Zero-or-negative makes them expired at once.
	SASValidity time.Duration
	// ExpireDownloads answers that many next downloads with Azure
	// Storage's 403 AuthenticationFailed for an expired signature.
	ExpireDownloads int
	// FailDownloads answers that many next downloads with HTTP 500.
	FailDownloads int
	// TruncateDownloads cuts that many next download bodies after
	// TruncateAt compressed bytes (a connection reset mid-file).
	TruncateDownloads int
	TruncateAt        int
	// ExpireAt / FailAt answer the downloads of these ordinals (1-based,
	// counted over the server's life) with an expired-SAS 403 / HTTP 500.
	ExpireAt, FailAt map[int]bool
	// OnExport, if set, runs at every export call (call is 1-based) with
	// the server locked: it may change the exported fields, e.g. publish
	// a new snapshot.
	OnExport func(s *Server, call int)
	// Changes are the delta records (JSON objects with eventTimestamp);
	// DeltaStatus, when non-zero, answers the delta API with it.
	Changes     []string
	DeltaStatus int

	stats Stats
}

// Stats counts the requests the fake received.
type Stats struct {
	Tokens, Exports, Downloads, DeltaCalls int
	Scopes                                 []string
	SASValidHours                          []string
	SinceTimes                             []string
	PageSizes                              []string
	// DownloadsWithAuth counts downloads that wrongly carried an
	// Authorization header (the SAS is the credential).
	DownloadsWithAuth int
}

// New starts a fake. Close it when done.
func New() *Server {
	s := &Server{SASValidity: time.Hour, GeneratedTime: "2025-10-06T12:00:00Z"}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /{tenant}/oauth2/v2.0/token", s.serveToken)
	mux.HandleFunc("GET /api/machines/SoftwareVulnerabilitiesExport", s.serveExport)
	mux.HandleFunc("GET /api/machines/SoftwareVulnerabilityChangesByMachine", s.serveDelta)
	mux.HandleFunc("GET /blob/{container}/{gen}/{file}", s.serveBlob)
	s.Server = httptest.NewServer(mux)
	return s
}

// Lock / Unlock guard the exported fields.
func (s *Server) Lock()   { s.mu.Lock() }
func (s *Server) Unlock() { s.mu.Unlock() }

// Stats returns a copy of the counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.Scopes = append([]string(nil), st.Scopes...)
	st.SinceTimes = append([]string(nil), st.SinceTimes...)
	st.SASValidHours = append([]string(nil), st.SASValidHours...)
	st.PageSizes = append([]string(nil), st.PageSizes...)
	return st
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func apiError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]any{"error": map[string]any{"code": code, "message": msg}})
}

func (s *Server) serveToken(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	s.mu.Lock()
	s.stats.Tokens++
	s.stats.Scopes = append(s.stats.Scopes, r.PostForm.Get("scope"))
	n := s.stats.Tokens
	s.mu.Unlock()
	if r.PathValue("tenant") != TenantID || r.PostForm.Get("client_id") != ClientID ||
		r.PostForm.Get("client_secret") != ClientSecret || r.PostForm.Get("grant_type") != "client_credentials" {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"error": "invalid_client", "error_description": "AADSTS7000215: Invalid client secret provided."})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"token_type": "Bearer", "expires_in": 3599, "access_token": "defender-token-" + strconv.Itoa(n)})
}

func (s *Server) authorized(w http.ResponseWriter, r *http.Request) bool {
	if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer defender-token-") {
		apiError(w, http.StatusUnauthorized, "Unauthorized", "Authorization token is missing or invalid")
		return false
	}
	return true
}

func (s *Server) serveExport(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(w, r) {
		return
	}
	s.mu.Lock()
	s.stats.Exports++
	s.stats.SASValidHours = append(s.stats.SASValidHours, r.URL.Query().Get("sasValidHours"))
	if s.OnExport != nil {
		s.OnExport(s, s.stats.Exports)
	}
	gen := s.GeneratedTime
	n := len(s.Files)
	se := time.Now().Add(s.SASValidity).UTC().Format(time.RFC3339)
	s.mu.Unlock()
	files := make([]string, n)
	for i := range files {
		q := url.Values{"sv": {"2020-08-04"}, "st": {time.Now().UTC().Format(time.RFC3339)}, "se": {se}, "sr": {"b"}, "sp": {"r"}, "sig": {Signature}}
		files[i] = fmt.Sprintf("%s/blob/export/%s/file-%d.json.gz?%s", s.URL, url.PathEscape(gen), i, q.Encode())
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"@odata.context": s.URL + "/api/$metadata#microsoft.windowsDefenderATP.api.ExportFilesResponse",
		"exportFiles":    files,
		"generatedTime":  gen,
	})
}

func (s *Server) serveBlob(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	s.stats.Downloads++
	if r.Header.Get("Authorization") != "" {
		s.stats.DownloadsWithAuth++
	}
	expire := s.ExpireDownloads > 0 || s.ExpireAt[s.stats.Downloads]
	if s.ExpireDownloads > 0 {
		s.ExpireDownloads--
	}
	fail := !expire && (s.FailDownloads > 0 || s.FailAt[s.stats.Downloads])
	if fail && s.FailDownloads > 0 {
		s.FailDownloads--
	}
	truncate := -1
	if !expire && !fail && s.TruncateDownloads > 0 {
		s.TruncateDownloads--
		truncate = s.TruncateAt
	}
	gen := s.GeneratedTime
	files := s.Files
	s.mu.Unlock()
	if q.Get("sig") != Signature {
		w.WriteHeader(http.StatusForbidden)
		return
	}
	if se, err := time.Parse(time.RFC3339, q.Get("se")); err == nil && time.Now().After(se) {
		expire = true
	}
	if expire {
		w.Header().Set("x-ms-error-code", "AuthenticationFailed")
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusForbidden)
		_, _ = io.WriteString(w, `<?xml version="1.0" encoding="utf-8"?><Error><Code>AuthenticationFailed</Code><Message>Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.</Message><AuthenticationErrorDetail>Signed expiry time [`+q.Get("se")+`] must be after signed start time. Signature not valid in the specified time frame</AuthenticationErrorDetail></Error>`)
		return
	}
	if fail {
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	if r.PathValue("gen") != gen {
		w.WriteHeader(http.StatusNotFound) // an old snapshot's blob is gone
		return
	}
	var idx int
	if _, err := fmt.Sscanf(r.PathValue("file"), "file-%d.json.gz", &idx); err != nil || idx < 0 || idx >= len(files) {
		w.WriteHeader(http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	var out io.Writer = w
	if truncate >= 0 {
		out = &cutWriter{w: w, left: truncate}
	}
	if gz := files[idx].Gzip; gz != nil {
		if _, err := out.Write(gz); err != nil && truncate >= 0 {
			panic(http.ErrAbortHandler)
		}
		return
	}
	if path := files[idx].Path; path != "" {
		f, err := os.Open(path)
		if err != nil {
			panic(http.ErrAbortHandler)
		}
		defer f.Close()
		if _, err := io.Copy(out, f); err != nil && truncate >= 0 {
			panic(http.ErrAbortHandler)
		}
		return
	}
	zw, _ := gzip.NewWriterLevel(out, gzip.BestSpeed)
	f := files[idx]
	var err error
	if f.Generate != nil {
		err = f.Generate(zw)
	} else {
		for _, rec := range f.Records {
			if _, err = io.WriteString(zw, rec+"\n"); err != nil {
				break
			}
		}
	}
	if err == nil {
		err = zw.Close()
	}
	if err != nil && truncate >= 0 {
		// Abort the connection so the client sees a broken body.
		panic(http.ErrAbortHandler)
	}
}

// cutWriter fails after left bytes.
type cutWriter struct {
	w    io.Writer
	left int
}

func (c *cutWriter) Write(p []byte) (int, error) {
	if len(p) > c.left {
		n, _ := c.w.Write(p[:c.left])
		c.left = 0
		return n, io.ErrShortWrite
	}
	c.left -= len(p)
	return c.w.Write(p)
}

func (s *Server) serveDelta(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(w, r) {
		return
	}
	q := r.URL.Query()
	s.mu.Lock()
	s.stats.DeltaCalls++
	if q.Get("$skiptoken") == "" {
		s.stats.SinceTimes = append(s.stats.SinceTimes, q.Get("sinceTime"))
		s.stats.PageSizes = append(s.stats.PageSizes, q.Get("pageSize"))
	}
	status := s.DeltaStatus
	changes := s.Changes
	s.mu.Unlock()
	if status != 0 {
		apiError(w, status, "BadRequest", "sinceTime is out of the supported range")
		return
	}
	since := q.Get("sinceTime")
	if since == "" {
		apiError(w, http.StatusBadRequest, "BadRequest", "sinceTime is required")
		return
	}
	st, err := time.Parse(time.RFC3339Nano, since)
	if err != nil {
		apiError(w, http.StatusBadRequest, "BadRequest", "invalid sinceTime")
		return
	}
	// Microsoft answers every change of the 6-hour period holding
	// sinceTime and later.
	floor := st.Truncate(6 * time.Hour)
	var sel []string
	for _, c := range changes {
		var rec struct {
			EventTimestamp string `json:"eventTimestamp"`
		}
		_ = json.Unmarshal([]byte(c), &rec)
		if t, err := time.Parse(time.RFC3339Nano, rec.EventTimestamp); err == nil && t.Before(floor) {
			continue
		}
		sel = append(sel, c)
	}
	size, _ := strconv.Atoi(q.Get("pageSize"))
	if size <= 0 {
		size = 250000
	}
	skip, _ := strconv.Atoi(q.Get("$skiptoken"))
	end := min(skip+size, len(sel))
	if skip > end {
		skip = end
	}
	var b strings.Builder
	b.WriteString(`{"@odata.context":"` + s.URL + `/api/$metadata#Collection(microsoft.windowsDefenderATP.api.PublicDeviceVulnerabilityDto)","value":[`)
	b.WriteString(strings.Join(sel[skip:end], ","))
	b.WriteString("]")
	if end < len(sel) {
		nq := url.Values{"sinceTime": {since}, "pageSize": {strconv.Itoa(size)}, "$skiptoken": {strconv.Itoa(end)}}
		b.WriteString(`,"@odata.nextLink":"` + s.URL + r.URL.Path + "?" + nq.Encode() + `"`)
	}
	b.WriteString("}")
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = io.WriteString(w, b.String())
}
