package event

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/elastic/elastic-agent-libs/logp"

	"github.com/m365beat/m365beat/internal/golden"
)

// testDatabase returns the path of one of MaxMind's test databases shipped
// in libbeat's module source (GeoLite2-City.mmdb, GeoLite2-ASN.mmdb), or
// skips the test.
func testDatabase(t testing.TB, name string) string {
	t.Helper()
	p, err := findTestDatabase(name)
	if err != nil {
		t.Skip(err)
	}
	return p
}

func findTestDatabase(name string) (string, error) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/elastic/beats/v7").Output()
	if err != nil {
		return "", fmt.Errorf("cannot locate libbeat's module directory: %w", err)
	}
	p := filepath.Join(strings.TrimSpace(string(out)), "testing", "environments", name)
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("MaxMind test database not found: %w", err)
	}
	return p, nil
}

// TestConformanceDeviceWithGeoIP scores test-device with GeoIP enrichment on
// (MaxMind's test City database, as the fixtures were made): geo fields are
// scored too.
func TestConformanceDeviceWithGeoIP(t *testing.T) {
	dir := golden.FixturesDir(t, "../..", "event")
	cfg := bothOn
	cfg.GeoIP.Database = testDatabase(t, "GeoLite2-City.mmdb")
	p, err := New(cfg, logp.NewNopLogger())
	if err != nil {
		t.Fatal(err)
	}
	in := filepath.Join(dir, "test-device.log")
	want := golden.Expected(t, in+"-expected.json")
	matched, total, geo := 0, 0, 0
	for i, line := range golden.Lines(t, in) {
		got := golden.Canonical(t, render(p, line))
		ignore := func(f string) bool { return m365beatAddition(f) }
		m, n := golden.Score(want[i], got, ignore)
		matched += m
		total += n
		for f := range golden.Flatten(want[i]) {
			if strings.Contains(f, ".geo.") {
				geo++
			}
		}
		for _, d := range golden.Diff(want[i], got, ignore) {
			t.Errorf("doc %d: %s", i, d)
		}
	}
	t.Logf("test-device.log with GeoIP: %d/%d fields (%d geo fields scored)", matched, total, geo)
}

func TestGeoIPAndASN(t *testing.T) {
	cfg := defaultConfig()
	cfg.GeoIP.Database = testDatabase(t, "GeoLite2-City.mmdb")
	cfg.ASN.Database = testDatabase(t, "GeoLite2-ASN.mmdb")
	p, err := New(cfg, logp.NewNopLogger())
	if err != nil {
		t.Fatal(err)
	}
	doc := render(p, []byte(`{"category":"AdvancedHunting-DeviceNetworkEvents","properties":{"Timestamp":"2024-05-01T09:59:59Z","ActionType":"ConnectionSuccess","LocalIP":"10.0.0.1","RemoteIP":"1.128.0.1","LocalPort":1,"RemotePort":2}}`))
	if v, _ := doc.GetValue("destination.as.number"); v != int64(1221) {
		t.Errorf("destination.as.number = %v (%v)", v, doc)
	}
	if v, _ := doc.GetValue("destination.as.organization.name"); v != "Telstra Pty Ltd" {
		t.Errorf("destination.as.organization.name = %v", v)
	}
	if _, err := doc.GetValue("source.geo"); err == nil {
		t.Error("private address got geo")
	}
}

func TestGeoIPConfigErrorNamesKey(t *testing.T) {
	cfg := defaultConfig()
	cfg.GeoIP.Database = filepath.Join(t.TempDir(), "missing.mmdb")
	if _, err := New(cfg, logp.NewNopLogger()); err == nil || !strings.Contains(err.Error(), "geoip.database") {
		t.Errorf("error = %v, want one naming geoip.database", err)
	}
}
