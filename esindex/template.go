package esindex

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"

	"github.com/elastic/beats/v7/libbeat/template"
	"github.com/elastic/elastic-agent-libs/logp"
	"github.com/elastic/elastic-agent-libs/mapstr"
	"github.com/elastic/elastic-agent-libs/version"

	"github.com/m365beat/m365beat/include"
)

// ManagedBy is _meta.managed_by of every object setup creates.
const ManagedBy = "m365beat"

// minIgnoreDynamicBeyondLimit is the first Elasticsearch version with
// index.mapping.total_fields.ignore_dynamic_beyond_limit.
var minIgnoreDynamicBeyondLimit = version.MustNew("8.14.0")

// Template builds the composable index template of a dataset for an
// Elasticsearch version (serverless: without the settings serverless
// refuses): libbeat's template code turns the dataset's
// fields.yml into mappings (ECS types, flattened where declared); m365beat
// adds the settings that keep unknown keys from breaking indexing.
func Template(cfg Config, dataset, beatVersion string, es version.V, serverless bool, log *logp.Logger) (mapstr.M, error) {
	fields, err := include.DatasetFields(dataset)
	if err != nil {
		return nil, err
	}
	idx := mapstr.M{
		// Unknown keys: a field the mapping does not declare is mapped
		// dynamically (strings as keyword) up to the field limit; beyond
		// it, new fields are kept in _source but not indexed instead of
		// failing the document (ES >= 8.14). A value that does not fit its
		// declared type is ignored, not rejected.
		"mapping": mapstr.M{
			"total_fields":     mapstr.M{"limit": 10000},
			"ignore_malformed": true,
		},
	}
	if !es.LessThan(minIgnoreDynamicBeyondLimit) {
		_, _ = idx.Put("mapping.total_fields.ignore_dynamic_beyond_limit", true)
	}
	if cfg.ILM.Enabled {
		_, _ = idx.Put("lifecycle.name", cfg.ILM.PolicyName)
	}
	if cfg.Template.Settings.Index != nil {
		idx.DeepUpdate(mapstr.M(cfg.Template.Settings.Index))
	}
	tc := template.TemplateConfig{
		Enabled:  true,
		Name:     TemplateName(dataset),
		Pattern:  Pattern(dataset),
		Priority: cfg.Template.Priority,
	}
	tc.Settings.Index = idx
	tc.Settings.Source = cfg.Template.Settings.Source
	// elasticLicensed: wildcard (ECS: process.command_line, url.original)
	// is in the free basic licence since Elasticsearch 7.9.
	t, err := template.New(serverless, beatVersion, "m365beat", true, es, tc, false, log)
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", tc.Name, err)
	}
	body, err := t.LoadBytes(fields)
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", tc.Name, err)
	}
	body["data_stream"] = mapstr.M{}
	body["_meta"] = mapstr.M{
		"managed_by":  ManagedBy,
		"dataset":     dataset,
		"description": "m365beat " + dataset + " documents (ECS), from m365beat setup",
	}
	return withHash(body)
}

// withHash stores the SHA-256 of body in _meta.hash. Setup compares it with
// the installed object's to leave identical objects alone (Elasticsearch
// returns objects normalised, so their bodies cannot be compared).
func withHash(body mapstr.M) (mapstr.M, error) {
	h, err := hashOf(body)
	if err != nil {
		return nil, err
	}
	meta, _ := body["_meta"].(mapstr.M)
	meta["hash"] = h
	return body, nil
}

func hashOf(v any) (string, error) {
	b, err := json.Marshal(v) // maps marshal with sorted keys
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// Policy builds the ILM policy: rollover by primary shard size or age,
// and a delete phase when delete_after is set; or the policy_file.
func Policy(cfg Config) (mapstr.M, error) {
	var pol mapstr.M
	if cfg.ILM.PolicyFile != "" {
		b, err := os.ReadFile(cfg.ILM.PolicyFile)
		if err != nil {
			return nil, fmt.Errorf("setup.ilm.policy_file: %w", err)
		}
		var body map[string]any
		if err := json.Unmarshal(b, &body); err != nil {
			return nil, fmt.Errorf("setup.ilm.policy_file: %s: %w", cfg.ILM.PolicyFile, err)
		}
		p, ok := body["policy"].(map[string]any)
		if !ok {
			return nil, fmt.Errorf("setup.ilm.policy_file: %s: no \"policy\" object", cfg.ILM.PolicyFile)
		}
		pol = mapstr.M(p)
	} else {
		phases := mapstr.M{"hot": mapstr.M{"actions": mapstr.M{"rollover": mapstr.M{
			"max_primary_shard_size": cfg.ILM.Rollover.MaxPrimaryShardSize,
			"max_age":                cfg.ILM.Rollover.MaxAge,
		}}}}
		if cfg.ILM.DeleteAfter != "" {
			phases["delete"] = mapstr.M{"min_age": cfg.ILM.DeleteAfter, "actions": mapstr.M{"delete": mapstr.M{}}}
		}
		pol = mapstr.M{"phases": phases}
	}
	meta, _ := pol["_meta"].(map[string]any)
	m := mapstr.M{}
	for k, v := range meta {
		m[k] = v
	}
	m["managed_by"] = ManagedBy
	delete(m, "hash")
	pol["_meta"] = m
	h, err := hashOf(pol)
	if err != nil {
		return nil, err
	}
	m["hash"] = h
	return mapstr.M{"policy": pol}, nil
}
