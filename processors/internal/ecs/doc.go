package ecs

import (
	"crypto/sha1"
	"encoding/base64"
	"strings"

	"github.com/elastic/elastic-agent-libs/mapstr"
)

// Put sets a dotted path in m, creating intermediate objects (an existing
// non-object value on the way is replaced).
func Put(m mapstr.M, path string, v any) {
	for {
		i := strings.IndexByte(path, '.')
		if i < 0 {
			m[path] = v
			return
		}
		k := path[:i]
		next, ok := m[k].(mapstr.M)
		if !ok {
			if mm, ok2 := m[k].(map[string]any); ok2 {
				next = mapstr.M(mm)
			} else {
				next = mapstr.M{}
			}
			m[k] = next
		}
		m, path = next, path[i+1:]
	}
}

// Get returns the value at a dotted path.
func Get(m mapstr.M, path string) (any, bool) {
	for {
		i := strings.IndexByte(path, '.')
		if i < 0 {
			v, ok := m[path]
			return v, ok
		}
		switch next := m[path[:i]].(type) {
		case mapstr.M:
			m = next
		case map[string]any:
			m = next
		default:
			return nil, false
		}
		path = path[i+1:]
	}
}

// GetString returns the string at a dotted path ("" if absent or not a string).
func GetString(m mapstr.M, path string) string {
	v, _ := Get(m, path)
	s, _ := v.(string)
	return s
}

// Delete removes a dotted path (intermediate objects are left; pruning
// removes the ones that became empty).
func Delete(m mapstr.M, path string) {
	for {
		i := strings.IndexByte(path, '.')
		if i < 0 {
			delete(m, path)
			return
		}
		switch next := m[path[:i]].(type) {
		case mapstr.M:
			m = next
		case map[string]any:
			m = next
		default:
			return
		}
		path = path[i+1:]
	}
}

// AppendError appends msg to doc's error.message array (created on first use).
func AppendError(doc mapstr.M, msg string) {
	e, _ := doc["error"].(mapstr.M)
	if e == nil {
		e = mapstr.M{}
		doc["error"] = e
	}
	switch cur := e["message"].(type) {
	case []string:
		e["message"] = append(cur, msg)
	case []any:
		e["message"] = append(cur, msg)
	case string:
		e["message"] = []string{cur, msg}
	default:
		e["message"] = []string{msg}
	}
}

// Fingerprint returns the entity-id fingerprint of R9a: standard Base64 of
// SHA-1 over one 0x00 byte followed by the parts joined with "|".
func Fingerprint(parts ...string) string {
	h := sha1.New()
	h.Write([]byte{0})
	for i, p := range parts {
		if i > 0 {
			h.Write([]byte{'|'})
		}
		h.Write([]byte(p))
	}
	var sum [sha1.Size]byte
	return base64.StdEncoding.EncodeToString(h.Sum(sum[:0]))
}

// Prune removes null values and empty strings recursively, then objects and
// arrays that became empty (R11). It reports whether v itself is empty.
func Prune(v any) (any, bool) {
	switch x := v.(type) {
	case nil:
		return nil, true
	case string:
		return x, x == ""
	case mapstr.M:
		for k, c := range x {
			nv, empty := Prune(c)
			if empty {
				delete(x, k)
			} else if changed(c, nv) {
				x[k] = nv
			}
		}
		return x, len(x) == 0
	case map[string]any:
		m, empty := Prune(mapstr.M(x))
		return m, empty
	case []any:
		out := x[:0]
		for _, c := range x {
			if nv, empty := Prune(c); !empty {
				out = append(out, nv)
			}
		}
		for i := len(out); i < len(x); i++ {
			x[i] = nil
		}
		return out, len(out) == 0
	case []string:
		out := x[:0]
		for _, s := range x {
			if s != "" {
				out = append(out, s)
			}
		}
		return out, len(out) == 0
	}
	return v, false
}

// changed reports whether Prune returned a different slice header, which
// must be stored back.
func changed(old, nv any) bool {
	switch o := old.(type) {
	case []any:
		n := nv.([]any)
		return len(n) != len(o)
	case []string:
		n := nv.([]string)
		return len(n) != len(o)
	case map[string]any:
		return true
	}
	return false
}
