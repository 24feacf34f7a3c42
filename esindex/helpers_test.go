package esindex

import "errors"

func errorsAs(err error, target any) bool { return errors.As(err, target) }

func patternsOf(t map[string]any) []string {
	var out []string
	arr, _ := t["index_patterns"].([]any)
	for _, x := range arr {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}
