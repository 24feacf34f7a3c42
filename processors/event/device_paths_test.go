package event

import "testing"

// Every path the device steps read is resolved against the column
// targets, as the map lookup it replaces would.
func TestDevicePathsResolved(t *testing.T) {
	if len(devicePaths) == 0 {
		t.Fatal("no device paths")
	}
	for _, p := range devicePaths {
		want := -1
		if i, ok := targetIdx[p.path]; ok {
			want = i
		}
		if p.idx != want {
			t.Errorf("%s: slot %d, want %d", p.path, p.idx, want)
		}
	}
}
