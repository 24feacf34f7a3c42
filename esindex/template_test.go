package esindex

import (
	"testing"

	"github.com/elastic/elastic-agent-libs/logp"
	"github.com/elastic/elastic-agent-libs/version"
)

// Settings follow the Elasticsearch version: ignore_dynamic_beyond_limit
// only from 8.14, max_docvalue_fields_search not on serverless; user index
// settings are merged; the hash changes with the content.
func TestTemplateSettingsByVersion(t *testing.T) {
	cfg := defaultConfig()
	t813, err := Template(cfg, "m365_defender.event", "9.3.0", *version.MustNew("8.13.0"), false, logp.NewNopLogger())
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := t813.GetValue("template.settings.index.mapping.total_fields.ignore_dynamic_beyond_limit"); v != nil {
		t.Errorf("8.13 template has ignore_dynamic_beyond_limit")
	}
	t9, err := Template(cfg, "m365_defender.event", "9.3.0", *version.MustNew("9.1.0"), false, logp.NewNopLogger())
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := t9.GetValue("template.settings.index.mapping.total_fields.ignore_dynamic_beyond_limit"); v != true {
		t.Errorf("9.1 template: ignore_dynamic_beyond_limit %v", v)
	}
	if v, _ := t9.GetValue("template.mappings.properties.process.properties.command_line.type"); v != "wildcard" {
		t.Errorf("process.command_line is %v, want wildcard (ECS)", v)
	}
	if h1, h2 := metaHash(t813), metaHash(t9); h1 == "" || h1 == h2 {
		t.Errorf("hashes %q %q", h1, h2)
	}
	sl, err := Template(cfg, "m365_defender.event", "9.3.0", *version.MustNew("9.1.0"), true, logp.NewNopLogger())
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := sl.GetValue("template.settings.index.max_docvalue_fields_search"); v != nil {
		t.Errorf("serverless template has max_docvalue_fields_search")
	}
	cfg.Template.Settings.Index = map[string]any{"number_of_shards": 3, "mapping": map[string]any{"total_fields": map[string]any{"limit": 20000}}}
	cfg.ILM.Enabled = false
	c, err := Template(cfg, "m365_defender.alert", "9.3.0", *version.MustNew("9.1.0"), false, logp.NewNopLogger())
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := c.GetValue("template.settings.index.number_of_shards"); v != 3 {
		t.Errorf("number_of_shards %v", v)
	}
	if v, _ := c.GetValue("template.settings.index.mapping.total_fields.limit"); v != 20000 {
		t.Errorf("total_fields.limit %v", v)
	}
	if v, _ := c.GetValue("template.settings.index.mapping.ignore_malformed"); v != true {
		t.Errorf("user settings dropped ignore_malformed: %v", v)
	}
	if v, _ := c.GetValue("template.settings.index.lifecycle"); v != nil {
		t.Errorf("lifecycle without ILM: %v", v)
	}
}

// Templates are built on every output connect (missing objects check), so
// their cost matters a little.
func BenchmarkTemplateEvent(b *testing.B) {
	cfg := defaultConfig()
	v := *version.MustNew("8.17.0")
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := Template(cfg, "m365_defender.event", "9.3.0", v, false, logp.NewNopLogger()); err != nil {
			b.Fatal(err)
		}
	}
}
