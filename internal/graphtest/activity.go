package graphtest

import (
	"context"
	"time"
)

// Simulate makes the tenant live until ctx ends: every tick it raises
// newPerTick alerts and updates updatesPerTick existing ones (status
// change, lastUpdateDateTime now). For the demo command and soak tests.
func (s *Server) Simulate(ctx context.Context, tick time.Duration, newPerTick, updatesPerTick int) {
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		now := time.Now().UTC()
		if newPerTick > 0 {
			s.Generate(newPerTick, now, now.Add(time.Millisecond))
		}
		s.mu.Lock()
		var ids []string
		for i := 0; i < updatesPerTick && len(s.alerts) > 0; i++ {
			ids = append(ids, s.alerts[s.rnd.IntN(len(s.alerts))].ID)
		}
		s.mu.Unlock()
		for _, id := range ids {
			s.Update(id, time.Now())
		}
	}
}
