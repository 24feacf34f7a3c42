package beater

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/elastic/beats/v7/libbeat/beat"
	"github.com/elastic/beats/v7/libbeat/cfgfile"
	"github.com/elastic/beats/v7/libbeat/statestore"
	conf "github.com/elastic/elastic-agent-libs/config"
	"github.com/elastic/elastic-agent-libs/logp"
	"github.com/elastic/elastic-agent-libs/monitoring"

	"github.com/m365beat/m365beat/config"
	"github.com/m365beat/m365beat/input"
)

// factory builds input runners from input entries; it is the
// cfgfile.RunnerFactory of both m365beat.inputs and the reloaded
// m365beat.config.inputs files.
type factory struct {
	log       *logp.Logger
	store     *statestore.Store // nil in `test config`
	metrics   *monitoring.Registry
	waitClose time.Duration
	// prebuilt inputs (see Beater.prebuilt), each used once.
	prebuilt map[string]input.Input
	mu       sync.Mutex
}

// configKey identifies an input entry by its content: libbeat hands the
// factory a copy of the entry, not the one New saw.
func configKey(cfg *conf.C) string {
	var m map[string]any
	if err := cfg.Unpack(&m); err != nil {
		return ""
	}
	b, err := json.Marshal(m) // map keys sorted
	if err != nil {
		return ""
	}
	return string(b)
}

// build returns the input New built for cfg, or builds it.
func (f *factory) build(cfg *conf.C) (config.Input, input.Input, error) {
	key := configKey(cfg)
	f.mu.Lock()
	in, ok := f.prebuilt[key]
	delete(f.prebuilt, key)
	f.mu.Unlock()
	if !ok {
		return Build(cfg, f.log)
	}
	common, err := config.ParseInput(cfg)
	return common, in, err
}

// Build validates an input entry and builds the input.
func Build(cfg *conf.C, log *logp.Logger) (config.Input, input.Input, error) {
	common, err := config.ParseInput(cfg)
	if err != nil {
		return common, nil, err
	}
	f, ok := input.Lookup(common.Type)
	if !ok {
		return common, nil, fmt.Errorf("type: unknown input type %q (known: %v)", common.Type, input.Types())
	}
	in, err := f(cfg, log.Named(common.Type))
	return common, in, err
}

// CheckConfig implements cfgfile.RunnerFactory.
func (f *factory) CheckConfig(cfg *conf.C) error {
	_, _, err := Build(cfg, f.log)
	return err
}

// Create implements cfgfile.RunnerFactory.
func (f *factory) Create(p beat.PipelineConnector, cfg *conf.C) (cfgfile.Runner, error) {
	common, in, err := f.build(cfg)
	if err != nil {
		return nil, err
	}
	id := common.ID
	if id == "" {
		id = common.Type
	}
	log := f.log.With("input.id", id, "input.type", common.Type)
	var st input.Store
	if f.store != nil {
		st = newStore(f.store, id)
	}
	reg := f.metrics.GetRegistry(id)
	if reg == nil {
		reg = f.metrics.NewRegistry(id)
	}
	return &runner{
		id:  id,
		in:  in,
		log: log,
		ctx: input.Context{
			ID:       id,
			Logger:   log,
			Pipeline: &connector{pipeline: p, inputID: id, inputType: common.Type, waitClose: f.waitClose, log: log},
			Store:    st,
			Metrics:  reg,
		},
	}, nil
}

// runner runs one input in its own goroutine.
type runner struct {
	id     string
	in     input.Input
	log    *logp.Logger
	ctx    input.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

func (r *runner) String() string { return "input " + r.id }

// Start runs the input until Stop.
func (r *runner) Start() {
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	r.ctx.Cancel = ctx
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		r.log.Info("input started")
		if err := r.in.Run(r.ctx); err != nil && !errors.Is(err, context.Canceled) {
			r.log.Errorw("input stopped with an error", "error", err)
			return
		}
		r.log.Info("input stopped")
	}()
}

// Stop cancels the input and waits for Run to return. Run closes its
// pipeline clients, which wait (bounded by shutdown_timeout) for the
// acknowledgement of events in flight, so checkpoints catch up.
func (r *runner) Stop() {
	if r.cancel != nil {
		r.cancel()
	}
	r.wg.Wait()
}
