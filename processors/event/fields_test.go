package event

import (
	"encoding/json"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/m365beat/m365beat/internal/golden"
	"github.com/m365beat/m365beat/processors/internal/ecs"
)

const fieldsYML = "../../module/m365_defender/event/_meta/fields.yml"

type fieldDef struct {
	Key    string     `yaml:"key"`
	Name   string     `yaml:"name"`
	Type   string     `yaml:"type"`
	Desc   string     `yaml:"description"`
	Fields []fieldDef `yaml:"fields"`
}

// declaredFields reads fields.yml into full name → type.
func declaredFields(t *testing.T) map[string]string {
	t.Helper()
	raw, err := os.ReadFile(fieldsYML)
	if err != nil {
		t.Fatal(err)
	}
	var groups []fieldDef
	if err := yaml.Unmarshal(raw, &groups); err != nil {
		t.Fatalf("%s: %v", fieldsYML, err)
	}
	out := map[string]string{}
	var walk func(prefix string, fs []fieldDef)
	walk = func(prefix string, fs []fieldDef) {
		for _, f := range fs {
			name := f.Name
			if prefix != "" {
				name = prefix + "." + f.Name
			}
			if f.Type == "group" {
				walk(name, f.Fields)
				continue
			}
			if f.Type == "" || f.Desc == "" {
				t.Errorf("%s: field %s lacks a type or description", fieldsYML, name)
			}
			out[name] = f.Type
		}
	}
	for _, g := range groups {
		if g.Key == "" {
			t.Errorf("%s: top-level entry without key", fieldsYML)
		}
		walk("", g.Fields)
	}
	return out
}

// lookupDeclared returns the declaration covering a leaf path: the path
// itself, or a prefix declared flattened/object/geo_point.
func lookupDeclared(decl map[string]string, path string) (string, string, bool) {
	if ty, ok := decl[path]; ok {
		return path, ty, true
	}
	for i := len(path) - 1; i > 0; i-- {
		if path[i] != '.' {
			continue
		}
		p := path[:i]
		if ty, ok := decl[p]; ok && (ty == "flattened" || ty == "object" || ty == "geo_point") {
			return p, ty, true
		}
	}
	return "", "", false
}

// checkType verifies a leaf value against its declared type.
func checkType(ty string, v any) bool {
	if a, ok := v.([]any); ok {
		for _, x := range a {
			if !checkType(ty, x) {
				return false
			}
		}
		return true
	}
	switch ty {
	case "long":
		n, ok := v.(json.Number)
		return ok && !strings.ContainsAny(string(n), ".eE")
	case "boolean":
		_, ok := v.(bool)
		return ok
	case "ip":
		s, ok := v.(string)
		if !ok {
			return false
		}
		_, err := netip.ParseAddr(s)
		return err == nil
	case "date":
		s, ok := v.(string)
		if !ok {
			return false
		}
		_, ok = ecs.ParseDate(s)
		return ok
	case "keyword", "wildcard", "match_only_text", "constant_keyword":
		_, isMap := v.(map[string]any)
		return !isMap
	}
	return true
}

// TestGoldenFieldsDeclared checks that every field any golden case or
// fixture input produces is declared in fields.yml with a fitting type.
func TestGoldenFieldsDeclared(t *testing.T) {
	decl := declaredFields(t)
	var inputs []string
	for _, pat := range []string{"testdata/*.json", "testdata/options-off/*.json"} {
		m, _ := filepath.Glob(pat)
		for _, f := range m {
			if !strings.HasSuffix(f, "-expected.json") {
				inputs = append(inputs, f)
			}
		}
	}
	if dir := filepath.Join("..", "..", "..", "shared", "fixtures", "elastic-m365-defender", "event"); dirExists(dir) {
		m, _ := filepath.Glob(filepath.Join(dir, "*.log"))
		inputs = append(inputs, m...)
	}
	routers := []*Processor{newTestRouter(bothOn), newTestRouter(defaultConfig())}
	city, err1 := findTestDatabase("GeoLite2-City.mmdb")
	asn, err2 := findTestDatabase("GeoLite2-ASN.mmdb")
	if err1 == nil && err2 == nil {
		cfg := bothOn
		cfg.GeoIP.Database, cfg.ASN.Database = city, asn
		routers = append(routers, newTestRouter(cfg))
	} else {
		t.Logf("GeoIP/ASN output not checked: %v %v", err1, err2)
	}
	seen := map[string]bool{}
	for _, in := range inputs {
		for _, line := range golden.Lines(t, in) {
			for _, p := range routers {
				doc := golden.Canonical(t, render(p, line))
				for path, v := range golden.Flatten(doc) {
					decl, ty, ok := lookupDeclared(decl, path)
					if !ok {
						if !seen[path] {
							t.Errorf("%s (from %s) is not declared in fields.yml", path, filepath.Base(in))
							seen[path] = true
						}
						continue
					}
					if decl == path && !checkType(ty, v) && !seen[path+"/type"] {
						t.Errorf("%s (from %s) = %v does not fit its declared type %s", path, filepath.Base(in), v, ty)
						seen[path+"/type"] = true
					}
				}
			}
		}
	}
}

func dirExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}
