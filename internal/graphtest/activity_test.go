package graphtest

import (
	"context"
	"testing"
	"time"
)

func TestSimulate(t *testing.T) {
	s := New(Options{})
	defer s.Close()
	s.Generate(10, time.Now().Add(-time.Hour), time.Now().Add(-time.Minute))
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Millisecond)
	defer cancel()
	s.Simulate(ctx, 20*time.Millisecond, 2, 1)
	all := s.Alerts()
	updated := 0
	for _, a := range all {
		if a.Version > 1 {
			updated++
		}
	}
	if len(all) < 14 || updated == 0 {
		t.Errorf("%d alerts, %d updated after simulating", len(all), updated)
	}
}
