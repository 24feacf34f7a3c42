package event

import (
	"fmt"
	"testing"

	"github.com/elastic/beats/v7/libbeat/beat"
	"github.com/elastic/elastic-agent-libs/mapstr"
	"github.com/valyala/fastjson"
)

func TestZZCount(t *testing.T) {
	recs := allRecords(&testing.B{})
	p := newTestRouter(bothOn)
	hist := map[string]int{}
	for _, r := range recs {
		v, _ := fastjson.Parse(r)
		np := 0
		if o, err := v.Get("properties").Object(); err == nil {
			np = o.Len()
		}
		ev := beat.Event{Fields: mapstr.M{"message": r}}
		out, _ := p.Run(&ev)
		m, _ := out.Fields.GetValue("m365_defender.event")
		em, _ := m.(map[string]any)
		var maps func(x any) int
		maps = func(x any) int {
			n := 0
			switch y := x.(type) {
			case map[string]any:
				n = 1
				for _, z := range y {
					n += maps(z)
				}
			case mapstr.M:
				n = 1
				for _, z := range y {
					n += maps(z)
				}
			case []any:
				for _, z := range y {
					n += maps(z)
				}
			}
			return n
		}
		hist[fmt.Sprintf("%s props=%d ev=%d top=%d maps=%d", string(v.GetStringBytes("category"))[16:], np, len(em), len(out.Fields), maps(map[string]any(out.Fields)))]++
	}
	for k := range hist {
		fmt.Println(k)
	}
}
