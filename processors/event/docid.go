package event

import (
	"bytes"
	"crypto/sha1"
	"encoding/base64"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/elastic/beats/v7/libbeat/beat"
	"github.com/valyala/fastjson"
)

// Document _id of a streaming record (m365beat addition; Elastic's event
// pipeline sets none). It makes a replay idempotent: the Elasticsearch
// output indexes with op_type create, so a record read again after a crash
// or a checkpoint lag gets the same _id and is answered 409 (counted as a
// duplicate, i.e. delivered) instead of being stored twice.
//
// The fingerprint is SHA-1, Base64 with padding (28 characters), over, each
// value preceded by a 0x00 byte:
//
//  1. the tenant: envelope tenantId, else Tenant;
//  2. the category (the Advanced Hunting table);
//  3. the key columns, in this order, when present and not null: ReportId,
//     Timestamp, DeviceId, DeviceName, AccountObjectId, AccountSid,
//     AccountUpn, NetworkMessageId, RecipientEmailAddress, AlertId;
//  4. every other column of properties, by column name in byte order, as
//     name then value (JSON text of the value as received; objects with
//     their keys sorted, recursively).
//
// Step 4 is there because the key columns alone do not identify a record:
// Elastic's own fixtures hold DeviceNetworkEvents, DeviceInfo and
// AlertInfo records that share tenant, category, ReportId, Timestamp and
// DeviceId but differ in other columns, and tables such as AlertEvidence
// have no ReportId. A collision would drop a record as a "duplicate"; with
// step 4 two records share an _id only when every column is equal.
// The envelope's time and operationName are not part of it.
//
// An _id already in @metadata is kept.
// A record without a properties object (bad input) is fingerprinted from
// its raw text, so replaying it is idempotent too. An empty record gets no
// _id (Elasticsearch generates one).
var docIDKeys = [...]string{
	"ReportId", "Timestamp", "DeviceId", "DeviceName", "AccountObjectId", "AccountSid",
	"AccountUpn", "NetworkMessageId", "RecipientEmailAddress", "AlertId",
}

// docIDKeyIndex returns the index of k in docIDKeys, or -1.
func docIDKeyIndex(k []byte) int {
	for i, key := range docIDKeys {
		if string(k) == key {
			return i
		}
	}
	return -1
}

// docIDState is the scratch space of one docID call, pooled: the bytes to
// fingerprint are gathered in buf and hashed once; keys are copied into
// one arena (fastjson keys are only valid inside Visit) and sorted through
// an index, so fingerprinting allocates nothing per column.
type docIDState struct {
	buf   []byte
	arena []byte
	spans []span
	order []int32
	// keyCols are the key columns of the record (docIDKeys order).
	keyCols [len(docIDKeys)]*fastjson.Value
}

// span is one member of an object being fingerprinted: its key (a range
// of the arena) and its value.
type span struct {
	from, to int
	v        *fastjson.Value
}

// keyOrder remembers the column names of a record of a table (in the
// order received) and their byte order: Defender sends the columns of a
// table in one order, so the sort of the next record is a comparison.
type keyOrder struct {
	keys  []byte  // the names, concatenated
	ends  []int32 // end of each name in keys
	order []int32 // indexes of the names in byte order
}

// keyOrderSet holds a table's cached column orders: a few, because one
// hub can carry a table in several layouts (tenants on different schema
// versions, columns added during a rollout).
type keyOrderSet struct {
	slots [keyOrderSlots]atomic.Pointer[keyOrder]
	next  atomic.Uint32 // slot replaced next
	// misses counts non-matching records since the last replacement; a
	// slot is replaced after keyOrderPatience of them, so more layouts
	// than slots do not rebuild an entry every record.
	misses atomic.Int32
}

const (
	keyOrderSlots    = 4
	keyOrderPatience = 8
)

