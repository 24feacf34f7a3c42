package graph

import (
	"strings"
	"time"
)

// mapAlert maps one Graph alerts_v2 object (alert.md §5–§14) into d. now is
// the event's time before mapping; the returned time is @timestamp.
func mapAlert(a map[string]any, d *doc, keepDuplicates bool, now time.Time, m *metrics) time.Time {
	ts := now
	A := map[string]any{}
	d.set("m365_defender.alert", A)

	evidence, hasEvidence := a["evidence"].([]any)
	if hasEvidence { // §11.1 pre-pass, before anything else
		evidence = pruneEvidence(evidence)
		a["evidence"] = evidence
		alertCategories(evidence, a["determination"], d) // §6
	}

	moveTo(a, "@odata.type", A, "odata_type")              // 1
	if v := a["lastUpdateDateTime"]; v != nil && v != "" { // 2
		if s, err := normDate(v); err != nil {
			d.errorf("lastUpdateDateTime: " + err.Error())
		} else {
			ts, _ = time.Parse(dateLayout, s)
		}
	}
	A["last_update_datetime"] = ts.UTC().Format(dateLayout)      // 3
	if v, ok := moveTo(a, "description", A, "description"); ok { // 4
		d.copyIf("message", v)
	}
	if v, ok := moveTo(a, "tenantId", A, "tenant_id"); ok { // 5
		d.copyIf("cloud.account.id", v)
	}
	alertDate(a, "createdDateTime", A, "created_datetime", d, "event.created")        // 6
	alertDate(a, "lastActivityDateTime", A, "last_activity_datetime", d, "event.end") // 7
	if v, ok := moveTo(a, "id", A, "id"); ok {                                        // 8
		d.copyIf("event.id", v)
	}
	if v, ok := moveTo(a, "serviceSource", A, "service_source"); ok { // 9
		d.copyIf("event.provider", v)
	}
	if v, ok := moveTo(a, "severity", A, "severity"); ok { // 10
		if n, ok := severityNumber(v); ok {
			d.set("event.severity", n)
		}
	}
	alertDate(a, "firstActivityDateTime", A, "first_activity_datetime", d, "event.start") // 11
	eventDuration(d)                                                                      // 12
	if v, ok := a["alertWebUrl"]; ok && v != nil {                                        // 13
		if u := urlObject(v, d, "alertWebUrl"); u != nil {
			A["web_url"] = u
			d.copyIf("event.url", u["original"])
		}
	}
	if v, ok := moveTo(a, "assignedTo", A, "assigned_to"); ok && v != nil { // 14
		d.add("related.user", v)
		d.copyIf("source.user.name", v)
	}
	if v, ok := moveTo(a, "threatFamilyName", A, "threat_family_name"); ok { // 15
		d.copyIf("threat.group.name", v)
	}
	if v, ok := moveTo(a, "category", A, "category"); ok && v != nil { // 16
		d.add("threat.tactic.name", v)
	}
	if v, ok := moveTo(a, "mitreTechniques", A, "mitre_techniques"); ok { // 17
		d.copyIf("threat.technique.subtechnique.id", v)
	}
	moveTo(a, "actorDisplayName", A, "actor_display_name")   // 18
	moveTo(a, "classification", A, "classification")         // 19
	commentAuthors(a["comments"], d, "createdByDisplayName") // 20
	moveTo(a, "comments", A, "comments")                     // 21
	moveTo(a, "detectorId", A, "detector_id")                // 22
	moveTo(a, "detectionSource", A, "detection_source")      // 23
	moveTo(a, "determination", A, "determination")           // 24
	if hasEvidence {
		runSteps(evidence, d, alertStepsE1toE5) // 25
	}
	moveTo(a, "incidentId", A, "incident_id")         // 26
	if v, ok := a["incidentWebUrl"]; ok && v != nil { // 27
		if u := urlObject(v, d, "incidentWebUrl"); u != nil {
			A["incident_web_url"] = u
		}
	}
	moveTo(a, "providerAlertId", A, "provider_alert_id")            // 28
	moveTo(a, "recommendedActions", A, "recommended_actions")       // 29
	alertDate(a, "resolvedDateTime", A, "resolved_datetime", d, "") // 30
	moveTo(a, "status", A, "status")                                // 31
	moveTo(a, "threatDisplayName", A, "threat_display_name")        // 32
	moveTo(a, "title", A, "title")                                  // 33
	if hasEvidence {                                                // 34
		runSteps(evidence, d, alertStepsE6on)
		alertAggregates(evidence, d)     // E91
		removeRawKeys(evidence, rawKeys) // E92
		m.countEvidence(evidence)
	}
	if v, ok := indexableEvidence(a["evidence"], d, "evidence"); ok {
		A["evidence"] = v
	}
	if !keepDuplicates { // §13
		for _, key := range []string{"last_update_datetime", "description", "created_datetime",
			"last_activity_datetime", "id", "service_source", "first_activity_datetime", "web_url",
			"assigned_to", "threat_family_name", "category", "mitre_techniques", "tenant_id"} {
			delete(A, key)
		}
		removeDuplicateEvidenceKeys(evidence, false)
	}
	// §12
	var start []string
	for _, v := range d.list("process.name") {
		start = append(start, v.(string))
	}
	if pn := processName(start, d.list("process.command_line")); pn != nil {
		d.set("process.name", pn)
	} else {
		delete(d.f, "process.name")
	}
	return ts
}

