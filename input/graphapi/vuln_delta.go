package graphapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/elastic/beats/v7/libbeat/beat"
	"github.com/elastic/elastic-agent-libs/mapstr"
	"github.com/valyala/fastjson"

	"github.com/m365beat/m365beat/input/split"
)

// delta polls SoftwareVulnerabilityChangesByMachine from the persisted
// cursor (§10) and reports whether a full export is needed now (the API
// refused the sinceTime). Without a finished full export it does nothing.
func (s *vulnStream) delta(ctx context.Context) (needFull bool) {
	st := s.snapshot()
	since := st.DeltaCursor
	if since == "" {
		since = st.LastFullExport
	}
	if since == "" {
		return false // no full export finished yet: it runs on its own schedule
	}
	start := s.now()
	q := url.Values{"sinceTime": {since}, "pageSize": {strconv.Itoa(s.cfg.Vuln.Delta.PageSize)}}
	u := s.api + "/api/machines/SoftwareVulnerabilityChangesByMachine?" + q.Encode()
	ack := &vulnAck{}
	s.enqueue(ack)
	newest, _ := time.Parse(time.RFC3339Nano, since)
	var p fastjson.Parser
	records := 0
	for page := 1; u != ""; page++ {
		body, err := s.apiGet(ctx, "delta page "+strconv.Itoa(page), u)
		if err != nil {
			s.seal(ack, nil)
			if ctx.Err() != nil {
				return false
			}
			var he *httpError
			if errors.As(err, &he) && he.status == http.StatusBadRequest {
				s.log.Warnw("The delta API refused the cursor; running a full export instead.", "since_time", since, "error", err)
				return true
			}
			s.publishError(err)
			return false
		}
		v, err := p.ParseBytes(body)
		if err != nil {
			s.seal(ack, nil)
			s.publishError(fmt.Errorf("delta page %d %s: cannot decode the answer: %w", page, redactURL(u), err))
			return false
		}
		u = string(v.GetStringBytes("@odata.nextLink"))
		for _, r := range v.GetArray("value") {
			if t, err := time.Parse(time.RFC3339Nano, string(r.GetStringBytes("eventTimestamp"))); err == nil && t.After(newest) {
				newest = t
			}
		}
		batch := make([]beat.Event, 0, s.cfg.BatchSize)
		err = split.GraphList(body, func(rec []byte) error {
			batch = append(batch, beat.Event{Timestamp: s.now(), Fields: mapstr.M{"message": string(rec)}, Private: ack})
			if len(batch) >= s.cfg.BatchSize {
				s.publish(ctx, ack, batch)
				records += len(batch)
				batch = make([]beat.Event, 0, s.cfg.BatchSize)
			}
			return nil
		})
		s.publish(ctx, ack, batch)
		records += len(batch)
		s.m.deltaPages.Inc()
		if err != nil {
			s.seal(ack, nil)
			s.publishError(fmt.Errorf("delta page %d: %w", page, err))
			return false
		}
	}
	s.m.deltaRecords.Add(int64(records))
	cursor := newest.UTC().Format(time.RFC3339Nano)
	s.seal(ack, func(st *vulnState) { st.DeltaCursor = cursor })
	d := s.now().Sub(start)
	s.m.deltaDuration.Set(d.Seconds())
	s.log.Infow("Vulnerability changes published.", "since_time", since, "records", records, "cursor", cursor, "duration", d.String())
	return false
}
