package graphapi

import (
	"strings"
	"testing"
)

func TestSplitCallSites(t *testing.T) {
	msg, err := alertMessage(nil, []byte(`{"z":1,"id":"a","b":{"y":"<x>","a":null}}`))
	if err != nil || string(msg) != `{"b":{"a":null,"y":"\u003cx\u003e"},"id":"a","z":1}` {
		t.Errorf("alert message %s, %v (want key-sorted, Go escaping)", msg, err)
	}
	var msgs []string
	err = splitIncident([]byte(`{"id":"7","alerts":[{"id":"a1"},{"id":"a2"}],"status":"active"}`), func(m []byte) error {
		msgs = append(msgs, string(m))
		return nil
	})
	want := []string{`{"alerts":{"id":"a1"},"id":"7","status":"active"}`, `{"alerts":{"id":"a2"},"id":"7","status":"active"}`}
	if err != nil || strings.Join(msgs, "\n") != strings.Join(want, "\n") {
		t.Errorf("incident messages %q, %v; want %q", msgs, err, want)
	}
	var items []string
	_ = splitList([]byte(`{"value":[{"id":"x"},{"id":"y"}]}`), func(it []byte) error { items = append(items, string(it)); return nil })
	if len(items) != 2 || items[1] != `{"id":"y"}` {
		t.Errorf("items %q", items)
	}
}
