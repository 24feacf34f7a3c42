package ecs

import "github.com/elastic/elastic-agent-libs/mapstr"

// Related accumulates related.hosts, related.user, related.ip and
// related.hash in append order. Add de-duplicates (case-sensitive, C-5);
// AddDup keeps duplicates (active users, event-device §5.13). Empty values
// are skipped (they would be pruned anyway, R11).
type Related struct {
	Hosts, User, IP, Hash []string
}

// Add appends v to *list unless empty or already present.
func (r *Related) Add(list *[]string, v string) {
	if v == "" {
		return
	}
	for _, x := range *list {
		if x == v {
			return
		}
	}
	appendValue(list, v)
}

// appendValue appends v, starting a list with room for 4 values (records
// often have 2–6 hosts, IPs or hashes: one allocation instead of up to 4).
func appendValue(list *[]string, v string) {
	if *list == nil {
		*list = make([]string, 0, 4)
	}
	*list = append(*list, v)
}

// AddValue appends the text form of a non-null value (C-5).
func (r *Related) AddValue(list *[]string, v any) {
	if v == nil {
		return
	}
	r.Add(list, Text(v))
}

// AddDup appends v (non-empty) keeping duplicates.
func (r *Related) AddDup(list *[]string, v string) {
	if v != "" {
		appendValue(list, v)
	}
}

// Reset empties the lists, keeping their capacity.
func (r *Related) Reset() {
	r.Hosts, r.User, r.IP, r.Hash = r.Hosts[:0], r.User[:0], r.IP[:0], r.Hash[:0]
}

// Empty reports whether nothing was accumulated.
func (r *Related) Empty() bool {
	return len(r.Hosts)+len(r.User)+len(r.IP)+len(r.Hash) == 0
}

// WriteTo puts the non-empty lists under doc["related"]. The slices are
// handed over: call Reset (or drop r) before adding again.
func (r *Related) WriteTo(doc mapstr.M) {
	if r.Empty() {
		return
	}
	rel, _ := Obj(doc["related"])
	if rel == nil {
		nm := map[string]any{}
		doc["related"] = nm
		rel = nm
	}
	put := func(k string, l []string) {
		if len(l) == 0 {
			return
		}
		rel[k] = l
	}
	put("hosts", r.Hosts)
	put("user", r.User)
	put("ip", r.IP)
	put("hash", r.Hash)
}
