// Package eventhubtest is an in-memory Azure Event Hubs emulator speaking
// AMQP 1.0 well enough for the unmodified azeventhubs/v2 ConsumerClient,
// Processor and ProducerClient (connection strings with
// UseDevelopmentEmulator=true). Like net/http/httptest it is meant for tests
// and for the demo command: New, Start, ConnectionString, Publish, Close.
//
// What it does: SASL ANONYMOUS/PLAIN, CBS put-token on $cbs (any token is
// accepted), $management READ of hub and partition properties, receiver
// links on <hub>/ConsumerGroups/<cg>/Partitions/<id> with the offset,
// sequence-number and enqueued-time selector filters, link credit and
// drain, owner levels (epochs: a new receiver with an equal or higher epoch
// steals the partition with amqp:link:stolen), sender links on <hub> and
// <hub>/Partitions/<id> (batched messages included), multi-frame transfers,
// heartbeats. Every event is kept in memory.
package eventhubtest

import (
	"fmt"
	"hash/fnv"
	"io"
	"net"
	"regexp"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/Azure/go-amqp"
)

// Options configure an Emulator.
type Options struct {
	// Hubs maps event hub names to their partition counts (IDs "0".."n-1").
	Hubs map[string]int
	// MaxMessageSize advertised on links; 0 means 1 MiB + 64 KiB, room for a
	// 1 MB event as on premium namespaces.
	MaxMessageSize uint64
	// Logf, when set, receives protocol errors.
	Logf func(format string, args ...any)
	// MaxEventsPerPartition bounds each partition's log (0: unbounded): the
	// oldest events expire as with a hub's retention period, and a reader
	// positioned before them continues with the oldest one kept. Long-running
	// demos set it to keep memory flat.
	MaxEventsPerPartition int
}

// Emulator is an Event Hubs namespace in memory.
type Emulator struct {
	hubs           map[string]*hub
	maxMessageSize uint64
	maxEvents      int
	logf           func(string, ...any)
	created        time.Time

	mu     sync.Mutex
	ln     net.Listener // the plain AMQP listener (ConnectionString)
	extra  []io.Closer  // TLS and WebSocket listeners
	conns  map[*conn]struct{}
	closed bool
	wg     sync.WaitGroup
}

type hub struct {
	name  string
	parts []*partition
	rr    atomic.Uint64
}

// New returns an emulator for the given hubs; call Start.
func New(opts Options) *Emulator {
	e := &Emulator{
		hubs:           map[string]*hub{},
		maxMessageSize: opts.MaxMessageSize,
		maxEvents:      opts.MaxEventsPerPartition,
		logf:           opts.Logf,
		created:        time.Now().UTC().Truncate(time.Millisecond),
		conns:          map[*conn]struct{}{},
	}
	if e.maxMessageSize == 0 {
		e.maxMessageSize = 1<<20 + 64<<10
	}
	if e.logf == nil {
		e.logf = func(string, ...any) {}
	}
	for name, n := range opts.Hubs {
		h := &hub{name: name}
		for i := 0; i < n; i++ {
			h.parts = append(h.parts, &partition{hub: name, id: strconv.Itoa(i), max: opts.MaxEventsPerPartition})
		}
		e.hubs[name] = h
	}
	return e
}

// Start listens on a free loopback port and serves connections.
func (e *Emulator) Start() error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	return e.Serve(ln)
}

// Serve serves connections accepted on ln (in the background).
func (e *Emulator) Serve(ln net.Listener) error {
	e.mu.Lock()
	if e.ln != nil {
		e.mu.Unlock()
		return fmt.Errorf("eventhubtest: already started")
	}
	e.ln = ln
	e.mu.Unlock()
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			e.wg.Add(1)
			go func() {
				defer e.wg.Done()
				e.serve(nc)
			}()
		}
	}()
	return nil
}

// Addr is the listening address (host:port).
func (e *Emulator) Addr() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.ln == nil {
		return ""
	}
	return e.ln.Addr().String()
}

// NamespaceConnectionString is a namespace-level connection string.
func (e *Emulator) NamespaceConnectionString() string {
	return "Endpoint=sb://" + e.Addr() + ";SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=emulator-key;UseDevelopmentEmulator=true"
}

// ConnectionString is a connection string with EntityPath=hub.
func (e *Emulator) ConnectionString(hubName string) string {
	return e.NamespaceConnectionString() + ";EntityPath=" + hubName
}

