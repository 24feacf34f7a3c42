package demodata

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/m365beat/m365beat/input/split"
	"github.com/m365beat/m365beat/processors/event"
)

// Every table of the registry has hand-written sample values: a table
// added to the registry must get realistic sample data here.
func TestEveryTableHasSampleValues(t *testing.T) {
	for _, tb := range event.Tables {
		if !HasSample(tb.Name) {
			t.Errorf("table %s has no sample values in tables.go", tb.Name)
		}
	}
	for name := range builders {
		if event.LookupCategory(event.CategoryPrefix+name) == nil {
			t.Errorf("sample values for %s, which is not a supported table", name)
		}
	}
}

// The counts the set announces are the records its messages hold; only the
// deliberately bad message is not JSON (the line-break one is repaired by
// the input's sanitizer).
func TestSampleCounts(t *testing.T) {
	s := Sample(time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC), 2)
	san, err := split.ParseSanitizers([]string{split.SanitizeNewLines, split.SanitizeSingleQuotes})
	if err != nil {
		t.Fatal(err)
	}
	tables := map[string]int{}
	events, invalid, unknown := 0, 0, 0
	for _, m := range s.Messages {
		count := func(rec []byte) error {
			events++
			var r struct {
				Category string `json:"category"`
			}
			if err := json.Unmarshal(rec, &r); err != nil {
				return err
			}
			if tb := event.LookupCategory(r.Category); tb != nil {
				tables[tb.Name]++
			} else if r.Category == BadCategory && bytes.Contains(rec, []byte(BadMarker)) {
				unknown++
			} else {
				t.Errorf("record of category %q", r.Category)
			}
			return nil
		}
		err := split.EventHub(m, count)
		if errors.Is(err, split.ErrInvalidJSON) {
			if fixed, ok := san.Repair(m); ok {
				err = split.EventHub(fixed, count)
			}
		}
		if err != nil {
			if !bytes.Contains(m, []byte(BadMarker)) {
				t.Errorf("message not marked as deliberately bad fails: %v", err)
			}
			invalid++
			events++
		}
	}
	if invalid != 1 || unknown != 1 || len(s.Bad) != 2 {
		t.Errorf("%d invalid messages, %d unknown categories, %d described bad records", invalid, unknown, len(s.Bad))
	}
	if events != s.Events {
		t.Errorf("messages produce %d events, set says %d", events, s.Events)
	}
	for _, tb := range event.Tables {
		if tables[tb.Name] < 2*RecordsPerTable || tables[tb.Name] != s.Tables[tb.Name] {
			t.Errorf("table %s: %d records, set says %d", tb.Name, tables[tb.Name], s.Tables[tb.Name])
		}
	}
	if !strings.Contains(s.Describe(), "30 tables") && len(event.Tables) == 30 {
		t.Errorf("Describe: %s", s.Describe())
	}
}

// Alerts carry varied evidence; incidents group several alerts; the
// counts of Graph events follow.
func TestGraphSample(t *testing.T) {
	s := Sample(time.Now(), 1)
	kinds := map[string]bool{}
	perIncident := map[string]int{}
	for _, a := range s.Alerts {
		var v struct {
			ID         string `json:"id"`
			IncidentID string `json:"incidentId"`
			Evidence   []struct {
				Type string `json:"@odata.type"`
			} `json:"evidence"`
		}
		if err := json.Unmarshal(a, &v); err != nil {
			t.Fatal(err)
		}
		for _, e := range v.Evidence {
			kinds[e.Type] = true
		}
		if v.IncidentID != "" {
			perIncident[v.IncidentID]++
		}
	}
	if len(kinds) < 10 {
		t.Errorf("%d evidence types: %v", len(kinds), kinds)
	}
	sum := 0
	for id, n := range perIncident {
		if n < 2 {
			t.Errorf("incident %s has %d alert", id, n)
		}
		sum += n
	}
	if len(perIncident) != len(s.Incidents) || sum != s.IncidentEvents || s.AlertEvents != len(s.Alerts) {
		t.Errorf("incidents %v, %d incident events, %d alert events", perIncident, s.IncidentEvents, s.AlertEvents)
	}
}

// Live traffic cycles through every table.
func TestLiveCyclesTables(t *testing.T) {
	var l Live
	seen := map[string]bool{}
	msg := l.Batch(len(event.Tables), time.Now())
	if err := split.EventHub(msg, func(rec []byte) error {
		var r struct{ Category string }
		_ = json.Unmarshal(rec, &r)
		seen[r.Category] = true
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(seen) != len(event.Tables) {
		t.Errorf("one batch covers %d tables", len(seen))
	}
	if !json.Valid(LiveAlert(3, time.Now())) {
		t.Error("LiveAlert is not JSON")
	}
}
