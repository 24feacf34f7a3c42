package event

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/elastic/elastic-agent-libs/mapstr"
	"github.com/valyala/fastjson"

	"github.com/m365beat/m365beat/processors/internal/ecs"
)

// Mapper maps the table columns of one record (one Elastic sub-pipeline).
type Mapper interface {
	// Map writes the table fields of the record into c.Doc and c.EV. A
	// returned error is a hard failure of the mapper (C-13): fields set so
	// far stay, the router records the error and continues with R9a–R13.
	Map(c *Ctx) error
	// Known reports whether a properties column is one the mapper's
	// dictionary maps. Other columns are kept under
	// m365_defender.event.unmapped and counted. column may alias a
	// parser buffer: Known must not retain it.
	Known(column string) bool
}

// CleanWriter is implemented by mappers that never write a null, "" or
// empty object/array outside m365_defender.event. When every mapper that
// ran is one, the router prunes (R11) only m365_defender.event and tags
// instead of the whole document (the results are the same; tests and the
// fuzzer check it).
type CleanWriter interface {
	WritesNoEmptyValues() bool
}

// EmptyTracker is implemented by mappers whose every write outside
// m365_defender.event goes through Ctx.Put (or is reported with
// Ctx.MarkWritten): Put notes whether a written value is or holds null, ""
// or an empty object/array. When no such value was written, the router
// prunes as for a CleanWriter.
type EmptyTracker interface {
	TracksEmptyValues() bool
}

// HardError is a hard failure of a mapper step (event-envelope.md §8).
type HardError struct {
	Step, Tag, Reason string
}

func (e *HardError) Error() string { return e.Reason }

var (
	mappersMu sync.RWMutex
	mappers   = map[Family]Mapper{}
)

// RegisterMapper installs the mapper of a family (call it from init). It
// panics on duplicates: that is a programming error.
func RegisterMapper(f Family, m Mapper) {
	mappersMu.Lock()
	defer mappersMu.Unlock()
	if _, dup := mappers[f]; dup {
		panic(fmt.Sprintf("m365_defender: mapper family %q registered twice", f))
	}
	mappers[f] = m
}

// MapperOf returns the mapper of a family, or nil when none is implemented.
func MapperOf(f Family) Mapper {
	mappersMu.RLock()
	defer mappersMu.RUnlock()
	return mappers[f]
}

// Ctx is what a mapper gets for one record.
type Ctx struct {
	// Doc is the output document (the event's fields).
	Doc mapstr.M
	// EV is Doc's m365_defender.event object.
	EV mapstr.M
	// Props is J.properties when it is an object, else nil.
	Props *fastjson.Object
	// Category is the raw category; Cat is it lower-cased.
	Category, Cat string
	// Table is the registry entry of the category (nil when unsupported).
	Table *Table
	// PreserveDuplicates is true when tags contain
	// preserve_duplicate_custom_fields (C-14).
	PreserveDuplicates bool
	// Related accumulates related.* (written after the mappers ran).
	Related ecs.Related
	// Arena provides the record's string values (one allocation per record);
	// nil allocates normally.
	Arena *ecs.Arena
	// Enrich looks IPs up in the optional GeoIP/ASN databases (may be nil).
	Enrich Enricher

	tagsFn func(tag string)
	// clean: every mapper that ran is a CleanWriter (R11 scope).
	clean bool
	// ts is the parsed event time (R6), for @timestamp (R7).
	ts time.Time
	// lastParent/lastMap cache the parent object of the last Put.
	lastParent string
	lastMap    mapstr.M
	// unknown holds the columns a mapper's own visit of Props found
	// outside its dictionary (visit order); unknownSet says that visit
	// covered every column. keepUnmapped uses it when that mapper was the
	// only one to run, instead of visiting Props again.
	unknown    []unknownCol
	unknownSet bool
	// wroteEmpty: Put wrote a value that is or holds null, "" or an empty
	// object/array (EmptyTracker).
	wroteEmpty bool
}

// unknownCol is a column outside the dictionary; k aliases parser memory.
type unknownCol struct {
	k []byte
	v *fastjson.Value
}

// noteUnknown records a column the visiting mapper does not know.
func (c *Ctx) noteUnknown(k []byte, v *fastjson.Value) {
	c.unknown = append(c.unknown, unknownCol{k, v})
}

// reset empties c for the pool, keeping the unknown buffer's capacity.
func (c *Ctx) reset() {
	buf := c.unknown
	clear(buf)
	*c = Ctx{unknown: buf[:0]}
}

// Enricher adds geo/as data for an IP under prefix (e.g. "source").
type Enricher interface {
	Enrich(doc mapstr.M, prefix, ip string)
}

// Error appends a soft error to error.message.
func (c *Ctx) Error(msg string) { ecs.AppendError(c.Doc, msg) }

// Errorf appends a formatted soft error.
func (c *Ctx) Errorf(format string, args ...any) { c.Error(fmt.Sprintf(format, args...)) }

// Pipeline is the Elastic-style pipeline name used in error sentences.
func (c *Ctx) Pipeline(family Family) string {
	return "logs-m365_defender.event-pipeline_" + string(family)
}

// Column returns the properties column named col, or nil.
func (c *Ctx) Column(col string) *fastjson.Value {
	if c.Props == nil {
		return nil
	}
	return c.Props.Get(col)
}

// PutEV sets m365_defender.event.<path>.
func (c *Ctx) PutEV(path string, v any) { ecs.Put(c.EV, path, v) }

// Put sets a dotted path of the document. The parent object of the last
// write is cached: consecutive writes into one object (process.pe.*) walk
// the document once. Code that replaces an object of c.Doc directly must
// call c.ForgetPut.
func (c *Ctx) Put(path string, v any) {
	c.MarkWritten(v)
	i := strings.LastIndexByte(path, '.')
	if i < 0 {
		c.Doc[path] = v
		return
	}
	parent := path[:i]
	if c.lastMap == nil || c.lastParent != parent {
		c.lastParent, c.lastMap = parent, ecs.Sub(c.Doc, parent)
	}
	c.lastMap[path[i+1:]] = v
}

// MarkWritten notes a value written into the document without Put.
func (c *Ctx) MarkWritten(v any) {
	if !c.wroteEmpty && ecs.HasEmpty(v) {
		c.wroteEmpty = true
	}
}

// ForgetPut drops the object cache of Put.
func (c *Ctx) ForgetPut() { c.lastParent, c.lastMap = "", nil }

// Get returns a dotted path of the document.
func (c *Ctx) Get(path string) (any, bool) { return ecs.Get(c.Doc, path) }

// Copy implements C-4: if src (a document path) is neither null nor "",
// dst := src (shallow; values are not shared mutable objects in practice).
func (c *Ctx) Copy(src, dst string) {
	v, ok := ecs.Get(c.Doc, src)
	if !ok || ecs.Empty(v) {
		return
	}
	ecs.Put(c.Doc, dst, v)
}

// AddTag adds a tag to the event's tags if absent.
func (c *Ctx) AddTag(tag string) {
	if c.tagsFn != nil {
		c.tagsFn(tag)
	}
}
