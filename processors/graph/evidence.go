package graph

import (
	"slices"
	"strings"
)

// Evidence helpers shared by the alert and incident streams. Paths are key
// lists (Graph keys contain dots, e.g. "@odata.type").

// evStep is one evidence step, run over every evidence object (C6).
type evStep func(ev map[string]any, d *doc)

// runSteps runs the steps step-major: each over all evidence objects.
func runSteps(evidence []any, d *doc, steps []evStep) {
	for _, step := range steps {
		for _, e := range evidence {
			if ev, ok := e.(map[string]any); ok {
				step(ev, d)
			}
		}
	}
}

// move is C4: move the value at from (also null) to to. It reports the
// value and whether the key was present.
func move(ev map[string]any, from, to []string) (any, bool) {
	v, ok := getIn(ev, from...)
	if !ok {
		return nil, false
	}
	delIn(ev, from...)
	setIn(ev, v, to...)
	return v, true
}

// k is shorthand for a key path.
func k(keys ...string) []string { return keys }

// mv returns a step moving from → to.
func mv(from, to []string) evStep {
	return func(ev map[string]any, _ *doc) { move(ev, from, to) }
}

// mvAdd returns a step moving from → to and C2-adding the moved value to
// each ECS list in order.
func mvAdd(from, to []string, lists ...string) evStep {
	return func(ev map[string]any, d *doc) {
		if v, ok := move(ev, from, to); ok {
			for _, l := range lists {
				d.add(l, v)
			}
		}
	}
}

// conv is a C5 conversion.
type conv func(any) (any, error)

// mvConv returns a step moving from → to and converting the value (not
// null); on failure the key is deleted and the error recorded. The
// converted value is C2-added to lists.
func mvConv(from, to []string, c conv, lists ...string) evStep {
	return func(ev map[string]any, d *doc) {
		v, ok := move(ev, from, to)
		if !ok || v == nil {
			return
		}
		x, err := c(v)
		if err != nil {
			delIn(ev, to...)
			d.errorf("evidence " + strings.Join(to, ".") + ": " + err.Error())
			return
		}
		setIn(ev, x, to...)
		for _, l := range lists {
			d.add(l, x)
		}
	}
}

// mvDate returns a step moving from → to with C1; a failure deletes the key
// silently. The normalised value is C2-added to lists.
func mvDate(from, to []string, lists ...string) evStep {
	return func(ev map[string]any, d *doc) {
		v, ok := move(ev, from, to)
		if !ok || v == nil {
			return
		}
		s, err := normDate(v)
		if err != nil {
			delIn(ev, to...)
			return
		}
		setIn(ev, s, to...)
		for _, l := range lists {
			d.add(l, s)
		}
	}
}

// addOnly returns a step C2-adding the value at path to lists (no move).
func addOnly(path []string, lists ...string) evStep {
	return func(ev map[string]any, d *doc) {
		if v, ok := getIn(ev, path...); ok {
			for _, l := range lists {
				d.add(l, v)
			}
		}
	}
}

// steps concatenates step groups.
func steps(groups ...[]evStep) []evStep { return slices.Concat(groups...) }

// each returns a step applying inner to every object element of the array
// at key.
func each(key string, inner func(m map[string]any, d *doc)) evStep {
	return func(ev map[string]any, d *doc) {
		a, ok := ev[key].([]any)
		if !ok {
			return
		}
		for _, e := range a {
			if m, ok := e.(map[string]any); ok {
				inner(m, d)
			}
		}
	}
}

// ipInterfaces is alert E3: each element to-ip; invalid → null + error.
func ipInterfaces(ev map[string]any, d *doc) {
	a, ok := ev["ipInterfaces"].([]any)
	if !ok {
		return
	}
	for i, x := range a {
		if x == nil {
			continue
		}
		if _, err := toIP(x); err != nil {
			a[i] = nil
			d.errorf("evidence ipInterfaces: " + err.Error())
		}
	}
}

// rawKeys is alert.md §11.5 (the incident stream omits the last two).
var rawKeys = [][]string{
	k("createdDateTime"), k("receivedDateTime"), k("attachmentsCount"), k("firstSeenDateTime"),
	k("parentProcessCreationDateTime"), k("processCreationDateTime"), k("senderIp"), k("urlCount"),
	k("instanceId"), k("appId"), k("saasAppId"), k("osBuild"), k("rbacGroupId"),
	k("fileDetails", "fileSize"), k("ipAddress"), k("emailCount"), k("parentProcessId"), k("processId"),
	k("imageFile", "fileSize"), k("parentProcessImageFile", "fileSize"),
	k("internetMessageId"), k("networkMessageId"),
}

