package event

import (
	"testing"

	"github.com/elastic/beats/v7/libbeat/beat"
	jsoncodec "github.com/elastic/beats/v7/libbeat/outputs/codec/json"
	"github.com/elastic/elastic-agent-libs/mapstr"
)

func BenchmarkZZEncodeOnly(b *testing.B) {
	recs := allRecords(b)
	for _, v := range []struct {
		name string
		cfg  Config
	}{{"on", bothOn}, {"off", defaultConfig()}} {
		b.Run(v.name, func(b *testing.B) {
			p := newTestRouter(v.cfg)
			var outs []*beat.Event
			for _, r := range recs {
				ev := beat.Event{Fields: mapstr.M{"message": r}}
				o, _ := p.Run(&ev)
				outs = append(outs, o)
			}
			enc := jsoncodec.New("9.0.0", jsoncodec.Config{})
			n := 0
			measureCPU(b, func(i int) {
				bs, _ := enc.Encode("m365_defender", outs[i%len(outs)])
				n += len(bs)
			})
			b.ReportMetric(float64(n)/float64(b.N), "outbytes")
		})
	}
}

func BenchmarkZZRunOnly(b *testing.B) {
	recs := allRecords(b)
	for _, v := range []struct {
		name string
		cfg  Config
	}{{"on", bothOn}, {"off", defaultConfig()}} {
		b.Run(v.name, func(b *testing.B) {
			p := newTestRouter(v.cfg)
			for _, r := range recs {
				render(p, []byte(r))
			}
			measureCPU(b, func(i int) {
				ev := beat.Event{Fields: mapstr.M{"message": recs[i%len(recs)]}}
				_, _ = p.Run(&ev)
			})
		})
	}
}
