package split

import (
	"errors"
	"strings"
	"testing"
)

func records(t *testing.T, body string) ([]string, error) {
	t.Helper()
	var out []string
	err := EventHub([]byte(body), func(r []byte) error {
		out = append(out, string(r))
		return nil
	})
	return out, err
}

func TestEventHubShapes(t *testing.T) {
	cases := []struct {
		body string
		want []string
	}{
		{`{"records":[{"a":1},{"b":"x,]}"}]}`, []string{`{"a":1}`, `{"b":"x,]}"}`}},
		{` {"x":{"records":[1]}, "records" : [ {"a" : [1, {"c":"\"}"}]} , 2 ] } `, []string{`{"a" : [1, {"c":"\"}"}]}`, `2`}},
		{`[{"a":1}, {"b":2}]`, []string{`{"a":1}`, `{"b":2}`}},
		{`{"category":"AdvancedHunting-DeviceEvents"}`, []string{`{"category":"AdvancedHunting-DeviceEvents"}`}},
		{`{"records":[]}`, nil},
		{`{"records":null}`, []string{`{"records":null}`}},
		{`[]`, nil},
		{`{"records":"nope"}`, []string{`{"records":"nope"}`}},
		{`"text"`, []string{`"text"`}},
		{`{"récords":[1],"records":[{"ü":"ä"}]}`, []string{`{"ü":"ä"}`}},
	}
	for _, c := range cases {
		got, err := records(t, c.body)
		if err != nil {
			t.Errorf("%s: %v", c.body, err)
			continue
		}
		if strings.Join(got, "|") != strings.Join(c.want, "|") || len(got) != len(c.want) {
			t.Errorf("%s: got %q, want %q", c.body, got, c.want)
		}
	}
}

func TestEventHubInvalid(t *testing.T) {
	for _, body := range []string{``, `{"records":[{"a":1}`, `{'records': []}`, "\xff"} {
		got, err := records(t, body)
		if !errors.Is(err, ErrInvalidJSON) || len(got) != 0 {
			t.Errorf("%q: got %q, %v; want ErrInvalidJSON and no records", body, got, err)
		}
	}
}

func FuzzEventHub(f *testing.F) {
	for _, s := range []string{`{"records":[{"a":1},{"b":[2,"]"]}]}`, `[1,2]`, `{}`, `{"records":null}`, `"x"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		_ = EventHub(body, func(r []byte) error {
			if len(r) == 0 {
				t.Fatalf("empty record from %q", body)
			}
			return nil
		})
	})
}

func BenchmarkEventHub(b *testing.B) {
	rec := `{"Tenant":"DefaultTenant","category":"AdvancedHunting-DeviceProcessEvents","operationName":"Publish","properties":{"AccountName":"svc","ProcessCommandLine":"\"C:\\Windows\\system32\\cmd.exe\" /c echo {x}","Timestamp":"2024-01-01T00:00:00.1234567Z"},"tenantId":"t","time":"2024-01-01T00:00:01Z"}`
	body := []byte(`{"records":[` + strings.Repeat(rec+",", 49) + rec + `]}`)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		_ = EventHub(body, func([]byte) error { n++; return nil })
		if n != 50 {
			b.Fatal(n)
		}
	}
}
