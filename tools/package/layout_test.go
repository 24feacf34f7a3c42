package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeTree(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, data := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func rels(list []asset) []string {
	var r []string
	for _, a := range list {
		r = append(r, a.Rel)
	}
	return r
}

func TestKibanaAssetsMergeModules(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{
		"module/a/_meta/kibana/9/dashboard/a.json":       "{}",
		"module/a/_meta/kibana/9/index-pattern/a.json":   "{}",
		"module/b/event/_meta/kibana/9/dashboard/b.json": "{}",
		"module/b/event/_meta/fields.yml":                "- key: b",
		"module/b/kibana/not-meta.json":                  "{}",
	})
	list, err := kibanaAssets(root)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(rels(list), " ")
	want := "kibana/9/dashboard/a.json kibana/9/dashboard/b.json kibana/9/index-pattern/a.json"
	if got != want {
		t.Errorf("kibana assets %q, want %q", got, want)
	}

	writeTree(t, root, map[string]string{"module/c/_meta/kibana/9/dashboard/a.json": "{}"})
	if _, err := kibanaAssets(root); err == nil || !strings.Contains(err.Error(), "kibana/9/dashboard/a.json") {
		t.Errorf("two modules shipping the same dashboard: err %v", err)
	}
}

func TestModuleAssetsSkipSourcesAndTestdata(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{
		"module/m/event/_meta/fields.yml":   "- key: m",
		"module/m/event/mapper.go":          "package event",
		"module/m/event/testdata/case.json": "{}",
		"module/m/_meta/kibana/9/x.json":    "{}",
	})
	list, err := moduleAssets(root)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(rels(list), " "); got != "module/m/event/_meta/fields.yml" {
		t.Errorf("module assets %q", got)
	}
}

func TestHomeAssetsOfTheRepository(t *testing.T) {
	list, err := homeAssets("../..")
	if err != nil {
		t.Fatal(err)
	}
	byRel := map[string]asset{}
	for _, a := range list {
		byRel[a.Rel] = a
	}
	for rel, mode := range map[string]os.FileMode{
		"m365beat.yml": 0o600, "m365beat.reference.yml": 0o644, "fields.yml": 0o644,
		"NOTICE.txt": 0o644, "README.md": 0o644, "LICENSE": 0o644,
	} {
		if a, ok := byRel[rel]; !ok || a.Mode != mode {
			t.Errorf("%s: present %v mode %v, want %v", rel, ok, a.Mode, mode)
		}
	}
	if systemPath("m365beat.yml") != "/etc/m365beat/m365beat.yml" ||
		systemPath("fields.yml") != "/etc/m365beat/fields.yml" ||
		systemPath("kibana/9/x.json") != "/usr/share/m365beat/kibana/9/x.json" {
		t.Error("systemPath places files wrongly")
	}
}

func TestUnitPerFormat(t *testing.T) {
	for format, env := range map[string]string{"deb": "/etc/default/m365beat", "rpm": "/etc/sysconfig/m365beat"} {
		u, err := unitFile(format)
		if err != nil {
			t.Fatal(err)
		}
		checkUnit(t, u, env)
	}
}
