package graphapi

import (
	"strings"
	"testing"
	"time"

	"github.com/m365beat/m365beat/internal/defendertest"
	"github.com/m365beat/m365beat/internal/inputtest"
)

func vulnState0(t *testing.T, store *inputtest.Store) vulnState {
	t.Helper()
	var st vulnState
	_ = store.Get("graphapi::contoso::"+defendertest.TenantID+"::vulnerabilities::m365_defender.vulnerability", &st)
	return st
}

// TestVulnFullSync: every record of every file is published once, in file
// order, with the snapshot time; the state is saved only after the output
// acknowledged everything; the SAS URL never gets a bearer token.
func TestVulnFullSync(t *testing.T) {
	srv := defendertest.New()
	defer srv.Close()
	srv.Files = []defendertest.File{{Records: records(0, 10)}, {}, {Records: records(10, 23)}}
	in := newTestInput(t, vulnTestConfig(srv, map[string]any{"batch_size": 4, "max_in_flight": 100}))
	p := &inputtest.Pipeline{}
	store := inputtest.NewStore()
	r := start(t, in, p, store)

	evs := p.WaitEvents(t, 23, 10*time.Second)
	sameRecords(t, messages(evs), records(0, 23))
	for _, e := range evs {
		if snapshotOf(e) != "2025-10-06T12:00:00Z" {
			t.Fatalf("snapshot metadata = %q", snapshotOf(e))
		}
	}
	waitFor(t, "sync end", 5*time.Second, func() bool { return r.metric("vulnerabilities.export_files") == 3 })
	if st := vulnState0(t, store); st.LastFullExport != "" {
		t.Fatalf("state saved before the output acknowledged: %+v", st)
	}
	p.ACK(22)
	if st := vulnState0(t, store); st.LastFullExport != "" {
		t.Fatalf("state saved with one event unacknowledged: %+v", st)
	}
	p.ACK(1)
	st := vulnState0(t, store)
	if st.LastFullExport != "2025-10-06T12:00:00Z" || st.DeltaCursor != "2025-10-06T12:00:00Z" || st.FullSyncStarted == "" {
		t.Fatalf("state = %+v", st)
	}
	stats := srv.Stats()
	if stats.Exports != 1 || stats.Downloads != 3 || stats.DownloadsWithAuth != 0 {
		t.Errorf("stats = %+v", stats)
	}
	if len(stats.Scopes) == 0 || stats.Scopes[0] != "https://api.securitycenter.microsoft.com/.default" {
		t.Errorf("token scopes = %v", stats.Scopes)
	}
	if stats.SASValidHours[0] != "2" {
		t.Errorf("sasValidHours = %v", stats.SASValidHours)
	}
	if got := r.metric("vulnerabilities.records"); got != 23 {
		t.Errorf("records metric = %d", got)
	}
	if r.metric("vulnerabilities.bytes_downloaded") <= 0 {
		t.Error("bytes_downloaded not counted")
	}
	if d, ok := r.ctx.Metrics.Get("vulnerabilities.sync_duration").(interface{ Get() float64 }); !ok || d.Get() <= 0 {
		t.Error("sync_duration not set")
	}
}

// TestVulnSASExpiredRestartsOnce: an expired SAS answer re-requests the
// export once and resumes without republishing finished files.
func TestVulnSASExpiredRestartsOnce(t *testing.T) {
	srv := defendertest.New()
	defer srv.Close()
	srv.Files = []defendertest.File{{Records: records(0, 5)}, {Records: records(5, 9)}}
	srv.ExpireAt = map[int]bool{2: true} // the second file's download
	in := newTestInput(t, vulnTestConfig(srv, nil))
	p := &inputtest.Pipeline{AutoACK: true}
	r := start(t, in, p, inputtest.NewStore())
	waitFor(t, "sync end", 10*time.Second, func() bool { return r.metric("vulnerabilities.syncs") == 1 })
	sameRecords(t, messages(p.Events()), records(0, 9))
	if st := srv.Stats(); st.Exports != 2 {
		t.Errorf("export calls = %d, want 2", st.Exports)
	}
	if got := r.metric("vulnerabilities.sas_restarts"); got != 1 {
		t.Errorf("sas_restarts = %d", got)
	}
	if errs := errorDocs(p.Events()); len(errs) != 0 {
		t.Errorf("error documents: %v", errs)
	}
}

