package event

import (
	"path/filepath"
	"testing"

	"github.com/elastic/elastic-agent-libs/logp"

	"github.com/m365beat/m365beat/internal/golden"
)

// TestConformanceFamiliesWithGeoIP scores the e-mail, alert and app &
// identity fixture files with GeoIP enrichment on (MaxMind's test City
// database, as the fixtures were made): every field is scored, and the
// external-data fields (client.geo.*, user_agent.*) must reach 95%.
func TestConformanceFamiliesWithGeoIP(t *testing.T) {
	dir := golden.FixturesDir(t, "../..", "event")
	cfg := bothOn
	cfg.GeoIP.Database = testDatabase(t, "GeoLite2-City.mmdb")
	p, err := New(cfg, logp.NewNopLogger())
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"test-email.log", "test-message.log", "test-alert.log", "test-behavior.log", "test-app-and-identity.log", "test-cloud.log"} {
		t.Run(name, func(t *testing.T) {
			in := filepath.Join(dir, name)
			want := golden.Expected(t, in+"-expected.json")
			lines := golden.Lines(t, in)
			if len(lines) != len(want) {
				t.Fatalf("%d input lines, %d expected documents", len(lines), len(want))
			}
			matched, total, extMatched, extTotal := 0, 0, 0, 0
			for i, line := range lines {
				got := golden.Canonical(t, render(p, line))
				own := func(f string) bool { return m365beatAddition(f) || externalData(f) }
				m, n := golden.Score(want[i], got, own)
				matched += m
				total += n
				for _, d := range golden.Diff(want[i], got, own) {
					t.Errorf("doc %d: %s", i, d)
				}
				em, en := golden.Score(want[i], got, func(f string) bool { return !externalData(f) })
				extMatched += em
				extTotal += en
			}
			t.Logf("%s with GeoIP: %d/%d fields (%.1f%%); external-data fields %d/%d", name, matched, total,
				100*float64(matched)/float64(max(total, 1)), extMatched, extTotal)
			if extTotal > 0 && float64(extMatched) < minExternalScore*float64(extTotal) {
				t.Errorf("%s: external-data fields %d/%d below %.0f%%", name, extMatched, extTotal, 100*minExternalScore)
			}
		})
	}
}
