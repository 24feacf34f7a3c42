package graphapi

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"sort"
	"time"
)

// persisted is what a stream keeps in the input.Store.
type persisted struct {
	// Cursor is the newest lastUpdateDateTime whose items were all
	// acknowledged (RFC 3339, UTC).
	Cursor string `json:"cursor,omitempty"`
	// Rescan, when set, is a lower bound the next poll must read from
	// again because items moved while paging (see stream.pass).
	Rescan string `json:"rescan,omitempty"`
	// Seen packs the acknowledged (id, lastUpdateDateTime) versions inside
	// the overlap window: 16 bytes each (8 hash, 8 unix ms), base64.
	Seen string `json:"seen,omitempty"`
}

// versionKey hashes one item version (id, lastUpdateDateTime).
func versionKey(id, lastUpdate []byte) uint64 {
	h := fnv.New64a()
	h.Write(id)
	h.Write([]byte{0})
	h.Write(lastUpdate)
	return h.Sum64()
}

// idKey hashes an item id.
func idKey(id []byte) uint64 {
	h := fnv.New64a()
	h.Write(id)
	return h.Sum64()
}

// seenSet maps version keys to their lastUpdateDateTime in unix ms.
type seenSet map[uint64]int64

// prune drops entries older than floor and, above limit entries, the
// oldest ones.
func (s seenSet) prune(floor time.Time, limit int) {
	f := floor.UnixMilli()
	for k, t := range s {
		if t < f {
			delete(s, k)
		}
	}
	if limit <= 0 || len(s) <= limit {
		return
	}
	type kv struct {
		k uint64
		t int64
	}
	all := make([]kv, 0, len(s))
	for k, t := range s {
		all = append(all, kv{k, t})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].t < all[j].t })
	for _, e := range all[:len(all)-limit] {
		delete(s, e.k)
	}
}

func (s seenSet) encode() string {
	if len(s) == 0 {
		return ""
	}
	b := make([]byte, 0, 16*len(s))
	for k, t := range s {
		b = binary.BigEndian.AppendUint64(b, k)
		b = binary.BigEndian.AppendUint64(b, uint64(t))
	}
	return base64.RawStdEncoding.EncodeToString(b)
}

func decodeSeen(v string) (seenSet, error) {
	s := seenSet{}
	if v == "" {
		return s, nil
	}
	b, err := base64.RawStdEncoding.DecodeString(v)
	if err != nil || len(b)%16 != 0 {
		return s, errors.New("corrupt de-duplication set")
	}
	for i := 0; i < len(b); i += 16 {
		s[binary.BigEndian.Uint64(b[i:])] = int64(binary.BigEndian.Uint64(b[i+8:]))
	}
	return s, nil
}

// parseTime parses a Graph DateTimeOffset.
func parseTime(b []byte) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, string(b))
	if err != nil {
		return time.Time{}, fmt.Errorf("invalid lastUpdateDateTime %q", b)
	}
	return t.UTC(), nil
}

// formatTime writes t the way Graph does (seven fractional digits).
func formatTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.0000000Z")
}
