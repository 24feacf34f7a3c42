package golden

import (
	"encoding/json"
	"strings"
	"testing"
)

func canon(t *testing.T, s string) any {
	var v any
	if err := decode([]byte(s), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestDiffReportsEachField(t *testing.T) {
	want := canon(t, `{"a":{"b":1,"c":"x"},"d":[1,2],"e":1.0}`)
	got := canon(t, `{"a":{"b":2},"d":[1,2],"e":1,"f":true}`)
	diffs := Diff(want, got, nil)
	joined := strings.Join(diffs, "\n")
	for _, w := range []string{"a.b: got 2, want 1", "a.c: missing", "f: unexpected true"} {
		if !strings.Contains(joined, w) {
			t.Errorf("diff lacks %q:\n%s", w, joined)
		}
	}
	if len(diffs) != 3 {
		t.Errorf("want 3 diffs (1.0 equals 1, equal arrays), got %d:\n%s", len(diffs), joined)
	}
	if d := Diff(want, got, func(f string) bool { return strings.HasPrefix(f, "a.") || f == "f" }); len(d) != 0 {
		t.Errorf("ignored fields reported: %v", d)
	}
}

func TestScore(t *testing.T) {
	m, n := Score(canon(t, `{"a":1,"b":{"c":"x","d":"y"}}`), canon(t, `{"a":1,"b":{"c":"z","d":"y"}}`), nil)
	if m != 2 || n != 3 {
		t.Errorf("score %d/%d, want 2/3", m, n)
	}
}

func TestCanonicalKeepsIntegers(t *testing.T) {
	v := Canonical(t, map[string]any{"n": int64(18984951960)})
	if got := v.(map[string]any)["n"].(json.Number); got != "18984951960" {
		t.Errorf("got %s", got)
	}
}
