package graphapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// redactURL drops the query string (the SAS signature, tokens) of u.
func redactURL(u string) string {
	if i := strings.IndexByte(u, '?'); i >= 0 {
		return u[:i]
	}
	return u
}

// httpError is a non-success answer of the Defender API or Blob Storage.
type httpError struct {
	step   string
	url    string // without query
	status int
	line   string // status line
	body   string // at most 1 KiB
	hint   string
}

func (e *httpError) Error() string {
	msg := fmt.Sprintf("%s %s: HTTP %s", e.step, e.url, e.line)
	if e.body != "" {
		msg += ": " + e.body
	}
	if e.hint != "" {
		msg += " (" + e.hint + ")"
	}
	return msg
}

// retryable tells whether an answer is worth retrying.
func (e *httpError) retryable() bool {
	return e.status == http.StatusTooManyRequests || e.status == http.StatusRequestTimeout || e.status >= 500
}

// newHTTPError reads at most 1 KiB of resp's body.
func newHTTPError(step, u string, resp *http.Response) *httpError {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
	body := strings.TrimSpace(string(b))
	// An error body may repeat the SAS URL; never let its query through.
	if i := strings.Index(body, "sig="); i >= 0 {
		body = body[:i] + "sig=REDACTED"
	}
	return &httpError{step: step, url: redactURL(u), status: resp.StatusCode, line: resp.Status, body: body}
}

// netError wraps a transport error without the URL's query string.
func netError(step, u string, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return fmt.Errorf("%s %s: %w", step, redactURL(u), err)
}

// errSASExpired marks an expired (or about to expire) SAS URL.
var errSASExpired = errors.New("SAS URL expired")

// sasExpiry reads the se= parameter of a SAS URL.
func sasExpiry(u string) (time.Time, bool) {
	p, err := url.Parse(u)
	if err != nil {
		return time.Time{}, false
	}
	se := p.Query().Get("se")
	if se == "" {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339, se)
	if err != nil {
		return time.Time{}, false
	}
	return t, true
}

// isSASExpiredAnswer recognises Azure Storage's answer to an expired SAS.
func isSASExpiredAnswer(e *httpError, header http.Header) bool {
	if e.status != http.StatusForbidden {
		return false
	}
	return header.Get("x-ms-error-code") == "AuthenticationFailed" ||
		strings.Contains(e.body, "Signature not valid in the specified time frame") ||
		strings.Contains(e.body, "Signed expiry time")
}

// backoff returns the wait before retry n (1-based): init·2^(n-1) capped
// at max, or the answer's Retry-After.
func (s *vulnStream) backoff(n int, retryAfterHeader string) time.Duration {
	if d, ok := retryAfter(retryAfterHeader, time.Now()); ok {
		return d
	}
	d := s.backoffInit
	for i := 1; i < n && d < s.backoffMax; i++ {
		d *= 2
	}
	return min(d, s.backoffMax)
}

// apiGet GETs a Defender API URL with a bearer token and returns the body
// of a 200. Network errors, 429 and 5xx are retried max_retries times; a
// 401 renews the token once.
func (s *vulnStream) apiGet(ctx context.Context, step, u string) ([]byte, error) {
	refreshed := false
	for attempt := 0; ; attempt++ {
		tok, err := s.tok.token(ctx, false)
		if err != nil {
			return nil, fmt.Errorf("token: %w", err)
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Accept", "application/json")
		s.m.requests.Inc()
		resp, err := s.http.Do(req)
		var retryErr error
		var ra string
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			retryErr = netError(step, u, err)
		} else {
			if resp.StatusCode == http.StatusOK {
				body, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err == nil {
					return body, nil
				}
				retryErr = netError(step, u, err)
			} else {
				he := newHTTPError(step, u, resp)
				resp.Body.Close()
				ra = resp.Header.Get("Retry-After")
				switch {
				case he.status == http.StatusUnauthorized && !refreshed:
					refreshed = true
					if _, err := s.tok.token(ctx, true); err != nil {
						return nil, fmt.Errorf("token: %w", err)
					}
					attempt--
					continue
				case he.status == http.StatusForbidden:
					he.hint = "grant the application the Vulnerability.Read.All permission of WindowsDefenderATP, with admin consent"
					return nil, he
				case !he.retryable():
					return nil, he
				}
				retryErr = he
			}
		}
		if attempt >= s.maxRetries {
			return nil, retryErr
		}
		d := s.backoff(attempt+1, ra)
		s.log.Warnw("Defender API request failed, retrying.", "step", step, "error", retryErr, "retry_in", d.String())
		if err := sleepCtx(ctx, d); err != nil {
			return nil, err
		}
	}
}

// idleReader cancels its request when no byte arrives for d.
type idleReader struct {
	r     io.Reader
	t     *time.Timer
	d     time.Duration
	bytes *int64
}

func (i *idleReader) Read(p []byte) (int, error) {
	n, err := i.r.Read(p)
	if n > 0 {
		i.t.Reset(i.d)
		*i.bytes += int64(n)
	}
	return n, err
}
