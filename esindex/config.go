// Package esindex prepares Elasticsearch for m365beat's data streams: one
// composable index template per dataset (mappings generated from the
// fields.yml files by libbeat's template code), an ILM policy, and the data
// streams of the configured namespaces. It plugs into libbeat as the
// idxmgmt.SupportFactory of the beat, so `m365beat setup --index-management`
// and the output's connect callback use it, and it routes events without
// an explicit index to logs-<data_stream.dataset>-<data_stream.namespace>.
package esindex

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	conf "github.com/elastic/elastic-agent-libs/config"

	"github.com/m365beat/m365beat/config"
	"github.com/m365beat/m365beat/processors"
)

// Datasets are the data streams m365beat writes, each with its template.
var Datasets = []string{processors.DatasetEvent, processors.DatasetAlert, processors.DatasetIncident, processors.DatasetVulnerability}

// Config is the setup.template and setup.ilm part of m365beat.yml.
type Config struct {
	Template        TemplateConfig        `config:"template"`
	ILM             ILMConfig             `config:"ilm"`
	Vulnerabilities VulnerabilitiesConfig `config:"vulnerabilities"`
}

// VulnerabilitiesConfig is setup.vulnerabilities.
type VulnerabilitiesConfig struct {
	// LatestTransform installs and starts the transform that keeps the
	// latest state of every vulnerability (the "latest vulnerabilities"
	// view). Off by default; the vulnerabilities stream must then set
	// event_ingested: true, which the transform syncs on.
	LatestTransform bool `config:"latest_transform"`
}

// TemplateConfig is setup.template.
type TemplateConfig struct {
	// Enabled loads the templates when the output connects (missing ones
	// only); `setup --index-management` loads them whatever this says.
	Enabled bool `config:"enabled"`
	// Priority of the templates: above Elasticsearch's built-in logs
	// template (100) and Fleet integrations (200).
	Priority int `config:"priority"`
	// Overwrite replaces templates that differ when the output connects.
	Overwrite bool `config:"overwrite"`
	// Namespaces whose data streams setup creates; empty = the namespaces
	// of m365beat.inputs (default when none).
	Namespaces []string `config:"namespaces"`
	Settings   struct {
		Index  map[string]any `config:"index"`
		Source map[string]any `config:"_source"`
	} `config:"settings"`
}

// ILMConfig is setup.ilm.
type ILMConfig struct {
	Enabled    bool   `config:"enabled"`
	PolicyName string `config:"policy_name"`
	// PolicyFile is a JSON policy ({"policy": {...}}) used instead of the
	// generated one.
	PolicyFile string `config:"policy_file"`
	Overwrite  bool   `config:"overwrite"`
	Rollover   struct {
		MaxPrimaryShardSize string `config:"max_primary_shard_size"`
		MaxAge              string `config:"max_age"`
	} `config:"rollover"`
	// DeleteAfter adds a delete phase (e.g. 90d); empty keeps data.
	DeleteAfter string `config:"delete_after"`
}

func defaultConfig() Config {
	var c Config
	c.Template.Enabled = true
	c.Template.Priority = 250
	c.ILM.Enabled = true
	c.ILM.PolicyName = "m365beat"
	c.ILM.Rollover.MaxPrimaryShardSize = "50gb"
	c.ILM.Rollover.MaxAge = "30d"
	return c
}

var (
	reSize     = regexp.MustCompile(`^[0-9]+(b|kb|mb|gb|tb|pb)$`)
	reDuration = regexp.MustCompile(`^[0-9]+(d|h|m|s|ms|micros|nanos)$`)
	rePolicy   = regexp.MustCompile(`^[a-z0-9][a-z0-9_.@-]*$`)
)

// Validate checks the configuration; errors name the key.
func (c *Config) Validate() error {
	var errs []error
	if c.Template.Priority <= 100 {
		errs = append(errs, fmt.Errorf("setup.template.priority: %d must be above 100 (Elasticsearch's built-in logs template)", c.Template.Priority))
	}
	for i, ns := range c.Template.Namespaces {
		if ns == "" {
			errs = append(errs, fmt.Errorf("setup.template.namespaces.%d: empty", i))
		} else if err := config.ValidateNamespace(fmt.Sprintf("setup.template.namespaces.%d", i), ns); err != nil {
			errs = append(errs, err)
		}
	}
	if !rePolicy.MatchString(c.ILM.PolicyName) {
		errs = append(errs, fmt.Errorf("setup.ilm.policy_name: %q is not a valid policy name (lower case letters, digits, _ . @ -)", c.ILM.PolicyName))
	}
	if c.ILM.PolicyFile == "" {
		if !reSize.MatchString(c.ILM.Rollover.MaxPrimaryShardSize) {
			errs = append(errs, fmt.Errorf("setup.ilm.rollover.max_primary_shard_size: %q is not a byte size such as 50gb", c.ILM.Rollover.MaxPrimaryShardSize))
		}
		if !reDuration.MatchString(c.ILM.Rollover.MaxAge) {
			errs = append(errs, fmt.Errorf("setup.ilm.rollover.max_age: %q is not a time unit such as 30d", c.ILM.Rollover.MaxAge))
		}
		if c.ILM.DeleteAfter != "" && !reDuration.MatchString(c.ILM.DeleteAfter) {
			errs = append(errs, fmt.Errorf("setup.ilm.delete_after: %q is not a time unit such as 90d", c.ILM.DeleteAfter))
		}
	}
	return errors.Join(errs...)
}

// ReadConfig reads setup.* from the root configuration and fills
// Template.Namespaces from m365beat.inputs when it is empty.
func ReadConfig(root *conf.C) (Config, error) {
	c := defaultConfig()
	if root == nil {
		c.Template.Namespaces = []string{config.DefaultNamespace}
		return c, nil
	}
	if root.HasField("setup") {
		sub, err := root.Child("setup", -1)
		if err != nil {
			return c, fmt.Errorf("setup: %w", err)
		}
		if err := sub.Unpack(&c); err != nil {
			return c, fmt.Errorf("setup: %w", err)
		}
	}
	if len(c.Template.Namespaces) == 0 {
		c.Template.Namespaces = inputNamespaces(root)
	}
	return c, nil
}

// inputNamespaces returns the namespaces of m365beat.inputs (enabled or
// not: a disabled input may be enabled later), default when none.
func inputNamespaces(root *conf.C) []string {
	var raw struct {
		Inputs []config.Input `config:"m365beat.inputs"`
	}
	seen := map[string]bool{}
	var out []string
	if err := root.Unpack(&raw); err == nil {
		for _, in := range raw.Inputs {
			ns := in.Namespace()
			if !seen[ns] && config.ValidateNamespace("", ns) == nil {
				seen[ns] = true
				out = append(out, ns)
			}
		}
	}
	if len(out) == 0 {
		out = []string{config.DefaultNamespace}
	}
	return out
}

// TemplateName is the name of a dataset's index template.
func TemplateName(dataset string) string { return "m365beat-" + dataset }

// Pattern is the index pattern of a dataset's template.
func Pattern(dataset string) string { return "logs-" + dataset + "-*" }

// DataStream is the data stream of a dataset in a namespace.
func DataStream(dataset, namespace string) string {
	return "logs-" + dataset + "-" + strings.ToLower(namespace)
}
