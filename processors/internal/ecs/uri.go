package ecs

import (
	"net/netip"
	"strconv"
	"strings"

	"github.com/elastic/elastic-agent-libs/mapstr"
)

// URIParts splits s into ECS url.* members following the java.net.URI
// semantics of Elasticsearch's uri_parts processor (event-device.md §5.12,
// README T11). It returns nil when s is not a URI (no error is recorded).
func URIParts(s string) mapstr.M {
	if s == "" {
		return nil
	}
	if !legalURI(s) {
		return urlFallback(s)
	}
	out := mapstr.M{"original": s}
	rest := s
	// fragment
	frag, hasFrag := "", false
	if i := strings.IndexByte(rest, '#'); i >= 0 {
		frag, hasFrag = rest[i+1:], true
		rest = rest[:i]
	}
	// scheme
	if i := strings.IndexAny(rest, ":/?"); i >= 0 && rest[i] == ':' {
		scheme := rest[:i]
		if !validScheme(scheme) {
			return nil
		}
		out["scheme"] = scheme
		rest = rest[i+1:]
		if !strings.HasPrefix(rest, "/") {
			// opaque URI: only scheme and fragment
			if rest == "" {
				return nil // "scheme:" alone is not a URI
			}
			if hasFrag && !putDecoded(out, "fragment", frag) {
				return nil
			}
			return out
		}
	}
	// authority
	if strings.HasPrefix(rest, "//") {
		rest = rest[2:]
		end := strings.IndexAny(rest, "/?")
		if end < 0 {
			end = len(rest)
		}
		auth := rest[:end]
		rest = rest[end:]
		if !serverAuthority(out, auth) {
			// registry-based authority: no domain, port or user info
			delete(out, "domain")
			delete(out, "port")
			delete(out, "user_info")
		}
	}
	path, query, hasQuery := rest, "", false
	if i := strings.IndexByte(rest, '?'); i >= 0 {
		path, query, hasQuery = rest[:i], rest[i+1:], true
	}
	if !putDecoded(out, "path", path) {
		return nil
	}
	if hasQuery && !putDecoded(out, "query", query) {
		return nil
	}
	if hasFrag && !putDecoded(out, "fragment", frag) {
		return nil
	}
	if ui, ok := out["user_info"].(string); ok {
		if i := strings.IndexByte(ui, ':'); i >= 0 {
			putNonEmpty(out, "username", ui[:i])
			putNonEmpty(out, "password", ui[i+1:])
		}
	}
	if p, _ := out["path"].(string); strings.Contains(p, "/") {
		seg := p[strings.LastIndexByte(p, '/')+1:]
		if i := strings.LastIndexByte(seg, '.'); i >= 0 && i+1 < len(seg) {
			out["extension"] = seg[i+1:]
		}
	}
	return out
}

// serverAuthority parses [userinfo@]host[:port]; false when the authority
// is not a valid server name (Java then treats it as registry-based).
func serverAuthority(out mapstr.M, auth string) bool {
	if auth == "" {
		return true
	}
	hostport := auth
	if i := strings.LastIndexByte(auth, '@'); i >= 0 {
		ui := auth[:i]
		if !putDecoded(out, "user_info", ui) {
			return false
		}
		hostport = auth[i+1:]
	}
	host, port := hostport, ""
	if strings.HasPrefix(hostport, "[") {
		j := strings.IndexByte(hostport, ']')
		if j < 0 {
			return false
		}
		host = hostport[:j+1]
		rest := hostport[j+1:]
		if a, err := netip.ParseAddr(host[1 : len(host)-1]); err != nil || !a.Is6() {
			return false
		}
		if rest != "" {
			if rest[0] != ':' {
				return false
			}
			port = rest[1:]
		}
	} else {
		if i := strings.LastIndexByte(hostport, ':'); i >= 0 {
			host, port = hostport[:i], hostport[i+1:]
		}
		if !validHostname(host) {
			return false
		}
	}
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 0 {
			return false
		}
		out["port"] = int64(n)
	}
	if host != "" {
		out["domain"] = host
	}
	return true
}

