package graph

import (
	"os"
	"strings"
	"testing"

	"github.com/elastic/beats/v7/libbeat/beat"
	"github.com/elastic/elastic-agent-libs/mapstr"

	"github.com/m365beat/m365beat/input/split"
)

// benchIncident is an incident with n alerts of m evidence items each,
// built from the all-evidence testdata alert (varied evidence types).
func benchIncident(tb testing.TB, n, m int) []byte {
	raw, err := os.ReadFile("testdata/alert/many-evidence.json")
	if err != nil {
		tb.Fatal(err)
	}
	alert := strings.TrimSpace(string(raw))
	// Keep the first m evidence items of the 45.
	start := strings.Index(alert, `"evidence": [`) + len(`"evidence": [`)
	items := 0
	depth := 0
	end := start
	for i := start; i < len(alert); i++ {
		switch alert[i] {
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				items++
				if items == m {
					end = i + 1
				}
			}
		}
		if items == m {
			break
		}
	}
	alert = alert[:end] + "]}"
	var b strings.Builder
	b.WriteString(`{"@odata.type":"#microsoft.graph.security.incident","id":"2972395","incidentWebUrl":"https://security.microsoft.com/incidents/2972395?tid=t","tenantId":"t","displayName":"Multi-stage incident","createdDateTime":"2020-08-13T08:43:35.5533333Z","lastUpdateDateTime":"2021-09-29T09:35:45.1133333Z","assignedTo":"KaiC@contoso.onmicrosoft.com","classification":"truePositive","determination":"multiStagedAttack","status":"active","severity":"medium","tags":["Demo"],"comments":[{"comment":"c","createdBy":"DavidS@contoso.onmicrosoft.com"}],"alerts":[`)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(alert)
	}
	b.WriteString("]}")
	return []byte(b.String())
}

// BenchmarkIncident20x10 normalizes one incident with 20 alerts × 10
// evidence items: split.Incident, then the processor on each message.
func BenchmarkIncident20x10(b *testing.B) {
	in := benchIncident(b, 20, 10)
	p := New(IncidentStream, bothOptions, nil)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	alerts := 0
	cpu0 := cpuTime()
	for b.Loop() {
		alerts = 0
		err := split.Incident(in, func(msg []byte) error {
			alerts++
			ev := &beat.Event{Timestamp: testTime, Fields: mapstr.M{"message": string(msg)}}
			if out, err := p.Run(ev); err != nil || out == nil {
				b.Fatalf("Run: %v", err)
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	if alerts != 20 {
		b.Fatalf("%d alerts", alerts)
	}
	reportCPU(b, cpu0, 20, "alert")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/20, "ns/alert")
}

// BenchmarkAlert maps one alert with 10 evidence items.
func BenchmarkAlert(b *testing.B) {
	in := benchIncident(b, 1, 10)
	var alert []byte
	_ = split.IncidentPage([]byte(`{"value":[`+string(in)+`]}`), func(msg []byte) error { alert = msg; return nil })
	// The alert object of the split incident.
	var rec string
	{
		i := strings.Index(string(alert), `"alerts":`) + len(`"alerts":`)
		rec = string(alert[i:])
		depth := 0
		for j := 0; j < len(rec); j++ {
			if rec[j] == '{' {
				depth++
			} else if rec[j] == '}' {
				depth--
				if depth == 0 {
					rec = rec[:j+1]
					break
				}
			}
		}
	}
	p := New(AlertStream, bothOptions, nil)
	b.SetBytes(int64(len(rec)))
	b.ReportAllocs()
	cpu0 := cpuTime()
	for b.Loop() {
		ev := &beat.Event{Timestamp: testTime, Fields: mapstr.M{"message": rec}}
		if out, err := p.Run(ev); err != nil || out == nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, cpu0, 1, "alert")
}
