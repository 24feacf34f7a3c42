// Package split turns message bodies into records: the decode/split step
// shared by the inputs and `m365beat normalize`. Records are handed out as
// the exact bytes received (sub-slices of the body), never re-serialised, so
// event.original is byte-identical to what Microsoft sent.
package split

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/valyala/fastjson"
)

// ErrInvalidJSON wraps the parser error of a body that is not valid JSON.
var ErrInvalidJSON = errors.New("invalid JSON")

// EventHub calls fn for each record of an Event Hub message body:
//   - an object with a "records" array: each element;
//   - a top-level array: each element;
//   - any other valid JSON: the whole body (trimmed of surrounding blanks).
//
// A body that is not valid JSON returns an error wrapping ErrInvalidJSON and
// calls fn for nothing; the caller publishes it with error.message. An
// object whose "records" is empty or null yields no record.
func EventHub(body []byte, fn func(record []byte) error) error {
	body = bytes.TrimSpace(body)
	if err := fastjson.ValidateBytes(body); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidJSON, err)
	}
	switch body[0] {
	case '[':
		return elements(body, fn)
	case '{':
		if arr, ok := member(body, "records"); ok {
			if arr[0] == '[' {
				return elements(arr, fn)
			}
			if string(arr) == "null" {
				return nil
			}
		}
	}
	return fn(body)
}

// elements calls fn with each element of a valid JSON array.
func elements(arr []byte, fn func([]byte) error) error {
	i := skipWS(arr, 1)
	if arr[i] == ']' {
		return nil
	}
	for {
		end := skipValue(arr, i)
		if err := fn(arr[i:end]); err != nil {
			return err
		}
		i = skipWS(arr, end)
		if arr[i] == ']' {
			return nil
		}
		i = skipWS(arr, i+1) // past ','
	}
}

// member returns the raw value of key in a valid JSON object (first match,
// top level only). Keys with escapes are compared after no unescaping; the
// Event Hub envelope key "records" never has any.
func member(obj []byte, key string) ([]byte, bool) {
	i := skipWS(obj, 1)
	for obj[i] != '}' {
		kEnd := skipValue(obj, i)
		k := obj[i+1 : kEnd-1]
		i = skipWS(obj, kEnd)
		i = skipWS(obj, i+1) // past ':'
		vEnd := skipValue(obj, i)
		if string(k) == key {
			return obj[i:vEnd], true
		}
		i = skipWS(obj, vEnd)
		if obj[i] == ',' {
			i = skipWS(obj, i+1)
		}
	}
	return nil, false
}

func skipWS(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t') {
		i++
	}
	return i
}

// skipValue returns the index just past the JSON value starting at b[i].
// b must be valid JSON.
func skipValue(b []byte, i int) int {
	switch b[i] {
	case '"':
		i++
		for b[i] != '"' {
			if b[i] == '\\' {
				i++
			}
			i++
		}
		return i + 1
	case '{', '[':
		depth := 0
		for ; i < len(b); i++ {
			switch b[i] {
			case '"':
				i = skipValue(b, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
		}
		return i
	default: // number, true, false, null
		for i < len(b) && !bytes.ContainsRune([]byte(",]} \n\r\t"), rune(b[i])) {
			i++
		}
		return i
	}
}
