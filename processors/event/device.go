package event

import (
	"strings"
	"sync"

	"github.com/elastic/elastic-agent-libs/mapstr"
	"github.com/valyala/fastjson"

	"github.com/m365beat/m365beat/processors/internal/ecs"
)

// deviceMapper maps the Device* tables and CloudProcessEvents
// (event-device.md, event-other.md §3).
type deviceMapper struct {
	cols map[string]*column
}

// targetIdx indexes deviceRec.vals by m365_defender.event target path; the
// extra slot holds network_direction (not a column of its own).
var (
	targetIdx    = map[string]int{}
	idxDirection = len(deviceColumns)
)

func init() {
	m := &deviceMapper{cols: make(map[string]*column, len(deviceColumns))}
	for i := range deviceColumns {
		deviceColumns[i].idx = i
		m.cols[deviceColumns[i].name] = &deviceColumns[i]
		targetIdx[deviceColumns[i].target] = i
	}
	targetIdx["network_direction"] = idxDirection
	parents := map[string]int{}
	for i := range deviceColumns {
		col := &deviceColumns[i]
		if j := strings.IndexByte(col.target, '.'); j >= 0 {
			col.parent, col.leaf = col.target[:j], col.target[j+1:]
			if _, ok := parents[col.parent]; !ok {
				parents[col.parent] = len(parents)
			}
			col.pid = parents[col.parent]
		}
	}
	if len(parents) > maxParents {
		panic("event: raise maxParents")
	}
	RegisterMapper(FamilyDevice, m)
}

// Known reports whether the device dictionary maps col.
func (m *deviceMapper) Known(col string) bool {
	_, ok := m.cols[col]
	return ok
}

var recPool = sync.Pool{New: func() any { return new(deviceRec) }}

// deviceRec is the per-record state of the device mapping.
type deviceRec struct {
	c      *Ctx
	cats   []string
	hasCat bool
	pGroup bool
	fGroup bool
	il     bool
	auth   bool
	net    bool
	file   bool
	logon  bool
	// users is the decoded LoggedOnUsers column (§5.13).
	users any
	// adapter is the raw NetworkAdapterName column (§5.13).
	adapter *fastjson.Value
	// vals mirrors m365_defender.event.<target> by column index, so the
	// derivations read values without walking the document.
	vals [len(deviceColumnsArr) + 1]any
	// nInit counts the non-null InitiatingProcess* columns.
	nInit int
	// subs caches the m365_defender.event sub-objects by column parent id.
	subs [maxParents]mapstr.M
}

// maxParents bounds the distinct target parents of the dictionary.
const maxParents = 24

func deviceFail(step, tag, reason string) error {
	return &HardError{Step: step, Tag: tag, Reason: reason}
}

// Map implements Mapper.
func (m *deviceMapper) Map(c *Ctx) error {
	r := recPool.Get().(*deviceRec)
	*r = deviceRec{c: c}
	defer func() { r.c, r.users, r.adapter = nil, nil, nil; recPool.Put(r) }()
	// 1. event.kind, event.category, event.type (§3, §4).
	c.Put("event.kind", "event")
	r.classify()
	if err := r.eventType(); err != nil {
		return err
	}
	// 2.–6. conversions and dictionary moves (§2.2), in phase order.
	if c.Props != nil {
		type pending struct {
			col *column
			v   *fastjson.Value
		}
		var buf [64]pending
		list := buf[:0]
		c.Props.Visit(func(k []byte, v *fastjson.Value) {
			if col, ok := m.cols[string(k)]; ok {
				list = append(list, pending{col, v})
				if col.parent == "initiating_process" && v.Type() != fastjson.TypeNull {
					r.nInit++
				}
			} else {
				c.noteUnknown(k, v)
			}
		})
		c.unknownSet = true
		for phase := 0; phase < 3; phase++ {
			for _, p := range list {
				if convPhase(p.col.conv) == phase {
					r.move(p.col, p.v)
				}
			}
		}
	}
	// 7. ECS derivations §5.1 → §5.16.
	if r.fGroup {
		r.fileFields()
	}
	r.certificate()
	if r.il {
		r.dllFields()
	}
	if r.pGroup {
		r.processFromFile()
		r.parentFromInitiating()
	}
	if r.fGroup {
		r.processFromInitiating()
	}
	r.processColumns()
	r.cloudColumns()
	if err := r.host(); err != nil {
		return err
	}
	r.registry()
	r.sourceDestination()
	if err := r.userNetwork(); err != nil {
		return err
	}
	r.url()
	if err := r.adapterAndUsers(); err != nil {
		return err
	}
	if err := r.commandLines(); err != nil {
		return err
	}
	r.geo()
	r.related()
	// 8. duplicate removal (§5.17).
	if !c.PreserveDuplicates {
		deviceDupPaths.remove(c.EV)
	}
	return nil
}

