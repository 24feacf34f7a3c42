package graph

import (
	"fmt"

	"github.com/elastic/beats/v7/libbeat/beat"
	libprocessors "github.com/elastic/beats/v7/libbeat/processors"
	conf "github.com/elastic/elastic-agent-libs/config"
	"github.com/elastic/elastic-agent-libs/logp"

	"github.com/m365beat/m365beat/processors"
)

func init() {
	libprocessors.RegisterPlugin(processors.Alert, constructor(AlertStream))
	libprocessors.RegisterPlugin(processors.Incident, constructor(IncidentStream))
}

// Config is the configuration of both processors.
type Config struct {
	processors.Options `config:",inline"`
}

func defaultConfig() Config { return Config{Options: processors.DefaultOptions()} }

// Validate checks the configuration (both options are plain booleans).
func (c *Config) Validate() error { return nil }

func constructor(s Stream) libprocessors.Constructor {
	return func(c *conf.C, log *logp.Logger) (beat.Processor, error) {
		cfg := defaultConfig()
		if c != nil {
			if err := c.Unpack(&cfg); err != nil {
				name := processors.Alert
				if s == IncidentStream {
					name = processors.Incident
				}
				return nil, fmt.Errorf("%s: %w", name, err)
			}
		}
		return New(s, cfg.Options, log), nil
	}
}
