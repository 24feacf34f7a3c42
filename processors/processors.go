// Package processors holds m365beat's ECS mappers, registered as libbeat
// processor plugins. Sub-packages hold the mapper families; this file is the
// contract every family follows.
//
// Contract of every m365_defender processor:
//   - The raw record text is read from the event field "event.original" when it
//     is present (a string), else from "message" (string); "message" is removed.
//   - The event's fields are replaced by the ECS document of the spec in
//     ../shared/spec/ecs-mapping/. Input metadata already on the event
//     (@timestamp, azure.*, data_stream.*, input.*, tags, @metadata) is kept.
//   - Errors on the record never fail Run: they are reported in
//     error.message (an array of strings) as the spec says. Run returns an
//     error only for programming errors.
//
// m365_defender_vulnerability (processors/vulnerability) additionally reads
// the export's generatedTime from the event metadata key MetaSnapshotTime
// (and removes it), and passes through as a collection error document an
// event that has no record but error.message (spec vulnerability.md §9.1).
package processors

import (
	"slices"

	"github.com/elastic/elastic-agent-libs/mapstr"
)

// Names of the router processors, one per data stream.
const (
	// Event is the router of the streaming (Advanced Hunting) tables.
	Event = "m365_defender"
	// Alert maps Graph Security alerts_v2 objects.
	Alert = "m365_defender_alert"
	// Incident maps Graph Security incidents (one event per alert).
	Incident = "m365_defender_incident"
)

// Options are accepted by every m365_defender processor.
type Options struct {
	// PreserveOriginalEvent keeps event.original (Elastic's tag
	// preserve_original_event).
	PreserveOriginalEvent bool `config:"preserve_original_event"`
	// PreserveDuplicateCustomFields keeps m365_defender.* fields that were
	// copied to ECS fields (Elastic's tag preserve_duplicate_custom_fields).
	PreserveDuplicateCustomFields bool `config:"preserve_duplicate_custom_fields"`
}

// DefaultOptions returns the defaults: both options off.
func DefaultOptions() Options { return Options{} }

// Tags returns the tags Elastic's agent adds for these options, in its order.
func (o Options) Tags() []string {
	var t []string
	if o.PreserveOriginalEvent {
		t = append(t, "preserve_original_event")
	}
	if o.PreserveDuplicateCustomFields {
		t = append(t, "preserve_duplicate_custom_fields")
	}
	return t
}

// Datasets of the data streams m365beat writes.
const (
	DatasetEvent         = "m365_defender.event"
	DatasetAlert         = "m365_defender.alert"
	DatasetIncident      = "m365_defender.incident"
	DatasetVulnerability = "m365_defender.vulnerability"
)

// Vulnerability maps Defender Vulnerability Management export records.
const Vulnerability = "m365_defender_vulnerability"

// MetaSnapshotTime is the event metadata key (@metadata) carrying the
// vulnerability export's generatedTime (a string) to the processor.
const MetaSnapshotTime = "m365_defender_snapshot_time"

// ForDataset returns the processor that maps the records of a dataset.
func ForDataset(dataset string) (string, bool) {
	switch dataset {
	case DatasetEvent:
		return Event, true
	case DatasetAlert:
		return Alert, true
	case DatasetIncident:
		return Incident, true
	case DatasetVulnerability:
		return Vulnerability, true
	}
	return "", false
}

// RawText returns the raw record text of an event, as the contract above
// says: event.original when it is a string (or bytes), else message.
func RawText(f mapstr.M) (string, bool) {
	var ev map[string]any
	switch e := f["event"].(type) {
	case mapstr.M:
		ev = e
	case map[string]any:
		ev = e
	}
	switch s := ev["original"].(type) {
	case string:
		return s, true
	case []byte:
		return string(s), true
	}
	switch s := f["message"].(type) {
	case string:
		return s, true
	case []byte:
		return string(s), true
	}
	return "", false
}

// MergeTags returns the option tags that existing lacks, in Elastic's
// order, followed by the existing tags (a []string, []any or string).
func (o Options) MergeTags(existing any) []string {
	var cur []string
	switch t := existing.(type) {
	case []string:
		cur = t
	case []any:
		for _, x := range t {
			if s, ok := x.(string); ok {
				cur = append(cur, s)
			}
		}
	case string:
		cur = []string{t}
	}
	opt := o.Tags()
	out := make([]string, 0, len(opt)+len(cur)+1)
	for _, t := range opt {
		if !slices.Contains(cur, t) {
			out = append(out, t)
		}
	}
	return append(out, cur...)
}
