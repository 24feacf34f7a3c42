package graphapi

import (
	"fmt"
	"strings"
	"time"
)

// The vulnerabilities stream (spec vulnerability.md §2): Defender
// Vulnerability Management export, full sync plus delta.
const (
	resourceVulnerabilities = "vulnerabilities"
	defaultVulnDataset      = "m365_defender.vulnerability"
	maxVulnBatch            = 10000
)

// defenderPreset is the Defender for Endpoint API of a cloud (§3.4).
type defenderPreset struct{ api, scope string }

var defenderClouds = map[string]defenderPreset{
	"public":   {"https://api.security.microsoft.com", "https://api.securitycenter.microsoft.com/.default"},
	"gcc":      {"https://api-gcc.securitycenter.microsoft.us", "https://api-gcc.securitycenter.microsoft.us/.default"},
	"gcc_high": {"https://api-gov.securitycenter.microsoft.us", "https://api-gov.securitycenter.microsoft.us/.default"},
	"dod":      {"https://api-gov.securitycenter.microsoft.us", "https://api-gov.securitycenter.microsoft.us/.default"},
}

// vulnConfig holds the keys of a vulnerabilities stream (inlined in
// streamConfig).
type vulnConfig struct {
	// Enabled must be true for the stream to run (disabled by default,
	// as Elastic's data stream).
	Enabled *bool `config:"enabled"`
	// APIURL is the Defender for Endpoint API base (default by cloud).
	APIURL string `config:"api_url"`
	// TokenScopes default to the Defender for Endpoint API of the cloud.
	TokenScopes   []string `config:"token_scopes"`
	SASValidHours int      `config:"sas_valid_hours"`
	MaxRetries    *int     `config:"max_retries"`
	// MaxInFlight bounds the stream's events published and not yet
	// acknowledged (memory does not follow queue.mem.events).
	MaxInFlight int `config:"max_in_flight"`
	// IdleTimeout aborts a download that receives nothing for this long.
	IdleTimeout time.Duration `config:"idle_timeout"`
	Delta       struct {
		Enabled  *bool         `config:"enabled"`
		Interval time.Duration `config:"interval"`
		PageSize int           `config:"page_size"`
	} `config:"delta"`
}

func (s *streamConfig) vulnDefaults() {
	if s.Interval == 0 {
		s.Interval = 4 * time.Hour
	}
	if s.BatchSize == 0 {
		s.BatchSize = 1000
	}
	if s.DataStream.Dataset == "" {
		s.DataStream.Dataset = defaultVulnDataset
	}
	v := &s.Vuln
	if v.SASValidHours == 0 {
		v.SASValidHours = 2
	}
	if v.MaxRetries == nil {
		n := 3
		v.MaxRetries = &n
	}
	if v.MaxInFlight == 0 {
		v.MaxInFlight = 6 * s.BatchSize
	}
	if v.IdleTimeout == 0 {
		v.IdleTimeout = 2 * time.Minute
	}
	if v.Delta.Interval == 0 {
		v.Delta.Interval = time.Hour
	}
	if v.Delta.PageSize == 0 {
		v.Delta.PageSize = 50000
	}
}

func (v *vulnConfig) enabled() bool      { return v.Enabled != nil && *v.Enabled }
func (v *vulnConfig) deltaEnabled() bool { return v.Delta.Enabled == nil || *v.Delta.Enabled }

// validateVuln checks a vulnerabilities stream; key names the YAML key.
func (s *streamConfig) validateVuln(key func(string) string) []error {
	if s.Resource != resourceVulnerabilities {
		return nil
	}
	var errs []error
	add := func(k, format string, a ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", key(k), fmt.Sprintf(format, a...)))
	}
	v := &s.Vuln
	if v.APIURL != "" {
		if err := checkURL(v.APIURL); err != nil {
			add("api_url", "%v", err)
		}
	}
	for i, sc := range v.TokenScopes {
		if strings.TrimSpace(sc) == "" {
			add(fmt.Sprintf("token_scopes.%d", i), "must not be empty")
		}
	}
	if v.SASValidHours < 1 {
		add("sas_valid_hours", "must be at least 1")
	}
	if *v.MaxRetries < 0 {
		add("max_retries", "must not be negative")
	}
	if v.MaxInFlight < s.BatchSize {
		add("max_in_flight", "must be at least batch_size (%d)", s.BatchSize)
	}
	if v.IdleTimeout <= 0 {
		add("idle_timeout", "must be positive")
	}
	if v.Delta.Interval <= 0 {
		add("delta.interval", "must be positive")
	}
	if v.Delta.PageSize < 1 || v.Delta.PageSize > 200000 {
		add("delta.page_size", "must be between 1 and 200000")
	}
	return errs
}

// defenderEndpoints returns the API base URL and token scopes of a stream.
func (c *config) defenderEndpoints(v *vulnConfig) (api string, scopes []string) {
	p, ok := defenderClouds[c.Cloud]
	if !ok {
		p = defenderClouds["public"]
	}
	api, scopes = p.api, []string{p.scope}
	if v.APIURL != "" {
		api = v.APIURL
	}
	if len(v.TokenScopes) > 0 {
		scopes = v.TokenScopes
	}
	return strings.TrimRight(api, "/"), scopes
}
