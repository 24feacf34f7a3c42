package graphapi

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/elastic/beats/v7/libbeat/beat"
	"github.com/elastic/elastic-agent-libs/mapstr"
	"github.com/valyala/fastjson"

	"github.com/m365beat/m365beat/processors"
)

// sasMargin: a SAS URL expiring within this margin is treated as expired.
const sasMargin = 2 * time.Minute

// export is the answer of SoftwareVulnerabilitiesExport.
type export struct {
	files     []string
	generated string
}

// exportCall asks for the export's download URLs.
func (s *vulnStream) exportCall(ctx context.Context) (export, error) {
	u := s.api + "/api/machines/SoftwareVulnerabilitiesExport?sasValidHours=" + strconv.Itoa(s.cfg.Vuln.SASValidHours)
	body, err := s.apiGet(ctx, "export", u)
	if err != nil {
		return export{}, err
	}
	v, err := fastjson.ParseBytes(body)
	if err != nil {
		return export{}, fmt.Errorf("export %s: cannot decode the answer: %w", redactURL(u), err)
	}
	var e export
	e.generated = string(v.GetStringBytes("generatedTime"))
	for _, f := range v.GetArray("exportFiles") {
		e.files = append(e.files, string(f.GetStringBytes()))
	}
	if e.generated == "" {
		return e, fmt.Errorf("export %s: the answer has no generatedTime", redactURL(u))
	}
	return e, nil
}

// fileKey identifies an export file across export calls: its URL without
// the SAS query.
func fileKey(u string) string { return redactURL(u) }

// fullSync runs one full export (§2.2, §2.3) and reports whether every
// file was published.
func (s *vulnStream) fullSync(ctx context.Context) bool {
	start := s.now()
	exp, err := s.exportCall(ctx)
	if err != nil {
		if ctx.Err() == nil {
			s.publishError(err)
		}
		return false
	}
	s.log.Infow("Vulnerability export started.", "generated_time", exp.generated, "files", len(exp.files))
	ack := &vulnAck{}
	s.enqueue(ack)
	done := map[string]int{} // file key → records published (complete files too)
	complete := map[string]bool{}
	restarted, failed := false, false
	for i := 0; i < len(exp.files); i++ {
		u := exp.files[i]
		k := fileKey(u)
		if complete[k] {
			continue
		}
		label := fmt.Sprintf("file %d/%d", i+1, len(exp.files))
		n, err := s.download(ctx, u, label, exp.generated, done[k], ack)
		done[k] += n
		if ctx.Err() != nil {
			s.seal(ack, nil)
			return false
		}
		if errors.Is(err, errSASExpired) {
			if restarted {
				s.m.sasExhausted.Inc()
				s.publishError(fmt.Errorf("download %s %s: the SAS URLs expired again after the export was re-requested once; the sync ends and runs again at the next interval (raise sas_valid_hours): %w", label, k, err))
				failed = true
				break
			}
			restarted = true
			s.m.sasRestarts.Inc()
			s.log.Warnw("Export download URLs expired; requesting the export once more.", "file", k)
			nexp, err := s.exportCall(ctx)
			if err != nil {
				if ctx.Err() == nil {
					s.publishError(fmt.Errorf("re-requesting the export after expired SAS URLs: %w", err))
				}
				failed = true
				break
			}
			if nexp.generated != exp.generated {
				// A new snapshot: start over from its first file.
				s.log.Infow("The export was regenerated; restarting the sync from its first file.", "generated_time", nexp.generated)
				done, complete = map[string]int{}, map[string]bool{}
				exp = nexp
				i = -1
				continue
			}
			exp = nexp // same files, fresh signatures: resume where we were
			i = -1
			continue
		}
		if err != nil {
			s.publishError(err)
			failed = true
			continue
		}
		complete[k] = true
		s.m.exportFiles.Inc()
	}
	if failed {
		s.seal(ack, nil)
		s.log.Errorw("Vulnerability export incomplete; the next attempt is at the next interval.", "generated_time", exp.generated)
		return false
	}
	gen := exp.generated
	started := start.UTC().Format(time.RFC3339Nano)
	s.seal(ack, func(st *vulnState) {
		st.LastFullExport = gen
		st.FullSyncStarted = started
		if st.DeltaCursor == "" || laterThan(gen, st.DeltaCursor) {
			st.DeltaCursor = gen
		}
	})
	d := s.now().Sub(start)
	s.m.syncs.Inc()
	s.m.syncDuration.Set(d.Seconds())
	s.log.Infow("Vulnerability export published.", "generated_time", gen, "files", len(exp.files), "duration", d.String())
	return true
}

// laterThan compares two timestamps (unparseable: false).
func laterThan(a, b string) bool {
	ta, err1 := time.Parse(time.RFC3339Nano, a)
	tb, err2 := time.Parse(time.RFC3339Nano, b)
	return err1 == nil && err2 == nil && ta.After(tb)
}

