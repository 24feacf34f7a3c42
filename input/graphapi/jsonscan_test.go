package graphapi

import (
	"encoding/json"
	"strings"
	"testing"
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
		// Whenever the standard decoder accepts a list, so must we, with
		// the same number of elements.
		var v struct {
			Value *[]json.RawMessage `json:"value"`
		}
		if json.Unmarshal(b, &v) == nil && v.Value != nil {
			if err != nil || n != len(*v.Value) {
				t.Fatalf("valid list: %d elements, err %v; want %d", n, err, len(*v.Value))
			}
		}
		var s stream
		_, _ = nextLink(b, &s.parser)
	})
}
