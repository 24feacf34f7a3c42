// m365beat collects Microsoft 365 Defender data and ships it as ECS documents.
package main

import (
	"os"

	"github.com/m365beat/m365beat/cmd"
)

func main() {
	cmd.ApplyGCDefault(os.Getenv) // GOGC=75 unless set (cmd/gc.go)
	if err := cmd.RootCmd.Execute(); err != nil {
		os.Exit(1)
	}
}
