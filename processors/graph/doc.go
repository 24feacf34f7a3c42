package graph

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/elastic/elastic-agent-libs/mapstr"
)

// doc collects the ECS fields of one document as a flat map of dotted
// paths (lists in insertion order, scalars) plus the recorded errors.
type doc struct {
	f    map[string]any
	errs []string
	// keepOriginal forces event.original onto the document (input that
	// could not be mapped was left out of it).
	keepOriginal bool
}

func newDoc() *doc { return &doc{f: make(map[string]any, 48)} }

// add is C2: append the text of v to the list at path unless present.
// Arrays add each element; null and other values render empty.
func (d *doc) add(path string, v any) {
	if a, ok := v.([]any); ok {
		for _, x := range a {
			d.addText(path, text(x))
		}
		return
	}
	d.addText(path, text(v))
}

func (d *doc) addText(path, s string) {
	l, _ := d.f[path].([]any)
	for _, x := range l {
		if x == s {
			return
		}
	}
	d.f[path] = append(l, s)
}

// set stores a scalar or a finished list at path.
func (d *doc) set(path string, v any) { d.f[path] = v }

// copyIf is C3: set path to a deep copy of v unless v is null or "".
func (d *doc) copyIf(path string, v any) {
	if v == nil || v == "" {
		return
	}
	d.f[path] = deepCopy(v)
}

// list returns the list at path (nil when absent or not a list).
func (d *doc) list(path string) []any {
	l, _ := d.f[path].([]any)
	return l
}

// errorf records an error text (bounded: texts may quote the input).
func (d *doc) errorf(msg string) {
	if len(msg) > maxErrorLen {
		cut := maxErrorLen
		for cut > 0 && !utf8.RuneStart(msg[cut]) {
			cut--
		}
		msg = msg[:cut] + "…"
	}
	d.errs = append(d.errs, msg)
}

const maxErrorLen = 300

// fields builds the nested document.
func (d *doc) fields() mapstr.M {
	root := mapstr.M{}
	for p, v := range d.f {
		putPath(root, p, v)
	}
	return root
}

// putPath stores v at the dotted path, creating objects as needed.
func putPath(m mapstr.M, path string, v any) {
	for {
		i := strings.IndexByte(path, '.')
		if i < 0 {
			m[path] = v
			return
		}
		k := path[:i]
		next, ok := m[k].(mapstr.M)
		if !ok {
			next = mapstr.M{}
			m[k] = next
		}
		m, path = next, path[i+1:]
	}
}

func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = deepCopy(e)
		}
		return m
	case []any:
		a := make([]any, len(x))
		for i, e := range x {
			a[i] = deepCopy(e)
		}
		return a
	}
	return v
}

// getIn returns the value at a key path inside nested objects.
func getIn(m map[string]any, keys ...string) (any, bool) {
	var cur any = m
	for _, k := range keys {
		o, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = o[k]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// setIn stores v at a key path inside nested objects, creating them (and
// replacing non-objects on the way).
func setIn(m map[string]any, v any, keys ...string) {
	for _, k := range keys[:len(keys)-1] {
		next, ok := m[k].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[k] = next
		}
		m = next
	}
	m[keys[len(keys)-1]] = v
}

// delIn deletes the key at a key path.
func delIn(m map[string]any, keys ...string) {
	for _, k := range keys[:len(keys)-1] {
		next, ok := m[k].(map[string]any)
		if !ok {
			return
		}
		m = next
	}
	delete(m, keys[len(keys)-1])
}

// cleanup is §14: drop nulls, empty strings and (after their own cleanup)
// empty objects and arrays, recursively. It reports whether v is kept and
// returns the value to store (only arrays change identity; scalars are
// returned as given, without re-boxing).
func cleanup(v any) (any, bool) {
	switch x := v.(type) {
	case nil:
		return nil, false
	case string:
		return v, x != ""
	case map[string]any:
		cleanupMap(x)
		return v, len(x) > 0
	case mapstr.M:
		cleanupMap(x)
		return v, len(x) > 0
	case []any:
		out := x[:0]
		for _, e := range x {
			if c, ok := cleanup(e); ok {
				out = append(out, c)
			}
		}
		if len(out) == len(x) {
			return v, len(out) > 0
		}
		clear(x[len(out):])
		return out, len(out) > 0
	}
	return v, true
}

func cleanupMap(m map[string]any) {
	for k, e := range m {
		c, ok := cleanup(e)
		switch {
		case !ok:
			delete(m, k)
		case isSlice(e):
			m[k] = c
		}
	}
}

func isSlice(v any) bool {
	_, ok := v.([]any)
	return ok
}

// prune is the §11.1 pre-pass: remove empty strings recursively, and the
// objects/arrays that become empty because of it (nulls are kept).
func prune(v any) (any, bool) {
	switch x := v.(type) {
	case string:
		return v, x != ""
	case map[string]any:
		if len(x) == 0 {
			return v, true
		}
		for k, e := range x {
			c, ok := prune(e)
			switch {
			case !ok:
				delete(x, k)
			case isSlice(e):
				x[k] = c
			}
		}
		return v, len(x) > 0
	case []any:
		if len(x) == 0 {
			return v, true
		}
		out := x[:0]
		for _, e := range x {
			if c, ok := prune(e); ok {
				out = append(out, c)
			}
		}
		if len(out) == len(x) {
			return v, true
		}
		clear(x[len(out):])
		return out, len(out) > 0
	}
	return v, true
}

// pruneEvidence runs the §11.1 pre-pass over the evidence array, which
// itself stays (possibly empty).
func pruneEvidence(evidence []any) []any {
	if len(evidence) == 0 {
		return evidence
	}
	p, _ := prune(evidence)
	out, _ := p.([]any)
	if out == nil {
		out = []any{}
	}
	return out
}

// indexableEvidence is an m365beat deviation from the spec, which stores
// the evidence value as it is: evidence that is not an array of objects
// could not be indexed (the field is an object) and the whole document
// would be rejected. Such parts are left out, an error is recorded and
// event.original is kept, so nothing is lost. Graph never sends them.
func indexableEvidence(v any, d *doc, label string) (any, bool) {
	switch x := v.(type) {
	case nil:
		return nil, false
	case []any:
		out := x[:0]
		dropped := 0
		for _, e := range x {
			switch e.(type) {
			case map[string]any, nil:
				out = append(out, e)
			default:
				dropped++
			}
		}
		if dropped > 0 {
			d.errorf(fmt.Sprintf("%s: %d element(s) are not objects: left out of the document, kept in event.original", label, dropped))
			d.keepOriginal = true
		}
		return out, true
	default:
		d.errorf(label + ": not an array: left out of the document, kept in event.original")
		d.keepOriginal = true
		return nil, false
	}
}
