package cmd

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v2"

	conf "github.com/elastic/elastic-agent-libs/config"

	"github.com/m365beat/m365beat/include"
	"github.com/m365beat/m365beat/internal/kibanatest"
)

const dashboardDir = "../module/m365_defender/_meta/kibana/7/dashboard"

type savedObject struct {
	ID                   string           `json:"id"`
	Type                 string           `json:"type"`
	CoreMigrationVersion string           `json:"coreMigrationVersion"`
	Attributes           map[string]any   `json:"attributes"`
	References           []map[string]any `json:"references"`
}

func loadDashboards(t *testing.T) map[string]savedObject {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dashboardDir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no dashboards in %s: %v", dashboardDir, err)
	}
	out := map[string]savedObject{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var o savedObject
		if err := json.Unmarshal(b, &o); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if o.ID+".json" != filepath.Base(f) {
			t.Errorf("%s: id %q must match the file name (libbeat resolves references by file)", f, o.ID)
		}
		out[o.ID] = o
	}
	return out
}

// fieldTypes flattens a fields.yml into name -> type.
func fieldTypes(t *testing.T, b []byte) map[string]string {
	t.Helper()
	type field struct {
		Name   string  `yaml:"name"`
		Type   string  `yaml:"type"`
		Fields []field `yaml:"fields"`
	}
	var keys []field
	if err := yaml.Unmarshal(b, &keys); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	var walk func(prefix string, fs []field)
	walk = func(prefix string, fs []field) {
		for _, f := range fs {
			n := prefix + f.Name
			if len(f.Fields) > 0 && (f.Type == "" || f.Type == "group") {
				walk(n+".", f.Fields)
				continue
			}
			typ := f.Type
			if typ == "" {
				typ = "keyword"
			}
			out[n] = typ
		}
	}
	for _, k := range keys {
		walk("", k.Fields)
	}
	return out
}

var datasetInQuery = regexp.MustCompile(`data_stream\.dataset : "([a-z0-9_.]+)"`)
var fieldInQuery = regexp.MustCompile(`([a-z0-9_@.]+) : `)

type panelState struct {
	Title      string `json:"title"`
	VisType    string `json:"visualizationType"`
	References []struct {
		Type, ID, Name string
	} `json:"references"`
	State struct {
		Query struct {
			Query, Language string
		} `json:"query"`
		Visualization    map[string]any `json:"visualization"`
		DatasourceStates struct {
			FormBased struct {
				Layers map[string]struct {
					Columns map[string]struct {
						OperationType string `json:"operationType"`
						SourceField   string `json:"sourceField"`
						DataType      string `json:"dataType"`
					} `json:"columns"`
					ColumnOrder []string `json:"columnOrder"`
				} `json:"layers"`
			} `json:"formBased"`
		} `json:"datasourceStates"`
	} `json:"state"`
}

// Every saved object has what Kibana needs, every panel is a Lens panel on
// the m365beat data view limited to one dataset, and every field a panel
// uses (columns and query) is declared, with a fitting type, in that
// dataset's fields.yml.
func TestDashboardsReferenceDeclaredFields(t *testing.T) {
	objs := loadDashboards(t)
	for _, id := range []string{"m365beat-alerts-incidents", "m365beat-endpoint-activity", "m365beat-email-identity"} {
		if _, ok := objs[id]; !ok {
			t.Errorf("dashboard %s missing", id)
		}
	}
	fieldsOf := map[string]map[string]string{}
	checked := 0
	for id, o := range objs {
		if o.Type != "dashboard" || o.Attributes["title"] == "" || o.CoreMigrationVersion == "" {
			t.Errorf("%s: type %q, title %v, coreMigrationVersion %q", id, o.Type, o.Attributes["title"], o.CoreMigrationVersion)
		}
		panels, ok := o.Attributes["panelsJSON"].([]any)
		if !ok || len(panels) == 0 {
			t.Fatalf("%s: no panels", id)
		}
		dashRefs := map[string]string{}
		for _, r := range o.References {
			dashRefs[r["name"].(string)] = r["id"].(string)
		}
		grid := map[[2]float64]bool{}
		for _, p := range panels {
			pm := p.(map[string]any)
			pid, _ := pm["panelIndex"].(string)
			gd, _ := pm["gridData"].(map[string]any)
			if gd == nil || gd["i"] != pid || gd["w"].(float64) <= 0 || gd["x"].(float64)+gd["w"].(float64) > 48 {
				t.Errorf("%s/%s: gridData %v", id, pid, gd)
			} else if key := [2]float64{gd["x"].(float64), gd["y"].(float64)}; grid[key] {
				t.Errorf("%s/%s: two panels at %v", id, pid, key)
			} else {
				grid[key] = true
			}
			raw, _ := json.Marshal(pm["embeddableConfig"].(map[string]any)["attributes"])
			var ps panelState
			if err := json.Unmarshal(raw, &ps); err != nil {
				t.Fatalf("%s/%s: %v", id, pid, err)
			}
			if pm["type"] != "lens" || ps.Title == "" || ps.VisType == "" || ps.State.Visualization == nil {
				t.Errorf("%s/%s: not a complete Lens panel", id, pid)
			}
			layers := ps.State.DatasourceStates.FormBased.Layers
			if len(layers) == 0 {
				t.Errorf("%s/%s: no layers", id, pid)
			}
			for lid, l := range layers {
				ref := "indexpattern-datasource-layer-" + lid
				found := false
				for _, r := range ps.References {
					found = found || (r.Name == ref && r.Type == "index-pattern" && r.ID == DataView)
				}
				if !found || dashRefs[pid+":"+ref] != DataView {
					t.Errorf("%s/%s: layer %s not bound to data view %s", id, pid, lid, DataView)
				}
				if len(l.ColumnOrder) != len(l.Columns) {
					t.Errorf("%s/%s: columnOrder %v for %d columns", id, pid, l.ColumnOrder, len(l.Columns))
				}
			}
			m := datasetInQuery.FindStringSubmatch(ps.State.Query.Query)
			if m == nil || ps.State.Query.Language != "kuery" {
				t.Errorf("%s/%s: query %q does not limit the panel to a dataset", id, pid, ps.State.Query.Query)
				continue
			}
			ds := m[1]
			ft, ok := fieldsOf[ds]
			if !ok {
				b, err := include.DatasetFields(ds)
				if err != nil {
					t.Logf("%s/%s: fields of %s not in this build, not checked: %v", id, pid, ds, err)
					fieldsOf[ds] = nil
					continue
				}
				ft = fieldTypes(t, b)
				ft["data_stream.dataset"] = "constant_keyword"
				fieldsOf[ds] = ft
			}
			if ft == nil {
				continue
			}
			var used []string
			for _, l := range layers {
				for _, c := range l.Columns {
					if c.SourceField != "" && c.SourceField != "___records___" {
						used = append(used, c.SourceField)
						typ := ft[c.SourceField]
						if c.OperationType == "date_histogram" && typ != "date" {
							t.Errorf("%s/%s: date histogram on %s (%s)", id, pid, c.SourceField, typ)
						}
					}
				}
			}
			for _, m := range fieldInQuery.FindAllStringSubmatch(ps.State.Query.Query, -1) {
				used = append(used, m[1])
			}
			sort.Strings(used)
			for _, f := range used {
				if _, ok := ft[f]; !ok {
					t.Errorf("%s/%s (%q): field %s is not declared for %s", id, pid, ps.Title, f, ds)
				}
				checked++
			}
		}
	}
	if checked == 0 {
		t.Fatal("no field checked")
	}
}

