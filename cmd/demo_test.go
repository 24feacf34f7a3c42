package cmd

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/m365beat/m365beat/internal/demodata"
	"github.com/m365beat/m365beat/internal/estest"
	"github.com/m365beat/m365beat/processors/event"
)

// repoRoot is where the README's commands run.
const repoRoot = ".."

// quickStart returns the commands of the README's quick-start code block.
func quickStart(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	i := strings.Index(text, "\n## Quick start\n")
	if i < 0 {
		t.Fatal("README.md has no '## Quick start' section")
	}
	sec := text[i+1:]
	if j := strings.Index(sec[3:], "\n## "); j >= 0 {
		sec = sec[:j+3]
	}
	start := strings.Index(sec, "```sh\n")
	if start < 0 {
		t.Fatal("the quick start has no ```sh code block")
	}
	block := sec[start+len("```sh\n"):]
	end := strings.Index(block, "```")
	if end < 0 {
		t.Fatal("the quick-start code block is not closed")
	}
	var cmds []string
	for _, l := range strings.Split(block[:end], "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			cmds = append(cmds, l)
		}
	}
	return cmds
}

// m365beat runs the test binary as the m365beat binary (see TestMain) in
// the repository root, as `go run .` would, and returns stdout and stderr.
func m365beat(t *testing.T, ctx context.Context, args ...string) (*exec.Cmd, *syncBuffer, *syncBuffer) {
	t.Helper()
	c := childCommand(ctx, args...)
	c.Dir = repoRoot
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	c.Stdout, c.Stderr = stdout, stderr
	return c, stdout, stderr
}

// syncBuffer is a bytes.Buffer safe to read while the process writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func (s *syncBuffer) Bytes() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return bytes.Clone(s.b.Bytes())
}

func (s *syncBuffer) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Len()
}

// The quick start is exactly two commands: the demo, and the test command
// CI runs.
func TestQuickStartIsTwoCommands(t *testing.T) {
	cmds := quickStart(t)
	if len(cmds) != 2 {
		t.Fatalf("quick start has %d commands, want 2: %q", len(cmds), cmds)
	}
	if cmds[0] != "go run . demo" {
		t.Errorf("first quick-start command is %q, want %q (TestQuickStartDemo runs it)", cmds[0], "go run . demo")
	}
	ci, err := os.ReadFile(filepath.Join(repoRoot, ".ci", "run"))
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, l := range strings.Split(string(ci), "\n") {
		if strings.TrimSpace(l) == cmds[1] {
			found = true
		}
	}
	if !found {
		t.Errorf("the quick start's test command %q is not a line of .ci/run:\n%s", cmds[1], ci)
	}
}

// summaryLine matches the per-data-stream and per-table lines of the
// demo's summary.
var (
	summaryRow   = regexp.MustCompile(`^  (\S+)\s+(\d+)(?:\s+(\d+))?$`)
	summaryDocs  = regexp.MustCompile(`^  documents: (\d+) \(acknowledged by the output: (\d+)\)`)
	summaryError = regexp.MustCompile(`^  documents with error.message: (\d+) \((\d+) from deliberately bad`)
)

