//go:build mage

package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
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
//
// Go 1.26's fuzz coordinator can fail a target with a bare "context
// deadline exceeded" when -fuzztime ends while a worker is mid-input
// (go.dev/issue/75804, fixed in Go 1.27). A real failure always writes
// its input under testdata/fuzz/<target>/; a failure with that message
// and no new input is that race, and the target is run again (twice at
// most).
func Fuzz() error {
	d := os.Getenv("FUZZTIME")
	if d == "" {
		d = "10s"
	}
	var failed []string
	for _, f := range fuzzTargets {
		fmt.Printf("== %s %s (%s)\n", f.pkg, f.target, d)
		if err := fuzzOne(f.pkg, f.target, d); err != nil {
			fmt.Println(err)
			failed = append(failed, f.target)
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("fuzz targets failed: %s", strings.Join(failed, ", "))
	}
	return nil
}

func fuzzOne(pkg, target, fuzztime string) error {
	corpus := filepath.Join(pkg, "testdata", "fuzz", target)
	for attempt := 1; ; attempt++ {
		before := dirNames(corpus)
		var out bytes.Buffer
		cmd := exec.Command("go", "test", "-run", "^$", "-fuzz", "^"+target+"$", "-fuzztime", fuzztime, pkg)
		cmd.Stdout = io.MultiWriter(os.Stdout, &out)
		cmd.Stderr = io.MultiWriter(os.Stderr, &out)
		err := cmd.Run()
		if err == nil {
			return nil
		}
		written := false
		for name := range dirNames(corpus) {
			if !before[name] {
				written = true
			}
		}
		race := !written && strings.Contains(out.String(), "\n    context deadline exceeded\n")
		if !race || attempt == 3 {
			return fmt.Errorf("%s: %v", target, err)
		}
		fmt.Printf("== %s: \"context deadline exceeded\" with no failing input written: the Go fuzz coordinator race at the -fuzztime deadline (go.dev/issue/75804); running it again\n", target)
	}
}

// dirNames lists the file names in dir (none when it does not exist).
func dirNames(dir string) map[string]bool {
	names := map[string]bool{}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		names[e.Name()] = true
	}
	return names
}
