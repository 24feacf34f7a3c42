package ecs

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/elastic/elastic-agent-libs/mapstr"
)

func TestUserAgentParse(t *testing.T) {
	u := NewUserAgentParser(8)
	chrome := "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/91.0.4472.124 Safari/537.36"
	cases := map[string]mapstr.M{
		chrome: {
			"original": chrome, "name": "Chrome", "version": "91.0.4472.124",
			"os":     mapstr.M{"name": "Windows", "version": "10", "full": "Windows 10"},
			"device": mapstr.M{"name": "Other"},
		},
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36": {
			"original": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36", "name": "Other",
			"os":     mapstr.M{"name": "Windows", "version": "10", "full": "Windows 10"},
			"device": mapstr.M{"name": "Other"},
		},
		"zzz-no-match": {"original": "zzz-no-match", "name": "Other", "device": mapstr.M{"name": "Other"}},
	}
	for in, want := range cases {
		if got := u.Parse(in); !reflect.DeepEqual(got, want) {
			t.Errorf("Parse(%q)\n got %v\nwant %v", in, got, want)
		}
	}
}

func TestUserAgentCacheIsBoundedAndResultsAreFresh(t *testing.T) {
	u := NewUserAgentParser(2)
	for i := 0; i < 5; i++ {
		u.Parse(fmt.Sprintf("curl/7.%d.0", i))
	}
	if u.Len() != 2 {
		t.Fatalf("cache holds %d strings, want 2", u.Len())
	}
	a := u.Parse("curl/7.4.0")
	a["name"] = "changed"
	if b := u.Parse("curl/7.4.0"); b["name"] != "curl" {
		t.Fatalf("cached result was modified through a returned object: %v", b)
	}
}

func BenchmarkUserAgentParseCached(b *testing.B) {
	u := NewUserAgentParser(16)
	s := "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/91.0.4472.124 Safari/537.36"
	u.Parse(s)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		u.Parse(s)
	}
}

func BenchmarkUserAgentParseUncached(b *testing.B) {
	u := NewUserAgentParser(1)
	u.Parse("warm-up")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		u.Parse(fmt.Sprintf("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/91.0.%d.124 Safari/537.36", i))
	}
}
