package gen

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// docs/fields.md lists every leaf field with its full dotted name, type and
// description, per source file and section; groups are flattened.
func TestFieldsDoc(t *testing.T) {
	root := t.TempDir()
	write := func(p, s string) {
		full := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("_meta/fields.common.yml", "- key: m365beat\n  title: m365beat\n  description: Beat fields.\n  fields:\n    - name: input.id\n      type: keyword\n      description: Id | of the input.\n")
	write("module/m365_defender/event/_meta/fields.yml", "- key: m365_defender\n  title: Microsoft 365 Defender\n  description: >\n    Streaming\n    records.\n  fields:\n    - name: m365_defender.event\n      type: group\n      fields:\n        - name: device.name\n          type: keyword\n          description: Device name.\n        - name: nested\n          type: group\n          fields:\n            - name: leaf\n              type: long\n              description: A leaf.\n")
	f, err := fieldsDoc(root)
	if err != nil {
		t.Fatal(err)
	}
	if f.Path != filepath.Join("docs", "fields.md") {
		t.Fatalf("path %s", f.Path)
	}
	doc := string(f.Content)
	for _, want := range []string{
		"## m365beat (`_meta/fields.common.yml`)",
		"| `input.id` | keyword | Id \\| of the input. |",
		"## Microsoft 365 Defender (`module/m365_defender/event/_meta/fields.yml`)\n\nStreaming records.\n",
		"| `m365_defender.event.device.name` | keyword | Device name. |",
		"| `m365_defender.event.nested.leaf` | long | A leaf. |",
	} {
		if !strings.Contains(doc, want) {
			t.Errorf("docs/fields.md lacks %q:\n%s", want, doc)
		}
	}
	if strings.Contains(doc, "| `m365_defender.event` |") {
		t.Error("group listed as a field")
	}
	write("module/m365_defender/event/_meta/fields.yml", "- key: [broken\n")
	if _, err := fieldsDoc(root); err == nil || !strings.Contains(err.Error(), "fields.yml") {
		t.Errorf("broken fields.yml: %v", err)
	}
}
