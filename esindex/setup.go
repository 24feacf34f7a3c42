package esindex

import (
	"encoding/json"
	"errors"
	"fmt"
	"github.com/m365beat/m365beat/processors/vulnerability/latest"
	"io"
	"net/http"
	"path"
	"sort"
	"strings"

	"github.com/elastic/elastic-agent-libs/logp"
	"github.com/elastic/elastic-agent-libs/mapstr"
	"github.com/elastic/elastic-agent-libs/version"

	"github.com/m365beat/m365beat/config"
	"github.com/m365beat/m365beat/include"
)

// ESClient is what setup needs of an Elasticsearch connection
// (eslegclient.Connection has it).
type ESClient interface {
	Request(method, path string, pipeline string, params map[string]string, body interface{}) (int, []byte, error)
	GetVersion() version.V
	IsServerless() bool
}

// Options tells Setup what to load.
type Options struct {
	Templates bool // templates and data streams
	ILM       bool // the ILM policy
	// Overwrite replaces installed templates and policy that differ from
	// m365beat's (an identical one is never rewritten).
	Overwrite       bool
	OverwritePolicy bool
}

// Report lists what Setup did, for the user.
type Report struct {
	Created, Updated, Unchanged, Warnings []string
}

func (r *Report) print(w io.Writer) {
	for _, s := range r.Created {
		fmt.Fprintln(w, "created:", s)
	}
	for _, s := range r.Updated {
		fmt.Fprintln(w, "updated:", s)
	}
	for _, s := range r.Unchanged {
		fmt.Fprintln(w, "unchanged:", s)
	}
	for _, s := range r.Warnings {
		fmt.Fprintln(w, "warning:", s)
	}
}

// Setup installs the ILM policy, one index template per dataset and the
// data streams of the configured namespaces. Objects equal to m365beat's
// are left alone, so running it twice changes nothing. An index template
// of someone else that would take precedence over m365beat's (or that
// Elasticsearch would reject m365beat's for) fails setup with its name.
func Setup(es ESClient, cfg Config, opt Options, beatVersion string, log *logp.Logger) (*Report, error) {
	r := &Report{}
	if len(cfg.Template.Namespaces) == 0 {
		cfg.Template.Namespaces = []string{config.DefaultNamespace}
	}
	ilm := opt.ILM && cfg.ILM.Enabled && !es.IsServerless()
	if opt.ILM && cfg.ILM.Enabled && es.IsServerless() {
		r.Warnings = append(r.Warnings, "ILM is not available on serverless Elasticsearch; no policy installed")
	}
	if ilm {
		if err := setupPolicy(es, cfg, opt, r); err != nil {
			return r, err
		}
	}
	if !opt.Templates {
		return r, nil
	}
	if es.IsServerless() {
		cfg.ILM.Enabled = false // no index.lifecycle.name on serverless
	}
	bodies := map[string]mapstr.M{}
	var datasets []string
	for _, ds := range Datasets {
		if _, err := include.DatasetFields(ds); err != nil {
			r.Warnings = append(r.Warnings, "no template for "+ds+": "+err.Error())
			continue
		}
		b, err := Template(cfg, ds, beatVersion, es.GetVersion(), es.IsServerless(), log)
		if err != nil {
			return r, err
		}
		bodies[ds] = b
		datasets = append(datasets, ds)
	}
	if err := checkConflicts(es, cfg, r); err != nil {
		return r, err
	}
	for _, ds := range datasets {
		if err := putTemplate(es, ds, bodies[ds], opt.Overwrite, r); err != nil {
			return r, err
		}
	}
	for _, ds := range datasets {
		for _, ns := range cfg.Template.Namespaces {
			if err := ensureDataStream(es, ds, DataStream(ds, ns), r); err != nil {
				return r, err
			}
		}
	}
	if cfg.Vulnerabilities.LatestTransform {
		res, err := latest.Install(es, latest.Options{}, opt.Overwrite)
		if err != nil {
			return r, err
		}
		name := "transform " + latest.TransformID + " (latest vulnerabilities)"
		switch res {
		case latest.Created:
			r.Created = append(r.Created, name)
		case latest.Updated:
			r.Updated = append(r.Updated, name)
		default:
			r.Unchanged = append(r.Unchanged, name)
		}
	}
	return r, nil
}

