// How the package is organised
//
//   - registry.go: Tables (category → table, plugin name, family) and the
//     routing tests (Route). Plugin registration (plugin.go), the
//     supported-category check, dispatch and the tests all read Tables.
//   - processor.go, postmapper.go: the envelope (event-envelope.md R0–R13):
//     raw text, decode with a pooled fastjson parser, envelope keys, dates,
//     category checks, routing, post-mapper steps, pruning, tags and
//     event.original; unmapped columns (m365_defender.event.unmapped, counted
//     in processor.m365_defender.event.unmapped_columns).
//   - mapper.go: the Mapper interface and Ctx, what a family gets per record.
//   - device.go, device_columns.go: the device family (Device*,
//     CloudProcessEvents).
//   - geoip.go: optional geoip.database / asn.database enrichment (Ctx.Enrich).
//   - ../internal/ecs: shared helpers (dates, IPs, argv, related.*, JSON
//     values and JSON-in-string columns, pruning, error.message,
//     fingerprints, URL parts).
//
// Adding a family (alert, email, app_and_identity)
//
//  1. Write <family>.go: a type implementing Mapper (Map, Known) and an init
//     calling RegisterMapper(FamilyX, m). Read columns from c.Props (one
//     Visit, as the device mapper does), write m365_defender.event.* with
//     c.PutEV and ECS fields with c.Put; report soft errors with c.Error and
//     hard failures (C-13) by returning a *HardError; fill c.Related (the
//     router writes related.* and runs R9a/R11 afterwards); remove the
//     duplicated custom fields unless c.PreserveDuplicates.
//     The event's fields stay a mapstr.M; nested objects are created as
//     plain map[string]any (ecs.Put, ecs.Sub do it): libbeat's JSON codec
//     encodes those without reflection. Type-assert objects with ecs.Obj,
//     which accepts both.
//  2. Add golden cases testdata/<table>.json (run go test -update once and
//     review the -expected files).
//  3. Nothing else: the conformance test scores the fixture documents of
//     the family's tables on all fields as soon as the family has a mapper,
//     and the fields test checks every emitted field against
//     module/m365_defender/event/_meta/fields.yml.
package event
