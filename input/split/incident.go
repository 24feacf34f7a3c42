package split

import (
	"errors"
	"fmt"
	"slices"

	"github.com/valyala/fastjson"
)

// ErrNotObject is returned for a record that is not a JSON object.
var ErrNotObject = errors.New("record is not a JSON object")

// Incident calls fn once per document the incident stream produces for one
// incident object, as incident.md §1 says: with a non-empty `alerts` array,
// one message per alert (the incident with `alerts` holding that single
// alert, serialised as alert.md §1 says: compact, keys sorted at every
// depth, Go-style escaping — see Canonical); otherwise one message, the
// incident itself exactly as received (an already split record, whose
// event.original is the text verbatim). Messages are fresh slices the
// caller may keep. An error from fn stops the iteration and is returned.
func Incident(incident []byte, fn func(msg []byte) error) error {
	return splitIncident(incident, false, fn)
}

// IncidentSorted is Incident for elements of a polled page: an incident
// that is not split (no or empty `alerts`) is also passed in the key-sorted
// form of Canonical, as a collector writes event.original (incident.md §1).
func IncidentSorted(incident []byte, fn func(msg []byte) error) error {
	return splitIncident(incident, true, fn)
}

// IncidentPage splits a Graph incidents list response: every element goes
// through IncidentSorted.
func IncidentPage(body []byte, fn func(msg []byte) error) error {
	return GraphList(body, func(item []byte) error { return IncidentSorted(item, fn) })
}

// AlertPage splits a Graph alerts_v2 list response: every element is passed
// in the key-sorted form of Canonical (alert.md §1).
func AlertPage(body []byte, fn func(msg []byte) error) error {
	var scratch []byte
	return GraphList(body, func(item []byte) error {
		var c canon
		scratch = scratch[:0]
		scratch, _ = c.value(scratch, item, 0)
		return fn(slices.Clone(scratch))
	})
}

func splitIncident(raw []byte, sorted bool, fn func([]byte) error) error {
	if err := fastjson.ValidateBytes(raw); err != nil {
		return fmt.Errorf("incident: invalid JSON: %w", err)
	}
	start := skipWS(raw, 0)
	if raw[start] != '{' {
		return ErrNotObject
	}
	end := skipValue(raw, start)
	rec := raw[start:end]
	var c canon
	c.collect(rec)
	ms := c.members
	slices.SortStableFunc(ms, func(x, y member) int { return bytesCompare(x.key, y.key) })
	ms = dedupe(ms)
	ai := -1
	for k := range ms {
		if string(ms[k].key) == "alerts" {
			ai = k
		}
	}
	if ai < 0 || rec[ms[ai].vs] != '[' || isEmptyArray(rec[ms[ai].vs:ms[ai].ve]) {
		if !sorted {
			return fn(slices.Clone(rec))
		}
		out, _ := (&canon{}).value(nil, rec, 0)
		return fn(out)
	}
	// Canonical text of the members before and after "alerts", computed once.
	var inner canon
	var prefix, suffix []byte
	for k, m := range ms {
		var dst *[]byte
		switch {
		case k < ai:
			dst = &prefix
		case k > ai:
			dst = &suffix
		default:
			continue
		}
		*dst = append(*dst, ',')
		*dst = appendGoString(*dst, m.key)
		*dst = append(*dst, ':')
		*dst, _ = inner.value(*dst, rec, m.vs)
	}
	if len(prefix) > 0 {
		prefix = prefix[1:] // drop the leading comma
	}
	alerts := rec[ms[ai].vs:ms[ai].ve]
	return eachElement(alerts, func(alert []byte) error {
		out := make([]byte, 0, len(prefix)+len(suffix)+len(alert)+16)
		out = append(out, '{')
		out = append(out, prefix...)
		if len(prefix) > 0 {
			out = append(out, ',')
		}
		out = append(out, `"alerts":`...)
		out, _ = inner.value(out, alert, 0)
		out = append(out, suffix...)
		out = append(out, '}')
		return fn(out)
	})
}

// collect appends the members of the valid JSON object b to c.members.
func (c *canon) collect(b []byte) {
	i := skipWS(b, 1)
	for i < len(b) && b[i] != '}' {
		ke := skipString(b, i)
		key := b[i+1 : ke-1]
		if needsUnescape(key) {
			key = unescape(nil, key)
		}
		i = skipWS(b, ke)
		i = skipWS(b, i+1)
		vs := i
		i = skipValue(b, i)
		c.members = append(c.members, member{key: key, vs: vs, ve: i})
		i = skipWS(b, i)
		if i < len(b) && b[i] == ',' {
			i = skipWS(b, i+1)
		}
	}
}

// dedupe keeps the last of each run of equal keys of sorted members.
func dedupe(ms []member) []member {
	out := ms[:0]
	for k := range ms {
		if k+1 < len(ms) && string(ms[k].key) == string(ms[k+1].key) {
			continue
		}
		out = append(out, ms[k])
	}
	return out
}

func isEmptyArray(a []byte) bool {
	return skipWS(a, 1) < len(a) && a[skipWS(a, 1)] == ']'
}