func validHostname(h string) bool {
	if h == "" {
		return false
	}
	if a, err := netip.ParseAddr(h); err == nil && a.Is4() {
		return true
	}
	labels := strings.Split(strings.TrimSuffix(h, "."), ".")
	for i, l := range labels {
		if l == "" || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for j := 0; j < len(l); j++ {
			c := l[j]
			if !(isAlpha(c) || (c >= '0' && c <= '9') || c == '-') {
				return false
			}
		}
		if i == len(labels)-1 && !isAlpha(l[0]) {
			return false
		}
	}
	return true
}

func isAlpha(c byte) bool { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }

func validScheme(s string) bool {
	if s == "" || !isAlpha(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !(isAlpha(c) || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// legalURI reports whether s only has characters java.net.URI accepts
// (ASCII controls, space and "<>\\^`{|} are illegal; % must start an
// escape; non-ASCII characters are "other" and allowed; '#' at most once).
func legalURI(s string) bool {
	hashes := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c < 0x20 || c == 0x7f || c == ' ':
			return false
		case c >= 0x80:
		case strings.IndexByte("\"<>\\^`{|}", c) >= 0:
			return false
		case c == '#':
			hashes++
			if hashes > 1 {
				return false
			}
		case c == '%':
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				return false
			}
		}
	}
	return true
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// putDecoded percent-decodes v into out[key] (skipping empty values).
func putDecoded(out mapstr.M, key, v string) bool {
	if v == "" {
		return true
	}
	if strings.IndexByte(v, '%') < 0 {
		out[key] = v
		return true
	}
	b := make([]byte, 0, len(v))
	for i := 0; i < len(v); i++ {
		if v[i] == '%' {
			if i+2 >= len(v) || !isHex(v[i+1]) || !isHex(v[i+2]) {
				return false
			}
			n, _ := strconv.ParseUint(v[i+1:i+3], 16, 8)
			b = append(b, byte(n))
			i += 2
			continue
		}
		b = append(b, v[i])
	}
	out[key] = string(b)
	return true
}

// urlFallback is the plain URL parse used when s is not a legal URI: only
// the http, https, ftp, file and jar protocols are accepted; parts are not
// decoded.
func urlFallback(s string) mapstr.M {
	i := strings.IndexByte(s, ':')
	if i <= 0 {
		return nil
	}
	scheme := strings.ToLower(s[:i])
	switch scheme {
	case "http", "https", "ftp", "file", "jar":
	default:
		return nil
	}
	out := mapstr.M{"original": s, "scheme": scheme}
	rest := s[i+1:]
	if j := strings.IndexByte(rest, '#'); j >= 0 {
		if rest[j+1:] != "" {
			out["fragment"] = rest[j+1:]
		}
		rest = rest[:j]
	}
	if j := strings.IndexByte(rest, '?'); j >= 0 {
		if rest[j+1:] != "" {
			out["query"] = rest[j+1:]
		}
		rest = rest[:j]
	}
	if strings.HasPrefix(rest, "//") {
		rest = rest[2:]
		end := strings.IndexByte(rest, '/')
		if end < 0 {
			end = len(rest)
		}
		auth := rest[:end]
		rest = rest[end:]
		if k := strings.LastIndexByte(auth, '@'); k >= 0 {
			out["user_info"] = auth[:k]
			auth = auth[k+1:]
		}
		if k := strings.LastIndexByte(auth, ':'); k >= 0 && !strings.HasSuffix(auth, "]") {
			if n, err := strconv.Atoi(auth[k+1:]); err == nil {
				out["port"] = int64(n)
			}
			auth = auth[:k]
		}
		if auth != "" {
			out["domain"] = auth
		}
	}
	if rest != "" {
		out["path"] = rest
		if strings.Contains(rest, "/") {
			seg := rest[strings.LastIndexByte(rest, '/')+1:]
			if k := strings.LastIndexByte(seg, '.'); k >= 0 && k+1 < len(seg) {
				out["extension"] = seg[k+1:]
			}
		}
	}
	if ui, ok := out["user_info"].(string); ok {
		if k := strings.IndexByte(ui, ':'); k >= 0 {
			putNonEmpty(out, "username", ui[:k])
			putNonEmpty(out, "password", ui[k+1:])
		}
	}
	return out
}

func putNonEmpty(m mapstr.M, k, v string) {
	if v != "" {
		m[k] = v
	}
}
