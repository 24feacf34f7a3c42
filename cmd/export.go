package cmd

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"gopkg.in/yaml.v2"

	"github.com/elastic/beats/v7/libbeat/cmd/instance"
)

// secretKeys are configuration keys whose values never leave the process:
// `export config` prints them masked, whether they were written in the
// file, set with -E, or come from the keystore or the environment.
var secretKeys = map[string]bool{
	"client_secret":                     true,
	"connection_string":                 true,
	"storage_account_key":               true,
	"storage_account_connection_string": true,
	"private_key":                       true,
	"certificate_password":              true,
	"password":                          true,
	"passphrase":                        true,
	"key_passphrase":                    true,
	"api_key":                           true,
	"sas_key":                           true,
	"shared_access_key":                 true,
	"access_token":                      true,
	"authorization":                     true,
	"proxy-authorization":               true,
}

const mask = "xxxxx"

// IsSecretKey reports whether a configuration key holds a secret.
func IsSecretKey(k string) bool { return secretKeys[strings.ToLower(k)] }

// MaskSecrets replaces the values of secret keys, at any depth, in place.
func MaskSecrets(v any) {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			if IsSecretKey(k) {
				x[k] = mask
				continue
			}
			MaskSecrets(val)
		}
	case []any:
		for _, e := range x {
			MaskSecrets(e)
		}
	}
}

// exportConfigCommand replaces libbeat's `export config`: the same output
// (the configuration as loaded, ${...} references not expanded) with every
// secret masked.
func exportConfigCommand(s instance.Settings) *cobra.Command {
	return &cobra.Command{
		Use:   "config",
		Short: "Export current config to stdout (secrets masked)",
		RunE: func(cmd *cobra.Command, _ []string) error {
			s.DisableConfigResolver = true
			b, err := instance.NewInitializedBeat(s)
			if err != nil {
				return fmt.Errorf("error initializing beat: %w", err)
			}
			var cfg map[string]any
			if err := b.RawConfig.Unpack(&cfg); err != nil {
				return fmt.Errorf("error unpacking config: %w", err)
			}
			return writeMasked(cmd.OutOrStdout(), cfg)
		},
	}
}

func writeMasked(w io.Writer, cfg map[string]any) error {
	MaskSecrets(cfg)
	out, err := yaml.Marshal(cfg)
	if err != nil {
		return err
	}
	_, err = w.Write(out)
	return err
}

// replaceExportConfig swaps libbeat's `export config` for ours.
func replaceExportConfig(root *cobra.Command, s instance.Settings) {
	for _, c := range root.Commands() {
		if c.Name() != "export" {
			continue
		}
		for _, sub := range c.Commands() {
			if sub.Name() == "config" {
				c.RemoveCommand(sub)
			}
		}
		c.AddCommand(exportConfigCommand(s))
	}
}
