package event

import (
	"strings"
	"sync"
	"testing"

	"github.com/elastic/beats/v7/libbeat/beat"
	"github.com/elastic/elastic-agent-libs/mapstr"
	"github.com/valyala/fastjson"
)

func idOf(t testing.TB, p *Processor, line string) string {
	t.Helper()
	ev := &beat.Event{Fields: mapstr.M{"message": line}}
	out, err := p.Run(ev)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := out.Meta["_id"].(string)
	return id
}

// The algorithm is pinned by a vector computed outside Go (Python hashlib,
// bytes as documented in docid.go).
func TestDocIDVector(t *testing.T) {
	p := newTestRouter(defaultConfig())
	line := `{"tenantId":"t1","category":"AdvancedHunting-DeviceProcessEvents","time":"2024-05-01T10:01:00Z","properties":{"ReportId":12,"Timestamp":"2024-05-01T10:00:00Z","DeviceId":"d1","FileName":"cmd.exe","Extra":{"b":1,"a":[true,null]}}}`
	if got, want := idOf(t, p, line), "DdBY3dZoCXQMLgD/F3461U2eIiY="; got != want {
		t.Fatalf("_id %q, want %q", got, want)
	}
}

func TestDocIDReplayAndDistinctRecords(t *testing.T) {
	p := newTestRouter(defaultConfig())
	base := `{"tenantId":"t1","category":"AdvancedHunting-DeviceNetworkEvents","time":"%T","properties":{"ReportId":18984951960,"Timestamp":"2023-07-19T14:09:43.8734771Z","DeviceId":"22bb","DeviceName":"laptop1","RemoteIP":"%IP","RemotePort":443}}`
	mk := func(tm, ip string) string {
		return strings.NewReplacer("%T", tm, "%IP", ip).Replace(base)
	}
	a := idOf(t, p, mk("2023-07-19T14:10:00Z", "10.0.0.1"))
	if len(a) != 28 {
		t.Fatalf("_id %q is not a Base64 SHA-1", a)
	}
	// A replay (same record, here even with another envelope time) keeps it.
	if b := idOf(t, p, mk("2023-07-19T14:15:00Z", "10.0.0.1")); b != a {
		t.Fatalf("replayed record got _id %q, first %q", b, a)
	}
	// Same columns in another order: same _id.
	reordered := `{"category":"AdvancedHunting-DeviceNetworkEvents","properties":{"RemotePort":443,"RemoteIP":"10.0.0.1","DeviceName":"laptop1","DeviceId":"22bb","Timestamp":"2023-07-19T14:09:43.8734771Z","ReportId":18984951960},"tenantId":"t1"}`
	if b := idOf(t, p, reordered); b != a {
		t.Fatalf("reordered record got _id %q, want %q", b, a)
	}
	// Same tenant, category, ReportId, Timestamp and device but another
	// column differs (as in Elastic's fixtures): a different record.
	if b := idOf(t, p, mk("2023-07-19T14:10:00Z", "10.0.0.2")); b == a {
		t.Fatal("records differing in RemoteIP share an _id")
	}
	// Another tenant: another _id.
	if b := idOf(t, p, strings.Replace(mk("x", "10.0.0.1"), `"t1"`, `"t2"`, 1)); b == a {
		t.Fatal("records of two tenants share an _id")
	}
	// Tenant name instead of tenantId still counts.
	n1 := idOf(t, p, `{"Tenant":"Contoso","category":"AdvancedHunting-DeviceEvents","properties":{"ReportId":1}}`)
	n2 := idOf(t, p, `{"Tenant":"Fabrikam","category":"AdvancedHunting-DeviceEvents","properties":{"ReportId":1}}`)
	if n1 == "" || n1 == n2 {
		t.Fatalf("Tenant not fingerprinted: %q %q", n1, n2)
	}
}

// A record that cannot be decoded still gets an _id from its text; an
// event with nothing to fingerprint gets none.
func TestDocIDBadInput(t *testing.T) {
	p := newTestRouter(defaultConfig())
	a, b := idOf(t, p, `{"records": not json`), idOf(t, p, `{"records": not json`)
	if a == "" || a != b {
		t.Fatalf("undecodable record: _id %q then %q", a, b)
	}
	if c := idOf(t, p, `{"category":"AdvancedHunting-DeviceEvents","properties":"x"}`); c == "" || c == a {
		t.Fatalf("record without a properties object: _id %q", c)
	}
	ev := &beat.Event{Fields: mapstr.M{}}
	out, _ := p.Run(ev)
	if _, ok := out.Meta["_id"]; ok {
		t.Fatalf("empty event got an _id: %v", out.Meta)
	}
}

