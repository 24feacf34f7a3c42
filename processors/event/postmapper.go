package event

import (
	"strings"

	"github.com/elastic/elastic-agent-libs/mapstr"

	"github.com/m365beat/m365beat/processors/internal/ecs"
)

// postMapper runs the post-mapper steps R9a (event-envelope.md §5a).
func postMapper(doc, EV mapstr.M) {
	devID, _ := ecs.Get(EV, "device.id")
	// Every process.* step reads and writes the process object (or its
	// parent): look it up once.
	if proc, ok := ecs.Obj(doc["process"]); ok {
		entityID(proc, devID)
		if parent, ok := ecs.Obj(proc["parent"]); ok {
			entityID(parent, devID)
		}
		if proc["name"] == nil {
			if x := proc["executable"]; !ecs.Empty(x) {
				proc["name"] = x
			} else if name, ok := nameFromCommandLine(proc); ok {
				if name, empty := ecs.Prune(name); !empty {
					proc["name"] = name
				}
			}
		}
	}

	devID, devEmpty := ecs.Prune(devID)
	if !devEmpty {
		if v, ok := ecs.Get(doc, "cloud.instance.id"); !ok || v == nil {
			ecs.Put(doc, "cloud.instance.id", devID)
		}
		ecs.Put(doc, "device.id", devID)
	}
	if app, ok := ecs.Get(EV, "application"); ok {
		if app, empty := ecs.Prune(app); !empty {
			ecs.Put(doc, "application.name", app)
		}
	}
}

// entityID sets proc.entity_id (proc is process or process.parent).
func entityID(proc mapstr.M, devID any) {
	pid, start := proc["pid"], proc["start"]
	if pid != nil && start != nil && devID != nil {
		proc["entity_id"] = ecs.Fingerprint(ecs.Text(pid), ecs.Text(start), ecs.Text(devID))
		return
	}
	if v := proc["entity_id"]; v != nil {
		proc["entity_id"] = ecs.Fingerprint(ecs.Text(v))
	}
}

// nameFromCommandLine derives process.name from process.command_line (R9a
// step 4): first non-empty command line, trimmed of characters <= U+0020,
// text before the first space, after the last '/', without '"'.
func nameFromCommandLine(proc mapstr.M) (any, bool) {
	v, ok := proc["command_line"]
	if !ok {
		return nil, false
	}
	var lines []string
	switch x := v.(type) {
	case string:
		lines = []string{x}
	case []string:
		lines = x
	case []any:
		for _, e := range x {
			if s, ok := e.(string); ok {
				lines = append(lines, s)
			}
		}
	}
	var names []string
	for _, l := range lines {
		if l == "" {
			continue
		}
		t := strings.TrimFunc(l, func(r rune) bool { return r <= ' ' })
		if i := strings.IndexByte(t, ' '); i >= 0 {
			t = t[:i]
		}
		if i := strings.LastIndexByte(t, '/'); i >= 0 {
			t = t[i+1:]
		}
		t = strings.ReplaceAll(t, `"`, "")
		if !contains(names, t) {
			names = append(names, t)
		}
	}
	switch len(names) {
	case 0:
		return nil, false
	case 1:
		return names[0], true
	}
	return names, true
}
