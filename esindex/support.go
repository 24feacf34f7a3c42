package esindex

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/elastic/beats/v7/libbeat/beat"
	"github.com/elastic/beats/v7/libbeat/beat/events"
	"github.com/elastic/beats/v7/libbeat/esleg/eslegclient"
	"github.com/elastic/beats/v7/libbeat/idxmgmt"
	"github.com/elastic/beats/v7/libbeat/outputs"
	"github.com/elastic/beats/v7/libbeat/outputs/outil"
	conf "github.com/elastic/elastic-agent-libs/config"
	"github.com/elastic/elastic-agent-libs/logp"
)

// DefaultIndex is the index of an event that carries no @metadata index:
// its data stream, from its data_stream fields.
const DefaultIndex = "logs-%{[data_stream.dataset]}-%{[data_stream.namespace]}"

// Support is m365beat's idxmgmt.Supporter.
type Support struct {
	log  *logp.Logger
	info beat.Info
	cfg  Config
	out  *conf.C // output.elasticsearch, nil for other outputs
	// Connect opens the Elasticsearch connection setup uses (tests
	// replace it); Out receives the report (os.Stdout).
	Connect func(ctx context.Context) (ESClient, error)
	Out     io.Writer
}

// NewSupport is the idxmgmt.SupportFactory of m365beat (instance.Settings.IndexManagement).
func NewSupport(log *logp.Logger, info beat.Info, root *conf.C) (idxmgmt.Supporter, error) {
	s, err := newSupport(log, info, root)
	if err != nil {
		return nil, err
	}
	return s, nil
}