// Close stops listening, drops every connection and waits for them.
func (e *Emulator) Close() error {
	e.mu.Lock()
	e.closed = true
	ln := e.ln
	for _, c := range e.extra {
		c.Close()
	}
	conns := make([]*conn, 0, len(e.conns))
	for c := range e.conns {
		conns = append(conns, c)
	}
	e.mu.Unlock()
	var err error
	if ln != nil {
		err = ln.Close()
	}
	for _, c := range conns {
		c.close()
	}
	e.wg.Wait()
	return err
}

// DropConnections closes every client connection (clients reconnect), as a
// service-side network failure would.
func (e *Emulator) DropConnections() {
	e.mu.Lock()
	conns := make([]*conn, 0, len(e.conns))
	for c := range e.conns {
		conns = append(conns, c)
	}
	e.mu.Unlock()
	for _, c := range conns {
		c.close()
	}
}

func (e *Emulator) track(c *conn) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return false
	}
	e.conns[c] = struct{}{}
	return true
}

func (e *Emulator) untrack(c *conn) {
	e.mu.Lock()
	delete(e.conns, c)
	e.mu.Unlock()
}

func (e *Emulator) hub(name string) *hub {
	return e.hubs[name]
}

func (h *hub) partition(id string) *partition {
	for _, p := range h.parts {
		if p.id == id {
			return p
		}
	}
	return nil
}

// PartitionIDs lists a hub's partitions.
func (e *Emulator) PartitionIDs(hubName string) []string {
	h := e.hub(hubName)
	if h == nil {
		return nil
	}
	ids := make([]string, len(h.parts))
	for i, p := range h.parts {
		ids[i] = p.id
	}
	return ids
}

// Message is an event to append with Append.
type Message struct {
	Body       []byte
	Properties map[string]any // application properties (optional)
	EnqueuedAt time.Time      // zero means now
}

// Publish appends one event per body to a partition of hub ("" spreads
// them round-robin, as a producer without partition key would).
func (e *Emulator) Publish(hubName, partitionID string, bodies ...[]byte) error {
	msgs := make([]Message, len(bodies))
	for i, b := range bodies {
		msgs[i] = Message{Body: b}
	}
	return e.Append(hubName, partitionID, msgs...)
}

// PublishRecords appends one event whose body is {"records":[...]} holding
// the given JSON records, as Defender's streaming API sends them.
func (e *Emulator) PublishRecords(hubName, partitionID string, records ...[]byte) error {
	n := len(`{"records":[]}`) + len(records)
	for _, r := range records {
		n += len(r)
	}
	body := make([]byte, 0, n)
	body = append(body, `{"records":[`...)
	for i, r := range records {
		if i > 0 {
			body = append(body, ',')
		}
		body = append(body, r...)
	}
	body = append(body, "]}"...)
	return e.Publish(hubName, partitionID, body)
}

// Append appends events to a partition of hub ("" spreads them round-robin).
func (e *Emulator) Append(hubName, partitionID string, msgs ...Message) error {
	h := e.hub(hubName)
	if h == nil {
		return fmt.Errorf("eventhubtest: no event hub %q", hubName)
	}
	if partitionID != "" && h.partition(partitionID) == nil {
		return fmt.Errorf("eventhubtest: no partition %q in %q", partitionID, hubName)
	}
	for _, m := range msgs {
		p := h.partition(partitionID)
		if p == nil {
			p = h.parts[h.rr.Add(1)%uint64(len(h.parts))]
		}
		am := &amqp.Message{Data: [][]byte{m.Body}, ApplicationProperties: m.Properties}
		if err := p.append([]*amqp.Message{am}, m.EnqueuedAt); err != nil {
			return err
		}
	}
	return nil
}

// Len is the number of events ever appended to a partition (the next
// sequence number).
func (e *Emulator) Len(hubName, partitionID string) int {
	h := e.hub(hubName)
	if h == nil {
		return 0
	}
	p := h.partition(partitionID)
	if p == nil {
		return 0
	}
	p.mu.RLock()
	defer p.mu.RUnlock()
	return int(p.first) + len(p.events)
}

// Receivers is the number of receiver links attached to a partition for a
// consumer group.
func (e *Emulator) Receivers(hubName, consumerGroup, partitionID string) int {
	h := e.hub(hubName)
	if h == nil || h.partition(partitionID) == nil {
		return 0
	}
	p := h.partition(partitionID)
	p.mu.RLock()
	defer p.mu.RUnlock()
	n := 0
	for _, l := range p.receivers {
		if l.cg == consumerGroupKey(consumerGroup) {
			n++
		}
	}
	return n
}

// Delivered is the number of events sent to receivers of a partition (all
// consumer groups, redeliveries included): tests use it to check that link
// credit bounds what a slow consumer is sent.
func (e *Emulator) Delivered(hubName, partitionID string) int64 {
	h := e.hub(hubName)
	if h == nil || h.partition(partitionID) == nil {
		return 0
	}
	return h.partition(partitionID).delivered.Load()
}