// moveTo moves src[key] (also null) to dst[to]; it reports the value and
// whether the key was present.
func moveTo(src map[string]any, key string, dst map[string]any, to string) (any, bool) {
	v, ok := src[key]
	if !ok {
		return nil, false
	}
	delete(src, key)
	dst[to] = v
	return v, true
}

// alertDate moves a top-level date to dst[to] with C1 when it is neither
// null nor empty; a failure records an error and drops the value. ecs (if
// set) gets a C3 copy of the result.
func alertDate(src map[string]any, key string, dst map[string]any, to string, d *doc, ecs string) {
	v, ok := moveTo(src, key, dst, to)
	if !ok || v == nil || v == "" {
		return
	}
	s, err := normDate(v)
	if err != nil {
		delete(dst, to)
		d.errorf(key + ": " + err.Error())
		return
	}
	dst[to] = s
	if ecs != "" {
		d.copyIf(ecs, s)
	}
}

// severityNumber is §7.
func severityNumber(v any) (int64, bool) {
	s, ok := v.(string)
	if !ok {
		return 0, false
	}
	switch strings.ToLower(s) {
	case "informational", "low":
		return 21, true
	case "medium":
		return 47, true
	case "high":
		return 73, true
	case "critical":
		return 99, true
	}
	return 0, false
}

// eventDuration is §8: end − start in nanoseconds of the ms-truncated values.
func eventDuration(d *doc) {
	s, ok1 := d.f["event.start"].(string)
	e, ok2 := d.f["event.end"].(string)
	if !ok1 || !ok2 {
		return
	}
	ts, err1 := time.Parse(dateLayout, s)
	te, err2 := time.Parse(dateLayout, e)
	if err1 == nil && err2 == nil {
		d.set("event.duration", te.Sub(ts).Nanoseconds())
	}
}

// urlObject is §9 with the error recorded on failure.
func urlObject(v any, d *doc, key string) map[string]any {
	u, err := urlParts(v)
	if err != nil {
		d.errorf(key + ": " + err.Error())
		return nil
	}
	return u
}

// commentAuthors C2-adds each comment's field to related.user.
func commentAuthors(comments any, d *doc, field string) {
	a, ok := comments.([]any)
	if !ok {
		return
	}
	for _, c := range a {
		if m, ok := c.(map[string]any); ok {
			if v, ok := m[field]; ok {
				d.add("related.user", v)
			}
		}
	}
}

// alertCategories is alert.md §6 (event.category and event.type).
func alertCategories(evidence []any, determination any, d *doc) {
	var cats, types []string
	addTo := func(l *[]string, s string) {
		for _, x := range *l {
			if x == s {
				return
			}
		}
		*l = append(*l, s)
	}
	has := func(s string) bool {
		for _, x := range cats {
			if x == s {
				return true
			}
		}
		return false
	}
	for _, e := range evidence {
		ev, ok := e.(map[string]any)
		if !ok {
			continue
		}
		t, _ := ev["@odata.type"].(string)
		var c string
		switch strings.TrimPrefix(t, graphPrefix) {
		case "analyzedMessageEvidence", "mailboxEvidence", "mailClusterEvidence":
			c = "email"
		case "deviceEvidence":
			c = "host"
		case "fileEvidence":
			c = "file"
		case "ipEvidence":
			c = "network"
		case "processEvidence":
			c = "process"
		case "registryKeyEvidence", "registryValueEvidence":
			c = "registry"
		case "userEvidence", "securityGroupEvidence":
			c = "iam"
		}
		if c == "" || !strings.HasPrefix(t, graphPrefix) {
			continue
		}
		addTo(&cats, c)
		switch {
		case has("registry"):
			addTo(&types, "access")
		case has("threat"):
			addTo(&types, "indicator")
		default:
			addTo(&types, "info")
		}
	}
	if c := determinationCategory(determination); c != "" {
		addTo(&cats, c)
		if has("threat") {
			addTo(&types, "indicator")
		} else {
			addTo(&types, "info")
		}
	}
	setSorted(d, "event.category", cats)
	setSorted(d, "event.type", types)
}

// determinationCategory maps a determination (case-insensitive).
func determinationCategory(v any) string {
	s, _ := v.(string)
	switch strings.ToLower(s) {
	case "malware", "malicioususeractivity":
		return "malware"
	case "phishing":
		return "email"
	case "apt":
		return "threat"
	}
	return ""
}

func setSorted(d *doc, path string, vals []string) {
	if len(vals) == 0 {
		return
	}
	var s sortedSet
	for _, v := range vals {
		s.add(v)
	}
	s.emit(d, path)
}

// removeDuplicateEvidenceKeys is the evidence part of §13 (incident: also
// logged_on_users[*].account_name).
func removeDuplicateEvidenceKeys(evidence []any, incident bool) {
	for _, e := range evidence {
		ev, ok := e.(map[string]any)
		if !ok {
			continue
		}
		for _, p := range dupEvidenceKeys {
			delIn(ev, p...)
		}
		if incident {
			if users, ok := ev["logged_on_users"].([]any); ok {
				for _, u := range users {
					if m, ok := u.(map[string]any); ok {
						delete(m, "account_name")
					}
				}
			}
		}
	}
}
