package graphapi

import (
	"strings"
	"testing"
	"time"

	conf "github.com/elastic/elastic-agent-libs/config"

	"github.com/m365beat/m365beat/internal/defendertest"
	"github.com/m365beat/m365beat/internal/inputtest"
)

// TestVulnDelta: after a full export, the delta API is polled from the
// export's generatedTime, every nextLink page is published, and the cursor
// moves to the newest eventTimestamp only once the output acknowledged.
func TestVulnDelta(t *testing.T) {
	srv := defendertest.New()
	defer srv.Close()
	srv.Files = []defendertest.File{{Records: records(0, 2)}}
	srv.Changes = []string{
		defendertest.Change(0, "Fixed", "2025-10-06T12:30:00Z"),
		defendertest.Change(1, "Updated", "2025-10-06T17:59:00.5Z"),
		defendertest.Change(7, "New", "2025-10-06T13:00:00Z"),
		defendertest.Change(8, "New", "2025-10-06T14:00:00Z"),
		defendertest.Change(9, "New", "2025-10-06T05:00:00Z"), // an older period
	}
	in := newTestInput(t, vulnTestConfig(srv, map[string]any{"delta.interval": "30ms", "delta.page_size": 2}))
	p := &inputtest.Pipeline{}
	store := inputtest.NewStore()
	r := start(t, in, p, store)
	p.WaitEvents(t, 2, 5*time.Second)
	p.ACK(2)
	evs := p.WaitEvents(t, 6, 5*time.Second)
	want := append(records(0, 2), srv.Changes[:4]...)
	sameRecords(t, messages(evs[:6]), want)
	for _, e := range evs[2:6] {
		if snapshotOf(e) != "" {
			t.Errorf("delta record with snapshot metadata %q", snapshotOf(e))
		}
	}
	st := srv.Stats()
	if st.SinceTimes[0] != "2025-10-06T12:00:00Z" || st.PageSizes[0] != "2" {
		t.Errorf("first delta call sinceTime=%s pageSize=%s", st.SinceTimes[0], st.PageSizes[0])
	}
	if got := r.metric("vulnerabilities.delta.pages"); got < 2 {
		t.Errorf("delta.pages = %d, want 2 (nextLink followed)", got)
	}
	if c := vulnState0(t, store).DeltaCursor; c != "2025-10-06T12:00:00Z" {
		t.Errorf("cursor advanced before ACK: %s", c)
	}
	p.ACK(p.Unacked())
	waitFor(t, "cursor", 2*time.Second, func() bool { return vulnState0(t, store).DeltaCursor == "2025-10-06T17:59:00.5Z" })
	// The next poll starts from the cursor.
	waitFor(t, "second delta", 5*time.Second, func() bool {
		for _, s := range srv.Stats().SinceTimes {
			if s == "2025-10-06T17:59:00.5Z" {
				return true
			}
		}
		return false
	})
}

// TestVulnDeltaRefusedRunsFullExport: a 400 on sinceTime falls back to a
// full export.
func TestVulnDeltaRefusedRunsFullExport(t *testing.T) {
	srv := defendertest.New()
	defer srv.Close()
	srv.Files = []defendertest.File{{Records: records(0, 1)}}
	srv.DeltaStatus = 400
	in := newTestInput(t, vulnTestConfig(srv, map[string]any{"delta.interval": "20ms"}))
	p := &inputtest.Pipeline{AutoACK: true}
	start(t, in, p, inputtest.NewStore())
	waitFor(t, "second export", 5*time.Second, func() bool { return srv.Stats().Exports >= 2 })
	if errs := errorDocs(p.Events()); len(errs) != 0 {
		t.Errorf("error documents: %v", errs)
	}
}

// TestVulnDisabledByDefault: a stream without enabled: true sends nothing.
func TestVulnDisabledByDefault(t *testing.T) {
	srv := defendertest.New()
	defer srv.Close()
	m := vulnTestConfig(srv, nil)
	delete(m["streams"].([]map[string]any)[0], "enabled")
	in := newTestInput(t, m)
	p := &inputtest.Pipeline{AutoACK: true}
	start(t, in, p, inputtest.NewStore())
	time.Sleep(100 * time.Millisecond)
	if st := srv.Stats(); st.Tokens+st.Exports != 0 {
		t.Errorf("a disabled stream made requests: %+v", st)
	}
}

func TestVulnConfig(t *testing.T) {
	srv := defendertest.New()
	defer srv.Close()
	c, err := readConfig(conf.MustNewConfigFrom(vulnTestConfig(srv, nil)))
	if err != nil {
		t.Fatal(err)
	}
	s := c.Streams[0]
	if s.Interval != 4*time.Hour || s.Vuln.Delta.Interval != time.Hour || s.DataStream.Dataset != "m365_defender.vulnerability" ||
		s.Vuln.SASValidHours != 2 || *s.Vuln.MaxRetries != 3 || s.BatchSize != 1000 || s.Vuln.Delta.PageSize != 50000 || s.Vuln.MaxInFlight != 6000 {
		t.Errorf("defaults: %+v", s)
	}
	for name, cloud := range map[string]string{"public": "https://api.security.microsoft.com", "gcc_high": "https://api-gov.securitycenter.microsoft.us"} {
		c2 := c
		c2.Cloud = name
		api, scopes := c2.defenderEndpoints(&vulnConfig{})
		if api != cloud || !strings.HasSuffix(scopes[0], "/.default") {
			t.Errorf("%s: %s %v", name, api, scopes)
		}
	}
	bad := vulnTestConfig(srv, map[string]any{"sas_valid_hours": -1, "delta.page_size": 300000, "api_url": "ftp://x", "max_retries": -1})
	_, err = readConfig(conf.MustNewConfigFrom(bad))
	if err == nil {
		t.Fatal("no error")
	}
	for _, k := range []string{"streams.0.sas_valid_hours", "streams.0.delta.page_size", "streams.0.api_url", "streams.0.max_retries"} {
		if !strings.Contains(err.Error(), k) {
			t.Errorf("error %q does not name %s", err, k)
		}
	}
}

// TestVulnTester: `m365beat test inputs` checks the Defender token and API
// for a vulnerabilities stream.
func TestVulnTester(t *testing.T) {
	srv := defendertest.New()
	defer srv.Close()
	in := newTestInput(t, vulnTestConfig(srv, nil))
	var checks []string
	err := in.Test(t.Context(), func(check string, err error) {
		checks = append(checks, check)
		if err != nil {
			t.Errorf("%s: %v", check, err)
		}
	})
	if err != nil || len(checks) != 3 || !strings.Contains(checks[1], "api.securitycenter.microsoft.com/.default") {
		t.Errorf("checks %q, err %v", checks, err)
	}
	if st := srv.Stats(); st.DeltaCalls != 1 || st.Exports != 0 {
		t.Errorf("stats %+v: the test must not start an export", st)
	}
}
