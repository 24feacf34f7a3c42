package event

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/m365beat/m365beat/internal/golden"
)

// fullyScored reports whether every family the category routes to has a
// mapper: then the document is scored field by field, else only its
// envelope fields are (families not implemented yet). Implementing a
// family switches its documents to full scoring automatically.
func fullyScored(category string) bool {
	fams := Route(strings.ToLower(category))
	for _, f := range fams {
		if MapperOf(f) == nil {
			return false
		}
	}
	return len(fams) > 0
}

// unscored lists the smoke-test inputs without expected documents.
func unscored(name string) bool { return strings.HasSuffix(name, "-unscored.log") }

// envelopeFields are the fields produced by the envelope alone.
var envelopeFields = []string{
	"@timestamp", "ecs.version", "event.original", "tags",
	"m365_defender.event.category", "m365_defender.event.operation_name",
	"m365_defender.event.tenant.name", "m365_defender.event.tenant.id",
	"m365_defender.event.time", "m365_defender.event.timestamp",
}

// externalData reports the fields computed from external data sets
// (README §5): geo, as, user_agent except user_agent.original.
func externalData(field string) bool {
	if strings.Contains(field, ".geo.") || strings.HasPrefix(field, "geo.") ||
		strings.Contains(field, ".as.") || strings.HasPrefix(field, "as.") {
		return true
	}
	return strings.HasPrefix(field, "user_agent.") && field != "user_agent.original"
}

// externalConfigured reports whether the router under test has the external
// data set a field needs: user_agent.* always (uap-core regexes embedded in
// uap-go), geo/as only with a configured enricher.
func externalConfigured(p *Processor, field string) bool {
	if strings.HasPrefix(field, "user_agent.") {
		return true
	}
	return p.geo != nil
}

// minExternalScore is the share of configured external-data fields that must
// match (README §5: the data sets differ in revision from Elastic's).
const minExternalScore = 0.95

// m365beatAddition reports fields m365beat adds on top of the spec.
func m365beatAddition(field string) bool {
	return strings.HasPrefix(field, "m365_defender.event.unmapped.")
}

func isEnvelope(field string) bool {
	for _, f := range envelopeFields {
		if field == f {
			return true
		}
	}
	return false
}

func TestConformanceEvent(t *testing.T) {
	dir := golden.FixturesDir(t, "../..", "event")
	logs, err := filepath.Glob(filepath.Join(dir, "*.log"))
	if err != nil {
		t.Fatal(err)
	}
	p := newTestRouter(bothOn)
	for _, in := range logs {
		name := filepath.Base(in)
		if unscored(name) {
			// unscored smoke inputs: must map without panicking.
			for _, line := range golden.Lines(t, in) {
				_ = render(p, line)
			}
			continue
		}
		t.Run(name, func(t *testing.T) {
			want := golden.Expected(t, in+"-expected.json")
			lines := golden.Lines(t, in)
			if len(lines) != len(want) {
				t.Fatalf("%d input lines, %d expected documents", len(lines), len(want))
			}
			matched, total, fullDocs := 0, 0, 0
			extMatched, extTotal := 0, 0
			for i, line := range lines {
				cat, _ := golden.Flatten(want[i])["m365_defender.event.category"].(string)
				full := fullyScored(cat)
				if full {
					fullDocs++
				}
				ignore := func(f string) bool {
					if externalData(f) || m365beatAddition(f) {
						return true
					}
					return !full && !isEnvelope(f)
				}
				got := golden.Canonical(t, render(p, line))
				m, n := golden.Score(want[i], got, ignore)
				matched += m
				total += n
				if full {
					em, en := golden.Score(want[i], got, func(f string) bool {
						return !externalData(f) || !externalConfigured(p, f)
					})
					extMatched += em
					extTotal += en
					if em < en {
						t.Logf("doc %d: external-data differences (tolerated up to %.0f%%): %v", i, 100*(1-minExternalScore),
							golden.Diff(want[i], got, func(f string) bool { return !externalData(f) || !externalConfigured(p, f) }))
					}
				}
				for _, d := range golden.Diff(want[i], got, ignore) {
					t.Errorf("doc %d: %s", i, d)
				}
			}
			t.Logf("%s: %d/%d fields (%.1f%%); %d/%d documents scored on all fields, the others on envelope fields",
				name, matched, total, 100*float64(matched)/float64(max(total, 1)), fullDocs, len(lines))
			// Every family has a mapper: every scored document is scored on
			// all its fields.
			if fullDocs != len(lines) {
				t.Errorf("%s: only %d/%d documents fully scored", name, fullDocs, len(lines))
			}
			if extTotal > 0 {
				share := float64(extMatched) / float64(extTotal)
				t.Logf("%s: external-data fields %d/%d (%.1f%%)", name, extMatched, extTotal, 100*share)
				if share < minExternalScore {
					t.Errorf("%s: external-data fields %.1f%% < %.0f%%", name, 100*share, 100*minExternalScore)
				}
			}
		})
	}
}
