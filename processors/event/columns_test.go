package event

import (
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/elastic/elastic-agent-libs/mapstr"
	"github.com/valyala/fastjson"

	"github.com/m365beat/m365beat/processors/internal/ecs"
)

// TestConvert checks the C-6/C-7/C-8/C-9 conversions of the e-mail, alert
// and app & identity dictionaries on one column value each.
func TestConvert(t *testing.T) {
	cases := []struct {
		conv    xconv
		in      string
		want    any // nil: target absent
		wantErr bool
	}{
		{xMove, `{"a":1}`, map[string]any{"a": int64(1)}, false},
		{xMove, `null`, nil, false},
		{xJSON, `"[\"x\"]"`, []any{"x"}, false},
		{xJSON, `"{bad"`, "{bad", true},
		{xJSON, `["x"]`, []any{"x"}, false},
		{xLong, `"42"`, int64(42), false},
		{xLong, `""`, nil, false},
		{xLongAll, `""`, nil, true},
		{xLong, `"12.0"`, nil, true},
		{xLong, `12.5`, nil, true},
		{xLong, `["1","2"]`, []any{int64(1), int64(2)}, false},
		{xLong, `["1","x"]`, nil, true},
		{xString, `383769773`, "383769773", false},
		{xString, `1.5`, "1.5", false},
		{xString, `1e20`, "1.0E20", false},
		{xString, `true`, "true", false},
		{xString, `""`, nil, false},
		{xStringAll, `""`, "", false},
		{xString, `123456789012345678901`, "123456789012345678901", false},
		{xIP, `"2a02:cf40::"`, "2a02:cf40::", false},
		{xIP, `"1.2.3"`, nil, true},
		{xIP, `5`, nil, true},
		{xIP, `""`, nil, false},
		{xDate, `"2024-06-03T08:15:29.8765432Z"`, "2024-06-03T08:15:29.876Z", false},
		{xDate, `"soon"`, nil, true},
		{xDate, `""`, nil, false},
		{xBool, `"TRUE"`, true, false},
		{xBool, `false`, false, false},
		{xBool, `""`, nil, true},
		{xBool, `1`, nil, true},
		{xTruthy, `"1"`, true, false},
		{xTruthy, `0`, false, false},
		{xTruthy, `"True"`, nil, false},
		{xTruthy, `2147483648`, nil, false},
	}
	for _, tc := range cases {
		v, err := fastjson.Parse(tc.in)
		if err != nil {
			t.Fatal(err)
		}
		c := &Ctx{Doc: mapstr.M{}, EV: mapstr.M{}}
		col := &xcol{name: "Col", target: "t.x", conv: tc.conv}
		if err := convert(c, FamilyApp, col, v); err != nil {
			t.Errorf("%d %s: hard error %v", tc.conv, tc.in, err)
		}
		got := c.ev("t.x")
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("conv %d of %s = %#v, want %#v", tc.conv, tc.in, got, tc.want)
		}
		if _, hasErr := c.Doc["error"]; hasErr != tc.wantErr {
			t.Errorf("conv %d of %s: error.message present = %v, want %v", tc.conv, tc.in, hasErr, tc.wantErr)
		}
	}
}

func TestNormAction(t *testing.T) {
	for in, want := range map[string]string{"Write Deployments": "write-deployments", "SAMR query": "samr-query", "a\tb": "a\tb", "DpapiAccessed": "dpapiaccessed"} {
		if got := normAction(in); got != want {
			t.Errorf("normAction(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLessUTF16(t *testing.T) {
	// UTF-16 order puts U+FF5E (one unit, FF5E) after U+1F600 (surrogates
	// D83D DE00); UTF-8 byte order would put it before.
	in := []string{"\uff5e", "\U0001F600", "b", "B", "ä", "a"}
	sort.SliceStable(in, func(i, j int) bool { return lessUTF16(in[i], in[j]) })
	want := []string{"B", "a", "b", "ä", "\U0001F600", "\uff5e"}
	if !reflect.DeepEqual(in, want) {
		t.Errorf("sorted %q, want %q", in, want)
	}
	if lessUTF16("ab", "ab") || !lessUTF16("a", "ab") || lessUTF16("ab", "a") {
		t.Error("prefix order")
	}
}

// The grouped deletion of R-DEDUP removes exactly the listed paths, for
// each family's list and for deeper paths.
func TestDupPathsRemoveExactly(t *testing.T) {
	lists := map[string][]string{
		"device": deviceDuplicates, "alert": alertDuplicates, "app": appDuplicates, "email": emailDuplicates,
		"deep": {"a", "b.c", "b.d.e", "f.g.h.i"},
	}
	for name, list := range lists {
		ev := mapstr.M{}
		for _, p := range list {
			ecs.Put(ev, p, "x")
		}
		ecs.Put(ev, "zz_keep", "z")
		for _, p := range list {
			if i := strings.LastIndexByte(p, '.'); i > 0 {
				ecs.Put(ev, p[:i]+".zz_keep", "y")
			}
		}
		d := groupPaths(list)
		d.remove(ev)
		ecs.PruneMap(ev)
		want := mapstr.M{"zz_keep": "z"}
		for _, p := range list {
			if i := strings.LastIndexByte(p, '.'); i > 0 {
				ecs.Put(want, p[:i]+".zz_keep", "y")
			}
		}
		if ev.String() != want.String() {
			t.Errorf("%s: after removal %v, want %v", name, ev, want)
		}
	}
}
