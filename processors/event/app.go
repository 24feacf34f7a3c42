package event

import (
	"strings"

	"github.com/m365beat/m365beat/processors/internal/ecs"
)

// appMapper maps IdentityLogonEvents, IdentityQueryEvents,
// IdentityDirectoryEvents, IdentityInfo, CloudAppEvents, CloudAuditEvents
// and CloudStorageAggregatedEvents (event-app-and-identity.md).
type appMapper struct {
	d  xdict
	ua *ecs.UserAgentParser
}

func init() {
	RegisterMapper(FamilyApp, &appMapper{d: newDict(appColumns), ua: ecs.UserAgents})
}

// Known reports whether the app & identity dictionary (§3) maps col.
func (m *appMapper) Known(col string) bool { return m.d.known(col) }

// TracksEmptyValues implements EmptyTracker: every document write outside
// m365_defender.event goes through Ctx.Put or is reported to MarkWritten.
func (m *appMapper) TracksEmptyValues() bool { return true }

// appColumns is the column index of event-app-and-identity.md §3 with
// the conversions of §2.3/§2.4. City, Country and State move to a target
// that depends on the table (handled in Map); Isp/ISP are handled there
// too (collision, §2.5).
var appColumns = []xcol{
	{"Timestamp", "timestamp", xMove},
	{"AccountApplicationId", "account_application_id", xMove},
	{"AccountDisplayName", "account.display_name", xMove},
	{"AccountDomain", "account.domain", xMove},
	{"AccountId", "account.id", xMove},
	{"AccountName", "account.name", xMove},
	{"AccountObjectId", "account.object_id", xMove},
	{"AccountSid", "account.sid", xMove},
	{"AccountTenantId", "account_tenant_id", xStringAll},
	{"AccountType", "account.type", xMove},
	{"AccountUpn", "account.upn", xMove},
	{"ActionType", "action.type", xMove},
	{"ActivityObjects", "activity.objects", xJSON},
	{"ActivityType", "activity.type", xMove},
	{"AdditionalFields", "additional_fields", xJSON},
	{"Address", "account.address", xMove},
	{"AnonymousSuccessfulOperations", "anonymous_successful_operations", xLongAll},
	{"AppInstanceId", "app_instance_id", xLong},
	{"Application", "application", xMove},
	{"ApplicationId", "application_id", xString},
	{"AssignedRoles", "account.assigned_roles", xMove},
	{"AuthenticationType", "authentication_type", xMove},
	{"BlastRadius", "account.blast_radius", xMove},
	{"ChangeSource", "change_source", xMove},
	{"City", "city", xDiscard},
	{"CityName", "city_name", xMove},
	{"ClientCloudPlatformName", "client_cloud_platform_name", xMove},
	{"ClientSystemServiceName", "client_system_service_name", xMove},
	{"CloudSid", "account.cloud_sid", xMove},
	{"CompanyName", "account.company_name", xMove},
	{"ContainerId", "container_id", xMove},
	{"ContainerImageName", "container_image_name", xMove},
	{"ContainerName", "container_name", xMove},
	{"Country", "country", xDiscard},
	{"CountryCode", "country_code", xMove},
	{"CountryName", "country_name", xMove},
	{"CreatedDateTime", "account.created", xMove},
	{"CriticalityLevel", "account.criticality_level", xMove},
	{"DataAggregationEndTime", "data_aggregation_end_time", xDate},
	{"DataAggregationStartTime", "data_aggregation_start_time", xDate},
	{"DataSource", "data_source", xMove},
	{"DataSources", "data_sources", xMove},
	{"DeletedDateTime", "account.deleted_date_time", xMove},
	{"Department", "account.department", xMove},
	{"DestinationDeviceName", "destination.device_name", xMove},
	{"DestinationIPAddress", "destination.ip_address", xIP},
	{"DestinationPort", "destination.port", xLong},
	{"DeviceName", "device.name", xMove},
	{"DeviceType", "device.type", xMove},
	{"DistinctGetOperations", "distinct_get_operations", xLongAll},
	{"DistinguishedName", "account.distinguished_name", xMove},
	{"EmailAddress", "account.email_address", xMove},
	{"EmployeeId", "account.employee_id", xMove},
	{"FailedOperationsCount", "failed_operations_count", xLongAll},
	{"FailureReason", "failure_reason", xMove},
	{"FirstEventTimestamp", "first_event_timestamp", xDate},
	{"LastEventTimestamp", "last_event_timestamp", xDate},
	{"GivenName", "account.given_name", xMove},
	{"HasAnonymousResourceNotFoundFailures", "has_anonymous_resource_not_found_failures", xBool},
	{"HashReputationMd5List", "hash_reputation_md5_list", xMove},
	{"IPAddress", "ip_address", xIP},
	{"IPCategory", "ip_category", xMove},
	{"IPTags", "ip_tags", xMove},
	{"IpAddress", "storage_ip_address", xIP},
	{"IsAccountEnabled", "account.is_enabled", xMove},
	{"IsAdminOperation", "is_admin_operation", xTruthy},
	{"IsAnonymousProxy", "is_anonymous_proxy", xTruthy},
	{"IsExternalUser", "is_external_user", xTruthy},
	{"IsImpersonated", "is_impersonated", xTruthy},
	{"IsKnownSuspiciousIp", "is_known_suspicious_ip", xBool},
	{"IsPrivateIp", "is_private_ip", xBool},
	{"IsTorExitNode", "is_tor_exit_node", xBool},
	{"Isp", "isp", xDiscard},
	{"ISP", "isp", xDiscard},
	{"JobTitle", "account.job_title", xMove},
	{"KubernetesNamespace", "kubernetes_namespace", xMove},
	{"KubernetesPodName", "kubernetes_pod_name", xMove},
	{"KubernetesResource", "kubernetes_resource", xMove},
	{"Location", "location", xMove},
	{"LogonType", "logon.type", xMove},
	{"Manager", "account.manager", xMove},
	{"OSPlatform", "os.platform", xMove},
	{"ObjectId", "object.id", xMove},
	{"ObjectName", "object.name", xMove},
	{"ObjectType", "object.type", xMove},
	{"OnPremSid", "account.on_prem_sid", xMove},
	{"OperationName", "properties_operation_name", xMove},
	{"OperationNamesList", "operation_names_list", xMove},
	{"OperationsCount", "operations_count", xLongAll},
	{"OtherMailAddresses", "account.other_mail_addresses", xMove},
	{"ParentProcessId", "parent_process_id", xMove},
	{"ParentProcessName", "parent_process_name", xMove},
	{"Phone", "account.phone", xMove},
	{"Port", "port", xLong},
	{"ProcessCurrentWorkingDirectory", "process_current_working_directory", xMove},
	{"ProcessName", "process_name", xMove},
	{"Protocol", "protocol", xMove},
	{"ProvinceName", "province_name", xMove},
	{"Query", "query.value", xMove},
	{"QueryTarget", "query.target", xMove},
	{"QueryType", "query.type", xMove},
	{"RawEventData", "raw_event_data", xJSON},
	{"ReportId", "report_id", xString},
	{"ResourceGroup", "resource_group", xMove},
	{"ResourceId", "resource_id", xMove},
	{"RiskLevel", "account.risk_level", xMove},
	{"RiskLevelDetails", "account.risk_level_details", xMove},
	{"ServiceType", "service_type", xMove},
	{"SipProxyAddress", "account.sip_proxy_address", xMove},
	{"SourceProvider", "source_provider", xMove},
	{"SourceSystem", "source_system", xMove},
	{"State", "account.state", xDiscard},
	{"StorageAccount", "storage_account", xMove},
	{"StorageContainer", "storage_container", xMove},
	{"StorageFileShare", "storage_file_share", xMove},
	{"SubscriptionId", "subscription_id", xMove},
	{"SuccessfulOperationsCount", "successful_operations_count", xLongAll},
	{"SuccessfulReadOperations", "successful_read_operations", xLongAll},
	{"Surname", "account.surname", xMove},
	{"SuspiciousUserAgentName", "suspicious_user_agent_name", xMove},
	{"Tags", "account.tags", xMove},
	{"TargetAccountDisplayName", "target.account_display_name", xMove},
	{"TargetAccountUpn", "target.account_upn", xMove},
	{"TargetDeviceName", "target.device_name", xMove},
	{"TotalResponseLength", "total_response_length", xLongAll},
	{"Type", "type", xMove},
	{"UserAgent", "user_agent", xMove},
	{"UserAgentHeader", "user_agent_header", xMove},
	{"UserAgentTags", "user_agent_tags", xMove},
}

