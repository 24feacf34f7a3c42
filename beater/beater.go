// Package beater holds the m365beat Beater: it starts the configured inputs,
// each with its own pipeline clients, and stops them cleanly.
package beater

import (
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/elastic/beats/v7/libbeat/beat"
	"github.com/elastic/beats/v7/libbeat/cfgfile"
	"github.com/elastic/beats/v7/libbeat/common/reload"
	"github.com/elastic/beats/v7/libbeat/statestore"
	"github.com/elastic/beats/v7/libbeat/statestore/backend/memlog"
	conf "github.com/elastic/elastic-agent-libs/config"
	"github.com/elastic/elastic-agent-libs/logp"
	"github.com/elastic/elastic-agent-libs/monitoring"
	"github.com/elastic/elastic-agent-libs/paths"

	"github.com/m365beat/m365beat/config"
	"github.com/m365beat/m365beat/input"
)

// Beater runs m365beat's inputs.
type Beater struct {
	cfg     config.Config
	log     *logp.Logger
	paths   *paths.Path
	done    chan struct{}
	stop    sync.Once
	metrics *monitoring.Registry

	running atomic.Bool
	stopped chan struct{} // closed when Run has stopped every input
	// prebuilt are the static inputs New built to validate them, by their
	// configuration's content (configKey): Run starts these instead of
	// building them again (so their construction warnings are logged once).
	prebuilt map[string]input.Input
}

// New is the libbeat creator of the Beater. It validates the whole
// configuration, every input included, so `m365beat test config` reports
// any mistake with the key that holds it.
func New(b *beat.Beat, rawCfg *conf.C) (beat.Beater, error) {
	cfg := config.DefaultConfig()
	if err := rawCfg.Unpack(&cfg); err != nil {
		return nil, fmt.Errorf("m365beat: %w", err)
	}
	log := b.Info.Logger.Named("m365beat")
	ids := map[string]int{}
	prebuilt := map[string]input.Input{}
	for i, in := range cfg.Inputs {
		common, err := config.ParseInput(in)
		if err == nil {
			if common.IsEnabled() {
				var built input.Input
				if _, built, err = Build(in, log); err == nil {
					if k := configKey(in); k != "" {
						prebuilt[k] = built
					}
				}
			} else if _, ok := input.Lookup(common.Type); !ok {
				err = fmt.Errorf("type: unknown input type %q (known: %v)", common.Type, input.Types())
			}
		}
		if err != nil {
			return nil, fmt.Errorf("m365beat.inputs.%d: %w", i, err)
		}
		id := common.ID
		if id == "" {
			id = common.Type
		}
		if j, dup := ids[id]; dup {
			return nil, fmt.Errorf("m365beat.inputs.%d.id: %q is already the id of m365beat.inputs.%d (ids must be unique; set id:)", i, id, j)
		}
		ids[id] = i
	}
	if _, err := cfg.Reloading(); err != nil {
		return nil, err
	}
	reg := b.Monitoring.InputsRegistry()
	if reg == nil {
		reg = monitoring.NewRegistry()
	}
	bt := &Beater{cfg: cfg, log: log, paths: b.Paths, done: make(chan struct{}), stopped: make(chan struct{}), metrics: reg, prebuilt: prebuilt}
	if b.Publisher != nil {
		b.Publisher = &drainingPipeline{Pipeline: b.Publisher, beforeClose: bt.stopInputs}
	}
	return bt, nil
}

// Run starts the inputs and blocks until Stop.
func (bt *Beater) Run(b *beat.Beat) error {
	bt.running.Store(true)
	defer close(bt.stopped)
	reg, err := openRegistry(bt.log, bt.paths)
	if err != nil {
		return err
	}
	defer reg.Close()
	st, err := reg.Get("m365beat")
	if err != nil {
		return fmt.Errorf("open state store: %w", err)
	}
	defer st.Close()

	f := &factory{log: bt.log, store: st, metrics: bt.metrics, waitClose: bt.cfg.ShutdownTimeout, prebuilt: bt.prebuilt}

	static := cfgfile.NewRunnerList("m365beat.inputs", f, b.Publisher, bt.log)
	var cfgs []*reload.ConfigWithMeta
	for _, c := range bt.cfg.Inputs {
		common, err := config.ParseInput(c)
		if err != nil {
			return err
		}
		if !common.IsEnabled() {
			bt.log.Infow("input disabled", "input.id", common.ID)
			continue
		}
		cfgs = append(cfgs, &reload.ConfigWithMeta{Config: c})
	}
	if err := static.Reload(cfgs); err != nil {
		static.Stop()
		return fmt.Errorf("start inputs: %w", err)
	}
	defer static.Stop()

	dc, err := bt.cfg.Reloading()
	if err != nil {
		return err
	}
	if dc != nil {
		rl := cfgfile.NewReloader(bt.log.Named("reload"), b.Publisher, bt.cfg.ConfigInputs, bt.paths)
		if err := rl.Check(f); err != nil {
			return fmt.Errorf("m365beat.config.inputs: %w", err)
		}
		// Run loads the files once when reload is disabled, and keeps
		// watching them when it is enabled; it stops its inputs on Stop.
		go rl.Run(f)
		defer rl.Stop()
	}
	if len(cfgs) == 0 && dc == nil {
		bt.log.Warn("no input configured (m365beat.inputs is empty and m365beat.config.inputs is not set)")
	}
	<-bt.done
	bt.log.Info("stopping inputs")
	return nil
}

// Stop ends Run; inputs stop and wait for their in-flight ACKs.
func (bt *Beater) Stop() { bt.stop.Do(func() { close(bt.done) }) }

// stopInputs stops Run and waits until every input has stopped, which
// includes their bounded wait for in-flight acknowledgements.
func (bt *Beater) stopInputs() {
	bt.Stop()
	if !bt.running.Load() {
		return
	}
	select {
	case <-bt.stopped:
	case <-time.After(bt.cfg.ShutdownTimeout + 5*time.Second):
		bt.log.Warn("inputs did not stop within shutdown_timeout; closing the pipeline anyway")
	}
}

// drainingPipeline stops the inputs before the pipeline closes. On SIGTERM
// libbeat closes the publisher first and stops the Beater after; without
// this, inputs would wait shutdown_timeout for acknowledgements the closed
// output can no longer send. With it, the output keeps running while the
// inputs drain, so checkpoints and cursors catch up before exit.
type drainingPipeline struct {
	beat.Pipeline
	beforeClose func()
	once        sync.Once
}

// Close stops the inputs, then closes the pipeline.
func (p *drainingPipeline) Close() error {
	var err error
	p.once.Do(func() {
		p.beforeClose()
		if c, ok := p.Pipeline.(io.Closer); ok {
			err = c.Close()
		}
	})
	return err
}

func openRegistry(log *logp.Logger, p *paths.Path) (*statestore.Registry, error) {
	if p == nil {
		p = paths.Paths
	}
	root := p.Resolve(paths.Data, "registry")
	be, err := memlog.New(log.Named("registry"), memlog.Settings{Root: root, FileMode: 0o600})
	if err != nil {
		return nil, fmt.Errorf("open state store in %s: %w", root, err)
	}
	return statestore.NewRegistry(be), nil
}
