package split

import (
	"fmt"
	"strings"
	"testing"
)

// benchIncident builds an incident with n alerts of m evidence items each.
func benchIncident(n, m int) []byte {
	var b strings.Builder
	b.WriteString(`{"@odata.type":"#microsoft.graph.security.incident","id":"2972395","displayName":"Multi-stage incident","createdDateTime":"2020-08-13T08:43:35.5533333Z","lastUpdateDateTime":"2021-09-29T09:35:45.1133333Z","assignedTo":"KaiC@contoso.onmicrosoft.com","severity":"medium","tags":["Demo"],"comments":[],"alerts":[`)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":"da6375512_%d","title":"Suspicious execution of hidden file","severity":"low","evidence":[`, i)
		for j := 0; j < m; j++ {
			if j > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"@odata.type":"#microsoft.graph.security.processEvidence","createdDateTime":"2021-04-27T12:19:27.7211305Z","processId":%d,"processCommandLine":"\"MsSense.exe\" -x <y>","imageFile":{"fileName":"MsSense.exe","filePath":"C:\\Program Files\\temp","sha1":"%040d"},"userAccount":{"accountName":"SYSTEM","domainName":"NT AUTHORITY","userSid":"S-1-5-18"},"roles":[],"tags":[]}`, j, j)
		}
		b.WriteString(`]}`)
	}
	b.WriteString(`],"tenantId":"b3c1b5fc"}`)
	return []byte(b.String())
}

func BenchmarkIncident(b *testing.B) {
	in := benchIncident(20, 10)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		if err := Incident(in, func([]byte) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGraphList(b *testing.B) {
	inc := string(benchIncident(1, 10))
	page := []byte(`{"value":[` + strings.Repeat(inc+",", 49) + inc + `]}`)
	b.SetBytes(int64(len(page)))
	b.ReportAllocs()
	for b.Loop() {
		if err := GraphList(page, func([]byte) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
}
