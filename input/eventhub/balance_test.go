package eventhub

import (
	"strconv"
	"testing"
	"time"

	"github.com/m365beat/m365beat/internal/inputtest"
)

// TestTwoInstancesSplitPartitions runs two inputs on one hub and one
// checkpoint container: partitions end up split between them, every record
// is published, and once balancing settled no partition is read by both.
func TestTwoInstancesSplitPartitions(t *testing.T) {
	const partitions, perMsg = 4, 10
	e := newEnv(t, partitions, true)
	e.publishRecords(8000, perMsg)

	pipeA := &inputtest.Pipeline{AutoACK: true}
	pipeB := &inputtest.Pipeline{AutoACK: true}
	a := e.run(e.config(nil), pipeA)

	// A alone takes every partition; B then takes two of them over.
	waitFor(t, 30*time.Second, "A owning all partitions", func() bool { return owned(a) == partitions })
	b := e.run(e.config(nil), pipeB)

	waitSplit(t, e, a, b)
	if lost := metricValue(t, a, "ownership_lost_total"); lost != 2 {
		t.Errorf("A lost %d partitions, want 2", lost)
	}
	// Settled: stays so for a few balancing rounds.
	time.Sleep(1500 * time.Millisecond)
	if owned(a) != 2 || owned(b) != 2 {
		t.Fatalf("ownership moved after settling: A owns %d, B owns %d", owned(a), owned(b))
	}

	// Records published after settling are read by exactly one instance,
	// and each partition by one instance only.
	beforeA, beforeB := len(pipeA.Events()), len(pipeB.Events())
	ids := e.eh.PartitionIDs(testHub)
	for i := 0; i < 2000; i++ {
		body := []byte(`{"records":[{"id":"late` + strconv.Itoa(i) + `"}]}`)
		if err := e.eh.Publish(testHub, ids[i%partitions], body); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, 30*time.Second, "all records", func() bool {
		seen := map[string]bool{}
		for _, ev := range append(pipeA.Events(), pipeB.Events()...) {
			seen[recordID(t, ev)] = true
		}
		return len(seen) == 8000+2000
	})
	late := map[string]int{}
	partOf := map[string]string{} // partition -> instance
	check := func(name string, p *inputtest.Pipeline, from int) {
		for _, ev := range p.Events()[from:] {
			id := recordID(t, ev)
			if len(id) < 4 || id[:4] != "late" {
				continue
			}
			late[id]++
			pid, _ := ev.Fields.GetValue("azure.eventhub.partition_id")
			if prev, ok := partOf[pid.(string)]; ok && prev != name {
				t.Errorf("partition %v read by both instances after settling", pid)
			}
			partOf[pid.(string)] = name
		}
	}
	check("A", pipeA, beforeA)
	check("B", pipeB, beforeB)
	for id, c := range late {
		if c != 1 {
			t.Errorf("record %s published %d times after settling", id, c)
		}
	}
	if len(late) != 2000 {
		t.Errorf("%d late records published, want 2000", len(late))
	}
	t.Logf("instance A published %d events, B %d", len(pipeA.Events()), len(pipeB.Events()))
}

// TestTwoInstancesStartingTogether: with the default (greedy) load
// balancing, two instances started at the same moment both try to claim
// every partition; the blob store's ETags let one win each, and they
// settle to an even split with one receiver per partition, every record
// published.
func TestTwoInstancesStartingTogether(t *testing.T) {
	const partitions = 4
	e := newEnv(t, partitions, true)
	e.publishRecords(4000, 10)
	pipeA := &inputtest.Pipeline{AutoACK: true}
	pipeB := &inputtest.Pipeline{AutoACK: true}
	a := e.run(e.config(nil), pipeA)
	b := e.run(e.config(nil), pipeB)
	waitSplit(t, e, a, b)
	waitFor(t, 30*time.Second, "all records", func() bool {
		seen := map[string]bool{}
		for _, ev := range append(pipeA.Events(), pipeB.Events()...) {
			seen[recordID(t, ev)] = true
		}
		return len(seen) == 4000
	})
}

// owned is the partitions_owned metric of a running input (-1 before it
// runs).
func owned(r *running) int64 {
	if v, ok := r.ctx.Metrics.Get("partitions_owned").(interface{ Get() int64 }); ok {
		return v.Get()
	}
	return -1
}

// waitSplit waits until a and b own two partitions each and every
// partition has exactly one receiver.
func waitSplit(t *testing.T, e *env, a, b *running) {
	t.Helper()
	waitFor(t, 30*time.Second, "two partitions each, one receiver per partition", func() bool {
		if owned(a) != 2 || owned(b) != 2 {
			return false
		}
		for _, p := range e.eh.PartitionIDs(testHub) {
			if e.eh.Receivers(testHub, "$Default", p) != 1 {
				return false
			}
		}
		return true
	})
}