// TestVulnSASExpiredTwiceEnds: a second expiry ends the sync with one
// error document naming the step, without the signature, and no loop.
func TestVulnSASExpiredTwiceEnds(t *testing.T) {
	srv := defendertest.New()
	defer srv.Close()
	srv.Files = []defendertest.File{{Records: records(0, 3)}}
	srv.ExpireDownloads = 100
	in := newTestInput(t, vulnTestConfig(srv, nil))
	p := &inputtest.Pipeline{AutoACK: true}
	store := inputtest.NewStore()
	r := start(t, in, p, store)
	waitFor(t, "error document", 10*time.Second, func() bool { return len(errorDocs(p.Events())) == 1 })
	time.Sleep(100 * time.Millisecond)
	st := srv.Stats()
	if st.Exports != 2 || st.Downloads != 2 {
		t.Errorf("exports %d downloads %d, want 2 and 2 (restart once, no loop)", st.Exports, st.Downloads)
	}
	msg := errorDocs(p.Events())[0]
	if !strings.Contains(msg, "download file 1/1") || !strings.Contains(msg, "sas_valid_hours") || strings.Contains(msg, defendertest.Signature) || strings.Contains(msg, "sig=") {
		t.Errorf("error message = %s", msg)
	}
	if got := r.metric("vulnerabilities.sas_restarts_exhausted"); got != 1 {
		t.Errorf("sas_restarts_exhausted = %d", got)
	}
	if s := vulnState0(t, store); s.LastFullExport != "" {
		t.Errorf("an incomplete sync was committed: %+v", s)
	}
}

// TestVulnSASExpiredBeforeRequest: a URL whose se= has passed is not even
// requested; the export is re-requested.
func TestVulnSASExpiredBeforeRequest(t *testing.T) {
	srv := defendertest.New()
	defer srv.Close()
	srv.Files = []defendertest.File{{Records: records(0, 3)}}
	srv.SASValidity = time.Minute // within the 2-minute margin
	in := newTestInput(t, vulnTestConfig(srv, nil))
	p := &inputtest.Pipeline{AutoACK: true}
	start(t, in, p, inputtest.NewStore())
	waitFor(t, "error document", 10*time.Second, func() bool { return len(errorDocs(p.Events())) == 1 })
	if st := srv.Stats(); st.Downloads != 0 || st.Exports != 2 {
		t.Errorf("stats = %+v, want no download and 2 export calls", st)
	}
}

// TestVulnRegeneratedSnapshot: when the re-requested export has a new
// generatedTime, the sync restarts from its first file.
func TestVulnRegeneratedSnapshot(t *testing.T) {
	srv := defendertest.New()
	defer srv.Close()
	srv.Files = []defendertest.File{{Records: records(0, 4)}, {Records: records(4, 6)}}
	srv.ExpireAt = map[int]bool{2: true}
	srv.OnExport = func(s *defendertest.Server, call int) {
		if call == 2 {
			s.GeneratedTime = "2025-10-06T18:00:00Z"
		}
	}
	in := newTestInput(t, vulnTestConfig(srv, nil))
	p := &inputtest.Pipeline{AutoACK: true}
	store := inputtest.NewStore()
	r := start(t, in, p, store)
	waitFor(t, "sync end", 10*time.Second, func() bool { return r.metric("vulnerabilities.syncs") == 1 })
	evs := p.Events()
	want := append(records(0, 4), records(0, 6)...)
	sameRecords(t, messages(evs), want)
	for i, e := range evs {
		wantSnap := "2025-10-06T12:00:00Z"
		if i >= 4 {
			wantSnap = "2025-10-06T18:00:00Z"
		}
		if snapshotOf(e) != wantSnap {
			t.Fatalf("event %d snapshot %s, want %s", i, snapshotOf(e), wantSnap)
		}
	}
	waitFor(t, "state", time.Second, func() bool { return vulnState0(t, store).LastFullExport == "2025-10-06T18:00:00Z" })
}

