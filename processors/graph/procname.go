package graph

import (
	"strings"
	"unicode/utf16"
)

// commandName is alert.md §12 step 2 for one command line.
func commandName(cl string) string {
	cl = strings.TrimFunc(cl, func(r rune) bool { return r <= ' ' })
	if i := strings.IndexByte(cl, ' '); i >= 0 {
		cl = cl[:i]
	}
	if i := strings.LastIndexByte(cl, '/'); i >= 0 {
		cl = cl[i+1:]
	}
	return strings.ReplaceAll(cl, `"`, "")
}

// processName is alert.md §12 steps 2–3: start, plus the names of the
// non-empty command lines, de-duplicated; one value → that string, else a
// list in Java HashSet iteration order; no value → absent (nil).
func processName(start []string, cmdlines []any) any {
	var names []string
	addName := func(s string) {
		for _, x := range names {
			if x == s {
				return
			}
		}
		names = append(names, s)
	}
	for _, s := range start {
		addName(s)
	}
	for _, c := range cmdlines {
		if s, ok := c.(string); ok && s != "" {
			addName(commandName(s))
		}
	}
	switch len(names) {
	case 0:
		return nil
	case 1:
		return names[0]
	}
	out := make([]any, 0, len(names))
	for _, s := range javaHashSetOrder(names) {
		out = append(out, s)
	}
	return out
}

// javaHashSetOrder returns distinct values in the iteration order of a
// java.util.HashSet<String> filled in the given order.
func javaHashSetOrder(vals []string) []string {
	capacity := 16
	for float64(len(vals)) > 0.75*float64(capacity) {
		capacity *= 2
	}
	buckets := make([][]string, capacity)
	for _, s := range vals {
		h := javaHash(s)
		i := int((h ^ (h >> 16)) & uint32(capacity-1))
		buckets[i] = append(buckets[i], s)
	}
	out := make([]string, 0, len(vals))
	for _, b := range buckets {
		out = append(out, b...)
	}
	return out
}

// javaHash is java.lang.String.hashCode.
func javaHash(s string) uint32 {
	var h uint32
	for _, r := range s {
		if r >= 0x10000 {
			r1, r2 := utf16.EncodeRune(r)
			h = 31*h + uint32(r1)
			h = 31*h + uint32(r2)
			continue
		}
		h = 31*h + uint32(r)
	}
	return h
}