// ---- partitions ----

type stored struct {
	seq    int64
	offset int64
	enq    time.Time
	enc    []byte // the AMQP message as sent to receivers
}

type partition struct {
	hub string
	id  string
	max int // events kept (0: all)

	delivered atomic.Int64 // transfers sent to receivers

	mu         sync.RWMutex
	events     []stored // events[i] has sequence number first+i
	first      int64
	nextOffset int64
	receivers  []*link
}

func (p *partition) append(msgs []*amqp.Message, at time.Time) error {
	if at.IsZero() {
		at = time.Now()
	}
	at = at.UTC().Truncate(time.Millisecond)
	p.mu.Lock()
	for _, m := range msgs {
		seq := p.first + int64(len(p.events))
		off := p.nextOffset
		if m.Annotations == nil {
			m.Annotations = amqp.Annotations{}
		}
		m.Annotations[amqp.Symbol("x-opt-sequence-number")] = seq
		m.Annotations[amqp.Symbol("x-opt-offset")] = strconv.FormatInt(off, 10)
		m.Annotations[amqp.Symbol("x-opt-enqueued-time")] = at
		m.Format = 0
		m.DeliveryTag = nil
		enc, err := m.MarshalBinary()
		if err != nil {
			p.mu.Unlock()
			return err
		}
		size := 0
		for _, d := range m.Data {
			size += len(d)
		}
		p.nextOffset += int64(size) + 1
		p.events = append(p.events, stored{seq: seq, offset: off, enq: at, enc: enc})
		if p.max > 0 && len(p.events) > p.max {
			drop := len(p.events) - p.max
			clear(p.events[:drop]) // let the bodies go
			p.events = p.events[drop:]
			p.first += int64(drop)
		}
	}
	rs := append([]*link(nil), p.receivers...)
	p.mu.Unlock()
	for _, l := range rs {
		l.signal()
	}
	return nil
}

// read returns up to n encoded messages from sequence number seq on, and
// the sequence number of the first one (later than seq when seq expired).
func (p *partition) read(seq int64, n int) ([][]byte, int64) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if seq < p.first {
		seq = p.first
	}
	i := int(seq - p.first)
	if i >= len(p.events) || n <= 0 {
		return nil, seq
	}
	end := i + n
	if end > len(p.events) {
		end = len(p.events)
	}
	out := make([][]byte, 0, end-i)
	for _, ev := range p.events[i:end] {
		out = append(out, ev.enc)
	}
	return out, seq
}

var selectorRe = regexp.MustCompile(`^amqp\.annotation\.(x-opt-offset|x-opt-sequence-number|x-opt-enqueued-time)\s*(>=|>)\s*'([^']*)'$`)

// startSeq is the sequence number of the first event a selector filter
// lets through.
func (p *partition) startSeq(expr string) (int64, error) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if expr == "" {
		return p.first, nil
	}
	m := selectorRe.FindStringSubmatch(expr)
	if m == nil {
		return 0, fmt.Errorf("unsupported selector filter %q", expr)
	}
	key, inclusive, val := m[1], m[2] == ">=", m[3]
	if key == "x-opt-offset" && val == "@latest" {
		return p.first + int64(len(p.events)), nil
	}
	x, err := strconv.ParseInt(val, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("bad value in selector filter %q", expr)
	}
	pass := func(i int) bool {
		var v int64
		switch key {
		case "x-opt-offset":
			v = p.events[i].offset
		case "x-opt-sequence-number":
			v = p.events[i].seq
		default:
			v = p.events[i].enq.UnixMilli()
		}
		if inclusive {
			return v >= x
		}
		return v > x
	}
	return p.first + int64(sort.Search(len(p.events), pass)), nil
}

func consumerGroupKey(cg string) string {
	b := []byte(cg)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}

// addReceiver registers a receiver link, enforcing owner levels.
func (p *partition) addReceiver(l *link) error {
	p.mu.Lock()
	var steal []*link
	for _, r := range p.receivers {
		if r.cg != l.cg {
			continue
		}
		switch {
		case l.hasEpoch && (!r.hasEpoch || l.epoch >= r.epoch):
			steal = append(steal, r)
		case r.hasEpoch:
			p.mu.Unlock()
			return fmt.Errorf("a receiver with epoch %d already reads partition %s; receiver %q is refused", r.epoch, p.id, l.name)
		}
	}
	p.receivers = append(p.receivers, l)
	p.mu.Unlock()
	for _, r := range steal {
		r.s.detachWithError(r, "amqp:link:stolen", fmt.Sprintf(
			"New receiver %q with higher epoch of '%d' is created hence current receiver %q with epoch '%d' is getting disconnected.",
			l.name, l.epoch, r.name, r.epoch))
	}
	return nil
}