// find returns the cached order of the names, or nil.
func (s *keyOrderSet) find(keys []byte, spans []span, base int) []int32 {
	for i := range s.slots {
		if ko := s.slots[i].Load(); ko != nil && ko.matches(keys, spans, base) {
			return ko.order
		}
	}
	return nil
}

// add caches an order after a miss: in an empty slot, else in the next
// slot once keyOrderPatience misses have accumulated.
func (s *keyOrderSet) add(keys []byte, spans []span, base int, order []int32) {
	for i := range s.slots {
		if s.slots[i].Load() == nil {
			s.slots[i].Store(newKeyOrder(keys, spans, base, order))
			return
		}
	}
	if s.misses.Add(1) < keyOrderPatience {
		return
	}
	s.misses.Store(0)
	s.slots[s.next.Add(1)%keyOrderSlots].Store(newKeyOrder(keys, spans, base, order))
}

var (
	docIDPool = sync.Pool{New: func() any { return new(docIDState) }}
	// keyOrders has a set per supported category (a fixed set of tables:
	// records of unknown categories are sorted every time).
	keyOrders = func() map[string]*keyOrderSet {
		m := make(map[string]*keyOrderSet, len(Tables))
		for i := range Tables {
			m[Tables[i].Category()] = new(keyOrderSet)
		}
		return m
	}()
)

// setDocID sets @metadata._id of ev from the decoded record (jo, may be
// nil) and its raw text, unless the event already has an _id. It runs
// before the mappers, while fastjson still holds string values as received
// (no unescape and re-escape).
func setDocID(ev *beat.Event, jo *fastjson.Object, raw string) {
	if _, ok := ev.Meta["_id"]; ok {
		return
	}
	if id := docID(jo, raw); id != "" {
		ev.SetID(id)
	}
}

// docID returns the _id of a record (see above), or "" when there is
// nothing to fingerprint.
func docID(jo *fastjson.Object, raw string) string {
	var props *fastjson.Object
	if jo != nil {
		if p := jo.Get("properties"); p != nil && p.Type() == fastjson.TypeObject {
			props, _ = p.Object()
		}
	}
	st := docIDPool.Get().(*docIDState)
	defer docIDPool.Put(st)
	st.buf, st.arena, st.spans, st.order = st.buf[:0], st.arena[:0], st.spans[:0], st.order[:0]
	if props == nil {
		if raw == "" {
			return ""
		}
		st.write(rawPrefix)
		st.writeString(raw)
		return st.sum()
	}
	st.write(envelopeText(jo, "tenantId", "Tenant"))
	category := envelopeText(jo, "category")
	st.write(category)
	st.object(props, true, keyOrders[string(category)])
	return st.sum()
}

// envelopeText returns the text of the first of keys that is present and
// not null (strings unquoted), or nil. The bytes belong to the parser.
func envelopeText(jo *fastjson.Object, keys ...string) []byte {
	for _, k := range keys {
		v := jo.Get(k)
		if v == nil || v.Type() == fastjson.TypeNull {
			continue
		}
		if v.Type() == fastjson.TypeString {
			return v.GetStringBytes()
		}
		return []byte(v.String())
	}
	return nil
}

// Separators.
var (
	openObject  = []byte{0, '{'}
	closeObject = []byte{0, '}'}
	openArray   = []byte{0, '['}
	closeArray  = []byte{0, ']'}
	rawPrefix   = []byte("raw")
)

func (st *docIDState) write(b []byte) {
	st.buf = append(st.buf, 0)
	st.buf = append(st.buf, b...)
}

func (st *docIDState) writeString(s string) {
	st.buf = append(st.buf, 0)
	st.buf = append(st.buf, s...)
}

