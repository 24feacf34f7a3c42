//go:build mage

// Targets of m365beat's build, run as `go tool mage <target>`.
package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"github.com/magefile/mage/mg"
	"github.com/magefile/mage/sh"

	"github.com/m365beat/m365beat/internal/gen"
)

// Default is the target of a bare `go tool mage`.
var Default = Build

// Build builds ./m365beat for this machine.
func Build() error {
	return sh.RunV("go", "build", "-o", "m365beat", ".")
}

// Test runs every test (the command the README and .ci/run use). It
// installs Azurite under .ci/ first when npm is available, so the Event Hub
// tests run against a real Blob Storage emulator.
func Test() error {
	if err := ensureAzurite(); err != nil {
		fmt.Fprintf(os.Stderr, "warning: %v (Blob Storage tests will be skipped)\n", err)
	}
	mg.Deps(Vet)
	return sh.RunV("go", "test", "-count=1", "-timeout", "20m", "./...")
}

// Vet runs go vet.
func Vet() error { return sh.RunV("go", "vet", "./...") }

// Update regenerates m365beat.yml, m365beat.reference.yml and
// include/fields.yml from _meta/ and module/.
func Update() error {
	files, err := gen.All(".")
	if err != nil {
		return err
	}
	return gen.Write(".", files)
}

// Check fails when generated files or NOTICE.txt are stale, or code is not
// gofmt-ed or vet-clean.
func Check() error {
	var problems []string
	files, err := gen.All(".")
	if err != nil {
		return err
	}
	if stale := gen.Stale(".", files); len(stale) > 0 {
		problems = append(problems, fmt.Sprintf("stale generated files %v: run go tool mage update", stale))
	}
	out, err := sh.Output("gofmt", "-l", ".")
	if err != nil {
		return err
	}
	if strings.TrimSpace(out) != "" {
		problems = append(problems, "not gofmt-ed:\n"+out)
	}
	if err := Vet(); err != nil {
		problems = append(problems, "go vet: "+err.Error())
	}
	notice, err := renderNotice()
	if err != nil {
		problems = append(problems, "NOTICE.txt: "+err.Error())
	} else if cur, _ := os.ReadFile("NOTICE.txt"); !bytes.Equal(cur, notice) {
		problems = append(problems, "NOTICE.txt is stale: run go tool mage notice")
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "\n"))
	}
	return nil
}

// Notice regenerates NOTICE.txt with go-licence-detector (tools/ module).
func Notice() error {
	b, err := renderNotice()
	if err != nil {
		return err
	}
	return os.WriteFile("NOTICE.txt", b, 0o644)
}

// renderNotice lists the modules compiled into the binary (not every module
// of libbeat's go.mod) and renders their licences.
func renderNotice() ([]byte, error) {
	mods, err := sh.Output("go", "list", "-deps", "-f", "{{with .Module}}{{if not .Main}}{{.Path}}{{end}}{{end}}", ".")
	if err != nil {
		return nil, err
	}
	set := map[string]bool{}
	for _, m := range strings.Fields(mods) {
		set[m] = true
	}
	list := make([]string, 0, len(set))
	for m := range set {
		list = append(list, m)
	}
	sort.Strings(list)
	js, err := sh.Output("go", append([]string{"list", "-m", "-json"}, list...)...)
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "m365beat-notice")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	in := filepath.Join(tmp, "modules.json")
	if err := os.WriteFile(in, []byte(js), 0o644); err != nil {
		return nil, err
	}
	abs, _ := filepath.Abs("tools/notice")
	outPath := filepath.Join(tmp, "NOTICE.txt")
	cmd := exec.Command("go", "tool", "go-licence-detector",
		"-in", in, "-includeIndirect",
		"-rules", filepath.Join(abs, "rules.json"),
		"-overrides", filepath.Join(abs, "overrides.ndjson"),
		"-noticeTemplate", filepath.Join(abs, "NOTICE.txt.tmpl"),
		"-noticeOut", outPath)
	cmd.Dir = "tools"
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("go-licence-detector: %w", err)
	}
	return os.ReadFile(outPath)
}

// ensureAzurite installs the azurite npm package under .ci/ when missing.
func ensureAzurite() error {
	if _, err := os.Stat(".ci/node_modules/.bin/azurite"); err == nil {
		return nil
	}
	if _, err := exec.LookPath("azurite"); err == nil {
		return nil
	}
	if _, err := exec.LookPath("npm"); err != nil {
		return errors.New("npm not found, cannot install azurite")
	}
	return sh.RunV("npm", "install", "--no-audit", "--no-fund", "--prefix", ".ci", "azurite@3")
}
