package beater

import (
	"testing"

	"github.com/elastic/beats/v7/libbeat/cfgfile"

	_ "github.com/m365beat/m365beat/input/eventhub"
	_ "github.com/m365beat/m365beat/input/graphapi"
)

// The shipped configurations pass `m365beat test config`.
func TestShippedConfigsAreValid(t *testing.T) {
	for _, f := range []string{"../m365beat.yml", "../m365beat.reference.yml"} {
		raw, err := cfgfile.Load(f, nil)
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