// TestQuickStartDemo runs the README's first quick-start command as written
// (`go run . demo`, with this test binary standing for the `go run .`
// build) and checks its documents and its summary: every streaming table,
// alerts and incidents present, error.message only on the deliberately bad
// sample records, summary equal to the documents counted.
func TestQuickStartDemo(t *testing.T) {
	cmds := quickStart(t)
	if len(cmds) == 0 || !strings.HasPrefix(cmds[0], "go run . ") {
		t.Fatalf("first quick-start command %q does not start with 'go run . '", cmds)
	}
	args := strings.Fields(strings.TrimPrefix(cmds[0], "go run . "))
	if got := "go run . " + strings.Join(args, " "); got != cmds[0] {
		t.Fatalf("running %q, README says %q", got, cmds[0])
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	c, stdout, stderr := m365beat(t, ctx, args...)
	start := time.Now()
	if err := c.Run(); err != nil {
		t.Fatalf("%s: %v\nstderr:\n%s", cmds[0], err, stderr)
	}
	took := time.Since(start)
	t.Logf("%s took %s, %d bytes of documents", cmds[0], took, stdout.Len())
	if took > 60*time.Second {
		t.Errorf("demo took %s, want under 60s", took)
	}

	want := demodata.Sample(time.Now(), 1)
	perDS := map[string]int{}
	perTable := map[string]int{}
	errs, total := 0, 0
	evidence := map[string]bool{}
	incidentAlerts := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(stdout.Bytes()))
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var doc struct {
			DataStream struct{ Dataset, Namespace string } `json:"data_stream"`
			Meta       map[string]any                      `json:"@metadata"`
			Error      *struct {
				Message []string `json:"message"`
			} `json:"error"`
			Event struct {
				Original string `json:"original"`
			} `json:"event"`
			M365 struct {
				Event struct {
					Category any `json:"category"`
				} `json:"event"`
				Alert struct {
					Evidence []map[string]any `json:"evidence"`
				} `json:"alert"`
				Incident struct {
					Alert struct {
						IncidentID any `json:"incident_id"`
					} `json:"alert"`
				} `json:"incident"`
			} `json:"m365_defender"`
		}
		if err := json.Unmarshal(sc.Bytes(), &doc); err != nil {
			t.Fatalf("stdout line is not a JSON document: %v: %.200s", err, sc.Bytes())
		}
		total++
		ds := "logs-" + doc.DataStream.Dataset + "-" + doc.DataStream.Namespace
		perDS[ds]++
		if doc.Meta["raw_index"] != ds || doc.Meta["op_type"] != "create" {
			t.Errorf("document for %s routed to %v with %v", ds, doc.Meta["raw_index"], doc.Meta["op_type"])
		}
		cat, _ := doc.M365.Event.Category.(string)
		if doc.DataStream.Dataset == "m365_defender.event" {
			if cat == "" {
				cat = noTable
			}
			perTable[cat]++
		}
		for _, e := range doc.M365.Alert.Evidence {
			if s, ok := e["odata_type"].(string); ok {
				evidence[s] = true
			}
		}
		if doc.DataStream.Dataset == "m365_defender.incident" {
			incidentAlerts[strings.Trim(string(mustJSON(doc.M365.Incident.Alert.IncidentID)), `"`)]++
		}
		if doc.Error != nil {
			errs++
			bad := cat == demodata.BadCategory || strings.Contains(doc.Event.Original, demodata.BadMarker)
			if !bad {
				t.Errorf("error.message on a document that is not deliberately bad: %v (category %q)", doc.Error.Message, cat)
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}

	// Every supported table, with the records the sample data holds.
	for _, tb := range event.Tables {
		if got := perTable[tb.Category()]; got == 0 || got != want.Tables[tb.Name] {
			t.Errorf("table %s: %d documents, sample data has %d", tb.Name, got, want.Tables[tb.Name])
		}
	}
	if perDS["logs-m365_defender.alert-default"] != want.AlertEvents || want.AlertEvents == 0 {
		t.Errorf("%d alert documents, want %d", perDS["logs-m365_defender.alert-default"], want.AlertEvents)
	}
	if perDS["logs-m365_defender.incident-default"] != want.IncidentEvents || want.IncidentEvents == 0 {
		t.Errorf("%d incident documents, want %d", perDS["logs-m365_defender.incident-default"], want.IncidentEvents)
	}
	if perDS["logs-m365_defender.event-default"] != want.Events {
		t.Errorf("%d event documents, want %d", perDS["logs-m365_defender.event-default"], want.Events)
	}
	if errs != len(want.Bad) {
		t.Errorf("%d documents with error.message, want %d (the deliberately bad records)", errs, len(want.Bad))
	}
	if len(evidence) < 8 {
		t.Errorf("alerts carry %d evidence types (%v), want varied evidence", len(evidence), evidence)
	}
	multi := 0
	for _, n := range incidentAlerts {
		if n >= 2 {
			multi++
		}
	}
	if multi < 2 {
		t.Errorf("incidents with several alerts: %d (%v)", multi, incidentAlerts)
	}

	// The summary matches the documents counted.
	log := stderr.String()
	if !strings.Contains(log, "m365beat demo summary: all seeded data acknowledged") {
		t.Fatalf("no completion summary on stderr:\n%s", log)
	}
	if !strings.Contains(log, "checkpoints and partition ownership are kept in memory") {
		t.Errorf("the in-memory checkpoint store is not logged:\n%s", log)
	}
	sumDS, sumTables := map[string]int{}, map[string]int{}
	sumTotal, sumAcked, sumErrs := -1, -1, -1
	section := ""
	for _, l := range strings.Split(log[strings.Index(log, "m365beat demo summary:"):], "\n") {
		switch {
		case strings.HasPrefix(l, "  data stream "):
			section = "ds"
		case strings.HasPrefix(l, "  streaming table "):
			section = "table"
		case summaryDocs.MatchString(l):
			m := summaryDocs.FindStringSubmatch(l)
			sumTotal, sumAcked = atoi(m[1]), atoi(m[2])
		case summaryError.MatchString(l):
			sumErrs = atoi(summaryError.FindStringSubmatch(l)[1])
		case summaryRow.MatchString(l):
			m := summaryRow.FindStringSubmatch(l)
			if section == "ds" {
				sumDS[m[1]] = atoi(m[2])
			} else if section == "table" {
				sumTables[m[1]] = atoi(m[2])
			}
		}
	}
	if sumTotal != total || sumAcked != total {
		t.Errorf("summary says %d documents, %d acknowledged; stdout holds %d", sumTotal, sumAcked, total)
	}
	if sumErrs != errs {
		t.Errorf("summary says %d documents with error.message, stdout holds %d", sumErrs, errs)
	}
	if !equalCounts(sumDS, perDS) {
		t.Errorf("summary per data stream %v, documents %v", sumDS, perDS)
	}
	if !equalCounts(sumTables, perTable) {
		t.Errorf("summary per table %v, documents %v", sumTables, perTable)
	}
}

// --follow keeps generating live traffic, prints progress lines, and stops
// cleanly with a summary on SIGINT.
func TestDemoFollow(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c, stdout, stderr := m365beat(t, ctx, "demo", "--follow", "--rate", "400", "--progress", "500ms")
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	seeded := demodata.Sample(time.Now(), 1)
	minDocs := seeded.Events + seeded.AlertEvents + seeded.IncidentEvents + 400
	deadline := time.Now().Add(40 * time.Second)
	for time.Now().Before(deadline) && !progressAtLeast(stderr.String(), minDocs) {
		time.Sleep(200 * time.Millisecond)
	}
	if err := c.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	if err := c.Wait(); err != nil {
		t.Fatalf("demo --follow after SIGINT: %v\nstderr:\n%s", err, stderr)
	}
	log := stderr.String()
	if !progressAtLeast(log, minDocs) {
		t.Fatalf("progress never reached %d acknowledged events:\n%s", minDocs, log)
	}
	if !strings.Contains(log, "m365beat demo summary:") {
		t.Fatalf("no summary:\n%s", log)
	}
	if n := bytes.Count(stdout.Bytes(), []byte("\n")); n < minDocs {
		t.Errorf("%d documents on stdout, want at least %d", n, minDocs)
	}
}

var progressLine = regexp.MustCompile(`m365beat demo: (\d+) events acknowledged, (\d+) events/s`)

func progressAtLeast(log string, n int) bool {
	for _, m := range progressLine.FindAllStringSubmatch(log, -1) {
		if atoi(m[1]) >= n {
			return true
		}
	}
	return false
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

func equalCounts(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// With -E output.elasticsearch.*, the demo ships to Elasticsearch instead
// of the console: every seeded document arrives in its data stream with
// op_type create, and nothing is printed on stdout.
func TestDemoToElasticsearch(t *testing.T) {
	es := estest.NewServer()
	defer es.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	c, stdout, stderr := m365beat(t, ctx, "demo", "-E", `output.elasticsearch.hosts=["`+es.URL+`"]`)
	if err := c.Run(); err != nil {
		t.Fatalf("demo to Elasticsearch: %v\nstderr:\n%s", err, stderr)
	}
	if stdout.Len() != 0 {
		t.Errorf("documents on stdout with an Elasticsearch output: %.300s", stdout.Bytes())
	}
	want := demodata.Sample(time.Now(), 1)
	perIndex := map[string]int{}
	for _, d := range es.Docs() {
		perIndex[d.Index]++
		if d.OpType != "create" {
			t.Errorf("document in %s with op_type %q", d.Index, d.OpType)
		}
	}
	wantIndex := map[string]int{
		"logs-m365_defender.event-default":    want.Events,
		"logs-m365_defender.alert-default":    want.AlertEvents,
		"logs-m365_defender.incident-default": want.IncidentEvents,
	}
	if !equalCounts(perIndex, wantIndex) {
		t.Errorf("documents per data stream %v, want %v", perIndex, wantIndex)
	}
}