// convPhase orders conversions as §2.2: AdditionalFields, other JSON
// columns, then everything else.
func convPhase(cv conv) int {
	switch cv {
	case cAddFields:
		return 0
	case cJSON, cUsers:
		return 1
	}
	return 2
}

func (r *deviceRec) classify() {
	cat := r.c.Cat
	add := func(v string) { r.cats = append(r.cats, v) }
	has := strings.Contains
	if has(cat, "devicelogonevents") {
		add("authentication")
	}
	if has(cat, "deviceevents") || has(cat, "deviceinfo") {
		add("host")
	}
	if has(cat, "devicefileevents") || has(cat, "devicefilecertificateinfo") {
		add("file")
	}
	if has(cat, "deviceprocessevents") || has(cat, "cloudprocessevents") {
		add("process")
	}
	if has(cat, "deviceimageloadevents") {
		add("library")
	}
	if has(cat, "devicenetworkevents") || has(cat, "devicenetworkinfo") {
		add("network")
	}
	if has(cat, "deviceregistryevents") {
		add("registry")
	}
	r.hasCat = len(r.cats) > 0
	if r.hasCat {
		r.c.Put("event.category", r.cats)
	}
	r.pGroup = r.hasCat && (contains(r.cats, "process") || has(cat, "deviceevents"))
	r.fGroup = r.hasCat && !r.pGroup
	r.il = has(cat, "deviceimageloadevents")
	r.auth = contains(r.cats, "authentication")
	r.net = contains(r.cats, "network")
	r.file = contains(r.cats, "file")
	r.logon = has(cat, "devicelogonevents")
}

// eventType applies the eight event.type rules of §4 on the raw ActionType.
func (r *deviceRec) eventType() error {
	at := ""
	atExists := false
	if v := r.c.Column("ActionType"); v != nil && v.Type() != fastjson.TypeNull {
		if v.Type() != fastjson.TypeString {
			return deviceFail("script", "event_type", "ActionType is not a string")
		}
		at = strings.ToLower(string(v.GetStringBytes()))
		atExists = true
	}
	has := func(subs ...string) bool {
		for _, s := range subs {
			if strings.Contains(at, s) {
				return true
			}
		}
		return false
	}
	var types []string
	if contains(r.cats, "authentication") || contains(r.cats, "host") || contains(r.cats, "file") ||
		has("openprocess", "connectionfound", "networksignatureinspected", "devicenetworkinfo") {
		types = append(types, "info")
	}
	if has("connectionsuccess") {
		types = append(types, "end")
	}
	if has("connectionfailed") {
		types = append(types, "denied")
	}
	if atExists && (has("connectionrequest", "listeningconnectioncreated", "processcreated") || r.il) {
		types = append(types, "start")
	}
	if has("inboundconnectionaccepted") {
		types = append(types, "allowed")
	}
	if has("registrykeycreated") {
		types = append(types, "creation")
	}
	if has("registrykeydeleted", "registryvaluedeleted") {
		types = append(types, "deletion")
	}
	if has("registrykeyrenamed", "registryvalueset") {
		types = append(types, "change")
	}
	if len(types) > 0 {
		r.c.Put("event.type", types)
	}
	return nil
}