func metaHash(m map[string]any) string {
	var meta map[string]any
	switch x := m["_meta"].(type) {
	case map[string]any:
		meta = x
	case mapstr.M:
		meta = x
	}
	h, _ := meta["hash"].(string)
	return h
}

func setupPolicy(es ESClient, cfg Config, opt Options, r *Report) error {
	body, err := Policy(cfg)
	if err != nil {
		return err
	}
	name := cfg.ILM.PolicyName
	what := "ILM policy " + name
	p := "/_ilm/policy/" + name
	status, resp, err := es.Request(http.MethodGet, p, "", nil, nil)
	switch {
	case status == http.StatusOK:
		var got map[string]struct {
			Policy map[string]any `json:"policy"`
		}
		if err := json.Unmarshal(resp, &got); err != nil {
			return fmt.Errorf("%s: reading the installed policy: %w", what, err)
		}
		if metaHash(got[name].Policy) == metaHash(body["policy"].(mapstr.M)) {
			r.Unchanged = append(r.Unchanged, what)
			return nil
		}
		if !opt.OverwritePolicy {
			r.Warnings = append(r.Warnings, what+" exists and differs from m365beat's; kept (set setup.ilm.overwrite: true to replace it)")
			return nil
		}
	case status == http.StatusNotFound:
	default:
		return requestError("GET "+p, status, resp, err)
	}
	if status, resp, err := es.Request(http.MethodPut, p, "", nil, body); err != nil || status >= 300 {
		return requestError("PUT "+p, status, resp, err)
	}
	if status == http.StatusOK {
		r.Updated = append(r.Updated, what)
	} else {
		r.Created = append(r.Created, what)
	}
	return nil
}

type installedTemplate struct {
	Name          string `json:"name"`
	IndexTemplate struct {
		IndexPatterns []string       `json:"index_patterns"`
		Priority      *int           `json:"priority"`
		Meta          map[string]any `json:"_meta"`
	} `json:"index_template"`
}

// checkConflicts fails when another index template matches one of
// m365beat's data streams with a priority at least m365beat's: it would be
// used instead (higher) or Elasticsearch would refuse m365beat's (equal,
// overlapping). Lower-priority ones (Elastic's integration, the built-in
// logs template) are noted.
func checkConflicts(es ESClient, cfg Config, r *Report) error {
	status, resp, err := es.Request(http.MethodGet, "/_index_template", "", nil, nil)
	if status == http.StatusNotFound {
		return nil
	}
	if err != nil || status >= 300 {
		return requestError("GET /_index_template", status, resp, err)
	}
	var all struct {
		IndexTemplates []installedTemplate `json:"index_templates"`
	}
	if err := json.Unmarshal(resp, &all); err != nil {
		return fmt.Errorf("GET /_index_template: %w", err)
	}
	ours := map[string]bool{}
	for _, ds := range Datasets {
		ours[TemplateName(ds)] = true
	}
	var conflicts []string
	for _, t := range all.IndexTemplates {
		if ours[t.Name] {
			continue
		}
		prio := 0
		if t.IndexTemplate.Priority != nil {
			prio = *t.IndexTemplate.Priority
		}
		for _, ds := range Datasets {
			probes := []string{DataStream(ds, "m365beatprobe")}
			for _, ns := range cfg.Template.Namespaces {
				probes = append(probes, DataStream(ds, ns))
			}
			hit := ""
			for _, pat := range t.IndexTemplate.IndexPatterns {
				for _, name := range probes {
					if ok, _ := path.Match(pat, name); ok {
						hit = pat
					}
				}
			}
			if hit == "" {
				continue
			}
			switch {
			case prio >= cfg.Template.Priority:
				conflicts = append(conflicts, fmt.Sprintf("index template %q (pattern %q, priority %d) matches %s with a priority not below m365beat's %d",
					t.Name, hit, prio, Pattern(ds), cfg.Template.Priority))
			case t.Name != "logs":
				r.Warnings = append(r.Warnings, fmt.Sprintf("index template %q (pattern %q, priority %d) also matches %s; m365beat's template (priority %d) takes precedence",
					t.Name, hit, prio, Pattern(ds), cfg.Template.Priority))
			}
		}
	}
	if len(conflicts) > 0 {
		sort.Strings(conflicts)
		return fmt.Errorf("conflicting index templates:\n  %s\nDelete them (DELETE _index_template/<name>) or set setup.template.priority above theirs", strings.Join(conflicts, "\n  "))
	}
	return nil
}

