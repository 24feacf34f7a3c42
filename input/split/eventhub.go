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
// object whose "records" is an empty array yields no record; any other
// "records" value (null, a string) is not an Event Hub envelope and is
// handed out whole, so it is reported rather than silently dropped.
func EventHub(body []byte, fn func(record []byte) error) error {
	body = bytes.TrimSpace(body)
	if err := fastjson.ValidateBytes(body); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidJSON, err)
	}
	switch body[0] {
	case '[':
		return eachElement(body, fn)
	case '{':
		if arr, ok := topLevelArray(body, "records"); ok {
			return eachElement(arr, fn)
		}
	}
	return fn(body)
}
