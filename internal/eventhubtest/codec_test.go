package eventhubtest

import (
	"reflect"
	"testing"
	"time"
)

func TestCodecRoundTrip(t *testing.T) {
	now := time.UnixMilli(time.Now().UnixMilli()).UTC()
	in := list{
		nil, true, false, uint8(7), uint16(300), uint32(70000), uint64(5), uint64(1 << 40),
		int32(-3), int64(-1 << 40), now, "text", symbol("sym"), []byte{1, 2},
		described{desc: uint64(0x28), value: list{"addr"}},
		amqpMap{symbol("k"), "v", "n", int64(1)},
	}
	e := encoder{}
	e.write(in)
	e.write([]symbol{"a", "bc"})
	e.write([]string{"0", "1"})
	d := &decoder{b: e.b}
	got, err := d.read()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, in) {
		t.Fatalf("round trip:\n got %#v\nwant %#v", got, in)
	}
	arr, err := d.read()
	if err != nil || !reflect.DeepEqual(arr, []any{symbol("a"), symbol("bc")}) {
		t.Fatalf("symbol array: %#v %v", arr, err)
	}
	arr, err = d.read()
	if err != nil || !reflect.DeepEqual(arr, []any{"0", "1"}) {
		t.Fatalf("string array: %#v %v", arr, err)
	}
	if d.i != len(e.b) {
		t.Fatalf("%d bytes left", len(e.b)-d.i)
	}
}

func TestDecoderRejectsTruncated(t *testing.T) {
	e := encoder{}
	e.write(list{"hello", uint64(1 << 40), amqpMap{"a", "b"}})
	for n := 0; n < len(e.b); n++ {
		d := &decoder{b: e.b[:n]}
		if _, err := d.read(); err == nil {
			t.Fatalf("no error for %d of %d bytes", n, len(e.b))
		}
	}
}

func FuzzDecoder(f *testing.F) {
	e := encoder{}
	e.write(described{desc: uint64(descAttach), value: list{"name", uint32(0), true, nil, nil,
		described{desc: uint64(descSource), value: list{"hub/ConsumerGroups/$Default/Partitions/0"}}}})
	f.Add(e.b)
	f.Add([]byte{0xe0, 0x05, 0x02, 0xa3, 0x01, 'a'})
	f.Fuzz(func(t *testing.T, b []byte) {
		d := &decoder{b: b}
		for i := 0; i < 8 && d.i < len(b); i++ {
			if _, err := d.read(); err != nil {
				return
			}
		}
	})
}