// `m365beat setup --dashboards` loads the data view and the three
// dashboards into Kibana through libbeat's loader, from the source tree's
// module directory (the default when ${path.home}/kibana is absent).
func TestSetupCommandDashboards(t *testing.T) {
	kb := kibanatest.NewServer()
	defer kb.Close()
	pathFlags := shippedHome(t)
	wd, _ := os.Getwd()
	out, err := runBeatIn(t, filepath.Dir(wd), append([]string{"setup", "--dashboards",
		"-E", "setup.kibana.host=" + kb.URL}, pathFlags...)...)
	if err != nil || !strings.Contains(out, "Loaded dashboards") {
		t.Fatalf("setup --dashboards: %v\n%s", err, out)
	}
	objs := kb.Objects()
	dv, ok := objs["index-pattern/"+DataView]
	if !ok {
		t.Fatalf("data view %s not imported; objects: %v", DataView, keys(objs))
	}
	if dv.Attributes["title"] != DataView || dv.Attributes["timeFieldName"] != "@timestamp" {
		t.Errorf("data view attributes: title %v timeFieldName %v", dv.Attributes["title"], dv.Attributes["timeFieldName"])
	}
	var fields []map[string]any
	if err := json.Unmarshal([]byte(dv.Attributes["fields"].(string)), &fields); err != nil {
		t.Fatal(err)
	}
	hasIP := false
	for _, f := range fields {
		if f["name"] == "source.ip" && f["type"] == "ip" {
			hasIP = true
		}
	}
	if !hasIP {
		t.Error("data view lacks source.ip as ip")
	}
	for id := range loadDashboards(t) {
		d, ok := objs["dashboard/"+id]
		if !ok {
			t.Errorf("dashboard %s not imported", id)
			continue
		}
		for _, r := range d.References {
			if r["type"] == "index-pattern" && r["id"] != DataView {
				t.Errorf("%s: reference to data view %v", id, r["id"])
			}
		}
	}
}

func keys(m map[string]kibanatest.Object) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// The defaults leave dashboard loading at start off (a run must not need
// Kibana) unless the user's configuration turns it on.
func TestDashboardDefaultsKeepLoadingOff(t *testing.T) {
	for _, tc := range []struct {
		user string
		want bool
	}{
		{"output.console.enabled: true", false},
		{"setup.dashboards.enabled: true", true},
	} {
		user, err := conf.NewConfigWithYAML([]byte(tc.user), "user")
		if err != nil {
			t.Fatal(err)
		}
		o := dashboardDefaults()
		if !o.Check(user) {
			t.Fatal("dashboardDefaults not applied")
		}
		merged, err := conf.MergeConfigs(o.Config, user)
		if err != nil {
			t.Fatal(err)
		}
		d, err := merged.Child("setup.dashboards", -1)
		if err != nil {
			t.Fatal(err)
		}
		if d.Enabled() != tc.want {
			t.Errorf("user config %q: dashboards enabled %v, want %v", tc.user, d.Enabled(), tc.want)
		}
		if idx, _ := d.String("index", -1); idx != DataView {
			t.Errorf("setup.dashboards.index = %q", idx)
		}
	}
}
