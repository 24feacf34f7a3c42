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
		return nil, errJSON(err)
	}
	return Value(v), nil
}

func errJSON(err error) error { return fmt.Errorf("failed to parse JSON text: %w", err) }

// JSONColumn applies C-8 to a column value: a non-empty string is decoded
// and replaced by the parsed value; other values are returned unchanged.
// On a parse error the original string is returned with the error.
func JSONColumn(v *fastjson.Value) (any, error) { return (*Arena)(nil).JSONColumn(v) }
