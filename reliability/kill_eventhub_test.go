//go:build reliability

package reliability

import (
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/m365beat/m365beat/internal/beatproc"
)

// TestKill9EventHub kills m365beat with SIGKILL at random points while it
// consumes the hub (checkpoints in Azurite, file output), then lets a last
// run finish: every record is in the output, and every duplicate is a
// record that sat after its partition's checkpoint at one of the kills (the
// unacknowledged/un-checkpointed window), never one behind a checkpoint.
func TestKill9EventHub(t *testing.T) {
	n, kills := pick(20000, 100000), pick(3, 10)
	const perMsg = 25
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d, %d records, %d kills", seed, n, kills)
	r := rand.New(rand.NewPCG(seed, 11))

	e := newHubEnv(t, 4)
	e.publish(0, n/2, perMsg)
	published := n / 2
	home, out := t.TempDir(), outDir(t)
	cfg := e.inputYAML("kill9") + queueYAML + beatproc.FileOutputYAML(out)

	window := map[string]bool{} // keys re-readable after some kill
	for k := 0; k < kills; k++ {
		p := startBeat(t, filepath.Join(home, "beat"), cfg)
		d := jitter(r, 1500*time.Millisecond, pick(4*time.Second, 8*time.Second))
		time.Sleep(d)
		if chunk := (n / 2) / kills; published < n {
			to := min(n, published+chunk)
			e.publish(published, to, perMsg)
			published = to
		}
		time.Sleep(jitter(r, 0, time.Second))
		acked := p.Acked()
		p.Kill9()
		cps, err := e.checkpoints("kill9")
		if err != nil {
			t.Fatalf("checkpoints after kill %d: %v", k+1, err)
		}
		docs, torn, err := beatproc.ReadOutput(out)
		if err != nil {
			t.Fatal(err)
		}
		counts, _, _ := eventKeys(docs)
		inWin := 0
		for key := range counts {
			loc := e.loc[key]
			if cp, ok := cps[loc.part]; !ok || loc.seq > cp {
				window[key] = true
				inWin++
			}
		}
		t.Logf("kill %d after %s: acked this run %d, output %d docs (%d distinct, %d torn lines), checkpoints %v, %d delivered records after a checkpoint",
			k+1, d.Round(time.Millisecond), acked, len(docs), len(counts), torn, cps, inWin)
	}
	if published < n {
		e.publish(published, n, perMsg)
	}
	p := startBeat(t, filepath.Join(home, "beat"), cfg)
	start := time.Now()
	docs := waitOutput(t, out, pick(3*time.Minute, 10*time.Minute), p, func(docs []map[string]any) bool {
		c, _, _ := eventKeys(docs)
		return len(c) >= n
	})
	t.Logf("final run caught up in %s", time.Since(start).Round(time.Millisecond))
	if err := p.Stop(30 * time.Second); err != nil {
		t.Error(err)
	}
	docs, torn, _ := beatproc.ReadOutput(out)
	counts, ids, noKey := eventKeys(docs)
	if len(noKey) > 0 {
		t.Errorf("%d documents without a record key, first: %v", len(noKey), noKey[0])
	}
	missing := 0
	for i := 0; i < n; i++ {
		if counts[recordKey(i)] == 0 {
			missing++
		}
	}
	dups, outside := 0, 0
	for key, c := range counts {
		if c > 1 {
			dups += c - 1
			if !window[key] {
				outside++
			}
		}
	}
	withID := len(ids) > 0
	idDups, shared := 0, 0
	owner := map[string]string{}
	for key, set := range ids {
		if len(set) > 1 {
			idDups++
		}
		for id := range set {
			if o, ok := owner[id]; ok && o != key {
				shared++
			}
			owner[id] = key
		}
	}
	if withID := len(ids) > 0; withID && len(ids) != len(counts) {
		t.Errorf("%d of %d records without @metadata._id", len(counts)-len(ids), len(counts))
	}
	if shared > 0 {
		t.Errorf("%d _id values shared by different records (de-duplication would drop data)", shared)
	}
	t.Logf("RESULT kill9-eventhub: records %d, documents %d, torn lines %d, lost %d, duplicates %d (%d keys in re-read windows), duplicates outside the windows %d, events carry @metadata._id: %v (keys with more than one _id: %d)",
		n, len(docs), torn, missing, dups, len(window), outside, withID, idDups)
	if missing > 0 {
		t.Errorf("%d records lost", missing)
	}
	if outside > 0 {
		t.Errorf("%d records duplicated although they were behind a checkpoint at every kill", outside)
	}
	if idDups > 0 {
		t.Errorf("%d records got different _id values", idDups)
	}
	if !withID {
		t.Logf("events carry no @metadata._id on this branch: de-duplicated by record key (report_id) instead")
	}
}
