package graphapi

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	conf "github.com/elastic/elastic-agent-libs/config"
	"github.com/elastic/elastic-agent-libs/transport/httpcommon"
)

// Resources and their Graph limits.
const (
	resourceAlerts    = "alerts"
	resourceIncidents = "incidents"

	maxAlertsTop    = 2000
	maxIncidentsTop = 50

	defaultAlertsDataset    = "m365_defender.alert"
	defaultIncidentsDataset = "m365_defender.incident"
)

// cloudPreset is the pair of endpoints of a Microsoft cloud.
type cloudPreset struct{ login, graph string }

var clouds = map[string]cloudPreset{
	"public":   {"https://login.microsoftonline.com", "https://graph.microsoft.com"},
	"gcc":      {"https://login.microsoftonline.com", "https://graph.microsoft.com"},
	"gcc_high": {"https://login.microsoftonline.us", "https://graph.microsoft.us"},
	"dod":      {"https://login.microsoftonline.us", "https://dod-graph.microsoft.us"},
}

// config is one entry of m365beat.inputs with type graphapi.
type config struct {
	ID         string `config:"id"`
	Type       string `config:"type"`
	DataStream struct {
		Namespace string `config:"namespace"`
	} `config:"data_stream"`

	TenantID     string `config:"tenant_id"`
	ClientID     string `config:"client_id"`
	ClientSecret string `config:"client_secret"`
	Certificate  string `config:"certificate"`
	PrivateKey   string `config:"private_key"`
	// PrivateKeyPassphrase decrypts an encrypted PKCS#8 private_key.
	PrivateKeyPassphrase string `config:"private_key_passphrase"`

	Cloud    string `config:"cloud"`
	LoginURL string `config:"login_url"`
	GraphURL string `config:"graph_url"`

	Transport httpcommon.HTTPTransportSettings `config:",inline"`

	InitialLookback           time.Duration `config:"initial_lookback"`
	Overlap                   time.Duration `config:"overlap"`
	IncludeUnknownEnumMembers bool          `config:"include_unknown_enum_members"`
	// DedupSize bounds the persisted set of (id, lastUpdateDateTime)
	// already published inside the overlap window.
	DedupSize int `config:"dedup_size"`
	Backoff   struct {
		Init time.Duration `config:"init"`
		Max  time.Duration `config:"max"`
	} `config:"backoff"`

	Streams []streamConfig `config:"streams"`
}

// streamConfig is one entry of streams.
type streamConfig struct {
	Resource      string        `config:"resource"`
	Interval      time.Duration `config:"interval"`
	BatchSize     int           `config:"batch_size"`
	IncludeAlerts *bool         `config:"include_alerts"`
	DataStream    struct {
		Dataset string `config:"dataset"`
	} `config:"data_stream"`
	Processors []*conf.C  `config:"processors"`
	Vuln       vulnConfig `config:",inline"` // resource: vulnerabilities (vuln_config.go)

	// raw is the whole stream entry, handed to the processors as options.
	raw *conf.C
}

func defaultConfig() config {
	c := config{
		Cloud:                     "public",
		Transport:                 httpcommon.DefaultHTTPTransportSettings(),
		InitialLookback:           24 * time.Hour,
		Overlap:                   5 * time.Minute,
		IncludeUnknownEnumMembers: true,
		DedupSize:                 100000,
	}
	c.DataStream.Namespace = "default"
	c.Backoff.Init = time.Second
	c.Backoff.Max = 5 * time.Minute
	return c
}

// applyStreamDefaults fills the resource-dependent defaults of a stream.
func (s *streamConfig) applyDefaults() {
	switch s.Resource {
	case resourceAlerts:
		if s.Interval == 0 {
			s.Interval = 5 * time.Minute
		}
		if s.BatchSize == 0 {
			s.BatchSize = 1000
		}
		if s.DataStream.Dataset == "" {
			s.DataStream.Dataset = defaultAlertsDataset
		}
	case resourceIncidents:
		if s.Interval == 0 {
			s.Interval = time.Minute
		}
		if s.BatchSize == 0 {
			s.BatchSize = maxIncidentsTop
		}
		if s.DataStream.Dataset == "" {
			s.DataStream.Dataset = defaultIncidentsDataset
		}
		if s.IncludeAlerts == nil {
			t := true
			s.IncludeAlerts = &t
		}
	case resourceVulnerabilities:
		s.vulnDefaults()
	}
}

