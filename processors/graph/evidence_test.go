package graph

import (
	"strings"
	"testing"

	"github.com/elastic/elastic-agent-libs/mapstr"

	"github.com/m365beat/m365beat/internal/golden"
)

// TestEvidenceTypesFeedECS checks, per evidence type, the ECS fields the
// spec's orientation tables say it feeds (alert.md §11.6, incident.md
// §11.7), on testdata/<stream>/evidence-types.json (one type per line).
func TestEvidenceTypesFeedECS(t *testing.T) {
	order := []string{"device", "file", "process", "ip", "url", "user", "mailbox", "analyzedMessage",
		"mailCluster", "registryKey", "registryValue", "securityGroup", "cloudApplication", "oauthApplication", "unknown"}
	common := map[string][]string{
		"device":           {"host.id", "host.os.name", "host.os.version", "device.id", "related.user", "cloud.provider"},
		"file":             {"file.hash.sha1", "file.hash.sha256", "file.name", "file.path", "file.size", "related.hash", "event.action"},
		"process":          {"process.command_line", "process.hash.sha1", "process.parent.hash.sha1", "process.pid", "process.parent.pid", "process.start", "process.parent.start", "process.user.id", "process.user.name", "process.name", "process.entity_id", "process.parent.entity_id", "related.hash", "related.hosts", "related.user", "event.action"},
		"ip":               {"related.ip"},
		"user":             {"user.name", "user.domain", "user.id", "related.user", "related.hosts"},
		"mailbox":          {"user.name", "user.domain", "user.id", "related.user"},
		"analyzedMessage":  {"email.delivery_timestamp", "email.direction", "email.subject", "email.to.address", "email.from.address", "related.ip", "related.user", "related.hosts"},
		"registryKey":      {"registry.hive", "registry.key"},
		"registryValue":    {"registry.hive", "registry.key", "registry.value", "registry.data.type"},
		"securityGroup":    {"group.id", "group.name"},
		"cloudApplication": {"cloud.instance.id", "cloud.instance.name"},
	}
	streams := []struct {
		stream   Stream
		name     string
		extra    map[string][]string // fields only this stream feeds
		excluded map[string][]string // fields this stream must not feed
	}{
		{AlertStream, "alert",
			map[string][]string{
				"device":          {"related.hosts"},
				"ip":              {"host.ip"},
				"user":            {"user.email"},
				"analyzedMessage": {"email.sender.address", "email.message_id", "email.local_id", "source.ip"},
			},
			map[string][]string{"device": {"host.name"}, "ip": {"source.ip"}, "url": {"url.original", "url.full"}}},
		{IncidentStream, "incident",
			map[string][]string{
				"device":  {"host.name", "host.hostname", "user.name"},
				"ip":      {"source.ip"},
				"mailbox": {"user.email"},
				"process": {"process.executable", "process.parent.executable"},
			},
			map[string][]string{"ip": {"host.ip"}, "analyzedMessage": {"email.sender.address", "email.message_id", "email.local_id", "source.ip"}, "url": {"url.original", "url.full"}}},
	}
	for _, s := range streams {
		lines := golden.Lines(t, "testdata/"+s.name+"/evidence-types.json")
		if len(lines) != len(order) {
			t.Fatalf("%s: %d lines, want %d", s.name, len(lines), len(order))
		}
		p := New(s.stream, bothOptions, nil)
		for i, typ := range order {
			docs := normalize(t, p, lines[i]) // incidents: split per alert
			if len(docs) != 1 {
				t.Fatalf("%s %s: %d documents", s.name, typ, len(docs))
			}
			doc := docs[0].(mapstr.M)
			for _, f := range append(append([]string{}, common[typ]...), s.extra[typ]...) {
				if v, err := doc.GetValue(f); err != nil || v == nil {
					t.Errorf("%s %sEvidence: %s missing", s.name, typ, f)
				}
			}
			for _, f := range s.excluded[typ] {
				if has, _ := doc.HasKey(f); has {
					t.Errorf("%s %sEvidence: %s set, the spec says it is not", s.name, typ, f)
				}
			}
			if typ == "unknown" {
				ev, _ := doc.GetValue("m365_defender." + map[string]string{"alert": "alert", "incident": "incident.alert"}[s.name] + ".evidence")
				if l, _ := ev.([]any); len(l) != 1 || !strings.HasSuffix(l[0].(map[string]any)["odata_type"].(string), "kubernetesPodEvidence") {
					t.Errorf("%s: unknown evidence not kept: %v", s.name, ev)
				}
			}
		}
	}
}
