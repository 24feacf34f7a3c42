package graphapi

import (
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
