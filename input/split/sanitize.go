package split

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/valyala/fastjson"
)

// Sanitizer names (config values of the eventhub input's sanitize_options).
const (
	// SanitizeNewLines escapes raw control characters (new lines, carriage
	// returns, tabs, ...) found inside JSON strings: Azure diagnostic
	// settings sometimes send multi-line values unescaped. It also reads a
	// body of several JSON values one after the other (one per line) as an
	// array of them.
	SanitizeNewLines = "new_lines"
	// SanitizeSingleQuotes turns single-quoted strings into double-quoted
	// ones (`{'a': 'it''s'}` style bodies produced by some Azure services):
	// double quotes inside them are escaped and \' is unescaped.
	SanitizeSingleQuotes = "single_quotes"
)

// Sanitizers is an ordered set of repairs for invalid JSON bodies.
type Sanitizers struct {
	NewLines     bool
	SingleQuotes bool
}

// ParseSanitizers reads a list of sanitizer names (case-insensitive).
func ParseSanitizers(names []string) (Sanitizers, error) {
	var s Sanitizers
	for _, n := range names {
		switch strings.ToLower(n) {
		case SanitizeNewLines:
			s.NewLines = true
		case SanitizeSingleQuotes:
			s.SingleQuotes = true
		default:
			return s, fmt.Errorf("unknown sanitizer %q (known: %s, %s)", n, SanitizeNewLines, SanitizeSingleQuotes)
		}
	}
	return s, nil
}

// Repair tries the enabled sanitizers on an invalid JSON body, in the order
// new lines then single quotes (both together last), and returns the first
// result that is valid JSON. ok is false when nothing repaired the body.
// The body itself is never modified.
func (s Sanitizers) Repair(body []byte) (fixed []byte, ok bool) {
	if s.NewLines {
		b := escapeControlInStrings(body, '"')
		if b != nil && fastjson.ValidateBytes(b) == nil {
			return b, true
		}
		if b == nil {
			b = body
		}
		if arr, ok := concatenated(b); ok {
			return arr, true
		}
	}
	if s.SingleQuotes {
		b := singleToDoubleQuotes(body)
		if fastjson.ValidateBytes(b) == nil {
			return b, true
		}
		if s.NewLines {
			if b2 := escapeControlInStrings(b, '"'); b2 != nil && fastjson.ValidateBytes(b2) == nil {
				return b2, true
			}
		}
	}
	return nil, false
}

// escapeControlInStrings escapes control characters inside strings quoted
// with q. It returns nil when there was nothing to escape.
func escapeControlInStrings(b []byte, q byte) []byte {
	var out []byte
	in := false
	for i := 0; i < len(b); i++ {
		c := b[i]
		if in {
			switch {
			case c == '\\' && i+1 < len(b):
				if out != nil {
					out = append(out, c, b[i+1])
				}
				i++
				continue
			case c == q:
				in = false
			case c < 0x20:
				if out == nil {
					out = append(make([]byte, 0, len(b)+16), b[:i]...)
				}
				switch c {
				case '\n':
					out = append(out, '\\', 'n')
				case '\r':
					out = append(out, '\\', 'r')
				case '\t':
					out = append(out, '\\', 't')
				default:
					out = append(out, fmt.Sprintf("\\u%04x", c)...)
				}
				continue
			}
		} else if c == q {
			in = true
		}
		if out != nil {
			out = append(out, c)
		}
	}
	return out
}

// singleToDoubleQuotes rewrites single-quoted strings as double-quoted
// strings; double-quoted strings are copied unchanged.
func singleToDoubleQuotes(b []byte) []byte {
	out := make([]byte, 0, len(b)+16)
	const (
		outside = iota
		inDouble
		inSingle
	)
	state := outside
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch state {
		case outside:
			switch c {
			case '"':
				state = inDouble
				out = append(out, c)
			case '\'':
				state = inSingle
				out = append(out, '"')
			default:
				out = append(out, c)
			}
		case inDouble:
			out = append(out, c)
			if c == '\\' && i+1 < len(b) {
				out = append(out, b[i+1])
				i++
			} else if c == '"' {
				state = outside
			}
		case inSingle:
			switch {
			case c == '\\' && i+1 < len(b) && b[i+1] == '\'':
				out = append(out, '\'')
				i++
			case c == '\\' && i+1 < len(b):
				out = append(out, c, b[i+1])
				i++
			case c == '"':
				out = append(out, '\\', '"')
			case c == '\'':
				out = append(out, '"')
				state = outside
			default:
				out = append(out, c)
			}
		}
	}
	return bytes.TrimSpace(out)
}

// concatenated turns a body of two or more JSON values separated by blanks
// (new-line delimited JSON) into an array of them, values byte for byte.
func concatenated(b []byte) ([]byte, bool) {
	dec := json.NewDecoder(bytes.NewReader(b))
	out := []byte{'['}
	n := 0
	for {
		var v json.RawMessage
		err := dec.Decode(&v)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, false
		}
		if n > 0 {
			out = append(out, ',')
		}
		out = append(out, v...)
		n++
	}
	if n < 2 {
		return nil, false
	}
	out = append(out, ']')
	return out, fastjson.ValidateBytes(out) == nil
}
