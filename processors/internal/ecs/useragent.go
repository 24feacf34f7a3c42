package ecs

import (
	"strings"
	"sync"

	"github.com/elastic/elastic-agent-libs/mapstr"
	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/ua-parser/uap-go/uaparser"
)

// UserAgentParser decodes user-agent strings into ECS user_agent.* with the
// uap-core regexes embedded in uap-go (the rules Elasticsearch's
// user_agent processor applies, event-app-and-identity.md §2.8). Results
// are kept in a bounded LRU keyed by the string: UA strings repeat, so each
// distinct one is matched against the regexes once while it stays cached.
// It is safe for concurrent use; the regexes are compiled on first use.
type UserAgentParser struct {
	once  sync.Once
	p     *uaparser.Parser
	cache *lru.Cache[string, uaResult]
}

// uaResult is one parsed user agent (immutable once cached).
type uaResult struct {
	name, version     string
	osName, osVersion string
	hasOS             bool
	device            string
}

// DefaultUserAgentCache is the LRU size of UserAgents.
const DefaultUserAgentCache = 4096

// UserAgents is the process-wide parser shared by the mappers.
var UserAgents = NewUserAgentParser(DefaultUserAgentCache)

// NewUserAgentParser returns a parser whose cache keeps at most size
// distinct strings (size < 1 means 1).
func NewUserAgentParser(size int) *UserAgentParser {
	if size < 1 {
		size = 1
	}
	c, _ := lru.New[string, uaResult](size) // only fails for size <= 0
	return &UserAgentParser{cache: c}
}

func (u *UserAgentParser) init() {
	u.once.Do(func() {
		// The library's own cache is superseded by ours: keep it minimal.
		u.p, _ = uaparser.New(uaparser.WithCacheSize(1))
	})
}

// Parse returns the ECS user_agent object of s: original, name ("Other"
// when no pattern matches), version (only with a major version), os.name,
// os.version, os.full (os omitted when no OS pattern matches), device.name.
// Each call returns a new object the caller may modify.
func (u *UserAgentParser) Parse(s string) mapstr.M {
	r, ok := u.cache.Get(s)
	if !ok {
		r = u.parse(s)
		// s may point into a record's buffer (Arena): the cache keeps a copy.
		u.cache.Add(strings.Clone(s), r)
	}
	out := mapstr.M{"original": s, "name": r.name, "device": mapstr.M{"name": r.device}}
	if r.version != "" {
		out["version"] = r.version
	}
	if r.hasOS {
		os := mapstr.M{"name": r.osName}
		if r.osVersion != "" {
			os["version"] = r.osVersion
			os["full"] = r.osName + " " + r.osVersion
		}
		out["os"] = os
	}
	return out
}

// Len returns the number of cached strings.
func (u *UserAgentParser) Len() int { return u.cache.Len() }

func (u *UserAgentParser) parse(s string) uaResult {
	u.init()
	r := uaResult{name: "Other", device: "Other"}
	// Browser: the first matching pattern, with its fifth group as the
	// build number (uap-go's UserAgent has no field for it).
	for _, p := range u.p.UA {
		m := p.Reg.FindStringSubmatchIndex(s)
		if m == nil {
			continue
		}
		name := string(p.Reg.ExpandString(nil, p.FamilyReplacement, s, m))
		if name != "" {
			r.name = name
		}
		major := string(p.Reg.ExpandString(nil, p.V1Replacement, s, m))
		minor := string(p.Reg.ExpandString(nil, p.V2Replacement, s, m))
		patch := string(p.Reg.ExpandString(nil, p.V3Replacement, s, m))
		build := ""
		if len(m) >= 12 && m[10] >= 0 {
			build = s[m[10]:m[11]]
		}
		r.version = joinVersion(major, minor, patch, build)
		break
	}
	if os := u.p.ParseOs(s); os != nil && os.Family != "" && os.Family != "Other" {
		r.hasOS = true
		r.osName = os.Family
		r.osVersion = joinVersion(os.Major, os.Minor, os.Patch, os.PatchMinor)
	}
	if d := u.p.ParseDevice(s); d != nil && d.Family != "" {
		r.device = d.Family
	}
	return r
}

// joinVersion is major[.minor[.patch[.build]]], "" without a major.
func joinVersion(major, minor, patch, build string) string {
	if major == "" {
		return ""
	}
	v := major
	if minor == "" {
		return v
	}
	v += "." + minor
	if patch == "" {
		return v
	}
	v += "." + patch
	if build == "" {
		return v
	}
	return v + "." + build
}
