package cmd

import (
	"fmt"
	"io"
	"sort"
	"sync"
	"time"

	"github.com/elastic/beats/v7/libbeat/beat"
	libprocessors "github.com/elastic/beats/v7/libbeat/processors"
	conf "github.com/elastic/elastic-agent-libs/config"
	"github.com/elastic/elastic-agent-libs/logp"
)

// demoCounterName is the global processor the demo configuration adds last
// in the pipeline: it counts the final documents per data stream and per
// streaming table, and those carrying error.message.
const demoCounterName = "m365beat_demo_counter"

// demoCounts is what the demo counter saw; one per process.
var demoCounts = newCounts()

func init() {
	libprocessors.RegisterPlugin(demoCounterName, func(*conf.C, *logp.Logger) (beat.Processor, error) {
		return demoCounterProcessor{c: demoCounts}, nil
	})
}

type counts struct {
	mu         sync.Mutex
	total      int
	dataStream map[string]int
	dsErrors   map[string]int
	tables     map[string]int
	errors     int
}

func newCounts() *counts {
	return &counts{dataStream: map[string]int{}, dsErrors: map[string]int{}, tables: map[string]int{}}
}

func (c *counts) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.total, c.errors = 0, 0
	c.dataStream, c.dsErrors, c.tables = map[string]int{}, map[string]int{}, map[string]int{}
}

// noTable is the table of event documents without a (string) category.
const noTable = "(none)"

func (c *counts) add(e *beat.Event) {
	str := func(key string) string {
		v, _ := e.Fields.GetValue(key)
		s, _ := v.(string)
		return s
	}
	ds := "logs-" + str("data_stream.dataset") + "-" + str("data_stream.namespace")
	hasErr, _ := e.Fields.HasKey("error.message")
	var table string
	if str("data_stream.dataset") == "m365_defender.event" {
		table = str("m365_defender.event.category")
		if table == "" {
			table = noTable
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.total++
	c.dataStream[ds]++
	if hasErr {
		c.errors++
		c.dsErrors[ds]++
	}
	if table != "" {
		c.tables[table]++
	}
}

type demoCounterProcessor struct{ c *counts }

func (p demoCounterProcessor) Run(e *beat.Event) (*beat.Event, error) {
	if e != nil {
		p.c.add(e)
	}
	return e, nil
}

func (p demoCounterProcessor) String() string { return demoCounterName }

// summary is the demo's closing report.
type summary struct {
	Elapsed        time.Duration
	Acked          int
	Counts         *counts
	ExpectedErrors int // documents the sample data makes deliberately bad
	InputErrors    map[string]int
	Complete       bool
	Follow         bool
}

// write prints the summary. Its lines are stable: the demo test parses
// them.
func (s summary) write(w io.Writer) {
	c := s.Counts
	c.mu.Lock()
	defer c.mu.Unlock()
	rate := 0.0
	if s.Elapsed > 0 {
		rate = float64(s.Acked) / s.Elapsed.Seconds()
	}
	state := "all seeded data acknowledged"
	if s.Follow {
		state = "stopped (--follow)"
	} else if !s.Complete {
		state = "stopped before all seeded data was acknowledged"
	}
	fmt.Fprintf(w, "\nm365beat demo summary: %s\n", state)
	fmt.Fprintf(w, "  documents: %d (acknowledged by the output: %d) in %s, %.0f events/s\n", c.total, s.Acked, s.Elapsed.Round(time.Millisecond), rate)
	fmt.Fprintf(w, "  %-50s %8s %8s\n", "data stream", "docs", "errors")
	for _, k := range sortedKeys(c.dataStream) {
		fmt.Fprintf(w, "  %-50s %8d %8d\n", k, c.dataStream[k], c.dsErrors[k])
	}
	fmt.Fprintf(w, "  %-50s %8s\n", "streaming table (m365_defender.event)", "docs")
	for _, k := range sortedKeys(c.tables) {
		fmt.Fprintf(w, "  %-50s %8d\n", k, c.tables[k])
	}
	verdict := "as expected"
	if c.errors != s.ExpectedErrors {
		verdict = fmt.Sprintf("UNEXPECTED: the sample data has %d deliberately bad records", s.ExpectedErrors)
	}
	fmt.Fprintf(w, "  documents with error.message: %d (%d from deliberately bad sample records, %s)\n", c.errors, s.ExpectedErrors, verdict)
	for _, k := range sortedKeys(s.InputErrors) {
		if s.InputErrors[k] > 0 {
			fmt.Fprintf(w, "  input errors: %s %d\n", k, s.InputErrors[k])
		}
	}
}

func sortedKeys(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
