package processors

import (
	"reflect"
	"testing"

	"github.com/elastic/elastic-agent-libs/mapstr"
)

func TestRawText(t *testing.T) {
	cases := []struct {
		f    mapstr.M
		want string
		ok   bool
	}{
		{mapstr.M{"message": "m"}, "m", true},
		{mapstr.M{"message": []byte("b")}, "b", true},
		{mapstr.M{"event": mapstr.M{"original": "o"}, "message": "m"}, "o", true},
		{mapstr.M{"event": map[string]any{"original": "o"}, "message": "m"}, "o", true},
		{mapstr.M{"event": map[string]any{"kind": "event"}, "message": "m"}, "m", true},
		{mapstr.M{"event": map[string]any{"original": 3}}, "", false},
		{mapstr.M{}, "", false},
	}
	for _, c := range cases {
		got, ok := RawText(c.f)
		if got != c.want || ok != c.ok {
			t.Errorf("RawText(%v) = %q, %v; want %q, %v", c.f, got, ok, c.want, c.ok)
		}
	}
}

func TestMergeTags(t *testing.T) {
	both := Options{PreserveOriginalEvent: true, PreserveDuplicateCustomFields: true}
	cases := []struct {
		o    Options
		in   any
		want []string
	}{
		{Options{}, nil, []string{}},
		{both, nil, []string{"preserve_original_event", "preserve_duplicate_custom_fields"}},
		{both, []any{"forwarded", "preserve_original_event"}, []string{"preserve_duplicate_custom_fields", "forwarded", "preserve_original_event"}},
		{Options{PreserveOriginalEvent: true}, "x", []string{"preserve_original_event", "x"}},
	}
	for _, c := range cases {
		if got := c.o.MergeTags(c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%+v.MergeTags(%v) = %v, want %v", c.o, c.in, got, c.want)
		}
	}
}
