//go:build mage

package main

import (
	"os"
	"os/exec"
	"path/filepath"
)

// Package builds the release packages of m365beat under build/distributions/:
// for linux/amd64 and linux/arm64 a .deb, an .rpm and a .tar.gz. The packager
// lives in the tools module (tools/package). ARCH (e.g. ARCH=amd64) limits
// the architectures, VERSION overrides cmd.Version.
func Package() error {
	out, err := filepath.Abs(filepath.Join("build", "distributions"))
	if err != nil {
		return err
	}
	args := []string{"run", "./package", "-root", "..", "-out", out}
	if a := os.Getenv("ARCH"); a != "" {
		args = append(args, "-arch", a)
	}
	if v := os.Getenv("VERSION"); v != "" {
		args = append(args, "-version", v)
	}
	return runInTools(args...)
}

// PackageTest builds the amd64 deb, rpm and tar.gz and checks them: file
// list, modes, config-file markers, the systemd unit (systemd-analyze verify
// when installed), maintainer scripts, an install, upgrade, remove and purge
// with dpkg into a throwaway root, and the unpacked tarball running.
func PackageTest() error {
	return runInTools("test", "-count=1", "-timeout", "15m", "./package/")
}

func runInTools(args ...string) error {
	cmd := exec.Command("go", args...)
	cmd.Dir = "tools"
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	return cmd.Run()
}
