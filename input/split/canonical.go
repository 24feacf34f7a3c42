package split

import (
	"fmt"
	"slices"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/valyala/fastjson"
)

// Canonical appends to dst the JSON text raw re-serialised the way Go's
// encoding/json serialises a generic map decoded from it (alert.md §1): no
// whitespace, object keys sorted in byte order at every depth (of duplicate
// keys the last wins), strings re-escaped with `<`, `>`, `&`, U+2028 and
// U+2029 as \uXXXX and other non-ASCII text raw (invalid UTF-8 and lone
// surrogates become U+FFFD), numbers kept as their literal text.
func Canonical(dst, raw []byte) ([]byte, error) {
	if err := fastjson.ValidateBytes(raw); err != nil {
		return dst, fmt.Errorf("invalid JSON: %w", err)
	}
	var c canon
	dst, _ = c.value(dst, raw, skipWS(raw, 0))
	return dst, nil
}

// member is one key/value pair of an object being canonicalised.
type member struct {
	key    []byte // unescaped key
	vs, ve int    // value span in the source
}

// canon holds scratch space reused across the recursion.
type canon struct {
	members []member
	keybuf  []byte
}

// value appends the canonical form of the valid JSON value at b[i] and
// returns the index after it.
func (c *canon) value(dst, b []byte, i int) ([]byte, int) {
	switch b[i] {
	case '{':
		return c.object(dst, b, i)
	case '[':
		dst = append(dst, '[')
		i = skipWS(b, i+1)
		first := true
		for i < len(b) && b[i] != ']' {
			if !first {
				dst = append(dst, ',')
			}
			first = false
			dst, i = c.value(dst, b, i)
			i = skipWS(b, i)
			if b[i] == ',' {
				i = skipWS(b, i+1)
			}
		}
		return append(dst, ']'), i + 1
	case '"':
		e := skipString(b, i)
		return appendCanonString(dst, b[i+1:e-1]), e
	default:
		e := skipValue(b, i)
		return append(dst, b[i:e]...), e
	}
}

func (c *canon) object(dst, b []byte, i int) ([]byte, int) {
	base := len(c.members)
	i = skipWS(b, i+1)
	for i < len(b) && b[i] != '}' {
		ke := skipString(b, i)
		key := b[i+1 : ke-1]
		if needsUnescape(key) {
			key = unescape(nil, key)
		}
		i = skipWS(b, ke)
		i = skipWS(b, i+1) // ':'
		vs := i
		i = skipValue(b, i)
		c.members = append(c.members, member{key: key, vs: vs, ve: i})
		i = skipWS(b, i)
		if b[i] == ',' {
			i = skipWS(b, i+1)
		}
	}
	end := i + 1
	ms := c.members[base:]
	slices.SortStableFunc(ms, func(x, y member) int { return bytesCompare(x.key, y.key) })
	dst = append(dst, '{')
	first := true
	for k := 0; k < len(ms); k++ {
		if k+1 < len(ms) && string(ms[k].key) == string(ms[k+1].key) {
			continue // duplicate key: the last one wins
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = appendGoString(dst, ms[k].key)
		dst = append(dst, ':')
		m := ms[k]
		dst, _ = c.value(dst, b, m.vs)
		ms = c.members[base:] // c.members may have grown in the recursion
	}
	c.members = c.members[:base]
	return append(dst, '}'), end
}

func bytesCompare(a, b []byte) int {
	switch {
	case string(a) < string(b):
		return -1
	case string(a) > string(b):
		return 1
	}
	return 0
}

// needsUnescape reports whether the raw string content s differs from its
// decoded text: escapes, or bytes that are not valid UTF-8.
func needsUnescape(s []byte) bool {
	ascii := true
	for _, ch := range s {
		if ch == '\\' {
			return true
		}
		if ch >= utf8.RuneSelf {
			ascii = false
		}
	}
	return !ascii && !utf8.Valid(s)
}

// appendCanonString appends the canonical JSON string for the raw content s
// (between the quotes) of a valid JSON string.
func appendCanonString(dst, s []byte) []byte {
	fast := true
	for _, ch := range s {
		if ch == '\\' || ch == '<' || ch == '>' || ch == '&' || ch >= utf8.RuneSelf {
			fast = false
			break
		}
	}
	if fast {
		dst = append(dst, '"')
		dst = append(dst, s...)
		return append(dst, '"')
	}
	var tmp [256]byte
	u := tmp[:0]
	if needsUnescape(s) {
		u = unescape(u, s)
	} else {
		u = s
	}
	return appendGoString(dst, u)
}

// unescape appends the decoded text of the raw JSON string content s as Go's
// encoding/json decodes it.
func unescape(dst, s []byte) []byte {
	for i := 0; i < len(s); {
		ch := s[i]
		if ch == '\\' && i+1 < len(s) {
			switch s[i+1] {
			case 'b':
				dst = append(dst, '\b')
			case 'f':
				dst = append(dst, '\f')
			case 'n':
				dst = append(dst, '\n')
			case 'r':
				dst = append(dst, '\r')
			case 't':
				dst = append(dst, '\t')
			case 'u':
				r := hex4(s[i+2:])
				i += 6
				if utf16.IsSurrogate(r) {
					if i+6 <= len(s) && s[i] == '\\' && s[i+1] == 'u' {
						if d := utf16.DecodeRune(r, hex4(s[i+2:])); d != utf8.RuneError {
							dst = utf8.AppendRune(dst, d)
							i += 6
							continue
						}
					}
					r = utf8.RuneError
				}
				dst = utf8.AppendRune(dst, r)
				continue
			default: // '"', '\\', '/'
				dst = append(dst, s[i+1])
			}
			i += 2
			continue
		}
		if ch < utf8.RuneSelf {
			dst = append(dst, ch)
			i++
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = utf8.AppendRune(dst, utf8.RuneError)
		} else {
			dst = append(dst, s[i:i+size]...)
		}
		i += size
	}
	return dst
}

func hex4(s []byte) rune {
	if len(s) < 4 {
		return -1
	}
	var r rune
	for _, c := range s[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r*16 + rune(c)
	}
	return r
}

const hexDigits = "0123456789abcdef"

// appendGoString appends s (valid UTF-8 text) as a JSON string escaped the
// way encoding/json escapes with HTML escaping on.
func appendGoString(dst, s []byte) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' && b != '<' && b != '>' && b != '&' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, "\ufffd"...)
			i++
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