// move converts one dictionary column and stores it under
// m365_defender.event (§2.3–§2.6, §2.8).
func (r *deviceRec) move(col *column, v *fastjson.Value) {
	c := r.c
	if col.name == "Timestamp" {
		return // the envelope normalised it (R6)
	}
	null := v.Type() == fastjson.TypeNull
	if null && col.conv != cAdapter {
		// A null column and an absent one behave the same in every rule,
		// and nulls are pruned (R11): skip the move.
		return
	}
	isStr := v.Type() == fastjson.TypeString
	emptyStr := isStr && len(v.GetStringBytes()) == 0
	switch col.conv {
	case cAsIs:
		r.setCol(col, r.c.Arena.Value(v))
	case cActionType:
		val := r.c.Arena.Value(v)
		if s, ok := val.(string); ok && strings.Contains(strings.ToLower(s), "imageloaded") {
			val = "load"
		}
		r.setCol(col, val)
	case cAddFields:
		val, err := r.c.Arena.JSONColumn(v)
		if err != nil {
			c.Errorf("Processor json with tag json_additional_fields in pipeline %s failed with message: %v", c.Pipeline(FamilyDevice), err)
		}
		if obj, ok := ecs.Obj(val); ok {
			if d, ok := obj["direction"]; ok {
				delete(obj, "direction")
				r.set("network_direction", d)
			}
		}
		r.setCol(col, val)
	case cJSON:
		val, err := r.c.Arena.JSONColumn(v)
		if err != nil {
			c.Errorf("Processor json with tag json_%s in pipeline %s failed with message: %v", col.target, c.Pipeline(FamilyDevice), err)
		}
		r.setCol(col, val)
	case cUsers:
		val, err := r.c.Arena.JSONColumn(v)
		if err != nil {
			c.Errorf("Processor json with tag json_logged_on_users in pipeline %s failed with message: %v", c.Pipeline(FamilyDevice), err)
		}
		r.users = val
	case cDate:
		if isStr && !emptyStr {
			raw := string(v.GetStringBytes())
			if d, ok := ecs.NormalizeDate(raw); ok {
				r.setCol(col, d)
			} else {
				c.Errorf("unable to parse date [%s]", raw)
			}
			return
		}
		r.setCol(col, r.c.Arena.Value(v))
	case cLong:
		if null || emptyStr {
			return
		}
		val := r.c.Arena.Value(v)
		if n, ok := ecs.ToLong(val); ok {
			r.setCol(col, n)
		} else {
			c.Errorf("unable to convert [%s] to long", ecs.Text(val))
		}
	case cString:
		if null || emptyStr {
			return
		}
		val := r.c.Arena.Value(v)
		if a, ok := val.([]any); ok {
			out := make([]string, len(a))
			for i, x := range a {
				out[i] = ecs.Text(x)
			}
			r.setCol(col, out)
			return
		}
		r.setCol(col, ecs.Text(val))
	case cIP:
		if null {
			return
		}
		if isStr {
			if s := string(v.GetStringBytes()); ecs.ValidIP(s) {
				r.setCol(col, s)
			}
		}
	case cDHCP:
		if null || emptyStr {
			return
		}
		if isStr {
			if s := string(v.GetStringBytes()); ecs.ValidIP(s) {
				r.setCol(col, s)
				return
			}
		}
		c.Errorf("[%s] is not a valid ipv4/ipv6 address", ecs.Text(r.c.Arena.Value(v)))
	case cTruthy:
		if b, ok := ecs.Truthy(r.c.Arena.Value(v)); ok {
			r.setCol(col, b)
		}
	case cAdapter:
		r.adapter = v
	}
}

// ev returns m365_defender.event.<path>.
func (r *deviceRec) ev(path string) any {
	if i, ok := targetIdx[path]; ok {
		return r.vals[i]
	}
	v, _ := ecs.Get(r.c.EV, path)
	return v
}

// set stores m365_defender.event.<target> and its mirror.
func (r *deviceRec) set(target string, v any) {
	if i, ok := targetIdx[target]; ok {
		r.vals[i] = v
	}
	r.c.PutEV(target, v)
}

// setCol stores the value of a dictionary column.
func (r *deviceRec) setCol(col *column, v any) {
	r.vals[col.idx] = v
	if col.parent == "" {
		r.c.EV[col.target] = v
		return
	}
	sub := r.subs[col.pid]
	if sub == nil {
		var ok bool
		if sub, ok = ecs.Obj(r.c.EV[col.parent]); !ok {
			n := 0
			if col.parent == "initiating_process" {
				n = r.nInit // often 20–30 members: size once
			}
			nm := make(map[string]any, n)
			r.c.EV[col.parent] = nm
			sub = nm
		}
		r.subs[col.pid] = sub
	}
	ecs.Put(sub, col.leaf, v)
}

