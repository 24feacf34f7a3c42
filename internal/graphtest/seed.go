package graphtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// seedDoc is what the fake reads from a document added with AddAlertJSON;
// the whole document is served as it is.
type seedDoc struct {
	ID                 string `json:"id"`
	IncidentID         string `json:"incidentId"`
	Status             string `json:"status"`
	Severity           string `json:"severity"`
	CreatedDateTime    string `json:"createdDateTime"`
	LastUpdateDateTime string `json:"lastUpdateDateTime"`
}

func (d *seedDoc) times() (created, updated time.Time, err error) {
	updated, err = time.Parse(time.RFC3339Nano, d.LastUpdateDateTime)
	if err != nil {
		return created, updated, fmt.Errorf("lastUpdateDateTime: %w", err)
	}
	created = updated
	if d.CreatedDateTime != "" {
		if created, err = time.Parse(time.RFC3339Nano, d.CreatedDateTime); err != nil {
			return created, updated, fmt.Errorf("createdDateTime: %w", err)
		}
	}
	return created.UTC(), updated.UTC(), nil
}

func compactObject(doc []byte) ([]byte, error) {
	var buf bytes.Buffer
	if err := json.Compact(&buf, doc); err != nil {
		return nil, err
	}
	b := buf.Bytes()
	if len(b) < 2 || b[0] != '{' {
		return nil, fmt.Errorf("not a JSON object")
	}
	return b, nil
}

// AddIncident adds an incident with the given id (Defender's are
// numeric), times, status and severity; its other properties are
// generated like those of Generate's incidents. Its alerts are the ones
// added with AddAlertJSON that name it in incidentId, served with
// $expand=alerts.
func (s *Server) AddIncident(id int, created, lastUpdate time.Time, status, severity string) (*Incident, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.incByID[id]; dup {
		return nil, fmt.Errorf("graphtest: incident %d already exists", id)
	}
	in := &Incident{ID: id, Created: created.UTC(), LastUpdate: lastUpdate.UTC(), Status: status, Severity: severity}
	s.incidents = append(s.incidents, in)
	s.incByID[id] = in
	if id > s.nextInc {
		s.nextInc = id
	}
	return in, nil
}

// AddAlertJSON adds an alert served as doc, a Graph alerts_v2 object with
// an id and a lastUpdateDateTime. When incidentId names an existing
// incident (AddIncident, Generate), the alert becomes one of its alerts;
// otherwise it is listed by alerts_v2 only. Its lastUpdateDateTime is
// read once: Update does not rewrite the document.
func (s *Server) AddAlertJSON(doc []byte) (*Alert, error) {
	b, err := compactObject(doc)
	if err != nil {
		return nil, fmt.Errorf("graphtest: alert: %w", err)
	}
	var d seedDoc
	if err := json.Unmarshal(b, &d); err != nil {
		return nil, fmt.Errorf("graphtest: alert: %w", err)
	}
	if d.ID == "" {
		return nil, fmt.Errorf("graphtest: alert: id is required")
	}
	created, updated, err := d.times()
	if err != nil {
		return nil, fmt.Errorf("graphtest: alert %s: %w", d.ID, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.byID[d.ID]; dup {
		return nil, fmt.Errorf("graphtest: alert %s already exists", d.ID)
	}
	inc := -1
	if n, err := strconv.Atoi(d.IncidentID); err == nil {
		inc = n
	}
	s.seq++
	a := &Alert{ID: d.ID, Incident: inc, Seq: s.seq, Created: created, LastUpdate: updated,
		Status: d.Status, Severity: d.Severity, Version: 1, Doc: b}
	if in := s.incByID[inc]; in != nil {
		in.Alerts = append(in.Alerts, a)
	}
	s.alerts = append(s.alerts, a)
	s.byID[a.ID] = a
	return a, nil
}

// appendDoc appends a stored document, with the alert @odata.type first
// when withType is set and the document has none.
func appendDoc(dst, doc []byte, withType bool) []byte {
	if !withType || bytes.Contains(doc, []byte(`"@odata.type":"#microsoft.graph.security.alert"`)) {
		return append(dst, doc...)
	}
	dst = append(dst, `{"@odata.type":"#microsoft.graph.security.alert"`...)
	if len(doc) > 2 {
		dst = append(dst, ',')
	}
	return append(dst, doc[1:]...)
}
