package graph

import (
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"hash"
	"math"
	"sort"
)

// fingerprint is §3: SHA-1 over 0x00 + value bytes of each present,
// non-null value (in the given order, which callers keep sorted by field
// name), Base64 with padding. ok is false when every value was skipped.
func fingerprint(values ...any) (string, bool) {
	h := sha1.New()
	n := 0
	for _, v := range values {
		if v == nil {
			continue
		}
		n++
		feed(h, v)
	}
	if n == 0 {
		return "", false
	}
	var sum [sha1.Size]byte
	return base64.StdEncoding.EncodeToString(h.Sum(sum[:0])), true
}

func feed(h hash.Hash, v any) {
	var buf [9]byte
	switch x := v.(type) {
	case string:
		h.Write([]byte{0})
		h.Write([]byte(x))
	case int64:
		buf[0] = 0
		if x >= math.MinInt32 && x <= math.MaxInt32 {
			binary.LittleEndian.PutUint32(buf[1:], uint32(int32(x)))
			h.Write(buf[:5])
		} else {
			binary.LittleEndian.PutUint64(buf[1:], uint64(x))
			h.Write(buf[:9])
		}
	case bool:
		b := byte(2)
		if x {
			b = 1
		}
		h.Write([]byte{0, b})
	case []any:
		for _, e := range x {
			feed(h, e)
		}
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			h.Write([]byte{0})
			h.Write([]byte(k))
			feed(h, x[k])
		}
	default:
		h.Write([]byte{0})
		h.Write([]byte(text(x)))
	}
}

// hashText is the §3 algorithm over one text value.
func hashText(s string) string {
	id, _ := fingerprint(s)
	return id
}
