package event

import (
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/elastic/elastic-agent-libs/mapstr"
	"github.com/valyala/fastjson"

	"github.com/m365beat/m365beat/processors/internal/ecs"
)

// alertMapper maps AlertInfo, AlertEvidence, BehaviorInfo and
// BehaviorEntities (event-alert.md).
type alertMapper struct{ d xdict }

func init() { RegisterMapper(FamilyAlert, &alertMapper{d: newDict(alertColumns)}) }

// Known reports whether the alert dictionary (event-alert.md §3) maps col.
func (m *alertMapper) Known(col string) bool { return m.d.known(col) }

// TracksEmptyValues implements EmptyTracker: every document write outside
// m365_defender.event goes through Ctx.Put or is reported to MarkWritten.
func (m *alertMapper) TracksEmptyValues() bool { return true }

// alertColumns is the column index of event-alert.md §3.
var alertColumns = []xcol{
	{"Timestamp", "timestamp", xMove},
	{"AccountDomain", "account.domain", xMove},
	{"AccountName", "account.name", xMove},
	{"AccountObjectId", "account.object_id", xMove},
	{"AccountSid", "account.sid", xMove},
	{"AccountUpn", "account.upn", xMove},
	{"ActionType", "action.type", xMove},
	{"AdditionalFields", "additional_fields", xJSON},
	{"AlertId", "alert.id", xMove},
	{"Application", "application", xMove},
	{"ApplicationId", "application_id", xStringAll},
	{"AttackTechniques", "attack_techniques", xJSON},
	{"BehaviorId", "behavior_id", xMove},
	{"Categories", "alert.categories", xJSON},
	{"Category", "alert.category", xMove},
	{"CloudPlatform", "cloud_platform", xMove},
	{"CloudResourceId", "cloud_resource_id", xMove},
	{"CloudResourceType", "cloud_resource_type", xMove},
	{"CloudSubscriptionId", "cloud_subscription_id", xMove},
	{"DataAggregationStartTime", "data_aggregation_start_time", xDate},
	{"DataAggregationEndTime", "data_aggregation_end_time", xDate},
	{"DataSources", "data_sources", xMove},
	{"Description", "description", xMove},
	{"DetailedEntityRole", "detailed_entity_role", xMove},
	{"DetectionSource", "detection.source", xMove},
	{"DeviceId", "device.id", xMove},
	{"DeviceName", "device.name", xMove},
	{"EmailClusterId", "email.cluster_id", xString},
	{"EmailSubject", "email.subject", xMove},
	{"EndTime", "end_time", xDate},
	{"StartTime", "start_time", xDate},
	{"EntityRole", "entity_role", xMove},
	{"EntityType", "entity_type", xMove},
	{"EvidenceDirection", "evidence.direction", xMove},
	{"EvidenceRole", "evidence.role", xMove},
	{"FileName", "file.name", xMove},
	{"FileSize", "file.size", xLong},
	{"FolderPath", "folder_path", xMove},
	{"LocalIP", "local.ip", xIP},
	{"MachineGroup", "machine_group", xMove},
	{"NetworkMessageId", "network.message_id", xMove},
	{"OAuthApplicationId", "oauth_application_id", xMove},
	{"ProcessCommandLine", "process.command_line", xMove},
	{"RegistryKey", "registry.key", xMove},
	{"RegistryValueData", "registry.value_data", xMove},
	{"RegistryValueName", "registry.value_name", xMove},
	{"RemoteIP", "remote.ip", xIP},
	{"RemoteUrl", "remote.url", xMove},
	{"SHA1", "sha1", xMove},
	{"SHA256", "sha256", xMove},
	{"ServiceSource", "service_source", xMove},
	{"Severity", "severity", xDiscard}, // R-EVT2 step 5
	{"ThreatFamily", "threat.family", xMove},
	{"Title", "title", xMove},
}

// alertDuplicates are removed without preserve_duplicate_custom_fields
// (event-alert.md §2.13).
var alertDupPaths = groupPaths(alertDuplicates)

var alertDuplicates = []string{
	"timestamp", "remote.url", "alert.id", "cloud_platform", "service_source",
	"device.name", "device.id", "evidence.direction", "process.command_line",
	"registry.key", "registry.value_name", "registry.value_data", "remote.ip",
	"folder_path", "sha1", "sha256", "file.name", "file.size", "threat.family",
	"account.name", "account.domain", "account.sid", "account.object_id",
	"network.message_id", "email.subject", "title", "behavior_id",
}

var alertSeverity = map[string]int64{
	"informational": 21, "low": 21, "medium": 47, "high": 73, "critical": 99,
}