// cp copies m365_defender.event.<src> to the document path dst when it is
// neither null nor "" (C-4).
func (r *deviceRec) cp(src, dst string) {
	v := r.ev(src)
	if ecs.Empty(v) {
		return
	}
	if isComposite(v) {
		// The mapper writes no empty value outside m365_defender.event
		// (CleanWriter): prune a copied object or array first.
		var empty bool
		if v, empty = ecs.Prune(v); empty {
			return
		}
	}
	r.c.Put(dst, v)
}

func isComposite(v any) bool {
	switch v.(type) {
	case mapstr.M, map[string]any, []any, []string:
		return true
	}
	return false
}

// WritesNoEmptyValues implements CleanWriter: outside m365_defender.event
// the device mapper never writes null, "" or empty objects/arrays.
func (m *deviceMapper) WritesNoEmptyValues() bool { return true }

// §5.1
func (r *deviceRec) fileFields() {
	r.cp("folder_path", "file.directory")
	r.cp("md5", "file.hash.md5")
	r.cp("sha1", "file.hash.sha1")
	r.cp("sha256", "file.hash.sha256")
	r.cp("file.name", "file.name")
	r.cp("file.size", "file.size")
}

// §5.2
func (r *deviceRec) certificate() {
	r.cp("certificate.expiration_time", "file.x509.not_after")
	r.cp("certificate.serial_number", "file.x509.serial_number")
	if v := r.ev("issuer"); v != nil {
		if t := ecs.Text(v); t != "" {
			r.c.Put("file.x509.issuer.common_name", []string{t})
		}
	}
	r.cp("signer", "file.code_signature.subject_name")
	r.cp("is_signed", "file.code_signature.exists")
	r.cp("is_trusted", "file.code_signature.trusted")
}

// §5.3
func (r *deviceRec) dllFields() {
	r.cp("folder_path", "dll.path")
	r.cp("md5", "dll.hash.md5")
	r.cp("sha1", "dll.hash.sha1")
	r.cp("sha256", "dll.hash.sha256")
	r.cp("file.name", "dll.name")
	r.cp("file.size", "dll.pe.sections.physical_size")
}

// §5.4 (README T19: no process.pe.sections.physical_size)
func (r *deviceRec) processFromFile() {
	r.cp("folder_path", "process.executable")
	r.cp("md5", "process.hash.md5")
	r.cp("sha1", "process.hash.sha1")
	r.cp("sha256", "process.hash.sha256")
	r.cp("file.name", "process.name")
}

// §5.5 (README T19: no process.parent.pe.sections.physical_size)
func (r *deviceRec) parentFromInitiating() {
	r.cp("initiating_process.command_line", "process.parent.command_line")
	r.cp("initiating_process.md5", "process.parent.hash.md5")
	r.cp("initiating_process.sha1", "process.parent.hash.sha1")
	r.cp("initiating_process.sha256", "process.parent.hash.sha256")
	r.cp("initiating_process.parent_id", "process.parent.group_leader.pid")
	r.cp("initiating_process.id", "process.parent.pid")
	r.cp("initiating_process.creation_time", "process.parent.start")
	r.cp("initiating_process.file_name", "process.parent.name")
	r.cp("initiating_process.folder_path", "process.parent.executable")
	r.cp("initiating_process.parent_creation_time", "process.parent.group_leader.start")
	r.cp("initiating_process.parent_file_name", "process.parent.group_leader.name")
	r.cp("initiating_process.version_info_company_name", "process.parent.pe.company")
	r.cp("initiating_process.version_info_file_description", "process.parent.pe.description")
	r.cp("initiating_process.version_info_original_file_name", "process.parent.pe.original_file_name")
	r.cp("initiating_process.version_info_product_name", "process.parent.pe.product")
	r.cp("initiating_process.version_info_product_version", "process.parent.pe.file_version")
	r.cp("initiating_process.signature_status", "process.parent.code_signature.status")
	switch r.ev("initiating_process.signature_status") {
	case "Valid":
		r.c.Put("process.parent.code_signature.exists", true)
		r.c.Put("process.parent.code_signature.status", "trusted")
		r.c.Put("process.parent.code_signature.trusted", true)
	case "Unsigned":
		r.c.Put("process.parent.code_signature.exists", false)
		r.c.Put("process.parent.code_signature.trusted", false)
	}
}

