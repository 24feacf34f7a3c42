package graph

import (
	"errors"
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// dateLayout is the output of C1: UTC, exactly three fractional digits.
const dateLayout = "2006-01-02T15:04:05.000Z"

var errDate = errors.New("not an ISO-8601 date")

// parseDate parses an ISO-8601 date (date, optional time with optional
// seconds and a fraction of 1–9 digits, optional Z or ±hh[:mm]; no zone
// means UTC).
func parseDate(s string) (time.Time, error) {
	p := dateParser{s: s}
	y, ok1 := p.digits(4)
	ok2 := p.lit('-')
	mo, ok3 := p.digits(2)
	ok4 := p.lit('-')
	d, ok5 := p.digits(2)
	if !(ok1 && ok2 && ok3 && ok4 && ok5) {
		return time.Time{}, errDate
	}
	var hh, mm, ss, nsec int
	loc := time.UTC
	if p.i < len(s) {
		if s[p.i] != 'T' && s[p.i] != 't' && s[p.i] != ' ' {
			return time.Time{}, errDate
		}
		p.i++
		var ok bool
		if hh, ok = p.digits(2); !ok || !p.lit(':') {
			return time.Time{}, errDate
		}
		if mm, ok = p.digits(2); !ok {
			return time.Time{}, errDate
		}
		if p.lit(':') {
			if ss, ok = p.digits(2); !ok {
				return time.Time{}, errDate
			}
			if p.lit('.') || p.lit(',') {
				start := p.i
				for p.i < len(s) && s[p.i] >= '0' && s[p.i] <= '9' {
					p.i++
				}
				n := p.i - start
				if n < 1 || n > 9 {
					return time.Time{}, errDate
				}
				f, _ := strconv.Atoi(s[start:p.i])
				nsec = f * int(math.Pow10(9-n))
			}
		}
		if p.i < len(s) {
			switch s[p.i] {
			case 'Z', 'z':
				p.i++
			case '+', '-':
				sign := 1
				if s[p.i] == '-' {
					sign = -1
				}
				p.i++
				oh, ok := p.digits(2)
				if !ok {
					return time.Time{}, errDate
				}
				om := 0
				if p.lit(':') {
					if om, ok = p.digits(2); !ok {
						return time.Time{}, errDate
					}
				} else if p.i < len(s) {
					if om, ok = p.digits(2); !ok {
						return time.Time{}, errDate
					}
				}
				if oh > 18 || om > 59 {
					return time.Time{}, errDate
				}
				loc = time.FixedZone("", sign*(oh*3600+om*60))
			default:
				return time.Time{}, errDate
			}
		}
		if p.i != len(s) {
			return time.Time{}, errDate
		}
	}
	if mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) || hh > 23 || mm > 59 || ss > 59 {
		return time.Time{}, errDate
	}
	return time.Date(y, time.Month(mo), d, hh, mm, ss, nsec, loc).UTC(), nil
}

func daysIn(y, m int) int {
	return time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

type dateParser struct {
	s string
	i int
}

func (p *dateParser) digits(n int) (int, bool) {
	if p.i+n > len(p.s) {
		return 0, false
	}
	v := 0
	for _, c := range []byte(p.s[p.i : p.i+n]) {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	p.i += n
	return v, true
}

func (p *dateParser) lit(c byte) bool {
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

// normDate is C1: the normalised text of an ISO-8601 date value.
func normDate(v any) (string, error) {
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("date value %s is not a string", short(v))
	}
	t, err := parseDate(s)
	if err != nil {
		return "", fmt.Errorf("unable to parse date [%s]", s)
	}
	return t.Format(dateLayout), nil
}

// toIP is C5 to-ip: the value must be a textual IP address; it is kept.
func toIP(v any) (any, error) {
	s, ok := v.(string)
	if ok {
		if _, err := netip.ParseAddr(s); err == nil {
			return s, nil
		}
	}
	return nil, fmt.Errorf("'%s' is not an IP string literal", short(v))
}

// toLong is C5 to-long: a JSON integer or the text of a decimal integer
// (0x / -0x prefix: hexadecimal).
func toLong(v any) (any, error) {
	switch x := v.(type) {
	case int64:
		return x, nil
	case string:
		s := x
		neg := false
		if strings.HasPrefix(s, "-") {
			neg, s = true, s[1:]
		} else if strings.HasPrefix(s, "+") {
			s = s[1:]
		}
		base := 10
		if strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X") {
			base, s = 16, s[2:]
		}
		if s != "" && s[0] != '-' && s[0] != '+' {
			if n, err := strconv.ParseInt(s, base, 64); err == nil {
				if neg {
					n = -n
				}
				return n, nil
			}
			if neg {
				if n, err := strconv.ParseInt("-"+s, base, 64); err == nil {
					return n, nil
				}
			}
		}
	}
	return nil, fmt.Errorf("unable to convert [%s] to long", short(v))
}

// toStr is C5 to-string.
func toStr(v any) (any, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), nil
	case bool:
		return strconv.FormatBool(x), nil
	}
	return nil, fmt.Errorf("unable to convert [%s] to string", short(v))
}

// text renders a scalar as C2 does: strings as is, integers in decimal,
// booleans true/false; anything else (null, objects) renders empty.
func text(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	}
	return ""
}

// short renders a value for an error text, bounded in length.
func short(v any) string {
	var s string
	switch x := v.(type) {
	case nil:
		s = "null"
	case string:
		s = x
	case map[string]any:
		s = "{…}"
	case []any:
		s = "[…]"
	default:
		s = text(x)
	}
	if len(s) > 64 {
		s = s[:64] + "…"
	}
	return s
}
