package eventhubtest

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"
)

// This file is a small AMQP 1.0 type codec (section 1.6 of the spec):
// enough to read any value a client sends and to write the values the
// emulator answers with.

// symbol is an AMQP symbol.
type symbol string

// described is an AMQP described value.
type described struct {
	desc  any // uint64 or symbol
	value any
}

// list is an AMQP list (encoded as list32).
type list []any

// amqpMap is an AMQP map with encoding order kept.
type amqpMap []any // k0, v0, k1, v1, ...

var errShort = errors.New("amqp: value truncated")

// ---- encoding ----

type encoder struct{ b []byte }

func (e *encoder) u8(v byte) { e.b = append(e.b, v) }
func (e *encoder) u16(v uint16) {
	e.b = binary.BigEndian.AppendUint16(e.b, v)
}
func (e *encoder) u32(v uint32) {
	e.b = binary.BigEndian.AppendUint32(e.b, v)
}
func (e *encoder) u64(v uint64) {
	e.b = binary.BigEndian.AppendUint64(e.b, v)
}

func (e *encoder) write(v any) {
	switch v := v.(type) {
	case nil:
		e.u8(0x40)
	case bool:
		if v {
			e.u8(0x41)
		} else {
			e.u8(0x42)
		}
	case uint8:
		e.u8(0x50)
		e.u8(v)
	case uint16:
		e.u8(0x60)
		e.u16(v)
	case uint32:
		e.u8(0x70)
		e.u32(v)
	case uint64:
		if v < 256 {
			e.u8(0x53)
			e.u8(byte(v))
		} else {
			e.u8(0x80)
			e.u64(v)
		}
	case int32:
		e.u8(0x71)
		e.u32(uint32(v))
	case int64:
		e.u8(0x81)
		e.u64(uint64(v))
	case int:
		e.u8(0x81)
		e.u64(uint64(v))
	case time.Time:
		e.u8(0x83)
		e.u64(uint64(v.UnixMilli()))
	case string:
		e.u8(0xb1)
		e.u32(uint32(len(v)))
		e.b = append(e.b, v...)
	case symbol:
		e.u8(0xb3)
		e.u32(uint32(len(v)))
		e.b = append(e.b, v...)
	case []byte:
		e.u8(0xb0)
		e.u32(uint32(len(v)))
		e.b = append(e.b, v...)
	case described:
		e.u8(0x00)
		e.write(v.desc)
		e.write(v.value)
	case list:
		e.u8(0xd0)
		at := len(e.b)
		e.u32(0)
		e.u32(uint32(len(v)))
		for _, x := range v {
			e.write(x)
		}
		binary.BigEndian.PutUint32(e.b[at:], uint32(len(e.b)-at-4))
	case amqpMap:
		e.u8(0xd1)
		at := len(e.b)
		e.u32(0)
		e.u32(uint32(len(v)))
		for _, x := range v {
			e.write(x)
		}
		binary.BigEndian.PutUint32(e.b[at:], uint32(len(e.b)-at-4))
	case []symbol:
		e.u8(0xf0)
		at := len(e.b)
		e.u32(0)
		e.u32(uint32(len(v)))
		e.u8(0xb3)
		for _, s := range v {
			e.u32(uint32(len(s)))
			e.b = append(e.b, s...)
		}
		binary.BigEndian.PutUint32(e.b[at:], uint32(len(e.b)-at-4))
	case []string:
		e.u8(0xf0)
		at := len(e.b)
		e.u32(0)
		e.u32(uint32(len(v)))
		e.u8(0xb1)
		for _, s := range v {
			e.u32(uint32(len(s)))
			e.b = append(e.b, s...)
		}
		binary.BigEndian.PutUint32(e.b[at:], uint32(len(e.b)-at-4))
	default:
		panic(fmt.Sprintf("eventhubtest: cannot encode %T", v))
	}
}

// ---- decoding ----

type decoder struct {
	b []byte
	i int
}

func (d *decoder) need(n int) error {
	if n < 0 || d.i+n > len(d.b) {
		return errShort
	}
	return nil
}

