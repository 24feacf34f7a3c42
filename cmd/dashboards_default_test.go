package cmd

import (
	"testing"

	conf "github.com/elastic/elastic-agent-libs/config"
)

// The dashboard defaults must not enable dashboard loading: libbeat's run
// loads dashboards (and fails without Kibana) whenever the
// setup.dashboards section is enabled, and a section with any key is
// enabled unless it says enabled: false.
func TestDashboardDefaultsDoNotEnableLoadingOnRun(t *testing.T) {
	o := dashboardDefaults()
	if !o.Check(conf.NewConfig()) {
		t.Fatal("defaults not applied")
	}
	sec, err := o.Config.Child("setup", -1)
	if err != nil {
		t.Fatal(err)
	}
	d, err := sec.Child("dashboards", -1)
	if err != nil {
		t.Fatal(err)
	}
	if d.Enabled() {
		t.Error("setup.dashboards is enabled by the defaults: m365beat run would need Kibana at start")
	}
	if idx, _ := d.String("index", -1); idx != DataView {
		t.Errorf("setup.dashboards.index %q", idx)
	}
}
