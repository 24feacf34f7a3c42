package beater

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/elastic/beats/v7/libbeat/beat"
	conf "github.com/elastic/elastic-agent-libs/config"
	"github.com/elastic/elastic-agent-libs/logp"
	"github.com/elastic/elastic-agent-libs/logp/logptest"
	"github.com/elastic/elastic-agent-libs/paths"

	"github.com/m365beat/m365beat/input"
)

// probeInput records which inputs run; it is registered for this test only
// and exercises the Beater's lifecycle, not a data source.
type probeInput struct{ id string }

var (
	probeMu      sync.Mutex
	probeRunning = map[string]int{}
)

func (p *probeInput) Run(ctx input.Context) error {
	probeMu.Lock()
	probeRunning[ctx.ID]++
	probeMu.Unlock()
	<-ctx.Cancel.Done()
	probeMu.Lock()
	probeRunning[ctx.ID]--
	probeMu.Unlock()
	return nil
}

func running(id string) int {
	probeMu.Lock()
	defer probeMu.Unlock()
	return probeRunning[id]
}

func init() {
	input.Register("reload_probe", func(cfg *conf.C, _ *logp.Logger) (input.Input, error) {
		var c struct {
			ID string `config:"id"`
		}
		err := cfg.Unpack(&c)
		return &probeInput{id: c.ID}, err
	})
}

// Files added to, changed in and removed from inputs.d start and stop
// inputs while m365beat runs.
func TestInputsDirectoryReload(t *testing.T) {
	home := t.TempDir()
	dir := filepath.Join(home, "inputs.d")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	cfg, err := conf.NewConfigWithYAML([]byte(`
inputs:
  - {type: reload_probe, id: static}
config.inputs:
  path: inputs.d/*.yml
  reload.enabled: true
  reload.period: 100ms
shutdown_timeout: 1s
`), "m365beat")
	if err != nil {
		t.Fatal(err)
	}
	p := &paths.Path{Home: home, Config: home, Data: filepath.Join(home, "data"), Logs: home}
	b := &beat.Beat{Info: beat.Info{Beat: "m365beat", Logger: logptest.NewTestingLogger(t, "")}, Paths: p,
		Publisher: newPipeline(t, "file", map[string]any{"path": t.TempDir()})}
	bt, err := New(b, cfg)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error)
	go func() { done <- bt.Run(b) }()

	waitFor(t, "static input running", 10*time.Second, func() bool { return running("static") == 1 })

	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("a.yml", "- {type: reload_probe, id: file-a}\n")
	waitFor(t, "file-a started", 10*time.Second, func() bool { return running("file-a") == 1 })

	// A changed file restarts as the new input.
	time.Sleep(1100 * time.Millisecond) // the glob watcher compares modification times in seconds
	write("a.yml", "- {type: reload_probe, id: file-b}\n")
	waitFor(t, "file-a replaced by file-b", 10*time.Second, func() bool { return running("file-a") == 0 && running("file-b") == 1 })

	if err := os.Remove(filepath.Join(dir, "a.yml")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "file-b stopped", 10*time.Second, func() bool { return running("file-b") == 0 })
	if running("static") != 1 {
		t.Fatal("the static input must keep running")
	}

	bt.Stop()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("Run did not return after Stop")
	}
	if running("static") != 0 {
		t.Fatal("static input still running after Stop")
	}
}