// value feeds the JSON text of v, objects with sorted keys. Scalars are
// written with MarshalTo, which copies a string that was not read yet as
// received; asking v.Type() first would unescape it, and MarshalTo would
// then escape it again.
func (st *docIDState) value(v *fastjson.Value) {
	mark := len(st.buf)
	st.buf = append(st.buf, 0)
	st.buf = v.MarshalTo(st.buf)
	switch st.buf[mark+1] {
	case '{':
		st.buf = st.buf[:mark]
		o, _ := v.Object()
		st.buf = append(st.buf, openObject...)
		st.object(o, false, nil)
		st.buf = append(st.buf, closeObject...)
	case '[':
		st.buf = st.buf[:mark]
		arr, _ := v.Array()
		st.buf = append(st.buf, openArray...)
		for _, e := range arr {
			st.value(e)
		}
		st.buf = append(st.buf, closeArray...)
	}
}

// object feeds the members of o by key in byte order. The top-level call
// (top: the properties object) feeds the key columns first (docIDKeys
// order, not null), then the other members; with the table's cache (nil
// for unknown categories) it reuses a cached order when the record's names
// match one. Nested objects use the arena above the caller's part of it.
func (st *docIDState) object(o *fastjson.Object, top bool, cache *keyOrderSet) {
	base, abase := len(st.spans), len(st.arena)
	if top {
		st.keyCols = [len(docIDKeys)]*fastjson.Value{}
	}
	o.Visit(func(k []byte, v *fastjson.Value) {
		if top {
			if i := docIDKeyIndex(k); i >= 0 {
				if st.keyCols[i] == nil { // the first, as Object.Get
					st.keyCols[i] = v
				}
				return
			}
		}
		from := len(st.arena)
		st.arena = append(st.arena, k...)
		st.spans = append(st.spans, span{from, len(st.arena), v})
	})
	if top {
		for i, v := range st.keyCols {
			if v != nil && v.Type() != fastjson.TypeNull {
				st.writeString(docIDKeys[i])
				st.value(v)
			}
		}
	}
	mine := st.spans[base:]
	obase := len(st.order)
	var order []int32
	if cache != nil {
		order = cache.find(st.arena[abase:], mine, abase)
	}
	if order == nil {
		order = st.sortOrder(mine)
		if cache != nil {
			cache.add(st.arena[abase:], mine, abase, order)
		}
	}
	for _, i := range order {
		sp := mine[i]
		st.write(st.arena[sp.from:sp.to])
		st.value(sp.v)
	}
	st.spans = st.spans[:base]
	st.arena = st.arena[:abase]
	st.order = st.order[:obase]
}

// sortOrder returns the indexes of spans in key byte order. They are
// pushed on st.order (a stack shared with nested objects: the caller pops
// them with popOrder).
func (st *docIDState) sortOrder(spans []span) []int32 {
	obase := len(st.order)
	for i := range spans {
		st.order = append(st.order, int32(i))
	}
	order := st.order[obase:]
	slices.SortFunc(order, func(a, b int32) int {
		x, y := spans[a], spans[b]
		return bytes.Compare(st.arena[x.from:x.to], st.arena[y.from:y.to])
	})
	return order
}

// matches reports whether the names of spans (keys, arena offsets from
// base) are those of ko, in the same order.
func (ko *keyOrder) matches(keys []byte, spans []span, base int) bool {
	if len(spans) != len(ko.ends) || !bytes.Equal(keys, ko.keys) {
		return false
	}
	for i, sp := range spans {
		if int32(sp.to-base) != ko.ends[i] {
			return false
		}
	}
	return true
}

func newKeyOrder(keys []byte, spans []span, base int, order []int32) *keyOrder {
	ko := &keyOrder{keys: bytes.Clone(keys), ends: make([]int32, len(spans)), order: slices.Clone(order)}
	for i, sp := range spans {
		ko.ends[i] = int32(sp.to - base)
	}
	return ko
}

func (st *docIDState) sum() string {
	d := sha1.Sum(st.buf)
	var out [28]byte
	base64.StdEncoding.Encode(out[:], d[:])
	return string(out[:])
}