// TestVulnTruncatedResumes: a body cut mid-file is downloaded again and
// the records already published are skipped.
func TestVulnTruncatedResumes(t *testing.T) {
	srv := defendertest.New()
	defer srv.Close()
	srv.Files = []defendertest.File{{Generate: defendertest.Generated(3000, 1)[0].Generate}}
	srv.TruncateDownloads = 1
	srv.TruncateAt = 20000
	in := newTestInput(t, vulnTestConfig(srv, map[string]any{"batch_size": 100}))
	p := &inputtest.Pipeline{AutoACK: true}
	r := start(t, in, p, inputtest.NewStore())
	waitFor(t, "sync end", 20*time.Second, func() bool { return r.metric("vulnerabilities.syncs") == 1 })
	sameRecords(t, messages(p.Events()), records(0, 3000))
	if got := r.metric("vulnerabilities.download_retries"); got != 1 {
		t.Errorf("download_retries = %d", got)
	}
	if st := srv.Stats(); st.Downloads != 2 || st.Exports != 1 {
		t.Errorf("stats = %+v", st)
	}
}

// TestVulnDownloadFailsGivesUp: persistent 500s end that file with an
// error document after max_retries, and the sync is not committed.
func TestVulnDownloadFailsGivesUp(t *testing.T) {
	srv := defendertest.New()
	defer srv.Close()
	srv.Files = []defendertest.File{{Records: records(0, 2)}, {Records: records(2, 4)}}
	srv.FailAt = map[int]bool{1: true, 2: true, 3: true}
	in := newTestInput(t, vulnTestConfig(srv, map[string]any{"max_retries": 2}))
	p := &inputtest.Pipeline{AutoACK: true}
	store := inputtest.NewStore()
	start(t, in, p, store)
	waitFor(t, "error document", 10*time.Second, func() bool { return len(errorDocs(p.Events())) == 1 })
	waitFor(t, "second file", 10*time.Second, func() bool { return len(messages(p.Events())) == 2 })
	sameRecords(t, messages(p.Events()), records(2, 4))
	msg := errorDocs(p.Events())[0]
	if !strings.Contains(msg, "download file 1/2") || !strings.Contains(msg, "HTTP 500") || !strings.Contains(msg, "2 retries") {
		t.Errorf("error message = %s", msg)
	}
	time.Sleep(50 * time.Millisecond)
	if s := vulnState0(t, store); s.LastFullExport != "" {
		t.Errorf("an incomplete sync was committed: %+v", s)
	}
}

// TestVulnMaxInFlight: the stream never has more than max_in_flight events
// unacknowledged, whatever the size of the beat's queue, and resumes as
// the output acknowledges.
func TestVulnMaxInFlight(t *testing.T) {
	srv := defendertest.New()
	defer srv.Close()
	srv.Files = []defendertest.File{{Records: records(0, 100)}}
	in := newTestInput(t, vulnTestConfig(srv, map[string]any{"batch_size": 10, "max_in_flight": 30}))
	p := &inputtest.Pipeline{}
	r := start(t, in, p, inputtest.NewStore())
	p.WaitEvents(t, 30, 5*time.Second)
	time.Sleep(50 * time.Millisecond)
	if n := p.Unacked(); n != 30 {
		t.Fatalf("%d events unacknowledged, want 30 (max_in_flight)", n)
	}
	for len(p.Events()) < 100 {
		if n := p.Unacked(); n > 30 {
			t.Fatalf("%d events in flight", n)
		}
		p.ACK(5)
		time.Sleep(time.Millisecond)
	}
	p.ACK(p.Unacked())
	waitFor(t, "sync end", 5*time.Second, func() bool { return r.metric("vulnerabilities.syncs") == 1 })
	sameRecords(t, messages(p.Events()), records(0, 100))
}
