package split

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func collect(t testing.TB, f func([]byte, func([]byte) error) error, in string) []string {
	t.Helper()
	var out []string
	if err := f([]byte(in), func(b []byte) error { out = append(out, string(b)); return nil }); err != nil {
		t.Fatalf("%q: %v", in, err)
	}
	return out
}

func TestGraphList(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{`{"value":[]}`, nil},
		{`{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#security/alerts_v2","value":[]}`, nil},
		{` { "value" : [ {"b":1, "a" : "x"} , {"id":"2"} ] } `, []string{`{"b":1, "a" : "x"}`, `{"id":"2"}`}},
		{`{"value":[1,"s",null,[{"x":"]"}]],"@odata.nextLink":"x"}`, []string{`1`, `"s"`, `null`, `[{"x":"]"}]`}},
		{`{"v\u0061lue":[{"k":"\"}"}]}`, []string{`{"k":"\"}"}`}},
		{`{"value":[{"a":1}],"value":[{"b":2}]}`, []string{`{"b":2}`}},
		{`{"x":{"value":[1]},"value":[2]}`, []string{`2`}},
	}
	for _, c := range cases {
		got := collect(t, GraphList, c.in)
		if strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("%s: got %q, want %q", c.in, got, c.want)
		}
	}
	for _, bad := range []string{``, `[]`, `{"value":{}}`, `{"value":null}`, `{}`, `{"value":[1,]}`, `{"x":{"value":[1]}}`} {
		err := GraphList([]byte(bad), func([]byte) error { t.Errorf("%q: unexpected call", bad); return nil })
		if err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
	stop := errors.New("stop")
	n := 0
	err := GraphList([]byte(`{"value":[1,2,3]}`), func([]byte) error { n++; return stop })
	if !errors.Is(err, stop) || n != 1 {
		t.Errorf("callback error: got %v after %d calls", err, n)
	}
}

func TestIsList(t *testing.T) {
	for in, want := range map[string]bool{
		`{"value":[]}`: true, `{"value":[{}]}`: true, `{"id":"1"}`: false, `{"value":"x"}`: false, `[1]`: false, `{`: false,
	} {
		if got := IsList([]byte(in)); got != want {
			t.Errorf("IsList(%s) = %v", in, got)
		}
	}
}

// goCanonical is the reference: decode into generic values, encode again.
func goCanonical(raw []byte) ([]byte, error) {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	if d.More() {
		return nil, errors.New("trailing data")
	}
	return json.Marshal(v)
}

