package cmd

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/elastic/beats/v7/libbeat/cmd/instance"
	"github.com/elastic/beats/v7/libbeat/dashboards"
	"github.com/elastic/beats/v7/libbeat/kibana"
	"github.com/elastic/elastic-agent-libs/logp"
	"github.com/elastic/elastic-agent-libs/mapstr"
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

// exportDataViewCommand replaces libbeat's `export index-pattern`: the
// data view setup --dashboards loads (id and title logs-m365_defender.*).
func exportDataViewCommand(s instance.Settings) *cobra.Command {
	c := &cobra.Command{
		Use:   "index-pattern",
		Short: "Export the Kibana data view " + DataView + " to stdout",
		RunE: func(cmd *cobra.Command, _ []string) error {
			ver, _ := cmd.Flags().GetString("es.version")
			v, err := version.New(ver)
			if err != nil {
				return fmt.Errorf("--es.version: %w", err)
			}
			b, err := instance.NewInitializedBeat(s)
			if err != nil {
				return fmt.Errorf("error initializing beat: %w", err)
			}
			dv, err := DataViewObject(b.Fields, *v)
			if err != nil {
				return err
			}
			_, err = fmt.Fprintln(cmd.OutOrStdout(), dv.StringToPrint())
			return err
		},
	}
	c.Flags().String("es.version", s.Version, "Kibana version")
	return c
}

// DataViewObject is the data view saved object of m365beat's data streams,
// generated from fields.yml by libbeat.
func DataViewObject(fields []byte, kibanaVersion version.V) (mapstr.M, error) {
	g, err := kibana.NewGenerator("logs-m365_defender", Name, fields, Version, kibanaVersion, false)
	if err != nil {
		return nil, err
	}
	dv, err := g.Generate()
	if err != nil {
		return nil, err
	}
	if err := dashboards.ReplaceIndexInIndexPattern(DataView, dv); err != nil {
		return nil, err
	}
	return dv, nil
}

// replaceExportIndex swaps libbeat's `export template`, `export
// ilm-policy` and `export index-pattern` for m365beat's (libbeat's print a
// single beat template and a m365beat-* index pattern).
func replaceExportIndex(root *cobra.Command, s instance.Settings) {
	for _, c := range root.Commands() {
		if c.Name() != "export" {
			continue
		}
		for _, sub := range c.Commands() {
			if sub.Name() == "template" || sub.Name() == "ilm-policy" || sub.Name() == "index-pattern" {
				c.RemoveCommand(sub)
			}
		}
		c.AddCommand(exportTemplateCommand(s), exportILMCommand(s), exportDataViewCommand(s))
	}
}
