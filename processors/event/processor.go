package event

import (
	"fmt"
	"sync"
	"time"
	"unsafe"

	"github.com/elastic/beats/v7/libbeat/beat"
	conf "github.com/elastic/elastic-agent-libs/config"
	"github.com/elastic/elastic-agent-libs/logp"
	"github.com/elastic/elastic-agent-libs/mapstr"
	"github.com/valyala/fastjson"

	"github.com/m365beat/m365beat/processors"
	"github.com/m365beat/m365beat/processors/internal/ecs"
)

const (
	ecsVersion = "8.11.0"
	// routerPipeline is the pipeline name used in router error sentences.
	routerPipeline = "logs-m365_defender.event-pipeline"

	tagPreserveOriginal   = "preserve_original_event"
	tagPreserveDuplicates = "preserve_duplicate_custom_fields"
	// TagUnknownTable marks records whose category matches no route
	// (m365beat addition).
	TagUnknownTable = "m365_defender_unknown_table"
)

// Config is the configuration of every m365_defender event processor.
type Config struct {
	processors.Options `config:",inline"`
	// GeoIP is the optional MaxMind City database (geoip.database): when
	// set, host/source/destination IPs get *.geo.* (off by default).
	GeoIP DatabaseConfig `config:"geoip"`
	// ASN is the optional MaxMind ASN database (asn.database): *.as.*.
	ASN DatabaseConfig `config:"asn"`
}

func defaultConfig() Config { return Config{Options: processors.DefaultOptions()} }

// Validate checks the configuration.
func (c *Config) Validate() error { return nil }

// Processor is the router (table == nil) or a per-table processor.
type Processor struct {
	cfg   Config
	table *Table
	name  string
	log   *logp.Logger
	geo   Enricher
}

// New builds the router processor.
func New(cfg Config, log *logp.Logger) (*Processor, error) {
	return newProcessor(cfg, nil, log)
}

// NewTable builds the processor of one table.
func NewTable(cfg Config, t *Table, log *logp.Logger) (*Processor, error) {
	return newProcessor(cfg, t, log)
}

func newProcessor(cfg Config, t *Table, log *logp.Logger) (*Processor, error) {
	if log == nil {
		log = logp.NewNopLogger()
	}
	name := processors.Event
	if t != nil {
		name = t.Plugin
	}
	p := &Processor{cfg: cfg, table: t, name: name, log: log.Named(name)}
	g, err := newGeoEnricher(cfg, p.log)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if g != nil {
		p.geo = g
	}
	return p, nil
}

func constructor(t *Table) func(c *conf.C, log *logp.Logger) (beat.Processor, error) {
	return func(c *conf.C, log *logp.Logger) (beat.Processor, error) {
		cfg := defaultConfig()
		if c != nil {
			if err := c.Unpack(&cfg); err != nil {
				name := processors.Event
				if t != nil {
					name = t.Plugin
				}
				return nil, fmt.Errorf("%s: %w", name, err)
			}
		}
		return newProcessor(cfg, t, log)
	}
}

// String describes the processor.
func (p *Processor) String() string {
	return fmt.Sprintf("%s=[preserve_original_event=%v, preserve_duplicate_custom_fields=%v, geoip.database=%q, asn.database=%q]",
		p.name, p.cfg.PreserveOriginalEvent, p.cfg.PreserveDuplicateCustomFields, p.cfg.GeoIP.Database, p.cfg.ASN.Database)
}

// Run maps one record. It never fails and never panics on bad input.
func (p *Processor) Run(ev *beat.Event) (out *beat.Event, err error) {
	if ev == nil {
		return nil, nil
	}
	defer func() {
		if r := recover(); r != nil {
			p.log.Errorf("internal error while mapping a record: %v", r)
			if ev.Fields == nil {
				ev.Fields = mapstr.M{}
			}
			ecs.AppendError(ev.Fields, fmt.Sprintf("m365_defender: internal error while mapping the record: %v", r))
			ecs.Put(ev.Fields, "event.kind", "pipeline_error")
			out, err = ev, nil
		}
	}()
	p.process(ev)
	return ev, nil
}

// ctxPool recycles the per-record Ctx (mappers do not keep it).
var ctxPool = sync.Pool{New: func() any { return new(Ctx) }}

// keptFields are the input metadata fields kept on the event.
var keptFields = [...]string{"@timestamp", "azure", "data_stream", "input"}

