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
		next, ok := Obj(m[k])
		if !ok {
			nm := map[string]any{}
			m[k] = nm
			next = nm
		}
		m, path = next, path[i+1:]
	}
}

// Sub returns the object at a dotted path, creating it (and replacing a
// non-object value on the way) when needed.
func Sub(m mapstr.M, path string) mapstr.M {
	for path != "" {
		i := strings.IndexByte(path, '.')
		k := path
		if i >= 0 {
			k, path = path[:i], path[i+1:]
		} else {
			path = ""
		}
		switch next := m[k].(type) {
		case mapstr.M:
			m = next
		case map[string]any:
			m = next
		default:
			nm := map[string]any{}
			m[k] = nm
			m = nm
		}
	}
	return m
}

// Obj returns v as an object when it is one (mapstr.M or map[string]any).
// Nested objects of m365beat documents are stored as plain
// map[string]any: libbeat's JSON codec encodes them on its fast path, while
// the named mapstr.M type goes through reflection; mapstr.M methods accept
// both.
func Obj(v any) (mapstr.M, bool) {
	switch x := v.(type) {
	case map[string]any:
		return x, true
	case mapstr.M:
		return x, true
	}
	return nil, false
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
	e, _ := Obj(doc["error"])
	if e == nil {
		nm := map[string]any{}
		doc["error"] = nm
		e = nm
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
	var stack [256]byte
	b := append(stack[:0], 0)
	for i, p := range parts {
		if i > 0 {
			b = append(b, '|')
		}
		b = append(b, p...)
	}
	sum := sha1.Sum(b)
	var out [28]byte
	base64.StdEncoding.Encode(out[:], sum[:])
	return string(out[:])
}

// Prune removes null values and empty strings recursively, then objects and
// arrays that became empty (R11). It reports whether v itself is empty and
// returns the pruned value (slices may shrink).
func Prune(v any) (any, bool) {
	switch x := v.(type) {
	case nil:
		return nil, true
	case string:
		return v, x == ""
	case mapstr.M:
		return v, PruneMap(x)
	case map[string]any:
		return v, PruneMap(x)
	case []any:
		out := pruneSlice(x)
		return out, len(out) == 0
	case []string:
		out := pruneStrings(x)
		return out, len(out) == 0
	}
	return v, false
}

// HasEmpty reports whether v is, or holds at any depth, a value Prune would
// remove (null, "", an empty object or array). It does not modify v.
func HasEmpty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case mapstr.M:
		return hasEmptyMap(x)
	case map[string]any:
		return hasEmptyMap(x)
	case []any:
		if len(x) == 0 {
			return true
		}
		for _, e := range x {
			if HasEmpty(e) {
				return true
			}
		}
	case []string:
		if len(x) == 0 {
			return true
		}
		for _, e := range x {
			if e == "" {
				return true
			}
		}
	}
	return false
}

func hasEmptyMap(m map[string]any) bool {
	if len(m) == 0 {
		return true
	}
	for _, e := range m {
		if HasEmpty(e) {
			return true
		}
	}
	return false
}

// PruneMap prunes m in place (see Prune) and reports whether it is empty.
// It allocates only when a slice shrinks.
func PruneMap(m mapstr.M) bool {
	for k, v := range m {
		switch x := v.(type) {
		case nil:
			delete(m, k)
		case string:
			if x == "" {
				delete(m, k)
			}
		case mapstr.M:
			if PruneMap(x) {
				delete(m, k)
			}
		case map[string]any:
			if PruneMap(x) {
				delete(m, k)
			}
		case []any:
			out := pruneSlice(x)
			if len(out) == 0 {
				delete(m, k)
			} else if len(out) != len(x) {
				m[k] = out
			}
		case []string:
			out := pruneStrings(x)
			if len(out) == 0 {
				delete(m, k)
			} else if len(out) != len(x) {
				m[k] = out
			}
		}
	}
	return len(m) == 0
}

func pruneSlice(x []any) []any {
	out := x[:0]
	for _, c := range x {
		switch y := c.(type) {
		case nil:
			continue
		case string:
			if y == "" {
				continue
			}
		case mapstr.M:
			if PruneMap(y) {
				continue
			}
		case map[string]any:
			if PruneMap(y) {
				continue
			}
		case []any:
			p := pruneSlice(y)
			if len(p) == 0 {
				continue
			}
			if len(p) != len(y) {
				c = p
			}
		case []string:
			p := pruneStrings(y)
			if len(p) == 0 {
				continue
			}
			if len(p) != len(y) {
				c = p
			}
		}
		out = append(out, c)
	}
	for i := len(out); i < len(x); i++ {
		x[i] = nil
	}
	return out
}

func pruneStrings(x []string) []string {
	out := x[:0]
	for _, s := range x {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
