package graphapi

import (
	"strings"
	"testing"
	"time"

	conf "github.com/elastic/elastic-agent-libs/config"
)

func baseEntry() map[string]any {
	return map[string]any{
		"type": "graphapi", "id": "contoso",
		"tenant_id": "t", "client_id": "c", "client_secret": "s",
		"streams": []map[string]any{{"resource": "alerts"}, {"resource": "incidents"}},
	}
}

func TestConfigDefaults(t *testing.T) {
	c, err := readConfig(conf.MustNewConfigFrom(baseEntry()))
	if err != nil {
		t.Fatal(err)
	}
	if c.InitialLookback != 24*time.Hour || c.Overlap != 5*time.Minute || !c.IncludeUnknownEnumMembers ||
		c.Cloud != "public" || c.DataStream.Namespace != "default" {
		t.Errorf("defaults: %+v", c)
	}
	a, i := c.Streams[0], c.Streams[1]
	if a.Interval != 5*time.Minute || a.BatchSize != 1000 || a.DataStream.Dataset != "m365_defender.alert" {
		t.Errorf("alerts stream defaults: %+v", a)
	}
	if i.Interval != time.Minute || i.BatchSize != 50 || !i.includeAlerts() || i.DataStream.Dataset != "m365_defender.incident" {
		t.Errorf("incidents stream defaults: %+v", i)
	}
	if a.raw == nil {
		t.Error("stream options not kept")
	}
	login, graph := c.endpoints()
	if login != "https://login.microsoftonline.com" || graph != "https://graph.microsoft.com" {
		t.Errorf("endpoints %s %s", login, graph)
	}
}

func TestConfigClouds(t *testing.T) {
	for cloud, want := range map[string][2]string{
		"gcc":      {"https://login.microsoftonline.com", "https://graph.microsoft.com"},
		"gcc_high": {"https://login.microsoftonline.us", "https://graph.microsoft.us"},
		"dod":      {"https://login.microsoftonline.us", "https://dod-graph.microsoft.us"},
	} {
		e := baseEntry()
		e["cloud"] = cloud
		c, err := readConfig(conf.MustNewConfigFrom(e))
		if err != nil {
			t.Fatal(err)
		}
		if l, g := c.endpoints(); l != want[0] || g != want[1] {
			t.Errorf("%s: %s %s", cloud, l, g)
		}
	}
	e := baseEntry()
	e["cloud"], e["graph_url"], e["login_url"] = "dod", "http://127.0.0.1:9/", "http://127.0.0.1:8"
	c, err := readConfig(conf.MustNewConfigFrom(e))
	if err != nil {
		t.Fatal(err)
	}
	if l, g := c.endpoints(); l != "http://127.0.0.1:8" || g != "http://127.0.0.1:9" {
		t.Errorf("overrides: %s %s", l, g)
	}
}

func TestConfigErrorsNameTheKey(t *testing.T) {
	for _, tc := range []struct {
		name string
		mod  func(e map[string]any)
		want string
	}{
		{"no tenant", func(e map[string]any) { delete(e, "tenant_id") }, "tenant_id: required"},
		{"no client", func(e map[string]any) { delete(e, "client_id") }, "client_id: required"},
		{"no credential", func(e map[string]any) { delete(e, "client_secret") }, "client_secret: required unless certificate"},
		{"both credentials", func(e map[string]any) { e["certificate"], e["private_key"] = "a", "b" }, "client_secret: set either"},
		{"cert without key", func(e map[string]any) { delete(e, "client_secret"); e["certificate"] = "a" }, "private_key: required with certificate"},
		{"bad cloud", func(e map[string]any) { e["cloud"] = "mars" }, "cloud: unknown cloud"},
		{"bad graph_url", func(e map[string]any) { e["graph_url"] = "ftp://x" }, "graph_url: must be an absolute http(s) URL"},
		{"bad lookback", func(e map[string]any) { e["initial_lookback"] = "-1h" }, "initial_lookback: must be positive"},
		{"bad overlap", func(e map[string]any) { e["overlap"] = "-1m" }, "overlap: must not be negative"},
		{"no streams", func(e map[string]any) { delete(e, "streams") }, "streams: at least one stream"},
		{"bad resource", func(e map[string]any) {
			e["streams"] = []map[string]any{{"resource": "alerts"}, {"resource": "secureScores"}}
		}, "streams.1.resource: must be alerts, incidents or vulnerabilities"},
		{"bad interval", func(e map[string]any) { e["streams"] = []map[string]any{{"resource": "alerts", "interval": "-5s"}} }, "streams.0.interval: must be positive"},
		{"top too big", func(e map[string]any) {
			e["streams"] = []map[string]any{{"resource": "incidents", "batch_size": 51}}
		}, "streams.0.batch_size: must be between 1 and 50"},
		{"alerts top", func(e map[string]any) {
			e["streams"] = []map[string]any{{"resource": "alerts", "batch_size": 2001}}
		}, "streams.0.batch_size: must be between 1 and 2000"},
		{"duplicate", func(e map[string]any) {
			e["streams"] = []map[string]any{{"resource": "alerts"}, {"resource": "alerts"}}
		}, "streams.1.resource: duplicate of streams.0"},
		{"backoff", func(e map[string]any) { e["backoff.init"], e["backoff.max"] = "10s", "1s" }, "backoff.max: must be at least backoff.init"},
	} {
		e := baseEntry()
		tc.mod(e)
		_, err := New(conf.MustNewConfigFrom(e), testLogger(t))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		}
	}
}

func TestConfigTwoDatasetsSameResource(t *testing.T) {
	e := baseEntry()
	e["streams"] = []map[string]any{
		{"resource": "alerts"},
		{"resource": "alerts", "data_stream.dataset": "m365_defender.alert_copy"},
	}
	if _, err := readConfig(conf.MustNewConfigFrom(e)); err != nil {
		t.Fatal(err)
	}
}

func TestConfigProxyAndTLS(t *testing.T) {
	e := baseEntry()
	e["proxy_url"] = "http://proxy.example:3128"
	e["ssl.verification_mode"] = "full"
	e["timeout"] = "30s"
	c, err := readConfig(conf.MustNewConfigFrom(e))
	if err != nil {
		t.Fatal(err)
	}
	if c.Transport.Proxy.URL == nil || c.Transport.Proxy.URL.URI().Host != "proxy.example:3128" || c.Transport.Timeout != 30*time.Second {
		t.Errorf("transport: %+v", c.Transport)
	}
	e["ssl.certificate_authorities"] = []string{"/nonexistent/ca.pem"}
	if _, err := readConfig(conf.MustNewConfigFrom(e)); err == nil {
		t.Error("missing CA file accepted")
	}
}
