// Package include registers m365beat's fields (include/fields.yml, generated
// by `go tool mage update`) with libbeat, for index templates and Kibana.
package include

import (
	_ "embed"

	"github.com/elastic/beats/v7/libbeat/asset"
)

//go:embed fields.yml
var fieldsYML string

// FieldsYML returns the generated fields.yml.
func FieldsYML() string { return fieldsYML }

func init() {
	merged, err := Merged() // dedupe.go: each field once, for Kibana
	if err != nil {
		panic(err)
	}
	encoded, err := asset.EncodeData(merged)
	if err != nil {
		panic(err)
	}
	if err := asset.SetFields("m365beat", "include/fields.yml", asset.BeatFieldsPri, func() string { return encoded }); err != nil {
		panic(err)
	}
}
