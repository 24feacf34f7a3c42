package esindex

import (
	"strings"
	"testing"

	"github.com/elastic/elastic-agent-libs/logp"

	"github.com/m365beat/m365beat/internal/estest"
	"github.com/m365beat/m365beat/processors/vulnerability/latest"
)

// setup.vulnerabilities.latest_transform installs and starts the latest
// vulnerabilities transform; a second setup leaves it alone; without the
// option nothing is installed.
func TestSetupInstallsLatestVulnerabilitiesTransform(t *testing.T) {
	es := estest.NewServer()
	defer es.Close()
	cfg := defaultConfig()
	if _, err := Setup(connect(t, es), cfg, full, "9.3.0", logp.NewNopLogger()); err != nil {
		t.Fatal(err)
	}
	if n := len(es.Transforms()); n != 0 {
		t.Fatalf("%d transforms installed without setup.vulnerabilities.latest_transform", n)
	}

	cfg.Vulnerabilities.LatestTransform = true
	r, err := Setup(connect(t, es), cfg, full, "9.3.0", logp.NewNopLogger())
	if err != nil {
		t.Fatal(err)
	}
	if started, ok := es.Transforms()[latest.TransformID]; !ok || !started {
		t.Fatalf("transform %s installed %v started %v", latest.TransformID, ok, started)
	}
	if !strings.Contains(strings.Join(r.Created, "\n"), latest.TransformID) {
		t.Fatalf("report does not name the transform: %+v", r)
	}
	r, err = Setup(connect(t, es), cfg, full, "9.3.0", logp.NewNopLogger())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(r.Unchanged, "\n"), latest.TransformID) || len(r.Created) != 0 {
		t.Fatalf("second setup changed something: %+v", r)
	}
}
