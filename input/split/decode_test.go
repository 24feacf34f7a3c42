package split

import (
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// reference decodes with encoding/json and converts numbers as Decode does.
func reference(t testing.TB, raw string) any {
	var v any
	d := json.NewDecoder(strings.NewReader(raw))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		t.Fatalf("%q: %v", raw, err)
	}
	return numbers(v)
}

func numbers(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = numbers(e)
		}
	case []any:
		for i, e := range x {
			x[i] = numbers(e)
		}
	case json.Number:
		if n, err := strconv.ParseInt(string(x), 10, 64); err == nil {
			return n
		}
		if f, err := strconv.ParseFloat(string(x), 64); err == nil {
			return f
		}
		return string(x) // out of float64 range: kept as its literal text

	}
	return v
}

func TestDecode(t *testing.T) {
	for _, in := range []string{
		`{"a":1,"b":[1,2.5,-3e2,true,false,null,"x"],"c":{"d":{}},"e":[]}`,
		`{"esc":"\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00 \ud800","k\u0065y":"v","dup":1,"dup":2}`,
		"{\"bad\":\"\xff\",\"é\":\"安装盘\"}",
		`  [ {"big":123456789012345678901234567890, "n": -0} ] `,
		`"s"`, `12`, `null`, `[1E700,-1e999]`,
	} {
		got, err := Decode(in)
		if err != nil {
			t.Fatalf("%q: %v", in, err)
		}
		if want := reference(t, in); !reflect.DeepEqual(got, want) {
			t.Errorf("Decode(%q) = %#v, want %#v", in, got, want)
		}
	}
	for _, bad := range []string{``, `{`, `{"a":}`, `[1,]`, `nul`} {
		if _, err := Decode(bad); err == nil {
			t.Errorf("Decode(%q): no error", bad)
		}
	}
}