func removeRawKeys(evidence []any, keys [][]string) {
	for _, e := range evidence {
		if ev, ok := e.(map[string]any); ok {
			for _, p := range keys {
				delIn(ev, p...)
			}
		}
	}
}

// dupEvidenceKeys is the evidence part of alert.md §13.
var dupEvidenceKeys = [][]string{
	k("ip_address"), k("detection_status"), k("received_datetime"), k("antispam_direction"), k("subject"),
	k("recipient_email_address"), k("instance_id"), k("instance_name"), k("vm_metadata", "cloud_provider"),
	k("os_platform"), k("version"), k("file_details", "sha1"), k("file_details", "sha256"),
	k("file_details", "name"), k("file_details", "path"), k("file_details", "size"), k("process", "command_line"),
	k("image_file", "sha1"), k("image_file", "sha256"), k("parent_process", "image_file", "sha1"),
	k("parent_process", "image_file", "sha256"), k("parent_process", "id"), k("parent_process", "creation_datetime"),
	k("process", "id"), k("process", "creation_datetime"), k("registry_value_type"), k("registry_hive"),
	k("registry_key"), k("registry_value"), k("security_group_id"),
}

// evidenceType is the evidence's odata_type without the Graph prefix, and
// whether the evidence has an odata_type at all.
func evidenceType(ev map[string]any) (string, bool) {
	v, ok := ev["odata_type"]
	if !ok || v == nil {
		return "", false
	}
	s, _ := v.(string)
	return strings.TrimPrefix(s, graphPrefix), true
}

const graphPrefix = "#microsoft.graph.security."

// knownEvidence lists the evidence types the spec maps specifically; the
// others are kept as they are and counted.
var knownEvidence = map[string]bool{
	"analyzedMessageEvidence": true, "mailboxEvidence": true, "mailClusterEvidence": true,
	"deviceEvidence": true, "fileEvidence": true, "ipEvidence": true, "processEvidence": true,
	"registryKeyEvidence": true, "registryValueEvidence": true, "userEvidence": true,
	"securityGroupEvidence": true, "urlEvidence": true, "cloudApplicationEvidence": true,
	"oauthApplicationEvidence": true,
}

// sortedSet collects distinct values for the §11.4 aggregates and emits
// them sorted (strings in byte order, integers numerically).
type sortedSet struct {
	strs []string
	ints []int64
}

func (s *sortedSet) add(v any) {
	switch x := v.(type) {
	case string:
		if x != "" && !slices.Contains(s.strs, x) {
			s.strs = append(s.strs, x)
		}
	case int64:
		if !slices.Contains(s.ints, x) {
			s.ints = append(s.ints, x)
		}
	case float64, bool:
		s.add(text(x))
	}
}

// emit replaces path with the sorted list when the set is non-empty.
func (s *sortedSet) emit(d *doc, path string) {
	if len(s.strs) == 0 && len(s.ints) == 0 {
		return
	}
	slices.Sort(s.ints)
	slices.SortFunc(s.strs, utf16Compare)
	out := make([]any, 0, len(s.ints)+len(s.strs))
	for _, n := range s.ints {
		out = append(out, n)
	}
	for _, x := range s.strs {
		out = append(out, x)
	}
	d.set(path, out)
}

// utf16Compare orders strings by UTF-16 code units (C7).
func utf16Compare(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	for i := 0; i < len(ra) && i < len(rb); i++ {
		if ra[i] == rb[i] {
			continue
		}
		ua, ub := utf16Unit(ra[i]), utf16Unit(rb[i])
		if ua != ub {
			if ua < ub {
				return -1
			}
			return 1
		}
		if ra[i] < rb[i] {
			return -1
		}
		return 1
	}
	return len(ra) - len(rb)
}

// utf16Unit is the first UTF-16 code unit of r.
func utf16Unit(r rune) rune {
	if r >= 0x10000 {
		return 0xD800 + ((r - 0x10000) >> 10)
	}
	return r
}
