package event

import (
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/m365beat/m365beat/internal/golden"
)

// TestConcurrentRunFamilies runs the e-mail, alert and app & identity
// golden records through one router from several goroutines (as libbeat's
// pipeline may) and checks every output equals the sequential one; run with
// -race to check the shared state (user-agent cache, parser pools).
func TestConcurrentRunFamilies(t *testing.T) {
	var lines [][]byte
	for _, pat := range []string{"email-*.json", "message-*.json", "url-click-events.json", "alert-*.json", "behavior-*.json", "identity-*.json", "cloud-*.json", "app-edge.json"} {
		m, _ := filepath.Glob(filepath.Join("testdata", pat))
		for _, f := range m {
			if !strings.HasSuffix(f, "-expected.json") {
				lines = append(lines, golden.Lines(t, f)...)
			}
		}
	}
	p := newTestRouter(bothOn)
	want := make([]any, len(lines))
	for i, l := range lines {
		want[i] = golden.Canonical(t, render(p, l))
	}
	var wg sync.WaitGroup
	errs := make(chan string, 8*len(lines))
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for k := range lines {
				i := (k + g) % len(lines)
				if got := golden.Canonical(t, render(p, lines[i])); !reflect.DeepEqual(got, want[i]) {
					errs <- string(lines[i])
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Errorf("concurrent output differs for %s", e)
	}
}
