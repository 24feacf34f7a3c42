// Package split holds the decode/split steps shared by the inputs and by
// `m365beat normalize`: they turn what a source delivers (a Graph list
// page, an incident with its alerts) into the records the processors map.
package split

import (
	"errors"
	"fmt"

	"github.com/valyala/fastjson"
)

// ErrNoValue is returned by GraphList when the body is a JSON object without
// a "value" array.
var ErrNoValue = errors.New(`graph list response has no "value" array`)

// GraphList calls fn with the raw JSON of each element of a Graph list
// response body {"value":[...]} ("exact bytes as received"); an empty page
// yields no call. The body is validated first; a body that is not a JSON
// object with a "value" array is an error and yields no call. The item slices
// alias body: copy them to keep them after fn returns. An error from fn stops
// the iteration and is returned.
func GraphList(body []byte, fn func(item []byte) error) error {
	if err := fastjson.ValidateBytes(body); err != nil {
		return fmt.Errorf("graph list response: %w", err)
	}
	arr, ok := topLevelArray(body, "value")
	if !ok {
		return ErrNoValue
	}
	return eachElement(arr, fn)
}

// IsList reports whether raw is a JSON object with a top-level "value" key
// holding an array (a Graph list response rather than a single record).
// raw must be valid JSON; invalid input reports false.
func IsList(raw []byte) bool {
	if fastjson.ValidateBytes(raw) != nil {
		return false
	}
	_, ok := topLevelArray(raw, "value")
	return ok
}

// topLevelArray returns the raw span of the array under key in the
// top-level object of the valid JSON text b.
func topLevelArray(b []byte, key string) ([]byte, bool) {
	i := skipWS(b, 0)
	if i >= len(b) || b[i] != '{' {
		return nil, false
	}
	i = skipWS(b, i+1)
	var found []byte
	for i < len(b) && b[i] != '}' {
		ks := i
		i = skipString(b, i)
		k := b[ks+1 : i-1]
		i = skipWS(b, i)
		i = skipWS(b, i+1) // ':'
		vs := i
		i = skipValue(b, i)
		if string(k) == key || (hasBackslash(k) && unescapedEquals(b[ks:i], key)) {
			if b[vs] == '[' {
				found = b[vs:i] // last one wins, as in encoding/json
			} else {
				found = nil
			}
		}
		i = skipWS(b, i)
		if i < len(b) && b[i] == ',' {
			i = skipWS(b, i+1)
		}
	}
	return found, found != nil
}

func hasBackslash(b []byte) bool {
	for _, c := range b {
		if c == '\\' {
			return true
		}
	}
	return false
}

// unescapedEquals reports whether the key string starting at kv (a JSON
// string followed by anything) unescapes to key.
func unescapedEquals(kv []byte, key string) bool {
	end := skipString(kv, 0)
	var p fastjson.Parser
	v, err := p.ParseBytes(kv[:end])
	if err != nil {
		return false
	}
	s, err := v.StringBytes()
	return err == nil && string(s) == key
}

// eachElement calls fn with the raw span of each element of the valid JSON
// array arr.
func eachElement(arr []byte, fn func([]byte) error) error {
	i := skipWS(arr, 1)
	for i < len(arr) && arr[i] != ']' {
		s := i
		i = skipValue(arr, i)
		if err := fn(arr[s:i]); err != nil {
			return err
		}
		i = skipWS(arr, i)
		if i < len(arr) && arr[i] == ',' {
			i = skipWS(arr, i+1)
		}
	}
	return nil
}

func skipWS(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// skipString returns the index after the JSON string starting at b[i] == '"'.
func skipString(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(b)
}

// skipValue returns the index after the JSON value starting at b[i]. b must
// be valid JSON.
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return len(b)
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for ; i < len(b); i++ {
			switch b[i] {
			case '"':
				i = skipString(b, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
		}
		return len(b)
	default: // number, true, false, null
		for ; i < len(b); i++ {
			switch b[i] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				return i
			}
		}
		return len(b)
	}
}
