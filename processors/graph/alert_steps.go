package graph

// Evidence steps of the alert stream (alert.md §11.2–11.3).

// alertStepsE1toE5 run before the alert-level rows 26–33.
var alertStepsE1toE5 = []evStep{
	mvDate(k("createdDateTime"), k("created_datetime")), // E1
	mv(k("remediationStatus"), k("remediation_status")), // E2
	ipInterfaces, // E3
	mv(k("ipInterfaces"), k("ip_interfaces")),                          // E4
	mv(k("detailedRoles"), k("detailed_roles")),                        // E5
	mv(k("remediationStatusDetails"), k("remediation_status_details")), // E5
}

// alertStepsE6on run after the alert-level rows 26–33, up to E90.
var alertStepsE6on = steps(
	[]evStep{
		mv(k("@odata.type"), k("odata_type")),                                                               // E6
		mvDate(k("receivedDateTime"), k("received_datetime"), "email.delivery_timestamp"),                   // E7
		mvAdd(k("antiSpamDirection"), k("antispam_direction"), "email.direction"),                           // E8
		addOnly(k("subject"), "email.subject"),                                                              // E9
		mvAdd(k("recipientEmailAddress"), k("recipient_email_address"), "related.user", "email.to.address"), // E10
		mvConv(k("attachmentsCount"), k("attachments_count"), toLong),                                       // E11
		mv(k("deliveryAction"), k("delivery_action")),                                                       // E12
		mv(k("deliveryLocation"), k("delivery_location")),                                                   // E12
		addOnly(k("internetMessageId"), "email.message_id"),                                                 // E13
		addOnly(k("networkMessageId"), "email.local_id"),                                                    // E14
		mv(k("p1Sender", "@odata.type"), k("p1_sender", "odata_type")),                                      // E15
		mv(k("p2Sender", "@odata.type"), k("p2_sender", "odata_type")),                                      // E15
		mvAdd(k("p1Sender", "displayName"), k("p1_sender", "display_name"), "related.user"),                 // E16
		mvAdd(k("p1Sender", "domainName"), k("p1_sender", "domain_name"), "related.hosts"),                  // E17
	},
	passes(k("p1Sender", "emailAddress"), k("p1_sender", "email_address"), "email.from.address", "email.sender.address", "related.user"), // E18
	[]evStep{
		mvAdd(k("p2Sender", "displayName"), k("p2_sender", "display_name"), "related.user"), // E19
		mvAdd(k("p2Sender", "domainName"), k("p2_sender", "domain_name"), "related.hosts"),  // E20
	},
	passes(k("p2Sender", "emailAddress"), k("p2_sender", "email_address"), "email.from.address", "related.user"), // E21
	[]evStep{
		mvConv(k("senderIp"), k("sender_ip"), toIP, "source.ip", "related.ip"),   // E22
		mv(k("threatDetectionMethods"), k("threat_detection_methods")),           // E23
		mvConv(k("urlCount"), k("url_count"), toLong),                            // E24
		mvConv(k("instanceId"), k("instance_id"), toStr, "cloud.instance.id"),    // E25
		mvAdd(k("instanceName"), k("instance_name"), "cloud.instance.name"),      // E26
		mvConv(k("appId"), k("app_id"), toStr),                                   // E27
		mv(k("displayName"), k("display_name")),                                  // E28
		mvConv(k("saasAppId"), k("saas_app_id"), toStr),                          // E29
		mv(k("vmMetadata", "cloudProvider"), k("vm_metadata", "cloud_provider")), // E30
		mvAdd(k("mdeDeviceId"), k("mde_device_id"), "related.hosts"),             // E31
	},
	passes(k("osPlatform"), k("os_platform"), "host.os.name", "related.hosts"), // E32
	passes(k("version"), k("version"), "host.os.version", "related.hosts"),     // E33
	[]evStep{
		mvAdd(k("azureAdDeviceId"), k("azure_ad_device_id"), "device.id"), // E34
		mv(k("defenderAvStatus"), k("defender_av_status")),                // E35
		mvAdd(k("deviceDnsName"), k("device_dns_name"), "related.hosts"),  // E36
		mvDate(k("firstSeenDateTime"), k("first_seen_datetime")),          // E37
		mv(k("healthStatus"), k("health_status")),                         // E38
		each("loggedOnUsers", func(u map[string]any, d *doc) { // E39
			if v, ok := move(u, k("accountName"), k("account_name")); ok {
				d.add("related.user", v)
			}
		}),
		each("loggedOnUsers", func(u map[string]any, d *doc) { // E40
			if v, ok := move(u, k("domainName"), k("domain_name")); ok {
				d.add("related.hosts", v)
			}
		}),
		each("loggedOnUsers", func(u map[string]any, _ *doc) { move(u, k("@odata.type"), k("odata_type")) }), // E41
		mv(k("loggedOnUsers"), k("logged_on_users")),                                                         // E42
		mv(k("onboardingStatus"), k("onboarding_status")),                                                    // E43
		mvConv(k("osBuild"), k("os_build"), toStr),                                                           // E44
		mvConv(k("rbacGroupId"), k("rbac_group", "id"), toStr),                                               // E45
		mv(k("rbacGroupName"), k("rbac_group", "name")),                                                      // E46
		mv(k("riskScore"), k("risk_score")),                                                                  // E46
		mv(k("vmMetadata", "@odata.type"), k("vm_metadata", "odata_type")),                                   // E47
		mv(k("vmMetadata", "resourceId"), k("vm_metadata", "resource_id")),                                   // E47
		mv(k("vmMetadata", "subscriptionId"), k("vm_metadata", "subscription_id")),                           // E47
		mv(k("vmMetadata", "vmId"), k("vm_metadata", "vm_id")),                                               // E47
		mvAdd(k("detectionStatus"), k("detection_status"), "event.action"),                                   // E48
		mv(k("fileDetails", "@odata.type"), k("file_details", "odata_type")),                                 // E49
	},
	passes(k("fileDetails", "sha1"), k("file_details", "sha1"), "file.hash.sha1", "related.hash"),       // E50
	passes(k("fileDetails", "sha256"), k("file_details", "sha256"), "file.hash.sha256", "related.hash"), // E51
	[]evStep{
		mvAdd(k("fileDetails", "fileName"), k("file_details", "name"), "file.name"), // E52
		mvAdd(k("fileDetails", "filePath"), k("file_details", "path"), "file.path"), // E53
		mvConv(k("fileDetails", "fileSize"), k("file_details", "size"), toLong),     // E54
		mv(k("fileDetails", "filePublisher"), k("file_details", "publisher")),       // E55
		mv(k("fileDetails", "issuer"), k("file_details", "issuer")),                 // E55
		mv(k("fileDetails", "signer"), k("file_details", "signer")),                 // E55
	},
	convPasses(k("ipAddress"), k("ip_address"), toIP, "host.ip", "related.ip"), // E56
	[]evStep{
		mv(k("userAccount", "@odata.type"), k("user_account", "odata_type")),                                   // E57
		mvAdd(k("userAccount", "domainName"), k("user_account", "domain_name"), "related.hosts"),               // E58
		mvAdd(k("userAccount", "azureAdUserId"), k("user_account", "azure_ad_user_id"), "related.user"),        // E59
		mvAdd(k("userAccount", "userPrincipalName"), k("user_account", "user_principal_name"), "related.user"), // E60
		mv(k("primaryAddress"), k("primary_address")),                                                          // E61
		mvAdd(k("userAccount", "accountName"), k("user_account", "account_name"), "related.user"),              // E62
		mvAdd(k("userAccount", "userSid"), k("user_account", "user_sid"), "related.user"),                      // E63
		mv(k("clusterBy"), k("cluster_by")),                                                                    // E64
		mv(k("clusterByValue"), k("cluster_by_value")),                                                         // E64
		mvConv(k("emailCount"), k("email_count"), toLong),                                                      // E65
		mv(k("networkMessageIds"), k("network_message_ids")),                                                   // E66
		mv(k("objectId"), k("object_id")),                                                                      // E66
		mvAdd(k("processCommandLine"), k("process", "command_line"), "process.command_line"),                   // E67
		mv(k("imageFile", "@odata.type"), k("image_file", "odata_type")),                                       // E68
	},
	passes(k("imageFile", "sha1"), k("image_file", "sha1"), "process.hash.sha1", "related.hash"),       // E69
	passes(k("imageFile", "sha256"), k("image_file", "sha256"), "process.hash.sha256", "related.hash"), // E70
	[]evStep{
		mv(k("parentProcessImageFile", "@odata.type"), k("parent_process", "image_file", "odata_type")), // E71
	},
	passes(k("parentProcessImageFile", "sha1"), k("parent_process", "image_file", "sha1"), "process.parent.hash.sha1", "related.hash"),       // E72
	passes(k("parentProcessImageFile", "sha256"), k("parent_process", "image_file", "sha256"), "process.parent.hash.sha256", "related.hash"), // E73
	[]evStep{
		mvConv(k("parentProcessId"), k("parent_process", "id"), toLong),                                              // E74
		mvDate(k("parentProcessCreationDateTime"), k("parent_process", "creation_datetime"), "process.parent.start"), // E75
		mvConv(k("processId"), k("process", "id"), toLong),                                                           // E76
		mvDate(k("processCreationDateTime"), k("process", "creation_datetime"), "process.start"),                     // E77
		func(ev map[string]any, d *doc) { // E78
			v, _ := getIn(ev, "imageFile", "fileName")
			d.add("process.name", v)
		},
		mv(k("imageFile", "fileName"), k("image_file", "name")),                                            // E79
		mv(k("imageFile", "filePath"), k("image_file", "path")),                                            // E79
		mv(k("imageFile", "filePublisher"), k("image_file", "publisher")),                                  // E79
		mvConv(k("imageFile", "fileSize"), k("image_file", "size"), toLong),                                // E80
		mv(k("imageFile", "issuer"), k("image_file", "issuer")),                                            // E81
		mv(k("imageFile", "signer"), k("image_file", "signer")),                                            // E81
		mv(k("parentProcessImageFile", "fileName"), k("parent_process", "image_file", "name")),             // E82
		mv(k("parentProcessImageFile", "filePath"), k("parent_process", "image_file", "path")),             // E82
		mv(k("parentProcessImageFile", "filePublisher"), k("parent_process", "image_file", "publisher")),   // E82
		mvConv(k("parentProcessImageFile", "fileSize"), k("parent_process", "image_file", "size"), toLong), // E83
		mv(k("parentProcessImageFile", "issuer"), k("parent_process", "image_file", "issuer")),             // E84
		mv(k("parentProcessImageFile", "signer"), k("parent_process", "image_file", "signer")),             // E84
		mvAdd(k("registryHive"), k("registry_hive"), "registry.hive"),                                      // E85
		mvAdd(k("registryKey"), k("registry_key"), "registry.key"),                                         // E86
		mvAdd(k("registryValueType"), k("registry_value_type"), "registry.data.type"),                      // E87
		mvAdd(k("registryValue"), k("registry_value"), "registry.value"),                                   // E88
		mv(k("registryValueName"), k("registry_value_name")),                                               // E89
		mvAdd(k("securityGroupId"), k("security_group_id"), "group.id"),                                    // E90
	},
)

