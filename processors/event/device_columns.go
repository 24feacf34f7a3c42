package event

// conv is the conversion a device column gets before it is moved
// (event-device.md §2.3–§2.5, §2.8).
type conv uint8

const (
	cAsIs       conv = iota // moved verbatim, JSON type kept
	cJSON                   // JSON-in-string (§2.3)
	cAddFields              // AdditionalFields: JSON + direction extraction (§2.6)
	cDate                   // date-normalised when a non-empty string
	cLong                   // to long, skipped when null or ""
	cString                 // to string, skipped when null or ""
	cIP                     // kept only when a valid IP literal string
	cDHCP                   // IP-validated with a soft error
	cTruthy                 // C-7 truthy coercion
	cActionType             // ActionType: "imageloaded" → "load"
	cUsers                  // LoggedOnUsers: decoded, feeds active_users (§5.13)
	cAdapter                // NetworkAdapterName: braces removed (§5.13)
)

// column is one row of the device column dictionary.
type column struct {
	name   string // properties column
	target string // m365_defender.event.<target>
	conv   conv
	idx    int // position in deviceColumns (set in init)
	// parent/leaf split target at its first dot (parent "" for top-level
	// targets); pid indexes deviceRec.subs (set in init).
	parent, leaf string
	pid          int
}

// deviceColumns is the master column dictionary of event-device.md §2.8.
// DeviceSubtype is deliberately absent (the pipeline only knows the
// spelling DeviceSubType); it ends under m365_defender.event.unmapped.
var deviceColumns = deviceColumnsArr[:]

