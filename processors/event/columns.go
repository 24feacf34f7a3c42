package event

import (
	"strings"

	"github.com/elastic/elastic-agent-libs/mapstr"
	"github.com/valyala/fastjson"

	"github.com/m365beat/m365beat/processors/internal/ecs"
)

// xconv is the conversion a column of the e-mail, alert and app & identity
// dictionaries gets before it is stored under m365_defender.event
// (event-other.md C-3, C-6, C-7, C-8, C-9).
type xconv uint8

const (
	xMove      xconv = iota // C-3: moved verbatim, JSON type kept
	xJSON                   // C-8: JSON-in-string decoded, then moved
	xLong                   // C-6 to long, nothing for ""
	xLongAll                // C-6 to long, "" is a conversion error
	xString                 // C-6 to string, nothing for ""
	xStringAll              // C-6 to string, "" kept (removed by pruning)
	xIP                     // C-6 to ip, nothing for ""
	xDate                   // C-9, only for non-null, non-empty values
	xBool                   // C-6 to boolean, "" is a conversion error
	xTruthy                 // C-7
	xLower                  // lower-cased (C-10); a non-string is a hard failure
	xDiscard                // known column without a target (read by a rule only)
)

// xcol is one row of a family's column dictionary.
type xcol struct {
	name   string // properties column
	target string // m365_defender.event.<target>
	conv   xconv
}

// xdict indexes a column dictionary by column name.
type xdict map[string]*xcol

func newDict(cols []xcol) xdict {
	d := make(xdict, len(cols))
	for i := range cols {
		d[cols[i].name] = &cols[i]
	}
	return d
}

// known reports whether the dictionary maps col.
func (d xdict) known(col string) bool {
	_, ok := d[col]
	return ok
}

// convert applies col's conversion to v and stores the result under
// m365_defender.event.<target>. Conversion failures are soft errors
// (error.message) that leave the target unset; a hard failure (C-13) is
// returned as an error.
func convert(c *Ctx, fam Family, col *xcol, v *fastjson.Value) error {
	t := v.Type()
	null := t == fastjson.TypeNull
	emptyStr := t == fastjson.TypeString && len(v.GetStringBytes()) == 0
	if null && col.conv != xTruthy {
		// A null target is removed by the pruning (R11) and reads like an
		// absent one in every rule: not storing it saves the work.
		return nil
	}
	switch col.conv {
	case xMove:
		c.PutEV(col.target, c.Arena.Value(v))
	case xJSON:
		val, err := c.Arena.JSONColumn(v)
		if err != nil {
			c.Errorf("Processor json with tag json_%s in pipeline %s failed with message: %v", col.name, c.Pipeline(fam), err)
		}
		c.PutEV(col.target, val)
	case xLong, xLongAll:
		if null || (emptyStr && col.conv == xLong) {
			return nil
		}
		convertEach(c, fam, col, v, func(x any) (any, bool) {
			n, ok := ecs.ToLong(x)
			return n, ok
		}, "long")
	case xString, xStringAll:
		if null || (emptyStr && col.conv == xString) {
			return nil
		}
		convertEach(c, fam, col, v, func(x any) (any, bool) {
			switch x.(type) {
			case mapstr.M, []any, nil:
				return nil, false
			}
			return ecs.Text(x), true
		}, "string")
	case xIP:
		if null || emptyStr {
			return nil
		}
		convertEach(c, fam, col, v, func(x any) (any, bool) {
			s, ok := x.(string)
			return s, ok && ecs.ValidIP(s)
		}, "ip")
	case xDate:
		if null || emptyStr {
			return nil
		}
		text := ecs.Text(ecs.Value(v))
		if d, ok := ecs.NormalizeDate(text); ok {
			c.PutEV(col.target, d)
		} else {
			c.Errorf("Processor date with tag date_%s in pipeline %s failed with message: unable to parse date [%s]", col.name, c.Pipeline(fam), text)
		}
	case xBool:
		if null {
			return nil
		}
		convertEach(c, fam, col, v, func(x any) (any, bool) {
			switch b := x.(type) {
			case bool:
				return b, true
			case string:
				switch {
				case strings.EqualFold(b, "true"):
					return true, true
				case strings.EqualFold(b, "false"):
					return false, true
				}
			}
			return nil, false
		}, "boolean")
	case xTruthy:
		if b, ok := ecs.Truthy(ecs.Value(v)); ok {
			c.PutEV(col.target, b)
		}
	}
	return nil
}

