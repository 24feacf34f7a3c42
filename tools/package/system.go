package main

import (
	"embed"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/goreleaser/nfpm/v2"
	_ "github.com/goreleaser/nfpm/v2/deb" // registers the deb packager
	"github.com/goreleaser/nfpm/v2/files"
	_ "github.com/goreleaser/nfpm/v2/rpm" // registers the rpm packager
)

//go:embed files
var embedded embed.FS

// formatSpec is what differs between the deb and the rpm.
type formatSpec struct {
	EnvFile string            // EnvironmentFile of the unit
	UnitDir string            // systemd system unit folder
	Scripts map[string]string // nfpm script slot -> embedded file
}

var formatSpecs = map[string]formatSpec{
	"deb": {
		EnvFile: "/etc/default/" + beatName,
		UnitDir: "/lib/systemd/system",
		Scripts: map[string]string{"postinstall": "deb-postinst", "preremove": "deb-prerm", "postremove": "deb-postrm"},
	},
	"rpm": {
		EnvFile: "/etc/sysconfig/" + beatName,
		UnitDir: "/usr/lib/systemd/system",
		Scripts: map[string]string{"postinstall": "rpm-post", "preremove": "rpm-preun", "postremove": "rpm-postun"},
	},
}

// unitFile is the service unit of a format.
func unitFile(format string) (string, error) {
	b, err := embedded.ReadFile("files/" + unitName)
	if err != nil {
		return "", err
	}
	return strings.ReplaceAll(string(b), "@ENVFILE@", formatSpecs[format].EnvFile), nil
}

// writeScratch writes a generated file under dir and returns its path.
func writeScratch(dir, name string, data []byte) (string, error) {
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	return p, os.WriteFile(p, data, 0o644)
}

func embeddedToScratch(dir, name string) (string, error) {
	b, err := embedded.ReadFile("files/" + name)
	if err != nil {
		return "", err
	}
	return writeScratch(dir, name, b)
}

// systemContents lists every file, folder and config file of the deb or rpm.
func systemContents(format string, src sources) (files.Contents, error) {
	spec := formatSpecs[format]
	scratch := filepath.Join(src.Scratch, format)
	unit, err := unitFile(format)
	if err != nil {
		return nil, err
	}
	unitPath, err := writeScratch(scratch, unitName, []byte(unit))
	if err != nil {
		return nil, err
	}
	wrapper, err := embeddedToScratch(scratch, "wrapper.sh")
	if err != nil {
		return nil, err
	}
	envFile, err := embeddedToScratch(scratch, "environment")
	if err != nil {
		return nil, err
	}
	assets, err := homeAssets(src.Root)
	if err != nil {
		return nil, err
	}
	info := func(mode os.FileMode) *files.ContentFileInfo {
		return &files.ContentFileInfo{Owner: "root", Group: "root", Mode: mode}
	}
	c := files.Contents{
		{Source: src.Binary, Destination: binPath, FileInfo: info(0o755)},
		{Source: wrapper, Destination: wrapperBin, FileInfo: info(0o755)},
		{Source: unitPath, Destination: spec.UnitDir + "/" + unitName, FileInfo: info(0o644)},
		{Source: envFile, Destination: spec.EnvFile, Type: files.TypeConfigNoReplace, FileInfo: info(0o600)},
		{Destination: configDir, Type: files.TypeDir, FileInfo: info(0o755)},
		{Destination: configDir + "/inputs.d", Type: files.TypeDir, FileInfo: info(0o750)},
		{Destination: homeDir + "/kibana", Type: files.TypeDir, FileInfo: info(0o755)},
		{Destination: dataDir, Type: files.TypeDir, FileInfo: info(0o750)},
		{Destination: logsDir, Type: files.TypeDir, FileInfo: info(0o750)},
	}
	// The package owns every folder of its own, so that an rpm erase leaves
	// no empty /usr/share/m365beat tree behind (dpkg removes them anyway).
	owned := map[string]bool{}
	for _, ct := range c {
		owned[ct.Destination] = true
	}
	dests := []string{binPath}
	for _, a := range assets {
		dests = append(dests, systemPath(a.Rel))
	}
	for _, d := range dests {
		for dir := path.Dir(d); strings.HasPrefix(dir, homeDir+"/") || strings.HasPrefix(dir, configDir+"/"); dir = path.Dir(dir) {
			if !owned[dir] {
				owned[dir] = true
				c = append(c, &files.Content{Destination: dir, Type: files.TypeDir, FileInfo: info(0o755)})
			}
		}
	}
	if !owned[homeDir] {
		c = append(c, &files.Content{Destination: homeDir, Type: files.TypeDir, FileInfo: info(0o755)})
	}
	for _, a := range assets {
		ct := &files.Content{Source: a.Src, Destination: systemPath(a.Rel), FileInfo: info(a.Mode)}
		if a.Rel == beatName+".yml" {
			// Upgrades keep the user's copy: conffiles (deb),
			// %config(noreplace) (rpm).
			ct.Type = files.TypeConfigNoReplace
		}
		c = append(c, ct)
	}
	return c, nil
}

// writeSystemPackage writes the deb or rpm of one architecture.
func writeSystemPackage(format string, src sources, bi buildInfo, arch, maintainer, outDir string) (string, error) {
	spec, ok := formatSpecs[format]
	if !ok {
		return "", fmt.Errorf("unknown system package format %q", format)
	}
	contents, err := systemContents(format, src)
	if err != nil {
		return "", err
	}
	scratch := filepath.Join(src.Scratch, format)
	scripts := map[string]string{}
	for slot, name := range spec.Scripts {
		if scripts[slot], err = embeddedToScratch(scratch, name); err != nil {
			return "", err
		}
	}
	info := &nfpm.Info{
		Name:          beatName,
		Arch:          arch,
		Platform:      "linux",
		Version:       bi.Version,
		VersionSchema: "semver",
		Release:       bi.Release,
		Section:       "net",
		Priority:      "optional",
		Maintainer:    maintainer,
		Description:   description,
		Vendor:        vendor,
		Homepage:      homepage,
		License:       license,
		MTime:         bi.BuildTime,
		Overridables: nfpm.Overridables{
			Contents: contents,
			Umask:    0o022,
			Scripts: nfpm.Scripts{
				PostInstall: scripts["postinstall"],
				PreRemove:   scripts["preremove"],
				PostRemove:  scripts["postremove"],
			},
			RPM: nfpm.RPM{
				Summary:     strings.SplitN(description, "\n", 2)[0],
				Group:       "System Environment/Daemons",
				Compression: "gzip",
			},
			Deb: nfpm.Deb{Compression: "gzip"},
		},
	}
	info = nfpm.WithDefaults(info)
	if err := nfpm.PrepareForPackager(info, format); err != nil {
		return "", fmt.Errorf("%s: %w", format, err)
	}
	pkg, err := nfpm.Get(format)
	if err != nil {
		return "", err
	}
	names := archNames[arch]
	name := fmt.Sprintf("%s-%s-%s.%s", beatName, bi.Version, names.deb, format)
	if format == "rpm" {
		name = fmt.Sprintf("%s-%s-%s.rpm", beatName, bi.Version, names.rpm)
	}
	out := filepath.Join(outDir, name)
	f, err := os.Create(out)
	if err != nil {
		return "", err
	}
	if err := pkg.Package(info, f); err != nil {
		f.Close()
		os.Remove(out)
		return "", fmt.Errorf("%s: %w", name, err)
	}
	return out, f.Close()
}
