package graphapi

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/elastic/elastic-agent-libs/monitoring"

	"github.com/m365beat/m365beat/internal/graphtest"
)

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 27, 5, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		v    string
		want time.Duration
		ok   bool
	}{
		{"", 0, false},
		{"7", 7 * time.Second, true},
		{"0", 0, true},
		{"-3", 0, false},
		{"soon", 0, false},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0, true},
		{"999999", maxRetryAfter, true},
	} {
		d, ok := retryAfter(tc.v, now)
		if d != tc.want || ok != tc.ok {
			t.Errorf("retryAfter(%q) = %s, %v; want %s, %v", tc.v, d, ok, tc.want, tc.ok)
		}
	}
}

func TestBackoffDelay(t *testing.T) {
	g := &graph{}
	g.backoff.init, g.backoff.max = time.Second, 30*time.Second
	for attempt, hi := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second, 30 * time.Second, 30 * time.Second} {
		for i := 0; i < 50; i++ {
			d := g.delay(attempt)
			if d < hi/2 || d >= hi {
				t.Fatalf("delay(%d) = %s, want in [%s, %s)", attempt, d, hi/2, hi)
			}
		}
	}
	if g.delay(1000) >= 30*time.Second {
		t.Error("delay not capped")
	}
}

func testGraph(t *testing.T, srv *graphtest.Server) (*graph, *metrics, *monitoring.Registry) {
	t.Helper()
	reg := monitoring.NewRegistry()
	g := &graph{http: http.DefaultClient, tok: testTokens(t, srv, nil), log: testLogger(t)}
	g.backoff.init, g.backoff.max = time.Millisecond, 5*time.Millisecond
	return g, newMetrics(reg), reg
}

func intMetric(reg *monitoring.Registry, name string) int64 {
	if v, ok := reg.Get(name).(*monitoring.Int); ok {
		return v.Get()
	}
	return -1
}

func TestGetRetriesAndStatuses(t *testing.T) {
	srv := graphtest.New(graphtest.Options{})
	defer srv.Close()
	g, m, reg := testGraph(t, srv)
	ctx := context.Background()
	u := srv.GraphURL() + "/v1.0/security/alerts_v2?$top=1"

	srv.Inject(graphtest.Fault{Path: "alerts_v2", Status: 500, Times: 2})
	srv.Inject(graphtest.Fault{Path: "alerts_v2", Status: 429, RetryAfter: "0"})
	if _, err := g.get(ctx, u, m, getOpts{}); err != nil {
		t.Fatalf("5xx then 429 not retried: %v", err)
	}
	if intMetric(reg, "retries_total") != 3 || intMetric(reg, "errors_by_status.500") != 2 || intMetric(reg, "throttled_total") != 1 {
		t.Errorf("metrics: retries %d, 500s %d, throttled %d", intMetric(reg, "retries_total"),
			intMetric(reg, "errors_by_status.500"), intMetric(reg, "throttled_total"))
	}

	// 401 renews the token once; a second 401 is returned.
	srv.Inject(graphtest.Fault{Path: "alerts_v2", Status: 401})
	before := srv.Stats().TokenRequests
	if _, err := g.get(ctx, u, m, getOpts{}); err != nil {
		t.Fatalf("401 not recovered by a new token: %v", err)
	}
	if srv.Stats().TokenRequests != before+1 {
		t.Errorf("token requests %d, want %d", srv.Stats().TokenRequests, before+1)
	}
	srv.Inject(graphtest.Fault{Path: "alerts_v2", Status: 401, Times: 2})
	var se *statusError
	if _, err := g.get(ctx, u, m, getOpts{}); !errors.As(err, &se) || se.status != 401 {
		t.Errorf("repeated 401: %v", err)
	}

	// 403 and other 4xx are returned, not retried.
	srv.Deny("alerts_v2", true)
	if _, err := g.get(ctx, u, m, getOpts{}); !errors.As(err, &se) || se.status != 403 || !strings.Contains(se.msg, "SecurityAlert.Read.All") {
		t.Errorf("403: %v", err)
	}
	srv.Deny("alerts_v2", false)
	if _, err := g.get(ctx, srv.GraphURL()+"/v1.0/security/alerts_v2?$top=x", m, getOpts{}); !errors.As(err, &se) || se.status != 400 {
		t.Errorf("400: %v", err)
	}

	// With expandFallback a 500 is handed back at once; 503 is retried.
	srv.Inject(graphtest.Fault{Path: "alerts_v2", Status: 503, RetryAfter: "0"})
	srv.Inject(graphtest.Fault{Path: "alerts_v2", Status: 500})
	var ee *expandError
	if _, err := g.get(ctx, u, m, getOpts{expandFallback: true}); !errors.As(err, &ee) || ee.status != 500 {
		t.Errorf("expand fallback: %v", err)
	}

	// Cancellation ends an endless retry.
	srv.Inject(graphtest.Fault{Path: "alerts_v2", Status: 500, Times: 1 << 30})
	cctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	if _, err := g.get(cctx, u, m, getOpts{}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("cancelled retry: %v", err)
	}
}

func TestGetNetworkErrorRetried(t *testing.T) {
	srv := graphtest.New(graphtest.Options{})
	g, m, reg := testGraph(t, srv)
	u := srv.GraphURL() + "/v1.0/security/alerts_v2"
	if _, err := g.tok.token(context.Background(), false); err != nil {
		t.Fatal(err)
	}
	srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if _, err := g.get(ctx, u, m, getOpts{}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err %v", err)
	}
	if intMetric(reg, "errors_by_status.network") < 2 {
		t.Errorf("network errors %d, want several retries", intMetric(reg, "errors_by_status.network"))
	}
}
