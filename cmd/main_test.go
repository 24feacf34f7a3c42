package cmd

import (
	"os"
	"testing"
)

// runMainEnv makes the test binary act as the m365beat binary (it runs the
// root command with its arguments), so tests can run commands such as
// `m365beat demo` in a process of their own without building the binary
// again: the test binary holds the same code.
const runMainEnv = "M365BEAT_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runMainEnv) == "1" {
		if err := RootCmd.Execute(); err != nil {
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}
