package graphapi

import (
	"strings"
	"testing"
	"time"
)

func TestSeenSetRoundTripAndPrune(t *testing.T) {
	base := time.Date(2026, 11, 27, 5, 0, 0, 0, time.UTC)
	s := seenSet{}
	for i := 0; i < 100; i++ {
		s[versionKey([]byte{byte(i)}, []byte("t"))] = base.Add(time.Duration(i) * time.Second).UnixMilli()
	}
	got, err := decodeSeen(s.encode())
	if err != nil || len(got) != 100 {
		t.Fatalf("round trip: %d entries, %v", len(got), err)
	}
	for k, v := range s {
		if got[k] != v {
			t.Fatalf("entry %x: %d, want %d", k, got[k], v)
		}
	}
	got.prune(base.Add(50*time.Second), 0)
	if len(got) != 50 {
		t.Errorf("prune by time left %d, want 50", len(got))
	}
	got.prune(base, 10)
	if len(got) != 10 {
		t.Errorf("prune by size left %d, want 10", len(got))
	}
	for _, v := range got {
		if v < base.Add(90*time.Second).UnixMilli() {
			t.Errorf("size prune kept an old entry %d", v)
		}
	}
	if _, err := decodeSeen("!!!"); err == nil {
		t.Error("corrupt set accepted")
	}
	if e, _ := decodeSeen(""); len(e) != 0 {
		t.Error("empty set")
	}
}

func TestVersionKeyDistinguishesFields(t *testing.T) {
	if versionKey([]byte("ab"), []byte("c")) == versionKey([]byte("a"), []byte("bc")) {
		t.Error("id/lastUpdate boundary not part of the key")
	}
	if versionKey([]byte("a"), []byte("1")) == versionKey([]byte("a"), []byte("2")) {
		t.Error("versions of one id collide")
	}
}

func TestTimeFormat(t *testing.T) {
	ts, err := parseTime([]byte("2023-10-20T09:54:07.5033333Z"))
	if err != nil {
		t.Fatal(err)
	}
	if got := formatTime(ts); got != "2023-10-20T09:54:07.5033333Z" {
		t.Errorf("formatTime = %s", got)
	}
	if _, err := parseTime([]byte("yesterday")); err == nil {
		t.Error("bad time accepted")
	}
	if ts2, _ := parseTime([]byte("2023-10-20T11:54:07+02:00")); !ts2.Equal(ts.Truncate(time.Second)) {
		t.Errorf("offset time %s", ts2)
	}
}

func TestQueryBuilding(t *testing.T) {
	s := &stream{cfg: streamConfig{Resource: resourceIncidents, BatchSize: 50}, base: "https://graph.microsoft.com"}
	u := s.listURL(time.Date(2026, 11, 27, 5, 0, 0, 0, time.UTC), true)
	want := "https://graph.microsoft.com/v1.0/security/incidents?$filter=lastUpdateDateTime%20ge%202026-11-27T05%3A00%3A00.0000000Z&$orderby=lastUpdateDateTime%20asc&$top=50&$expand=alerts"
	if u != want {
		t.Errorf("listURL\n got %s\nwant %s", u, want)
	}
	next := "https://graph.microsoft.com/v1.0/security/incidents?%24expand=alerts&$top=50&$skiptoken=a%2Bb"
	if got := withoutExpand(next); got != "https://graph.microsoft.com/v1.0/security/incidents?$top=50&$skiptoken=a%2Bb" {
		t.Errorf("withoutExpand: %s", got)
	}
	if got := withoutExpand(u); strings.Contains(got, "expand") || !strings.Contains(got, "$filter=") {
		t.Errorf("withoutExpand: %s", got)
	}
}
