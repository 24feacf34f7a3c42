package cmd

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/elastic/beats/v7/libbeat/beat"
	"github.com/elastic/elastic-agent-libs/mapstr"
)

func ev(dataset, category string, withErr bool) *beat.Event {
	f := mapstr.M{"data_stream": mapstr.M{"dataset": dataset, "namespace": "default"}}
	if category != "" {
		_, _ = f.Put("m365_defender.event.category", category)
	}
	if withErr {
		_, _ = f.Put("error.message", []string{"bad"})
	}
	return &beat.Event{Fields: f}
}

// The counter counts final documents per data stream, per table (event
// data stream only) and with error.message; the summary prints them.
func TestDemoCounterAndSummary(t *testing.T) {
	c := newCounts()
	p := demoCounterProcessor{c: c}
	for _, e := range []*beat.Event{
		ev("m365_defender.event", "AdvancedHunting-DeviceEvents", false),
		ev("m365_defender.event", "AdvancedHunting-DeviceEvents", false),
		ev("m365_defender.event", "", true),
		ev("m365_defender.alert", "", false),
		nil,
	} {
		if out, err := p.Run(e); out != e || err != nil {
			t.Fatalf("Run changed the event: %v %v", out, err)
		}
	}
	var b bytes.Buffer
	summary{Elapsed: 2 * time.Second, Acked: 4, Counts: c, ExpectedErrors: 1, Complete: true,
		InputErrors: map[string]int{"x": 0, "graphapi alerts poll_errors": 3}}.write(&b)
	out := b.String()
	for _, want := range []string{
		"all seeded data acknowledged",
		"documents: 4 (acknowledged by the output: 4) in 2s, 2 events/s",
		"logs-m365_defender.event-default                          3        1",
		"logs-m365_defender.alert-default                          1        0",
		"AdvancedHunting-DeviceEvents                              2",
		"(none)                                                    1",
		"documents with error.message: 1 (1 from deliberately bad sample records, as expected)",
		"input errors: graphapi alerts poll_errors 3",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "input errors: x") {
		t.Errorf("zero input errors printed:\n%s", out)
	}
	c.reset()
	b.Reset()
	summary{Counts: c, ExpectedErrors: 2}.write(&b)
	if !strings.Contains(b.String(), "stopped before") || !strings.Contains(b.String(), "UNEXPECTED") {
		t.Errorf("incomplete run summary:\n%s", b.String())
	}
}
