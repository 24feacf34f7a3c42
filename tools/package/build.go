package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Names and metadata of the packages.
const (
	beatName          = "m365beat"
	defaultMaintainer = "m365beat maintainers <maintainers@m365beat.invalid>"
	vendor            = "m365beat"
	license           = "Apache-2.0"
	homepage          = "https://github.com/m365beat/m365beat"
	description       = "Ships Microsoft 365 Defender (Defender XDR) data as ECS documents\n" +
		"m365beat reads the Defender streaming API through Azure Event Hub and the\n" +
		"Microsoft Graph Security alerts_v2 and incidents APIs, maps every record to\n" +
		"the ECS documents of Elastic's m365_defender integration and ships them\n" +
		"through libbeat's outputs (Elasticsearch, Logstash, Kafka, file)."

	versionPkg = "github.com/m365beat/m365beat/cmd.Version"
	commitVar  = "github.com/elastic/beats/v7/libbeat/version.commit"
	timeVar    = "github.com/elastic/beats/v7/libbeat/version.buildTime"
)

type options struct {
	Root       string   // source tree of the main module
	Out        string   // output folder
	Arches     []string // GOARCH values
	Formats    []string // deb, rpm, tar.gz
	Version    string   // empty: cmd.Version
	Maintainer string
}

// buildInfo is what the release binary and the packages are stamped with.
type buildInfo struct {
	Version   string
	Release   string // package release, "1"
	Commit    string
	BuildTime time.Time // commit time (or SOURCE_DATE_EPOCH): reproducible
}

var versionRE = regexp.MustCompile(`(?m)^var Version = "([^"]+)"`)

// readBuildInfo takes the version from cmd/version.go (unless given) and the
// commit and its time from git; outside a git checkout commit is "unknown".
func readBuildInfo(root, version string) (buildInfo, error) {
	bi := buildInfo{Version: version, Release: "1", Commit: "unknown", BuildTime: time.Now().UTC().Truncate(time.Second)}
	if bi.Version == "" {
		src, err := os.ReadFile(filepath.Join(root, "cmd", "version.go"))
		if err != nil {
			return bi, err
		}
		m := versionRE.FindSubmatch(src)
		if m == nil {
			return bi, errors.New("cmd/version.go: no `var Version = \"...\"` line")
		}
		bi.Version = string(m[1])
	}
	if out, err := gitOutput(root, "rev-parse", "HEAD"); err == nil {
		bi.Commit = out
		if ct, err := gitOutput(root, "log", "-1", "--format=%ct"); err == nil {
			if sec, err := strconv.ParseInt(ct, 10, 64); err == nil {
				bi.BuildTime = time.Unix(sec, 0).UTC()
			}
		}
	}
	if s := os.Getenv("SOURCE_DATE_EPOCH"); s != "" {
		sec, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return bi, fmt.Errorf("SOURCE_DATE_EPOCH: %w", err)
		}
		bi.BuildTime = time.Unix(sec, 0).UTC()
	}
	return bi, nil
}

func gitOutput(dir string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	out, err := cmd.Output()
	return strings.TrimSpace(string(out)), err
}

// ldflags of a release build: stripped, with the version variables set.
func (bi buildInfo) ldflags() string {
	return strings.Join([]string{
		"-s", "-w",
		"-X", versionPkg + "=" + bi.Version,
		"-X", commitVar + "=" + bi.Commit,
		"-X", timeVar + "=" + bi.BuildTime.Format(time.RFC3339),
	}, " ")
}

// buildBinary compiles a static, trimmed release binary for linux/arch.
func buildBinary(root string, bi buildInfo, arch, dst string) error {
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags", bi.ldflags(), "-o", dst, ".")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+arch)
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build (linux/%s): %w", arch, err)
	}
	return nil
}

// run builds the binaries and writes every requested package; it returns the
// paths written.
func run(o options) ([]string, error) {
	for _, arch := range o.Arches {
		if _, ok := archNames[arch]; !ok {
			return nil, fmt.Errorf("unsupported architecture %q (want amd64 or arm64)", arch)
		}
	}
	for _, f := range o.Formats {
		if f != "deb" && f != "rpm" && f != "tar.gz" {
			return nil, fmt.Errorf("unknown format %q (want deb, rpm or tar.gz)", f)
		}
	}
	root, err := filepath.Abs(o.Root)
	if err != nil {
		return nil, err
	}
	bi, err := readBuildInfo(root, o.Version)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(o.Out, 0o755); err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "m365beat-package")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)

	var written []string
	for _, arch := range o.Arches {
		bin := filepath.Join(tmp, arch, beatName)
		if err := buildBinary(root, bi, arch, bin); err != nil {
			return written, err
		}
		src := sources{Root: root, Binary: bin, Scratch: filepath.Join(tmp, arch)}
		for _, f := range o.Formats {
			var path string
			switch f {
			case "deb", "rpm":
				path, err = writeSystemPackage(f, src, bi, arch, o.Maintainer, o.Out)
			case "tar.gz":
				path, err = writeTarball(src, bi, arch, o.Out)
			}
			if err != nil {
				return written, err
			}
			written = append(written, path)
		}
	}
	return written, nil
}

// archNames maps GOARCH to the names the package formats use.
var archNames = map[string]struct{ deb, rpm, tar string }{
	"amd64": {"amd64", "x86_64", "x86_64"},
	"arm64": {"arm64", "aarch64", "arm64"},
}
