// Package golden is the one golden-test driver of m365beat. A case is a pair
// of files: <case>.json (inputs, one per line) and <case>-expected.json (a
// JSON array with the documents the inputs produce, in order). Run the tests
// with -update to rewrite the expected files from the current output.
//
// It also scores the conformance fixtures in ../shared/fixtures, where
// <name>.log pairs with <name>.log-expected.json ({"expected": [...]}).
package golden

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// update is the -update flag of every test binary that imports golden.
var update = flag.Bool("update", false, "rewrite golden *-expected.json files from the current output")

// Func turns one input line into the documents it produces. Documents may be
// any value that encodes to a JSON object (mapstr.M, map[string]any, ...).
type Func func(line []byte) []any

// Dir runs every <case>.json in dir against <case>-expected.json.
func Dir(t *testing.T, dir string, fn Func) {
	t.Helper()
	inputs, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, in := range inputs {
		if strings.HasSuffix(in, "-expected.json") {
			continue
		}
		n++
		name := strings.TrimSuffix(filepath.Base(in), ".json")
		t.Run(name, func(t *testing.T) {
			runCase(t, in, strings.TrimSuffix(in, ".json")+"-expected.json", fn)
		})
	}
	if n == 0 {
		t.Fatalf("no golden cases in %s", dir)
	}
}

func runCase(t *testing.T, inPath, wantPath string, fn Func) {
	var got []any
	for _, line := range Lines(t, inPath) {
		got = append(got, fn(line)...)
	}
	gotDocs := make([]any, len(got))
	for i, d := range got {
		gotDocs[i] = Canonical(t, d)
	}
	if *update {
		b, err := json.MarshalIndent(gotDocs, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(wantPath, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	raw, err := os.ReadFile(wantPath)
	if err != nil {
		t.Fatalf("%v (run the test with -update to create it)", err)
	}
	var want []any
	if err := decode(raw, &want); err != nil {
		t.Fatalf("%s: %v", wantPath, err)
	}
	if len(want) != len(gotDocs) {
		t.Errorf("%d documents, want %d", len(gotDocs), len(want))
	}
	for i := 0; i < len(want) && i < len(gotDocs); i++ {
		for _, d := range Diff(want[i], gotDocs[i], nil) {
			t.Errorf("doc %d: %s", i, d)
		}
	}
}

// Lines returns the non-empty lines of a file (without the newline).
func Lines(t testing.TB, path string) [][]byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out [][]byte
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<20), 64<<20)
	for sc.Scan() {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		out = append(out, append([]byte(nil), sc.Bytes()...))
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// Canonical encodes v to JSON and decodes it again with numbers kept as
// json.Number, so documents of any Go type compare as JSON.
func Canonical(t testing.TB, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("encode document: %v", err)
	}
	var out any
	if err := decode(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func decode(b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	return d.Decode(v)
}

// Flatten turns a document into dotted leaf paths. Arrays are leaves.
func Flatten(doc any) map[string]any {
	out := map[string]any{}
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		if m, ok := v.(map[string]any); ok && (len(m) > 0 || prefix == "") {
			for k, x := range m {
				p := k
				if prefix != "" {
					p = prefix + "." + k
				}
				walk(p, x)
			}
			return
		}
		out[prefix] = v
	}
	walk("", doc)
	return out
}

// Diff lists the differences between want and got, field by field, in a
// stable order. Fields for which ignore returns true are skipped. Numbers
// compare by value (1.0 equals 1).
func Diff(want, got any, ignore func(field string) bool) []string {
	w, g := Flatten(want), Flatten(got)
	keys := make([]string, 0, len(w)+len(g))
	for k := range w {
		keys = append(keys, k)
	}
	for k := range g {
		if _, ok := w[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var diffs []string
	for _, k := range keys {
		if ignore != nil && ignore(k) {
			continue
		}
		wv, inW := w[k]
		gv, inG := g[k]
		switch {
		case !inG:
			diffs = append(diffs, fmt.Sprintf("%s: missing, want %s", k, show(wv)))
		case !inW:
			diffs = append(diffs, fmt.Sprintf("%s: unexpected %s", k, show(gv)))
		case !Equal(wv, gv):
			diffs = append(diffs, fmt.Sprintf("%s: got %s, want %s", k, show(gv), show(wv)))
		}
	}
	return diffs
}

// Score counts the fields of want (not ignored) that got reproduces exactly,
// and the total number of such fields.
func Score(want, got any, ignore func(field string) bool) (matched, total int) {
	w, g := Flatten(want), Flatten(got)
	for k, wv := range w {
		if ignore != nil && ignore(k) {
			continue
		}
		total++
		if gv, ok := g[k]; ok && Equal(wv, gv) {
			matched++
		}
	}
	return matched, total
}

// Equal compares two canonical JSON values; numbers compare by value.
func Equal(a, b any) bool {
	switch x := a.(type) {
	case json.Number:
		y, ok := b.(json.Number)
		if !ok {
			return false
		}
		if x == y {
			return true
		}
		fx, err1 := strconv.ParseFloat(string(x), 64)
		fy, err2 := strconv.ParseFloat(string(y), 64)
		return err1 == nil && err2 == nil && fx == fy
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !Equal(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			if !Equal(v, y[k]) {
				return false
			}
		}
		return true
	default:
		return a == b
	}
}

func show(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 200 {
		return string(b[:200]) + "…"
	}
	return string(b)
}

// FixturesDir returns the path of ../shared/fixtures/elastic-m365-defender/<sub>
// seen from the repository root, or skips the test with a message when that
// folder does not exist. root is the relative path from the test's package to
// the repository root (e.g. "../..").
func FixturesDir(t testing.TB, root, sub string) string {
	t.Helper()
	dir := filepath.Join(root, "..", "shared", "fixtures", "elastic-m365-defender", sub)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		t.Skipf("conformance fixtures not found at %s: skipping (they live beside the checkout in ../shared)", dir)
	}
	return dir
}

// Expected reads a fixture's *-expected.json ({"expected": [...]}) with
// numbers as json.Number. A null entry means the input produced no document.
func Expected(t testing.TB, path string) []any {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Expected []any `json:"expected"`
	}
	if err := decode(raw, &doc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return doc.Expected
}
