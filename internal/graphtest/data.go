package graphtest

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"
)

// TimeLayout is the way Graph writes DateTimeOffset values (seven
// fractional digits, UTC).
const TimeLayout = "2006-01-02T15:04:05.0000000Z"

// Alert is the mutable state of one generated alert. The JSON document is
// rendered from it on every request, so the fake holds little memory even
// with hundreds of thousands of alerts.
type Alert struct {
	ID         string
	Incident   int
	Seq        int
	Created    time.Time
	LastUpdate time.Time
	Status     string
	Severity   string
	// Version counts updates (1 for a new alert).
	Version int
	// Doc, when set (AddAlertJSON), is served verbatim instead of a
	// generated document.
	Doc []byte
}

// Incident is one generated incident; its lastUpdateDateTime is the newest
// of its own and its alerts' update times.
type Incident struct {
	ID         int
	Created    time.Time
	LastUpdate time.Time
	Status     string
	Severity   string
	Alerts     []*Alert
}

// Key is an (id, lastUpdateDateTime) pair: one version of an alert or
// incident, as the tests count them.
type Key struct {
	ID         string
	LastUpdate string
}

// Key returns the version key of the alert.
func (a *Alert) Key() Key { return Key{a.ID, a.LastUpdate.UTC().Format(TimeLayout)} }

// Key returns the version key of the incident.
func (in *Incident) Key() Key {
	return Key{strconv.Itoa(in.ID), in.LastUpdate.UTC().Format(TimeLayout)}
}

var (
	severities = []string{"informational", "low", "medium", "high"}
	statuses   = []string{"new", "inProgress", "resolved"}
	sources    = []struct{ service, detection, product string }{
		{"microsoftDefenderForEndpoint", "microsoftDefenderForEndpoint", "Microsoft Defender for Endpoint"},
		{"microsoftDefenderForEndpoint", "antivirus", "Microsoft Defender for Endpoint"},
		{"microsoftDefenderForOffice365", "microsoftDefenderForOffice365", "Microsoft Defender for Office 365"},
		{"microsoftDefenderForIdentity", "microsoftDefenderForIdentity", "Microsoft Defender for Identity"},
		// An evolvable enum member: hidden as unknownFutureValue unless
		// the client sends Prefer: include-unknown-enum-members.
		{"microsoftDefenderForCloudApps", "microsoftDataLossPrevention", "Microsoft Defender for Cloud Apps"},
	}
	titles = []struct{ title, category, technique string }{
		{"Suspicious PowerShell command line", "Execution", "T1059.001"},
		{"Hidden file launched", "DefenseEvasion", "T1564.001"},
		{"Suspicious sign-in from an unusual location", "InitialAccess", "T1078"},
		{"Email messages containing malicious URL removed after delivery", "InitialAccess", "T1566.002"},
		{"Possible credential theft activity", "CredentialAccess", "T1003"},
	}
)

