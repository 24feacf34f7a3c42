package event

import (
	"sort"
	"testing"
)

// emittedECS lists the ECS fields the e-mail, alert and app & identity
// mappers write (event-email.md §4, event-alert.md §2, event-app-and-identity.md §2).
var emittedECS = map[Family][]string{
	FamilyEmail: {
		"event.kind", "event.category", "event.type", "event.action", "user.name", "user.domain",
		"user.email", "user.group.name", "user.group.id", "file.extension", "file.hash.sha256",
		"file.name", "file.size", "email.from.address", "email.to.address", "email.local_id",
		"email.message_id", "email.direction", "email.subject", "source.ip", "host.ip",
		"url.original", "url.scheme", "url.domain", "url.port", "url.path", "url.extension",
		"url.query", "url.fragment", "url.user_info", "url.username", "url.password",
		"related.user", "related.hash", "related.ip", "related.hosts",
	},
	FamilyAlert: {
		"event.kind", "event.category", "event.type", "event.id", "event.provider",
		"event.reference", "event.severity", "host.name", "host.id", "network.direction",
		"process.command_line", "process.args", "process.args_count", "process.executable",
		"threat.indicator.registry.key", "threat.indicator.registry.data.strings",
		"threat.indicator.registry.value", "threat.indicator.file.directory",
		"threat.indicator.file.hash.sha1", "threat.indicator.file.hash.sha256",
		"threat.indicator.file.name", "threat.indicator.file.size", "threat.group.name",
		"threat.technique.subtechnique.id", "threat.technique.subtechnique.name",
		"file.directory", "file.hash.sha1", "file.hash.sha256", "file.name", "file.size",
		"registry.key", "registry.data.strings", "destination.ip", "source.ip", "user.id",
		"user.name", "user.domain", "email.subject", "email.message_id", "cloud.provider",
		"message", "related.hosts", "related.user", "related.ip", "related.hash",
		"device.id", "cloud.instance.id", "application.name", "process.name",
	},
	FamilyApp: {
		"event.kind", "event.category", "event.type", "event.action", "event.outcome",
		"event.id", "orchestrator.namespace", "orchestrator.resource.name", "orchestrator.type",
		"destination.domain", "destination.ip", "destination.port", "host.name", "host.ip",
		"host.os.type", "host.os.name", "host.type", "container.id", "container.image.name",
		"container.name", "process.parent.pid", "process.parent.name", "process.working_directory",
		"process.name", "network.protocol", "user.domain", "user.id", "user.name",
		"user.full_name", "user.email", "user_agent.original", "user_agent.name",
		"user_agent.version", "user_agent.os.name", "user_agent.os.version", "user_agent.os.full",
		"user_agent.device.name", "client.ip", "related.user", "related.hosts", "related.ip",
		"application.name",
	},
}

// familyTargets returns every m365_defender.event.* target of a family's
// dictionary, including the table-dependent moves the mapper makes itself.
func familyTargets(f Family) []string {
	var cols []xcol
	var extra []string
	switch f {
	case FamilyEmail:
		cols = emailColumns
	case FamilyAlert:
		cols = alertColumns
	case FamilyApp:
		cols = appColumns
		extra = []string{"account.city", "account.country"}
	}
	out := extra
	for _, c := range cols {
		out = append(out, c.target)
	}
	sort.Strings(out)
	return out
}

// TestFamilyFieldsDeclared checks that every field the e-mail, alert and
// app & identity mappers can write — every dictionary target, not only the
// ones the golden cases exercise — is declared in fields.yml.
func TestFamilyFieldsDeclared(t *testing.T) {
	decl := declaredFields(t)
	for _, f := range []Family{FamilyEmail, FamilyAlert, FamilyApp} {
		for _, tg := range familyTargets(f) {
			if _, _, ok := lookupDeclared(decl, "m365_defender.event."+tg); !ok {
				t.Errorf("%s: m365_defender.event.%s is not declared in fields.yml", f, tg)
			}
		}
		for _, e := range emittedECS[f] {
			if _, _, ok := lookupDeclared(decl, e); !ok {
				t.Errorf("%s: %s is not declared in fields.yml", f, e)
			}
		}
	}
}

// TestFamilyMappersRegistered checks that every table of the registry has
// the mapper of its family and that the dictionaries know their columns.
func TestFamilyMappersRegistered(t *testing.T) {
	for _, tb := range Tables {
		m := MapperOf(tb.Family)
		if m == nil {
			t.Errorf("%s: no mapper for family %s", tb.Name, tb.Family)
			continue
		}
		if !m.Known("Timestamp") {
			t.Errorf("%s: family %s does not know Timestamp", tb.Name, tb.Family)
		}
	}
	probes := map[Family][]string{
		FamilyEmail: {"NetworkMessageId", "SenderEmailAddress", "TeamsMessageId", "UrlCount", "IsClickedThrough"},
		FamilyAlert: {"AlertId", "BehaviorId", "Severity", "ServiceSource", "AttackTechniques"},
		FamilyApp:   {"AccountObjectId", "Isp", "ISP", "City", "Country", "State", "UserAgentHeader", "IpAddress", "IPAddress"},
	}
	for f, cols := range probes {
		for _, c := range cols {
			if !MapperOf(f).Known(c) {
				t.Errorf("%s does not know %s", f, c)
			}
		}
		if MapperOf(f).Known("NoSuchColumn") {
			t.Errorf("%s knows NoSuchColumn", f)
		}
	}
}
