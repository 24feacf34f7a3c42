package graphapi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"

	"github.com/elastic/elastic-agent-libs/logp"
	"github.com/valyala/fastjson"
)

// graph performs Graph GET requests with the input's retry policy.
type graph struct {
	http    *http.Client
	tok     *tokens
	prefer  bool
	log     *logp.Logger
	backoff struct{ init, max time.Duration }
}

// statusError is a Graph answer the request loop does not retry.
type statusError struct {
	status int
	code   string
	msg    string
}

func (e *statusError) Error() string {
	if e.code != "" {
		return fmt.Sprintf("HTTP %d %s: %s", e.status, e.code, e.msg)
	}
	return fmt.Sprintf("HTTP %d", e.status)
}

// expandError is a 5xx on a request with $expand=alerts: the caller falls
// back to listing without $expand.
type expandError struct{ status int }

func (e *expandError) Error() string { return fmt.Sprintf("HTTP %d on $expand=alerts", e.status) }

type getOpts struct {
	// expandFallback: return *expandError on a 5xx other than 503 instead
	// of retrying.
	expandFallback bool
	// buf, when set, is reused for the body (the returned slice aliases
	// it until the next call with the same buf).
	buf *bytes.Buffer
}

// maxRetryAfter caps a Retry-After the service asks for.
const maxRetryAfter = time.Hour

// get fetches u and returns the body of a 200 or 206 answer. Throttling
// (429, 503), other 5xx and network errors are retried here, forever,
// until ctx ends; 401 renews the token once. Other answers return an error.
func (g *graph) get(ctx context.Context, u string, m *metrics, o getOpts) ([]byte, error) {
	refreshed := false
	attempt := 0
	retry := func(d time.Duration) error {
		m.retries.Inc()
		attempt++
		return sleepCtx(ctx, d)
	}
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		tok, err := g.tok.token(ctx, false)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			var te *tokenError
			if errors.As(err, &te) && te.status != 0 && te.status < 500 && te.status != 429 {
				m.errorStatus("token_" + strconv.Itoa(te.status))
				return nil, err
			}
			m.errorStatus("token_network")
			d := g.delay(attempt)
			g.log.Warnw("Token request failed, retrying.", "error", err, "retry_in", d.String())
			if err := retry(d); err != nil {
				return nil, err
			}
			continue
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Accept", "application/json")
		if g.prefer {
			req.Header.Set("Prefer", "include-unknown-enum-members")
		}
		m.requests.Inc()
		resp, err := g.http.Do(req)
		var body []byte
		if err == nil {
			body, err = readBody(resp, o.buf)
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			m.errorStatus("network")
			d := g.delay(attempt)
			g.log.Warnw("Graph request failed, retrying.", "error", err, "retry_in", d.String())
			if err := retry(d); err != nil {
				return nil, err
			}
			continue
		}
		switch st := resp.StatusCode; {
		case st == http.StatusOK:
			return body, nil
		case st == http.StatusPartialContent:
			m.partial.Inc()
			g.log.Warnw("Graph returned partial results (HTTP 206); some items may be missing from this page.", "url", u)
			return body, nil
		case st == http.StatusUnauthorized:
			m.errorStatus("401")
			if !refreshed {
				refreshed = true
				g.log.Infow("Graph rejected the access token (HTTP 401); requesting a new one.")
				if _, err := g.tok.token(ctx, true); err != nil {
					return nil, err
				}
				continue
			}
			return nil, graphErr(st, body)
		case st == http.StatusTooManyRequests || st == http.StatusServiceUnavailable:
			m.errorStatus(strconv.Itoa(st))
			m.throttled.Inc()
			d, ok := retryAfter(resp.Header.Get("Retry-After"), time.Now())
			if !ok {
				d = g.delay(attempt)
			}
			m.throttledWait.Add(d.Milliseconds())
			g.log.Infow("Graph is throttling, waiting.", "status", st, "retry_after", resp.Header.Get("Retry-After"), "wait", d.String())
			if err := retry(d); err != nil {
				return nil, err
			}
		case st >= 500:
			m.errorStatus(strconv.Itoa(st))
			if o.expandFallback {
				return nil, &expandError{status: st}
			}
			d := g.delay(attempt)
			g.log.Warnw("Graph server error, retrying.", "error", graphErr(st, body), "retry_in", d.String())
			if err := retry(d); err != nil {
				return nil, err
			}
		default:
			m.errorStatus(strconv.Itoa(st))
			return nil, graphErr(st, body)
		}
	}
}

// readBody reads and closes the response body, into buf when given.
func readBody(resp *http.Response, buf *bytes.Buffer) ([]byte, error) {
	defer resp.Body.Close()
	if buf == nil {
		return io.ReadAll(resp.Body)
	}
	buf.Reset()
	if resp.ContentLength > 0 && resp.ContentLength < 1<<30 {
		buf.Grow(int(resp.ContentLength))
	}
	_, err := buf.ReadFrom(resp.Body)
	return buf.Bytes(), err
}

// delay is the exponential backoff with jitter for the attempt-th retry:
// a random duration in [d/2, d) with d = init·2^attempt capped at max.
func (g *graph) delay(attempt int) time.Duration {
	d := g.backoff.init
	for i := 0; i < attempt && d < g.backoff.max; i++ {
		d *= 2
	}
	if d > g.backoff.max {
		d = g.backoff.max
	}
	half := d / 2
	if half <= 0 {
		return d
	}
	return half + time.Duration(rand.Int64N(int64(half)))
}

// retryAfter parses a Retry-After value: delay seconds or an HTTP date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	var d time.Duration
	if n, err := strconv.Atoi(v); err == nil {
		if n < 0 {
			return 0, false
		}
		d = time.Duration(n) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
		if d < 0 {
			d = 0
		}
	} else {
		return 0, false
	}
	if d > maxRetryAfter {
		d = maxRetryAfter
	}
	return d, true
}

// graphErr builds a statusError from a Graph error body.
func graphErr(status int, body []byte) *statusError {
	e := &statusError{status: status}
	if v, err := fastjson.ParseBytes(body); err == nil {
		e.code = string(v.GetStringBytes("error", "code"))
		e.msg = string(v.GetStringBytes("error", "message"))
	}
	if len(e.msg) > 500 {
		e.msg = e.msg[:500]
	}
	return e
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
