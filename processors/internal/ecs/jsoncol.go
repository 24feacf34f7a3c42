package ecs

import (
	"fmt"

	"github.com/valyala/fastjson"
)

// Parsers is the pool of fastjson parsers of the mappers.
var Parsers fastjson.ParserPool

// DecodeJSONText parses a JSON-in-string column value (C-8, event-device
// §2.3) into a Go value (see Value). The whole text must be one JSON value.
func DecodeJSONText(s string) (any, error) {
	p := Parsers.Get()
	defer Parsers.Put(p)
	v, err := p.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("failed to parse JSON text: %w", err)
	}
	return Value(v), nil
}

// JSONColumn applies C-8 to a column value: a non-empty string is decoded
// and replaced by the parsed value; other values are returned unchanged.
// On a parse error the original string is returned with the error.
func JSONColumn(v *fastjson.Value) (any, error) {
	if v == nil || v.Type() != fastjson.TypeString {
		return Value(v), nil
	}
	b := v.GetStringBytes()
	if len(b) == 0 {
		return "", nil
	}
	out, err := DecodeJSONText(string(b))
	if err != nil {
		return string(b), err
	}
	return out, nil
}
