package cmd

import (
	"flag"
	"os"
	"path/filepath"

	"github.com/elastic/beats/v7/libbeat/cfgfile"
	conf "github.com/elastic/elastic-agent-libs/config"
)

// DataView is the Kibana data view (index pattern) of m365beat's data
// streams; the dashboards reference it by this id.
const DataView = "logs-m365_defender.*"

// devDashboards is where the dashboards live in a source tree; packages
// install them under ${path.home}/kibana, libbeat's default.
var devDashboards = filepath.Join("module", "m365_defender", "_meta", "kibana")

// dashboardDefaults sets, below the user's configuration:
// setup.dashboards.enabled: false, setup.dashboards.index (the data view libbeat generates from the fields
// gets this id and title, and dashboard references point to it), and
// setup.dashboards.directory when ${path.home}/kibana has no dashboards but
// a source tree (at path.home or the working directory) has.
func dashboardDefaults() cfgfile.ConditionalOverride {
	o := cfgfile.ConditionalOverride{Config: conf.NewConfig()}
	o.Check = func(c *conf.C) bool {
		// Setting any setup.dashboards key enables the section in libbeat,
		// and `run` would then load dashboards (and need Kibana) at every
		// start; only `setup --dashboards` (which forces it) should.
		_ = o.Config.SetBool("setup.dashboards.enabled", -1, false)
		_ = o.Config.SetString("setup.dashboards.index", -1, DataView)
		// Setting any setup.dashboards key turns libbeat's dashboard loading
		// on at every start (Enabled() is true for a section without
		// "enabled"): keep it off unless the user enables it; `setup
		// --dashboards` forces it on.
		_ = o.Config.SetBool("setup.dashboards.enabled", -1, false)
		if dir := dashboardsDir(homePath(c)); dir != "" {
			_ = o.Config.SetString("setup.dashboards.directory", -1, dir)
		}
		return true
	}
	return o
}

func homePath(c *conf.C) string {
	if f := flag.Lookup("path.home"); f != nil && f.Value.String() != "" {
		return f.Value.String()
	}
	if c != nil {
		if h, err := c.String("path.home", -1); err == nil && h != "" {
			return h
		}
	}
	exe, err := os.Executable()
	if err != nil {
		return "."
	}
	return filepath.Dir(exe)
}

// dashboardsDir returns the directory to load dashboards from when
// libbeat's default (${path.home}/kibana) has none, else "".
func dashboardsDir(home string) string {
	if isDir(filepath.Join(home, "kibana", "7", "dashboard")) {
		return ""
	}
	bases := []string{home}
	if wd, err := os.Getwd(); err == nil {
		bases = append(bases, wd)
	}
	for _, b := range bases {
		d := filepath.Join(b, devDashboards)
		if isDir(filepath.Join(d, "7", "dashboard")) {
			if abs, err := filepath.Abs(d); err == nil {
				return abs
			}
			return d
		}
	}
	return ""
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}
