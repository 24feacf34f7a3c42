package ecs

import (
	"reflect"
	"testing"
)

func TestSplitCommandLine(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{`"backgroundTaskHost.exe" -ServerName:App.mca`, []string{"backgroundTaskHost.exe", "-ServerName:App.mca"}},
		{`--user-data-dir="C:\Users\a b\EBWebView"`, []string{`--user-data-dir=C:\Users\a b\EBWebView`}},
		{`msoia.exe" scan upload`, []string{"msoia.exe scan upload"}},
		{`nginx: master process nginx -g daemon off;`, []string{"nginx:", "master", "process", "nginx", "-g", "daemon", "off;"}},
		{`a\\\"b c`, []string{`a\"b`, "c"}},   // 2n+1 backslashes: literal quote
		{`"a\\" b`, []string{`a\`, "b"}},      // 2n backslashes: quote closes
		{`a\b\\c d`, []string{`a\b\\c`, "d"}}, // backslashes not before a quote are literal
		{`"a""b c`, []string{`a"b`, "c"}},     // "" inside quotes: literal quote, section ends
		{`"" x  ""`, []string{"x"}},           // empty args dropped
		{"a\tb", []string{"a", "b"}},          // tab separates
		{"   ", nil},                          // whitespace only
		{`-Comment "NGen Worker Process"`, []string{"-Comment", "NGen Worker Process"}},
		{"ünïcödé \"ä b\"", []string{"ünïcödé", "ä b"}},
	}
	for _, c := range cases {
		if got := SplitCommandLine(c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("SplitCommandLine(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
