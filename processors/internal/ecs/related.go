package ecs

import "github.com/elastic/elastic-agent-libs/mapstr"

// Related accumulates related.hosts, related.user, related.ip and
// related.hash in append order. Add de-duplicates (case-sensitive, C-5);
// AddDup keeps duplicates (active users, event-device §5.13). Empty values
// are skipped (they would be pruned anyway, R11).
type Related struct {
	Hosts, User, IP, Hash []string
	// slab backs the first values of all four lists (one allocation per
	// record for the usual 2–6 values of each).
	slab []string
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
	r.appendValue(list, v)
}

// slabPart is the room of each list in the slab.
const slabPart = 6

// start gives an empty list its part of the slab (a full list grows by
// itself: the capacity of the part is capped).
func (r *Related) start(list *[]string) {
	if r.slab == nil {
		r.slab = make([]string, 4*slabPart)
	}
	i := 0
	switch list {
	case &r.User:
		i = 1
	case &r.IP:
		i = 2
	case &r.Hash:
		i = 3
	case &r.Hosts:
	default: // not one of r's lists
		*list = make([]string, 0, slabPart)
		return
	}
	*list = r.slab[i*slabPart : i*slabPart : (i+1)*slabPart]
}

func (r *Related) appendValue(list *[]string, v string) {
	if *list == nil {
		r.start(list)
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
		r.appendValue(list, v)
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
