package config

import (
	"fmt"
	"regexp"
	"strings"

	conf "github.com/elastic/elastic-agent-libs/config"
)

// Input is what every entry of m365beat.inputs has, whatever its type.
type Input struct {
	Type       string     `config:"type"`
	ID         string     `config:"id"`
	Enabled    *bool      `config:"enabled"`
	DataStream DataStream `config:"data_stream"`
	Streams    []*conf.C  `config:"streams"`
}

// DataStream is the data_stream section of an input or stream.
type DataStream struct {
	Dataset   string `config:"dataset"`
	Namespace string `config:"namespace"`
}

// DefaultNamespace is data_stream.namespace when none is configured.
const DefaultNamespace = "default"

// IsEnabled reports whether the input runs (enabled defaults to true).
func (i Input) IsEnabled() bool { return i.Enabled == nil || *i.Enabled }

// Namespace returns data_stream.namespace or the default.
func (i Input) Namespace() string {
	if i.DataStream.Namespace == "" {
		return DefaultNamespace
	}
	return i.DataStream.Namespace
}

// Elasticsearch's rules for the parts of a data stream name: lower case, no
// '-' in the namespace, none of \/*?"<>| , # or space, at most 100 bytes.
var (
	badNamespace = regexp.MustCompile(`[\\/*?"<>| ,#:A-Z-]`)
	badDataset   = regexp.MustCompile(`[\\/*?"<>| ,#:A-Z-]`)
)

// ValidateNamespace checks a data_stream.namespace value; key names it.
func ValidateNamespace(key, ns string) error {
	if ns == "" {
		return nil
	}
	if len(ns) > 100 || badNamespace.MatchString(ns) {
		return fmt.Errorf("%s: %q is not a valid data stream namespace (lower case, no '-', none of \\/*?\"<>|,#: or space, at most 100 bytes)", key, ns)
	}
	return nil
}

// ValidateDataset checks a data_stream.dataset value; key names it.
func ValidateDataset(key, ds string) error {
	if ds == "" {
		return nil
	}
	if len(ds) > 100 || badDataset.MatchString(ds) || strings.HasPrefix(ds, ".") {
		return fmt.Errorf("%s: %q is not a valid data stream dataset (lower case, no '-', none of \\/*?\"<>|,#: or space)", key, ds)
	}
	return nil
}

// ParseInput reads the common part of an input entry.
func ParseInput(cfg *conf.C) (Input, error) {
	var in Input
	if err := cfg.Unpack(&in); err != nil {
		return in, err
	}
	if in.Type == "" {
		return in, fmt.Errorf("type: required (one of the input types, e.g. eventhub or graphapi)")
	}
	if err := ValidateNamespace("data_stream.namespace", in.DataStream.Namespace); err != nil {
		return in, err
	}
	for i, s := range in.Streams {
		var st struct {
			DataStream DataStream `config:"data_stream"`
		}
		if err := s.Unpack(&st); err != nil {
			return in, fmt.Errorf("streams.%d: %w", i, err)
		}
		if err := ValidateDataset(fmt.Sprintf("streams.%d.data_stream.dataset", i), st.DataStream.Dataset); err != nil {
			return in, err
		}
	}
	return in, nil
}