func TestCanonical(t *testing.T) {
	ins := []string{
		`{"b":1,"a":{"d":[3,2,{"z":null,"y":true}],"c":false},"A":"x"}`,
		`{"s":"<a href=\"x\">&amp;</a>","u":"\u00e9\u2028\u2029 é 安装盘","n":-1.5e+10,"z":0}`,
		`{"ctl":"\u0000\u001f\b\f\n\r\t\/","sur":"\ud83d\ude00 \ud800 \udc00x \ud800\u0041"}`,
		"{\"bad\":\"\xff\xfe ok\",\"k\xff\":1}",
		`{"dup":1,"dup":2,"d\u0075p":3}`,
		`  [ 1 , "a" , { } , [ ] ]  `,
		`"just a string"`,
		`{"key with \"quote\"":"v","é":1,"e":2}`,
	}
	for _, in := range ins {
		want, err := goCanonical([]byte(in))
		if err != nil {
			t.Fatalf("%q: reference: %v", in, err)
		}
		got, err := Canonical(nil, []byte(in))
		if err != nil {
			t.Fatalf("%q: %v", in, err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%q:\n got %s\nwant %s", in, got, want)
		}
	}
	if _, err := Canonical(nil, []byte(`{"a":}`)); err == nil {
		t.Error("invalid JSON: no error")
	}
}

func TestIncident(t *testing.T) {
	// Non-empty alerts array: one key-sorted message per alert.
	in := `{"id":"7","alerts":[{"id":"a1","z":1,"b":"<"},{"id":"a2"}],"tags":["x"],"@odata.type":"#inc","zz":{"b":1,"a":2}}`
	got := collect(t, Incident, in)
	want := []string{
		`{"@odata.type":"#inc","alerts":{"b":"\u003c","id":"a1","z":1},"id":"7","tags":["x"],"zz":{"a":2,"b":1}}`,
		`{"@odata.type":"#inc","alerts":{"id":"a2"},"id":"7","tags":["x"],"zz":{"a":2,"b":1}}`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// alerts first or last key.
	got = collect(t, Incident, `{"alerts":[{"x":1}]}`)
	if len(got) != 1 || got[0] != `{"alerts":{"x":1}}` {
		t.Errorf("only alerts: %q", got)
	}
	got = collect(t, Incident, `{"b":2,"alerts":[{"x":1}],"a":1}`)
	if len(got) != 1 || got[0] != `{"a":1,"alerts":{"x":1},"b":2}` {
		t.Errorf("alerts in the middle: %q", got)
	}
	// Not split: the record verbatim (Incident) or key-sorted (IncidentSorted).
	for _, in := range []string{
		`{"id":"1","b":2}`,
		`{"id":"1","alerts":[]}`,
		`{"id":"1","alerts":{"id":"a"}}`,
		`{"id":"1","alerts":null}`,
		`{"id":"1","alerts":[ ]}`,
	} {
		got := collect(t, Incident, in)
		if len(got) != 1 || got[0] != in {
			t.Errorf("Incident(%s) = %q, want it verbatim", in, got)
		}
		want, _ := goCanonical([]byte(in))
		got = collect(t, IncidentSorted, in)
		if len(got) != 1 || got[0] != string(want) {
			t.Errorf("IncidentSorted(%s) = %q, want %s", in, got, want)
		}
	}
	// Duplicate alerts keys: the last wins, as a JSON decoder does.
	got = collect(t, Incident, `{"alerts":[{"a":1}],"alerts":[{"b":1},{"c":1}]}`)
	if len(got) != 2 || got[0] != `{"alerts":{"b":1}}` {
		t.Errorf("duplicate alerts: %q", got)
	}
	for _, bad := range []string{`[]`, `"x"`, `{"alerts":[}`, ``} {
		if err := Incident([]byte(bad), func([]byte) error { return nil }); err == nil {
			t.Errorf("Incident(%q): no error", bad)
		}
	}
}

func TestIncidentPageAndAlertPage(t *testing.T) {
	page := `{"@odata.context":"x","value":[{"id":"1","alerts":[{"id":"a","c":"&"},{"id":"b"}]},{"id":"2","z":1,"a":0},{"id":"3","alerts":[]}]}`
	got := collect(t, IncidentPage, page)
	want := []string{
		`{"alerts":{"c":"\u0026","id":"a"},"id":"1"}`,
		`{"alerts":{"id":"b"},"id":"1"}`,
		`{"a":0,"id":"2","z":1}`,
		`{"alerts":[],"id":"3"}`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("IncidentPage:\n%s", strings.Join(got, "\n"))
	}
	got = collect(t, AlertPage, `{"value":[{"b":1,"a":2},{"x":"é"}]}`)
	if strings.Join(got, "|") != `{"a":2,"b":1}|{"x":"é"}` {
		t.Errorf("AlertPage: %q", got)
	}
	if got := collect(t, IncidentPage, `{"value":[]}`); len(got) != 0 {
		t.Errorf("empty page: %q", got)
	}
}

// TestFixtureSplit rebuilds polled incidents from the key-sorted fixture
// lines (alerts object → array of two shuffled copies) and checks the split
// reproduces the fixture text, as event.original of Elastic's documents.
func TestFixtureSplit(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "shared", "fixtures", "elastic-m365-defender", "incident")
	raw, err := os.ReadFile(filepath.Join(dir, "sample-incident.log"))
	if err != nil {
		t.Skipf("fixtures not found: %v", err)
	}
	line := bytes.TrimSpace(raw)
	var m map[string]json.RawMessage
	if err := json.Unmarshal(line, &m); err != nil {
		t.Fatal(err)
	}
	m["alerts"] = json.RawMessage("[" + string(m["alerts"]) + "," + string(m["alerts"]) + "]")
	polled, _ := json.MarshalIndent(m, "", "   ") // different order of nothing, but whitespace
	got := collect(t, Incident, string(polled))
	if len(got) != 2 || got[0] != string(line) || got[1] != string(line) {
		t.Errorf("split of the sample incident does not reproduce its event.original:\n%s\n%s", got[0], line)
	}
}

// TestFixtureAlertPage splits a page holding the first test-alert line (keys
// in Graph's order) and checks the element comes out exactly as Elastic's
// sample event.original (the same alert, key-sorted with Go escaping).
func TestFixtureAlertPage(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "shared", "fixtures", "elastic-m365-defender", "alert")
	test, err1 := os.ReadFile(filepath.Join(dir, "test-alert.log"))
	sample, err2 := os.ReadFile(filepath.Join(dir, "sample-alert.log"))
	if err1 != nil || err2 != nil {
		t.Skipf("fixtures not found: %v %v", err1, err2)
	}
	first, _, _ := bytes.Cut(test, []byte("\n"))
	want := bytes.TrimSpace(sample)
	if bytes.Equal(first, want) {
		t.Fatal("fixture lines are identical: the test would prove nothing")
	}
	got := collect(t, AlertPage, `{"@odata.context":"x","value":[`+string(first)+`]}`)
	if len(got) != 1 || got[0] != string(want) {
		t.Errorf("AlertPage element:\n%s\nwant\n%s", got, want)
	}
}
