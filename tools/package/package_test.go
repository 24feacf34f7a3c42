package main

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// The amd64 deb, rpm and tar.gz, built once for every test of this package
// that needs them (building the release binary is the slow part).
var (
	builtOnce  sync.Once
	builtDir   string
	builtFiles map[string]string // format -> path
	builtSrc   sources
	builtInfo  buildInfo
	builtErr   error
)

func built(t *testing.T) (map[string]string, buildInfo) {
	t.Helper()
	builtOnce.Do(func() {
		builtErr = buildForTests()
	})
	if builtErr != nil {
		t.Fatalf("building the packages: %v", builtErr)
	}
	return builtFiles, builtInfo
}

// buildForTests does what `go run ./package -arch amd64` does, keeping the
// binary for a second package (the upgrade test).
func buildForTests() error {
	dir, err := os.MkdirTemp("", "m365beat-dist")
	if err != nil {
		return err
	}
	builtDir = dir
	root, err := filepath.Abs("../..")
	if err != nil {
		return err
	}
	if builtInfo, err = readBuildInfo(root, ""); err != nil {
		return err
	}
	builtSrc = sources{Root: root, Binary: filepath.Join(dir, "bin", beatName), Scratch: filepath.Join(dir, "scratch")}
	if err := buildBinary(root, builtInfo, "amd64", builtSrc.Binary); err != nil {
		return err
	}
	builtFiles = map[string]string{}
	for _, f := range []string{"deb", "rpm"} {
		if builtFiles[f], err = writeSystemPackage(f, builtSrc, builtInfo, "amd64", defaultMaintainer, dir); err != nil {
			return err
		}
	}
	builtFiles["tar.gz"], err = writeTarball(builtSrc, builtInfo, "amd64", dir)
	return err
}

// TestMain removes the packages built for the tests.
func TestMain(m *testing.M) {
	code := m.Run()
	if builtDir != "" {
		os.RemoveAll(builtDir)
	}
	os.Exit(code)
}

// want is a file every system package installs, with its mode.
type want struct {
	path string
	mode os.FileMode
}

// commonFiles are installed by both the deb and the rpm.
var commonFiles = []want{
	{binPath, 0o755},
	{homeDir, os.ModeDir | 0o755},
	{homeDir + "/bin", os.ModeDir | 0o755},
	{homeDir + "/module/m365_defender/event/_meta", os.ModeDir | 0o755},
	{wrapperBin, 0o755},
	{configDir, os.ModeDir | 0o755},
	{configDir + "/m365beat.yml", 0o600},
	{configDir + "/m365beat.reference.yml", 0o644},
	{configDir + "/fields.yml", 0o644},
	{configDir + "/inputs.d", os.ModeDir | 0o750},
	{homeDir + "/NOTICE.txt", 0o644},
	{homeDir + "/LICENSE", 0o644},
	{homeDir + "/README.md", 0o644},
	{homeDir + "/kibana", os.ModeDir | 0o755},
	{homeDir + "/module/m365_defender/event/_meta/fields.yml", 0o644},
	{dataDir, os.ModeDir | 0o750},
	{logsDir, os.ModeDir | 0o750},
}

func checkFiles(t *testing.T, pc *pkgContents, extra ...want) {
	t.Helper()
	for _, w := range append(commonFiles, extra...) {
		f, ok := pc.Files[w.path]
		if !ok {
			t.Errorf("%s: missing", w.path)
			continue
		}
		if f.Mode != w.mode {
			t.Errorf("%s: mode %v, want %v", w.path, f.Mode, w.mode)
		}
		if f.Owner != "root" || f.Group != "root" {
			t.Errorf("%s: owner %s:%s, want root:root", w.path, f.Owner, f.Group)
		}
	}
	// The packaged files are the repository's.
	for rel, src := range map[string]string{
		configDir + "/m365beat.yml":           "../../m365beat.yml",
		configDir + "/m365beat.reference.yml": "../../m365beat.reference.yml",
		configDir + "/fields.yml":             "../../include/fields.yml",
		homeDir + "/NOTICE.txt":               "../../NOTICE.txt",
	} {
		want, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if f := pc.Files[rel]; f != nil && string(f.Data) != string(want) {
			t.Errorf("%s differs from %s", rel, src)
		}
	}
	// Every module file is shipped, and every dashboard under kibana/.
	mods, err := moduleAssets("../..")
	if err != nil {
		t.Fatal(err)
	}
	dashboards, err := kibanaAssets("../..")
	if err != nil {
		t.Fatal(err)
	}
	mods = append(mods, dashboards...)
	for _, a := range mods {
		if _, ok := pc.Files[homeDir+"/"+a.Rel]; !ok {
			t.Errorf("%s: missing", homeDir+"/"+a.Rel)
		}
	}
	// Nothing is writable by others; only the config and the environment
	// file are kept from the world.
	for n, f := range pc.Files {
		if f.Mode&0o002 != 0 {
			t.Errorf("%s: world-writable (%v)", n, f.Mode)
		}
	}
	w := pc.Files[wrapperBin]
	if w != nil {
		for _, s := range []string{"exec " + binPath, "--path.home " + homeDir, "--path.config " + configDir,
			"--path.data " + dataDir, "--path.logs " + logsDir, `"$@"`} {
			if !strings.Contains(string(w.Data), s) {
				t.Errorf("wrapper %s lacks %q:\n%s", wrapperBin, s, w.Data)
			}
		}
	}
	if b := pc.Files[binPath]; b != nil && !strings.HasPrefix(string(b.Data), "\x7fELF") {
		t.Errorf("%s is not an ELF binary", binPath)
	}
}

