//go:build mage

package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/magefile/mage/sh"
)

// fuzzTargets are the fuzz targets run by `go tool mage fuzz`, per package.
var fuzzTargets = []struct{ pkg, target string }{
	{"./input/split/", "FuzzSplit"},
	{"./input/split/", "FuzzEventHub"},
	{"./input/split/", "FuzzSanitizersRepair"},
	{"./input/graphapi/", "FuzzSplitList"},
	{"./input/graphapi/", "FuzzPublishPage"},
	{"./processors/event/", "FuzzRouter"},
	{"./processors/graph/", "FuzzProcessors"},
	{"./internal/eventhubtest/", "FuzzDecoder"},
}

// Bench runs the benchmark suite (processors, end-to-end Event Hub and
// Graph, memory under backpressure), prints the table and writes
// bench/results.md. BENCH_QUICK=1 makes it shorter.
func Bench() error {
	args := []string{"run", "./bench"}
	if os.Getenv("BENCH_QUICK") != "" {
		args = append(args, "-quick")
	}
	return sh.RunV("go", args...)
}

// Reliability runs the fault-injection suite in short mode (what CI runs);
// RELIABILITY_FULL=1 runs the full one (10 kills, 100k records, 30 s outages).
func Reliability() error {
	args := []string{"test", "-tags=reliability", "-count=1", "-v"}
	if os.Getenv("RELIABILITY_FULL") == "" {
		args = append(args, "-short", "-timeout", "10m")
	} else {
		args = append(args, "-timeout", "60m")
	}
	return sh.RunV("go", append(args, "./reliability/")...)
}

// Fuzz runs every fuzz target for FUZZTIME (default 10s) each.
func Fuzz() error {
	d := os.Getenv("FUZZTIME")
	if d == "" {
		d = "10s"
	}
	var failed []string
	for _, f := range fuzzTargets {
		fmt.Printf("== %s %s (%s)\n", f.pkg, f.target, d)
		if err := sh.RunV("go", "test", "-run", "^$", "-fuzz", "^"+f.target+"$", "-fuzztime", d, f.pkg); err != nil {
			failed = append(failed, f.target)
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("fuzz targets failed: %s", strings.Join(failed, ", "))
	}
	return nil
}