func (p *partition) removeReceiver(l *link) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, r := range p.receivers {
		if r == l {
			p.receivers = append(p.receivers[:i], p.receivers[i+1:]...)
			return
		}
	}
}

// ---- messages from clients ----

const batchFormat = 0x80013700

func (e *Emulator) receive(l *link, payload []byte, format uint32) error {
	var outer amqp.Message
	if err := outer.UnmarshalBinary(payload); err != nil {
		return err
	}
	msgs := []*amqp.Message{&outer}
	if format == batchFormat {
		msgs = msgs[:0]
		for _, d := range outer.Data {
			m := new(amqp.Message)
			if err := m.UnmarshalBinary(d); err != nil {
				return err
			}
			msgs = append(msgs, m)
		}
	}
	if len(msgs) == 0 {
		return nil
	}
	p := l.hub.partition(l.partID)
	if p == nil {
		key := ""
		if outer.Annotations != nil {
			key, _ = outer.Annotations[amqp.Symbol("x-opt-partition-key")].(string)
			if key == "" {
				key, _ = outer.Annotations["x-opt-partition-key"].(string)
			}
		}
		if key != "" {
			f := fnv.New32a()
			f.Write([]byte(key))
			p = l.hub.parts[int(f.Sum32())%len(l.hub.parts)]
		} else {
			p = l.hub.parts[l.hub.rr.Add(1)%uint64(len(l.hub.parts))]
		}
	}
	return p.append(msgs, time.Time{})
}

// rpc answers a $cbs or $management request.
func (e *Emulator) rpc(c *conn, l *link, payload []byte) error {
	var req amqp.Message
	if err := req.UnmarshalBinary(payload); err != nil {
		return err
	}
	if req.Properties == nil || req.Properties.ReplyTo == nil {
		return fmt.Errorf("request without reply-to")
	}
	reply := c.findReplyLink(*req.Properties.ReplyTo)
	if reply == nil {
		return fmt.Errorf("no receiver link for reply-to %q", *req.Properties.ReplyTo)
	}
	status, desc, value := e.answer(l.target, &req)
	resp := &amqp.Message{
		Properties: &amqp.MessageProperties{CorrelationID: req.Properties.MessageID},
		ApplicationProperties: map[string]any{
			"status-code":        int32(status),
			"status-description": desc,
		},
	}
	if value != nil {
		resp.Value = value
	}
	enc, err := resp.MarshalBinary()
	if err != nil {
		return err
	}
	reply.enqueue(enc)
	return nil
}

func (e *Emulator) answer(target string, req *amqp.Message) (int, string, any) {
	op, _ := req.ApplicationProperties["operation"].(string)
	if target == "$cbs" || target == "$CBS" {
		if op != "put-token" {
			return 400, "unsupported operation " + op, nil
		}
		return 202, "Accepted", nil
	}
	if op != "READ" {
		return 400, "unsupported operation " + op, nil
	}
	name, _ := req.ApplicationProperties["name"].(string)
	h := e.hub(name)
	if h == nil {
		return 404, "event hub not found: " + name, nil
	}
	typ, _ := req.ApplicationProperties["type"].(string)
	switch typ {
	case "com.microsoft:eventhub":
		return 200, "OK", map[string]any{
			"name":                  h.name,
			"type":                  typ,
			"created_at":            e.created,
			"partition_count":       int32(len(h.parts)),
			"partition_ids":         e.PartitionIDs(name),
			"georeplication_factor": int32(1),
		}
	case "com.microsoft:partition":
		pid, _ := req.ApplicationProperties["partition"].(string)
		p := h.partition(pid)
		if p == nil {
			return 404, "partition not found: " + pid, nil
		}
		p.mu.RLock()
		defer p.mu.RUnlock()
		v := map[string]any{
			"name":                          h.name,
			"type":                          typ,
			"partition":                     p.id,
			"begin_sequence_number":         p.first,
			"last_enqueued_sequence_number": int64(-1),
			"last_enqueued_offset":          "-1",
			"last_enqueued_time_utc":        e.created,
			"is_partition_empty":            len(p.events) == 0,
		}
		if n := len(p.events); n > 0 {
			last := p.events[n-1]
			v["last_enqueued_sequence_number"] = last.seq
			v["last_enqueued_offset"] = strconv.FormatInt(last.offset, 10)
			v["last_enqueued_time_utc"] = last.enq
		}
		return 200, "OK", v
	}
	return 400, "unsupported type " + typ, nil
}