// appDuplicates are removed without preserve_duplicate_custom_fields (§2.11).
var appDupPaths = groupPaths(appDuplicates)

var appDuplicates = []string{
	"target.device_name", "destination.ip_address", "destination.port",
	"device.name", "ip_address", "os.platform", "device.type", "protocol",
	"account.domain", "account.email_address", "account.sid", "account.id",
	"account.display_name", "account.name", "action.type", "report_id",
	"container_id", "container_image_name", "container_name",
	"kubernetes_namespace", "kubernetes_resource", "parent_process_id",
	"parent_process_name", "process_current_working_directory", "process_name",
}

func appFail(tag, reason string) error {
	return &HardError{Step: "script", Tag: tag, Reason: reason}
}

// Map implements Mapper (event-app-and-identity.md §1 rule order).
func (m *appMapper) Map(c *Ctx) error {
	cat := c.Cat
	has := func(s string) bool { return strings.Contains(cat, s) }
	identityInfo := has("identityinfo")

	// R-EVT
	if identityInfo {
		c.Put("event.kind", "asset")
	} else {
		c.Put("event.kind", "event")
	}
	var cats []string
	if has("identitylogonevents") {
		cats = append(cats, "authentication")
	}
	if identityInfo {
		cats = append(cats, "iam")
	}
	if has("cloudauditevents") {
		cats = append(cats, "configuration")
	}
	if len(cats) > 0 {
		c.Put("event.category", cats)
	}
	if identityInfo {
		c.Put("event.type", []string{"info", "user"})
	} else {
		c.Put("event.type", []string{"info"})
	}

	// R-JSON, R-CONV, R-TRUTHY, R-MOVE
	if err := mapColumns(c, FamilyApp, m.d, nil); err != nil {
		return err
	}
	// Conditional moves (§3).
	if v := c.Column("City"); v != nil {
		if identityInfo {
			c.PutEV("account.city", c.Arena.Value(v))
		} else {
			c.PutEV("city", c.Arena.Value(v))
		}
	}
	if v := c.Column("Country"); v != nil {
		if identityInfo {
			c.PutEV("account.country", c.Arena.Value(v))
		} else {
			c.PutEV("country", c.Arena.Value(v))
		}
	}
	isp, ISP := c.Column("Isp"), c.Column("ISP")
	if isp != nil && ISP != nil {
		// §2.5: Isp is moved, the move of ISP fails and the moves that
		// follow in §3 order (columns after Isp) never happen.
		c.PutEV("isp", c.Arena.Value(isp))
		for i := range appColumns {
			col := &appColumns[i]
			if (col.conv == xMove || col.conv == xJSON) && col.name > "Isp" {
				ecs.Delete(c.EV, col.target)
			}
		}
		return &HardError{Step: "rename", Tag: "rename_ISP", Reason: "field [m365_defender.event.isp] already exists"}
	}
	if isp == nil {
		isp = ISP
	}
	if isp != nil {
		c.PutEV("isp", c.Arena.Value(isp))
	}
	if v := c.Column("State"); v != nil && identityInfo {
		c.PutEV("account.state", c.Arena.Value(v))
	}

	// R-ECS-1
	c.cpEV("kubernetes_namespace", "orchestrator.namespace")
	c.cpEV("kubernetes_resource", "orchestrator.resource.name")
	if c.ev("kubernetes_namespace") != nil || c.ev("kubernetes_pod_name") != nil || c.ev("kubernetes_resource") != nil {
		c.Put("orchestrator.type", "kubernetes")
	}
	c.cpEV("target.device_name", "destination.domain")
	c.cpEV("destination.ip_address", "destination.ip")
	c.cpEV("destination.port", "destination.port")
	if v := c.ev("device.name"); !ecs.Empty(v) {
		s, ok := v.(string)
		if !ok {
			return appFail("lowercase_host_name", "DeviceName is not a string")
		}
		c.Put("host.name", strings.ToLower(s))
	}
	if v := c.ev("ip_address"); !ecs.Empty(v) {
		c.addTo("host.ip", v)
	}
	if v := c.ev("os.platform"); v != nil {
		s, ok := v.(string)
		if !ok {
			return appFail("host_os_type", "OSPlatform is not a string")
		}
		l := strings.ToLower(s)
		if strings.Contains(l, "windows") {
			c.Put("host.os.type", "windows")
		}
		if strings.Contains(l, "linux") {
			c.Put("host.os.type", "linux")
		}
		if strings.Contains(l, "macos") {
			c.Put("host.os.type", "macos")
		}
	}
	if af, ok := ecs.Obj(c.ev("additional_fields")); ok {
		if t := af["SourceComputerOperatingSystemType"]; t != nil {
			c.Put("host.os.type", t)
		}
	}
	c.cpEV("os.platform", "host.os.name")
	c.cpEV("device.type", "host.type")
	c.cpEV("container_id", "container.id")
	c.cpEV("container_image_name", "container.image.name")
	c.cpEV("container_name", "container.name")
	c.cpEV("parent_process_id", "process.parent.pid")
	c.cpEV("parent_process_name", "process.parent.name")
	c.cpEV("process_current_working_directory", "process.working_directory")
	c.cpEV("process_name", "process.name")

	// R-ECS-2
	if v := c.ev("action.type"); v != nil {
		s, ok := v.(string)
		if !ok {
			return appFail("event_action", "ActionType is not a string")
		}
		c.Put("event.action", normAction(s))
	}
	if cat == "advancedhunting-identitylogonevents" {
		if ecs.Empty(c.ev("failure_reason")) {
			c.Put("event.outcome", "success")
		} else {
			c.Put("event.outcome", "failure")
		}
	}
	c.cpEV("report_id", "event.id")
	c.cpEV("protocol", "network.protocol")
	if v := c.doc("network.protocol"); v != nil {
		s, ok := v.(string)
		if !ok {
			return appFail("lowercase_network_protocol", "Protocol is not a string")
		}
		c.Put("network.protocol", strings.ToLower(s))
	}
	c.cpEV("account.domain", "user.domain")
	switch {
	case has("identitylogonevents"):
		c.cpEV("account.sid", "user.id")
	case has("cloudappevents"):
		c.cpEV("account.id", "user.id")
	case identityInfo:
		if !c.hasColumn("AccountObjectId") {
			return &HardError{Step: "set", Tag: "set_user_id", Reason: "field [AccountObjectId] not present as part of path [m365_defender.event.account.object_id]"}
		}
		if v := c.ev("account.object_id"); v != nil {
			c.Put("user.id", v)
		}
	}
	c.cpEV("account.name", "user.name")
	if ecs.Empty(c.doc("user.name")) {
		if red, ok := ecs.Obj(c.ev("raw_event_data")); ok {
			if v := red["UserId"]; !ecs.Empty(v) {
				c.Put("user.name", v)
			}
		}
	}
	if ecs.Empty(c.doc("user.name")) {
		c.cpEV("account.display_name", "user.name")
	}
	if identityInfo {
		if v := c.ev("account.display_name"); v != nil {
			c.Put("user.full_name", v)
		}
	}
	if v := c.ev("account.email_address"); v != nil {
		c.Put("user.email", v)
	}

	// R-UA
	if s, ok := c.ev("user_agent").(string); ok && s != "" {
		c.Doc["user_agent"] = m.ua.Parse(s)
		c.MarkWritten(c.Doc["user_agent"])
	}
	if s, ok := c.ev("user_agent_header").(string); ok && s != "" {
		c.Doc["user_agent"] = m.ua.Parse(s)
		c.MarkWritten(c.Doc["user_agent"])
	}

	// R-CLIENT
	if has("cloudauditevents") {
		c.cpEV("ip_address", "client.ip")
	}
	if b, ok := c.ev("is_private_ip").(bool); ok && !b {
		c.cpEV("storage_ip_address", "client.ip")
	}
	if c.Enrich != nil {
		if s, ok := c.doc("client.ip").(string); ok && s != "" {
			c.Enrich.Enrich(c.Doc, "client", s)
			c.MarkWritten(c.Doc["client"])
		}
	}

	// R-REL
	rel := &c.Related
	rel.AddValue(&rel.User, c.doc("user.id"))
	rel.AddValue(&rel.User, c.ev("account.display_name"))
	rel.AddValue(&rel.User, c.ev("target.account_display_name"))
	rel.AddValue(&rel.User, c.ev("account.cloud_sid"))
	rel.AddValue(&rel.User, c.ev("account.on_prem_sid"))
	rel.AddValue(&rel.User, c.ev("account.upn"))
	rel.AddValue(&rel.User, c.ev("account.email_address"))
	rel.AddValue(&rel.Hosts, c.doc("destination.domain"))
	rel.AddValue(&rel.IP, c.doc("destination.ip"))
	rel.AddValue(&rel.IP, c.doc("client.ip"))
	rel.AddValue(&rel.Hosts, c.doc("host.name"))
	if ips, ok := c.doc("host.ip").([]string); ok {
		for _, ip := range ips {
			rel.Add(&rel.IP, ip)
		}
	}
	rel.AddValue(&rel.Hosts, c.doc("user.domain"))
	rel.AddValue(&rel.User, c.ev("account.name"))

	// R-DEDUP
	if !c.PreserveDuplicates {
		appDupPaths.remove(c.EV)
	}
	return nil
}
