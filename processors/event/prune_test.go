package event

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/m365beat/m365beat/internal/golden"
)

// findEmpty returns the path of a null, "" or empty object/array in a
// canonical JSON document (R11 must have removed them all), or "".
func findEmpty(prefix string, v any) string {
	switch x := v.(type) {
	case nil:
		return prefix
	case string:
		if x == "" {
			return prefix
		}
	case map[string]any:
		if len(x) == 0 {
			return prefix
		}
		for k, c := range x {
			if p := findEmpty(prefix+"."+k, c); p != "" {
				return p
			}
		}
	case []any:
		if len(x) == 0 {
			return prefix
		}
		for _, c := range x {
			if p := findEmpty(prefix+"[]", c); p != "" {
				return p
			}
		}
	}
	return ""
}

// TestOutputHasNoEmptyValues checks R11 on every golden and fixture input,
// including the narrowed pruning of CleanWriter mappers.
func TestOutputHasNoEmptyValues(t *testing.T) {
	var inputs []string
	for _, pat := range []string{"testdata/*.json", "testdata/options-off/*.json",
		filepath.Join("..", "..", "..", "shared", "fixtures", "elastic-m365-defender", "event", "*.log")} {
		m, _ := filepath.Glob(pat)
		for _, f := range m {
			if !strings.HasSuffix(f, "-expected.json") {
				inputs = append(inputs, f)
			}
		}
	}
	for _, p := range []*Processor{newTestRouter(bothOn), newTestRouter(defaultConfig())} {
		for _, in := range inputs {
			for i, line := range golden.Lines(t, in) {
				if e := findEmpty("", golden.Canonical(t, render(p, line))); e != "" {
					t.Errorf("%s line %d: empty value at %s", filepath.Base(in), i, e)
				}
			}
		}
	}
}