// §5.6
func (r *deviceRec) processFromInitiating() {
	r.cp("initiating_process.command_line", "process.command_line")
	r.cp("initiating_process.md5", "process.hash.md5")
	r.cp("initiating_process.sha1", "process.hash.sha1")
	r.cp("initiating_process.sha256", "process.hash.sha256")
	r.cp("initiating_process.parent_id", "process.parent.pid")
	r.cp("initiating_process.id", "process.pid")
	r.cp("initiating_process.creation_time", "process.start")
	r.cp("initiating_process.file_name", "process.name")
	r.cp("initiating_process.file_size", "process.pe.sections.physical_size")
	r.cp("initiating_process.folder_path", "process.executable")
	r.cp("initiating_process.parent_creation_time", "process.parent.start")
	r.cp("initiating_process.parent_file_name", "process.parent.name")
	r.cp("initiating_process.version_info_company_name", "process.pe.company")
	r.cp("initiating_process.version_info_file_description", "process.pe.description")
	r.cp("initiating_process.version_info_original_file_name", "process.pe.original_file_name")
	r.cp("initiating_process.version_info_product_name", "process.pe.product")
	r.cp("initiating_process.version_info_product_version", "process.pe.file_version")
	r.cp("initiating_process.signature_status", "process.code_signature.status")
}

// §5.7
func (r *deviceRec) processColumns() {
	r.cp("process.command_line", "process.command_line")
	r.cp("process.creation_time", "process.start")
	r.cp("process.id", "process.pid")
	r.cp("process.version_info_company_name", "process.pe.company")
	r.cp("process.version_info_file_description", "process.pe.description")
	r.cp("process.version_info_original_file_name", "process.pe.original_file_name")
	r.cp("process.version_info_product_name", "process.pe.product")
	r.cp("process.version_info_product_version", "process.pe.file_version")
}

// §5.7a
func (r *deviceRec) cloudColumns() {
	r.cp("container_id", "container.id")
	r.cp("container_name", "container.name")
	r.cp("container_image_name", "container.image.name")
	r.cp("kubernetes_namespace", "orchestrator.namespace")
	r.cp("kubernetes_resource", "orchestrator.resource.name")
	if r.present("kubernetes_namespace") || r.present("kubernetes_pod_name") || r.present("kubernetes_resource") {
		r.c.Put("orchestrator.type", "kubernetes")
	}
	r.cp("process_name", "process.name")
	r.cp("parent_process_id", "process.parent.pid")
	r.cp("parent_process_name", "process.parent.name")
	r.cp("process_current_working_directory", "process.working_directory")
	switch {
	case r.present("azure_resource_id"):
		r.c.Put("cloud.provider", "azure")
	case r.present("aws_resource_name"):
		r.c.Put("cloud.provider", "aws")
	case r.present("gcp_full_resource_name"):
		r.c.Put("cloud.provider", "gcp")
	}
}

// present reports a non-null m365_defender.event field ("" counts).
func (r *deviceRec) present(path string) bool { return r.ev(path) != nil }

var posixKeys = [...]string{
	"InitiatingProcessPosixEffectiveGroup", "InitiatingProcessPosixEffectiveUser",
	"InitiatingProcessPosixFilePermissions", "InitiatingProcessPosixProcessGroupId",
	"InitiatingProcessPosixRealUser", "InitiatingProcessPosixSessionId",
}

// §5.8
func (r *deviceRec) host() error {
	c := r.c
	if v := r.ev("device.name"); !ecs.Empty(v) {
		s, ok := v.(string)
		if !ok {
			return deviceFail("lowercase", "lowercase_host_name", "DeviceName is not a string")
		}
		c.Put("host.name", strings.ToLower(s))
	}
	r.cp("device.id", "host.id")
	r.cp("public_ip.value", "host.ip")
	r.cp("os.architecture", "host.architecture")
	osType := ""
	if v := r.ev("os.platform"); v != nil {
		s, ok := v.(string)
		if !ok {
			return deviceFail("script", "host_os_type", "OSPlatform is not a string")
		}
		l := strings.ToLower(s)
		if strings.Contains(l, "windows") {
			osType = "windows"
		}
		if strings.Contains(l, "linux") {
			osType = "linux"
		}
		if strings.Contains(l, "macos") {
			osType = "macos"
		}
	}
	if osType == "" {
		if af, ok := ecs.Obj(r.ev("additional_fields")); ok {
			all := true
			for _, k := range posixKeys {
				if af[k] == nil {
					all = false
					break
				}
			}
			if all {
				osType = "unix"
			}
		}
	}
	if osType == "" && contains(r.cats, "process") && !ecs.Empty(r.ev("initiating_process.account_sid")) {
		osType = "windows"
	}
	if osType != "" {
		c.Put("host.os.type", osType)
	}
	r.cp("os.platform", "host.os.full")
	r.cp("os.distribution", "host.os.platform")
	r.cp("os.version", "host.os.version")
	r.cp("device.type", "host.type")
	if v := r.ev("mac_address"); v != nil {
		s, ok := v.(string)
		if !ok {
			return deviceFail("gsub", "gsub_mac_address", "MacAddress is not a string")
		}
		s = strings.ToUpper(strings.NewReplacer(":", "-", ".", "-").Replace(s))
		r.set("mac_address", s)
		if s != "" {
			c.Put("host.mac", s)
		}
	}
	return nil
}

