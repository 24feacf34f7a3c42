package beater

import (
	"testing"

	conf "github.com/elastic/elastic-agent-libs/config"

	_ "github.com/m365beat/m365beat/input/eventhub"
	_ "github.com/m365beat/m365beat/input/graphapi"
)

// The shipped configurations pass `m365beat test config`.
func TestShippedConfigsAreValid(t *testing.T) {
	for _, f := range []string{"../m365beat.yml", "../m365beat.reference.yml"} {
		raw, err := conf.LoadFile(f)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		sub, err := raw.Child("m365beat", -1)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if _, err := New(newBeat(t), sub); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}
