package event

// evPath is a m365_defender.event path the device steps read, with its
// slot in deviceRec.vals resolved once (-1: not a column target, read from
// the document).
type evPath struct {
	path string
	idx  int
}

// unresolved marks a path resolveEvPaths has not seen.
const unresolved = -2

// The paths the device steps read. A step that reads a new one declares it
// here and in devicePaths.
var (
	evAccountDomain                                = evPath{path: "account.domain", idx: unresolved}
	evAccountName                                  = evPath{path: "account.name", idx: unresolved}
	evAccountSid                                   = evPath{path: "account.sid", idx: unresolved}
	evActionType                                   = evPath{path: "action.type", idx: unresolved}
	evAdditionalFields                             = evPath{path: "additional_fields", idx: unresolved}
	evAwsResourceName                              = evPath{path: "aws_resource_name", idx: unresolved}
	evAzureResourceId                              = evPath{path: "azure_resource_id", idx: unresolved}
	evCertificateExpirationTime                    = evPath{path: "certificate.expiration_time", idx: unresolved}
	evCertificateSerialNumber                      = evPath{path: "certificate.serial_number", idx: unresolved}
	evClientVersion                                = evPath{path: "client_version", idx: unresolved}
	evContainerId                                  = evPath{path: "container_id", idx: unresolved}
	evContainerImageName                           = evPath{path: "container_image_name", idx: unresolved}
	evContainerName                                = evPath{path: "container_name", idx: unresolved}
	evDeviceCategory                               = evPath{path: "device.category", idx: unresolved}
	evDeviceId                                     = evPath{path: "device.id", idx: unresolved}
	evDeviceName                                   = evPath{path: "device.name", idx: unresolved}
	evDeviceType                                   = evPath{path: "device.type", idx: unresolved}
	evFailureReason                                = evPath{path: "failure_reason", idx: unresolved}
	evFileName                                     = evPath{path: "file.name", idx: unresolved}
	evFileOriginIp                                 = evPath{path: "file.origin_ip", idx: unresolved}
	evFileOriginReferrerUrl                        = evPath{path: "file.origin_referrer_url", idx: unresolved}
	evFileSize                                     = evPath{path: "file.size", idx: unresolved}
	evFolderPath                                   = evPath{path: "folder_path", idx: unresolved}
	evGcpFullResourceName                          = evPath{path: "gcp_full_resource_name", idx: unresolved}
	evInitiatingProcessAccountDomain               = evPath{path: "initiating_process.account_domain", idx: unresolved}
	evInitiatingProcessAccountName                 = evPath{path: "initiating_process.account_name", idx: unresolved}
	evInitiatingProcessAccountSid                  = evPath{path: "initiating_process.account_sid", idx: unresolved}
	evInitiatingProcessCommandLine                 = evPath{path: "initiating_process.command_line", idx: unresolved}
	evInitiatingProcessCreationTime                = evPath{path: "initiating_process.creation_time", idx: unresolved}
	evInitiatingProcessFileName                    = evPath{path: "initiating_process.file_name", idx: unresolved}
	evInitiatingProcessFileSize                    = evPath{path: "initiating_process.file_size", idx: unresolved}
	evInitiatingProcessFolderPath                  = evPath{path: "initiating_process.folder_path", idx: unresolved}
	evInitiatingProcessId                          = evPath{path: "initiating_process.id", idx: unresolved}
	evInitiatingProcessMd5                         = evPath{path: "initiating_process.md5", idx: unresolved}
	evInitiatingProcessParentCreationTime          = evPath{path: "initiating_process.parent_creation_time", idx: unresolved}
	evInitiatingProcessParentFileName              = evPath{path: "initiating_process.parent_file_name", idx: unresolved}
	evInitiatingProcessParentId                    = evPath{path: "initiating_process.parent_id", idx: unresolved}
	evInitiatingProcessSha1                        = evPath{path: "initiating_process.sha1", idx: unresolved}
	evInitiatingProcessSha256                      = evPath{path: "initiating_process.sha256", idx: unresolved}
	evInitiatingProcessSignatureStatus             = evPath{path: "initiating_process.signature_status", idx: unresolved}
	evInitiatingProcessVersionInfoCompanyName      = evPath{path: "initiating_process.version_info_company_name", idx: unresolved}
	evInitiatingProcessVersionInfoFileDescription  = evPath{path: "initiating_process.version_info_file_description", idx: unresolved}
	evInitiatingProcessVersionInfoOriginalFileName = evPath{path: "initiating_process.version_info_original_file_name", idx: unresolved}
	evInitiatingProcessVersionInfoProductName      = evPath{path: "initiating_process.version_info_product_name", idx: unresolved}
	evInitiatingProcessVersionInfoProductVersion   = evPath{path: "initiating_process.version_info_product_version", idx: unresolved}
	evIpv4Dhcp                                     = evPath{path: "ipv4_dhcp", idx: unresolved}
	evIpv6Dhcp                                     = evPath{path: "ipv6_dhcp", idx: unresolved}
	evIsSigned                                     = evPath{path: "is_signed", idx: unresolved}
	evIsTrusted                                    = evPath{path: "is_trusted", idx: unresolved}
	evIssuer                                       = evPath{path: "issuer", idx: unresolved}
	evIssuerHash                                   = evPath{path: "issuer_hash", idx: unresolved}
	evKubernetesNamespace                          = evPath{path: "kubernetes_namespace", idx: unresolved}
	evKubernetesPodName                            = evPath{path: "kubernetes_pod_name", idx: unresolved}
	evKubernetesResource                           = evPath{path: "kubernetes_resource", idx: unresolved}
	evLocalIp                                      = evPath{path: "local.ip", idx: unresolved}
	evLocalPort                                    = evPath{path: "local.port", idx: unresolved}
	evMacAddress                                   = evPath{path: "mac_address", idx: unresolved}
	evMd5                                          = evPath{path: "md5", idx: unresolved}
	evNetworkDirection                             = evPath{path: "network_direction", idx: unresolved}
	evOsArchitecture                               = evPath{path: "os.architecture", idx: unresolved}
	evOsDistribution                               = evPath{path: "os.distribution", idx: unresolved}
	evOsPlatform                                   = evPath{path: "os.platform", idx: unresolved}
	evOsVersion                                    = evPath{path: "os.version", idx: unresolved}
	evParentProcessId                              = evPath{path: "parent_process_id", idx: unresolved}
	evParentProcessName                            = evPath{path: "parent_process_name", idx: unresolved}
	evProcessCommandLine                           = evPath{path: "process.command_line", idx: unresolved}
	evProcessCreationTime                          = evPath{path: "process.creation_time", idx: unresolved}
	evProcessId                                    = evPath{path: "process.id", idx: unresolved}
	evProcessVersionInfoCompanyName                = evPath{path: "process.version_info_company_name", idx: unresolved}
	evProcessVersionInfoFileDescription            = evPath{path: "process.version_info_file_description", idx: unresolved}
	evProcessVersionInfoOriginalFileName           = evPath{path: "process.version_info_original_file_name", idx: unresolved}
	evProcessVersionInfoProductName                = evPath{path: "process.version_info_product_name", idx: unresolved}
	evProcessVersionInfoProductVersion             = evPath{path: "process.version_info_product_version", idx: unresolved}
	evProcessCurrentWorkingDirectory               = evPath{path: "process_current_working_directory", idx: unresolved}
	evProcessName                                  = evPath{path: "process_name", idx: unresolved}
	evProtocol                                     = evPath{path: "protocol", idx: unresolved}
	evPublicIpValue                                = evPath{path: "public_ip.value", idx: unresolved}
	evRegistryKey                                  = evPath{path: "registry.key", idx: unresolved}
	evRegistryValueData                            = evPath{path: "registry.value_data", idx: unresolved}
	evRegistryValueName                            = evPath{path: "registry.value_name", idx: unresolved}
	evRemoteDeviceName                             = evPath{path: "remote.device_name", idx: unresolved}
	evRemoteIp                                     = evPath{path: "remote.ip", idx: unresolved}
	evRemotePort                                   = evPath{path: "remote.port", idx: unresolved}
	evRemoteUrl                                    = evPath{path: "remote.url", idx: unresolved}
	evRequestAccountDomain                         = evPath{path: "request.account_domain", idx: unresolved}
	evRequestAccountName                           = evPath{path: "request.account_name", idx: unresolved}
	evRequestProtocol                              = evPath{path: "request.protocol", idx: unresolved}
	evRequestSourceIp                              = evPath{path: "request.source_ip", idx: unresolved}
	evRequestSourcePort                            = evPath{path: "request.source_port", idx: unresolved}
	evSha1                                         = evPath{path: "sha1", idx: unresolved}
	evSha256                                       = evPath{path: "sha256", idx: unresolved}
	evSigner                                       = evPath{path: "signer", idx: unresolved}
	evSignerHash                                   = evPath{path: "signer_hash", idx: unresolved}
)