var deviceColumnsArr = [...]column{
	{"AadDeviceId", "aad_device_id", cAsIs, 0, "", "", 0},
	{"AwsResourceName", "aws_resource_name", cAsIs, 0, "", "", 0},
	{"AzureResourceId", "azure_resource_id", cAsIs, 0, "", "", 0},
	{"ContainerId", "container_id", cAsIs, 0, "", "", 0},
	{"ContainerImageName", "container_image_name", cAsIs, 0, "", "", 0},
	{"ContainerName", "container_name", cAsIs, 0, "", "", 0},
	{"GcpFullResourceName", "gcp_full_resource_name", cAsIs, 0, "", "", 0},
	{"KubernetesNamespace", "kubernetes_namespace", cAsIs, 0, "", "", 0},
	{"KubernetesPodName", "kubernetes_pod_name", cAsIs, 0, "", "", 0},
	{"KubernetesResource", "kubernetes_resource", cAsIs, 0, "", "", 0},
	{"ParentProcessId", "parent_process_id", cAsIs, 0, "", "", 0},
	{"ParentProcessName", "parent_process_name", cAsIs, 0, "", "", 0},
	{"ProcessCurrentWorkingDirectory", "process_current_working_directory", cAsIs, 0, "", "", 0},
	{"ProcessName", "process_name", cAsIs, 0, "", "", 0},
	{"AccountDomain", "account.domain", cAsIs, 0, "", "", 0},
	{"AccountName", "account.name", cAsIs, 0, "", "", 0},
	{"AccountObjectId", "account.object_id", cAsIs, 0, "", "", 0},
	{"AccountSid", "account.sid", cAsIs, 0, "", "", 0},
	{"AccountUpn", "account.upn", cAsIs, 0, "", "", 0},
	{"ActionType", "action.type", cActionType, 0, "", "", 0},
	{"AdditionalFields", "additional_fields", cAddFields, 0, "", "", 0},
	{"AppGuardContainerId", "app_guard_container_id", cAsIs, 0, "", "", 0},
	{"AssetValue", "asset_value", cAsIs, 0, "", "", 0},
	{"CertificateCountersignatureTime", "certificate.countersignature_time", cDate, 0, "", "", 0},
	{"CertificateCreationTime", "certificate.creation_time", cDate, 0, "", "", 0},
	{"CertificateExpirationTime", "certificate.expiration_time", cDate, 0, "", "", 0},
	{"CertificateSerialNumber", "certificate.serial_number", cAsIs, 0, "", "", 0},
	{"ClientVersion", "client_version", cAsIs, 0, "", "", 0},
	{"ConnectedNetworks", "connected_networks", cJSON, 0, "", "", 0},
	{"CrlDistributionPointUrls", "crl_distribution_point_urls", cJSON, 0, "", "", 0},
	{"DefaultGateways", "default_gateways", cJSON, 0, "", "", 0},
	{"DeviceCategory", "device.category", cAsIs, 0, "", "", 0},
	{"DeviceDynamicTags", "device_dynamic_tags", cAsIs, 0, "", "", 0},
	{"DeviceId", "device.id", cAsIs, 0, "", "", 0},
	{"DeviceManualTags", "device_manual_tags", cAsIs, 0, "", "", 0},
	{"DeviceName", "device.name", cAsIs, 0, "", "", 0},
	{"DeviceSubType", "device.sub_type", cAsIs, 0, "", "", 0},
	{"DeviceType", "device.type", cAsIs, 0, "", "", 0},
	{"DnsAddresses", "dns_addresses", cJSON, 0, "", "", 0},
	{"ExclusionReason", "exclusion_reason", cAsIs, 0, "", "", 0},
	{"ExposureLevel", "exposure_level", cAsIs, 0, "", "", 0},
	{"FailureReason", "failure_reason", cAsIs, 0, "", "", 0},
	{"FileName", "file.name", cAsIs, 0, "", "", 0},
	{"FileOriginIP", "file.origin_ip", cIP, 0, "", "", 0},
	{"FileOriginReferrerUrl", "file.origin_referrer_url", cAsIs, 0, "", "", 0},
	{"FileOriginUrl", "file.origin_url", cAsIs, 0, "", "", 0},
	{"FileSize", "file.size", cAsIs, 0, "", "", 0},
	{"FolderPath", "folder_path", cAsIs, 0, "", "", 0},
	{"InitiatingProcessAccountDomain", "initiating_process.account_domain", cAsIs, 0, "", "", 0},
	{"InitiatingProcessAccountName", "initiating_process.account_name", cAsIs, 0, "", "", 0},
	{"InitiatingProcessAccountObjectId", "initiating_process.account_object_id", cAsIs, 0, "", "", 0},
	{"InitiatingProcessAccountSid", "initiating_process.account_sid", cAsIs, 0, "", "", 0},
	{"InitiatingProcessAccountUpn", "initiating_process.account_upn", cAsIs, 0, "", "", 0},
	{"InitiatingProcessCommandLine", "initiating_process.command_line", cAsIs, 0, "", "", 0},
	{"InitiatingProcessCreationTime", "initiating_process.creation_time", cDate, 0, "", "", 0},
	{"InitiatingProcessFileName", "initiating_process.file_name", cAsIs, 0, "", "", 0},
	{"InitiatingProcessFileSize", "initiating_process.file_size", cLong, 0, "", "", 0},
	{"InitiatingProcessFolderPath", "initiating_process.folder_path", cAsIs, 0, "", "", 0},
	{"InitiatingProcessId", "initiating_process.id", cAsIs, 0, "", "", 0},
	{"InitiatingProcessIntegrityLevel", "initiating_process.integrity_level", cAsIs, 0, "", "", 0},
	{"InitiatingProcessLogonId", "initiating_process.logon_id", cString, 0, "", "", 0},
	{"InitiatingProcessMD5", "initiating_process.md5", cAsIs, 0, "", "", 0},
	{"InitiatingProcessParentCreationTime", "initiating_process.parent_creation_time", cDate, 0, "", "", 0},
	{"InitiatingProcessParentFileName", "initiating_process.parent_file_name", cAsIs, 0, "", "", 0},
	{"InitiatingProcessParentId", "initiating_process.parent_id", cAsIs, 0, "", "", 0},
	{"InitiatingProcessSHA1", "initiating_process.sha1", cAsIs, 0, "", "", 0},
	{"InitiatingProcessSHA256", "initiating_process.sha256", cAsIs, 0, "", "", 0},
	{"InitiatingProcessSignatureStatus", "initiating_process.signature_status", cAsIs, 0, "", "", 0},
	{"InitiatingProcessSignerType", "initiating_process.signer_type", cAsIs, 0, "", "", 0},
	{"InitiatingProcessTokenElevation", "initiating_process.token_elevation", cAsIs, 0, "", "", 0},
	{"InitiatingProcessVersionInfoCompanyName", "initiating_process.version_info_company_name", cAsIs, 0, "", "", 0},
	{"InitiatingProcessVersionInfoFileDescription", "initiating_process.version_info_file_description", cAsIs, 0, "", "", 0},
	{"InitiatingProcessVersionInfoInternalFileName", "initiating_process.version_info_internal_file_name", cAsIs, 0, "", "", 0},
	{"InitiatingProcessVersionInfoOriginalFileName", "initiating_process.version_info_original_file_name", cAsIs, 0, "", "", 0},
	{"InitiatingProcessVersionInfoProductName", "initiating_process.version_info_product_name", cAsIs, 0, "", "", 0},
	{"InitiatingProcessVersionInfoProductVersion", "initiating_process.version_info_product_version", cAsIs, 0, "", "", 0},
	{"IPAddresses", "ip_addresses", cJSON, 0, "", "", 0},
	{"IPv4Dhcp", "ipv4_dhcp", cDHCP, 0, "", "", 0},
	{"IPv6Dhcp", "ipv6_dhcp", cDHCP, 0, "", "", 0},
	{"IsAzureADJoined", "is_azure_ad_joined", cTruthy, 0, "", "", 0},
	{"IsAzureInfoProtectionApplied", "is_azure_info_protection_applied", cTruthy, 0, "", "", 0},
	{"IsExcluded", "is_excluded", cAsIs, 0, "", "", 0},
	{"IsInternetFacing", "is_internet_facing", cAsIs, 0, "", "", 0},
	{"IsLocalAdmin", "is_local_admin", cTruthy, 0, "", "", 0},
	{"IsRootSignerMicrosoft", "is_root_signer_microsoft", cTruthy, 0, "", "", 0},
	{"IsSigned", "is_signed", cTruthy, 0, "", "", 0},
	{"Issuer", "issuer", cAsIs, 0, "", "", 0},
	{"IssuerHash", "issuer_hash", cAsIs, 0, "", "", 0},
	{"IsTrusted", "is_trusted", cTruthy, 0, "", "", 0},
	{"JoinType", "join_type", cAsIs, 0, "", "", 0},
	{"LocalIP", "local.ip", cIP, 0, "", "", 0},
	{"LocalIPType", "local.ip_type", cAsIs, 0, "", "", 0},
	{"LocalPort", "local.port", cAsIs, 0, "", "", 0},
	{"LoggedOnUsers", "active_users", cUsers, 0, "", "", 0},
	{"LogonId", "logon.id", cString, 0, "", "", 0},
	{"LogonType", "logon.type", cAsIs, 0, "", "", 0},
	{"MacAddress", "mac_address", cAsIs, 0, "", "", 0},
	{"MachineGroup", "machine_group", cAsIs, 0, "", "", 0},
	{"MD5", "md5", cAsIs, 0, "", "", 0},
	{"MergedDeviceIds", "merged_device_ids", cAsIs, 0, "", "", 0},
	{"MergedToDeviceId", "merged_to_device_id", cAsIs, 0, "", "", 0},
	{"Model", "model", cAsIs, 0, "", "", 0},
	{"NetworkAdapterName", "network.adapter_name", cAdapter, 0, "", "", 0},
	{"NetworkAdapterStatus", "network.adapter_status", cAsIs, 0, "", "", 0},
	{"NetworkAdapterType", "network.adapter_type", cAsIs, 0, "", "", 0},
	{"NetworkAdapterVendor", "network.adapter_vendor", cAsIs, 0, "", "", 0},
	{"OnboardingStatus", "onboarding_status", cAsIs, 0, "", "", 0},
	{"OSArchitecture", "os.architecture", cAsIs, 0, "", "", 0},
	{"OSBuild", "os.build", cAsIs, 0, "", "", 0},
	{"OSDistribution", "os.distribution", cAsIs, 0, "", "", 0},
	{"OSPlatform", "os.platform", cAsIs, 0, "", "", 0},
	{"OSVersion", "os.version", cAsIs, 0, "", "", 0},
	{"OSVersionInfo", "os.version_info", cAsIs, 0, "", "", 0},
	{"PreviousFileName", "previous.file_name", cAsIs, 0, "", "", 0},
	{"PreviousFolderPath", "previous.folder_path", cAsIs, 0, "", "", 0},
	{"PreviousRegistryKey", "previous.registry_key", cAsIs, 0, "", "", 0},
	{"PreviousRegistryValueData", "previous.registry_value_data", cAsIs, 0, "", "", 0},
	{"PreviousRegistryValueName", "previous.registry_value_name", cAsIs, 0, "", "", 0},
	{"ProcessCommandLine", "process.command_line", cAsIs, 0, "", "", 0},
	{"ProcessCreationTime", "process.creation_time", cDate, 0, "", "", 0},
	{"ProcessId", "process.id", cLong, 0, "", "", 0},
	{"ProcessIntegrityLevel", "process.integrity_level", cAsIs, 0, "", "", 0},
	{"ProcessTokenElevation", "process.token_elevation", cAsIs, 0, "", "", 0},
	{"ProcessVersionInfoCompanyName", "process.version_info_company_name", cAsIs, 0, "", "", 0},
	{"ProcessVersionInfoFileDescription", "process.version_info_file_description", cAsIs, 0, "", "", 0},
	{"ProcessVersionInfoInternalFileName", "process.version_info_internal_file_name", cAsIs, 0, "", "", 0},
	{"ProcessVersionInfoOriginalFileName", "process.version_info_original_file_name", cAsIs, 0, "", "", 0},
	{"ProcessVersionInfoProductName", "process.version_info_product_name", cAsIs, 0, "", "", 0},
	{"ProcessVersionInfoProductVersion", "process.version_info_product_version", cAsIs, 0, "", "", 0},
	{"Protocol", "protocol", cAsIs, 0, "", "", 0},
	{"PublicIP", "public_ip.value", cIP, 0, "", "", 0},
	{"RegistryDeviceTag", "registry.device_tag", cAsIs, 0, "", "", 0},
	{"RegistryKey", "registry.key", cAsIs, 0, "", "", 0},
	{"RegistryValueData", "registry.value_data", cAsIs, 0, "", "", 0},
	{"RegistryValueName", "registry.value_name", cAsIs, 0, "", "", 0},
	{"RegistryValueType", "registry.value_type", cAsIs, 0, "", "", 0},
	{"RemoteDeviceName", "remote.device_name", cAsIs, 0, "", "", 0},
	{"RemoteIP", "remote.ip", cIP, 0, "", "", 0},
	{"RemoteIPType", "remote.ip_type", cAsIs, 0, "", "", 0},
	{"RemotePort", "remote.port", cAsIs, 0, "", "", 0},
	{"RemoteUrl", "remote.url", cAsIs, 0, "", "", 0},
	{"ReportId", "report_id", cString, 0, "", "", 0},
	{"RequestAccountDomain", "request.account_domain", cAsIs, 0, "", "", 0},
	{"RequestAccountName", "request.account_name", cAsIs, 0, "", "", 0},
	{"RequestAccountSid", "request.account_sid", cAsIs, 0, "", "", 0},
	{"RequestProtocol", "request.protocol", cAsIs, 0, "", "", 0},
	{"RequestSourceIP", "request.source_ip", cIP, 0, "", "", 0},
	{"RequestSourcePort", "request.source_port", cAsIs, 0, "", "", 0},
	{"SensitivityLabel", "sensitivity.label", cAsIs, 0, "", "", 0},
	{"SensitivitySubLabel", "sensitivity.sub_label", cAsIs, 0, "", "", 0},
	{"SensorHealthState", "sensor_health_state", cAsIs, 0, "", "", 0},
	{"SHA1", "sha1", cAsIs, 0, "", "", 0},
	{"SHA256", "sha256", cAsIs, 0, "", "", 0},
	{"ShareName", "share_name", cAsIs, 0, "", "", 0},
	{"SignatureType", "signature_type", cAsIs, 0, "", "", 0},
	{"Signer", "signer", cAsIs, 0, "", "", 0},
	{"SignerHash", "signer_hash", cAsIs, 0, "", "", 0},
	{"Timestamp", "timestamp", cAsIs, 0, "", "", 0}, // mapped by the envelope (R6)
	{"TunnelType", "tunnel_type", cAsIs, 0, "", "", 0},
	{"Vendor", "vendor", cAsIs, 0, "", "", 0},
}

