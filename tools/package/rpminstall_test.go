package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// rpmCmd runs the rpm CLI on a throwaway root.
func rpmCmd(t *testing.T, root string, args ...string) string {
	t.Helper()
	out, err := exec.Command("rpm", append([]string{"--root", root}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("rpm %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// TestRPMInstallUpgradeErase checks the rpm with rpm itself: digests, the
// config files it reports, and that an upgrade keeps the user's
// configuration, environment file and state while an erase keeps the state
// and leaves no empty folders behind. The scriptlets are not run (rpm runs
// them chrooted into the root, which has no shell); TestRPM checks them.
func TestRPMInstallUpgradeErase(t *testing.T) {
	if _, err := exec.LookPath("rpm"); err != nil {
		t.Skip("rpm not installed: rpm install test skipped (TestRPM still inspects the package)")
	}
	files, bi := built(t)
	if out, err := exec.Command("rpm", "-K", "--nosignature", files["rpm"]).CombinedOutput(); err != nil ||
		!strings.Contains(string(out), "digests OK") {
		t.Errorf("rpm -K: %v\n%s", err, out)
	}
	root := t.TempDir()
	rpmCmd(t, root, "--initdb")
	rpmCmd(t, root, "-i", "--noscripts", "--nodeps", files["rpm"])
	conf := strings.Fields(rpmCmd(t, root, "-q", "--configfiles", beatName))
	if strings.Join(conf, " ") != "/etc/m365beat/m365beat.yml /etc/sysconfig/m365beat" {
		t.Errorf("rpm -qc: %v", conf)
	}
	for _, w := range commonFiles {
		st, err := os.Lstat(filepath.Join(root, w.path))
		if err != nil {
			t.Errorf("installed: %v", err)
			continue
		}
		if st.Mode()&(os.ModeDir|os.ModePerm) != w.mode {
			t.Errorf("installed %s: mode %v, want %v", w.path, st.Mode(), w.mode)
		}
	}

	cfg := filepath.Join(root, configDir, "m365beat.yml")
	envFile := filepath.Join(root, "etc/sysconfig/m365beat")
	state := filepath.Join(root, dataDir, "registry", "state.json")
	userCfg, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	userCfg = append(userCfg, []byte("\n# edited by the administrator\n")...)
	user := map[string][]byte{cfg: userCfg, envFile: []byte("GRAPH_CLIENT_SECRET=s3cret\n"), state: []byte("{}")}
	for p, b := range user {
		os.MkdirAll(filepath.Dir(p), 0o750)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	next := bi
	next.Release = "2"
	nextRPM, err := writeSystemPackage("rpm", builtSrc, next, "amd64", defaultMaintainer, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	rpmCmd(t, root, "-U", "--noscripts", "--nodeps", nextRPM)
	if v := rpmCmd(t, root, "-q", beatName); !strings.Contains(v, bi.Version+"-2") {
		t.Errorf("after the upgrade: %s", v)
	}
	for p, b := range user {
		if got, err := os.ReadFile(p); err != nil || string(got) != string(b) {
			t.Errorf("upgrade changed %s (err %v)", p, err)
		}
	}

	rpmCmd(t, root, "-e", "--noscripts", beatName)
	if _, err := os.Stat(state); err != nil {
		t.Errorf("erase deleted the state: %v", err)
	}
	for _, p := range []string{binPath, homeDir, wrapperBin} {
		if _, err := os.Lstat(filepath.Join(root, p)); !os.IsNotExist(err) {
			t.Errorf("erase left %s (%v)", p, err)
		}
	}
	if b, err := os.ReadFile(cfg + ".rpmsave"); err != nil || string(b) != string(userCfg) {
		t.Errorf("erase: the edited configuration is not kept as .rpmsave (%v)", err)
	}
}
