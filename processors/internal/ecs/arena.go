package ecs

import (
	"unsafe"

	"github.com/valyala/fastjson"
)

// Arena hands out strings carved from one buffer per record, so the ~50
// string values of a record cost one allocation instead of one each. The
// buffer is never written again where a string points into it (only
// appended to), and never grows: when it is full, strings are allocated
// normally. A nil *Arena allocates every string.
type Arena struct {
	buf []byte
}

// NewArena returns an arena of capacity n bytes.
func NewArena(n int) *Arena { return &Arena{buf: make([]byte, 0, n)} }

// String returns b as a string (a copy: b may be reused by the caller).
func (a *Arena) String(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if a == nil || cap(a.buf)-len(a.buf) < len(b) {
		return string(b)
	}
	start := len(a.buf)
	a.buf = append(a.buf, b...)
	return unsafe.String(&a.buf[start], len(b))
}

// Value is Value with strings (values and object keys) taken from a.
func (a *Arena) Value(v *fastjson.Value) any {
	if v == nil {
		return nil
	}
	switch v.Type() {
	case fastjson.TypeNull:
		return nil
	case fastjson.TypeString:
		return a.String(v.GetStringBytes())
	case fastjson.TypeNumber:
		return Number(v)
	case fastjson.TypeTrue:
		return true
	case fastjson.TypeFalse:
		return false
	case fastjson.TypeObject:
		o, _ := v.Object()
		m := make(map[string]any, o.Len())
		o.Visit(func(k []byte, x *fastjson.Value) {
			m[a.String(k)] = a.Value(x)
		})
		return mapOf(m)
	case fastjson.TypeArray:
		arr, _ := v.Array()
		out := make([]any, len(arr))
		for i, x := range arr {
			out[i] = a.Value(x)
		}
		return out
	}
	return nil
}

// JSONColumn is JSONColumn with strings taken from a.
func (a *Arena) JSONColumn(v *fastjson.Value) (any, error) {
	if v == nil || v.Type() != fastjson.TypeString {
		return a.Value(v), nil
	}
	b := v.GetStringBytes()
	if len(b) == 0 {
		return "", nil
	}
	p := Parsers.Get()
	defer Parsers.Put(p)
	parsed, err := p.ParseBytes(b)
	if err != nil {
		return a.String(b), errJSON(err)
	}
	return a.Value(parsed), nil
}
