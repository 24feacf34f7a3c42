// Package demodata is the sample data set of `m365beat demo`: Defender
// streaming API records for every supported table (as Event Hub message
// bodies), Graph Security alerts with varied evidence and incidents with
// several alerts, plus a few deliberately bad records. Every organisation,
// person, address and hash in it is fictitious (Contoso, example domains,
// documentation IP ranges); no customer data.
package demodata

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/m365beat/m365beat/internal/eventhubtest"
	"github.com/m365beat/m365beat/internal/graphtest"
	"github.com/m365beat/m365beat/processors/event"
)

// BadMarker is in the text of every deliberately bad record.
const BadMarker = "m365beat demo: DELIBERATELY BAD"

// BadCategory is the unknown category of a deliberately bad record.
const BadCategory = "AdvancedHunting-DemoDeliberatelyBadUnknownTable"

// RecordsPerTable is how many records of each table one copy of the data
// set holds.
const RecordsPerTable = 3

// Set is the sample data and what it should produce.
type Set struct {
	// Messages are Event Hub message bodies ({"records":[...]}).
	Messages [][]byte
	// Incidents are the sample incidents; Alerts are Graph alerts_v2
	// objects, naming their incident in incidentId.
	Incidents []Incident
	Alerts    [][]byte

	// Tables counts the good streaming records per table.
	Tables map[string]int
	// Bad describes the deliberately bad records, one event each.
	Bad []string
	// Events is the number of events the messages produce (good + bad).
	Events int
	// AlertEvents and IncidentEvents are the events of the Graph streams
	// (one per alert; one per alert of each incident).
	AlertEvents, IncidentEvents int
}

// Sample builds the data set with event times shortly before now. scale
// (at least 1) multiplies the streaming records.
func Sample(now time.Time, scale int) *Set {
	scale = max(scale, 1)
	s := &Set{Tables: map[string]int{}}
	base := now.Add(-2 * time.Hour).UTC().Truncate(time.Millisecond)
	var batch [][]byte
	flush := func() {
		if len(batch) > 0 {
			s.Messages = append(s.Messages, Message(batch...))
			batch = nil
		}
	}
	n := 0
	for c := 0; c < scale; c++ {
		for i := 0; i < RecordsPerTable; i++ {
			for _, t := range event.Tables {
				k := c*RecordsPerTable + i
				ts := base.Add(time.Duration(n) * 1500 * time.Millisecond)
				batch = append(batch, Record(t.Name, k, ts))
				s.Tables[t.Name]++
				n++
				if len(batch) == 8 {
					flush()
				}
			}
		}
	}
	flush()

	// A message whose string holds a raw line break: not valid JSON as it
	// is, repaired by the input's sanitize_options (new_lines). It is good
	// data once repaired.
	rec := Record("DeviceProcessEvents", 99, base.Add(-time.Minute))
	rec = bytes.Replace(rec, []byte(`whoami /all`), []byte("whoami /all\r\nhostname"), 1)
	s.Messages = append(s.Messages, Message(rec))
	s.Tables["DeviceProcessEvents"]++

	// Deliberately bad: a truncated message body (not JSON), and a record
	// with a category no table has.
	s.Messages = append(s.Messages, []byte(`{"records":[{"Tenant":"Contoso","category":"AdvancedHunting-DeviceEvents","operationName":"Publish","properties":{"DemoNote":"`+BadMarker+`: truncated message body, not valid JSON","Timestamp":"`))
	s.Bad = append(s.Bad, "an Event Hub message body cut short (not valid JSON)")
	bad := envelope(BadCategory, base, map[string]any{"DemoNote": BadMarker + ": category of no supported table", "Timestamp": base.Format(time.RFC3339Nano)})
	s.Messages = append(s.Messages, Message(Record("EmailEvents", 98, base), bad))
	s.Tables["EmailEvents"]++
	s.Bad = append(s.Bad, "a record with the unknown category "+BadCategory)

	for _, c := range s.Tables {
		s.Events += c
	}
	s.Events += len(s.Bad)
	s.Incidents, s.Alerts, s.IncidentEvents = graphData(now)
	s.AlertEvents = len(s.Alerts)
	return s
}

// Message wraps records in an Event Hub message body, as the Defender
// streaming API sends them.
func Message(records ...[]byte) []byte {
	var b bytes.Buffer
	b.WriteString(`{"records":[`)
	for i, r := range records {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(r)
	}
	b.WriteString("]}")
	return b.Bytes()
}

// Record is one streaming record of table (an Advanced Hunting table name
// of event.Tables); i varies the values, ts is its Timestamp.
func Record(table string, i int, ts time.Time) []byte {
	build := builders[table]
	if build == nil {
		// A table added to the registry without sample data yet: a
		// minimal record, so the demo still covers it.
		build = func(r row) map[string]any { return map[string]any{"Timestamp": r.t(0), "ReportId": r.report()} }
	}
	return envelope(event.CategoryPrefix+table, ts, build(row{i: i, ts: ts}))
}

func envelope(category string, ts time.Time, props map[string]any) []byte {
	b, err := json.Marshal(map[string]any{
		"Tenant":        tenantName,
		"tenantId":      TenantID,
		"category":      category,
		"operationName": "Publish",
		"time":          ts.Add(40 * time.Second).UTC().Format("2006-01-02T15:04:05.0000000Z"),
		"properties":    props,
	})
	if err != nil {
		panic(err) // static shapes
	}
	return b
}

// HasSample reports whether table has hand-written sample values.
func HasSample(table string) bool { return builders[table] != nil }

// Hub is the event hub the demo reads.
const Hub = "insights-logs-advancedhunting"

// Seed appends the messages to the emulator's hub (spread over its
// partitions) and adds the incidents and alerts to the Graph fake.
func (s *Set) Seed(eh *eventhubtest.Emulator, g *graphtest.Server) error {
	if err := eh.Publish(Hub, "", s.Messages...); err != nil {
		return err
	}
	for _, inc := range s.Incidents {
		if _, err := g.AddIncident(inc.ID, inc.Created, inc.LastUpdate, inc.Status, inc.Severity); err != nil {
			return err
		}
	}
	for _, a := range s.Alerts {
		if _, err := g.AddAlertJSON(a); err != nil {
			return err
		}
	}
	return nil
}

// Live produces live traffic for `demo --follow`: Batch returns the next n
// records, cycling through every table, as one message body.
type Live struct{ n int }

// Batch returns one Event Hub message with n records timed now.
func (l *Live) Batch(n int, now time.Time) []byte {
	recs := make([][]byte, n)
	for i := range recs {
		t := event.Tables[l.n%len(event.Tables)]
		recs[i] = Record(t.Name, 1000+l.n, now)
		l.n++
	}
	return Message(recs...)
}

// LiveAlert returns a new Graph alert (not in an incident) numbered k,
// created at now.
func LiveAlert(k int, now time.Time) []byte {
	spec := alertSpecs[k%len(alertSpecs)]
	a := alert(1000+k, spec, "", now.Add(-5*time.Minute))
	a["lastUpdateDateTime"] = gt(now)
	b, _ := json.Marshal(a)
	return b
}

// Describe is a one-line description of the set.
func (s *Set) Describe() string {
	return fmt.Sprintf("%d Event Hub messages with %d records of %d tables (%d deliberately bad: %s), %d Graph alerts, %d incidents",
		len(s.Messages), s.Events, len(s.Tables), len(s.Bad), strings.Join(s.Bad, "; "), len(s.Alerts), len(s.Incidents))
}
