// Command package builds m365beat's release packages: for each target
// architecture a .deb, an .rpm (both written with nfpm) and a .tar.gz, under
// build/distributions/. `go tool mage package` runs it from the tools module:
//
//	go run ./package -root .. -out ../build/distributions -arch amd64,arm64
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	var (
		root       = flag.String("root", "..", "m365beat's source tree (the main module)")
		out        = flag.String("out", "", "output folder (default <root>/build/distributions)")
		arches     = flag.String("arch", "amd64,arm64", "comma-separated GOARCH values to package")
		formats    = flag.String("formats", "deb,rpm,tar.gz", "comma-separated package formats")
		version    = flag.String("version", "", "package version (default: cmd.Version in cmd/version.go)")
		maintainer = flag.String("maintainer", defaultMaintainer, "package maintainer, \"Name <email>\"")
	)
	flag.Parse()
	if *out == "" {
		*out = filepath.Join(*root, "build", "distributions")
	}
	files, err := run(options{
		Root:       *root,
		Out:        *out,
		Arches:     split(*arches),
		Formats:    split(*formats),
		Version:    *version,
		Maintainer: *maintainer,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "package:", err)
		os.Exit(1)
	}
	for _, f := range files {
		if st, err := os.Stat(f); err == nil {
			fmt.Printf("%s\t%d bytes\n", f, st.Size())
		}
	}
}

func split(s string) []string {
	var r []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			r = append(r, p)
		}
	}
	return r
}
