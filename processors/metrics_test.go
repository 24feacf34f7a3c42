package processors

import (
	"sync"
	"testing"
)

func TestCounterIsSharedAndSafe(t *testing.T) {
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); Counter("m365beat_test", "events").Inc() }()
	}
	wg.Wait()
	if got := Counter("m365beat_test", "events").Get(); got != 8 {
		t.Fatalf("counter %d, want 8 (one counter shared by every caller)", got)
	}
}
