package event

import (
	"strings"
	"testing"

	"github.com/elastic/elastic-agent-libs/mapstr"

	"github.com/m365beat/m365beat/processors/internal/ecs"
)

// The grouped deletion of §5.17 removes exactly the listed paths.
func TestDeviceDupPathsRemoveExactly(t *testing.T) {
	for _, p := range deviceDuplicates {
		if strings.Count(p, ".") > 1 {
			t.Fatalf("%s: duplicate paths have at most two levels (dupPaths)", p)
		}
	}
	ev := mapstr.M{}
	for _, p := range deviceDuplicates {
		ecs.Put(ev, p, "x")
	}
	ecs.Put(ev, "process.keep_me", "y")
	ecs.Put(ev, "keep", "z")
	deviceDupPaths.remove(ev)
	ecs.PruneMap(ev)
	want := mapstr.M{"process": map[string]any{"keep_me": "y"}, "keep": "z"}
	if ev.String() != want.String() {
		t.Fatalf("after removal: %v, want %v", ev, want)
	}
}