func newSupport(log *logp.Logger, info beat.Info, root *conf.C) (*Support, error) {
	cfg, err := ReadConfig(root)
	if err != nil {
		return nil, err
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	s := &Support{log: log.Named("index-management"), info: info, cfg: cfg, Out: os.Stdout}
	if root != nil {
		var o struct {
			Output conf.Namespace `config:"output"`
		}
		if err := root.Unpack(&o); err != nil {
			return nil, fmt.Errorf("output: %w", err)
		}
		if o.Output.Name() == "elasticsearch" {
			s.out = o.Output.Config()
		}
	}
	s.Connect = func(ctx context.Context) (ESClient, error) {
		if s.out == nil {
			return nil, errNotElasticsearch
		}
		return eslegclient.NewConnectedClient(ctx, s.out, info.Beat, s.log)
	}
	return s, nil
}

// Config returns the effective configuration.
func (s *Support) Config() Config { return s.cfg }

// Enabled reports whether templates or the policy load when the output
// connects (setup.template.enabled, setup.ilm.enabled).
func (s *Support) Enabled() bool { return s.cfg.Template.Enabled || s.cfg.ILM.Enabled }

// BuildSelector returns the output's index selector: @metadata.index or
// raw_index when set (m365beat's routing sets raw_index), else the output's
// index setting, else the event's data stream.
func (s *Support) BuildSelector(cfg *conf.C) (outputs.IndexSelector, error) {
	sel := conf.NewConfig()
	if cfg != nil && cfg.HasField("indices") {
		sub, err := cfg.Child("indices", -1)
		if err != nil {
			return nil, err
		}
		if err := sel.SetChild("indices", -1, sub); err != nil {
			return nil, err
		}
	}
	index := DefaultIndex
	if cfg != nil && cfg.HasField("index") {
		v, err := cfg.String("index", -1)
		if err != nil {
			return nil, fmt.Errorf("index: %w", err)
		}
		index = v
	}
	if err := sel.SetString("index", -1, index); err != nil {
		return nil, err
	}
	is, err := outil.BuildSelectorFromConfig(sel, outil.Settings{
		Key: "index", MultiKey: "indices", EnableSingleOnly: true, FailEmpty: true, Case: outil.SelectorLowerCase,
	}, s.log)
	if err != nil {
		return nil, err
	}
	return selector{is}, nil
}

type selector struct{ sel outil.Selector }

func (s selector) Select(e *beat.Event) (string, error) {
	for _, k := range []string{events.FieldMetaIndex, events.FieldMetaRawIndex} {
		if v, err := events.GetMetaStringValue(*e, k); err == nil && v != "" {
			return strings.ToLower(v), nil
		}
	}
	idx, err := s.sel.Select(e)
	if err == nil && idx == "" {
		err = errors.New("the event has no @metadata.raw_index and no data_stream.dataset/namespace to route it by")
	}
	return idx, err
}

// Manager implements idxmgmt.Supporter.
func (s *Support) Manager(h idxmgmt.ClientHandler, _ idxmgmt.Asseter) idxmgmt.Manager {
	return &manager{s: s, es: h != nil && h.IsElasticsearch()}
}

type manager struct {
	s  *Support
	es bool
}

// VerifySetup implements idxmgmt.Manager.
func (m *manager) VerifySetup(template, ilm idxmgmt.LoadMode) (bool, string) {
	if !m.es {
		return false, errNotElasticsearch.Error()
	}
	if !template.Enabled() && ilm == idxmgmt.LoadModeUnset && !m.s.cfg.ILM.Enabled {
		return false, "nothing to load"
	}
	return true, ""
}

// options maps libbeat's load modes to what Setup loads:
// `setup --index-management` asks (overwrite, enabled), the output's
// connect callback (enabled, enabled), `setup --ilm-policy` (unset, enabled).
func (m *manager) options(template, ilm idxmgmt.LoadMode) Options {
	c := m.s.cfg
	var o Options
	switch template {
	case idxmgmt.LoadModeOverwrite, idxmgmt.LoadModeForce:
		o.Templates, o.Overwrite = true, true
	case idxmgmt.LoadModeEnabled:
		o.Templates, o.Overwrite = c.Template.Enabled, c.Template.Overwrite
	}
	switch ilm {
	case idxmgmt.LoadModeForce:
		o.ILM = true
	case idxmgmt.LoadModeEnabled, idxmgmt.LoadModeOverwrite:
		o.ILM = c.ILM.Enabled
	case idxmgmt.LoadModeUnset:
		o.ILM = c.ILM.Enabled && o.Templates
	}
	o.OverwritePolicy = c.ILM.Overwrite || ilm >= idxmgmt.LoadModeOverwrite
	return o
}

// Setup implements idxmgmt.Manager.
func (m *manager) Setup(template, ilm idxmgmt.LoadMode) error {
	if !m.es {
		return errNotElasticsearch
	}
	o := m.options(template, ilm)
	if !o.Templates && !o.ILM {
		return nil
	}
	es, err := m.s.Connect(context.Background())
	if err != nil {
		return fmt.Errorf("index setup: %w", err)
	}
	if c, ok := es.(io.Closer); ok {
		defer c.Close()
	}
	r, err := Setup(es, m.s.cfg, o, m.s.info.Version, m.s.log)
	if template == idxmgmt.LoadModeEnabled && ilm == idxmgmt.LoadModeEnabled && err != nil {
		// The output's connect callback: never block publishing on index
		// setup (documents still index); say how to fix it instead.
		var perr PrivilegeError
		if errors.As(err, &perr) {
			m.s.log.Warnf("index setup skipped: %v; run `m365beat setup --index-management` once with a privileged user, or set setup.template.enabled and setup.ilm.enabled to false", err)
		} else {
			m.s.log.Errorf("index setup failed, publishing anyway: %v", err)
		}
		return nil
	}
	if r != nil {
		for _, w := range r.Warnings {
			m.s.log.Warn(w)
		}
		if template >= idxmgmt.LoadModeOverwrite || ilm >= idxmgmt.LoadModeOverwrite || template == idxmgmt.LoadModeUnset {
			r.print(m.s.Out)
		}
	}
	return err
}
