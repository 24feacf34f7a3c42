package cmd

import (
	"runtime/debug"
	"testing"
)

func TestApplyGCDefault(t *testing.T) {
	orig := debug.SetGCPercent(100)
	defer debug.SetGCPercent(orig)

	if !ApplyGCDefault(func(string) string { return "" }) {
		t.Fatal("GOGC unset: the default was not applied")
	}
	if got := debug.SetGCPercent(100); got != DefaultGCPercent {
		t.Fatalf("GOGC unset: collector target %d, want %d", got, DefaultGCPercent)
	}
	env := func(k string) string {
		if k == "GOGC" {
			return "200"
		}
		return ""
	}
	if ApplyGCDefault(env) {
		t.Fatal("GOGC=200: the default overrode the environment")
	}
	if got := debug.SetGCPercent(100); got != 100 {
		t.Fatalf("GOGC=200: collector target changed to %d", got)
	}
}