func BenchmarkDocID(b *testing.B) {
	line := []byte(`{"tenantId":"12345af3-bc0e-4f36-b08e-27759e912345","category":"AdvancedHunting-DeviceProcessEvents","properties":{"Timestamp":"2024-05-01T10:00:00.1234567Z","DeviceId":"999b6fd7c532534ba50b3232fa992c38a2712345","DeviceName":"host-1.contoso.com","ActionType":"ProcessCreated","FileName":"cmd.exe","FolderPath":"C:\\Windows\\System32\\cmd.exe","SHA1":"ded8fd7f36417f66eb6ada10e0c0d7c0022986e9","SHA256":"b99d61d874728edc0918ca0eb10eab93d381e7367e377406e65963366c874450","ProcessId":1000,"ProcessCommandLine":"cmd.exe /c whoami","AccountDomain":"contoso","AccountName":"alice","AccountSid":"S-1-5-21-1","InitiatingProcessFileName":"explorer.exe","InitiatingProcessId":900,"ReportId":12,"AdditionalFields":{"a":1,"b":[1,2,3]}}}`)
	var par fastjson.Parser
	v, err := par.ParseBytes(line)
	if err != nil {
		b.Fatal(err)
	}
	jo, _ := v.Object()
	b.ReportAllocs()
	b.SetBytes(int64(len(line)))
	for i := 0; i < b.N; i++ {
		if docID(jo, "") == "" {
			b.Fatal("no id")
		}
	}
}

// The pooled hasher state is safe under concurrent Run calls (run with
// -race): every goroutine gets the sequential _id of each record.
func TestDocIDConcurrent(t *testing.T) {
	p := newTestRouter(defaultConfig())
	lines := []string{
		`{"tenantId":"t1","category":"AdvancedHunting-DeviceEvents","properties":{"ReportId":1,"A":{"z":1,"y":[1,{"b":2,"a":1}]}}}`,
		`{"tenantId":"t1","category":"AdvancedHunting-EmailEvents","properties":{"ReportId":"r","NetworkMessageId":"n","Subject":"s"}}`,
		`not json`,
	}
	want := make([]string, len(lines))
	for i, l := range lines {
		want[i] = idOf(t, p, l)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; n < 200; n++ {
				i := n % len(lines)
				if got := idOf(t, p, lines[i]); got != want[i] {
					errs <- got
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Errorf("concurrent _id %q differs", e)
	}
}

// The per-table cache of column order must only be reused for the very
// same names: "ab","c" and "a","bc" concatenate alike.
func TestDocIDKeyOrderCache(t *testing.T) {
	p := newTestRouter(defaultConfig())
	rec := func(props string) string {
		return `{"tenantId":"t1","category":"AdvancedHunting-DeviceEvents","properties":` + props + `}`
	}
	a1 := idOf(t, p, rec(`{"ab":"1","c":"2"}`))
	b1 := idOf(t, p, rec(`{"a":"1","bc":"2"}`))
	if a1 == b1 {
		t.Fatal("records with other column names share an _id")
	}
	if a2 := idOf(t, p, rec(`{"c":"2","ab":"1"}`)); a2 != a1 {
		t.Fatalf("same record with columns reordered: _id %q, want %q", a2, a1)
	}
	if b2 := idOf(t, p, rec(`{"a":"1","bc":"2"}`)); b2 != b1 {
		t.Fatalf("same record again: _id %q, want %q", b2, b1)
	}
}

// Records of an unknown category are fingerprinted by the same scheme:
// key columns first, then the other columns by name (no cached order).
func TestDocIDUnknownCategorySameScheme(t *testing.T) {
	p := newTestRouter(defaultConfig())
	a := idOf(t, p, `{"tenantId":"t1","category":"AdvancedHunting-FutureTable","properties":{"Zeta":"1","ReportId":7,"Alpha":"2"}}`)
	b := idOf(t, p, `{"category":"AdvancedHunting-FutureTable","tenantId":"t1","properties":{"Alpha":"2","ReportId":7,"Zeta":"1"}}`)
	if a == "" || a != b {
		t.Fatalf("reordered record of an unknown table: %q then %q", a, b)
	}
	// The same bytes as a known table's record would hash, but for the
	// category: compare with the documented stream computed by hand.
	st := docIDPool.Get().(*docIDState)
	defer docIDPool.Put(st)
	st.buf = st.buf[:0]
	for _, s := range []string{"t1", "AdvancedHunting-FutureTable", "ReportId", "7", "Alpha", `"2"`, "Zeta", `"1"`} {
		st.writeString(s)
	}
	if want := st.sum(); a != want {
		t.Fatalf("_id %q, want %q (key columns first, then by name)", a, want)
	}
}
