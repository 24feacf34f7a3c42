// Package event holds the m365_defender router of the streaming (Advanced
// Hunting) tables: the envelope rules of the spec (event-envelope.md R0–R13),
// the routing on `category`, the table registry and the per-family mappers.
//
// Adding a mapper family: write <family>.go with a Mapper and register it
// in init with RegisterMapper(Family..., m); the registry below already
// lists every table with its family and plugin name.
package event

import "strings"

// Family names a mapper (one Elastic sub-pipeline).
type Family string

// The four mapper families of the spec (event-other.md §1).
const (
	FamilyAlert  Family = "alert"            // event-alert.md
	FamilyDevice Family = "device"           // event-device.md (+ CloudProcessEvents)
	FamilyEmail  Family = "email"            // event-email.md
	FamilyApp    Family = "app_and_identity" // event-app-and-identity.md
)

// CategoryPrefix starts every supported category value.
const CategoryPrefix = "AdvancedHunting-"

// Table is one supported streaming table.
type Table struct {
	// Name is the Advanced Hunting table name, e.g. DeviceEvents.
	Name string
	// Plugin is the libbeat processor name of the table's processor.
	Plugin string
	// Family is the mapper that the routing rules send the table to.
	Family Family
}

// Category returns the record's category value for the table.
func (t *Table) Category() string { return CategoryPrefix + t.Name }

// Tables is THE table registry: it drives plugin registration, the
// supported-category check (R8), dispatch and the tests. Order: the spec's
// supported list (event-envelope.md §5).
var Tables = []Table{
	{"AlertEvidence", "m365_defender_alert_evidence", FamilyAlert},
	{"AlertInfo", "m365_defender_alert_info", FamilyAlert},
	{"BehaviorEntities", "m365_defender_behavior_entities", FamilyAlert},
	{"BehaviorInfo", "m365_defender_behavior_info", FamilyAlert},
	{"CloudAppEvents", "m365_defender_cloud_app_events", FamilyApp},
	{"CloudAuditEvents", "m365_defender_cloud_audit_events", FamilyApp},
	{"CloudProcessEvents", "m365_defender_cloud_process_events", FamilyDevice},
	{"CloudStorageAggregatedEvents", "m365_defender_cloud_storage_aggregated_events", FamilyApp},
	{"DeviceEvents", "m365_defender_device_events", FamilyDevice},
	{"DeviceFileCertificateInfo", "m365_defender_device_file_certificate_info", FamilyDevice},
	{"DeviceFileEvents", "m365_defender_device_file_events", FamilyDevice},
	{"DeviceImageLoadEvents", "m365_defender_device_image_load_events", FamilyDevice},
	{"DeviceInfo", "m365_defender_device_info", FamilyDevice},
	{"DeviceLogonEvents", "m365_defender_device_logon_events", FamilyDevice},
	{"DeviceNetworkEvents", "m365_defender_device_network_events", FamilyDevice},
	{"DeviceNetworkInfo", "m365_defender_device_network_info", FamilyDevice},
	{"DeviceProcessEvents", "m365_defender_device_process_events", FamilyDevice},
	{"DeviceRegistryEvents", "m365_defender_device_registry_events", FamilyDevice},
	{"EmailAttachmentInfo", "m365_defender_email_attachment_info", FamilyEmail},
	{"EmailEvents", "m365_defender_email_events", FamilyEmail},
	{"EmailPostDeliveryEvents", "m365_defender_email_post_delivery_events", FamilyEmail},
	{"EmailUrlInfo", "m365_defender_email_url_info", FamilyEmail},
	{"IdentityDirectoryEvents", "m365_defender_identity_directory_events", FamilyApp},
	{"IdentityInfo", "m365_defender_identity_info", FamilyApp},
	{"IdentityLogonEvents", "m365_defender_identity_logon_events", FamilyApp},
	{"IdentityQueryEvents", "m365_defender_identity_query_events", FamilyApp},
	{"MessageEvents", "m365_defender_message_events", FamilyEmail},
	{"MessagePostDeliveryEvents", "m365_defender_message_post_delivery_events", FamilyEmail},
	{"MessageUrlInfo", "m365_defender_message_url_info", FamilyEmail},
	{"UrlClickEvents", "m365_defender_url_click_events", FamilyEmail},
}

var byCategory = func() map[string]*Table {
	m := make(map[string]*Table, len(Tables))
	for i := range Tables {
		m[Tables[i].Category()] = &Tables[i]
	}
	return m
}()

// routing is what R9 derives from a supported category, computed once.
type routing struct {
	lower    string   // the category lower-cased
	families []Family // Route(lower); shared, never modified
}

var routings = func() map[string]routing {
	m := make(map[string]routing, len(Tables))
	for i := range Tables {
		cat := Tables[i].Category()
		lower := strings.ToLower(cat)
		m[cat] = routing{lower, Route(lower)}
	}
	return m
}()

// routeCategory returns the lower-cased category and its families, from
// the table cache for supported categories.
func routeCategory(category string) (string, []Family) {
	if r, ok := routings[category]; ok {
		return r.lower, r.families
	}
	lower := strings.ToLower(category)
	return lower, Route(lower)
}

// LookupCategory returns the table of a supported category value (exact,
// case-sensitive), or nil.
func LookupCategory(category string) *Table { return byCategory[category] }

// LookupPlugin returns the table whose processor is named plugin, or nil.
func LookupPlugin(plugin string) *Table {
	for i := range Tables {
		if Tables[i].Plugin == plugin {
			return &Tables[i]
		}
	}
	return nil
}

// route is one routing test of R9: the family runs when the lower-cased
// category contains any of the substrings.
type route struct {
	family Family
	subs   []string
}

// routes in the spec's order (event-envelope.md §5, event-other.md §1).
var routes = []route{
	{FamilyAlert, []string{"alert", "behavior"}},
	{FamilyDevice, []string{"device", "processevents"}},
	{FamilyEmail, []string{"email", "urlclickevents", "message"}},
	{FamilyApp, []string{"identity", "cloudappevents", "cloudauditevents", "cloudstorageaggregatedevents"}},
}

// Route returns the families whose routing test matches the lower-cased
// category cat, in routing order (each at most once).
func Route(cat string) []Family {
	var out []Family
	for _, r := range routes {
		for _, s := range r.subs {
			if strings.Contains(cat, s) {
				out = append(out, r.family)
				break
			}
		}
	}
	return out
}