// passes moves from → to in a first pass, then C2-adds the moved value to
// each list in a separate pass over all evidence (so several evidence
// objects feeding one list keep the spec's step-major order).
func passes(from, to []string, lists ...string) []evStep {
	out := []evStep{mv(from, to)}
	for _, l := range lists {
		out = append(out, addOnly(to, l))
	}
	return out
}

// convPasses is passes with a C5 conversion on the move.
func convPasses(from, to []string, c conv, lists ...string) []evStep {
	out := []evStep{mvConv(from, to, c)}
	for _, l := range lists {
		out = append(out, addOnly(to, l))
	}
	return out
}

// alertAggregates is alert.md §11.4 (E91).
func alertAggregates(evidence []any, d *doc) {
	var provider bool
	var groupName, hostID, userDomain, userID, userEmail, userName, procUserID, procUserName, fileSize, pid, ppid sortedSet
	for _, e := range evidence {
		ev, ok := e.(map[string]any)
		if !ok {
			continue
		}
		typ, has := evidenceType(ev)
		if !has {
			continue
		}
		if cp, ok := getIn(ev, "vm_metadata", "cloud_provider"); ok && isAzure(cp) {
			provider = true
		}
		switch typ {
		case "securityGroupEvidence":
			groupName.add(ev["display_name"])
		case "deviceEvidence":
			hostID.add(ev["mde_device_id"])
		case "mailboxEvidence", "userEvidence":
			ua, _ := ev["user_account"].(map[string]any)
			userDomain.add(ua["domain_name"])
			userID.add(ua["azure_ad_user_id"])
			userEmail.add(ua["user_principal_name"])
			userName.add(ua["account_name"])
		case "processEvidence":
			ua, _ := ev["user_account"].(map[string]any)
			procUserID.add(ua["azure_ad_user_id"])
			procUserName.add(ua["account_name"])
			if v, ok := getIn(ev, "process", "id"); ok {
				pid.add(v)
			}
			if v, ok := getIn(ev, "parent_process", "id"); ok {
				ppid.add(v)
			}
		case "fileEvidence":
			if v, ok := getIn(ev, "file_details", "size"); ok {
				fileSize.add(v)
			}
		}
	}
	if provider {
		d.set("cloud.provider", []any{"azure"})
	}
	groupName.emit(d, "group.name")
	hostID.emit(d, "host.id")
	userDomain.emit(d, "user.domain")
	userID.emit(d, "user.id")
	userEmail.emit(d, "user.email")
	userName.emit(d, "user.name")
	procUserID.emit(d, "process.user.id")
	procUserName.emit(d, "process.user.name")
	fileSize.emit(d, "file.size")
	pid.emit(d, "process.pid")
	ppid.emit(d, "process.parent.pid")
	for _, v := range d.list("process.pid") {
		d.add("process.entity_id", v)
	}
	for _, v := range d.list("process.parent.pid") {
		d.add("process.parent.entity_id", v)
	}
}

func isAzure(v any) bool {
	s, ok := v.(string)
	return ok && len(s) == 5 && (s[0]|0x20) == 'a' && (s[1]|0x20) == 'z' && (s[2]|0x20) == 'u' && (s[3]|0x20) == 'r' && (s[4]|0x20) == 'e'
}
