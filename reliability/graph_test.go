//go:build reliability

package reliability

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/m365beat/m365beat/internal/beatproc"
	"github.com/m365beat/m365beat/internal/graphtest"
)

// graphYAML is a graphapi input polling srv every second. The streams keep
// the custom copies of id and lastUpdateDateTime
// (preserve_duplicate_custom_fields) so the suite can name each version.
func graphYAML(srv *graphtest.Server) string {
	o := srv.Options()
	return fmt.Sprintf(`m365beat:
  shutdown_timeout: 5s
  inputs:
    - type: graphapi
      id: contoso
      tenant_id: %q
      client_id: %q
      client_secret: %q
      login_url: %q
      graph_url: %q
      backoff.init: 50ms
      backoff.max: 2s
      streams:
        - resource: alerts
          interval: 1s
          preserve_duplicate_custom_fields: true
        - resource: incidents
          interval: 1s
          preserve_duplicate_custom_fields: true
`, o.TenantID, o.ClientID, o.ClientSecret, srv.LoginURL(), srv.GraphURL())
}

// graphKey is "alert|id|lastUpdate(ms)" or "incident|id|lastUpdate(ms)|alertID"
// (an incident version is one document per alert).
type graphKey string

func keyOf(kind, id string, t time.Time) graphKey {
	return graphKey(kind + "|" + id + "|" + t.UTC().Truncate(time.Millisecond).Format("2006-01-02T15:04:05.000Z"))
}