// §5.9
func (r *deviceRec) registry() {
	r.cp("registry.key", "registry.key")
	r.cp("registry.value_name", "registry.value")
	if v := r.ev("registry.value_data"); v != nil {
		if t := ecs.Text(v); t != "" {
			r.c.Put("registry.data.strings", []string{t})
		}
	}
}

// §5.10
func (r *deviceRec) sourceDestination() {
	dirV := r.ev("network_direction")
	dirAbsent := dirV == nil
	dir, _ := dirV.(string)
	in := !dirAbsent && dir == "In"
	out := !dirAbsent && dir == "Out"
	notAuthCat := r.hasCat && !r.auth
	if r.auth {
		r.cp("remote.ip", "source.ip")
	}
	if r.net && in {
		r.cp("remote.ip", "source.ip")
	}
	if notAuthCat && dirAbsent {
		r.cp("local.ip", "source.ip")
	}
	if r.net && out {
		r.cp("local.ip", "source.ip")
	}
	if r.file {
		r.cp("request.source_ip", "source.ip")
	}
	if r.net && in {
		r.cp("remote.port", "source.port")
	}
	if r.auth {
		r.cp("remote.port", "source.port")
	}
	if notAuthCat {
		r.cp("local.port", "source.port")
	}
	if r.net && out {
		r.cp("local.port", "source.port")
	}
	r.cp("request.source_port", "source.port")
	r.cp("remote.device_name", "source.domain")
	if r.net && out {
		r.cp("remote.ip", "destination.ip")
	}
	if notAuthCat && dirAbsent {
		r.cp("remote.ip", "destination.ip")
	}
	if r.net && in {
		r.cp("local.ip", "destination.ip")
	}
	if notAuthCat && dirAbsent {
		r.cp("remote.port", "destination.port")
	}
	if r.net && out {
		r.cp("remote.port", "destination.port")
	}
	if r.net && in {
		r.cp("local.port", "destination.port")
	}
}

// §5.11
func (r *deviceRec) userNetwork() error {
	c := r.c
	r.cp("account.name", "user.name")
	r.cp("request.account_domain", "user.domain")
	r.cp("request.account_name", "user.name")
	r.cp("account.domain", "user.domain")
	r.cp("account.sid", "user.id")
	r.cp("protocol", "network.protocol")
	r.cp("request.protocol", "network.protocol")
	if v, ok := c.Get("network.protocol"); ok && v != nil {
		s, ok := v.(string)
		if !ok {
			return deviceFail("lowercase", "lowercase_network_protocol", "Protocol is not a string")
		}
		c.Put("network.protocol", strings.ToLower(s))
	}
	if r.net {
		dirV := r.ev("network_direction")
		switch {
		case dirV == nil:
			c.Put("network.direction", "unknown")
		case dirV == "In":
			c.Put("network.direction", "inbound")
		case dirV == "Out":
			c.Put("network.direction", "outbound")
		}
	}
	if v := r.ev("action.type"); v != nil {
		s, ok := v.(string)
		if !ok {
			return deviceFail("lowercase", "event_action", "ActionType is not a string")
		}
		a := strings.ReplaceAll(strings.ToLower(s), " ", "-")
		if a == "processcreated" {
			a = "start"
		}
		if a != "" {
			c.Put("event.action", a)
		}
	}
	if r.logon {
		if ecs.Empty(r.ev("failure_reason")) {
			c.Put("event.outcome", "success")
		} else {
			c.Put("event.outcome", "failure")
		}
	}
	r.cp("client_version", "observer.version")
	r.cp("device.category", "observer.type")
	return nil
}

