package main

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// Installed paths, as Elastic's Beats lay out their deb and rpm packages.
const (
	homeDir    = "/usr/share/" + beatName
	binPath    = homeDir + "/bin/" + beatName
	wrapperBin = "/usr/bin/" + beatName
	configDir  = "/etc/" + beatName
	dataDir    = "/var/lib/" + beatName
	logsDir    = "/var/log/" + beatName
	unitName   = beatName + ".service"
)

// sources are the inputs of one architecture's packages.
type sources struct {
	Root    string // source tree
	Binary  string // release binary for the architecture
	Scratch string // folder for generated files (unit, scripts, wrapper)
}

// asset is a file of the beat's home folder (the tarball's top folder),
// named by its path relative to that folder.
type asset struct {
	Src  string
	Rel  string // slash-separated
	Mode os.FileMode
}

// configAssets are the files that live in path.config (/etc/m365beat in the
// system packages); everything else lives in path.home.
var configAssets = map[string]bool{
	beatName + ".yml":           true,
	beatName + ".reference.yml": true,
	"fields.yml":                true,
}

// homeAssets lists the files every package ships besides the binary: the
// configuration, fields.yml, NOTICE.txt, README.md, the module/ tree and the
// dashboards of every module/**/_meta/kibana folder merged into kibana/ (the
// default of setup.dashboards.directory is ${path.home}/kibana).
func homeAssets(root string) ([]asset, error) {
	list := []asset{
		{Src: filepath.Join(root, beatName+".yml"), Rel: beatName + ".yml", Mode: 0o600},
		{Src: filepath.Join(root, beatName+".reference.yml"), Rel: beatName + ".reference.yml", Mode: 0o644},
		{Src: filepath.Join(root, "include", "fields.yml"), Rel: "fields.yml", Mode: 0o644},
		{Src: filepath.Join(root, "NOTICE.txt"), Rel: "NOTICE.txt", Mode: 0o644},
		{Src: filepath.Join(root, "LICENSE"), Rel: "LICENSE", Mode: 0o644},
		{Src: filepath.Join(root, "README.md"), Rel: "README.md", Mode: 0o644},
	}
	for _, a := range list {
		if _, err := os.Stat(a.Src); err != nil {
			return nil, err
		}
	}
	module, err := moduleAssets(root)
	if err != nil {
		return nil, err
	}
	kibana, err := kibanaAssets(root)
	if err != nil {
		return nil, err
	}
	list = append(list, module...)
	return append(list, kibana...), nil
}

// isKibanaDir tells a module's dashboards folder, <...>/_meta/kibana.
func isKibanaDir(p string) bool {
	return filepath.Base(p) == "kibana" && filepath.Base(filepath.Dir(p)) == "_meta"
}

// moduleAssets is the module/ tree without Go sources, test data and
// dashboards (those are merged into kibana/).
func moduleAssets(root string) ([]asset, error) {
	var list []asset
	base := filepath.Join(root, "module")
	err := filepath.WalkDir(base, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == "testdata" || isKibanaDir(p) {
				return filepath.SkipDir // dashboards go to kibana/
			}
			return nil
		}
		if strings.HasSuffix(d.Name(), ".go") || !d.Type().IsRegular() {
			return nil
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		list = append(list, asset{Src: p, Rel: filepath.ToSlash(rel), Mode: 0o644})
		return nil
	})
	return list, err
}

// kibanaAssets merges the contents of every module/**/_meta/kibana folder
// into kibana/ (e.g. module/m365_defender/_meta/kibana/9/dashboard/x.json
// becomes kibana/9/dashboard/x.json). Two modules shipping the same file is
// an error.
func kibanaAssets(root string) ([]asset, error) {
	seen := map[string]string{}
	var list []asset
	err := filepath.WalkDir(filepath.Join(root, "module"), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() || !isKibanaDir(p) {
			return nil
		}
		err = filepath.WalkDir(p, func(f string, fd fs.DirEntry, err error) error {
			if err != nil || !fd.Type().IsRegular() {
				return err
			}
			rel, err := filepath.Rel(p, f)
			if err != nil {
				return err
			}
			dst := path.Join("kibana", filepath.ToSlash(rel))
			if prev, dup := seen[dst]; dup {
				return fmt.Errorf("%s: both %s and %s ship it", dst, prev, f)
			}
			seen[dst] = f
			list = append(list, asset{Src: f, Rel: dst, Mode: 0o644})
			return nil
		})
		if err != nil {
			return err
		}
		return filepath.SkipDir
	})
	sort.Slice(list, func(i, j int) bool { return list[i].Rel < list[j].Rel })
	return list, err
}

// systemPath is where a home asset is installed by the deb and rpm packages.
func systemPath(rel string) string {
	if configAssets[rel] {
		return configDir + "/" + rel
	}
	return homeDir + "/" + rel
}
