package ecs

import (
	"encoding/json"
	"strconv"

	"github.com/elastic/elastic-agent-libs/mapstr"
	"github.com/valyala/fastjson"
)

// Value converts a parsed JSON value to the Go value stored in documents:
// null → nil, strings → string, integers → int64 (uint64 above MaxInt64,
// json.Number beyond that: digits are never lost, C-1), other numbers →
// float64 (malformed number text that the lenient parser let through is
// kept as a string), booleans → bool, objects → mapstr.M (keys kept
// literally, C-8), arrays → []any. A nil *fastjson.Value gives nil.
func Value(v *fastjson.Value) any { return (*Arena)(nil).Value(v) }

func mapOf(m map[string]any) any { return m }

// Number converts a JSON number keeping integer-ness and exact digits.
func Number(v *fastjson.Value) any {
	raw := v.String()
	if !validNumber(raw) {
		// fastjson is lenient about number syntax ("92+0"): keep the text.
		return raw
	}
	if i, err := v.Int64(); err == nil {
		return i
	}
	if isIntText(raw) {
		if u, err := strconv.ParseUint(raw, 10, 64); err == nil {
			return u
		}
		return json.Number(raw)
	}
	if f, err := v.Float64(); err == nil {
		return f
	}
	return json.Number(raw)
}

// validNumber reports whether s follows the JSON number grammar.
func validNumber(s string) bool {
	i, n := 0, len(s)
	if i < n && s[i] == '-' {
		i++
	}
	if i >= n {
		return false
	}
	if s[i] == '0' {
		i++
	} else if s[i] >= '1' && s[i] <= '9' {
		for i < n && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	} else {
		return false
	}
	if i < n && s[i] == '.' {
		i++
		j := i
		for i < n && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == j {
			return false
		}
	}
	if i < n && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < n && (s[i] == '+' || s[i] == '-') {
			i++
		}
		j := i
		for i < n && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == j {
			return false
		}
	}
	return i == n
}

func isIntText(s string) bool {
	if s == "" {
		return false
	}
	if s[0] == '-' {
		s = s[1:]
	}
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Text renders a value as text (C-5, C-6 to-string): strings as they are,
// integers in decimal, booleans true/false, floats like Java's
// Double.toString for common values, anything else as compact JSON.
func Text(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case int:
		return strconv.Itoa(x)
	case uint64:
		return strconv.FormatUint(x, 10)
	case json.Number:
		return string(x)
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return JavaDouble(x)
	case nil:
		return ""
	}
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}

// JavaDouble renders f like Java's Double.toString for the usual ranges:
// at least one fraction digit ("1.0"), scientific notation outside
// [1e-3, 1e7) ("1.0E20").
func JavaDouble(f float64) string {
	a := f
	if a < 0 {
		a = -a
	}
	if a == 0 || (a >= 1e-3 && a < 1e7) {
		s := strconv.FormatFloat(f, 'f', -1, 64)
		for i := 0; i < len(s); i++ {
			if s[i] == '.' {
				return s
			}
		}
		return s + ".0"
	}
	s := strconv.FormatFloat(f, 'E', -1, 64) // 1E+20, 1.5E-05
	mant, exp := s, ""
	for i := 0; i < len(s); i++ {
		if s[i] == 'E' {
			mant, exp = s[:i], s[i+1:]
			break
		}
	}
	hasDot := false
	for i := 0; i < len(mant); i++ {
		if mant[i] == '.' {
			hasDot = true
		}
	}
	if !hasDot {
		mant += ".0"
	}
	if len(exp) > 0 && exp[0] == '+' {
		exp = exp[1:]
	}
	// drop leading zeros of the exponent
	neg := false
	if len(exp) > 0 && exp[0] == '-' {
		neg, exp = true, exp[1:]
	}
	for len(exp) > 1 && exp[0] == '0' {
		exp = exp[1:]
	}
	if neg {
		exp = "-" + exp
	}
	return mant + "E" + exp
}

// ToLong converts a value with Elasticsearch `convert` to-long semantics:
// its text must be [+-]?digits or [-]0x hex digits.
func ToLong(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case int:
		return int64(x), true
	case bool, float64, nil, mapstr.M, []any:
		return 0, false
	}
	s := Text(v)
	neg := false
	t := s
	if len(t) > 0 && (t[0] == '+' || t[0] == '-') {
		neg = t[0] == '-'
		t = t[1:]
	}
	if len(t) > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X') {
		if s[0] == '+' {
			return 0, false
		}
		u, err := strconv.ParseInt(t[2:], 16, 64)
		if err != nil {
			return 0, false
		}
		if neg {
			u = -u
		}
		return u, true
	}
	i, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, false
	}
	return i, true
}

// Truthy applies C-7: booleans as they are; integer 1/0; strings "1",
// "true" / "0", "false". ok is false when the result is "none".
func Truthy(v any) (val, ok bool) {
	switch x := v.(type) {
	case bool:
		return x, true
	case int64:
		if x > 2147483647 || x < -2147483648 { // Long, not Integer
			return false, false
		}
		switch x {
		case 1:
			return true, true
		case 0:
			return false, true
		}
	case string:
		switch x {
		case "1", "true":
			return true, true
		case "0", "false":
			return false, true
		}
	}
	return false, false
}

// Empty reports whether v is null or the empty string (C-2).
func Empty(v any) bool {
	if v == nil {
		return true
	}
	s, ok := v.(string)
	return ok && s == ""
}