func guid(r *rand.Rand) string {
	var b [16]byte
	for i := range b {
		b[i] = byte(r.UintN(256))
	}
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

type evidence struct {
	Type                     string          `json:"@odata.type"`
	CreatedDateTime          string          `json:"createdDateTime"`
	Verdict                  string          `json:"verdict"`
	RemediationStatus        string          `json:"remediationStatus"`
	RemediationStatusDetails *string         `json:"remediationStatusDetails"`
	Roles                    []string        `json:"roles"`
	DetailedRoles            []string        `json:"detailedRoles"`
	Tags                     []string        `json:"tags"`
	Extra                    json.RawMessage `json:"-"`
}

type renderAlert struct {
	ID                    string            `json:"id"`
	ProviderAlertID       string            `json:"providerAlertId"`
	IncidentID            string            `json:"incidentId"`
	Status                string            `json:"status"`
	Severity              string            `json:"severity"`
	Classification        *string           `json:"classification"`
	Determination         *string           `json:"determination"`
	ServiceSource         string            `json:"serviceSource"`
	DetectionSource       string            `json:"detectionSource"`
	ProductName           string            `json:"productName"`
	DetectorID            string            `json:"detectorId"`
	TenantID              string            `json:"tenantId"`
	Title                 string            `json:"title"`
	Description           string            `json:"description"`
	RecommendedActions    string            `json:"recommendedActions"`
	Category              string            `json:"category"`
	AssignedTo            *string           `json:"assignedTo"`
	AlertWebURL           string            `json:"alertWebUrl"`
	IncidentWebURL        string            `json:"incidentWebUrl"`
	ActorDisplayName      *string           `json:"actorDisplayName"`
	ThreatDisplayName     *string           `json:"threatDisplayName"`
	ThreatFamilyName      *string           `json:"threatFamilyName"`
	MitreTechniques       []string          `json:"mitreTechniques"`
	CreatedDateTime       string            `json:"createdDateTime"`
	LastUpdateDateTime    string            `json:"lastUpdateDateTime"`
	ResolvedDateTime      *string           `json:"resolvedDateTime"`
	FirstActivityDateTime string            `json:"firstActivityDateTime"`
	LastActivityDateTime  string            `json:"lastActivityDateTime"`
	AlertPolicyID         *string           `json:"alertPolicyId"`
	AdditionalData        *string           `json:"additionalData"`
	Comments              []json.RawMessage `json:"comments"`
	Evidence              []json.RawMessage `json:"evidence"`
}

// renderAlert appends the alerts_v2 JSON object of a to dst. The content
// is derived deterministically from the alert's sequence number.
func (s *Server) renderAlert(dst []byte, a *Alert, withType, unknownEnums bool) []byte {
	if a.Doc != nil {
		return appendDoc(dst, a.Doc, withType)
	}
	r := rand.New(rand.NewPCG(uint64(a.Seq), 0x6d333635))
	src := sources[a.Seq%len(sources)]
	ti := titles[a.Seq%len(titles)]
	if !unknownEnums && src.detection == "microsoftDataLossPrevention" {
		src.detection = "unknownFutureValue"
	}
	ts := func(t time.Time) string { return t.UTC().Format(TimeLayout) }
	inc := strconv.Itoa(a.Incident)
	provider := a.ID[2:]
	host := fmt.Sprintf("host-%04d", a.Seq%5000)
	device := fmt.Sprintf(`{"@odata.type":"#microsoft.graph.security.deviceEvidence","createdDateTime":%q,"verdict":"unknown","remediationStatus":"none","remediationStatusDetails":null,"roles":[],"detailedRoles":["PrimaryDevice"],"tags":[],"firstSeenDateTime":%q,"mdeDeviceId":"%040x","azureAdDeviceId":%q,"deviceDnsName":%q,"osPlatform":"Windows11","osBuild":22621,"version":"22H2","healthStatus":"active","riskScore":"high","rbacGroupId":0,"rbacGroupName":null,"onboardingStatus":"onboarded","defenderAvStatus":"notSupported","ipInterfaces":["10.0.%d.%d","127.0.0.1"],"loggedOnUsers":[{"accountName":"user%d","domainName":"CONTOSO"}],"vmMetadata":null}`,
		ts(a.Created), ts(a.Created.Add(-72*time.Hour)), r.Uint64(), guid(r), host, a.Seq%250, a.Seq%200+1, a.Seq%997)
	user := fmt.Sprintf(`{"@odata.type":"#microsoft.graph.security.userEvidence","createdDateTime":%q,"verdict":"unknown","remediationStatus":"none","remediationStatusDetails":null,"roles":[],"detailedRoles":[],"tags":[],"userAccount":{"accountName":"user%d","domainName":"CONTOSO","userSid":"S-1-5-21-%d","azureAdUserId":%q,"userPrincipalName":"user%d@contoso.com","displayName":"User %d"}}`,
		ts(a.Created), a.Seq%997, r.UintN(1<<31), guid(r), a.Seq%997, a.Seq%997)
	process := fmt.Sprintf(`{"@odata.type":"#microsoft.graph.security.processEvidence","createdDateTime":%q,"verdict":"suspicious","remediationStatus":"none","remediationStatusDetails":null,"roles":[],"detailedRoles":[],"tags":[],"processId":%d,"parentProcessId":%d,"processCommandLine":"powershell.exe -NoExit -ExecutionPolicy Bypass -Command Get-Process","processCreationDateTime":%q,"parentProcessCreationDateTime":%q,"detectionStatus":"detected","mdeDeviceId":null,"imageFile":{"sha1":"%040x","sha256":null,"fileName":"powershell.exe","filePath":"C:\\Windows\\System32\\WindowsPowerShell\\v1.0","fileSize":455680,"filePublisher":"Microsoft Corporation","signer":null,"issuer":null},"parentProcessImageFile":{"sha1":null,"sha256":null,"fileName":"cmd.exe","filePath":"C:\\Windows\\System32","fileSize":289792,"filePublisher":"Microsoft Corporation","signer":null,"issuer":null},"userAccount":{"accountName":"user%d","domainName":"CONTOSO","userSid":null,"azureAdUserId":null,"userPrincipalName":null,"displayName":null}}`,
		ts(a.Created), 1000+r.IntN(60000), 500+r.IntN(5000), ts(a.Created.Add(-time.Minute)), ts(a.Created.Add(-2*time.Minute)), r.Uint64(), a.Seq%997)
	ip := fmt.Sprintf(`{"@odata.type":"#microsoft.graph.security.ipEvidence","createdDateTime":%q,"verdict":"suspicious","remediationStatus":"none","remediationStatusDetails":null,"roles":[],"detailedRoles":[],"tags":[],"ipAddress":"203.0.113.%d","countryLetterCode":"US"}`,
		ts(a.Created), a.Seq%254+1)
	var resolved *string
	if a.Status == "resolved" {
		v := ts(a.LastUpdate)
		resolved = &v
	}
	v := renderAlert{
		ID: a.ID, ProviderAlertID: provider, IncidentID: inc, Status: a.Status, Severity: a.Severity,
		ServiceSource: src.service, DetectionSource: src.detection, ProductName: src.product,
		DetectorID: guid(r), TenantID: s.opts.TenantID, Title: ti.title,
		Description:        "Generated by m365beat's Graph fake. " + ti.title + " was observed on " + host + ".",
		RecommendedActions: "1. Review the device timeline.\n2. Contain the device if the activity is confirmed.",
		Category:           ti.category,
		AlertWebURL:        "https://security.microsoft.com/alerts/" + a.ID + "?tid=" + s.opts.TenantID,
		IncidentWebURL:     "https://security.microsoft.com/incidents/" + inc + "?tid=" + s.opts.TenantID,
		MitreTechniques:    []string{ti.technique},
		CreatedDateTime:    ts(a.Created), LastUpdateDateTime: ts(a.LastUpdate), ResolvedDateTime: resolved,
		FirstActivityDateTime: ts(a.Created.Add(-3 * time.Minute)), LastActivityDateTime: ts(a.Created.Add(-time.Minute)),
		Comments: []json.RawMessage{},
		Evidence: []json.RawMessage{json.RawMessage(device), json.RawMessage(user), json.RawMessage(process), json.RawMessage(ip)},
	}
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // static shapes: cannot fail
	}
	if withType {
		dst = append(dst, `{"@odata.type":"#microsoft.graph.security.alert",`...)
		return append(dst, b[1:]...)
	}
	return append(dst, b...)
}