func (d *decoder) take(n int) ([]byte, error) {
	if err := d.need(n); err != nil {
		return nil, err
	}
	s := d.b[d.i : d.i+n]
	d.i += n
	return s, nil
}

func (d *decoder) size(wide bool) (int, error) {
	if wide {
		b, err := d.take(4)
		if err != nil {
			return 0, err
		}
		n := binary.BigEndian.Uint32(b)
		if n > math.MaxInt32 {
			return 0, errShort
		}
		return int(n), nil
	}
	b, err := d.take(1)
	if err != nil {
		return 0, err
	}
	return int(b[0]), nil
}

// read decodes one value.
func (d *decoder) read() (any, error) {
	b, err := d.take(1)
	if err != nil {
		return nil, err
	}
	code := b[0]
	if code == 0x00 {
		desc, err := d.read()
		if err != nil {
			return nil, err
		}
		v, err := d.read()
		if err != nil {
			return nil, err
		}
		return described{desc: desc, value: v}, nil
	}
	return d.readBody(code)
}

func (d *decoder) readBody(code byte) (any, error) {
	fixed := func(n int) ([]byte, error) { return d.take(n) }
	switch code {
	case 0x40:
		return nil, nil
	case 0x41:
		return true, nil
	case 0x42:
		return false, nil
	case 0x56:
		b, err := fixed(1)
		if err != nil {
			return nil, err
		}
		return b[0] != 0, nil
	case 0x50:
		b, err := fixed(1)
		if err != nil {
			return nil, err
		}
		return b[0], nil
	case 0x51:
		b, err := fixed(1)
		if err != nil {
			return nil, err
		}
		return int8(b[0]), nil
	case 0x60:
		b, err := fixed(2)
		if err != nil {
			return nil, err
		}
		return binary.BigEndian.Uint16(b), nil
	case 0x61:
		b, err := fixed(2)
		if err != nil {
			return nil, err
		}
		return int16(binary.BigEndian.Uint16(b)), nil
	case 0x43:
		return uint32(0), nil
	case 0x52:
		b, err := fixed(1)
		if err != nil {
			return nil, err
		}
		return uint32(b[0]), nil
	case 0x70:
		b, err := fixed(4)
		if err != nil {
			return nil, err
		}
		return binary.BigEndian.Uint32(b), nil
	case 0x44:
		return uint64(0), nil
	case 0x53:
		b, err := fixed(1)
		if err != nil {
			return nil, err
		}
		return uint64(b[0]), nil
	case 0x80:
		b, err := fixed(8)
		if err != nil {
			return nil, err
		}
		return binary.BigEndian.Uint64(b), nil
	case 0x54:
		b, err := fixed(1)
		if err != nil {
			return nil, err
		}
		return int32(int8(b[0])), nil
	case 0x71:
		b, err := fixed(4)
		if err != nil {
			return nil, err
		}
		return int32(binary.BigEndian.Uint32(b)), nil
	case 0x55:
		b, err := fixed(1)
		if err != nil {
			return nil, err
		}
		return int64(int8(b[0])), nil
	case 0x81:
		b, err := fixed(8)
		if err != nil {
			return nil, err
		}
		return int64(binary.BigEndian.Uint64(b)), nil
	case 0x72:
		b, err := fixed(4)
		if err != nil {
			return nil, err
		}
		return math.Float32frombits(binary.BigEndian.Uint32(b)), nil
	case 0x82:
		b, err := fixed(8)
		if err != nil {
			return nil, err
		}
		return math.Float64frombits(binary.BigEndian.Uint64(b)), nil
	case 0x73:
		b, err := fixed(4)
		if err != nil {
			return nil, err
		}
		return rune(binary.BigEndian.Uint32(b)), nil
	case 0x74:
		_, err := fixed(4)
		return nil, err
	case 0x84:
		_, err := fixed(8)
		return nil, err
	case 0x94:
		_, err := fixed(16)
		return nil, err
	case 0x83:
		b, err := fixed(8)
		if err != nil {
			return nil, err
		}
		return time.UnixMilli(int64(binary.BigEndian.Uint64(b))).UTC(), nil
	case 0x98:
		b, err := fixed(16)
		if err != nil {
			return nil, err
		}
		var u [16]byte
		copy(u[:], b)
		return u, nil
	case 0xa0, 0xb0, 0xa1, 0xb1, 0xa3, 0xb3:
		n, err := d.size(code&0xf0 == 0xb0)
		if err != nil {
			return nil, err
		}
		b, err := d.take(n)
		if err != nil {
			return nil, err
		}
		switch code {
		case 0xa0, 0xb0:
			return append([]byte(nil), b...), nil
		case 0xa1, 0xb1:
			return string(b), nil
		default:
			return symbol(b), nil
		}
	case 0x45:
		return list{}, nil
	case 0xc0, 0xd0, 0xc1, 0xd1:
		wide := code&0xf0 == 0xd0
		size, err := d.size(wide)
		if err != nil {
			return nil, err
		}
		if err := d.need(size); err != nil {
			return nil, err
		}
		end := d.i + size
		count, err := d.size(wide)
		if err != nil {
			return nil, err
		}
		if count > size {
			return nil, errShort
		}
		items := make([]any, 0, count)
		for k := 0; k < count; k++ {
			v, err := d.read()
			if err != nil {
				return nil, err
			}
			items = append(items, v)
		}
		if d.i != end {
			return nil, fmt.Errorf("amqp: compound size mismatch")
		}
		if code == 0xc1 || code == 0xd1 {
			return amqpMap(items), nil
		}
		return list(items), nil
	case 0xe0, 0xf0:
		wide := code == 0xf0
		size, err := d.size(wide)
		if err != nil {
			return nil, err
		}
		if err := d.need(size); err != nil {
			return nil, err
		}
		end := d.i + size
		count, err := d.size(wide)
		if err != nil {
			return nil, err
		}
		if count > size {
			return nil, errShort
		}
		eb, err := d.take(1)
		if err != nil {
			return nil, err
		}
		elem := eb[0]
		var desc any
		if elem == 0x00 {
			if desc, err = d.read(); err != nil {
				return nil, err
			}
			if eb, err = d.take(1); err != nil {
				return nil, err
			}
			elem = eb[0]
		}
		items := make([]any, 0, count)
		for k := 0; k < count; k++ {
			v, err := d.readBody(elem)
			if err != nil {
				return nil, err
			}
			if desc != nil {
				v = described{desc: desc, value: v}
			}
			items = append(items, v)
		}
		if d.i != end {
			return nil, fmt.Errorf("amqp: array size mismatch")
		}
		return items, nil
	}
	return nil, fmt.Errorf("amqp: unknown type code 0x%02x", code)
}

// ---- helpers on decoded values ----

func field(l list, i int) any {
	if i < len(l) {
		return l[i]
	}
	return nil
}

func asString(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case symbol:
		return string(v)
	}
	return ""
}

func asUint(v any) (uint64, bool) {
	switch v := v.(type) {
	case uint8:
		return uint64(v), true
	case uint16:
		return uint64(v), true
	case uint32:
		return uint64(v), true
	case uint64:
		return v, true
	case int32:
		return uint64(v), v >= 0
	case int64:
		return uint64(v), v >= 0
	}
	return 0, false
}

func asInt(v any) (int64, bool) {
	switch v := v.(type) {
	case int8:
		return int64(v), true
	case int16:
		return int64(v), true
	case int32:
		return int64(v), true
	case int64:
		return v, true
	}
	u, ok := asUint(v)
	return int64(u), ok
}

func asBool(v any) bool {
	b, _ := v.(bool)
	return b
}

// mapGet looks up a string/symbol key in a decoded map.
func mapGet(m any, key string) any {
	mm, _ := m.(amqpMap)
	for i := 0; i+1 < len(mm); i += 2 {
		if asString(mm[i]) == key {
			return mm[i+1]
		}
	}
	return nil
}