func (p *Processor) process(ev *beat.Event) {
	old := ev.Fields
	if old == nil {
		old = mapstr.M{}
	}
	mEvents.Inc()

	// R0 (agentless organization/division/team) needs no step of its own:
	// the document keeps only the input metadata of keptFields, so those
	// fields never reach it (also when they are not all strings, where
	// Elastic would keep them: the processor contract replaces the fields).

	// R2: raw text.
	raw, hasRaw := processors.RawText(old)

	doc := make(mapstr.M, 12) // room for 14 keys in 16 slots; the mix averages 10
	for _, k := range keptFields {
		if v, ok := old[k]; ok {
			doc[k] = v
		}
	}
	tags := p.cfg.Options.MergeTags(old["tags"])
	addTag := func(t string) {
		for _, x := range tags {
			if x == t {
				return
			}
		}
		tags = append(tags, t)
	}

	// R1
	doc["ecs"] = map[string]any{"version": ecsVersion}
	// event.original is added at the end (R13), when kept: no mapper reads it.
	doc["event"] = map[string]any{}
	evMap := make(map[string]any, 32)
	doc["m365_defender"] = map[string]any{"event": evMap}
	EV := mapstr.M(evMap)

	c := ctxPool.Get().(*Ctx)
	*c = Ctx{Doc: doc, EV: EV, Table: p.table, tagsFn: addTag, Enrich: p.geo, unknown: c.unknown[:0]}
	defer func() { c.reset(); ctxPool.Put(c) }()
	if hasRaw {
		// A third of the record covers the string values of the fixture
		// tables (keys and nulls take the rest); beyond that strings are
		// allocated one by one.
		c.Arena = ecs.NewArena(len(raw) / 3)
	}

	// R3: decode.
	parser := ecs.Parsers.Get()
	defer ecs.Parsers.Put(parser)
	var J *fastjson.Value
	if hasRaw {
		v, perr := parser.Parse(raw)
		if perr != nil {
			c.Errorf("Processor json with tag json_event_original in pipeline %s failed with message: %v", routerPipeline, perr)
		} else {
			J = v
		}
	} else {
		c.Errorf("Processor json with tag json_event_original in pipeline %s failed with message: the record has neither event.original nor message", routerPipeline)
	}
	var jo *fastjson.Object
	if J != nil && J.Type() == fastjson.TypeObject {
		jo, _ = J.Object()
	}
	// The _id first, while string values are still as received (docid.go).
	setDocID(ev, jo, raw)

	// R4: envelope keys.
	var catV, props *fastjson.Value
	if jo != nil {
		catV = jo.Get("category")
		moveEnvelope(c, jo, "category", "category")
		moveEnvelope(c, jo, "operationName", "operation_name")
		moveEnvelope(c, jo, "Tenant", "tenant.name")
		moveEnvelope(c, jo, "tenantId", "tenant.id")
		// R5
		if tv := jo.Get("time"); tv != nil && tv.Type() != fastjson.TypeNull {
			p.envelopeDate(c, tv, "time", "date_json_time")
		}
		props = jo.Get("properties")
		if props != nil && props.Type() == fastjson.TypeObject {
			c.Props, _ = props.Object()
		}
		// R6
		if c.Props != nil {
			if tv := c.Props.Get("Timestamp"); tv != nil && tv.Type() != fastjson.TypeNull {
				p.envelopeDate(c, tv, "timestamp", "date_json_properties_Timestamp")
			}
		}
	}
	// R7
	if ts, ok := EV["timestamp"].(string); ok && ts != "" {
		ev.Timestamp = c.ts
		if _, had := doc["@timestamp"]; had {
			doc["@timestamp"] = ts
		}
	}

	// R8: category validation.
	catNull := catV == nil || catV.Type() == fastjson.TypeNull
	catStr := ""
	catIsString := false
	if !catNull && catV.Type() == fastjson.TypeString {
		catIsString = true
		catStr = c.Arena.String(catV.GetStringBytes())
	}
	if catNull || (catIsString && catStr == "") {
		c.Error("Missing required field: m365_defender.event.category.")
	}
	if !catNull && (!catIsString || LookupCategory(catStr) == nil) {
		text := catStr
		if !catIsString {
			text = catV.String()
		}
		c.Errorf("The event category %s is not supported.", text)
	}
	if p.table != nil && (!catIsString || catStr != p.table.Category()) {
		c.Errorf("%s: the record's category is not %s; it was mapped by its own category", p.table.Plugin, p.table.Category())
	}

	// R9: routing.
	routerFailed := false
	switch {
	case catNull:
		p.routerFailure(c, addTag, "cannot route the record: m365_defender.event.category is missing")
		routerFailed = true
	case !catIsString:
		p.routerFailure(c, addTag, "cannot route the record: m365_defender.event.category is not a string")
		routerFailed = true
	default:
		c.Category = catStr
		var fams []Family
		c.Cat, fams = routeCategory(catStr)
		c.Table = LookupCategory(catStr)
		c.PreserveDuplicates = contains(tags, tagPreserveDuplicates)
		p.route(c, fams, addTag)
	}

	if !routerFailed {
		c.Related.WriteTo(doc)
		postMapper(doc, EV)
	}

	// R10 (J is discarded with the parser), R11.
	if c.clean {
		if ecs.PruneMap(EV) {
			delete(doc, "m365_defender")
		}
		if ev, ok := ecs.Obj(doc["event"]); ok && len(ev) == 0 {
			delete(doc, "event")
		}
		if t, _ := ecs.Prune(tags); t != nil {
			tags = t.([]string)
		}
		for _, k := range keptFields { // input metadata, as the full prune would
			if v, ok := doc[k]; ok {
				if nv, empty := ecs.Prune(v); empty {
					delete(doc, k)
				} else {
					doc[k] = nv
				}
			}
		}
	} else {
		ecs.PruneMap(doc)
	}
	// R13 + tags.
	if len(tags) > 0 {
		doc["tags"] = tags
	}
	if hasRaw && raw != "" && contains(tags, tagPreserveOriginal) {
		e, ok := ecs.Obj(doc["event"])
		if !ok {
			e = map[string]any{}
			doc["event"] = map[string]any(e)
		}
		e["original"] = raw
	}
	if _, ok := doc["error"]; ok {
		mErrors.Inc()
	}
	if k, _ := ecs.Get(doc, "event.kind"); k == "pipeline_error" {
		mPipelineErrors.Inc()
	}
	ev.Fields = doc
}

