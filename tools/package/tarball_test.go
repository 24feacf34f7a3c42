package main

import (
	"archive/tar"
	"compress/gzip"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// untar unpacks a .tar.gz under dir, keeping modes, and returns the entries'
// modes by name.
func untar(t *testing.T, archive, dir string) map[string]os.FileMode {
	t.Helper()
	f, err := os.Open(archive)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	modes := map[string]os.FileMode{}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return modes
		}
		if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimSuffix(h.Name, "/")
		if strings.Contains(name, "..") || filepath.IsAbs(name) {
			t.Fatalf("unsafe entry %q", h.Name)
		}
		p := filepath.Join(dir, name)
		switch h.Typeflag {
		case tar.TypeDir:
			modes[name] = os.ModeDir | os.FileMode(h.Mode).Perm()
			if err := os.MkdirAll(p, os.FileMode(h.Mode).Perm()); err != nil {
				t.Fatal(err)
			}
			os.Chmod(p, os.FileMode(h.Mode).Perm())
		case tar.TypeReg:
			modes[name] = os.FileMode(h.Mode).Perm()
			out, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, os.FileMode(h.Mode).Perm())
			if err != nil {
				t.Fatal(err)
			}
			if _, err := io.Copy(out, tr); err != nil {
				t.Fatal(err)
			}
			out.Close()
		default:
			t.Fatalf("unexpected entry type %c for %s", h.Typeflag, h.Name)
		}
	}
}

func TestTarball(t *testing.T) {
	files, bi := built(t)
	top := "m365beat-" + bi.Version + "-linux-x86_64"
	if filepath.Base(files["tar.gz"]) != top+".tar.gz" {
		t.Errorf("file name %s", filepath.Base(files["tar.gz"]))
	}
	dir := t.TempDir()
	modes := untar(t, files["tar.gz"], dir)
	for name, mode := range map[string]os.FileMode{
		top:                             os.ModeDir | 0o755,
		top + "/m365beat":               0o755,
		top + "/m365beat.yml":           0o600,
		top + "/m365beat.reference.yml": 0o644,
		top + "/fields.yml":             0o644,
		top + "/NOTICE.txt":             0o644,
		top + "/LICENSE":                0o644,
		top + "/README.md":              0o644,
		top + "/inputs.d":               os.ModeDir | 0o750,
		top + "/kibana":                 os.ModeDir | 0o755,
		top + "/module/m365_defender/event/_meta/fields.yml": 0o644,
	} {
		if got, ok := modes[name]; !ok || got != mode {
			t.Errorf("%s: mode %v (present %v), want %v", name, got, ok, mode)
		}
	}
	for name := range modes {
		if name != top && !strings.HasPrefix(name, top+"/") {
			t.Errorf("%s is outside the top folder %s", name, top)
		}
	}
	home := filepath.Join(dir, top)

	// In the unpacked folder, ./m365beat finds its configuration: -c is
	// relative to path.config, which defaults to path.home.
	cmd := exec.Command("./m365beat", "test", "config")
	cmd.Dir = home
	if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "Config OK") {
		t.Errorf("./m365beat test config: %v\n%s", err, out)
	}

	// Started from another folder, path.home is still the binary's folder:
	// data/ is created beside the binary, not in the working folder.
	cwd := t.TempDir()
	cmd = exec.Command(filepath.Join(home, "m365beat"), "-e", "--path.config", home,
		"-E", "output.elasticsearch.enabled=false", "-E", "output.discard.enabled=true")
	cmd.Dir = cwd
	stderr := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = stderr, stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	// Signals are handled once the beat runs its beater.
	meta := filepath.Join(home, "data", "meta.json")
	deadline := time.Now().Add(60 * time.Second)
	for {
		if strings.Contains(stderr.String(), "m365beat start running.") {
			break
		}
		select {
		case err := <-exited:
			t.Fatalf("m365beat -e exited before writing %s: %v\n%s", meta, err, stderr.String())
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			<-exited
			t.Fatalf("not running after 60s\n%s", stderr.String())
		}
	}
	if _, err := os.Stat(meta); err != nil {
		t.Errorf("running, but no %s beside the binary: %v", meta, err)
	}
	if _, err := os.Stat(filepath.Join(cwd, "data")); err == nil {
		t.Errorf("data/ created in the working folder %s", cwd)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("m365beat -e on SIGTERM: %v\n%s", err, stderr.String())
		}
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		<-exited
		t.Errorf("m365beat -e did not stop within 60s of SIGTERM\n%s", stderr.String())
	}
}

// syncBuffer collects a child's output while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
