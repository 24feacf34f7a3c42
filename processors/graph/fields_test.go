package graph

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/elastic/beats/v7/libbeat/mapping"

	"github.com/m365beat/m365beat/internal/golden"
)

// declared loads a data stream's fields.yml as dotted name → type.
func declared(t *testing.T, stream string) map[string]string {
	t.Helper()
	fields, err := mapping.LoadFieldsYaml(filepath.Join("..", "..", "module", "m365_defender", stream, "_meta", "fields.yml"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	var walk func(prefix string, fs mapping.Fields)
	walk = func(prefix string, fs mapping.Fields) {
		for _, f := range fs {
			name := prefix + f.Name
			if f.Type == "group" {
				walk(name+".", f.Fields)
				continue
			}
			out[name] = f.Type
		}
	}
	walk("", fields)
	return out
}

// TestFieldsDeclared checks that every field of every document produced
// from the fixtures and the testdata cases is declared in fields.yml with a
// type its value fits. Keys inside evidence of a type the spec does not map
// are mapped dynamically (spec §18) and skipped.
func TestFieldsDeclared(t *testing.T) {
	for _, c := range []struct {
		stream  Stream
		name    string
		sources []string
	}{
		{AlertStream, "alert", []string{"testdata/alert/*.json", "testdata/alert-defaults/*.json"}},
		{IncidentStream, "incident", []string{"testdata/incident/*.json"}},
	} {
		decl := declared(t, c.name)
		files := []string{}
		for _, g := range c.sources {
			m, _ := filepath.Glob(g)
			files = append(files, m...)
		}
		if dir := fixturesDirOrEmpty(c.name); dir != "" {
			m, _ := filepath.Glob(filepath.Join(dir, "*.log"))
			files = append(files, m...)
		}
		p := New(c.stream, bothOptions, nil)
		seen := map[string]bool{}
		for _, f := range files {
			if strings.HasSuffix(f, "-expected.json") {
				continue
			}
			for _, line := range golden.Lines(t, f) {
				for _, d := range normalize(t, p, line) {
					doc := golden.Canonical(t, d).(map[string]any)
					delete(doc, "@metadata")
					checkFields(t, decl, "", doc, seen, f)
				}
			}
		}
		t.Logf("%s: %d distinct fields checked, %d declared", c.name, len(seen), len(decl))
	}
}

func fixturesDirOrEmpty(sub string) string {
	dir := filepath.Join("..", "..", "..", "shared", "fixtures", "elastic-m365-defender", sub)
	if st, err := os.Stat(dir); err == nil && st.IsDir() {
		return dir
	}
	return ""
}

func checkFields(t *testing.T, decl map[string]string, path string, v any, seen map[string]bool, src string) {
	switch x := v.(type) {
	case map[string]any:
		if typ := decl[path]; typ == "flattened" {
			seen[path] = true
			return
		}
		if strings.HasSuffix(path, ".evidence") {
			if ot, _ := x["odata_type"].(string); ot != "" && !knownEvidence[strings.TrimPrefix(ot, graphPrefix)] {
				return // unknown evidence type: dynamic mapping
			}
		}
		for k, e := range x {
			p := k
			if path != "" {
				p = path + "." + k
			}
			checkFields(t, decl, p, e, seen, src)
		}
	case []any:
		for _, e := range x {
			checkFields(t, decl, path, e, seen, src)
		}
	default:
		seen[path] = true
		typ, ok := decl[path]
		if !ok {
			t.Errorf("%s: field %s (value %v) not declared", src, path, v)
			return
		}
		if err := fits(typ, v); err != nil {
			t.Errorf("%s: field %s (%s): %v", src, path, typ, err)
		}
	}
}

// fits reports whether a JSON value can be indexed as typ.
func fits(typ string, v any) error {
	switch typ {
	case "long":
		n, ok := v.(json.Number)
		if _, err := n.Int64(); !ok || err != nil {
			return fmt.Errorf("%v is not an integer", v)
		}
	case "ip":
		s, _ := v.(string)
		if _, err := netip.ParseAddr(s); err != nil {
			return fmt.Errorf("%v is not an IP", v)
		}
	case "date":
		s, _ := v.(string)
		if _, err := parseDate(s); err != nil {
			return fmt.Errorf("%v is not a date", v)
		}
	}
	return nil
}
