package event

import (
	"fmt"
	"net"
	"sync"

	"github.com/elastic/elastic-agent-libs/logp"
	"github.com/elastic/elastic-agent-libs/mapstr"
	"github.com/oschwald/maxminddb-golang"

	"github.com/m365beat/m365beat/processors/internal/ecs"
)

// DatabaseConfig names an optional MaxMind database file.
type DatabaseConfig struct {
	// Database is the path of a .mmdb file; empty = enrichment off.
	Database string `config:"database"`
}

// geoEnricher adds <prefix>.geo.* (City database, event-device.md §5.15)
// and <prefix>.as.* (ASN database) for an IP. Both are optional.
type geoEnricher struct {
	city, asn *maxminddb.Reader
	log       *logp.Logger
}

// readers are shared by every processor that names the same file.
var (
	readersMu sync.Mutex
	readers   = map[string]*maxminddb.Reader{}
)

func openReader(key, path string) (*maxminddb.Reader, error) {
	readersMu.Lock()
	defer readersMu.Unlock()
	if r, ok := readers[path]; ok {
		return r, nil
	}
	r, err := maxminddb.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%s: cannot open MaxMind database %q: %w", key, path, err)
	}
	readers[path] = r
	return r, nil
}

// newGeoEnricher opens the configured databases; nil when none is set.
func newGeoEnricher(cfg Config, log *logp.Logger) (*geoEnricher, error) {
	if cfg.GeoIP.Database == "" && cfg.ASN.Database == "" {
		return nil, nil
	}
	g := &geoEnricher{log: log}
	var err error
	if cfg.GeoIP.Database != "" {
		if g.city, err = openReader("geoip.database", cfg.GeoIP.Database); err != nil {
			return nil, err
		}
	}
	if cfg.ASN.Database != "" {
		if g.asn, err = openReader("asn.database", cfg.ASN.Database); err != nil {
			return nil, err
		}
	}
	return g, nil
}

type names struct {
	Names map[string]string `maxminddb:"names"`
}

type cityRecord struct {
	City      names `maxminddb:"city"`
	Continent names `maxminddb:"continent"`
	Country   struct {
		IsoCode string            `maxminddb:"iso_code"`
		Names   map[string]string `maxminddb:"names"`
	} `maxminddb:"country"`
	Location struct {
		Latitude  *float64 `maxminddb:"latitude"`
		Longitude *float64 `maxminddb:"longitude"`
	} `maxminddb:"location"`
	Subdivisions []struct {
		IsoCode string            `maxminddb:"iso_code"`
		Names   map[string]string `maxminddb:"names"`
	} `maxminddb:"subdivisions"`
}

type asnRecord struct {
	Number       uint64 `maxminddb:"autonomous_system_number"`
	Organization string `maxminddb:"autonomous_system_organization"`
}

// Enrich implements Enricher. Lookup failures are logged at debug level:
// enrichment never fails a record.
func (g *geoEnricher) Enrich(doc mapstr.M, prefix, ip string) {
	addr := net.ParseIP(ip)
	if addr == nil {
		return
	}
	if g.city != nil {
		var rec cityRecord
		if _, ok, err := g.city.LookupNetwork(addr, &rec); err != nil {
			g.log.Debugf("geoip lookup of %s: %v", ip, err)
		} else if ok {
			if geo := rec.geo(); len(geo) > 0 {
				ecs.Sub(doc, prefix)["geo"] = map[string]any(geo)
			}
		}
	}
	if g.asn != nil {
		var rec asnRecord
		if _, ok, err := g.asn.LookupNetwork(addr, &rec); err != nil {
			g.log.Debugf("asn lookup of %s: %v", ip, err)
		} else if ok && rec.Number != 0 {
			as := map[string]any{"number": int64(rec.Number)}
			if rec.Organization != "" {
				as["organization"] = map[string]any{"name": rec.Organization}
			}
			ecs.Sub(doc, prefix)["as"] = as
		}
	}
}

func (r *cityRecord) geo() mapstr.M {
	geo := mapstr.M{}
	set := func(k, v string) {
		if v != "" {
			geo[k] = v
		}
	}
	set("continent_name", r.Continent.Names["en"])
	set("country_iso_code", r.Country.IsoCode)
	set("country_name", r.Country.Names["en"])
	if n := len(r.Subdivisions); n > 0 {
		sub := r.Subdivisions[n-1]
		if sub.IsoCode != "" && r.Country.IsoCode != "" {
			geo["region_iso_code"] = r.Country.IsoCode + "-" + sub.IsoCode
		}
		set("region_name", sub.Names["en"])
	}
	set("city_name", r.City.Names["en"])
	if r.Location.Latitude != nil && r.Location.Longitude != nil {
		geo["location"] = map[string]any{"lat": *r.Location.Latitude, "lon": *r.Location.Longitude}
	}
	return geo
}
