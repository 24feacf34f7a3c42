package event

// evPath is a m365_defender.event path the device steps read, with its
// slot in deviceRec.vals resolved once (-1: not a column target, read from
// the document).
type evPath struct {
	path string
	idx  int
}

// The paths the device steps read. A step that reads a new one declares it
// here and in devicePaths.
var (
	evAccountDomain                                = evPath{path: "account.domain", idx: -2}
	evAccountName                                  = evPath{path: "account.name", idx: -2}
	evAccountSid                                   = evPath{path: "account.sid", idx: -2}
	evActionType                                   = evPath{path: "action.type", idx: -2}
	evAdditionalFields                             = evPath{path: "additional_fields", idx: -2}
	evAwsResourceName                              = evPath{path: "aws_resource_name", idx: -2}
	evAzureResourceId                              = evPath{path: "azure_resource_id", idx: -2}
	evCertificateExpirationTime                    = evPath{path: "certificate.expiration_time", idx: -2}
	evCertificateSerialNumber                      = evPath{path: "certificate.serial_number", idx: -2}
	evClientVersion                                = evPath{path: "client_version", idx: -2}
	evContainerId                                  = evPath{path: "container_id", idx: -2}
	evContainerImageName                           = evPath{path: "container_image_name", idx: -2}
	evContainerName                                = evPath{path: "container_name", idx: -2}
	evDeviceCategory                               = evPath{path: "device.category", idx: -2}
	evDeviceId                                     = evPath{path: "device.id", idx: -2}
	evDeviceName                                   = evPath{path: "device.name", idx: -2}
	evDeviceType                                   = evPath{path: "device.type", idx: -2}
	evFailureReason                                = evPath{path: "failure_reason", idx: -2}
	evFileName                                     = evPath{path: "file.name", idx: -2}
	evFileOriginIp                                 = evPath{path: "file.origin_ip", idx: -2}
	evFileOriginReferrerUrl                        = evPath{path: "file.origin_referrer_url", idx: -2}
	evFileSize                                     = evPath{path: "file.size", idx: -2}
	evFolderPath                                   = evPath{path: "folder_path", idx: -2}
	evGcpFullResourceName                          = evPath{path: "gcp_full_resource_name", idx: -2}
	evInitiatingProcessAccountDomain               = evPath{path: "initiating_process.account_domain", idx: -2}
	evInitiatingProcessAccountName                 = evPath{path: "initiating_process.account_name", idx: -2}
	evInitiatingProcessAccountSid                  = evPath{path: "initiating_process.account_sid", idx: -2}
	evInitiatingProcessCommandLine                 = evPath{path: "initiating_process.command_line", idx: -2}
	evInitiatingProcessCreationTime                = evPath{path: "initiating_process.creation_time", idx: -2}
	evInitiatingProcessFileName                    = evPath{path: "initiating_process.file_name", idx: -2}
	evInitiatingProcessFileSize                    = evPath{path: "initiating_process.file_size", idx: -2}
	evInitiatingProcessFolderPath                  = evPath{path: "initiating_process.folder_path", idx: -2}
	evInitiatingProcessId                          = evPath{path: "initiating_process.id", idx: -2}
	evInitiatingProcessMd5                         = evPath{path: "initiating_process.md5", idx: -2}
	evInitiatingProcessParentCreationTime          = evPath{path: "initiating_process.parent_creation_time", idx: -2}
	evInitiatingProcessParentFileName              = evPath{path: "initiating_process.parent_file_name", idx: -2}
	evInitiatingProcessParentId                    = evPath{path: "initiating_process.parent_id", idx: -2}
	evInitiatingProcessSha1                        = evPath{path: "initiating_process.sha1", idx: -2}
	evInitiatingProcessSha256                      = evPath{path: "initiating_process.sha256", idx: -2}
	evInitiatingProcessSignatureStatus             = evPath{path: "initiating_process.signature_status", idx: -2}
	evInitiatingProcessVersionInfoCompanyName      = evPath{path: "initiating_process.version_info_company_name", idx: -2}
	evInitiatingProcessVersionInfoFileDescription  = evPath{path: "initiating_process.version_info_file_description", idx: -2}
	evInitiatingProcessVersionInfoOriginalFileName = evPath{path: "initiating_process.version_info_original_file_name", idx: -2}
	evInitiatingProcessVersionInfoProductName      = evPath{path: "initiating_process.version_info_product_name", idx: -2}
	evInitiatingProcessVersionInfoProductVersion   = evPath{path: "initiating_process.version_info_product_version", idx: -2}
	evIpv4Dhcp                                     = evPath{path: "ipv4_dhcp", idx: -2}
	evIpv6Dhcp                                     = evPath{path: "ipv6_dhcp", idx: -2}
	evIsSigned                                     = evPath{path: "is_signed", idx: -2}
	evIsTrusted                                    = evPath{path: "is_trusted", idx: -2}
	evIssuer                                       = evPath{path: "issuer", idx: -2}
	evIssuerHash                                   = evPath{path: "issuer_hash", idx: -2}
	evKubernetesNamespace                          = evPath{path: "kubernetes_namespace", idx: -2}
	evKubernetesPodName                            = evPath{path: "kubernetes_pod_name", idx: -2}
	evKubernetesResource                           = evPath{path: "kubernetes_resource", idx: -2}
	evLocalIp                                      = evPath{path: "local.ip", idx: -2}
	evLocalPort                                    = evPath{path: "local.port", idx: -2}
	evMacAddress                                   = evPath{path: "mac_address", idx: -2}
	evMd5                                          = evPath{path: "md5", idx: -2}
	evNetworkDirection                             = evPath{path: "network_direction", idx: -2}
	evOsArchitecture                               = evPath{path: "os.architecture", idx: -2}
	evOsDistribution                               = evPath{path: "os.distribution", idx: -2}
	evOsPlatform                                   = evPath{path: "os.platform", idx: -2}
	evOsVersion                                    = evPath{path: "os.version", idx: -2}
	evParentProcessId                              = evPath{path: "parent_process_id", idx: -2}
	evParentProcessName                            = evPath{path: "parent_process_name", idx: -2}
	evProcessCommandLine                           = evPath{path: "process.command_line", idx: -2}
	evProcessCreationTime                          = evPath{path: "process.creation_time", idx: -2}
	evProcessId                                    = evPath{path: "process.id", idx: -2}
	evProcessVersionInfoCompanyName                = evPath{path: "process.version_info_company_name", idx: -2}
	evProcessVersionInfoFileDescription            = evPath{path: "process.version_info_file_description", idx: -2}
	evProcessVersionInfoOriginalFileName           = evPath{path: "process.version_info_original_file_name", idx: -2}
	evProcessVersionInfoProductName                = evPath{path: "process.version_info_product_name", idx: -2}
	evProcessVersionInfoProductVersion             = evPath{path: "process.version_info_product_version", idx: -2}
	evProcessCurrentWorkingDirectory               = evPath{path: "process_current_working_directory", idx: -2}
	evProcessName                                  = evPath{path: "process_name", idx: -2}
	evProtocol                                     = evPath{path: "protocol", idx: -2}
	evPublicIpValue                                = evPath{path: "public_ip.value", idx: -2}
	evRegistryKey                                  = evPath{path: "registry.key", idx: -2}
	evRegistryValueData                            = evPath{path: "registry.value_data", idx: -2}
	evRegistryValueName                            = evPath{path: "registry.value_name", idx: -2}
	evRemoteDeviceName                             = evPath{path: "remote.device_name", idx: -2}
	evRemoteIp                                     = evPath{path: "remote.ip", idx: -2}
	evRemotePort                                   = evPath{path: "remote.port", idx: -2}
	evRemoteUrl                                    = evPath{path: "remote.url", idx: -2}
	evRequestAccountDomain                         = evPath{path: "request.account_domain", idx: -2}
	evRequestAccountName                           = evPath{path: "request.account_name", idx: -2}
	evRequestProtocol                              = evPath{path: "request.protocol", idx: -2}
	evRequestSourceIp                              = evPath{path: "request.source_ip", idx: -2}
	evRequestSourcePort                            = evPath{path: "request.source_port", idx: -2}
	evSha1                                         = evPath{path: "sha1", idx: -2}
	evSha256                                       = evPath{path: "sha256", idx: -2}
	evSigner                                       = evPath{path: "signer", idx: -2}
	evSignerHash                                   = evPath{path: "signer_hash", idx: -2}
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
