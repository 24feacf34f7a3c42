package graph

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// urlParts is alert.md §9: the parts of a URL as an object.
func urlParts(v any) (map[string]any, error) {
	s, ok := v.(string)
	if !ok {
		return nil, fmt.Errorf("unable to parse URI [%s]", short(v))
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("unable to parse URI [%s]", s)
	}
	m := map[string]any{"original": s}
	if u.Scheme != "" {
		m["scheme"] = u.Scheme
	}
	if h := u.Hostname(); h != "" {
		m["domain"] = h
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err == nil {
			m["port"] = int64(n)
		}
	}
	path := u.Path
	if u.Opaque != "" {
		path = u.Opaque
	}
	m["path"] = path
	if i := strings.LastIndexByte(path, '/'); i >= 0 {
		if seg := path[i+1:]; strings.Contains(seg, ".") {
			m["extension"] = seg[strings.LastIndexByte(seg, '.')+1:]
		}
	}
	if u.RawQuery != "" || u.ForceQuery {
		q, err := url.PathUnescape(u.RawQuery)
		if err != nil {
			q = u.RawQuery
		}
		m["query"] = q
	}
	if u.Fragment != "" {
		m["fragment"] = u.Fragment
	}
	if u.User != nil {
		ui := u.User.String()
		if dec, err := url.PathUnescape(ui); err == nil {
			ui = dec
		}
		m["user_info"] = ui
		if name, pass, ok := strings.Cut(ui, ":"); ok {
			m["username"] = name
			m["password"] = pass
		}
	}
	return m, nil
}
