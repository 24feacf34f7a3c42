package gen

import (
	"testing"
)

// The committed generated files must match their sources; run
// `go tool mage update` after editing _meta/ or module/.
func TestGeneratedFilesAreFresh(t *testing.T) {
	files, err := All("../..")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 4 {
		t.Fatalf("%d generated files, want 4", len(files))
	}
	if stale := Stale("../..", files); len(stale) > 0 {
		t.Fatalf("stale generated files %v: run `go tool mage update`", stale)
	}
}
