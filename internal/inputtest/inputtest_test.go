package inputtest

import (
	"testing"

	"github.com/elastic/beats/v7/libbeat/beat"

	"github.com/m365beat/m365beat/input"
)

func TestACKsInOrderPerClient(t *testing.T) {
	p := &Pipeline{}
	var a, b []any
	ca, _ := p.Connect(input.Stream{}, func(x []any) { a = append(a, x...) })
	cb, _ := p.Connect(input.Stream{}, func(x []any) { b = append(b, x...) })
	ca.Publish(beat.Event{Private: 1})
	cb.Publish(beat.Event{Private: "x"})
	ca.Publish(beat.Event{Private: 2})
	p.ACK(2)
	if len(a) != 1 || a[0] != 1 || len(b) != 1 || b[0] != "x" {
		t.Fatalf("after 2 ACKs: a=%v b=%v", a, b)
	}
	if p.Unacked() != 1 {
		t.Fatalf("unacked %d, want 1", p.Unacked())
	}
	p.ACK(5)
	if len(a) != 2 || a[1] != 2 {
		t.Fatalf("a=%v", a)
	}
}

func TestStoreRoundTrip(t *testing.T) {
	s := NewStore()
	if err := s.Set("k", map[string]int{"n": 3}); err != nil {
		t.Fatal(err)
	}
	var v map[string]int
	if err := s.Get("k", &v); err != nil || v["n"] != 3 {
		t.Fatalf("%v %v", v, err)
	}
	if err := s.Get("missing", &v); err == nil {
		t.Fatal("want error for missing key")
	}
}