type renderIncident struct {
	Type               string            `json:"@odata.type,omitempty"`
	ID                 string            `json:"id"`
	TenantID           string            `json:"tenantId"`
	DisplayName        string            `json:"displayName"`
	CreatedDateTime    string            `json:"createdDateTime"`
	LastUpdateDateTime string            `json:"lastUpdateDateTime"`
	RedirectIncidentID *string           `json:"redirectIncidentId"`
	Classification     string            `json:"classification"`
	Determination      string            `json:"determination"`
	Status             string            `json:"status"`
	Severity           string            `json:"severity"`
	AssignedTo         *string           `json:"assignedTo"`
	IncidentWebURL     string            `json:"incidentWebUrl"`
	Tags               []string          `json:"tags"`
	Comments           []json.RawMessage `json:"comments"`
	Alerts             []json.RawMessage `json:"alerts,omitempty"`
}

func (s *Server) renderIncident(dst []byte, in *Incident, expand, unknownEnums bool) []byte {
	v := renderIncident{
		Type: "#microsoft.graph.security.incident",
		ID:   strconv.Itoa(in.ID), TenantID: s.opts.TenantID,
		DisplayName:     fmt.Sprintf("Multi-stage incident involving %d alerts", len(in.Alerts)),
		CreatedDateTime: in.Created.UTC().Format(TimeLayout), LastUpdateDateTime: in.LastUpdate.UTC().Format(TimeLayout),
		Classification: "unknown", Determination: "unknown", Status: in.Status, Severity: in.Severity,
		IncidentWebURL: fmt.Sprintf("https://security.microsoft.com/incidents/%d?tid=%s", in.ID, s.opts.TenantID),
		Tags:           []string{}, Comments: []json.RawMessage{},
	}
	if expand {
		v.Alerts = make([]json.RawMessage, 0, len(in.Alerts))
		for _, a := range in.Alerts {
			v.Alerts = append(v.Alerts, s.renderAlert(nil, a, true, unknownEnums))
		}
	}
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	if expand && len(in.Alerts) == 0 {
		// omitempty dropped the empty list; Graph sends "alerts":[].
		b = append(b[:len(b)-1], `,"alerts":[]}`...)
	}
	return append(dst, b...)
}
