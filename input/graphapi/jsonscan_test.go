package graphapi

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/elastic/elastic-agent-libs/logp"
	"github.com/elastic/elastic-agent-libs/monitoring"

	"github.com/m365beat/m365beat/input"
	"github.com/m365beat/m365beat/internal/inputtest"
)

func TestScanList(t *testing.T) {
	body := []byte(` {"@odata.context":"x","value":[ {"id":"a","s":"}\"]"} , {"id":"b","n":[1,{"x":[]}]},null,3 ],"@odata.nextLink":"https:\/\/g\/next?$skip=2"} `)
	var items []string
	if err := splitList(body, func(it []byte) error { items = append(items, string(it)); return nil }); err != nil {
		t.Fatal(err)
	}
	want := []string{`{"id":"a","s":"}\"]"}`, `{"id":"b","n":[1,{"x":[]}]}`, `null`, `3`}
	if strings.Join(items, "|") != strings.Join(want, "|") {
		t.Errorf("items %q, want %q", items, want)
	}
	var s stream
	next, err := nextLink(body, &s.parser)
	if err != nil || next != "https://g/next?$skip=2" {
		t.Errorf("nextLink %q, %v", next, err)
	}
	if next, err := nextLink([]byte(`{"value":[]}`), &s.parser); next != "" || err != nil {
		t.Errorf("last page nextLink %q, %v", next, err)
	}
}

func TestScanErrors(t *testing.T) {
	for _, b := range []string{``, `[]`, `{"value":[1,2}`, `{"value":{}}`, `{"a":1`, `{"value":["x]}`, `{"a" 1}`, `{"other":[]}`} {
		if err := splitList([]byte(b), func([]byte) error { return nil }); err == nil {
			t.Errorf("%q: no error", b)
		}
	}
}

func FuzzSplitList(f *testing.F) {
	f.Add([]byte(`{"value":[{"id":"a"},{"id":"b"}],"@odata.nextLink":"u"}`))
	f.Add([]byte(`{"value":[]}`))
	f.Add([]byte(`{"value":["\\",{"a":"]}"}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var n int
		err := splitList(b, func(it []byte) error {
			n++
			if len(it) == 0 {
				t.Fatal("empty element")
			}
			return nil
		})
		// Whenever the standard decoder finds a list under "value", so
		// must we, with the same number of elements. Keys are compared
		// exactly, as Graph (OData) names them: a map, not a struct, whose
		// fields encoding/json would match case-insensitively ("vAlue").
		// The last duplicate key wins in both.
		var top map[string]json.RawMessage
		if json.Unmarshal(b, &top) == nil {
			raw := bytes.TrimLeft(top["value"], " \t\r\n")
			var list []json.RawMessage
			if len(raw) > 0 && raw[0] == '[' && json.Unmarshal(raw, &list) == nil {
				if err != nil || n != len(list) {
					t.Fatalf("valid list: %d elements, err %v; want %d", n, err, len(list))
				}
			}
		}
		var s stream
		_, _ = nextLink(b, &s.parser)
	})
}

// Whatever Graph answers, publishing a page never panics; what it
// publishes is acknowledged and committed.
func FuzzPublishPage(f *testing.F) {
	f.Add([]byte(`{"value":[{"id":"a","lastUpdateDateTime":"2026-11-27T05:00:00Z"},{"id":"b"}],"@odata.nextLink":"u"}`), false)
	f.Add([]byte(`{"value":[{"id":"1","lastUpdateDateTime":"x","alerts":[{"id":"a"},{"id":"b"}]}]}`), true)
	f.Add([]byte(`{"value":[null,1,"s",[]]}`), true)
	f.Fuzz(func(t *testing.T, body []byte, incidents bool) {
		res := resourceAlerts
		if incidents {
			res = resourceIncidents
		}
		s := &stream{cfg: streamConfig{Resource: res, BatchSize: 10}, log: logp.NewNopLogger(),
			m: newMetrics(monitoring.NewRegistry()), store: inputtest.NewStore(), key: "k", now: time.Now,
			published: seenSet{}, acked: seenSet{}}
		p := &countingPipeline{}
		s.client, _ = p.Connect(input.Stream{}, s.onACK)
		_, _, _ = s.publishPage(context.Background(), body, map[uint64]struct{}{}, false)
		if len(s.queue) != 0 {
			t.Fatalf("%d pages not committed", len(s.queue))
		}
	})
}
