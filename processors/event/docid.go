package event

import (
	"bytes"
	"crypto/sha1"
	"encoding/base64"
	"hash"
	"slices"
	"sync"
	"unsafe"

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

func isDocIDKey(k []byte) bool {
	for _, key := range docIDKeys {
		if string(k) == key {
			return true
		}
	}
	return false
}

// docIDState is the hasher and scratch space of one docID call, pooled:
// keys are copied into one arena (fastjson keys are only valid inside
// Visit) and sorted by offset pairs, so fingerprinting allocates nothing
// per column.
type docIDState struct {
	h     hash.Hash
	buf   []byte
	arena []byte
	spans []span
}

type span struct{ from, to int }

var docIDPool = sync.Pool{New: func() any { return &docIDState{h: sha1.New()} }}

// setDocID sets @metadata._id of ev from the decoded record (jo, may be
// nil) and its raw text, unless the event already has an _id.
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
	st.h.Reset()
	st.arena, st.spans = st.arena[:0], st.spans[:0]
	if props == nil {
		if raw == "" {
			return ""
		}
		st.write(rawPrefix)
		st.writeString(raw)
		return st.sum()
	}
	st.writeString(envelopeText(jo, "tenantId", "Tenant"))
	st.writeString(envelopeText(jo, "category"))
	for _, k := range docIDKeys {
		v := props.Get(k)
		if v == nil || v.Type() == fastjson.TypeNull {
			continue
		}
		st.writeString(k)
		st.value(v)
	}
	st.object(props, true)
	return st.sum()
}

func envelopeText(jo *fastjson.Object, keys ...string) string {
	for _, k := range keys {
		v := jo.Get(k)
		if v == nil || v.Type() == fastjson.TypeNull {
			continue
		}
		if v.Type() == fastjson.TypeString {
			return string(v.GetStringBytes())
		}
		return v.String()
	}
	return ""
}

// Separators, shared so that writing them does not allocate.
var (
	sep         = []byte{0}
	openObject  = []byte{0, '{'}
	closeObject = []byte{0, '}'}
	openArray   = []byte{0, '['}
	closeArray  = []byte{0, ']'}
	rawPrefix   = []byte("raw")
)

func (st *docIDState) write(b []byte) {
	st.h.Write(sep)
	st.h.Write(b)
}

func (st *docIDState) writeString(s string) {
	st.buf = append(st.buf[:0], s...)
	st.write(st.buf)
}

// value feeds the JSON text of v, objects with sorted keys.
func (st *docIDState) value(v *fastjson.Value) {
	switch v.Type() {
	case fastjson.TypeObject:
		o, _ := v.Object()
		st.h.Write(openObject)
		st.object(o, false)
		st.h.Write(closeObject)
	case fastjson.TypeArray:
		arr, _ := v.Array()
		st.h.Write(openArray)
		for _, e := range arr {
			st.value(e)
		}
		st.h.Write(closeArray)
	default:
		st.buf = v.MarshalTo(st.buf[:0])
		st.write(st.buf)
	}
}

// object feeds the members of o by key in byte order; skipKeys leaves out
// the key columns already fed. Nested objects reuse the arena above the
// caller's part of it.
func (st *docIDState) object(o *fastjson.Object, skipKeys bool) {
	base := len(st.spans)
	o.Visit(func(k []byte, v *fastjson.Value) {
		if skipKeys && isDocIDKey(k) {
			return
		}
		from := len(st.arena)
		st.arena = append(st.arena, k...)
		st.spans = append(st.spans, span{from, len(st.arena)})
	})
	mine := st.spans[base:]
	slices.SortFunc(mine, func(a, b span) int {
		return bytes.Compare(st.arena[a.from:a.to], st.arena[b.from:b.to])
	})
	for i := base; i < len(st.spans); i++ {
		sp := st.spans[i]
		k := st.arena[sp.from:sp.to]
		st.write(k)
		st.value(o.Get(unsafeString(k)))
	}
	st.spans = st.spans[:base]
}

func (st *docIDState) sum() string {
	var d [sha1.Size]byte
	var out [28]byte
	base64.StdEncoding.Encode(out[:], st.h.Sum(d[:0]))
	return string(out[:])
}

// unsafeString views b as a string for a lookup that does not keep it.
func unsafeString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }
