//go:build reliability

// Package reliability is the fault-injection suite of m365beat: the real
// binary runs as a subprocess against the in-process Event Hubs emulator,
// Graph fake and Elasticsearch fake, and a real Azurite, while the suite
// kills it, stops its dependencies and feeds it bad input, then checks that
// no record is lost. Run it with
//
//	go test -tags=reliability -short ./reliability/   (CI, a few minutes)
//	go test -tags=reliability -timeout 60m ./reliability/   (full)
package reliability

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/messaging/azeventhubs/v2"
	"github.com/Azure/azure-sdk-for-go/sdk/messaging/azeventhubs/v2/checkpoints"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"

	"github.com/m365beat/m365beat/internal/azuritetest"
	"github.com/m365beat/m365beat/internal/beatproc"
	"github.com/m365beat/m365beat/internal/eventhubtest"
	"github.com/m365beat/m365beat/internal/testenv"
)

const hubName = "insights-logs-advancedhunting"

// binary is the m365beat executable built once by TestMain.
var binary string

func TestMain(m *testing.M) {
	root, err := testenv.RepoRoot()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	dir, err := os.MkdirTemp("", "m365beat-reliability")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary, err = beatproc.Build(root, dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// pick returns short in -short mode, else full.
func pick[T any](short, full T) T {
	if testing.Short() {
		return short
	}
	return full
}

// hubEnv is an emulator (in the test process: it survives the kills) and
// an Azurite holding the checkpoints.
type hubEnv struct {
	t     *testing.T
	eh    *eventhubtest.Emulator
	az    *azuritetest.Server
	parts int
	// loc maps a record key to its partition and message sequence number.
	loc  map[string]recLoc
	next map[string]int64 // next sequence number per partition
}

type recLoc struct {
	part string
	seq  int64
}

func newHubEnv(t *testing.T, partitions int) *hubEnv {
	t.Helper()
	az, err := beatproc.StartAzurite(t.TempDir())
	if err != nil {
		t.Skipf("azurite: %v", err)
	}
	t.Cleanup(az.Stop)
	eh := eventhubtest.New(eventhubtest.Options{Hubs: map[string]int{hubName: partitions}})
	if err := eh.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eh.Close() })
	return &hubEnv{t: t, eh: eh, az: az, parts: partitions, loc: map[string]recLoc{}, next: map[string]int64{}}
}

// recordKey is the unique key of generated record i, found in the output
// as m365_defender.event.report_id.
func recordKey(i int) string { return fmt.Sprintf("%d", i) }

// record is a DeviceProcessEvents streaming record with a unique ReportId.
func record(i int) string {
	return fmt.Sprintf(`{"Tenant":"Contoso","category":"AdvancedHunting-DeviceProcessEvents","operationName":"Publish","properties":{"DeviceId":"dev-%d","DeviceName":"host-%d.contoso.com","ActionType":"ProcessCreated","FileName":"cmd.exe","FolderPath":"C:\\Windows\\System32\\cmd.exe","ProcessId":%d,"ProcessCommandLine":"cmd.exe /c whoami /all","AccountName":"user%d","AccountDomain":"contoso","InitiatingProcessFileName":"explorer.exe","InitiatingProcessId":4242,"SHA256":"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08","ReportId":%d,"Timestamp":"2024-05-01T10:00:%02d.1234567Z"},"tenantId":"tenant-1","time":"2024-05-01T10:01:00Z"}`, i%500, i%500, 1000+i%30000, i%200, i, i%60)
}

// publish appends records [from, to), perMsg per message, round robin
// over the partitions, and remembers where each record went.
func (e *hubEnv) publish(from, to, perMsg int) {
	e.t.Helper()
	ids := e.eh.PartitionIDs(hubName)
	msgs := make([][]eventhubtest.Message, len(ids))
	for i, m := from, 0; i < to; m++ {
		p := m % len(ids)
		var b strings.Builder
		b.WriteString(`{"records":[`)
		for j := 0; j < perMsg && i < to; j++ {
			if j > 0 {
				b.WriteByte(',')
			}
			b.WriteString(record(i))
			e.loc[recordKey(i)] = recLoc{ids[p], e.next[ids[p]]}
			i++
		}
		b.WriteString(`]}`)
		e.next[ids[p]]++
		msgs[p] = append(msgs[p], eventhubtest.Message{Body: []byte(b.String())})
	}
	for p, ms := range msgs {
		if len(ms) == 0 {
			continue
		}
		if err := e.eh.Append(hubName, ids[p], ms...); err != nil {
			e.t.Fatal(err)
		}
	}
}

// inputYAML is the eventhub input of a generated configuration.
func (e *hubEnv) inputYAML(container string) string {
	return fmt.Sprintf(`m365beat:
  shutdown_timeout: 5s
  inputs:
    - type: eventhub
      id: defender-events
      connection_string: %q
      storage_account_connection_string: %q
      storage_account_container: %s
      checkpoint_interval: 500ms
      load_balancing_interval: 1s
      partition_expiration: 3s
      partition_receive_timeout: 200ms
      streams:
        - data_stream.dataset: m365_defender.event
`, e.eh.ConnectionString(hubName), e.az.ConnectionString, container)
}

// queueYAML keeps the unacknowledged window small and flushes fast.
const queueYAML = `queue.mem:
  events: 4096
  flush.min_events: 512
  flush.timeout: 100ms
logging.level: info
`

// checkpoints lists the sequence numbers checkpointed per partition.
func (e *hubEnv) checkpoints(ctr string) (map[string]int64, error) {
	cc, err := container.NewClientFromConnectionString(e.az.ConnectionString, ctr, nil)
	if err != nil {
		return nil, err
	}
	store, err := checkpoints.NewBlobStore(cc, nil)
	if err != nil {
		return nil, err
	}
	props, _ := azeventhubs.ParseConnectionString(e.eh.ConnectionString(hubName))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cps, err := store.ListCheckpoints(ctx, props.FullyQualifiedNamespace, hubName, azeventhubs.DefaultConsumerGroup, nil)
	if err != nil {
		return nil, err
	}
	out := map[string]int64{}
	for _, c := range cps {
		if c.SequenceNumber != nil {
			out[c.PartitionID] = *c.SequenceNumber
		}
	}
	return out, nil
}

// eventKeys counts the documents per record key (report_id). When events
// carry @metadata._id, ids maps each key to its distinct _ids.
func eventKeys(docs []map[string]any) (counts map[string]int, ids map[string]map[string]bool, noKey []map[string]any) {
	counts = map[string]int{}
	ids = map[string]map[string]bool{}
	for _, d := range docs {
		k, _ := beatproc.Get(d, "m365_defender.event.report_id").(string)
		if k == "" {
			noKey = append(noKey, d)
			continue
		}
		counts[k]++
		if id, _ := beatproc.Get(d, "@metadata._id").(string); id != "" {
			if ids[k] == nil {
				ids[k] = map[string]bool{}
			}
			ids[k][id] = true
		}
	}
	return counts, ids, noKey
}

// explain, when set, describes a failed wait (set by a test).
var explain func(docs []map[string]any) string

// waitOutput polls the file output in dir until cond holds for the parsed
// documents or the timeout; it returns the last documents read.
func waitOutput(t *testing.T, dir string, timeout time.Duration, p *beatproc.Process, cond func([]map[string]any) bool) []map[string]any {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var docs []map[string]any
	for {
		var err error
		docs, _, err = beatproc.ReadOutput(dir)
		if err != nil {
			t.Fatal(err)
		}
		if cond(docs) {
			return docs
		}
		if p != nil && p.Exited() {
			t.Fatalf("m365beat exited: %s", tail(p.Log(), 3000))
		}
		if time.Now().After(deadline) {
			if p != nil {
				t.Logf("m365beat log tail: %s", tail(p.Log(), 3000))
			}
			if explain != nil {
				t.Log(explain(docs))
			}
			t.Fatalf("timed out after %s waiting for the output (%d documents)", timeout, len(docs))
		}
		time.Sleep(pick(time.Second, 2*time.Second))
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}

func jitter(r *rand.Rand, min, max time.Duration) time.Duration {
	return min + time.Duration(r.Int64N(int64(max-min)+1))
}

func outDir(t *testing.T) string {
	d := filepath.Join(t.TempDir(), "out")
	if err := os.MkdirAll(d, 0o755); err != nil {
		t.Fatal(err)
	}
	return d
}

// startBeat starts m365beat with cfg under home and kills it at the end of
// the test if it is still running.
func startBeat(t *testing.T, home, cfg string) *beatproc.Process {
	t.Helper()
	p, err := beatproc.Start(binary, home, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if !p.Exited() {
			p.Kill9()
		}
	})
	return p
}
