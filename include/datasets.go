package include

import (
	"fmt"
	"strings"
)

// sectionMarker starts each source file's section in the generated
// fields.yml (see internal/gen).
const sectionMarker = "\n# --- "

// sections splits the generated fields.yml into its source files.
func sections(all string) map[string]string {
	out := map[string]string{}
	parts := strings.Split(all, sectionMarker)
	for _, p := range parts[1:] {
		name, body, _ := strings.Cut(p, "\n")
		out[name] = body
	}
	return out
}

// DatasetFields returns the fields.yml of one data stream: the beat-level
// fields (_meta/fields.common.yml) followed by the module's
// module/m365_defender/<name>/_meta/fields.yml, where dataset is
// m365_defender.<name>. It fails when the dataset has no fields.yml.
func DatasetFields(dataset string) ([]byte, error) {
	mod, name, ok := strings.Cut(dataset, ".")
	if !ok || name == "" {
		return nil, fmt.Errorf("dataset %q is not <module>.<name>", dataset)
	}
	secs := sections(fieldsYML)
	common, ok := secs["_meta/fields.common.yml"]
	if !ok {
		return nil, fmt.Errorf("include/fields.yml has no _meta/fields.common.yml section: run go tool mage update")
	}
	ds, ok := secs["module/"+mod+"/"+name+"/_meta/fields.yml"]
	if !ok {
		return nil, fmt.Errorf("dataset %s: no module/%s/%s/_meta/fields.yml in include/fields.yml (add it and run go tool mage update)", dataset, mod, name)
	}
	return []byte(common + "\n" + ds), nil
}