// §5.12
func (r *deviceRec) url() {
	if s, ok := r.ev("remote.url").(string); ok && s != "" {
		if u := ecs.URIParts(s); u != nil {
			r.c.ForgetPut()
			r.c.Doc["url"] = map[string]any(u)
		}
	}
	r.cp("file.origin_referrer_url", "http.request.referrer")
}

// §5.13
func (r *deviceRec) adapterAndUsers() error {
	c := r.c
	if v := r.adapter; v != nil && v.Type() != fastjson.TypeNull {
		if v.Type() != fastjson.TypeString {
			return deviceFail("grok", "grok_network_adapter_name", "NetworkAdapterName is not a string")
		}
		s := string(v.GetStringBytes())
		if strings.HasPrefix(s, "{") {
			if len(s) < 2 || !strings.HasSuffix(s, "}") {
				return deviceFail("grok", "grok_network_adapter_name", "Provided Grok expressions do not match field value: ["+s+"]")
			}
			s = s[1 : len(s)-1]
		}
		r.set("network.adapter_name", s)
	}
	if arr, ok := r.users.([]any); ok {
		users := make([]string, 0, len(arr))
		for _, e := range arr {
			name := ""
			if m, ok := ecs.Obj(e); ok {
				name = ecs.Text(m["UserName"])
			}
			users = append(users, name)
		}
		r.set("active_users", users)
		for _, u := range users {
			c.Related.AddDup(&c.Related.User, u)
		}
	}
	return nil
}

// §5.14
func (r *deviceRec) commandLines() error {
	for _, p := range [...]string{"process", "process.parent"} {
		o, _ := r.c.Get(p)
		obj, _ := ecs.Obj(o)
		v := obj["command_line"]
		if v == nil {
			continue
		}
		s, isStr := v.(string)
		if !isStr {
			return deviceFail("script", "split_command_line", p+".command_line is not a string")
		}
		if s == "" {
			continue
		}
		args := ecs.SplitCommandLine(s)
		if len(args) > 0 {
			obj["args"] = args
		}
		obj["args_count"] = int64(len(args))
	}
	return nil
}

// §5.15
func (r *deviceRec) geo() {
	if r.c.Enrich == nil {
		return
	}
	for _, p := range [...]string{"host", "source", "destination"} {
		if ip, ok := ecs.Get(r.c.Doc, p+".ip"); ok {
			if s, ok := ip.(string); ok && s != "" {
				r.c.Enrich.Enrich(r.c.Doc, p, s)
			}
		}
	}
}

// §5.16

// hashNames are the hash fields related.hash takes, in order.
var hashNames = [...]string{"md5", "sha1", "sha256"}

func (r *deviceRec) related() {
	c := r.c
	rel := &c.Related
	doc := func(p string) any { v, _ := c.Get(p); return v }
	rel.AddValue(&rel.Hosts, doc("host.id"))
	rel.AddValue(&rel.Hosts, doc("host.name"))
	rel.AddValue(&rel.Hosts, doc("user.domain"))
	rel.AddValue(&rel.Hosts, r.ev("initiating_process.account_domain"))
	rel.AddValue(&rel.User, doc("user.name"))
	rel.AddValue(&rel.User, r.ev("initiating_process.account_name"))
	rel.AddValue(&rel.IP, r.ev("file.origin_ip"))
	rel.AddValue(&rel.IP, doc("source.ip"))
	rel.AddValue(&rel.IP, doc("destination.ip"))
	rel.AddValue(&rel.IP, doc("host.ip"))
	rel.AddValue(&rel.IP, r.ev("ipv4_dhcp"))
	rel.AddValue(&rel.IP, r.ev("ipv6_dhcp"))
	file, _ := ecs.Obj(doc("file.hash"))
	proc, _ := ecs.Obj(doc("process.hash"))
	parent, _ := ecs.Obj(doc("process.parent.hash"))
	for _, h := range hashNames {
		rel.AddValue(&rel.Hash, file[h])
	}
	for _, h := range hashNames {
		rel.AddValue(&rel.Hash, proc[h])
	}
	for _, h := range hashNames {
		if proc[h] != nil {
			rel.AddValue(&rel.Hash, parent[h])
		}
	}
	rel.AddValue(&rel.Hash, r.ev("issuer_hash"))
	rel.AddValue(&rel.Hash, r.ev("signer_hash"))
}
