package graph

import (
	"strconv"

	"github.com/valyala/fastjson"
)

// toGo converts a parsed JSON value into plain Go values: map[string]any,
// []any, string, int64 (integer literals that fit), float64 (other
// numbers), bool and nil. Of duplicate object keys the last wins.
func toGo(v *fastjson.Value) any {
	switch v.Type() {
	case fastjson.TypeObject:
		o, _ := v.Object()
		m := make(map[string]any, o.Len())
		o.Visit(func(k []byte, x *fastjson.Value) { m[string(k)] = toGo(x) })
		return m
	case fastjson.TypeArray:
		a, _ := v.Array()
		out := make([]any, len(a))
		for i, x := range a {
			out[i] = toGo(x)
		}
		return out
	case fastjson.TypeString:
		return string(v.GetStringBytes())
	case fastjson.TypeNumber:
		return number(v.String())
	case fastjson.TypeTrue:
		return true
	case fastjson.TypeFalse:
		return false
	default:
		return nil
	}
}

// number converts a JSON number literal: int64 when it is an integer
// literal that fits, else float64.
func number(lit string) any {
	if n, err := strconv.ParseInt(lit, 10, 64); err == nil {
		return n
	}
	f, err := strconv.ParseFloat(lit, 64)
	if err != nil {
		return lit
	}
	return f
}

// str returns v as a string when it is one.
func str(v any) (string, bool) {
	s, ok := v.(string)
	return s, ok
}

// obj returns v as an object when it is one.
func obj(v any) (map[string]any, bool) {
	m, ok := v.(map[string]any)
	return m, ok
}
