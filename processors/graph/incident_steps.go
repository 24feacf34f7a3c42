package graph

import (
	"regexp"
	"strings"
)

// Evidence steps of the incident stream (incident.md §11.2).

// incidentStepsE1toE3 run right after the pre-pass (row 25).
var incidentStepsE1toE3 = []evStep{
	mvDate(k("createdDateTime"), k("created_datetime")),                // E1
	mv(k("remediationStatus"), k("remediation_status")),                // E2
	mv(k("remediationStatusDetails"), k("remediation_status_details")), // E3
}

// incidentStepsE4on run at row 47, up to E72.
var incidentStepsE4on = steps(
	[]evStep{
		mv(k("@odata.type"), k("odata_type")),                                                               // E4
		mvDate(k("receivedDateTime"), k("received_datetime"), "email.delivery_timestamp"),                   // E5
		mvAdd(k("antiSpamDirection"), k("antispam_direction"), "email.direction"),                           // E6
		addOnly(k("subject"), "email.subject"),                                                              // E7
		mvAdd(k("recipientEmailAddress"), k("recipient_email_address"), "related.user", "email.to.address"), // E8
		mvConv(k("attachmentsCount"), k("attachments_count"), toLong),                                       // E9
		mv(k("deliveryAction"), k("delivery_action")),                                                       // E10
		mv(k("deliveryLocation"), k("delivery_location")),                                                   // E10
		mv(k("internetMessageId"), k("internet_message_id")),                                                // E11
		mv(k("networkMessageId"), k("network_message_id")),                                                  // E11
		mv(k("p1Sender", "@odata.type"), k("p1_sender", "odata_type")),                                      // E12
		mv(k("p2Sender", "@odata.type"), k("p2_sender", "odata_type")),                                      // E12
		mvAdd(k("p1Sender", "displayName"), k("p1_sender", "display_name"), "related.user"),                 // E13
		mvAdd(k("p1Sender", "domainName"), k("p1_sender", "domain_name"), "related.hosts"),                  // E14
	},
	passes(k("p1Sender", "emailAddress"), k("p1_sender", "email_address"), "email.from.address", "related.user"), // E15
	[]evStep{
		mvAdd(k("p2Sender", "displayName"), k("p2_sender", "display_name"), "related.user"), // E16
		mvAdd(k("p2Sender", "domainName"), k("p2_sender", "domain_name"), "related.hosts"),  // E17
	},
	passes(k("p2Sender", "emailAddress"), k("p2_sender", "email_address"), "email.from.address", "related.user"), // E18
	[]evStep{
		mvConv(k("senderIp"), k("sender_ip"), toIP, "related.ip"),                // E19
		mv(k("threatDetectionMethods"), k("threat_detection_methods")),           // E20
		mvConv(k("urlCount"), k("url_count"), toLong),                            // E21
		mvConv(k("instanceId"), k("instance_id"), toStr, "cloud.instance.id"),    // E22
		mvAdd(k("instanceName"), k("instance_name"), "cloud.instance.name"),      // E23
		mvConv(k("appId"), k("app_id"), toStr),                                   // E24
		mv(k("displayName"), k("display_name")),                                  // E24
		mvConv(k("saasAppId"), k("saas_app_id"), toStr),                          // E24
		mv(k("vmMetadata", "cloudProvider"), k("vm_metadata", "cloud_provider")), // E24
		mv(k("mdeDeviceId"), k("mde_device_id")),                                 // E25
		mvAdd(k("osPlatform"), k("os_platform"), "host.os.name"),                 // E26
		addOnly(k("version"), "host.os.version"),                                 // E27
		mvAdd(k("azureAdDeviceId"), k("azure_ad_device_id"), "device.id"),        // E28
		mv(k("defenderAvStatus"), k("defender_av_status")),                       // E29
	},
	passes(k("deviceDnsName"), k("device_dns_name"), "related.hosts", "host.name", "host.hostname"), // E30
	[]evStep{
		mvDate(k("firstSeenDateTime"), k("first_seen_datetime")), // E31
		mv(k("healthStatus"), k("health_status")),                // E32
		each("loggedOnUsers", func(u map[string]any, d *doc) { // E33, first pass
			if v, ok := move(u, k("accountName"), k("account_name")); ok {
				d.add("user.name", v)
			}
		}),
		each("loggedOnUsers", func(u map[string]any, d *doc) { // E33, second pass
			if v, ok := u["account_name"]; ok {
				d.add("related.user", v)
			}
		}),
		each("loggedOnUsers", func(u map[string]any, d *doc) { // E34
			if v, ok := move(u, k("domainName"), k("domain_name")); ok {
				d.add("related.hosts", v)
			}
		}),
		each("loggedOnUsers", func(u map[string]any, _ *doc) { move(u, k("@odata.type"), k("odata_type")) }), // E35
		mv(k("loggedOnUsers"), k("logged_on_users")),                                                         // E35
		mv(k("onboardingStatus"), k("onboarding_status")),                                                    // E36
		mvConv(k("osBuild"), k("os_build"), toStr),                                                           // E36
		mvConv(k("rbacGroupId"), k("rbac_group", "id"), toStr),                                               // E36
		mv(k("rbacGroupName"), k("rbac_group", "name")),                                                      // E36
		mv(k("riskScore"), k("risk_score")),                                                                  // E36
		mv(k("vmMetadata", "@odata.type"), k("vm_metadata", "odata_type")),                                   // E36
		mv(k("vmMetadata", "resourceId"), k("vm_metadata", "resource_id")),                                   // E36
		mv(k("vmMetadata", "subscriptionId"), k("vm_metadata", "subscription_id")),                           // E36
		mv(k("vmMetadata", "vmId"), k("vm_metadata", "vm_id")),                                               // E36
		mvAdd(k("detectionStatus"), k("detection_status"), "event.action"),                                   // E37
		mv(k("fileDetails", "@odata.type"), k("file_details", "odata_type")),                                 // E38
	},
	passes(k("fileDetails", "sha1"), k("file_details", "sha1"), "file.hash.sha1", "related.hash"),       // E39
	passes(k("fileDetails", "sha256"), k("file_details", "sha256"), "file.hash.sha256", "related.hash"), // E40
	[]evStep{
		mvAdd(k("fileDetails", "fileName"), k("file_details", "name"), "file.name"), // E41
		mv(k("fileDetails", "filePath"), k("file_details", "path")),                 // E42
		func(ev map[string]any, d *doc) { // E42: directory + \ + name, for every evidence
			p, _ := getIn(ev, "file_details", "path")
			n, _ := getIn(ev, "file_details", "name")
			d.addText("file.path", text(p)+`\`+text(n))
		},
		mvConv(k("fileDetails", "fileSize"), k("file_details", "size"), toLong), // E43
		mv(k("fileDetails", "filePublisher"), k("file_details", "publisher")),   // E43
		mv(k("fileDetails", "issuer"), k("file_details", "issuer")),             // E43
		mv(k("fileDetails", "signer"), k("file_details", "signer")),             // E43
	},
	convPasses(k("ipAddress"), k("ip_address"), toIP, "source.ip", "related.ip"), // E44
	[]evStep{
		mv(k("userAccount", "@odata.type"), k("user_account", "odata_type")),                                   // E45
		mvAdd(k("userAccount", "domainName"), k("user_account", "domain_name"), "related.hosts"),               // E46
		mvAdd(k("userAccount", "azureAdUserId"), k("user_account", "azure_ad_user_id"), "related.user"),        // E47
		mvAdd(k("userAccount", "userPrincipalName"), k("user_account", "user_principal_name"), "related.user"), // E48
	},
	passes(k("primaryAddress"), k("primary_address"), "user.email", "related.user"), // E49
	[]evStep{
		mv(k("userAccount", "accountName"), k("user_account", "account_name")),               // E50
		mv(k("userAccount", "displayName"), k("user_account", "display_name")),               // E50
		addOnly(k("user_account", "display_name"), "related.user"),                           // E50
		addOnly(k("user_account", "account_name"), "related.user"),                           // E50
		mvAdd(k("userAccount", "userSid"), k("user_account", "user_sid"), "related.user"),    // E51
		mv(k("clusterBy"), k("cluster_by")),                                                  // E52
		mv(k("clusterByValue"), k("cluster_by_value")),                                       // E52
		mvConv(k("emailCount"), k("email_count"), toLong),                                    // E52
		mv(k("networkMessageIds"), k("network_message_ids")),                                 // E52
		mv(k("objectId"), k("object_id")),                                                    // E52
		mvAdd(k("processCommandLine"), k("process", "command_line"), "process.command_line"), // E53
		mv(k("imageFile", "@odata.type"), k("image_file", "odata_type")),                     // E55
	},
	passes(k("imageFile", "sha1"), k("image_file", "sha1"), "process.hash.sha1", "related.hash"),       // E56
	passes(k("imageFile", "sha256"), k("image_file", "sha256"), "process.hash.sha256", "related.hash"), // E57
	[]evStep{
		mv(k("parentProcessImageFile", "@odata.type"), k("parent_process", "image_file", "odata_type")), // E58
	},
	passes(k("parentProcessImageFile", "sha1"), k("parent_process", "image_file", "sha1"), "process.parent.hash.sha1", "related.hash"),       // E59
	passes(k("parentProcessImageFile", "sha256"), k("parent_process", "image_file", "sha256"), "process.parent.hash.sha256", "related.hash"), // E60
	[]evStep{
		mvConv(k("parentProcessId"), k("parent_process", "id"), toLong),                                              // E61
		mvDate(k("parentProcessCreationDateTime"), k("parent_process", "creation_datetime"), "process.parent.start"), // E62
		mvConv(k("processId"), k("process", "id"), toLong),                                                           // E63
		mvDate(k("processCreationDateTime"), k("process", "creation_datetime"), "process.start"),                     // E64
		mv(k("imageFile", "fileName"), k("image_file", "name")),                                                      // E65
		mv(k("imageFile", "filePath"), k("image_file", "path")),                                                      // E65
		mv(k("imageFile", "filePublisher"), k("image_file", "publisher")),                                            // E65
		mvConv(k("imageFile", "fileSize"), k("image_file", "size"), toLong),                                          // E65
		mv(k("imageFile", "issuer"), k("image_file", "issuer")),                                                      // E65
		mv(k("imageFile", "signer"), k("image_file", "signer")),                                                      // E65
		mv(k("parentProcessImageFile", "fileName"), k("parent_process", "image_file", "name")),                       // E65
		mv(k("parentProcessImageFile", "filePath"), k("parent_process", "image_file", "path")),                       // E65
		mv(k("parentProcessImageFile", "filePublisher"), k("parent_process", "image_file", "publisher")),             // E65
		mvConv(k("parentProcessImageFile", "fileSize"), k("parent_process", "image_file", "size"), toLong),           // E65
		mv(k("parentProcessImageFile", "issuer"), k("parent_process", "image_file", "issuer")),                       // E65
		mv(k("parentProcessImageFile", "signer"), k("parent_process", "image_file", "signer")),                       // E65
	},
)

// incidentStepsE67on are the registry and group steps (after E66).
var incidentStepsE67on = []evStep{
	mvAdd(k("registryHive"), k("registry_hive"), "registry.hive"),                 // E67
	mvAdd(k("registryKey"), k("registry_key"), "registry.key"),                    // E68
	mvAdd(k("registryValueType"), k("registry_value_type"), "registry.data.type"), // E69
	mvAdd(k("registryValue"), k("registry_value"), "registry.value"),              // E70
	mv(k("registryValueName"), k("registry_value_name")),                          // E71
	mvAdd(k("securityGroupId"), k("security_group_id"), "group.id"),               // E72
}

// incidentRawKeys is §11.5 without internetMessageId/networkMessageId.
var incidentRawKeys = rawKeys[:len(rawKeys)-2]

// incidentProcessAggregates is §12.2 (E66).
func incidentProcessAggregates(evidence []any, d *doc) {
	var exe, pexe, fileSize, pid, ppid, entity, pentity sortedSet
	for _, e := range evidence {
		ev, ok := e.(map[string]any)
		if !ok {
			continue
		}
		if f, ok := ev["image_file"].(map[string]any); ok {
			exe.add(executable(f))
		}
		if f, ok := getIn(ev, "parent_process", "image_file"); ok {
			if f, ok := f.(map[string]any); ok {
				pexe.add(executable(f))
			}
		}
		typ, has := evidenceType(ev)
		if !has {
			continue
		}
		switch typ {
		case "fileEvidence":
			if v, ok := getIn(ev, "file_details", "size"); ok {
				fileSize.add(v)
			}
		case "processEvidence":
			id, okID := getIn(ev, "process", "id")
			if okID {
				pid.add(id)
			}
			pp, okPP := getIn(ev, "parent_process", "id")
			if okPP {
				ppid.add(pp)
			}
			mde, okM := ev["mde_device_id"]
			if c, ok := getIn(ev, "process", "creation_datetime"); ok && okID && okM && id != nil && c != nil && mde != nil {
				entity.add(text(id) + "|" + text(c) + "|" + text(mde))
			}
			if c, ok := getIn(ev, "parent_process", "creation_datetime"); ok && okPP && okM && pp != nil && c != nil && mde != nil {
				pentity.add(text(pp) + "|" + text(c) + "|" + text(mde))
			}
		}
	}
	fileSize.emit(d, "file.size")
	pid.emit(d, "process.pid")
	ppid.emit(d, "process.parent.pid")
	entity.emit(d, "process.entity_id")
	pentity.emit(d, "process.parent.entity_id")
	scalarOrList(d, "process.executable", &exe)
	scalarOrList(d, "process.parent.executable", &pexe)
}

// executable joins an image file's path and name (§12.2); "" when there
// is no name.
func executable(f map[string]any) any {
	n, okN := f["name"]
	if !okN || n == nil {
		return ""
	}
	p, okP := f["path"]
	if !okP || p == nil {
		return text(n)
	}
	ps, ns := text(p), text(n)
	sep := "/"
	if strings.Contains(ps, `\`) {
		sep = `\`
	}
	if strings.HasSuffix(ps, sep) {
		return ps + ns
	}
	return ps + sep + ns
}

// scalarOrList emits a sorted set: one value → string, more → list.
func scalarOrList(d *doc, path string, s *sortedSet) {
	s.emit(d, path)
	if l := d.list(path); len(l) == 1 {
		d.set(path, l[0])
	}
}

// incidentAggregates is §11.4 for the incident stream (E73).
func incidentAggregates(evidence []any, d *doc) {
	var provider bool
	var groupName, hostID, userDomain, userID, userName, procUserID, procUserName sortedSet
	for _, e := range evidence {
		ev, ok := e.(map[string]any)
		if !ok {
			continue
		}
		if cp, ok := getIn(ev, "vm_metadata", "cloud_provider"); ok && isAzure(cp) {
			provider = true // also evidence without odata_type
		}
		typ, has := evidenceType(ev)
		if !has {
			continue
		}
		switch typ {
		case "securityGroupEvidence":
			groupName.add(ev["display_name"])
		case "deviceEvidence":
			hostID.add(ev["mde_device_id"])
		case "mailboxEvidence", "userEvidence":
			ua, _ := ev["user_account"].(map[string]any)
			userDomain.add(ua["domain_name"])
			userID.add(ua["user_principal_name"])
			userName.add(ua["account_name"])
		case "processEvidence":
			ua, _ := ev["user_account"].(map[string]any)
			procUserID.add(ua["azure_ad_user_id"])
			procUserName.add(ua["account_name"])
		}
	}
	if provider {
		d.set("cloud.provider", []any{"azure"})
	}
	groupName.emit(d, "group.name")
	hostID.emit(d, "host.id")
	userDomain.emit(d, "user.domain")
	userID.emit(d, "user.id")
	userName.emit(d, "user.name")
	procUserID.emit(d, "process.user.id")
	procUserName.emit(d, "process.user.name")
}

// hashEntityIDs is E75: every entity id element becomes its fingerprint.
func hashEntityIDs(d *doc) {
	for _, p := range []string{"process.entity_id", "process.parent.entity_id"} {
		for i, v := range d.list(p) {
			if s, ok := v.(string); ok {
				d.list(p)[i] = hashText(s)
			}
		}
	}
}

// lowerHostNames is E77.
func lowerHostNames(d *doc) {
	for i, v := range d.list("host.name") {
		if s, ok := v.(string); ok {
			d.list("host.name")[i] = strings.ToLower(s)
		}
	}
}

// assigneeRE finds NAME@HOST in an incident assignee (§10).
var assigneeRE = regexp.MustCompile(`([A-Za-z0-9._-]+)@((?:[A-Za-z0-9][A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9][A-Za-z0-9-]{0,62})*\.?)\b`)

// assignee is §10 for a string assignee.
func assignee(s string, d *doc) {
	if m := assigneeRE.FindStringSubmatch(s); m != nil {
		d.set("source.user.name", m[1])
		d.set("source.user.domain", m[2])
	} else {
		d.copyIf("source.user.name", s)
	}
	if strings.IndexByte(s, '@') > 0 {
		d.set("source.user.email", s)
	}
	if v, ok := d.f["source.user.name"]; ok {
		d.add("related.user", v)
	}
	if v, ok := d.f["source.user.email"]; ok {
		d.add("related.user", v)
	}
}
