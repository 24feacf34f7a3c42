package cmd

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/elastic/beats/v7/libbeat/cmd/instance"
	"github.com/elastic/elastic-agent-libs/logp"
	"github.com/elastic/elastic-agent-libs/version"

	"github.com/m365beat/m365beat/esindex"
	"github.com/m365beat/m365beat/include"
)

// exportTemplateCommand replaces libbeat's `export template`: it prints
// m365beat's index templates (one per dataset) as `setup` installs them.
func exportTemplateCommand(s instance.Settings) *cobra.Command {
	c := &cobra.Command{
		Use:   "template",
		Short: "Export the index templates (one per data stream) to stdout or --dir",
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := exportConfig(s, cmd)
			if err != nil {
				return err
			}
			ver, _ := cmd.Flags().GetString("es.version")
			dir, _ := cmd.Flags().GetString("dir")
			noILM, _ := cmd.Flags().GetBool("noilm")
			if noILM {
				cfg.ILM.Enabled = false
			}
			return ExportTemplates(cmd.OutOrStdout(), cfg, ver, dir)
		},
	}
	c.Flags().String("es.version", s.Version, "Elasticsearch version")
	c.Flags().Bool("noilm", false, "Generate the templates without the ILM policy setting")
	c.Flags().String("dir", "", "Write <dir>/template/<name>.json instead of printing")
	return c
}

// ExportTemplates writes the templates of every dataset with a fields.yml.
func ExportTemplates(w io.Writer, cfg esindex.Config, esVersion, dir string) error {
	v, err := version.New(esVersion)
	if err != nil {
		return fmt.Errorf("--es.version: %w", err)
	}
	for _, ds := range esindex.Datasets {
		if _, err := include.DatasetFields(ds); err != nil {
			fmt.Fprintln(os.Stderr, "skipped:", err)
			continue
		}
		body, err := esindex.Template(cfg, ds, Version, *v, false, logp.NewNopLogger())
		if err != nil {
			return err
		}
		if err := writeObject(w, dir, "template", esindex.TemplateName(ds), body); err != nil {
			return err
		}
	}
	return nil
}

// exportILMCommand replaces libbeat's `export ilm-policy`.
func exportILMCommand(s instance.Settings) *cobra.Command {
	c := &cobra.Command{
		Use:   "ilm-policy",
		Short: "Export the ILM policy to stdout or --dir",
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := exportConfig(s, cmd)
			if err != nil {
				return err
			}
			dir, _ := cmd.Flags().GetString("dir")
			body, err := esindex.Policy(cfg)
			if err != nil {
				return err
			}
			return writeObject(cmd.OutOrStdout(), dir, "policy", cfg.ILM.PolicyName, body)
		},
	}
	c.Flags().String("es.version", s.Version, "Elasticsearch version (unused; accepted for compatibility)")
	c.Flags().String("dir", "", "Write <dir>/policy/<name>.json instead of printing")
	return c
}

func exportConfig(s instance.Settings, _ *cobra.Command) (esindex.Config, error) {
	b, err := instance.NewInitializedBeat(s)
	if err != nil {
		return esindex.Config{}, fmt.Errorf("error initializing beat: %w", err)
	}
	cfg, err := esindex.ReadConfig(b.RawConfig)
	if err != nil {
		return cfg, err
	}
	return cfg, cfg.Validate()
}

func writeObject(w io.Writer, dir, kind, name string, body any) error {
	out, err := json.MarshalIndent(body, "", "  ")
	if err != nil {
		return err
	}
	out = append(out, '\n')
	if dir == "" {
		_, err = w.Write(out)
		return err
	}
	d := filepath.Join(dir, kind)
	if err := os.MkdirAll(d, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(d, name+".json"), out, 0o644)
}

// replaceExportIndex swaps libbeat's `export template` and `export
// ilm-policy` for m365beat's (libbeat's print a single beat template).
func replaceExportIndex(root *cobra.Command, s instance.Settings) {
	for _, c := range root.Commands() {
		if c.Name() != "export" {
			continue
		}
		for _, sub := range c.Commands() {
			if sub.Name() == "template" || sub.Name() == "ilm-policy" {
				c.RemoveCommand(sub)
			}
		}
		c.AddCommand(exportTemplateCommand(s), exportILMCommand(s))
	}
}