// download publishes the records of one export file after the first skip
// ones (already published), retrying network errors, 5xx, truncated and
// empty bodies max_retries times. It returns how many records it
// published; errSASExpired when the SAS URL expired.
func (s *vulnStream) download(ctx context.Context, u, label, gen string, skip int, ack *vulnAck) (int, error) {
	total := 0
	for attempt := 0; ; attempt++ {
		if exp, ok := sasExpiry(u); ok && s.now().Add(sasMargin).After(exp) {
			return total, fmt.Errorf("download %s %s: expires at %s: %w", label, redactURL(u), exp.UTC().Format(time.RFC3339), errSASExpired)
		}
		n, ra, err := s.fetch(ctx, u, label, gen, skip+total, ack)
		total += n
		if err == nil || ctx.Err() != nil || errors.Is(err, errSASExpired) {
			return total, err
		}
		var he *httpError
		if errors.As(err, &he) && !he.retryable() {
			return total, err
		}
		if attempt >= s.maxRetries {
			return total, fmt.Errorf("%w (gave up after %d retries)", err, s.maxRetries)
		}
		s.m.downloadRetries.Inc()
		d := s.backoff(attempt+1, ra)
		s.log.Warnw("Export file download failed; downloading it again, skipping the records already published.", "error", err, "published", skip+total, "retry_in", d.String())
		if err := sleepCtx(ctx, d); err != nil {
			return total, err
		}
	}
}

// fetch downloads one file once and publishes its records after skip.
// The body streams through gzip and a line reader: memory holds one
// batch, never the file.
func (s *vulnStream) fetch(ctx context.Context, u, label, gen string, skip int, ack *vulnAck) (published int, retryAfter string, err error) {
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, "", netError("download "+label, u, err)
	}
	// No Authorization header: the SAS in the query is the credential.
	resp, err := s.dl.Do(req)
	if err != nil {
		return 0, "", netError("download "+label, u, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		he := newHTTPError("download "+label, u, resp)
		if isSASExpiredAnswer(he, resp.Header) {
			he.hint = "SAS URLs expired"
			return 0, "", fmt.Errorf("%w: %w", he, errSASExpired)
		}
		return 0, resp.Header.Get("Retry-After"), he
	}
	var nbytes int64
	idle := time.AfterFunc(s.cfg.Vuln.IdleTimeout, cancel)
	defer idle.Stop()
	body := &idleReader{r: resp.Body, t: idle, d: s.cfg.Vuln.IdleTimeout, bytes: &nbytes}
	defer func() { s.m.bytesDownloaded.Add(nbytes) }()

	zr, err := gzip.NewReader(bufio.NewReaderSize(body, 64*1024))
	if err != nil {
		if nbytes == 0 {
			return 0, "", fmt.Errorf("download %s %s: empty body", label, redactURL(u))
		}
		return 0, "", fmt.Errorf("decode %s %s: not a gzip file (%v); the SAS URLs may have expired (raise sas_valid_hours)", label, redactURL(u), err)
	}
	defer zr.Close()
	br := bufio.NewReaderSize(zr, 256*1024)

	batch := make([]beat.Event, 0, s.cfg.BatchSize)
	flush := func() {
		if s.publish(ctx, ack, batch) {
			published += len(batch)
			s.m.records.Add(int64(len(batch)))
		}
		batch = make([]beat.Event, 0, s.cfg.BatchSize)
	}
	defer flush() // records read before an error are published and counted
	idx := 0
	var long []byte
	for {
		line, rerr := br.ReadSlice('\n')
		if rerr == bufio.ErrBufferFull {
			if len(long)+len(line) <= s.maxLine {
				long = append(long, line...)
			} else if long != nil || len(line) > 0 {
				long = long[:0]
				long = append(long, "\x00"...) // marks an over-long line
			}
			continue
		}
		if rerr != nil && rerr != io.EOF {
			line = nil // a partial line before a broken body is not a record
			long = nil
		}
		if long != nil {
			if len(long) > 0 && long[0] == 0 {
				line = nil
				if idx >= skip {
					batch = append(batch, beat.Event{Timestamp: s.now(), Fields: mapstr.M{"error": mapstr.M{
						"message": []string{fmt.Sprintf("decode %s %s: record %d is longer than %d bytes; skipped", label, redactURL(u), idx+1, s.maxLine)}}}})
					s.m.errors.Inc()
				}
				idx++
				long = nil
				goto next
			}
			long = append(long, line...)
			line = long
			long = nil
		}
		if rec := bytes.TrimSpace(line); len(rec) > 0 {
			if idx >= skip {
				batch = append(batch, beat.Event{
					Timestamp: s.now(),
					Fields:    mapstr.M{"message": string(rec)},
					Meta:      mapstr.M{processors.MetaSnapshotTime: gen},
					Private:   ack,
				})
				if len(batch) >= s.cfg.BatchSize {
					flush()
				}
			}
			idx++
		}
	next:
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			if ctx.Err() != nil {
				return published, "", ctx.Err()
			}
			if rctx.Err() != nil {
				rerr = fmt.Errorf("no data for %s", s.cfg.Vuln.IdleTimeout)
			}
			var ue *url.Error
			if errors.As(rerr, &ue) {
				rerr = ue.Err
			}
			return published, "", fmt.Errorf("download %s %s: body broken after %d records: %w", label, redactURL(u), idx, rerr)
		}
	}
	return published, "", nil
}
