// Package cmd builds m365beat's command line on libbeat's root command.
package cmd

import (
	"github.com/elastic/beats/v7/libbeat/cfgfile"
	"github.com/elastic/beats/v7/libbeat/cmd"
	"github.com/elastic/beats/v7/libbeat/cmd/instance"
	"github.com/elastic/beats/v7/libbeat/ecs"
	"github.com/elastic/beats/v7/libbeat/publisher/processing"
	"github.com/elastic/elastic-agent-libs/mapstr"

	"github.com/m365beat/m365beat/beater"
	"github.com/m365beat/m365beat/esindex"
	_ "github.com/m365beat/m365beat/include"
	_ "github.com/m365beat/m365beat/input/eventhub"
	_ "github.com/m365beat/m365beat/input/graphapi"
	_ "github.com/m365beat/m365beat/processors/event"
	_ "github.com/m365beat/m365beat/processors/graph"
	_ "github.com/m365beat/m365beat/processors/vulnerability"
)

// Name of the beat.
const Name = "m365beat"

// RootCmd is m365beat's root command.
var RootCmd *cmd.BeatsRootCmd

func settings() instance.Settings {
	return instance.Settings{
		Name:          Name,
		Version:       Version,
		HasDashboards: true,
		// Per-dataset templates, ILM policy and data streams; routing to
		// logs-<dataset>-<namespace> (esindex).
		IndexManagement: esindex.NewSupport,
		// setup.dashboards.index and .directory defaults (dashboards.go).
		ConfigOverrides: []cfgfile.ConditionalOverride{dashboardDefaults()},
		Processing: processing.MakeDefaultSupport(true, nil,
			processing.WithFields(mapstr.M{"ecs": mapstr.M{"version": ecs.Version}}),
			processing.WithAgentMeta()),
	}
}

func init() {
	RootCmd = cmd.GenRootCmdWithSettings(beater.New, settings())
}

func init() {
	RootCmd.AddCommand(normalizeCommand())
	RootCmd.AddCommand(demoCommand(settings()))
	replaceExportConfig(&RootCmd.Command, settings())
	replaceExportIndex(&RootCmd.Command, settings())
	addTestInputs(&RootCmd.Command, settings())
}