// deviceDuplicates are the m365_defender.event.* fields removed without
// the tag preserve_duplicate_custom_fields (event-device.md §5.17).
var deviceDuplicates = []string{
	"folder_path", "md5", "sha1", "sha256", "file.name", "file.size",
	"file.origin_referrer_url", "device.name", "device.id",
	"process.version_info_company_name", "process.version_info_product_name",
	"process.version_info_product_version", "process.version_info_file_description",
	"initiating_process.file_name", "initiating_process.version_info_product_version",
	"initiating_process.version_info_file_description", "initiating_process.version_info_original_file_name",
	"initiating_process.file_size", "initiating_process.version_info_company_name",
	"initiating_process.version_info_product_name", "initiating_process.folder_path",
	"initiating_process.command_line", "initiating_process.md5", "initiating_process.sha1",
	"initiating_process.sha256", "initiating_process.parent_id", "initiating_process.id",
	"initiating_process.parent_file_name", "initiating_process.parent_creation_time",
	"initiating_process.signature_status", "registry.key", "registry.value_name", "registry.value_data",
	"public_ip.value", "local.ip", "remote.ip", "request.source_ip", "local.port", "remote.port",
	"request.source_port", "account.name", "account.sid", "certificate.expiration_time",
	"certificate.serial_number", "protocol", "request.protocol", "request.account_domain",
	"request.account_name", "os.architecture", "os.platform", "os.distribution", "os.version",
	"device.type", "account.domain", "mac_address", "client_version", "device.category",
	"action.type", "is_signed", "signer", "issuer", "is_trusted",
	"container_name", "container_id", "container_image_name", "kubernetes_resource",
	"kubernetes_namespace", "process_name", "parent_process_name", "parent_process_id",
	"process_current_working_directory",
}

var deviceDupPaths = groupPaths(deviceDuplicates)
