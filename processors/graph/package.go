// Package graph holds the ECS mappers of the Graph Security streams,
// registered as libbeat processor plugins:
//
//   - m365_defender_alert maps one alerts_v2 object (spec alert.md) into an
//     m365_defender.alert document;
//   - m365_defender_incident maps one incident record whose `alerts` holds a
//     single alert (or none) into an m365_defender.incident document (spec
//     incident.md). Split incidents first with input/split.Incident (or
//     IncidentPage for a polled page): one record per alert.
//
// Both read the record from event.original (else message), replace the
// event's fields with the document, set @timestamp from lastUpdateDateTime
// and @metadata._id to the spec's fingerprint, and accept the options of
// processors.Options:
//
//	processors:
//	  - m365_defender_incident:
//	      preserve_original_event: true
//	      preserve_duplicate_custom_fields: false
//
// Deviations from the spec, all to keep documents indexable without losing
// data: a date that fails to parse is dropped from its custom field in the
// alert stream too (as incident.md §4 says for incidents), and evidence that
// is not an array of objects is left out of the document with an error,
// event.original being kept. Metrics (monitoring registry
// processor.<name>): events, errors, pages_dropped (empty result pages, no
// document), evidence.total and evidence.unknown_type (evidence of a type
// the spec does not map specifically; kept as received).
package graph
