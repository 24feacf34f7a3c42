package cmd

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/m365beat/m365beat/internal/estest"
	"github.com/m365beat/m365beat/internal/kibanatest"
)

// `m365beat setup --index-management` with the shipped m365beat.yml
// installs the ILM policy, the templates and the default data streams
// through libbeat's setup command; a second run writes nothing.
func TestSetupCommandIndexManagement(t *testing.T) {
	es := estest.NewServer()
	defer es.Close()
	pathFlags := shippedHome(t)
	run := func() {
		t.Helper()
		out, err := runBeat(t, append([]string{"setup", "--index-management",
			"-E", "output.elasticsearch.hosts=[" + es.URL + "]"}, pathFlags...)...)
		if err != nil {
			t.Fatalf("setup: %v\n%s", err, out)
		}
		if !strings.Contains(out, "Index setup finished.") {
			t.Fatalf("setup output:\n%s", out)
		}
	}
	run()
	if _, ok := es.Policy("m365beat"); !ok {
		t.Error("ILM policy m365beat not installed")
	}
	tm, ok := es.Template("m365beat-m365_defender.event")
	if !ok {
		t.Fatal("event template not installed")
	}
	if tm["priority"] != 250.0 {
		t.Errorf("priority %v", tm["priority"])
	}
	if got := es.DataStreams()["logs-m365_defender.event-default"]; got != "m365beat-m365_defender.event" {
		t.Errorf("data stream logs-m365_defender.event-default from %q", got)
	}
	n := len(es.Calls())
	run()
	for _, c := range es.Calls()[n:] {
		if c.Method == http.MethodPut || c.Method == http.MethodPost || c.Method == http.MethodDelete {
			if !strings.HasSuffix(c.Path, "/_bulk") {
				t.Errorf("second setup sent %s %s", c.Method, c.Path)
			}
		}
	}
}

// runBeat runs m365beat's root command with args in a child process (the
// test binary itself: libbeat's instance registers process-global state
// and runs once per process).
func runBeat(t *testing.T, args ...string) (string, error) {
	t.Helper()
	return runBeatIn(t, "", args...)
}

// runBeatIn is runBeat with the working directory dir ("" = this one).
func runBeatIn(t *testing.T, dir string, args ...string) (string, error) {
	t.Helper()
	cmd := childCommand(context.Background(), args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// childEnv makes the test binary act as m365beat (TestMain).
const childEnv = "M365BEAT_CMD_CHILD"

// childCommand runs the test binary as m365beat with args: libbeat's
// instance registers process-global state and runs once per process, and
// the test binary holds the same code as the m365beat binary.
func childCommand(ctx context.Context, args ...string) *exec.Cmd {
	c := exec.CommandContext(ctx, os.Args[0], append([]string{"-test.run=^$", "--"}, args...)...)
	c.Env = append(os.Environ(), childEnv+"=1")
	return c
}

// shippedHome makes a path.home holding the shipped m365beat.yml and
// returns the path flags of a run in it.
func shippedHome(t *testing.T) []string {
	t.Helper()
	home := t.TempDir()
	shipped, err := os.ReadFile("../m365beat.yml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, "m365beat.yml"), shipped, 0o600); err != nil {
		t.Fatal(err)
	}
	return []string{"--path.home", home, "--path.config", home,
		"--path.data", filepath.Join(home, "data"), "--path.logs", filepath.Join(home, "logs")}
}

// TestMain doubles as m365beat in the child processes of childCommand.
func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		for i, a := range os.Args {
			if a == "--" {
				RootCmd.SetArgs(os.Args[i+1:])
				break
			}
		}
		if err := RootCmd.Execute(); err != nil {
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// Plain `m365beat setup` (what the README says to run) does both: index
// management and dashboards.
func TestSetupCommandAll(t *testing.T) {
	es := estest.NewServer()
	defer es.Close()
	kb := kibanatest.NewServer()
	defer kb.Close()
	pathFlags := shippedHome(t)
	wd, _ := os.Getwd()
	out, err := runBeatIn(t, filepath.Dir(wd), append([]string{"setup",
		"-E", "output.elasticsearch.hosts=[" + es.URL + "]", "-E", "setup.kibana.host=" + kb.URL}, pathFlags...)...)
	if err != nil {
		t.Fatalf("setup: %v\n%s", err, out)
	}
	for _, ds := range []string{"event", "alert", "incident"} {
		if _, ok := es.Template("m365beat-m365_defender." + ds); !ok {
			t.Errorf("template for %s not installed\n%s", ds, out)
		}
	}
	if _, ok := kb.Objects()["dashboard/m365beat-alerts-incidents"]; !ok {
		t.Errorf("dashboards not loaded\n%s", out)
	}
}
