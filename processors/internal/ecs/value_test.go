package ecs

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/elastic/elastic-agent-libs/mapstr"
	"github.com/valyala/fastjson"
)

func TestValueKeepsIntegers(t *testing.T) {
	v := fastjson.MustParse(`{"a":18984951960,"b":123456789012345678901234,"c":1.5,"d":[1,"x",null,true],"TO.DEVICE":{}}`)
	got := Value(v).(map[string]any)
	if got["a"] != int64(18984951960) {
		t.Errorf("a = %#v", got["a"])
	}
	if got["b"] != json.Number("123456789012345678901234") {
		t.Errorf("b = %#v", got["b"])
	}
	if got["c"] != 1.5 {
		t.Errorf("c = %#v", got["c"])
	}
	if !reflect.DeepEqual(got["d"], []any{int64(1), "x", nil, true}) {
		t.Errorf("d = %#v", got["d"])
	}
	if _, ok := got["TO.DEVICE"]; !ok {
		t.Error("dotted key not kept literally")
	}
}

func TestText(t *testing.T) {
	cases := map[any]string{"x": "x", int64(2833): "2833", true: "true", 1.5: "1.5", 1.0: "1.0", 1e20: "1.0E20", uint64(1 << 63): "9223372036854775808"}
	for in, want := range cases {
		if got := Text(in); got != want {
			t.Errorf("Text(%#v) = %q, want %q", in, got, want)
		}
	}
}

func TestToLong(t *testing.T) {
	good := map[any]int64{int64(5): 5, "12": 12, "-3": -3, "+4": 4, "0x1F": 31, "-0x10": -16}
	for in, want := range good {
		if got, ok := ToLong(in); !ok || got != want {
			t.Errorf("ToLong(%#v) = %d, %v", in, got, ok)
		}
	}
	for _, bad := range []any{"12.0", 12.5, true, "", "abc", nil} {
		if _, ok := ToLong(bad); ok {
			t.Errorf("ToLong(%#v) succeeded", bad)
		}
	}
}

func TestTruthy(t *testing.T) {
	type r struct{ v, ok bool }
	cases := map[any]r{true: {true, true}, false: {false, true}, int64(1): {true, true}, int64(0): {false, true},
		int64(2): {}, "1": {true, true}, "true": {true, true}, "0": {false, true}, "false": {false, true},
		"True": {}, "": {}, 1.0: {}, int64(1 << 40): {}}
	for in, want := range cases {
		v, ok := Truthy(in)
		if v != want.v || ok != want.ok {
			t.Errorf("Truthy(%#v) = %v, %v; want %v", in, v, ok, want)
		}
	}
}

func TestPrune(t *testing.T) {
	doc := mapstr.M{
		"a": nil, "b": "", "c": " ", "d": int64(0), "e": false, "f": "-",
		"g": mapstr.M{"x": nil, "y": mapstr.M{"z": ""}},
		"h": []any{nil, "", "k", mapstr.M{}}, "i": []string{"", ""}, "j": []any{},
		"k": map[string]any{"q": nil, "r": "s"},
	}
	Prune(doc)
	want := mapstr.M{"c": " ", "d": int64(0), "e": false, "f": "-", "h": []any{"k"}, "k": map[string]any{"r": "s"}}
	if !reflect.DeepEqual(doc, want) {
		t.Errorf("Prune = %v, want %v", doc, want)
	}
}

func TestFingerprint(t *testing.T) {
	// test-alert doc 5 (reconciled fixture, README T4).
	if got := Fingerprint("225349|2024-09-10T14:20:33.665Z|ddddd"); len(got) != 28 {
		t.Errorf("Fingerprint length %d", len(got))
	}
	if Fingerprint("a") == Fingerprint("b") {
		t.Error("fingerprints collide")
	}
}

func TestRelatedDedup(t *testing.T) {
	var r Related
	r.Add(&r.Hosts, "NT AUTHORITY")
	r.Add(&r.Hosts, "nt authority")
	r.Add(&r.Hosts, "NT AUTHORITY")
	r.Add(&r.Hosts, "")
	r.AddDup(&r.User, "a")
	r.AddDup(&r.User, "a")
	doc := mapstr.M{}
	r.WriteTo(doc)
	want := mapstr.M{"related": map[string]any{"hosts": []string{"NT AUTHORITY", "nt authority"}, "user": []string{"a", "a"}}}
	if !reflect.DeepEqual(doc, want) {
		t.Errorf("related = %v", doc)
	}
}

func TestJSONColumn(t *testing.T) {
	v, err := JSONColumn(fastjson.MustParse(`"{\"direction\":\"In\",\"n\":1}"`))
	if err != nil || !reflect.DeepEqual(v, map[string]any{"direction": "In", "n": int64(1)}) {
		t.Errorf("object text: %v %v", v, err)
	}
	v, err = JSONColumn(fastjson.MustParse(`"{broken"`))
	if err == nil || v != "{broken" {
		t.Errorf("broken text: %v %v", v, err)
	}
	v, err = JSONColumn(fastjson.MustParse(`{"already":"object"}`))
	if err != nil || !reflect.DeepEqual(v, map[string]any{"already": "object"}) {
		t.Errorf("object: %v %v", v, err)
	}
	if v, err = JSONColumn(fastjson.MustParse(`null`)); v != nil || err != nil {
		t.Errorf("null: %v %v", v, err)
	}
}

func TestNumberLenientSyntax(t *testing.T) {
	v := fastjson.MustParse(`[92+0, 1e5, -0.5, 007]`)
	a, _ := v.Array()
	got := []any{Number(a[0]), Number(a[1]), Number(a[2]), Number(a[3])}
	if got[0] != "92+0" || (got[1] != 1e5 && got[1] != int64(100000)) || got[2] != -0.5 || got[3] != "007" {
		t.Errorf("Number = %#v", got)
	}
}

func TestArena(t *testing.T) {
	a := NewArena(8)
	b := []byte("abcd")
	s1 := a.String(b)
	b[0] = 'X' // the caller's buffer is reused: the string must not change
	s2 := a.String([]byte("efgh"))
	s3 := a.String([]byte("overflow")) // no room left: allocated
	if s1 != "abcd" || s2 != "efgh" || s3 != "overflow" {
		t.Errorf("arena strings %q %q %q", s1, s2, s3)
	}
	var nilArena *Arena
	if nilArena.String([]byte("x")) != "x" {
		t.Error("nil arena")
	}
	v := NewArena(64).Value(fastjson.MustParse(`{"k":["v",1,{"n":null}]}`))
	want := map[string]any{"k": []any{"v", int64(1), map[string]any{"n": nil}}}
	if !reflect.DeepEqual(v, want) {
		t.Errorf("arena value = %#v", v)
	}
}
