package event

import (
	"crypto/sha1"
	"encoding/base64"
	"hash"
	"slices"

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

// docIDState is the hasher and scratch buffer of one docID call.
type docIDState struct {
	h   hash.Hash
	buf []byte
}

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
	st := docIDState{h: sha1.New()}
	if props == nil {
		if raw == "" {
			return ""
		}
		st.write([]byte("raw"))
		st.write([]byte(raw))
		return st.sum()
	}
	st.writeString(envelopeText(jo, "tenantId", "Tenant"))
	st.writeString(envelopeText(jo, "category"))
	for _, k := range docIDKeys {
		v := props.Get(k)
		if v == nil || v.Type() == fastjson.TypeNull {
			continue
		}
		st.write([]byte(k))
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

func (st *docIDState) write(b []byte) {
	st.h.Write([]byte{0})
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
		st.h.Write([]byte{0, '{'})
		st.object(o, false)
		st.h.Write([]byte{0, '}'})
	case fastjson.TypeArray:
		arr, _ := v.Array()
		st.h.Write([]byte{0, '['})
		for _, e := range arr {
			st.value(e)
		}
		st.h.Write([]byte{0, ']'})
	default:
		st.buf = v.MarshalTo(st.buf[:0])
		st.write(st.buf)
	}
}

// object feeds the members of o by key in byte order; skipKeys leaves out
// the key columns already fed.
func (st *docIDState) object(o *fastjson.Object, skipKeys bool) {
	keys := make([]string, 0, o.Len())
	o.Visit(func(k []byte, v *fastjson.Value) {
		if skipKeys && isDocIDKey(k) {
			return
		}
		keys = append(keys, string(k))
	})
	slices.Sort(keys)
	for _, k := range keys {
		st.writeString(k)
		st.value(o.Get(k))
	}
}

func (st *docIDState) sum() string {
	var d [sha1.Size]byte
	return base64.StdEncoding.EncodeToString(st.h.Sum(d[:0]))
}
