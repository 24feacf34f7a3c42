package graphapi

// This file is the single call site of the shared decode/split step
// (input/split, Graph part). Until split.GraphList / split.Incident are on
// main, it carries a minimal equivalent on fastjson.

import (
	"errors"

	"github.com/valyala/fastjson"
)

var parsers fastjson.ParserPool

// splitList calls fn with the raw JSON of each element of a Graph list
// response's "value" array.
func splitList(body []byte, fn func(item []byte) error) error {
	arr, ok, err := member(body, "value")
	if err != nil {
		return err
	}
	if !ok {
		return errors.New("response has no value array")
	}
	return eachElement(arr, fn)
}

// splitIncident calls fn once per document of an incident: one per alert
// (the incident with "alerts" holding that one alert), or the incident as
// is when alerts is absent or empty.
func splitIncident(incident []byte, fn func(msg []byte) error) error {
	p := parsers.Get()
	defer parsers.Put(p)
	v, err := p.ParseBytes(incident)
	if err != nil {
		return err
	}
	obj, err := v.Object()
	if err != nil {
		return errors.New("incident is not a JSON object")
	}
	alerts := obj.Get("alerts")
	if alerts == nil || alerts.Type() != fastjson.TypeArray || len(alerts.GetArray()) == 0 {
		return fn(incident)
	}
	var buf []byte
	for _, a := range alerts.GetArray() {
		buf = append(buf[:0], '{')
		first := true
		obj.Visit(func(k []byte, val *fastjson.Value) {
			if !first {
				buf = append(buf, ',')
			}
			first = false
			buf = appendJSONString(buf, k)
			buf = append(buf, ':')
			if string(k) == "alerts" {
				buf = a.MarshalTo(buf)
			} else {
				buf = val.MarshalTo(buf)
			}
		})
		buf = append(buf, '}')
		if err := fn(buf); err != nil {
			return err
		}
	}
	return nil
}

func appendJSONString(dst, s []byte) []byte {
	var a fastjson.Arena
	return a.NewStringBytes(s).MarshalTo(dst)
}
