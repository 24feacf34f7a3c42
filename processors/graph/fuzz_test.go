package graph

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/elastic/beats/v7/libbeat/beat"
	"github.com/elastic/elastic-agent-libs/mapstr"

	"github.com/m365beat/m365beat/input/split"
	"github.com/m365beat/m365beat/processors"
)

// FuzzProcessors feeds arbitrary text through the decode/split step and both
// processors (options on and off): no panic, and every record gives an
// event (or, for an empty page, none) with a JSON-encodable document.
func FuzzProcessors(f *testing.F) {
	for _, path := range []string{"testdata/alert/missing-optional.json", "testdata/alert/errors.json",
		"testdata/incident/no-alerts.json", "testdata/incident/errors.json", "testdata/alert/unknown-enums.json"} {
		if raw, err := os.ReadFile(path); err == nil {
			f.Add(raw)
		}
	}
	f.Add([]byte(`{"id":"1","evidence":[{"@odata.type":"#microsoft.graph.security.processEvidence","processId":"0x10","imageFile":{"fileName":"a","filePath":"/"},"userAccount":null}]}`))
	f.Add([]byte(`{"alerts":[{"evidence":[{"loggedOnUsers":[null,{"accountName":5}]}]}],"assignedTo":"a@b."}`))
	f.Add([]byte(`{"value":[]}`))
	ps := []*Processor{
		New(AlertStream, bothOptions, nil), New(IncidentStream, bothOptions, nil),
		New(AlertStream, processors.Options{}, nil), New(IncidentStream, processors.Options{}, nil),
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		for _, p := range ps {
			run := func(rec []byte) error {
				out, err := p.Run(&beat.Event{Timestamp: testTime, Fields: mapstr.M{"message": string(rec)}})
				if err != nil {
					t.Fatalf("Run: %v", err)
				}
				if out != nil {
					if _, err := json.Marshal(out.Fields); err != nil {
						t.Fatalf("document does not encode: %v", err)
					}
				}
				return nil
			}
			_ = run(in)
			_ = split.Incident(in, run)
			_ = split.IncidentPage(in, run)
			_ = split.AlertPage(in, run)
		}
	})
}
