package graphapi

import "errors"

// A small scanner over raw JSON text: it finds top-level members and array
// elements as byte spans without decoding them, so a page of thousands of
// alerts is never held as a tree.

var errSyntax = errors.New("invalid JSON")

func skipWS(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index after the string starting at b[i] == '"',
// or -1.
func skipString(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return -1
}

// skipValue returns the index after the value starting at b[i], or -1.
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for ; i < len(b); i++ {
			switch b[i] {
			case '"':
				j := skipString(b, i)
				if j < 0 {
					return -1
				}
				i = j - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
		}
		return -1
	default:
		j := i
		for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ']' && b[j] != ' ' && b[j] != '\n' && b[j] != '\r' && b[j] != '\t' {
			j++
		}
		if j == i {
			return -1
		}
		return j
	}
}

// eachMember calls fn with the raw key (without quotes, escapes kept) and
// raw value of every member of the object obj.
func eachMember(obj []byte, fn func(key, val []byte) error) error {
	i := skipWS(obj, 0)
	if i >= len(obj) || obj[i] != '{' {
		return errSyntax
	}
	i = skipWS(obj, i+1)
	if i < len(obj) && obj[i] == '}' {
		return nil
	}
	for {
		if i >= len(obj) || obj[i] != '"' {
			return errSyntax
		}
		ke := skipString(obj, i)
		if ke < 0 {
			return errSyntax
		}
		key := obj[i+1 : ke-1]
		i = skipWS(obj, ke)
		if i >= len(obj) || obj[i] != ':' {
			return errSyntax
		}
		i = skipWS(obj, i+1)
		ve := skipValue(obj, i)
		if ve < 0 {
			return errSyntax
		}
		if err := fn(key, obj[i:ve]); err != nil {
			return err
		}
		i = skipWS(obj, ve)
		if i >= len(obj) {
			return errSyntax
		}
		if obj[i] == '}' {
			return nil
		}
		if obj[i] != ',' {
			return errSyntax
		}
		i = skipWS(obj, i+1)
	}
}

// member returns the raw value of the top-level key of obj (the last one
// if repeated).
func member(obj []byte, key string) ([]byte, bool, error) {
	var out []byte
	found := false
	err := eachMember(obj, func(k, v []byte) error {
		if string(k) == key { // the last one wins, as in encoding/json
			out, found = v, true
		}
		return nil
	})
	return out, found, err
}
