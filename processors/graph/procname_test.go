package graph

import (
	"reflect"
	"testing"
)

func TestCommandName(t *testing.T) {
	for in, want := range map[string]string{
		`"MsSense.exe"`:                      "MsSense.exe",
		"  powershell.exe  -NoExit -x":       "powershell.exe",
		"/usr/bin/python3 script.py":         "python3",
		`C:\Windows\System32\cmd.exe /c dir`: `C:\Windows\System32\cmd.exe`,
		"/usr/bin/":                          "",
		"\t\"a b\"":                          "a",
	} {
		if got := commandName(in); got != want {
			t.Errorf("commandName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestProcessName(t *testing.T) {
	// One distinct value (the empty string counts) → string.
	if got := processName([]string{"powershell.exe"}, []any{"powershell.exe -x"}); got != "powershell.exe" {
		t.Errorf("single: %v", got)
	}
	if got := processName(nil, []any{`"MsSense.exe"`}); got != "MsSense.exe" {
		t.Errorf("incident single: %v", got)
	}
	if got := processName(nil, nil); got != nil {
		t.Errorf("none: %v", got)
	}
	// The empty string hashes to bucket 0 and so comes first.
	if got := processName([]string{"", "powershell.exe"}, nil); !reflect.DeepEqual(got, []any{"", "powershell.exe"}) {
		t.Errorf("with empty: %v", got)
	}
	// Java HashSet order: "b" (98) before "c" (99) before "a"+"b"... by bucket, not insertion.
	if got := processName([]string{"c", "a", "b"}, nil); !reflect.DeepEqual(got, []any{"a", "b", "c"}) {
		t.Errorf("bucket order: %v", got)
	}
	// 15 values: the table grows to 32 buckets (order checked with a JVM).
	in := []string{"powershell.exe", "", "cmd.exe", "python3", "MsSense.exe", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "y1"}
	want := []string{"", "x8", "x9", "python3", "MsSense.exe", "powershell.exe", "y1", "x1", "x2", "x3", "x4", "x5", "cmd.exe", "x6", "x7"}
	if got := javaHashSetOrder(in); !reflect.DeepEqual(got, want) {
		t.Errorf("resized order: %v", got)
	}
	// "q" (113 → bucket 1) and "a" (97 → bucket 1): same bucket keeps insertion order.
	if got := processName([]string{"q", "a"}, nil); !reflect.DeepEqual(got, []any{"q", "a"}) {
		t.Errorf("same bucket: %v", got)
	}
}

func TestJavaHash(t *testing.T) {
	// Values of java.lang.String.hashCode.
	for s, want := range map[string]int32{"": 0, "a": 97, "ab": 3105, "powershell.exe": javaRef("powershell.exe"), "😀": 1772899} {
		if got := int32(javaHash(s)); got != want {
			t.Errorf("javaHash(%q) = %d, want %d", s, got, want)
		}
	}
}

// javaRef computes s[0]*31^(n-1) + … over UTF-16 units the slow way.
func javaRef(s string) int32 {
	var h int32
	for _, u := range []rune(s) {
		h = 31*h + int32(u)
	}
	return h
}
