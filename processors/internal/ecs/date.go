// Package ecs holds the helpers shared by the m365_defender mappers: dates,
// IP literals, command-line splitting, related.* accumulation, JSON values,
// empty-value pruning, error.message appends and entity-id fingerprints.
package ecs

import (
	"time"
)

// dateLayout is the output form of every normalised date: UTC, exactly
// three fraction digits (truncated), literal Z.
const dateLayout = "2006-01-02T15:04:05.000Z"

// NormalizeDate parses a lenient ISO-8601 text (spec event-envelope §4) and
// returns it as UTC with millisecond truncation. Accepted forms:
// YYYY-MM-DD, YYYY-MM-DDTHH:MM, YYYY-MM-DDTHH:MM:SS, 1–9 fraction digits,
// optional zone Z, ±HH:MM or ±HHMM (no zone = UTC).
func NormalizeDate(s string) (string, bool) {
	t, ok := ParseDate(s)
	if !ok {
		return "", false
	}
	return FormatDate(t), true
}

// FormatDate formats t (UTC) as YYYY-MM-DDTHH:MM:SS.mmmZ, truncating to
// milliseconds.
func FormatDate(t time.Time) string {
	year, month, day := t.Date()
	hour, minute, sec := t.Clock()
	if year < 0 || year > 9999 {
		var buf [32]byte
		return string(t.AppendFormat(buf[:0], dateLayout))
	}
	ms := t.Nanosecond() / 1e6
	var b [24]byte
	put := func(at, v, n int) {
		for i := at + n - 1; i >= at; i-- {
			b[i] = byte('0' + v%10)
			v /= 10
		}
	}
	put(0, year, 4)
	b[4] = '-'
	put(5, int(month), 2)
	b[7] = '-'
	put(8, day, 2)
	b[10] = 'T'
	put(11, hour, 2)
	b[13] = ':'
	put(14, minute, 2)
	b[16] = ':'
	put(17, sec, 2)
	b[19] = '.'
	put(20, ms, 3)
	b[23] = 'Z'
	return string(b[:])
}

// ParseDate parses the forms accepted by NormalizeDate.
func ParseDate(s string) (time.Time, bool) {
	n := len(s)
	if n < 10 || s[4] != '-' || s[7] != '-' {
		return time.Time{}, false
	}
	year, ok1 := digits(s, 0, 4)
	month, ok2 := digits(s, 5, 2)
	day, ok3 := digits(s, 8, 2)
	if !ok1 || !ok2 || !ok3 || month < 1 || month > 12 || day < 1 || day > 31 {
		return time.Time{}, false
	}
	var hour, minute, sec, nsec int
	loc := time.UTC
	i := 10
	if i < n {
		if s[i] != 'T' && s[i] != 't' {
			return time.Time{}, false
		}
		i++
		var ok bool
		if hour, ok = digits(s, i, 2); !ok || i+2 >= n || s[i+2] != ':' {
			return time.Time{}, false
		}
		i += 3
		if minute, ok = digits(s, i, 2); !ok {
			return time.Time{}, false
		}
		i += 2
		if i < n && s[i] == ':' {
			if sec, ok = digits(s, i+1, 2); !ok {
				return time.Time{}, false
			}
			i += 3
			if i < n && (s[i] == '.' || s[i] == ',') {
				i++
				start := i
				scale := 100000000
				for i < n && s[i] >= '0' && s[i] <= '9' {
					if i-start >= 9 {
						return time.Time{}, false
					}
					nsec += int(s[i]-'0') * scale
					scale /= 10
					i++
				}
				if i == start {
					return time.Time{}, false
				}
			}
		}
		if hour > 23 || minute > 59 || sec > 59 {
			return time.Time{}, false
		}
		if i < n {
			switch s[i] {
			case 'Z', 'z':
				i++
			case '+', '-':
				sign := 1
				if s[i] == '-' {
					sign = -1
				}
				i++
				zh, ok := digits(s, i, 2)
				if !ok {
					return time.Time{}, false
				}
				i += 2
				if i < n && s[i] == ':' {
					i++
				}
				zm, ok := digits(s, i, 2)
				if !ok || zh > 18 || zm > 59 {
					return time.Time{}, false
				}
				i += 2
				loc = time.FixedZone("", sign*(zh*3600+zm*60))
			default:
				return time.Time{}, false
			}
		}
		if i != n {
			return time.Time{}, false
		}
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, loc)
	if t.Day() != day { // e.g. February 30
		return time.Time{}, false
	}
	return t.UTC(), true
}

func digits(s string, at, n int) (int, bool) {
	if at+n > len(s) {
		return 0, false
	}
	v := 0
	for i := at; i < at+n; i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}
