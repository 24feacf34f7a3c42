package main

import (
	"archive/tar"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"time"
)

// tarballName is the archive's file name and top folder without .tar.gz.
func tarballName(bi buildInfo, arch string) string {
	return fmt.Sprintf("%s-%s-linux-%s", beatName, bi.Version, archNames[arch].tar)
}

// writeTarball writes m365beat-<version>-linux-<arch>.tar.gz: one top folder
// holding the binary beside its configuration, fields.yml, module/, kibana/
// and inputs.d/. path.home defaults to the binary's folder, so it runs from
// wherever it is unpacked.
func writeTarball(src sources, bi buildInfo, arch, outDir string) (string, error) {
	assets, err := homeAssets(src.Root)
	if err != nil {
		return "", err
	}
	top := tarballName(bi, arch)
	assets = append(assets, asset{Src: src.Binary, Rel: beatName, Mode: 0o755})
	sort.Slice(assets, func(i, j int) bool { return assets[i].Rel < assets[j].Rel })

	out := filepath.Join(outDir, top+".tar.gz")
	f, err := os.Create(out)
	if err != nil {
		return "", err
	}
	gz, _ := gzip.NewWriterLevel(f, gzip.BestCompression)
	tw := tar.NewWriter(gz)
	err = writeTarEntries(tw, top, assets, bi.BuildTime)
	if cerr := tw.Close(); err == nil {
		err = cerr
	}
	if cerr := gz.Close(); err == nil {
		err = cerr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(out)
		return "", fmt.Errorf("%s: %w", out, err)
	}
	return out, nil
}

func writeTarEntries(tw *tar.Writer, top string, assets []asset, mtime time.Time) error {
	dirs := map[string]bool{}
	addDir := func(name string, mode int64) error {
		if dirs[name] {
			return nil
		}
		dirs[name] = true
		return tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: name + "/", Mode: mode,
			ModTime: mtime, Uname: "root", Gname: "root", Format: tar.FormatPAX})
	}
	var parents func(p string) error
	parents = func(p string) error {
		if p == "." || p == "/" || dirs[p] {
			return nil
		}
		if err := parents(path.Dir(p)); err != nil {
			return err
		}
		return addDir(p, 0o755)
	}
	if err := addDir(top, 0o755); err != nil {
		return err
	}
	for _, d := range []struct {
		name string
		mode int64
	}{{"inputs.d", 0o750}, {"kibana", 0o755}} {
		if err := addDir(path.Join(top, d.name), d.mode); err != nil {
			return err
		}
	}
	for _, a := range assets {
		name := path.Join(top, a.Rel)
		if err := parents(path.Dir(name)); err != nil {
			return err
		}
		if err := addFile(tw, name, a, mtime); err != nil {
			return err
		}
	}
	return nil
}

func addFile(tw *tar.Writer, name string, a asset, mtime time.Time) error {
	in, err := os.Open(a.Src)
	if err != nil {
		return err
	}
	defer in.Close()
	st, err := in.Stat()
	if err != nil {
		return err
	}
	if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: int64(a.Mode),
		Size: st.Size(), ModTime: mtime, Uname: "root", Gname: "root", Format: tar.FormatPAX}); err != nil {
		return err
	}
	_, err = io.Copy(tw, in)
	return err
}
