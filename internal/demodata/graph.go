package demodata

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

func gt(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.0000000Z") }

// evidence builds one evidence object of the given type.
func evidence(kind string, at time.Time, i int, verdict string) map[string]any {
	u, d := users[i%len(users)], devices[i%len(devices)]
	e := map[string]any{
		"@odata.type":              "#microsoft.graph.security." + kind,
		"createdDateTime":          gt(at),
		"verdict":                  verdict,
		"remediationStatus":        "none",
		"remediationStatusDetails": nil,
		"roles":                    []string{},
		"detailedRoles":            []string{},
		"tags":                     []string{},
	}
	account := map[string]any{"accountName": u.name, "domainName": "CONTOSO", "userSid": u.sid, "azureAdUserId": u.oid, "userPrincipalName": u.upn, "displayName": u.display}
	switch kind {
	case "deviceEvidence":
		with(e, "firstSeenDateTime", gt(at.Add(-90*24*time.Hour)), "mdeDeviceId", d.id, "azureAdDeviceId", d.aad, "deviceDnsName", d.name,
			"osPlatform", "Windows11", "osBuild", 22631, "version", "23H2", "healthStatus", "active", "riskScore", "high", "rbacGroupId", 12,
			"rbacGroupName", "Workstations", "onboardingStatus", "onboarded", "defenderAvStatus", "updated", "ipInterfaces", []string{d.ip, "fe80::1c2b:3a4d:5e6f:7a8b"},
			"loggedOnUsers", []map[string]any{{"accountName": u.name, "domainName": "CONTOSO"}}, "vmMetadata", nil)
		e["detailedRoles"] = []string{"PrimaryDevice"}
	case "userEvidence":
		e["userAccount"] = account
		e["roles"] = []string{"compromised"}
	case "processEvidence":
		with(e, "processId", 7788+i, "parentProcessId", 4120, "processCommandLine", `powershell.exe -NoProfile -ExecutionPolicy Bypass -File C:\Users\`+u.name+`\Downloads\update.ps1`,
			"processCreationDateTime", gt(at.Add(-2*time.Minute)), "parentProcessCreationDateTime", gt(at.Add(-3*time.Hour)), "detectionStatus", "detected", "mdeDeviceId", d.id,
			"imageFile", map[string]any{"sha1": psSHA1, "sha256": psSHA256, "fileName": "powershell.exe", "filePath": `C:\Windows\System32\WindowsPowerShell\v1.0`, "fileSize": 455680, "filePublisher": "Microsoft Corporation", "signer": nil, "issuer": nil},
			"parentProcessImageFile", map[string]any{"sha1": nil, "sha256": nil, "fileName": "explorer.exe", "filePath": `C:\Windows`, "fileSize": 5373952, "filePublisher": "Microsoft Corporation", "signer": nil, "issuer": nil},
			"userAccount", account)
	case "fileEvidence":
		with(e, "detectionStatus", "prevented", "mdeDeviceId", d.id,
			"fileDetails", map[string]any{"sha1": dropSHA1, "sha256": dropSHA256, "fileName": "update.ps1", "filePath": `C:\Users\` + u.name + `\Downloads`, "fileSize": 18233, "filePublisher": nil, "signer": nil, "issuer": nil})
		e["remediationStatus"] = "remediated"
	case "ipEvidence":
		with(e, "ipAddress", remoteIPs[i%len(remoteIPs)], "countryLetterCode", "NL")
	case "urlEvidence":
		with(e, "url", fmt.Sprintf("https://login.example.net/verify?id=%d", 100+i))
	case "mailboxEvidence":
		with(e, "primaryAddress", u.upn, "displayName", u.display, "userAccount", account)
	case "analyzedMessageEvidence":
		with(e, "networkMessageId", fmt.Sprintf("9c1e2d3f-4a5b-4c6d-8e7f-0a1b2c3d4e%02x", i), "internetMessageId", fmt.Sprintf("<%x.demo@mail.example.org>", 0xf00d00+i),
			"subject", "Invoice 8812 overdue", "language", "en", "senderIp", remoteIPs[i%len(remoteIPs)], "recipientEmailAddress", u.upn,
			"p1Sender", map[string]any{"emailAddress": "bounce@mail.example.org", "displayName": nil, "domainName": "mail.example.org"},
			"p2Sender", map[string]any{"emailAddress": "billing@example.org", "displayName": "Example Billing", "domainName": "example.org"},
			"antiSpamDirection", "Inbound", "deliveryAction", "Blocked", "deliveryLocation", "Quarantine", "urlCount", 2, "attachmentsCount", 1,
			"threatDetectionMethods", []string{"urlDetonationReputation"}, "threats", []string{"Phish"}, "receivedDateTime", gt(at.Add(-10*time.Minute)),
			"urls", []string{fmt.Sprintf("https://login.example.net/verify?id=%d", 100+i)})
	case "registryKeyEvidence":
		with(e, "registryKey", `SOFTWARE\Microsoft\Windows\CurrentVersion\Run`, "registryHive", "HKEY_CURRENT_USER")
	case "registryValueEvidence":
		with(e, "registryKey", `SOFTWARE\Microsoft\Windows\CurrentVersion\Run`, "registryHive", "HKEY_CURRENT_USER", "registryValueName", "DemoUpdater",
			"registryValueType", "String", "registryValue", `powershell.exe -w hidden -File C:\Users\Public\update.ps1`, "mdeDeviceId", d.id)
	case "cloudApplicationEvidence":
		with(e, "appId", 20892, "displayName", "Microsoft SharePoint Online", "instanceId", 0, "instanceName", "SharePoint Online", "saasAppId", 20892)
	case "securityGroupEvidence":
		with(e, "securityGroupId", "7c3f1e2d-9a8b-4c7d-8e6f-5a4b3c2d1e0f", "displayName", "Helpdesk Operators")
	case "mailClusterEvidence":
		with(e, "clusterBy", "SenderIPv4", "clusterByValue", remoteIPs[i%len(remoteIPs)], "emailCount", 14, "networkMessageIds", []string{fmt.Sprintf("9c1e2d3f-4a5b-4c6d-8e7f-0a1b2c3d4e%02x", i)},
			"query", "(SenderIPv4:\""+remoteIPs[i%len(remoteIPs)]+"\")", "urn", "urn:MailClusterEntity:demo")
	}
	return e
}

// alertSpec describes one sample alert.
type alertSpec struct {
	title, category, technique, service, detection, product, severity, status string
	evidence                                                                  []string
}

var alertSpecs = []alertSpec{
	{"Suspicious PowerShell command line", "Execution", "T1059.001", "microsoftDefenderForEndpoint", "microsoftDefenderForEndpoint", "Microsoft Defender for Endpoint", "medium", "new",
		[]string{"deviceEvidence", "processEvidence", "fileEvidence", "userEvidence"}},
	{"Persistence through a Run key", "Persistence", "T1547.001", "microsoftDefenderForEndpoint", "microsoftDefenderForEndpoint", "Microsoft Defender for Endpoint", "high", "inProgress",
		[]string{"deviceEvidence", "registryKeyEvidence", "registryValueEvidence"}},
	{"Connection to a known malicious address", "CommandAndControl", "T1071.001", "microsoftDefenderForEndpoint", "antivirus", "Microsoft Defender for Endpoint", "high", "new",
		[]string{"deviceEvidence", "ipEvidence", "urlEvidence"}},
	{"Email messages containing malicious URL removed after delivery", "InitialAccess", "T1566.002", "microsoftDefenderForOffice365", "microsoftDefenderForOffice365", "Microsoft Defender for Office 365", "medium", "resolved",
		[]string{"mailboxEvidence", "analyzedMessageEvidence", "urlEvidence", "mailClusterEvidence"}},
	{"Suspicious group membership change", "PrivilegeEscalation", "T1098", "microsoftDefenderForIdentity", "microsoftDefenderForIdentity", "Microsoft Defender for Identity", "high", "new",
		[]string{"userEvidence", "securityGroupEvidence", "deviceEvidence"}},
	{"Mass download by a single user", "Exfiltration", "T1530", "microsoftDefenderForCloudApps", "microsoftDefenderForCloudApps", "Microsoft Defender for Cloud Apps", "low", "new",
		[]string{"userEvidence", "cloudApplicationEvidence", "ipEvidence"}},
	{"Password spray against multiple accounts", "CredentialAccess", "T1110.003", "microsoftDefenderForIdentity", "microsoftDefenderForIdentity", "Microsoft Defender for Identity", "medium", "new",
		[]string{"ipEvidence", "userEvidence"}},
	{"Attempt to disable the antivirus", "DefenseEvasion", "T1562.001", "microsoftDefenderForEndpoint", "antivirus", "Microsoft Defender for Endpoint", "informational", "resolved",
		nil},
}

// incidentPlan groups the sample alerts (by index in alertSpecs) into
// incidents; the last alert belongs to none.
var incidentPlan = [][]int{{0, 1, 2}, {3, 6}, {4, 5}}

// alert builds one sample alert.
func alert(k int, spec alertSpec, incident string, created time.Time) map[string]any {
	id := fmt.Sprintf("da63867%013d_%d", 1234567000+k, -1100000000-k*7)
	ev := make([]map[string]any, 0, len(spec.evidence))
	for j, kind := range spec.evidence {
		verdict := "suspicious"
		if j == 0 {
			verdict = "malicious"
		}
		ev = append(ev, evidence(kind, created, k, verdict))
	}
	var resolved any
	updated := created.Add(time.Duration(5+k) * time.Minute)
	if spec.status == "resolved" {
		resolved = gt(updated)
	}
	var classification, determination any
	if spec.status == "resolved" {
		classification, determination = "truePositive", "malware"
	}
	a := map[string]any{
		"id":                    id,
		"providerAlertId":       id[2:],
		"incidentId":            incident,
		"status":                spec.status,
		"severity":              spec.severity,
		"classification":        classification,
		"determination":         determination,
		"serviceSource":         spec.service,
		"detectionSource":       spec.detection,
		"productName":           spec.product,
		"detectorId":            fmt.Sprintf("7a1c3e5f-2b4d-4f6a-8c9e-%012x", 0xdecaf0+k),
		"tenantId":              TenantID,
		"title":                 spec.title,
		"description":           spec.title + " was observed on a Contoso asset (m365beat demo data; every name, address and hash is fictitious).",
		"recommendedActions":    "1. Review the timeline of the affected entities.\n2. Contain them if the activity is confirmed.",
		"category":              spec.category,
		"assignedTo":            nil,
		"alertWebUrl":           "https://security.microsoft.com/alerts/" + id + "?tid=" + TenantID,
		"incidentWebUrl":        "",
		"actorDisplayName":      nil,
		"threatDisplayName":     nil,
		"threatFamilyName":      nil,
		"mitreTechniques":       []string{spec.technique},
		"createdDateTime":       gt(created),
		"lastUpdateDateTime":    gt(updated),
		"resolvedDateTime":      resolved,
		"firstActivityDateTime": gt(created.Add(-4 * time.Minute)),
		"lastActivityDateTime":  gt(created.Add(-time.Minute)),
		"alertPolicyId":         nil,
		"additionalData":        nil,
		"comments":              []any{},
		"evidence":              ev,
	}
	if incident != "" {
		a["incidentWebUrl"] = "https://security.microsoft.com/incidents/" + incident + "?tid=" + TenantID
	}
	if spec.category == "Execution" {
		a["threatDisplayName"] = "Trojan:PowerShell/Demo.A"
		a["threatFamilyName"] = "Demo"
	}
	if spec.status != "new" {
		a["assignedTo"] = "soc-analyst@contoso.com"
		a["comments"] = []any{map[string]any{"comment": "Reviewed by the SOC (demo).", "createdByDisplayName": "SOC Analyst", "createdDateTime": gt(updated)}}
	}
	return a
}

// Incident is a sample incident; the Graph fake renders its other
// properties, and serves the sample alerts that name it as its alerts.
type Incident struct {
	ID                  int
	Created, LastUpdate time.Time
	Status, Severity    string
}

// graphData builds the sample incidents and alerts (JSON objects).
func graphData(now time.Time) (incidents []Incident, alerts [][]byte, incidentEvents int) {
	base := now.Add(-3 * time.Hour).Truncate(time.Second)
	inIncident := map[int]string{}
	for n, members := range incidentPlan {
		id := strconv.Itoa(1201 + n)
		for _, k := range members {
			inIncident[k] = id
		}
		incidentEvents += max(1, len(members))
	}
	maxUpdate := map[string]time.Time{}
	for k, spec := range alertSpecs {
		created := base.Add(time.Duration(k) * 11 * time.Minute)
		a := alert(k, spec, inIncident[k], created)
		b, _ := json.Marshal(a)
		alerts = append(alerts, b)
		if inc := inIncident[k]; inc != "" {
			u, _ := time.Parse(time.RFC3339Nano, a["lastUpdateDateTime"].(string))
			if u.After(maxUpdate[inc]) {
				maxUpdate[inc] = u
			}
		}
	}
	for n, members := range incidentPlan {
		id := 1201 + n
		created := base.Add(time.Duration(members[0]) * 11 * time.Minute).Add(time.Minute)
		incidents = append(incidents, Incident{
			ID:         id,
			Created:    created,
			LastUpdate: maxUpdate[strconv.Itoa(id)].Add(time.Minute),
			Status:     []string{"active", "inProgress", "active"}[n],
			Severity:   []string{"high", "medium", "high"}[n],
		})
	}
	return incidents, alerts, incidentEvents
}
