// Package config holds m365beat's top-level configuration (the
// `m365beat:` section) and the part every input entry shares.
package config

import (
	"fmt"
	"time"

	"github.com/elastic/beats/v7/libbeat/cfgfile"
	conf "github.com/elastic/elastic-agent-libs/config"
)

// Config is the `m365beat:` section of m365beat.yml.
type Config struct {
	// Inputs is the static list of inputs (m365beat.inputs).
	Inputs []*conf.C `config:"inputs"`
	// ConfigInputs loads more inputs from files (m365beat.config.inputs),
	// reloading them when reload.enabled is set.
	ConfigInputs *conf.C `config:"config.inputs"`
	// ShutdownTimeout bounds how long Stop waits for in-flight events to be
	// acknowledged by the output (m365beat.shutdown_timeout).
	ShutdownTimeout time.Duration `config:"shutdown_timeout"`
}

// DefaultConfig returns the defaults.
func DefaultConfig() Config {
	return Config{ShutdownTimeout: 30 * time.Second}
}

// Validate checks the section; input entries are checked by CheckInput.
func (c *Config) Validate() error {
	if c.ShutdownTimeout < 0 {
		return fmt.Errorf("m365beat.shutdown_timeout: must not be negative")
	}
	return nil
}

// Reloading returns the config.inputs settings (path and reload), or nil
// when the section is absent.
func (c *Config) Reloading() (*cfgfile.DynamicConfig, error) {
	if c.ConfigInputs == nil {
		return nil, nil
	}
	dc := cfgfile.DefaultDynamicConfig
	if err := c.ConfigInputs.Unpack(&dc); err != nil {
		return nil, fmt.Errorf("m365beat.config.inputs: %w", err)
	}
	if dc.Path == "" {
		return nil, fmt.Errorf("m365beat.config.inputs.path: required (e.g. ${path.config}/inputs.d/*.yml)")
	}
	if dc.Reload.Enabled && dc.Reload.Period <= 0 {
		return nil, fmt.Errorf("m365beat.config.inputs.reload.period: must be positive")
	}
	return &dc, nil
}
