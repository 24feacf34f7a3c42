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
	resolveEvPaths()
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
func (r *deviceRec) ev(p evPath) any {
	if p.idx >= 0 {
		return r.vals[p.idx]
	}
	if p.idx == unresolved { // declared but missing from devicePaths
		if i, ok := targetIdx[p.path]; ok {
			return r.vals[i]
		}
	}
	v, _ := ecs.Get(r.c.EV, p.path)
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
func (r *deviceRec) cp(src evPath, dst string) {
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
	r.cp(evFolderPath, "file.directory")
	r.cp(evMd5, "file.hash.md5")
	r.cp(evSha1, "file.hash.sha1")
	r.cp(evSha256, "file.hash.sha256")
	r.cp(evFileName, "file.name")
	r.cp(evFileSize, "file.size")
}

// §5.2
func (r *deviceRec) certificate() {
	r.cp(evCertificateExpirationTime, "file.x509.not_after")
	r.cp(evCertificateSerialNumber, "file.x509.serial_number")
	if v := r.ev(evIssuer); v != nil {
		if t := ecs.Text(v); t != "" {
			r.c.Put("file.x509.issuer.common_name", []string{t})
		}
	}
	r.cp(evSigner, "file.code_signature.subject_name")
	r.cp(evIsSigned, "file.code_signature.exists")
	r.cp(evIsTrusted, "file.code_signature.trusted")
}

// §5.3
func (r *deviceRec) dllFields() {
	r.cp(evFolderPath, "dll.path")
	r.cp(evMd5, "dll.hash.md5")
	r.cp(evSha1, "dll.hash.sha1")
	r.cp(evSha256, "dll.hash.sha256")
	r.cp(evFileName, "dll.name")
	r.cp(evFileSize, "dll.pe.sections.physical_size")
}

// §5.4 (README T19: no process.pe.sections.physical_size)
func (r *deviceRec) processFromFile() {
	r.cp(evFolderPath, "process.executable")
	r.cp(evMd5, "process.hash.md5")
	r.cp(evSha1, "process.hash.sha1")
	r.cp(evSha256, "process.hash.sha256")
	r.cp(evFileName, "process.name")
}

// §5.5 (README T19: no process.parent.pe.sections.physical_size)
func (r *deviceRec) parentFromInitiating() {
	r.cp(evInitiatingProcessCommandLine, "process.parent.command_line")
	r.cp(evInitiatingProcessMd5, "process.parent.hash.md5")
	r.cp(evInitiatingProcessSha1, "process.parent.hash.sha1")
	r.cp(evInitiatingProcessSha256, "process.parent.hash.sha256")
	r.cp(evInitiatingProcessParentId, "process.parent.group_leader.pid")
	r.cp(evInitiatingProcessId, "process.parent.pid")
	r.cp(evInitiatingProcessCreationTime, "process.parent.start")
	r.cp(evInitiatingProcessFileName, "process.parent.name")
	r.cp(evInitiatingProcessFolderPath, "process.parent.executable")
	r.cp(evInitiatingProcessParentCreationTime, "process.parent.group_leader.start")
	r.cp(evInitiatingProcessParentFileName, "process.parent.group_leader.name")
	r.cp(evInitiatingProcessVersionInfoCompanyName, "process.parent.pe.company")
	r.cp(evInitiatingProcessVersionInfoFileDescription, "process.parent.pe.description")
	r.cp(evInitiatingProcessVersionInfoOriginalFileName, "process.parent.pe.original_file_name")
	r.cp(evInitiatingProcessVersionInfoProductName, "process.parent.pe.product")
	r.cp(evInitiatingProcessVersionInfoProductVersion, "process.parent.pe.file_version")
	r.cp(evInitiatingProcessSignatureStatus, "process.parent.code_signature.status")
	switch r.ev(evInitiatingProcessSignatureStatus) {
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
	r.cp(evInitiatingProcessCommandLine, "process.command_line")
	r.cp(evInitiatingProcessMd5, "process.hash.md5")
	r.cp(evInitiatingProcessSha1, "process.hash.sha1")
	r.cp(evInitiatingProcessSha256, "process.hash.sha256")
	r.cp(evInitiatingProcessParentId, "process.parent.pid")
	r.cp(evInitiatingProcessId, "process.pid")
	r.cp(evInitiatingProcessCreationTime, "process.start")
	r.cp(evInitiatingProcessFileName, "process.name")
	r.cp(evInitiatingProcessFileSize, "process.pe.sections.physical_size")
	r.cp(evInitiatingProcessFolderPath, "process.executable")
	r.cp(evInitiatingProcessParentCreationTime, "process.parent.start")
	r.cp(evInitiatingProcessParentFileName, "process.parent.name")
	r.cp(evInitiatingProcessVersionInfoCompanyName, "process.pe.company")
	r.cp(evInitiatingProcessVersionInfoFileDescription, "process.pe.description")
	r.cp(evInitiatingProcessVersionInfoOriginalFileName, "process.pe.original_file_name")
	r.cp(evInitiatingProcessVersionInfoProductName, "process.pe.product")
	r.cp(evInitiatingProcessVersionInfoProductVersion, "process.pe.file_version")
	r.cp(evInitiatingProcessSignatureStatus, "process.code_signature.status")
}

// §5.7
func (r *deviceRec) processColumns() {
	r.cp(evProcessCommandLine, "process.command_line")
	r.cp(evProcessCreationTime, "process.start")
	r.cp(evProcessId, "process.pid")
	r.cp(evProcessVersionInfoCompanyName, "process.pe.company")
	r.cp(evProcessVersionInfoFileDescription, "process.pe.description")
	r.cp(evProcessVersionInfoOriginalFileName, "process.pe.original_file_name")
	r.cp(evProcessVersionInfoProductName, "process.pe.product")
	r.cp(evProcessVersionInfoProductVersion, "process.pe.file_version")
}

// §5.7a
func (r *deviceRec) cloudColumns() {
	r.cp(evContainerId, "container.id")
	r.cp(evContainerName, "container.name")
	r.cp(evContainerImageName, "container.image.name")
	r.cp(evKubernetesNamespace, "orchestrator.namespace")
	r.cp(evKubernetesResource, "orchestrator.resource.name")
	if r.present(evKubernetesNamespace) || r.present(evKubernetesPodName) || r.present(evKubernetesResource) {
		r.c.Put("orchestrator.type", "kubernetes")
	}
	r.cp(evProcessName, "process.name")
	r.cp(evParentProcessId, "process.parent.pid")
	r.cp(evParentProcessName, "process.parent.name")
	r.cp(evProcessCurrentWorkingDirectory, "process.working_directory")
	switch {
	case r.present(evAzureResourceId):
		r.c.Put("cloud.provider", "azure")
	case r.present(evAwsResourceName):
		r.c.Put("cloud.provider", "aws")
	case r.present(evGcpFullResourceName):
		r.c.Put("cloud.provider", "gcp")
	}
}

// present reports a non-null m365_defender.event field ("" counts).
func (r *deviceRec) present(p evPath) bool { return r.ev(p) != nil }

var posixKeys = [...]string{
	"InitiatingProcessPosixEffectiveGroup", "InitiatingProcessPosixEffectiveUser",
	"InitiatingProcessPosixFilePermissions", "InitiatingProcessPosixProcessGroupId",
	"InitiatingProcessPosixRealUser", "InitiatingProcessPosixSessionId",
}

// §5.8
func (r *deviceRec) host() error {
	c := r.c
	if v := r.ev(evDeviceName); !ecs.Empty(v) {
		s, ok := v.(string)
		if !ok {
			return deviceFail("lowercase", "lowercase_host_name", "DeviceName is not a string")
		}
		c.Put("host.name", strings.ToLower(s))
	}
	r.cp(evDeviceId, "host.id")
	r.cp(evPublicIpValue, "host.ip")
	r.cp(evOsArchitecture, "host.architecture")
	osType := ""
	if v := r.ev(evOsPlatform); v != nil {
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
		if af, ok := ecs.Obj(r.ev(evAdditionalFields)); ok {
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
	if osType == "" && contains(r.cats, "process") && !ecs.Empty(r.ev(evInitiatingProcessAccountSid)) {
		osType = "windows"
	}
	if osType != "" {
		c.Put("host.os.type", osType)
	}
	r.cp(evOsPlatform, "host.os.full")
	r.cp(evOsDistribution, "host.os.platform")
	r.cp(evOsVersion, "host.os.version")
	r.cp(evDeviceType, "host.type")
	if v := r.ev(evMacAddress); v != nil {
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
	r.cp(evRegistryKey, "registry.key")
	r.cp(evRegistryValueName, "registry.value")
	if v := r.ev(evRegistryValueData); v != nil {
		if t := ecs.Text(v); t != "" {
			r.c.Put("registry.data.strings", []string{t})
		}
	}
}

// §5.10
func (r *deviceRec) sourceDestination() {
	dirV := r.ev(evNetworkDirection)
	dirAbsent := dirV == nil
	dir, _ := dirV.(string)
	in := !dirAbsent && dir == "In"
	out := !dirAbsent && dir == "Out"
	notAuthCat := r.hasCat && !r.auth
	if r.auth {
		r.cp(evRemoteIp, "source.ip")
	}
	if r.net && in {
		r.cp(evRemoteIp, "source.ip")
	}
	if notAuthCat && dirAbsent {
		r.cp(evLocalIp, "source.ip")
	}
	if r.net && out {
		r.cp(evLocalIp, "source.ip")
	}
	if r.file {
		r.cp(evRequestSourceIp, "source.ip")
	}
	if r.net && in {
		r.cp(evRemotePort, "source.port")
	}
	if r.auth {
		r.cp(evRemotePort, "source.port")
	}
	if notAuthCat {
		r.cp(evLocalPort, "source.port")
	}
	if r.net && out {
		r.cp(evLocalPort, "source.port")
	}
	r.cp(evRequestSourcePort, "source.port")
	r.cp(evRemoteDeviceName, "source.domain")
	if r.net && out {
		r.cp(evRemoteIp, "destination.ip")
	}
	if notAuthCat && dirAbsent {
		r.cp(evRemoteIp, "destination.ip")
	}
	if r.net && in {
		r.cp(evLocalIp, "destination.ip")
	}
	if notAuthCat && dirAbsent {
		r.cp(evRemotePort, "destination.port")
	}
	if r.net && out {
		r.cp(evRemotePort, "destination.port")
	}
	if r.net && in {
		r.cp(evLocalPort, "destination.port")
	}
}

// §5.11
func (r *deviceRec) userNetwork() error {
	c := r.c
	r.cp(evAccountName, "user.name")
	r.cp(evRequestAccountDomain, "user.domain")
	r.cp(evRequestAccountName, "user.name")
	r.cp(evAccountDomain, "user.domain")
	r.cp(evAccountSid, "user.id")
	r.cp(evProtocol, "network.protocol")
	r.cp(evRequestProtocol, "network.protocol")
	if v, ok := c.Get("network.protocol"); ok && v != nil {
		s, ok := v.(string)
		if !ok {
			return deviceFail("lowercase", "lowercase_network_protocol", "Protocol is not a string")
		}
		c.Put("network.protocol", strings.ToLower(s))
	}
	if r.net {
		dirV := r.ev(evNetworkDirection)
		switch {
		case dirV == nil:
			c.Put("network.direction", "unknown")
		case dirV == "In":
			c.Put("network.direction", "inbound")
		case dirV == "Out":
			c.Put("network.direction", "outbound")
		}
	}
	if v := r.ev(evActionType); v != nil {
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
		if ecs.Empty(r.ev(evFailureReason)) {
			c.Put("event.outcome", "success")
		} else {
			c.Put("event.outcome", "failure")
		}
	}
	r.cp(evClientVersion, "observer.version")
	r.cp(evDeviceCategory, "observer.type")
	return nil
}

// §5.12
func (r *deviceRec) url() {
	if s, ok := r.ev(evRemoteUrl).(string); ok && s != "" {
		if u := ecs.URIParts(s); u != nil {
			r.c.ForgetPut()
			r.c.Doc["url"] = map[string]any(u)
		}
	}
	r.cp(evFileOriginReferrerUrl, "http.request.referrer")
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
	rel.AddValue(&rel.Hosts, r.ev(evInitiatingProcessAccountDomain))
	rel.AddValue(&rel.User, doc("user.name"))
	rel.AddValue(&rel.User, r.ev(evInitiatingProcessAccountName))
	rel.AddValue(&rel.IP, r.ev(evFileOriginIp))
	rel.AddValue(&rel.IP, doc("source.ip"))
	rel.AddValue(&rel.IP, doc("destination.ip"))
	rel.AddValue(&rel.IP, doc("host.ip"))
	rel.AddValue(&rel.IP, r.ev(evIpv4Dhcp))
	rel.AddValue(&rel.IP, r.ev(evIpv6Dhcp))
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
	rel.AddValue(&rel.Hash, r.ev(evIssuerHash))
	rel.AddValue(&rel.Hash, r.ev(evSignerHash))
}