func alertFail(tag, reason string) error {
	return &HardError{Step: "script", Tag: tag, Reason: reason}
}

// rawLower returns the lower-cased string column, ok=false when absent or
// null; a non-string value is a hard failure (§2.14).
func rawLower(c *Ctx, col string) (string, bool, error) {
	v := c.Column(col)
	if v == nil || v.Type() == fastjson.TypeNull {
		return "", false, nil
	}
	if v.Type() != fastjson.TypeString {
		return "", false, alertFail("lowercase_"+col, col+" is not a string")
	}
	return strings.ToLower(string(v.GetStringBytes())), true, nil
}

// Map implements Mapper (event-alert.md §1 rule order).
func (m *alertMapper) Map(c *Ctx) error {
	// R-EVT
	if strings.Contains(c.Cat, "behavior") {
		c.Put("event.kind", "event")
	} else {
		c.Put("event.kind", "alert")
	}
	var cats []string
	et, _, err := rawLower(c, "EntityType")
	if err != nil {
		return err
	}
	switch et {
	case "file":
		cats = append(cats, "file")
	case "process":
		cats = append(cats, "process")
	case "device":
		cats = append(cats, "host")
	case "user":
		cats = append(cats, "iam")
	}
	category, _, err := rawLower(c, "Category")
	if err != nil {
		return err
	}
	if category == "malware" || category == "ransomware" {
		cats = append(cats, "malware")
	}
	if c.Category != "AdvancedHunting-AlertInfo" {
		switch category {
		case "persistence", "privilegeescalation", "suspiciousactivity", "threatmanagement":
			cats = append(cats, "threat")
		}
	}
	threat := contains(cats, "threat")
	if len(cats) > 0 {
		c.Put("event.category", cats)
	}
	if threat {
		c.Put("event.type", []string{"indicator"})
	} else {
		c.Put("event.type", []string{"info"})
	}

	// R-JSON, R-CONV, R-MOVE
	if err := mapColumns(c, FamilyAlert, m.d, nil); err != nil {
		return err
	}

	// R-EVT2
	c.cpEV("alert.id", "event.id")
	if !c.hasColumn("ServiceSource") {
		return &HardError{Step: "set", Tag: "set_event_provider", Reason: "field [ServiceSource] not present as part of path [m365_defender.event.service_source]"}
	}
	if v := c.ev("service_source"); v != nil {
		c.Put("event.provider", v)
	}
	c.cpEV("behavior_id", "event.id")
	c.cpEV("remote.url", "event.reference")
	sev, hasSev, err := rawLower(c, "Severity")
	if err != nil {
		return err
	}
	if hasSev {
		c.PutEV("severity", sev)
	}
	if s, ok := c.ev("severity").(string); ok {
		if n, ok := alertSeverity[s]; ok {
			c.Put("event.severity", n)
		}
	}

	// R-HOST
	if v := c.ev("device.name"); !ecs.Empty(v) {
		s, ok := v.(string)
		if !ok {
			return alertFail("lowercase_host_name", "DeviceName is not a string")
		}
		c.Put("host.name", strings.ToLower(s))
	}
	c.cpEV("device.id", "host.id")
	if v := c.ev("evidence.direction"); !ecs.Empty(v) {
		s, ok := v.(string)
		if !ok {
			return alertFail("lowercase_network_direction", "EvidenceDirection is not a string")
		}
		c.Put("network.direction", strings.ToLower(s))
	}

	// R-PROC
	c.cpEV("process.command_line", "process.command_line")
	if s, ok := c.doc("process.command_line").(string); ok && s != "" {
		args := ecs.SplitCommandLine(s)
		if len(args) > 0 {
			c.Put("process.args", args)
			c.Put("process.executable", args[0])
		}
		c.Put("process.args_count", int64(len(args)))
	}

	// R-THREAT
	if threat {
		c.cpEV("registry.key", "threat.indicator.registry.key")
		c.addTo("threat.indicator.registry.data.strings", c.ev("registry.value_data"))
		c.cpEV("registry.value_name", "threat.indicator.registry.value")
		c.cpEV("folder_path", "threat.indicator.file.directory")
		c.cpEV("sha1", "threat.indicator.file.hash.sha1")
		c.cpEV("sha256", "threat.indicator.file.hash.sha256")
		c.cpEV("file.name", "threat.indicator.file.name")
		c.cpEV("file.size", "threat.indicator.file.size")
		c.cpEV("threat.family", "threat.group.name")
	}

	// R-TECH
	m.techniques(c)

	// R-FILE (non-threat rows with a category)
	if len(cats) > 0 && !threat {
		c.cpEV("folder_path", "file.directory")
		c.cpEV("sha1", "file.hash.sha1")
		c.cpEV("sha256", "file.hash.sha256")
		c.cpEV("file.name", "file.name")
		c.cpEV("file.size", "file.size")
		c.cpEV("registry.key", "registry.key")
		c.addTo("registry.data.strings", c.ev("registry.value_data"))
	}

	// R-MISC
	c.cpEV("remote.ip", "destination.ip")
	c.cpEV("local.ip", "source.ip")
	c.cpEV("account.sid", "user.id")
	c.cpEV("account.name", "user.name")
	c.cpEV("account.domain", "user.domain")
	if ecs.Empty(c.doc("user.id")) {
		c.cpEV("account.object_id", "user.id")
	}
	c.cpEV("email.subject", "email.subject")
	c.cpEV("network.message_id", "email.message_id")
	c.cpEV("cloud_platform", "cloud.provider")
	c.cpEV("title", "message")

	// R-REL
	rel := &c.Related
	rel.AddValue(&rel.Hosts, c.doc("host.name"))
	rel.AddValue(&rel.Hosts, c.doc("user.domain"))
	rel.AddValue(&rel.Hosts, c.doc("host.id"))
	rel.AddValue(&rel.User, c.ev("account.object_id"))
	rel.AddValue(&rel.User, c.doc("user.name"))
	rel.AddValue(&rel.IP, c.doc("source.ip"))
	rel.AddValue(&rel.IP, c.doc("destination.ip"))
	rel.AddValue(&rel.Hash, c.ev("sha256"))
	rel.AddValue(&rel.Hash, c.ev("sha1"))

	// R-DEDUP
	if !c.PreserveDuplicates {
		alertDupPaths.remove(c.EV)
	}
	return nil
}