func (s *streamConfig) includeAlerts() bool { return s.IncludeAlerts == nil || *s.IncludeAlerts }

// Validate checks the configuration; errors name the YAML key.
func (c *config) Validate() error {
	var errs []error
	add := func(key, format string, a ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", key, fmt.Sprintf(format, a...)))
	}
	if strings.TrimSpace(c.TenantID) == "" {
		add("tenant_id", "required (the Entra ID directory (tenant) id)")
	}
	if strings.TrimSpace(c.ClientID) == "" {
		add("client_id", "required (the application (client) id)")
	}
	hasCert := c.Certificate != "" || c.PrivateKey != ""
	switch {
	case c.ClientSecret != "" && hasCert:
		add("client_secret", "set either client_secret or certificate and private_key, not both")
	case c.ClientSecret == "" && !hasCert:
		add("client_secret", "required unless certificate and private_key are set")
	case hasCert && c.Certificate == "":
		add("certificate", "required with private_key")
	case hasCert && c.PrivateKey == "":
		add("private_key", "required with certificate")
	}
	if _, ok := clouds[c.Cloud]; !ok {
		add("cloud", "unknown cloud %q (one of public, gcc, gcc_high, dod)", c.Cloud)
	}
	for key, v := range map[string]string{"login_url": c.LoginURL, "graph_url": c.GraphURL} {
		if v == "" {
			continue
		}
		if err := checkURL(v); err != nil {
			add(key, "%v", err)
		}
	}
	if c.InitialLookback <= 0 {
		add("initial_lookback", "must be positive")
	}
	if c.Overlap < 0 {
		add("overlap", "must not be negative")
	}
	if c.DedupSize < 0 {
		add("dedup_size", "must not be negative")
	}
	if c.Backoff.Init <= 0 {
		add("backoff.init", "must be positive")
	}
	if c.Backoff.Max < c.Backoff.Init {
		add("backoff.max", "must be at least backoff.init")
	}
	if len(c.Streams) == 0 {
		add("streams", "at least one stream (resource: alerts or incidents) is required")
	}
	seen := map[string]int{}
	for i := range c.Streams {
		s := &c.Streams[i]
		key := func(k string) string { return fmt.Sprintf("streams.%d.%s", i, k) }
		var limit int
		switch s.Resource {
		case resourceAlerts:
			limit = maxAlertsTop
		case resourceIncidents:
			limit = maxIncidentsTop
		case resourceVulnerabilities:
			limit = maxVulnBatch
		default:
			add(key("resource"), "must be alerts, incidents or vulnerabilities, got %q", s.Resource)
			continue
		}
		s.applyDefaults()
		errs = append(errs, s.validateVuln(key)...)
		if s.Interval <= 0 {
			add(key("interval"), "must be positive")
		}
		if s.BatchSize < 1 || s.BatchSize > limit {
			add(key("batch_size"), "must be between 1 and %d for %s", limit, s.Resource)
		}
		id := s.Resource + "/" + s.DataStream.Dataset
		if j, dup := seen[id]; dup {
			add(key("resource"), "duplicate of streams.%d (same resource and data_stream.dataset)", j)
		}
		seen[id] = i
	}
	return errors.Join(errs...)
}

func checkURL(v string) error {
	u, err := url.Parse(v)
	if err != nil {
		return fmt.Errorf("invalid URL: %v", err)
	}
	if u.Scheme != "https" && u.Scheme != "http" || u.Host == "" {
		return fmt.Errorf("must be an absolute http(s) URL, got %q", v)
	}
	return nil
}

// endpoints returns the login and Graph base URLs (no trailing slash).
func (c *config) endpoints() (login, graph string) {
	p := clouds[c.Cloud]
	login, graph = p.login, p.graph
	if c.LoginURL != "" {
		login = c.LoginURL
	}
	if c.GraphURL != "" {
		graph = c.GraphURL
	}
	return strings.TrimRight(login, "/"), strings.TrimRight(graph, "/")
}

// readConfig unpacks and validates an input entry.
func readConfig(cfg *conf.C) (config, error) {
	c := defaultConfig()
	if err := cfg.Unpack(&c); err != nil {
		return c, err
	}
	var raw struct {
		Streams []*conf.C `config:"streams"`
	}
	if err := cfg.Unpack(&raw); err != nil {
		return c, err
	}
	for i := range c.Streams {
		if i < len(raw.Streams) {
			c.Streams[i].raw = raw.Streams[i]
		}
	}
	return c, nil
}
