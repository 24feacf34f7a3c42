package include

import (
	"fmt"

	"gopkg.in/yaml.v2"
)

// Merged returns the generated fields.yml with every field declared once:
// the beat-level file and each data stream's file declare shared fields
// (data_stream.*, @timestamp, ECS fields such as host.name) again, which
// libbeat's Kibana index pattern generator rejects. The first declaration
// wins; a later one with another type is an error, since one data view
// cannot give a field two types.
func Merged() (string, error) {
	var keys []yaml.MapSlice
	if err := yaml.Unmarshal([]byte(fieldsYML), &keys); err != nil {
		return "", err
	}
	seen := map[string]string{}
	out := make([]yaml.MapSlice, 0, len(keys))
	for _, k := range keys {
		fs, err := dedupeFields(get(k, "fields"), "", seen)
		if err != nil {
			return "", fmt.Errorf("key %v: %w", get(k, "key"), err)
		}
		if len(fs) == 0 {
			continue
		}
		out = append(out, set(k, "fields", fs))
	}
	b, err := yaml.Marshal(out)
	return string(b), err
}

func get(m yaml.MapSlice, key string) any {
	for _, it := range m {
		if it.Key == key {
			return it.Value
		}
	}
	return nil
}

func set(m yaml.MapSlice, key string, v any) yaml.MapSlice {
	c := make(yaml.MapSlice, 0, len(m))
	for _, it := range m {
		if it.Key == key {
			it.Value = v
		}
		c = append(c, it)
	}
	return c
}

func dedupeFields(v any, prefix string, seen map[string]string) ([]any, error) {
	list, _ := v.([]any)
	var out []any
	for _, x := range list {
		f, ok := x.(yaml.MapSlice)
		if !ok {
			continue
		}
		name, _ := get(f, "name").(string)
		typ, _ := get(f, "type").(string)
		full := prefix + name
		if sub := get(f, "fields"); sub != nil && (typ == "" || typ == "group") {
			fs, err := dedupeFields(sub, full+".", seen)
			if err != nil {
				return nil, err
			}
			if len(fs) > 0 {
				out = append(out, set(f, "fields", fs))
			}
			continue
		}
		if typ == "" {
			typ = "keyword"
		}
		if prev, ok := seen[full]; ok {
			if prev != typ {
				return nil, fmt.Errorf("field %s declared as %s and as %s", full, prev, typ)
			}
			continue
		}
		seen[full] = typ
		out = append(out, f)
	}
	return out, nil
}