func putTemplate(es ESClient, dataset string, body mapstr.M, overwrite bool, r *Report) error {
	name := TemplateName(dataset)
	what := "index template " + name
	p := "/_index_template/" + name
	status, resp, err := es.Request(http.MethodGet, p, "", nil, nil)
	switch {
	case status == http.StatusOK:
		var got struct {
			IndexTemplates []struct {
				IndexTemplate map[string]any `json:"index_template"`
			} `json:"index_templates"`
		}
		if err := json.Unmarshal(resp, &got); err != nil || len(got.IndexTemplates) != 1 {
			return fmt.Errorf("%s: unexpected answer to GET %s: %s", what, p, truncate(resp))
		}
		installed := got.IndexTemplates[0].IndexTemplate
		if metaHash(installed) == metaHash(body) {
			r.Unchanged = append(r.Unchanged, what)
			return nil
		}
		if meta, _ := installed["_meta"].(map[string]any); meta["managed_by"] != ManagedBy {
			return fmt.Errorf("%s exists and was not installed by m365beat (_meta.managed_by %v); delete it or rename it before running setup", what, meta["managed_by"])
		}
		if !overwrite {
			r.Warnings = append(r.Warnings, what+" differs from this version's; kept (run m365beat setup --index-management to update it)")
			return nil
		}
	case status == http.StatusNotFound:
	default:
		return requestError("GET "+p, status, resp, err)
	}
	if st, resp, err := es.Request(http.MethodPut, p, "", nil, body); err != nil || st >= 300 {
		return requestError("PUT "+p, st, resp, err)
	}
	if status == http.StatusOK {
		r.Updated = append(r.Updated, what)
	} else {
		r.Created = append(r.Created, what)
	}
	return nil
}

func ensureDataStream(es ESClient, dataset, name string, r *Report) error {
	what := "data stream " + name
	p := "/_data_stream/" + name
	status, resp, err := es.Request(http.MethodGet, p, "", nil, nil)
	switch {
	case status == http.StatusOK:
		var got struct {
			DataStreams []struct {
				Template string `json:"template"`
			} `json:"data_streams"`
		}
		_ = json.Unmarshal(resp, &got)
		if len(got.DataStreams) == 1 && got.DataStreams[0].Template != TemplateName(dataset) {
			r.Warnings = append(r.Warnings, fmt.Sprintf("%s exists and was created from template %q; its current backing index keeps that mapping until it rolls over (POST %s/_rollover)",
				what, got.DataStreams[0].Template, name))
			return nil
		}
		r.Unchanged = append(r.Unchanged, what)
		return nil
	case status == http.StatusNotFound:
	default:
		return requestError("GET "+p, status, resp, err)
	}
	if st, resp, err := es.Request(http.MethodPut, p, "", nil, nil); err != nil || st >= 300 {
		return requestError("PUT "+p, st, resp, err)
	}
	r.Created = append(r.Created, what)
	return nil
}

// PrivilegeError is a 401 or 403 answer to a setup request.
type PrivilegeError struct{ error }

func (e PrivilegeError) Unwrap() error { return e.error }

func requestError(req string, status int, resp []byte, err error) error {
	if status == http.StatusUnauthorized || status == http.StatusForbidden {
		return PrivilegeError{fmt.Errorf("%s: %d: the user lacks a privilege setup needs (manage_index_templates, manage_ilm, and create_index on logs-m365_defender.*): %s", req, status, truncate(resp))}
	}
	if err != nil {
		return fmt.Errorf("%s: %w", req, err)
	}
	return fmt.Errorf("%s: status %d: %s", req, status, truncate(resp))
}

func truncate(b []byte) string {
	const max = 500
	if len(b) > max {
		return string(b[:max]) + "..."
	}
	return string(b)
}

var errNotElasticsearch = errors.New("index management needs the Elasticsearch output; use `m365beat export template` and `m365beat export ilm-policy` to print the objects")
