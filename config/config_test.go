package config

import (
	"strings"
	"testing"

	conf "github.com/elastic/elastic-agent-libs/config"
)

func TestParseInput(t *testing.T) {
	cases := []struct {
		yaml, err string
	}{
		{"type: graphapi\nid: a\nstreams: [{resource: alerts}]", ""},
		{"id: a", "type: required"},
		{"type: graphapi\ndata_stream.namespace: Prod-1", "data_stream.namespace:"},
		{"type: graphapi\nstreams: [{data_stream.dataset: 'm365-x'}]", "streams.0.data_stream.dataset:"},
	}
	for _, c := range cases {
		cfg, err := conf.NewConfigWithYAML([]byte(c.yaml), "test")
		if err != nil {
			t.Fatal(err)
		}
		in, err := ParseInput(cfg)
		switch {
		case c.err == "" && err != nil:
			t.Errorf("%q: %v", c.yaml, err)
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("%q: error %v, want one naming %q", c.yaml, err, c.err)
		}
		if c.err == "" && (in.Namespace() != "default" || !in.IsEnabled()) {
			t.Errorf("defaults: namespace %q enabled %v", in.Namespace(), in.IsEnabled())
		}
	}
}

func TestReloading(t *testing.T) {
	c := DefaultConfig()
	if dc, err := c.Reloading(); dc != nil || err != nil {
		t.Fatalf("absent section: %v %v", dc, err)
	}
	c.ConfigInputs = conf.MustNewConfigFrom(map[string]any{"path": "inputs.d/*.yml", "reload.enabled": true, "reload.period": "0s"})
	if _, err := c.Reloading(); err == nil || !strings.Contains(err.Error(), "reload.period") {
		t.Fatalf("want reload.period error, got %v", err)
	}
	c.ConfigInputs = conf.MustNewConfigFrom(map[string]any{"reload.enabled": true})
	if _, err := c.Reloading(); err == nil || !strings.Contains(err.Error(), "config.inputs.path") {
		t.Fatalf("want path error, got %v", err)
	}
}
