package cmd

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/elastic/beats/v7/libbeat/cmd/instance"
	conf "github.com/elastic/elastic-agent-libs/config"
	"github.com/elastic/elastic-agent-libs/logp"

	"github.com/m365beat/m365beat/beater"
	"github.com/m365beat/m365beat/config"
	"github.com/m365beat/m365beat/input"
)

// testInputsCommand is `m365beat test inputs`: for each enabled input, run
// its connectivity and permission checks and print pass/fail with the fix.
func testInputsCommand(s instance.Settings) *cobra.Command {
	var timeout time.Duration
	c := &cobra.Command{
		Use:   "inputs",
		Short: "Test the connection, credentials and permissions of each input",
		RunE: func(cmd *cobra.Command, _ []string) error {
			b, err := instance.NewInitializedBeat(s)
			if err != nil {
				return fmt.Errorf("error initializing beat: %w", err)
			}
			sub, err := b.BeatConfig()
			if err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
			defer cancel()
			failed, err := TestInputs(ctx, sub, b.Info.Logger, cmd.OutOrStdout())
			if err != nil {
				return err
			}
			if failed > 0 {
				return fmt.Errorf("%d check(s) failed", failed)
			}
			return nil
		},
	}
	c.Flags().DurationVar(&timeout, "timeout", time.Minute, "time allowed for all checks")
	return c
}

// TestInputs runs the checks of every enabled input of the m365beat section
// and writes a report; it returns the number of failed checks.
func TestInputs(ctx context.Context, cfg *conf.C, log *logp.Logger, w io.Writer) (int, error) {
	c := config.DefaultConfig()
	if err := cfg.Unpack(&c); err != nil {
		return 0, fmt.Errorf("m365beat: %w", err)
	}
	failed := 0
	for i, raw := range c.Inputs {
		common, err := config.ParseInput(raw)
		if err == nil && !common.IsEnabled() {
			fmt.Fprintf(w, "input %s (%s): disabled, skipped\n", common.ID, common.Type)
			continue
		}
		var in input.Input
		if err == nil {
			_, in, err = beater.Build(raw, log)
		}
		if err != nil {
			fmt.Fprintf(w, "m365beat.inputs.%d: configuration... ERROR %v\n", i, err)
			failed++
			continue
		}
		fmt.Fprintf(w, "input %s (%s):\n", common.ID, common.Type)
		t, ok := in.(input.Tester)
		if !ok {
			fmt.Fprintf(w, "  no checks for this input type\n")
			continue
		}
		err = t.Test(ctx, func(check string, err error) {
			if err != nil {
				failed++
				fmt.Fprintf(w, "  %s... ERROR %v\n", check, err)
				return
			}
			fmt.Fprintf(w, "  %s... OK\n", check)
		})
		if err != nil {
			failed++
			fmt.Fprintf(w, "  ERROR %v\n", err)
		}
	}
	return failed, nil
}

// addTestInputs adds `inputs` under libbeat's `test` command.
func addTestInputs(root *cobra.Command, s instance.Settings) {
	for _, c := range root.Commands() {
		if c.Name() == "test" {
			c.AddCommand(testInputsCommand(s))
		}
	}
}