// graphDocKeys counts documents per alert/incident version and collects
// the _ids of each version.
func graphDocKeys(docs []map[string]any) (counts map[graphKey]int, ids map[graphKey]map[string]bool, other int) {
	counts, ids = map[graphKey]int{}, map[graphKey]map[string]bool{}
	for _, d := range docs {
		var k graphKey
		if id, _ := beatproc.Get(d, "m365_defender.incident.id").(string); id != "" {
			lu, _ := beatproc.Get(d, "m365_defender.incident.last_update_datetime").(string)
			t, _ := time.Parse(time.RFC3339Nano, lu)
			al, _ := beatproc.Get(d, "m365_defender.incident.alert.id").(string)
			k = keyOf("incident", id, t) + graphKey("|"+al)
		} else if id, _ := beatproc.Get(d, "event.id").(string); id != "" && beatproc.Get(d, "m365_defender.alert") != nil {
			lu, _ := beatproc.Get(d, "m365_defender.alert.last_update_datetime").(string)
			t, _ := time.Parse(time.RFC3339Nano, lu)
			k = keyOf("alert", id, t)
		} else {
			other++
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
	return counts, ids, other
}

// wantGraph is every current alert and incident version the fake serves.
func wantGraph(srv *graphtest.Server) map[graphKey]bool {
	want := map[graphKey]bool{}
	for _, a := range srv.Alerts() {
		want[keyOf("alert", a.ID, a.LastUpdate)] = true
	}
	for k, alerts := range srv.Incidents() {
		t, _ := time.Parse(graphtest.TimeLayout, k.LastUpdate)
		for _, a := range alerts {
			want[keyOf("incident", k.ID, t)+graphKey("|"+a)] = true
		}
	}
	return want
}

// tenantActivity adds alerts and updates existing ones until stop is
// closed, with update times skewed by up to skew into the past (a Graph
// clock behind ours, within the input's overlap).
func tenantActivity(srv *graphtest.Server, r *rand.Rand, skew time.Duration, stop chan struct{}, wg *sync.WaitGroup) {
	wg.Add(1)
	go func() {
		defer wg.Done()
		var mu sync.Mutex
		for {
			select {
			case <-stop:
				return
			case <-time.After(200 * time.Millisecond):
			}
			now := time.Now()
			srv.Generate(3, now.Add(-time.Second), now)
			alerts := srv.Alerts()
			mu.Lock()
			for i := 0; i < 2; i++ {
				a := alerts[r.IntN(len(alerts))]
				at := now
				if skew > 0 {
					at = now.Add(-time.Duration(r.Int64N(int64(skew))))
				}
				if at.After(a.LastUpdate) {
					srv.Update(a.ID, at)
				}
			}
			mu.Unlock()
		}
	}()
}

// checkGraph asserts that the output holds every version in want and that
// copies of one version share one _id.
func checkGraph(t *testing.T, name string, docs []map[string]any, want map[graphKey]bool) {
	t.Helper()
	counts, ids, other := graphDocKeys(docs)
	missing := 0
	var example graphKey
	for k := range want {
		if counts[k] == 0 {
			missing++
			example = k
		}
	}
	dups, multi, noID := 0, 0, 0
	idOwner := map[string]graphKey{}
	shared := 0
	for k, c := range counts {
		dups += c - 1
		if len(ids[k]) > 1 {
			multi++
		}
		if len(ids[k]) == 0 {
			noID++
		}
		for id := range ids[k] {
			if o, ok := idOwner[id]; ok && o != k {
				shared++
			}
			idOwner[id] = k
		}
	}
	t.Logf("RESULT %s: versions expected %d, documents %d (other %d), lost %d, duplicate documents %d, after _id de-duplication %d, versions without _id %d, _id shared by distinct versions %d",
		name, len(want), len(docs), other, missing, dups, multi, noID, shared)
	if missing > 0 {
		t.Errorf("%d alert/incident versions lost, e.g. %s", missing, example)
	}
	if multi > 0 || noID > 0 || shared > 0 {
		t.Errorf("_id de-duplication does not hold: %d versions with several _ids, %d without _id, %d _ids shared", multi, noID, shared)
	}
}

// TestKill9Graph kills m365beat while it polls alerts and incidents (new
// alerts and updates keep arriving), then a final run catches up: every
// current version is in the output and duplicates collapse on _id.
func TestKill9Graph(t *testing.T) {
	n, kills := pick(3000, 20000), pick(3, 10)
	if os.Getenv("RELIABILITY_KILLS") != "" {
		kills, _ = strconv.Atoi(os.Getenv("RELIABILITY_KILLS"))
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d, %d alerts, %d kills", seed, n, kills)
	r := rand.New(rand.NewPCG(seed, 12))
	srv := graphtest.New(graphtest.Options{})
	defer srv.Close()
	now := time.Now()
	srv.Generate(n, now.Add(-23*time.Hour), now.Add(-time.Minute))

	home, out := t.TempDir(), outDir(t)
	cfg := graphYAML(srv) + queueYAML + beatproc.FileOutputYAML(out)
	stop, wg := make(chan struct{}), &sync.WaitGroup{}
	tenantActivity(srv, r, 0, stop, wg)
	for k := 0; k < kills; k++ {
		p := startBeat(t, filepath.Join(home, "beat"), cfg)
		d := jitter(r, 500*time.Millisecond, pick(4*time.Second, 8*time.Second))
		time.Sleep(d)
		acked := p.Acked()
		p.Kill9()
		t.Logf("kill %d after %s: %d acknowledged this run", k+1, d.Round(time.Millisecond), acked)
	}
	close(stop)
	wg.Wait()
	want := wantGraph(srv)
	explain = func(docs []map[string]any) string { return explainGraph(docs, want) }
	defer func() { explain = nil }()
	p := startBeat(t, filepath.Join(home, "beat"), cfg)
	docs := waitOutput(t, out, pick(2*time.Minute, 10*time.Minute), p, func(docs []map[string]any) bool {
		c, _, _ := graphDocKeys(docs)
		for k := range want {
			if c[k] == 0 {
				return false
			}
		}
		return true
	})
	if err := p.Stop(30 * time.Second); err != nil {
		t.Error(err)
	}
	checkGraph(t, "kill9-graph", docs, want)
}

// TestGraphFaults polls through 429 storms, 500s, expired tokens, a
// failing token endpoint and a Graph clock running behind: the cursor keeps
// moving (new alerts keep arriving while faults are pending) and nothing is
// lost.
func TestGraphFaults(t *testing.T) {
	n, rounds := pick(2000, 10000), pick(3, 10)
	seed := uint64(time.Now().UnixNano())
	r := rand.New(rand.NewPCG(seed, 13))
	srv := graphtest.New(graphtest.Options{})
	defer srv.Close()
	now := time.Now()
	srv.Generate(n, now.Add(-23*time.Hour), now.Add(-time.Minute))
	home, out := t.TempDir(), outDir(t)
	cfg := graphYAML(srv) + queueYAML + beatproc.FileOutputYAML(out)
	p := startBeat(t, filepath.Join(home, "beat"), cfg)
	defer p.Stop(10 * time.Second)
	stop, wg := make(chan struct{}), &sync.WaitGroup{}
	tenantActivity(srv, r, 90*time.Second, stop, wg) // clock skew: updates dated up to 90 s back
	for i := 0; i < rounds; i++ {
		srv.Inject(graphtest.Fault{Path: "alerts_v2", Status: 429, RetryAfter: "1", Times: 10})
		srv.Inject(graphtest.Fault{Path: "incidents", Status: 429, RetryAfter: "1", Times: 10})
		srv.Inject(graphtest.Fault{Status: 500, Times: 5})
		srv.Inject(graphtest.Fault{Status: 503, RetryAfter: "1", Times: 3})
		srv.Inject(graphtest.Fault{Path: "token", Status: 500, Times: 2})
		srv.ExpireTokens()
		// A marker alert created now must arrive while the storm plays out.
		marker := srv.Generate(1, time.Now().Add(-time.Second), time.Now())[0]
		mk := keyOf("alert", marker.ID, marker.LastUpdate)
		t0 := time.Now()
		waitOutput(t, out, 90*time.Second, p, func(docs []map[string]any) bool {
			c, _, _ := graphDocKeys(docs)
			return c[mk] > 0
		})
		t.Logf("round %d: marker alert delivered after %s, faults still pending %d", i+1, time.Since(t0).Round(time.Millisecond), srv.PendingFaults())
		time.Sleep(jitter(r, 0, time.Second))
	}
	close(stop)
	wg.Wait()
	want := wantGraph(srv)
	explain = func(docs []map[string]any) string { return explainGraph(docs, want) }
	defer func() { explain = nil }()
	docs := waitOutput(t, out, 2*time.Minute, p, func(docs []map[string]any) bool {
		c, _, _ := graphDocKeys(docs)
		for k := range want {
			if c[k] == 0 {
				return false
			}
		}
		return true
	})
	st := srv.Stats()
	t.Logf("fake served statuses %v, token requests %d", st.Statuses, st.TokenRequests)
	checkGraph(t, "graph-faults", docs, want)
}

// explainGraph names a few missing versions and what the output holds for
// their ids.
func explainGraph(docs []map[string]any, want map[graphKey]bool) string {
	counts, _, other := graphDocKeys(docs)
	byID := map[string][]graphKey{}
	for k := range counts {
		parts := strings.SplitN(string(k), "|", 4)
		byID[parts[0]+"|"+parts[1]] = append(byID[parts[0]+"|"+parts[1]], k)
	}
	var b strings.Builder
	n := 0
	for k := range want {
		if counts[k] == 0 {
			n++
			if n <= 5 {
				parts := strings.SplitN(string(k), "|", 4)
				fmt.Fprintf(&b, "missing %s (output has %v)\n", k, byID[parts[0]+"|"+parts[1]])
			}
		}
	}
	fmt.Fprintf(&b, "%d of %d versions missing, %d documents without a key", n, len(want), other)
	return b.String()
}
