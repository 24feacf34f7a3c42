package graphapi

import (
	"strings"
	"testing"

	"github.com/elastic/beats/v7/libbeat/beat"

	"github.com/m365beat/m365beat/internal/defendertest"
	"github.com/m365beat/m365beat/processors"
)

// vulnConfig is an input entry with one enabled vulnerabilities stream
// pointing at srv, fast retries; extra keys are merged into the stream.
func vulnTestConfig(srv *defendertest.Server, stream map[string]any) map[string]any {
	s := map[string]any{"resource": "vulnerabilities", "enabled": true}
	for k, v := range stream {
		s[k] = v
	}
	if _, ok := s["api_url"]; !ok {
		s["api_url"] = srv.URL
	}
	return map[string]any{
		"type":          Type,
		"id":            "contoso",
		"tenant_id":     defendertest.TenantID,
		"client_id":     defendertest.ClientID,
		"client_secret": defendertest.ClientSecret,
		"login_url":     srv.URL,
		"backoff.init":  "2ms",
		"backoff.max":   "20ms",
		"streams":       []map[string]any{s},
	}
}

func records(from, to int) []string {
	var out []string
	for i := from; i < to; i++ {
		out = append(out, defendertest.Record(i))
	}
	return out
}

func messages(evs []beat.Event) []string {
	var out []string
	for _, e := range evs {
		if m, ok := e.Fields["message"].(string); ok {
			out = append(out, m)
		}
	}
	return out
}

// errorDocs returns the error.message texts of collection error events.
func errorDocs(evs []beat.Event) []string {
	var out []string
	for _, e := range evs {
		if v, err := e.Fields.GetValue("error.message"); err == nil {
			out = append(out, strings.Join(v.([]string), "; "))
		}
	}
	return out
}

func snapshotOf(e beat.Event) string {
	s, _ := e.Meta[processors.MetaSnapshotTime].(string)
	return s
}

// sameRecords fails unless got holds want exactly once each, in order.
func sameRecords(t *testing.T, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d records, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("record %d = %.80s, want %.80s", i, got[i], want[i])
		}
	}
}