// devicePaths lists them for resolveEvPaths.
var devicePaths = []*evPath{
	&evAccountDomain,
	&evAccountName,
	&evAccountSid,
	&evActionType,
	&evAdditionalFields,
	&evAwsResourceName,
	&evAzureResourceId,
	&evCertificateExpirationTime,
	&evCertificateSerialNumber,
	&evClientVersion,
	&evContainerId,
	&evContainerImageName,
	&evContainerName,
	&evDeviceCategory,
	&evDeviceId,
	&evDeviceName,
	&evDeviceType,
	&evFailureReason,
	&evFileName,
	&evFileOriginIp,
	&evFileOriginReferrerUrl,
	&evFileSize,
	&evFolderPath,
	&evGcpFullResourceName,
	&evInitiatingProcessAccountDomain,
	&evInitiatingProcessAccountName,
	&evInitiatingProcessAccountSid,
	&evInitiatingProcessCommandLine,
	&evInitiatingProcessCreationTime,
	&evInitiatingProcessFileName,
	&evInitiatingProcessFileSize,
	&evInitiatingProcessFolderPath,
	&evInitiatingProcessId,
	&evInitiatingProcessMd5,
	&evInitiatingProcessParentCreationTime,
	&evInitiatingProcessParentFileName,
	&evInitiatingProcessParentId,
	&evInitiatingProcessSha1,
	&evInitiatingProcessSha256,
	&evInitiatingProcessSignatureStatus,
	&evInitiatingProcessVersionInfoCompanyName,
	&evInitiatingProcessVersionInfoFileDescription,
	&evInitiatingProcessVersionInfoOriginalFileName,
	&evInitiatingProcessVersionInfoProductName,
	&evInitiatingProcessVersionInfoProductVersion,
	&evIpv4Dhcp,
	&evIpv6Dhcp,
	&evIsSigned,
	&evIsTrusted,
	&evIssuer,
	&evIssuerHash,
	&evKubernetesNamespace,
	&evKubernetesPodName,
	&evKubernetesResource,
	&evLocalIp,
	&evLocalPort,
	&evMacAddress,
	&evMd5,
	&evNetworkDirection,
	&evOsArchitecture,
	&evOsDistribution,
	&evOsPlatform,
	&evOsVersion,
	&evParentProcessId,
	&evParentProcessName,
	&evProcessCommandLine,
	&evProcessCreationTime,
	&evProcessId,
	&evProcessVersionInfoCompanyName,
	&evProcessVersionInfoFileDescription,
	&evProcessVersionInfoOriginalFileName,
	&evProcessVersionInfoProductName,
	&evProcessVersionInfoProductVersion,
	&evProcessCurrentWorkingDirectory,
	&evProcessName,
	&evProtocol,
	&evPublicIpValue,
	&evRegistryKey,
	&evRegistryValueData,
	&evRegistryValueName,
	&evRemoteDeviceName,
	&evRemoteIp,
	&evRemotePort,
	&evRemoteUrl,
	&evRequestAccountDomain,
	&evRequestAccountName,
	&evRequestProtocol,
	&evRequestSourceIp,
	&evRequestSourcePort,
	&evSha1,
	&evSha256,
	&evSigner,
	&evSignerHash,
}

// resolveEvPaths sets the slot of every path (after targetIdx is built).
func resolveEvPaths() {
	for _, p := range devicePaths {
		p.idx = -1
		if i, ok := targetIdx[p.path]; ok {
			p.idx = i
		}
	}
}
