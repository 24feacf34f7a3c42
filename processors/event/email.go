package event

import (
	"strings"

	"github.com/elastic/elastic-agent-libs/mapstr"
	"github.com/valyala/fastjson"

	"github.com/m365beat/m365beat/processors/internal/ecs"
)

// emailMapper maps EmailAttachmentInfo, EmailEvents, EmailPostDeliveryEvents,
// EmailUrlInfo, UrlClickEvents and the Teams tables MessageEvents,
// MessageUrlInfo, MessagePostDeliveryEvents (event-email.md).
type emailMapper struct{ d xdict }

func init() { RegisterMapper(FamilyEmail, &emailMapper{d: newDict(emailColumns)}) }

// Known reports whether the e-mail dictionary (event-email.md §3) maps col.
func (m *emailMapper) Known(col string) bool { return m.d.known(col) }

// TracksEmptyValues implements EmptyTracker: every document write outside
// m365_defender.event goes through Ctx.Put or is reported to MarkWritten.
func (m *emailMapper) TracksEmptyValues() bool { return true }

// emailColumns is the column index of event-email.md §3 (+ UrlCount, §4.4).
var emailColumns = []xcol{
	{"Timestamp", "timestamp", xMove},
	{"AccountUpn", "account.upn", xMove},
	{"Action", "action.value", xMove},
	{"ActionResult", "action.result", xMove},
	{"ActionTrigger", "action.trigger", xMove},
	{"ActionType", "action.type", xMove},
	{"AdditionalFields", "additional_fields", xJSON},
	{"AttachmentCount", "attachment_count", xLong},
	{"AuthenticationDetails", "authentication_details", xMove},
	{"BulkComplaintLevel", "bulk_complaint_level", xLong},
	{"ConfidenceLevel", "confidence_level", xJSON},
	{"Connectors", "connectors", xMove},
	{"DeliveryAction", "delivery.action", xMove},
	{"DeliveryLocation", "delivery.location", xMove},
	{"DetectionMethods", "detection.methods", xJSON},
	{"EmailAction", "email.action", xMove},
	{"EmailActionPolicy", "email.action_policy", xMove},
	{"EmailActionPolicyGuid", "email.action_policy_guid", xMove},
	{"EmailClusterId", "email.cluster_id", xString},
	{"EmailDirection", "email.direction", xMove},
	{"EmailLanguage", "email.language", xMove},
	{"FileName", "file.name", xMove},
	{"FileSize", "file.size", xLong},
	{"FileType", "file.type", xMove},
	{"GroupId", "group_id", xMove},
	{"GroupName", "group_name", xMove},
	{"InternetMessageId", "internet_message_id", xMove},
	{"IPAddress", "ip_address", xIP},
	{"IsClickedThrough", "is_clicked_through", xTruthy},
	{"IsExternalThread", "is_external_thread", xBool},
	{"IsOwnedThread", "is_owned_thread", xBool},
	{"LastEditedTime", "last_edited_time", xMove},
	{"LatestDeliveryLocation", "latest_delivery_location", xMove},
	{"MessageFormatSubtype", "message_format_subtype", xMove},
	{"MessageFormatType", "message_format_type", xMove},
	{"MessageId", "message_id", xMove},
	{"MessageSubject", "message_subject", xMove},
	{"MessageVersion", "message_version", xMove},
	{"NetworkMessageId", "network.message_id", xMove},
	{"OrgLevelAction", "org_level.action", xMove},
	{"OrgLevelPolicy", "org_level.policy", xMove},
	{"ParentMessageId", "parent_message_id", xMove},
	{"RecipientEmailAddress", "recipient.email_address", xMove},
	{"RecipientObjectId", "recipient.object_id", xMove},
	{"ReportId", "report_id", xString},
	{"SafetyTip", "safety_tip", xMove},
	{"SenderDisplayName", "sender.display_name", xMove},
	{"SenderEmailAddress", "sender_email_address", xMove},
	{"SenderFromAddress", "sender.from_address", xMove},
	{"SenderFromDomain", "sender.from_domain", xMove},
	{"SenderIPv4", "sender.ipv4", xIP},
	{"SenderIPv6", "sender.ipv6", xIP},
	{"SenderMailFromAddress", "sender.mail_from_address", xMove},
	{"SenderMailFromDomain", "sender.mail_from_domain", xMove},
	{"SenderObjectId", "sender.object_id", xMove},
	{"SenderType", "sender_type", xMove},
	{"SHA256", "sha256", xMove},
	{"Subject", "subject", xMove},
	{"TeamsMessageId", "teams_message_id", xMove},
	{"ThreadId", "thread_id", xMove},
	{"ThreadSubtype", "thread_subtype", xMove},
	{"ThreatNames", "threat.names", xMove},
	{"ThreatTypes", "threat.types", xMove},
	{"Url", "url", xMove},
	{"UrlChain", "url_chain", xMove},
	{"UrlCount", "url_count", xLong},
	{"UrlDomain", "url_domain", xMove},
	{"UrlLocation", "url_location", xMove},
	{"UserLevelAction", "user_level_action", xMove},
	{"UserLevelPolicy", "user_level_policy", xMove},
	{"Workload", "workload", xMove},
}