// techniques implements R-TECH (event-alert.md §2.9).
func (m *alertMapper) techniques(c *Ctx) {
	switch at := c.ev("attack_techniques").(type) {
	case []any:
		var ids, names []string
		ok := true
		for _, e := range at {
			s, isStr := e.(string)
			if !isStr {
				ok = false
				break
			}
			sp := strings.LastIndexByte(s, ' ')
			open := strings.IndexByte(s, '(') + 1
			cl := strings.IndexByte(s, ')')
			if sp < 0 || cl < 0 || cl < open {
				ok = false
				break
			}
			names = append(names, s[:sp])
			ids = append(ids, s[open:cl])
		}
		if ok && len(ids) > 0 {
			sort.SliceStable(ids, func(i, j int) bool { return lessUTF16(ids[i], ids[j]) })
			sort.SliceStable(names, func(i, j int) bool { return lessUTF16(names[i], names[j]) })
			c.Put("threat.technique.subtechnique", mapstr.M{"id": ids, "name": names})
		}
		strs := make([]string, 0, len(at))
		for _, e := range at {
			s, isStr := e.(string)
			if !isStr {
				c.Errorf("Processor sort with tag sort_attack_techniques in pipeline %s failed with message: the elements of m365_defender.event.attack_techniques are not all strings", c.Pipeline(FamilyAlert))
				return
			}
			strs = append(strs, s)
		}
		sort.SliceStable(strs, func(i, j int) bool { return lessUTF16(strs[i], strs[j]) })
		for i, s := range strs {
			at[i] = s
		}
	case string:
		if at != "" {
			c.Errorf("Processor sort with tag sort_attack_techniques in pipeline %s failed with message: m365_defender.event.attack_techniques is not an array", c.Pipeline(FamilyAlert))
		}
	}
}

// lessUTF16 orders strings by UTF-16 code units (Java String.compareTo).
func lessUTF16(a, b string) bool {
	for a != "" && b != "" {
		ra, na := utf8.DecodeRuneInString(a)
		rb, nb := utf8.DecodeRuneInString(b)
		if ra != rb {
			ua, ub := utf16Key(ra), utf16Key(rb)
			return ua < ub
		}
		a, b = a[na:], b[nb:]
	}
	return a == "" && b != ""
}

// utf16Key maps a rune to a key ordered like its UTF-16 encoding: runes
// above U+FFFF (surrogate pairs, D800–DBFF lead) sort between U+D7FF and
// U+E000.
func utf16Key(r rune) uint32 {
	if r < 0x10000 {
		if r >= 0xE000 {
			return uint32(r) + 0x100000 // after every surrogate pair
		}
		return uint32(r)
	}
	return 0xD800 + uint32(r-0x10000) // within the surrogate range, order kept
}
