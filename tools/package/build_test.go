package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestReadBuildInfo(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{"cmd/version.go": "package cmd\n\nvar Version = \"1.2.3\"\n"})
	t.Setenv("SOURCE_DATE_EPOCH", "1700000000")
	bi, err := readBuildInfo(root, "")
	if err != nil {
		t.Fatal(err)
	}
	if bi.Version != "1.2.3" || bi.Release != "1" || !bi.BuildTime.Equal(time.Unix(1700000000, 0)) {
		t.Errorf("build info %+v", bi)
	}
	if bi, _ := readBuildInfo(root, "2.0.0"); bi.Version != "2.0.0" {
		t.Errorf("-version ignored: %+v", bi)
	}
	os.WriteFile(filepath.Join(root, "cmd/version.go"), []byte("package cmd\n"), 0o644)
	if _, err := readBuildInfo(root, ""); err == nil {
		t.Error("no error for a version.go without Version")
	}
}

func TestReadBuildInfoOfTheRepository(t *testing.T) {
	bi, err := readBuildInfo("../..", "")
	if err != nil {
		t.Fatal(err)
	}
	if bi.Version == "" || len(bi.Commit) != 40 {
		t.Errorf("build info %+v (want the version of cmd/version.go and the git commit)", bi)
	}
}

func TestLdflags(t *testing.T) {
	bi := buildInfo{Version: "1.2.3", Commit: "abc", BuildTime: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	want := "-s -w -X github.com/m365beat/m365beat/cmd.Version=1.2.3" +
		" -X github.com/elastic/beats/v7/libbeat/version.commit=abc" +
		" -X github.com/elastic/beats/v7/libbeat/version.buildTime=2026-01-02T03:04:05Z"
	if got := bi.ldflags(); got != want {
		t.Errorf("ldflags\n%s\nwant\n%s", got, want)
	}
}

func TestRunRejectsUnknownArchAndFormat(t *testing.T) {
	out := t.TempDir()
	if _, err := run(options{Root: "../..", Out: out, Arches: []string{"386"}, Formats: []string{"deb"}}); err == nil ||
		!strings.Contains(err.Error(), `"386"`) {
		t.Errorf("arch 386: %v", err)
	}
	if _, err := run(options{Root: "../..", Out: out, Arches: []string{"amd64"}, Formats: []string{"zip"}}); err == nil ||
		!strings.Contains(err.Error(), `"zip"`) {
		t.Errorf("format zip: %v", err)
	}
}
