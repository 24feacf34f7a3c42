package beater

import (
	"sync/atomic"
	"testing"

	conf "github.com/elastic/elastic-agent-libs/config"
	"github.com/elastic/elastic-agent-libs/logp"
	"github.com/elastic/elastic-agent-libs/monitoring"

	"github.com/m365beat/m365beat/input"
)

var builds atomic.Int64

type countedInput struct{}

func (countedInput) Run(ctx input.Context) error { <-ctx.Cancel.Done(); return nil }

func init() {
	input.Register("build_counter", func(*conf.C, *logp.Logger) (input.Input, error) {
		builds.Add(1)
		return countedInput{}, nil
	})
}

// A static input is built once: New validates it by building it, and the
// runner of Run starts that instance (construction warnings such as
// "plain http" used to be logged twice). Another Create of the same entry
// (a restart) builds anew.
func TestStaticInputBuiltOnce(t *testing.T) {
	cfg, _ := conf.NewConfigWithYAML([]byte("inputs: [{type: build_counter, id: one}]"), "m365beat")
	bi, err := New(newBeat(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	bt := bi.(*Beater)
	if n := builds.Load(); n != 1 {
		t.Fatalf("New built the input %d times, want 1", n)
	}
	f := &factory{log: bt.log, metrics: monitoring.NewRegistry(), prebuilt: bt.prebuilt}
	for want := int64(1); want <= 2; want++ {
		// libbeat's runner list hands the factory a copy of the entry.
		cp, err := conf.NewConfigFrom(bt.cfg.Inputs[0])
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Create(nil, cp); err != nil {
			t.Fatal(err)
		}
		if n := builds.Load(); n != want {
			t.Fatalf("after Create: %d builds, want %d", n, want)
		}
	}
}
