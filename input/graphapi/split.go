package graphapi

// This file is the single call site of the shared decode/split step
// (input/split): list pages are split into raw items, alerts are passed in
// the key-sorted form of alert.md §1 and incidents are split one message per
// alert in the form of incident.md §1.

import (
	"github.com/m365beat/m365beat/input/split"
)

// splitList calls fn with the raw JSON of each element of a Graph list
// response's "value" array (slices alias body).
func splitList(body []byte, fn func(item []byte) error) error {
	return split.GraphList(body, fn)
}

// alertMessage appends to dst the message of one alerts_v2 item.
func alertMessage(dst, item []byte) ([]byte, error) {
	return split.Canonical(dst, item)
}

// splitIncident calls fn once per message of one incident of a polled
// page: one per alert, or the incident itself without alerts.
func splitIncident(incident []byte, fn func(msg []byte) error) error {
	return split.IncidentSorted(incident, fn)
}
