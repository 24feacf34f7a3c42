package graph

import (
	"reflect"
	"testing"
)

func TestURLParts(t *testing.T) {
	cases := map[string]map[string]any{
		"https://security.microsoft.com/alerts/da_1?tid=3adb": {
			"original": "https://security.microsoft.com/alerts/da_1?tid=3adb", "scheme": "https",
			"domain": "security.microsoft.com", "path": "/alerts/da_1", "query": "tid=3adb",
		},
		"http://u:p%40ss@example.com:8080/a%20b/c.tar.gz?x=%41#frag": {
			"original": "http://u:p%40ss@example.com:8080/a%20b/c.tar.gz?x=%41#frag", "scheme": "http",
			"domain": "example.com", "port": int64(8080), "path": "/a b/c.tar.gz", "extension": "gz",
			"query": "x=A", "fragment": "frag", "user_info": "u:p@ss", "username": "u", "password": "p@ss",
		},
		"https://host.example.com": {"original": "https://host.example.com", "scheme": "https", "domain": "host.example.com", "path": ""},
	}
	for in, want := range cases {
		got, err := urlParts(in)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("urlParts(%s) =\n%v, %v\nwant\n%v", in, got, err, want)
		}
	}
	for _, bad := range []any{"http://x/%zz", int64(1)} {
		if _, err := urlParts(bad); err == nil {
			t.Errorf("urlParts(%v): no error", bad)
		}
	}
}
