package graph

import (
	"testing"

	"github.com/m365beat/m365beat/internal/golden"
	"github.com/m365beat/m365beat/processors"
)

// goldenFunc normalizes a line (split as `m365beat normalize` does) with p.
func goldenFunc(t *testing.T, p *Processor) golden.Func {
	return func(line []byte) []any { return normalize(t, p, line) }
}

// TestGolden runs the testdata cases: every evidence type, empty pages,
// unknown enum values, missing optional objects, many evidence items,
// non-ASCII text, errors, and incidents with several alerts (split).
func TestGolden(t *testing.T) {
	t.Run("alert", func(t *testing.T) {
		golden.Dir(t, "testdata/alert", goldenFunc(t, New(AlertStream, bothOptions, nil)))
	})
	t.Run("alert-defaults", func(t *testing.T) {
		golden.Dir(t, "testdata/alert-defaults", goldenFunc(t, New(AlertStream, processors.DefaultOptions(), nil)))
	})
	t.Run("incident", func(t *testing.T) {
		golden.Dir(t, "testdata/incident", goldenFunc(t, New(IncidentStream, bothOptions, nil)))
	})
}