// route runs the mappers of every matching route and keeps unmapped columns.
func (p *Processor) route(c *Ctx, fams []Family, addTag func(string)) {
	ran := make([]Mapper, 0, 2)
	c.clean = true
	for _, f := range fams {
		m := MapperOf(f)
		if m == nil {
			continue
		}
		ran = append(ran, m)
		if !writesClean(m) {
			c.clean = false
		}
		if err := m.Map(c); err != nil {
			step, tag, reason := "script", "map_"+string(f), err.Error()
			if he, ok := err.(*HardError); ok {
				step, tag, reason = he.Step, he.Tag, he.Reason
			}
			c.Errorf("Processor %q with tag %q in pipeline %q failed with message %q", step, tag, c.Pipeline(f), reason)
			ecs.Put(c.Doc, "event.kind", "pipeline_error")
			if f != FamilyEmail {
				addTag(tagPreserveOriginal)
			}
		}
	}
	if len(fams) == 0 {
		// m365beat addition: a table no route knows is kept, not dropped.
		mUnknownTables.Inc()
		ecs.Put(c.Doc, "event.kind", "event")
		addTag(TagUnknownTable)
	}
	keepUnmapped(c, ran)
	if c.wroteEmpty {
		c.clean = false // an EmptyTracker mapper wrote an empty value
	}
}

// writesClean reports whether m writes no empty value outside
// m365_defender.event (CleanWriter) or has Ctx.Put track it (EmptyTracker).
func writesClean(m Mapper) bool {
	if cw, ok := m.(CleanWriter); ok && cw.WritesNoEmptyValues() {
		return true
	}
	et, ok := m.(EmptyTracker)
	return ok && et.TracksEmptyValues()
}

// keepUnmapped stores the columns no mapper that ran knows under
// m365_defender.event.unmapped (m365beat addition) and counts them.
func keepUnmapped(c *Ctx, ran []Mapper) {
	if c.Props == nil {
		return
	}
	var un mapstr.M
	n := int64(0)
	keep := func(k []byte, v *fastjson.Value) {
		if v.Type() == fastjson.TypeNull {
			return
		}
		if v.Type() == fastjson.TypeString && len(v.GetStringBytes()) == 0 {
			return
		}
		if string(k) == "Timestamp" {
			return
		}
		if un == nil {
			un = map[string]any{}
		}
		un[c.Arena.String(k)] = c.Arena.Value(v)
		n++
	}
	if len(ran) == 1 && c.unknownSet {
		// The mapper's own visit listed the columns it does not know.
		for _, u := range c.unknown {
			keep(u.k, u.v)
		}
	} else {
		c.Props.Visit(func(k []byte, v *fastjson.Value) {
			// The key bytes are only borrowed: Known must not keep the string.
			key := unsafe.String(unsafe.SliceData(k), len(k))
			for _, m := range ran {
				if m.Known(key) {
					return
				}
			}
			keep(k, v)
		})
	}
	if un != nil {
		c.EV["unmapped"] = map[string]any(un)
		mUnmapped.Add(n)
	}
}

func (p *Processor) routerFailure(c *Ctx, addTag func(string), reason string) {
	c.Errorf("Processor \"script\" with tag \"route_category\" in pipeline %q failed with message %q", routerPipeline, reason)
	ecs.Put(c.Doc, "event.kind", "pipeline_error")
	addTag(tagPreserveOriginal)
}

func (p *Processor) envelopeDate(c *Ctx, v *fastjson.Value, target, tag string) {
	var text string
	if v.Type() == fastjson.TypeString {
		b := v.GetStringBytes() // parser memory: not kept past this call
		text = unsafe.String(unsafe.SliceData(b), len(b))
	} else {
		text = v.String()
	}
	if t, ok := ecs.ParseDate(text); ok {
		c.EV[target] = ecs.FormatDate(t)
		if target == "timestamp" {
			c.ts = t.Truncate(time.Millisecond) // @timestamp = the normalised value (R7)
		}
		return
	}
	c.Errorf("Processor date with tag %s in pipeline %s failed with message: unable to parse date [%s]", tag, routerPipeline, text) // Errorf copies text
}

func moveEnvelope(c *Ctx, jo *fastjson.Object, key, target string) {
	v := jo.Get(key)
	if v == nil {
		return
	}
	ecs.Put(c.EV, target, c.Arena.Value(v))
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}
