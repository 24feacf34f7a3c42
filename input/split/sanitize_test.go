package split

import (
	"testing"
)

func TestSanitizersRepair(t *testing.T) {
	all := Sanitizers{NewLines: true, SingleQuotes: true}
	cases := []struct {
		name, in, want string
		s              Sanitizers
		ok             bool
	}{
		{"new line in string", "{\"a\":\"x\ny\"}", `{"a":"x\ny"}`, all, true},
		{"tab and cr", "{\"a\":\"x\ty\r\"}", `{"a":"x\ty\r"}`, all, true},
		{"control char", "{\"a\":\"x\x01\"}", `{"a":"x\u0001"}`, all, true},
		{"single quotes", `{'records': [{'a': 'b "c"', 'n': 1}]}`, `{"records": [{"a": "b \"c\"", "n": 1}]}`, all, true},
		{"escaped single quote", `{'a': 'it\'s'}`, `{"a": "it's"}`, all, true},
		{"single quotes and new line", "{'a': 'x\ny'}", `{"a": "x\ny"}`, all, true},
		{"mixed quotes", `{"a": 'b', 'c': "d'e"}`, `{"a": "b", "c": "d'e"}`, all, true},
		{"new-line delimited", "{\"a\":1}\n{\"b\":[2]}\n", `[{"a":1},{"b":[2]}]`, all, true},
		{"new-line delimited, raw new line", "{\"a\":\"x\ny\"}\n{\"b\":2}", `[{"a":"x\ny"},{"b":2}]`, all, true},
		{"disabled", "{\"a\":\"x\ny\"}", "", Sanitizers{SingleQuotes: true}, false},
		{"hopeless", `{"a":`, "", all, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ok := c.s.Repair([]byte(c.in))
			if ok != c.ok || string(got) != c.want {
				t.Fatalf("Repair(%q) = %q, %v; want %q, %v", c.in, got, ok, c.want, c.ok)
			}
		})
	}
}

func TestParseSanitizers(t *testing.T) {
	s, err := ParseSanitizers([]string{"NEW_LINES", "single_quotes"})
	if err != nil || !s.NewLines || !s.SingleQuotes {
		t.Fatalf("got %+v, %v", s, err)
	}
	if _, err := ParseSanitizers([]string{"bogus"}); err == nil {
		t.Fatal("want an error for an unknown sanitizer")
	}
}

func FuzzSanitizersRepair(f *testing.F) {
	f.Add([]byte(`{'a': 'b'}`))
	f.Add([]byte("{\"a\":\"x\ny\"}"))
	f.Fuzz(func(t *testing.T, b []byte) {
		Sanitizers{NewLines: true, SingleQuotes: true}.Repair(b)
	})
}

func BenchmarkSanitizersRepair(b *testing.B) {
	body := []byte(`{'records': [{'Timestamp': '2024-01-01T00:00:00Z', 'ActionType': 'ProcessCreated', 'DeviceName': 'host "one"'}]}`)
	s := Sanitizers{NewLines: true, SingleQuotes: true}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, ok := s.Repair(body); !ok {
			b.Fatal("not repaired")
		}
	}
}
