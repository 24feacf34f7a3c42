package eventhub

import (
	"os"
	"testing"
	"time"

	"github.com/m365beat/m365beat/internal/azuritetest"
	"github.com/m365beat/m365beat/internal/inputtest"
)

func TestPositionsStartAfterLatestAcked(t *testing.T) {
	var p positions
	if got := p.startPositions(); len(got) != 0 {
		t.Fatalf("nothing acknowledged yet: %v", got)
	}
	p.acked("0", &cpToken{seq: 7, offset: "700"})
	p.acked("0", &cpToken{seq: 9, offset: "900"})
	p.acked("3", &cpToken{seq: 0, offset: "0"})
	got := p.startPositions()
	if len(got) != 2 {
		t.Fatalf("start positions %v, want partitions 0 and 3", got)
	}
	for pid, want := range map[string]int64{"0": 9, "3": 0} {
		sp := got[pid]
		if sp.SequenceNumber == nil || *sp.SequenceNumber != want || sp.Inclusive || sp.Offset != nil || sp.Earliest != nil || sp.Latest != nil {
			t.Errorf("partition %s: %+v, want just after sequence number %d", pid, sp, want)
		}
	}
}

// TestStorageOutageWhileRunning: the checkpoint storage goes down long
// enough for the processor to stop (its retries run out after about 20 s);
// records keep being read and acknowledged until then. When the storage
// is back, the restarted processor does not read them again: the store's
// checkpoints are moved to what was acknowledged.
func TestStorageOutageWhileRunning(t *testing.T) { storageOutage(t, false) }

// TestStorageResetWhileRunning is the same outage, after which the storage
// comes back empty (start_position earliest): the partitions continue
// after what was acknowledged instead of reading the hub again.
func TestStorageResetWhileRunning(t *testing.T) { storageOutage(t, true) }

func storageOutage(t *testing.T, wipe bool) {
	if testing.Short() {
		t.Skip("waits for the Event Hub processor to give up on the storage (about 25 s)")
	}
	const perMsg, partitions = 10, 2
	e := newEnv(t, partitions, false)
	dir := t.TempDir()
	az, err := azuritetest.New(dir)
	if err != nil {
		t.Skip(err.Error())
	}
	if err := az.Start(30 * time.Second); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(az.Stop)
	e.az = az

	e.publishRecords(200, perMsg)
	pipe := &inputtest.Pipeline{AutoACK: true}
	e.run(e.config(nil), pipe)
	waitFor(t, 30*time.Second, "the first records", func() bool { return len(pipe.Events()) >= 200 })

	az.Stop()
	if wipe {
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	e.publishRecords(200, perMsg) // read and acknowledged, no checkpoint written
	waitFor(t, 30*time.Second, "the records sent during the outage", func() bool { return len(pipe.Events()) >= 400 })
	waitFor(t, 90*time.Second, "the processor to stop reading", func() bool {
		for _, pid := range e.eh.PartitionIDs(testHub) {
			if e.eh.Receivers(testHub, "$Default", pid) > 0 {
				return false
			}
		}
		return true
	})
	// The partitions' final checkpoint writes give up after 10 s: the
	// storage comes back after that, with the checkpoints of before.
	time.Sleep(11 * time.Second)
	if err := az.Start(30 * time.Second); err != nil {
		t.Fatal(err)
	}
	e.publishRecords(200, perMsg)
	waitFor(t, 60*time.Second, "every record", func() bool { return len(pipe.Events()) >= 600 })
	// Sequence numbers start at 0: 30 messages per partition end at 29.
	e.waitCheckpointsAt(partitions, 29)
	if got := len(pipe.Events()); got != 600 {
		t.Errorf("%d events published for 600 records: records acknowledged before the processor restarted were read again", got)
	}
}