// checkUnit asserts the hardening and restart settings of the unit.
func checkUnit(t *testing.T, unit, envFile string) {
	t.Helper()
	for _, line := range []string{
		"Wants=network-online.target",
		"After=network-online.target",
		"StartLimitIntervalSec=300",
		"StartLimitBurst=5",
		"Restart=on-failure",
		"RestartSec=10s",
		"UMask=0027",
		"NoNewPrivileges=yes",
		"ProtectSystem=strict",
		"ReadWritePaths=" + dataDir + " " + logsDir,
		"ProtectHome=yes",
		"PrivateTmp=yes",
		"CapabilityBoundingSet=",
		"EnvironmentFile=-" + envFile,
		"ExecStart=" + binPath + " --environment systemd -c " + configDir + "/m365beat.yml --path.home " + homeDir +
			" --path.config " + configDir + " --path.data " + dataDir + " --path.logs " + logsDir + " $M365BEAT_OPTS",
		"WantedBy=multi-user.target",
	} {
		found := false
		for _, l := range strings.Split(unit, "\n") {
			if strings.TrimSpace(l) == line {
				found = true
			}
		}
		if !found {
			t.Errorf("unit lacks the line %q", line)
		}
	}
	if strings.Contains(unit, "@ENVFILE@") {
		t.Error("unit has an unreplaced @ENVFILE@")
	}
}

func TestDeb(t *testing.T) {
	files, bi := built(t)
	pc, err := readDeb(files["deb"])
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{
		"Package": beatName, "Version": bi.Version + "-1", "Architecture": "amd64",
		"Maintainer": defaultMaintainer, "Homepage": homepage, "Section": "net",
	} {
		if pc.Meta[k] != v {
			t.Errorf("control %s = %q, want %q", k, pc.Meta[k], v)
		}
	}
	if !strings.HasPrefix(pc.Meta["Description"], strings.SplitN(description, "\n", 2)[0]) {
		t.Errorf("control Description = %q", pc.Meta["Description"])
	}
	if filepath.Base(files["deb"]) != "m365beat-"+bi.Version+"-amd64.deb" {
		t.Errorf("file name %s", filepath.Base(files["deb"]))
	}
	envFile := "/etc/default/m365beat"
	unitPath := "/lib/systemd/system/m365beat.service"
	checkFiles(t, pc, want{envFile, 0o600}, want{unitPath, 0o644})
	for n, f := range pc.Files {
		wantConf := n == configDir+"/m365beat.yml" || n == envFile
		if f.Config != wantConf {
			t.Errorf("%s: conffile %v, want %v", n, f.Config, wantConf)
		}
	}
	if u := pc.Files[unitPath]; u != nil {
		checkUnit(t, string(u.Data), envFile)
	}
	for slot, name := range map[string]string{"postinst": "deb-postinst", "prerm": "deb-prerm", "postrm": "deb-postrm"} {
		want, _ := embedded.ReadFile("files/" + name)
		if pc.Scripts[slot] != string(want) {
			t.Errorf("maintainer script %s is not files/%s:\n%s", slot, name, pc.Scripts[slot])
		}
	}
	if _, ok := pc.Scripts["preinst"]; ok {
		t.Error("unexpected preinst")
	}
}

func TestRPM(t *testing.T) {
	files, bi := built(t)
	pc, err := readRPM(files["rpm"])
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{
		"Name": beatName, "Version": bi.Version, "Release": "1", "Arch": "x86_64", "OS": "linux",
		"License": license, "Vendor": vendor, "URL": homepage, "Packager": defaultMaintainer,
		"Summary": strings.SplitN(description, "\n", 2)[0], "Description": description,
	} {
		if pc.Meta[k] != v {
			t.Errorf("tag %s = %q, want %q", k, pc.Meta[k], v)
		}
	}
	if filepath.Base(files["rpm"]) != "m365beat-"+bi.Version+"-x86_64.rpm" {
		t.Errorf("file name %s", filepath.Base(files["rpm"]))
	}
	envFile := "/etc/sysconfig/m365beat"
	unitPath := "/usr/lib/systemd/system/m365beat.service"
	checkFiles(t, pc, want{envFile, 0o600}, want{unitPath, 0o644})
	for n, f := range pc.Files {
		wantConf := n == configDir+"/m365beat.yml" || n == envFile
		if f.Config != wantConf || f.NoReplace != wantConf {
			t.Errorf("%s: %%config %v noreplace %v, want both %v", n, f.Config, f.NoReplace, wantConf)
		}
	}
	if u := pc.Files[unitPath]; u != nil {
		checkUnit(t, string(u.Data), envFile)
	}
	for slot, name := range map[string]string{"post": "rpm-post", "preun": "rpm-preun", "postun": "rpm-postun"} {
		want, _ := embedded.ReadFile("files/" + name)
		// rpm stores the script body; nfpm keeps the shebang line in it.
		if strings.TrimSpace(pc.Scripts[slot]) != strings.TrimSpace(string(want)) {
			t.Errorf("scriptlet %%%s is not files/%s:\n%s", slot, name, pc.Scripts[slot])
		}
	}
}
