package event

import (
	"strings"

	"github.com/elastic/elastic-agent-libs/mapstr"

	"github.com/m365beat/m365beat/processors/internal/ecs"
)

// postMapper runs the post-mapper steps R9a (event-envelope.md §5a).
func postMapper(doc, EV mapstr.M) {
	devID, _ := ecs.Get(EV, "device.id")
	entityID(doc, "process.entity_id", "process.pid", "process.start", devID)
	entityID(doc, "process.parent.entity_id", "process.parent.pid", "process.parent.start", devID)

	if n, ok := ecs.Get(doc, "process.name"); !ok || n == nil {
		if x, ok := ecs.Get(doc, "process.executable"); ok && !ecs.Empty(x) {
			ecs.Put(doc, "process.name", x)
		} else if name, ok := nameFromCommandLine(doc); ok {
			if name, empty := ecs.Prune(name); !empty {
				ecs.Put(doc, "process.name", name)
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

func entityID(doc mapstr.M, target, pidPath, startPath string, devID any) {
	pid, _ := ecs.Get(doc, pidPath)
	start, _ := ecs.Get(doc, startPath)
	if pid != nil && start != nil && devID != nil {
		ecs.Put(doc, target, ecs.Text(pid)+"|"+ecs.Text(start)+"|"+ecs.Text(devID))
	}
	if v, ok := ecs.Get(doc, target); ok && v != nil {
		ecs.Put(doc, target, ecs.Fingerprint(ecs.Text(v)))
	}
}

// nameFromCommandLine derives process.name from process.command_line (R9a
// step 4): first non-empty command line, trimmed of characters <= U+0020,
// text before the first space, after the last '/', without '"'.
func nameFromCommandLine(doc mapstr.M) (any, bool) {
	v, ok := ecs.Get(doc, "process.command_line")
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
