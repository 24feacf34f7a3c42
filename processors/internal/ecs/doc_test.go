package ecs

import (
	"testing"

	"github.com/elastic/elastic-agent-libs/mapstr"
)

// HasEmpty agrees with Prune: a value holds an empty value exactly when
// pruning a copy of it changes it or removes it.
func TestHasEmpty(t *testing.T) {
	cases := []struct {
		v    any
		want bool
	}{
		{nil, true},
		{"", true},
		{"x", false},
		{int64(0), false},
		{false, false},
		{[]string{}, true},
		{[]string{"a", ""}, true},
		{[]string{"a"}, false},
		{[]any{}, true},
		{[]any{"a", nil}, true},
		{[]any{"a", map[string]any{"b": 1}}, false},
		{map[string]any{}, true},
		{map[string]any{"a": map[string]any{"b": ""}}, true},
		{mapstr.M{"a": []any{map[string]any{}}}, true},
		{mapstr.M{"a": []any{map[string]any{"c": "d"}}, "e": 1.5}, false},
	}
	for i, c := range cases {
		if got := HasEmpty(c.v); got != c.want {
			t.Errorf("case %d %#v: HasEmpty = %v, want %v", i, c.v, got, c.want)
		}
	}
}
