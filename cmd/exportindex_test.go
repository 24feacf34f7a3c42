package cmd

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/elastic/elastic-agent-libs/version"

	"github.com/m365beat/m365beat/esindex"
	"github.com/m365beat/m365beat/include"
)

func TestExportTemplatesWritesOnePerDataset(t *testing.T) {
	dir := t.TempDir()
	cfg, err := esindex.ReadConfig(nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := ExportTemplates(&bytes.Buffer{}, cfg, "8.17.0", dir); err != nil {
		t.Fatal(err)
	}
	for _, ds := range esindex.Datasets {
		b, err := os.ReadFile(filepath.Join(dir, "template", esindex.TemplateName(ds)+".json"))
		if err != nil {
			t.Fatal(err)
		}
		var body map[string]any
		if err := json.Unmarshal(b, &body); err != nil {
			t.Fatal(err)
		}
		if pats, _ := body["index_patterns"].([]any); len(pats) != 1 || pats[0] != esindex.Pattern(ds) {
			t.Errorf("%s: index_patterns %v", ds, body["index_patterns"])
		}
	}
	var out bytes.Buffer
	if err := ExportTemplates(&out, cfg, "not-a-version", ""); err == nil {
		t.Error("bad --es.version accepted")
	}
}

func TestDataViewObject(t *testing.T) {
	m, err := include.Merged()
	if err != nil {
		t.Fatal(err)
	}
	dv, err := DataViewObject([]byte(m), *version.MustNew("8.17.0"))
	if err != nil {
		t.Fatal(err)
	}
	if dv["id"] != DataView {
		t.Errorf("id %v", dv["id"])
	}
	if title, _ := dv.GetValue("attributes.title"); title != DataView {
		t.Errorf("title %v", title)
	}
}
