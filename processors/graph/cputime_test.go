package graph

import (
	"syscall"
	"testing"
	"time"
)

// cpuTime is the CPU time (user + system) this process has used. On a
// shared machine it measures the work of a benchmark where wall time also
// counts the waits for a core.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU adds a cpu-ns/<unit> metric: CPU time per unit of work.
func reportCPU(b *testing.B, start time.Duration, units int, unit string) {
	if start == 0 {
		return
	}
	b.ReportMetric(float64((cpuTime()-start).Nanoseconds())/float64(b.N*units), "cpu-ns/"+unit)
}
