package graph

import (
	"errors"
	"strings"
	"time"
)

// errAssignee is the fatal error of a non-string incident assignee.
var errAssignee = errors.New("assignedTo: not a string")

// incidentAlert returns the single alert object of a split incident
// record, removing an empty alerts value (row 0).
func incidentAlert(inc map[string]any, d *doc) map[string]any {
	switch x := inc["alerts"].(type) {
	case map[string]any:
		if len(x) == 0 {
			delete(inc, "alerts")
			return nil
		}
		return x
	case []any:
		if len(x) == 0 {
			delete(inc, "alerts")
			return nil
		}
		d.errorf("alerts: an array of alerts reached the mapping unsplit; use split.Incident first (alerts kept in event.original only)")
		d.keepOriginal = true
	}
	return nil
}

// incidentID is §3 of incident.md over the raw values.
func incidentID(inc, al map[string]any) (string, bool) {
	return fingerprint(al["id"], al["lastUpdateDateTime"], inc["createdDateTime"], inc["id"],
		inc["incidentWebUrl"], inc["lastUpdateDateTime"])
}

// mapIncident maps one incident record (incident.md §5–§14) into d. It
// returns @timestamp and a fatal error (the mapping stops there).
func mapIncident(inc, al map[string]any, d *doc, keepDuplicates bool, now time.Time, m *metrics) (time.Time, error) {
	ts := now
	I := map[string]any{}
	d.set("m365_defender.incident", I)
	IA := map[string]any{}
	if al == nil {
		al = map[string]any{}
	}

	moveTo(inc, "@odata.type", I, "odata_type")                                             // 1
	if s, ok := incidentDate(inc, "lastUpdateDateTime", I, "last_update_datetime", d); ok { // 2
		ts, _ = time.Parse(dateLayout, s)
	}
	if v, ok := moveTo(inc, "displayName", I, "display_name"); ok { // 3
		d.copyIf("message", v)
	}
	if v, ok := moveTo(inc, "tenantId", I, "tenant_id"); ok { // 4
		d.copyIf("cloud.account.id", v)
	}
	if s, ok := incidentDate(inc, "createdDateTime", I, "created_datetime", d); ok { // 5
		d.copyIf("event.created", s)
	}
	if v, ok := moveTo(inc, "id", I, "id"); ok { // 6
		d.copyIf("event.id", v)
	}
	if v, ok := moveTo(al, "serviceSource", IA, "service_source"); ok { // 7
		d.copyIf("event.provider", v)
	}
	if v, ok := inc["severity"]; ok { // 8
		delete(inc, "severity")
		if s, ok := v.(string); ok {
			v = strings.ToLower(s)
		}
		I["severity"] = v
		if n, ok := severityNumber(v); ok {
			d.set("event.severity", n)
		}
	}
	if v, ok := inc["incidentWebUrl"]; ok && v != nil { // 9
		if u := urlObject(v, d, "incidentWebUrl"); u != nil {
			I["web_url"] = u
			d.copyIf("event.url", u["original"])
		}
	}
	if v, ok := moveTo(inc, "assignedTo", I, "assigned_to"); ok && v != nil { // 10
		s, isStr := v.(string)
		if !isStr {
			return ts, errAssignee
		}
		assignee(s, d)
	}
	moveTo(al, "threatFamilyName", IA, "threat_family_name") // 11
	if v, ok := moveTo(al, "category", IA, "category"); ok { // 12
		d.add("threat.tactic.name", v)
	}
	if v, ok := moveTo(al, "mitreTechniques", IA, "mitre_techniques"); ok { // 13
		d.copyIf("threat.technique.subtechnique.id", v)
	}
	moveTo(al, "actorDisplayName", IA, "actor_display_name") // 14
	if v, ok := al["alertWebUrl"]; ok && v != nil {          // 15
		if u := urlObject(v, d, "alerts.alertWebUrl"); u != nil {
			IA["alert_web_url"] = u
		}
	}
	moveTo(al, "assignedTo", IA, "assigned_to")                                                   // 16
	moveTo(al, "classification", IA, "classification")                                            // 17
	commentAuthors(al["comments"], d, "createdByDisplayName")                                     // 18
	moveTo(al, "comments", IA, "comments")                                                        // 19
	incidentDateLabel(al, "createdDateTime", IA, "created_datetime", d, "alerts.createdDateTime") // 20
	moveTo(al, "description", IA, "description")                                                  // 21
	moveTo(al, "detectionSource", IA, "detection_source")                                         // 22
	moveTo(al, "detectorId", IA, "detector_id")                                                   // 23
	moveTo(al, "determination", IA, "determination")                                              // 24
	evidence, hasEvidence := al["evidence"].([]any)
	if hasEvidence { // 25
		evidence = pruneEvidence(evidence)
		al["evidence"] = evidence
		runSteps(evidence, d, incidentStepsE1toE3)
	}
	incidentDateLabel(al, "firstActivityDateTime", IA, "first_activity_datetime", d, "alerts.firstActivityDateTime") // 26
	moveTo(al, "id", IA, "id")                                                                                       // 27
	moveTo(al, "incidentId", IA, "incident_id")                                                                      // 28
	if v, ok := al["incidentWebUrl"]; ok && v != nil {                                                               // 29
		if u := urlObject(v, d, "alerts.incidentWebUrl"); u != nil {
			IA["incident_web_url"] = u
		}
	}
	incidentDateLabel(al, "lastActivityDateTime", IA, "last_activity_datetime", d, "alerts.lastActivityDateTime") // 30
	incidentDateLabel(al, "lastUpdateDateTime", IA, "last_update_datetime", d, "alerts.lastUpdateDateTime")       // 31
	moveTo(al, "providerAlertId", IA, "provider_alert_id")                                                        // 32
	moveTo(al, "recommendedActions", IA, "recommended_actions")                                                   // 33
	incidentDateLabel(al, "resolvedDateTime", IA, "resolved_datetime", d, "alerts.resolvedDateTime")              // 34
	moveTo(al, "severity", IA, "severity")                                                                        // 35
	moveTo(al, "status", IA, "status")                                                                            // 36
	moveTo(al, "tenantId", IA, "tenant_id")                                                                       // 37
	moveTo(al, "threatDisplayName", IA, "threat_display_name")                                                    // 38
	moveTo(al, "title", IA, "title")                                                                              // 39
	moveTo(inc, "classification", I, "classification")                                                            // 40
	commentAuthors(inc["comments"], d, "createdByDisplayName")                                                    // 41
	commentAuthors(inc["comments"], d, "createdBy")                                                               // 41, second pass
	moveTo(inc, "comments", I, "comments")                                                                        // 42
	if v, ok := moveTo(inc, "determination", I, "determination"); ok {                                            // 43, §6
		incidentCategories(v, d)
	}
	moveTo(inc, "redirectIncidentId", I, "redirect_incident_id") // 44
	moveTo(inc, "status", I, "status")                           // 45
	moveTo(inc, "tags", I, "tags")                               // 46
	if hasEvidence {                                             // 47
		runSteps(evidence, d, incidentStepsE4on)
		incidentProcessAggregates(evidence, d) // E66
		runSteps(evidence, d, incidentStepsE67on)
		incidentAggregates(evidence, d) // E73
		hashEntityIDs(d)                // E75
		removeRawKeys(evidence, incidentRawKeys)
		lowerHostNames(d) // E77
		m.countEvidence(evidence)
	}
	if v, ok := indexableEvidence(al["evidence"], d, "alerts.evidence"); ok {
		IA["evidence"] = v
	}
	// E42 tail: a lone backslash is no path.
	if l := d.list("file.path"); l != nil {
		out := l[:0]
		for _, v := range l {
			if v != `\` {
				out = append(out, v)
			}
		}
		d.set("file.path", out)
	}
	// §12.1: process.name from the command lines only.
	if pn := processName(nil, d.list("process.command_line")); pn != nil {
		d.set("process.name", pn)
	}
	if len(IA) > 0 {
		I["alert"] = IA
	}
	if !keepDuplicates { // §13
		for _, key := range []string{"last_update_datetime", "tenant_id", "created_datetime", "id", "web_url", "assigned_to"} {
			delete(I, key)
		}
		for _, key := range []string{"service_source", "category", "mitre_techniques"} {
			delete(IA, key)
		}
		removeDuplicateEvidenceKeys(evidence, true)
	}
	return ts, nil
}

// incidentDate moves a date key to dst[to] and normalises it (C1) when it
// is not null; a failure drops the value and records an error. It returns
// the normalised text.
func incidentDate(src map[string]any, key string, dst map[string]any, to string, d *doc) (string, bool) {
	return incidentDateLabel(src, key, dst, to, d, key)
}

// incidentDateLabel is incidentDate with the field name used in the error.
func incidentDateLabel(src map[string]any, key string, dst map[string]any, to string, d *doc, label string) (string, bool) {
	v, ok := moveTo(src, key, dst, to)
	if !ok || v == nil {
		return "", false
	}
	s, err := normDate(v)
	if err != nil {
		delete(dst, to)
		d.errorf(label + ": " + err.Error())
		return "", false
	}
	dst[to] = s
	return s, true
}

// incidentCategories is incident.md §6.
func incidentCategories(determination any, d *doc) {
	switch determinationCategory(determination) {
	case "malware":
		d.set("event.category", []any{"malware"})
		d.set("event.type", []any{"info"})
	case "email":
		d.set("event.category", []any{"email"})
		d.set("event.type", []any{"info"})
	case "threat":
		d.set("event.category", []any{"threat"})
		d.set("event.type", []any{"indicator"})
	}
}
