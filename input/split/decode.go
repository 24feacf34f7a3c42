package split

import (
	"fmt"
	"strconv"

	"unsafe"

	"github.com/valyala/fastjson"
)

// Decode turns the JSON text raw into plain Go values: map[string]any,
// []any, string, int64 (integer literals that fit), float64 (other
// numbers; a number out of float64 range stays its literal text, as
// JSON cannot carry infinities), bool and nil — as encoding/json would, with strings decoded the
// same way (invalid UTF-8 and lone surrogates become U+FFFD) and the last of
// duplicate keys winning. Strings and keys without escapes share raw's
// memory (no copy).
func Decode(raw string) (any, error) {
	if err := fastjson.Validate(raw); err != nil {
		return nil, fmt.Errorf("invalid JSON: %w", err)
	}
	b := unsafe.Slice(unsafe.StringData(raw), len(raw))
	d := decoder{s: raw, b: b}
	v, _ := d.value(skipWS(b, 0))
	return v, nil
}

type decoder struct {
	s string // the text
	b []byte // the same bytes, for the scanner helpers (read only)
}

func (d *decoder) value(i int) (any, int) {
	switch d.b[i] {
	case '{':
		m := make(map[string]any, d.countMembers(i))
		i = skipWS(d.b, i+1)
		for d.b[i] != '}' {
			ke := skipString(d.b, i)
			key := d.str(i+1, ke-1)
			i = skipWS(d.b, ke)
			i = skipWS(d.b, i+1)
			var v any
			v, i = d.value(i)
			m[key] = v
			i = skipWS(d.b, i)
			if d.b[i] == ',' {
				i = skipWS(d.b, i+1)
			}
		}
		return m, i + 1
	case '[':
		var a []any
		i = skipWS(d.b, i+1)
		for d.b[i] != ']' {
			var v any
			v, i = d.value(i)
			a = append(a, v)
			i = skipWS(d.b, i)
			if d.b[i] == ',' {
				i = skipWS(d.b, i+1)
			}
		}
		if a == nil {
			a = []any{}
		}
		return a, i + 1
	case '"':
		e := skipString(d.b, i)
		return d.str(i+1, e-1), e
	case 't':
		return true, i + 4
	case 'f':
		return false, i + 5
	case 'n':
		return nil, i + 4
	default:
		e := skipValue(d.b, i)
		return number(d.s[i:e]), e
	}
}

// countMembers estimates the member count of the object at i (a size hint).
func (d *decoder) countMembers(i int) int {
	n := 0
	depth := 0
	for j := i; j < len(d.b); j++ {
		switch d.b[j] {
		case '"':
			j = skipString(d.b, j) - 1
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return n + 1
			}
		case ',':
			if depth == 1 {
				n++
			}
		}
	}
	return n
}

// str returns the decoded text of the string content s[i:e].
func (d *decoder) str(i, e int) string {
	raw := d.b[i:e]
	if !needsUnescape(raw) {
		return d.s[i:e]
	}
	return string(unescape(make([]byte, 0, len(raw)), raw))
}

// number converts a JSON number literal: int64 when it is an integer that
// fits, else float64, else (out of range) the literal text.
func number(lit string) any {
	if n, err := strconv.ParseInt(lit, 10, 64); err == nil {
		return n
	}
	if f, err := strconv.ParseFloat(lit, 64); err == nil {
		return f
	}
	return lit
}