// convertEach converts a scalar, or every element of an array
// (all-or-nothing, C-6), and stores the result.
func convertEach(c *Ctx, fam Family, col *xcol, v *fastjson.Value, fn func(any) (any, bool), to string) {
	val := c.Arena.Value(v)
	if arr, ok := val.([]any); ok {
		out := make([]any, len(arr))
		for i, x := range arr {
			y, ok := fn(x)
			if !ok {
				convError(c, fam, col, x, to)
				return
			}
			out[i] = y
		}
		c.PutEV(col.target, out)
		return
	}
	y, ok := fn(val)
	if !ok {
		convError(c, fam, col, val, to)
		return
	}
	c.PutEV(col.target, y)
}

func convError(c *Ctx, fam Family, col *xcol, x any, to string) {
	c.Errorf("Processor convert with tag convert_%s in pipeline %s failed with message: unable to convert [%s] to %s", col.name, c.Pipeline(fam), ecs.Text(x), to)
}

// ev returns m365_defender.event.<path> of the record.
func (c *Ctx) ev(path string) any {
	v, _ := ecs.Get(c.EV, path)
	return v
}

// doc returns the document path p.
func (c *Ctx) doc(p string) any {
	v, _ := ecs.Get(c.Doc, p)
	return v
}

// cpEV copies m365_defender.event.<src> to the document path dst when it
// is neither null nor "" (C-4).
func (c *Ctx) cpEV(src, dst string) {
	v := c.ev(src)
	if ecs.Empty(v) {
		return
	}
	c.Put(dst, v)
}

// addTo appends the text of v to the string array at the document path
// dst unless v is null/"" or already there (C-5).
func (c *Ctx) addTo(dst string, v any) {
	if ecs.Empty(v) {
		return
	}
	s := ecs.Text(v)
	cur, _ := c.doc(dst).([]string)
	for _, x := range cur {
		if x == s {
			return
		}
	}
	c.Put(dst, append(cur, s))
}

// normAction is C-11: lower-cased, every U+0020 replaced by '-'.
func normAction(s string) string {
	return strings.ReplaceAll(strings.ToLower(s), " ", "-")
}

// mapColumns converts every dictionary column of the record in the
// column order of the record. skip reports columns a family handles itself.
func mapColumns(c *Ctx, fam Family, d xdict, skip func(col *xcol, v *fastjson.Value) bool) error {
	if c.Props == nil {
		return nil
	}
	var herr error
	c.Props.Visit(func(k []byte, v *fastjson.Value) {
		if herr != nil {
			return
		}
		col, ok := d[string(k)]
		if !ok {
			c.noteUnknown(k, v)
			return
		}
		if col.conv == xDiscard || col.name == "Timestamp" {
			return
		}
		if skip != nil && skip(col, v) {
			return
		}
		herr = convert(c, fam, col, v)
	})
	c.unknownSet = herr == nil
	return herr
}

// hasColumn reports whether the record has the column (null included).
func (c *Ctx) hasColumn(name string) bool { return c.Column(name) != nil }

// columnNotNull reports whether the record has the column with a non-null value.
func (c *Ctx) columnNotNull(name string) bool {
	v := c.Column(name)
	return v != nil && v.Type() != fastjson.TypeNull
}

// dupPaths is a family's list of duplicate custom fields (R-DEDUP,
// event-device.md §5.17) grouped for deletion: top-level names, and the
// leaves under each parent object, so a record's deletions hash each name
// once instead of walking each path. Deeper paths are deleted one by one.
type dupPaths struct {
	top    []string
	groups []dupGroup
	deep   []string
}

type dupGroup struct {
	parent string
	leaves []string
}

func groupPaths(paths []string) dupPaths {
	var d dupPaths
	idx := map[string]int{}
	for _, p := range paths {
		parent, leaf, nested := strings.Cut(p, ".")
		if !nested {
			d.top = append(d.top, p)
			continue
		}
		if strings.Contains(leaf, ".") {
			d.deep = append(d.deep, p)
			continue
		}
		i, ok := idx[parent]
		if !ok {
			i = len(d.groups)
			idx[parent] = i
			d.groups = append(d.groups, dupGroup{parent: parent})
		}
		d.groups[i].leaves = append(d.groups[i].leaves, leaf)
	}
	return d
}

// remove deletes the paths from m (objects left empty are pruned later).
func (d *dupPaths) remove(m mapstr.M) {
	for _, k := range d.top {
		delete(m, k)
	}
	for _, g := range d.groups {
		if sub, ok := ecs.Obj(m[g.parent]); ok {
			for _, l := range g.leaves {
				delete(sub, l)
			}
		}
	}
	for _, p := range d.deep {
		ecs.Delete(m, p)
	}
}
