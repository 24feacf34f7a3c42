package split

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

// FuzzSplit checks that GraphList, Incident and Canonical never panic, that
// Canonical agrees with encoding/json wherever both accept the input, and
// that every split message is itself valid canonical JSON.
func FuzzSplit(f *testing.F) {
	for _, s := range []string{
		`{"value":[]}`,
		`{"value":[{"id":"1","alerts":[{"id":"a"},{"id":"b"}]}]}`,
		`{"id":"1","alerts":[{"x":"<\u2028>"}],"a":[1,2.5e3,null,true]}`,
		"{\"k\":\"\xff\\ud800\"}",
		`{"dup":1,"dup":{"b":1,"a":2}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		_ = GraphList(in, func(item []byte) error {
			if !bytes.Contains(in, item) {
				t.Fatalf("item %q is not a span of the body", item)
			}
			return nil
		})
		got, err := Canonical(nil, in)
		if err == nil {
			if want, gerr := goCanonical(in); gerr == nil && !bytes.Equal(got, want) {
				t.Fatalf("Canonical(%q) = %s, encoding/json gives %s", in, got, want)
			}
		}
		if v, err := Decode(string(in)); err == nil {
			var ref any
			d := json.NewDecoder(bytes.NewReader(in))
			d.UseNumber()
			if d.Decode(&ref) == nil && !d.More() && !reflect.DeepEqual(v, numbers(ref)) {
				t.Fatalf("Decode(%q) = %#v, encoding/json gives %#v", in, v, numbers(ref))
			}
		}
		_ = Incident(in, func(msg []byte) error {
			if c, err := Canonical(nil, msg); err != nil || (!bytes.Equal(c, msg) && !bytes.Equal(msg, bytes.TrimSpace(in))) {
				t.Fatalf("message %q is neither canonical nor the input (%v)", msg, err)
			}
			return nil
		})
	})
}