// emailDuplicates are removed without preserve_duplicate_custom_fields
// (event-email.md §4.15, variant B).
var emailDupPaths = groupPaths(emailDuplicates)

var emailDuplicates = []string{
	"sender.from_address", "network.message_id", "internet_message_id",
	"recipient.email_address", "file.type", "sha256", "file.name", "file.size",
	"email.direction", "subject", "sender.ipv4", "sender.ipv6", "ip_address",
	"action.type", "group_name", "message_id", "message_subject",
	"sender_email_address",
}

// Map implements Mapper (event-email.md §1 rule order).
func (m *emailMapper) Map(c *Ctx) error {
	// R-EVT
	c.Put("event.kind", "event")
	var cats []string
	if !strings.Contains(c.Cat, "urlclickevents") {
		cats = append(cats, "email")
	}
	if c.columnNotNull("FileType") {
		cats = append(cats, "file")
	}
	if len(cats) > 0 {
		c.Put("event.category", cats)
	}
	c.Put("event.type", []string{"info"})

	// R-SPLIT runs on the raw column.
	if v := c.Column("SenderEmailAddress"); v != nil && v.Type() != fastjson.TypeNull {
		s := ""
		if v.Type() == fastjson.TypeString {
			s = string(v.GetStringBytes())
		} else {
			s = ecs.Text(ecs.Value(v))
		}
		if i := strings.IndexByte(s, '@'); i >= 0 {
			c.Put("user.name", s[:i])
			c.Put("user.domain", s[i+1:])
		} else {
			c.Errorf("Processor split with tag split_sender_email_address in pipeline %s failed with message: SenderEmailAddress [%s] has no @", c.Pipeline(FamilyEmail), s)
		}
	}
	// R-JSON, R-TRUTHY, R-CONV, R-MOVE
	if err := mapColumns(c, FamilyEmail, m.d, nil); err != nil {
		return err
	}
	// R-FILE
	c.cpEV("file.type", "file.extension")
	c.cpEV("sha256", "file.hash.sha256")
	c.cpEV("file.name", "file.name")
	c.cpEV("file.size", "file.size")
	// R-ACTION
	if v := c.ev("action.type"); v != nil {
		c.Put("event.action", normAction(ecs.Text(v)))
	}
	// R-EMAIL
	c.addTo("email.from.address", c.ev("sender.from_address"))
	c.addTo("email.to.address", c.ev("recipient.email_address"))
	c.cpEV("network.message_id", "email.local_id")
	c.cpEV("email.direction", "email.direction")
	c.cpEV("subject", "email.subject")
	c.cpEV("internet_message_id", "email.message_id")
	c.cpEV("message_id", "email.message_id")
	c.cpEV("message_subject", "email.subject")
	c.addTo("email.from.address", c.ev("sender_email_address"))
	// R-SRC
	c.addTo("source.ip", c.ev("sender.ipv4"))
	c.addTo("source.ip", c.ev("sender.ipv6"))
	// R-HOST
	c.cpEV("ip_address", "host.ip")
	// R-URL
	if v := c.ev("url"); v != nil {
		s := ecs.Text(v)
		u := ecs.URIParts(s)
		if u == nil {
			u = mapstr.M{"original": s}
		}
		c.Doc["url"] = u
		c.MarkWritten(u)
	}
	// R-USER
	c.cpEV("group_name", "user.group.name")
	c.cpEV("group_id", "user.group.id")
	c.cpEV("sender_email_address", "user.email")
	// R-REL
	rel := &c.Related
	rel.AddValue(&rel.User, c.ev("sender.from_address"))
	rel.AddValue(&rel.User, c.ev("recipient.email_address"))
	rel.AddValue(&rel.Hash, c.doc("file.hash.sha256"))
	rel.AddValue(&rel.IP, c.ev("sender.ipv4"))
	rel.AddValue(&rel.IP, c.ev("sender.ipv6"))
	rel.AddValue(&rel.IP, c.ev("ip_address"))
	rel.AddValue(&rel.Hosts, c.ev("sender.from_domain"))
	rel.AddValue(&rel.Hosts, c.ev("sender.mail_from_domain"))
	rel.AddValue(&rel.Hosts, c.ev("url_domain"))
	rel.AddValue(&rel.User, c.ev("sender_email_address"))
	// R-DEDUP
	if !c.PreserveDuplicates {
		emailDupPaths.remove(c.EV)
	}
	return nil
}
