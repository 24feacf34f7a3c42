package eventhubtest

import (
	"encoding/binary"
	"fmt"
	"strings"
	"sync"
)

type linkKind int

const (
	kindPartition linkKind = iota // client receives events from a partition
	kindReply                     // client receives RPC replies
	kindHubSend                   // client sends events to a hub or partition
	kindRPC                       // client sends $management / $cbs requests
)

// session is one AMQP session; our channel equals the client's.
type session struct {
	c  *conn
	ch uint16

	mu                   sync.Mutex
	nextOutgoingID       uint32
	remoteIncomingWindow uint32
	nextIncomingID       uint32
	incomingWindow       uint32
	nextDeliveryID       uint32
	links                map[uint32]*link // by the client's handle
	nextHandle           uint32
	ended                bool
}

// link is one link endpoint. Fields after mu of session are guarded by it.
type link struct {
	s            *session
	name         string
	remoteHandle uint32
	handle       uint32
	kind         linkKind
	source       string
	target       string

	// we send (kindPartition, kindReply)
	part          *partition
	cg            string
	epoch         int64
	hasEpoch      bool
	cursor        int64 // next sequence number to send
	deliveryCount uint32
	credit        uint32
	drain         bool
	outbox        [][]byte
	sendMu        sync.Mutex // held while a batch is written: a detach goes after it
	wake          chan struct{}
	done          chan struct{}
	closed        bool
	weDetached    bool

	// client sends (kindHubSend, kindRPC)
	hub         *hub
	partID      string
	rcvCount    uint32 // client's delivery-count as we see it
	rcvCredit   uint32
	partial     []byte
	partialID   uint32
	partialSett bool
	partialFmt  uint32
}

func (s *session) shutdown() {
	s.mu.Lock()
	s.ended = true
	links := make([]*link, 0, len(s.links))
	for _, l := range s.links {
		links = append(links, l)
	}
	s.links = map[uint32]*link{}
	s.mu.Unlock()
	for _, l := range links {
		l.stop()
	}
}

// stop ends a link's pump and unregisters it from its partition.
func (l *link) stop() {
	l.s.mu.Lock()
	if l.closed {
		l.s.mu.Unlock()
		return
	}
	l.closed = true
	close(l.done)
	l.s.mu.Unlock()
	if l.part != nil {
		l.part.removeReceiver(l)
	}
}

func (l *link) signal() {
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

func (s *session) handle(p performative, payload []byte) error {
	switch p.code {
	case descAttach:
		return s.attach(p.fields)
	case descFlow:
		s.flow(p.fields)
	case descTransfer:
		return s.transfer(p.fields, payload)
	case descDisposition:
		// Our transfers are sent settled; nothing to do.
	case descDetach:
		h, _ := asUint32(field(p.fields, 0))
		s.mu.Lock()
		l := s.links[h]
		delete(s.links, h)
		s.mu.Unlock()
		if l == nil {
			return nil
		}
		l.stop()
		l.sendMu.Lock() // let a batch in progress finish: no transfer after our detach
		l.sendMu.Unlock()
		s.mu.Lock()
		reply := !l.weDetached
		s.mu.Unlock()
		if reply {
			s.c.send(s.ch, descDetach, list{l.handle, true})
		}
	default:
		return fmt.Errorf("unexpected performative 0x%x", p.code)
	}
	return nil
}

func (s *session) attach(f list) error {
	name := asString(field(f, 0))
	rh, _ := asUint32(field(f, 1))
	clientIsReceiver := asBool(field(f, 2))
	srcList := describedList(field(f, 5))
	tgtList := describedList(field(f, 6))
	l := &link{
		s:            s,
		name:         name,
		remoteHandle: rh,
		source:       asString(field(srcList, 0)),
		target:       asString(field(tgtList, 0)),
		wake:         make(chan struct{}, 1),
		done:         make(chan struct{}),
	}
	s.mu.Lock()
	l.handle = s.nextHandle
	s.nextHandle++
	s.links[rh] = l
	s.mu.Unlock()

	var attachErr described
	var failed bool
	fail := func(cond, desc string) {
		failed = true
		attachErr = amqpError(cond, desc)
	}
	props := field(f, 13)
	if clientIsReceiver {
		if isMgmtAddress(l.source) {
			l.kind = kindReply
		} else {
			l.kind = kindPartition
			hubName, cg, pid, ok := parseConsumerPath(l.source)
			h := s.c.e.hub(hubName)
			switch {
			case !ok:
				fail("amqp:not-found", "bad receiver address "+l.source)
			case h == nil:
				fail("amqp:not-found", "no event hub "+hubName)
			case h.partition(pid) == nil:
				fail("amqp:not-found", "no partition "+pid+" in "+hubName)
			default:
				l.part = h.partition(pid)
				l.cg = strings.ToLower(cg)
				if ep, ok := asInt(mapGet(props, "com.microsoft:epoch")); ok {
					l.epoch, l.hasEpoch = ep, true
				}
				expr := selectorOf(field(srcList, 7))
				start, err := l.part.startSeq(expr)
				if err != nil {
					fail("amqp:invalid-field", err.Error())
				} else {
					l.cursor = start
				}
			}
		}
	} else {
		if isMgmtAddress(l.target) {
			l.kind = kindRPC
		} else {
			l.kind = kindHubSend
			hubName, pid, _ := strings.Cut(l.target, "/Partitions/")
			l.hub = s.c.e.hub(hubName)
			l.partID = pid
			if l.hub == nil {
				fail("amqp:not-found", "no event hub "+hubName)
			} else if pid != "" && l.hub.partition(pid) == nil {
				fail("amqp:not-found", "no partition "+pid+" in "+hubName)
			}
		}
		l.rcvCount, _ = asUint32(field(f, 9))
	}

	resp := list{
		name, l.handle, !clientIsReceiver,
		field(f, 3), field(f, 4),
		nil, nil,
		nil, false,
	}
	if !failed {
		resp[5] = described{desc: uint64(descSource), value: list{l.source}}
		resp[6] = described{desc: uint64(descTarget), value: list{l.target}}
	}
	if clientIsReceiver {
		resp = append(resp, uint32(0)) // initial-delivery-count
	} else {
		resp = append(resp, nil)
	}
	resp = append(resp, s.c.e.maxMessageSize, []symbol{"com.microsoft:georeplication"})
	s.c.send(s.ch, descAttach, resp)
	if failed {
		s.mu.Lock()
		l.weDetached = true
		l.closed = true
		close(l.done)
		s.mu.Unlock()
		s.c.send(s.ch, descDetach, list{l.handle, true, attachErr})
		return nil
	}
	switch l.kind {
	case kindPartition:
		if err := l.part.addReceiver(l); err != nil {
			s.detachWithError(l, "amqp:link:stolen", err.Error())
			return nil
		}
		go l.pump()
	case kindReply:
		go l.pump()
	default:
		s.mu.Lock()
		l.rcvCredit = linkCreditGrant
		fl := s.linkFlowLocked(l)
		s.mu.Unlock()
		s.c.send(s.ch, descFlow, fl)
	}
	return nil
}

// detachWithError detaches a link from our side (e.g. stolen by a receiver
// with a higher owner level).
func (s *session) detachWithError(l *link, cond, desc string) {
	s.mu.Lock()
	if l.weDetached || s.ended {
		s.mu.Unlock()
		return
	}
	l.weDetached = true
	s.mu.Unlock()
	l.stop()
	l.sendMu.Lock()
	l.sendMu.Unlock()
	s.c.send(s.ch, descDetach, list{l.handle, true, amqpError(cond, desc)})
}

// linkFlowLocked builds a flow granting credit to a client sender.
func (s *session) linkFlowLocked(l *link) list {
	return list{s.nextIncomingID, s.incomingWindow, s.nextOutgoingID, uint32(1 << 30),
		l.handle, l.rcvCount, l.rcvCredit}
}

func (s *session) flow(f list) {
	s.mu.Lock()
	nextIn, hasNextIn := asUint32(field(f, 0))
	inWin, _ := asUint32(field(f, 1))
	if !hasNextIn {
		nextIn = 0
	}
	s.remoteIncomingWindow = nonNegative(nextIn + inWin - s.nextOutgoingID)
	var wake []*link
	if h, ok := asUint32(field(f, 4)); ok {
		if l := s.links[h]; l != nil && (l.kind == kindPartition || l.kind == kindReply) {
			dc, ok := asUint32(field(f, 5))
			if !ok {
				dc = 0
			}
			credit, _ := asUint32(field(f, 6))
			// The client computed its credit before seeing some of our
			// transfers: what is left may be nothing.
			l.credit = nonNegative(dc + credit - l.deliveryCount)
			l.drain = asBool(field(f, 8))
			wake = append(wake, l)
		}
	} else {
		for _, l := range s.links {
			wake = append(wake, l)
		}
	}
	echo := asBool(field(f, 9))
	s.mu.Unlock()
	for _, l := range wake {
		l.signal()
	}
	if echo {
		s.mu.Lock()
		fl := list{s.nextIncomingID, s.incomingWindow, s.nextOutgoingID, uint32(1 << 30)}
		s.mu.Unlock()
		s.c.send(s.ch, descFlow, fl)
	}
}

func (s *session) transfer(f list, payload []byte) error {
	h, _ := asUint32(field(f, 0))
	s.mu.Lock()
	l := s.links[h]
	s.nextIncomingID++
	s.incomingWindow--
	var sessFlow list
	if s.incomingWindow < sessionWindow/2 {
		s.incomingWindow = sessionWindow
		sessFlow = list{s.nextIncomingID, s.incomingWindow, s.nextOutgoingID, uint32(1 << 30)}
	}
	s.mu.Unlock()
	if sessFlow != nil {
		s.c.send(s.ch, descFlow, sessFlow)
	}
	if l == nil || (l.kind != kindHubSend && l.kind != kindRPC) {
		return fmt.Errorf("transfer on unknown or receiving link handle %d", h)
	}
	if asBool(field(f, 9)) { // aborted
		l.partial = nil
		return nil
	}
	if l.partial == nil {
		l.partialID, _ = asUint32(field(f, 1))
		l.partialSett = asBool(field(f, 4))
		l.partialFmt, _ = asUint32(field(f, 3))
	}
	l.partial = append(l.partial, payload...)
	if asBool(field(f, 5)) { // more
		return nil
	}
	msg, id, settled, format := l.partial, l.partialID, l.partialSett, l.partialFmt
	l.partial = nil

	var state any = described{desc: uint64(descAccepted), value: list{}}
	var err error
	if l.kind == kindRPC {
		err = s.c.e.rpc(s.c, l, msg)
	} else {
		err = s.c.e.receive(l, msg, format)
	}
	if err != nil {
		state = described{desc: uint64(descRejected), value: list{amqpError("amqp:decode-error", err.Error())}}
	}
	if !settled {
		s.c.send(s.ch, descDisposition, list{true, id, id, true, state})
	}

	s.mu.Lock()
	l.rcvCount++
	l.rcvCredit--
	var fl list
	if l.rcvCredit < linkCreditGrant/2 {
		l.rcvCredit = linkCreditGrant
		fl = s.linkFlowLocked(l)
	}
	s.mu.Unlock()
	if fl != nil {
		s.c.send(s.ch, descFlow, fl)
	}
	return nil
}

// enqueue queues an RPC reply on a kindReply link.
func (l *link) enqueue(msg []byte) {
	l.s.mu.Lock()
	l.outbox = append(l.outbox, msg)
	l.s.mu.Unlock()
	l.signal()
}

// pump sends messages to the client as credit and window allow.
func (l *link) pump() {
	l.signal()
	for {
		select {
		case <-l.done:
			return
		case <-l.wake:
		}
		for l.sendSome() {
		}
	}
}

// sendSome sends what it can; it reports whether to call it again.
func (l *link) sendSome() bool {
	l.sendMu.Lock()
	defer l.sendMu.Unlock()
	s, c := l.s, l.s.c
	var msgs [][]byte
	var from int64
	if l.kind == kindPartition {
		s.mu.Lock()
		n, cursor := l.credit, l.cursor
		s.mu.Unlock()
		if n > 256 {
			n = 256
		}
		msgs, from = l.part.read(cursor, int(n))
	}

	c.wmu.Lock()
	maxFrame := int(c.maxFrame)
	c.wmu.Unlock()

	s.mu.Lock()
	if l.closed || s.ended {
		s.mu.Unlock()
		return false
	}
	if l.kind == kindReply {
		n := int(l.credit)
		if n > len(l.outbox) {
			n = len(l.outbox)
		}
		msgs = l.outbox[:n]
	}
	type out struct {
		id  uint32
		msg []byte
	}
	var batch []out
	for _, m := range msgs {
		frames := frameCount(len(m), maxFrame)
		if l.credit == 0 || s.remoteIncomingWindow < frames {
			break
		}
		batch = append(batch, out{id: s.nextDeliveryID, msg: m})
		s.nextDeliveryID++
		s.nextOutgoingID += frames
		s.remoteIncomingWindow -= frames
		l.credit--
		l.deliveryCount++
	}
	if l.kind == kindReply {
		l.outbox = l.outbox[len(batch):]
	} else if len(batch) > 0 {
		l.cursor = from + int64(len(batch))
	}
	var drainFlow list
	if len(batch) == len(msgs) && l.drain && (l.kind == kindReply || len(batch) == 0) {
		l.deliveryCount += l.credit
		l.credit = 0
		l.drain = false
		drainFlow = list{s.nextIncomingID, s.incomingWindow, s.nextOutgoingID, uint32(1 << 30),
			l.handle, l.deliveryCount, uint32(0), uint32(0), true}
	}
	s.mu.Unlock()

	for _, o := range batch {
		l.writeTransfer(o.id, o.msg, maxFrame)
	}
	if l.part != nil {
		l.part.delivered.Add(int64(len(batch)))
	}
	if drainFlow != nil {
		c.writeFrame(0, s.ch, descFlow, drainFlow, nil)
	}
	if len(batch) > 0 || drainFlow != nil {
		c.flush()
	}
	return len(batch) > 0
}

// frameCount is the number of transfer frames writeTransfer uses.
func frameCount(n, maxFrame int) uint32 {
	chunk := maxFrame - 128
	if n <= chunk {
		return 1
	}
	return uint32((n + chunk - 1) / chunk)
}

func (l *link) writeTransfer(id uint32, msg []byte, maxFrame int) {
	var tag [4]byte
	binary.BigEndian.PutUint32(tag[:], id)
	chunk := maxFrame - 128
	for first := true; first || len(msg) > 0; first = false {
		part := msg
		more := false
		if len(part) > chunk {
			part, more = part[:chunk], true
		}
		msg = msg[len(part):]
		l.s.c.writeFrame(0, l.s.ch, descTransfer,
			list{l.handle, id, tag[:], uint32(0), true, more}, part)
	}
}

func describedList(v any) list {
	if d, ok := v.(described); ok {
		l, _ := d.value.(list)
		return l
	}
	return nil
}

// selectorOf extracts the selector filter expression of a source's filter set.
func selectorOf(filters any) string {
	m, _ := filters.(amqpMap)
	for i := 0; i+1 < len(m); i += 2 {
		if d, ok := m[i+1].(described); ok {
			if s, ok := d.value.(string); ok {
				return s
			}
		}
	}
	return ""
}

// parseConsumerPath splits <hub>/ConsumerGroups/<cg>/Partitions/<id>.
func parseConsumerPath(p string) (hubName, cg, pid string, ok bool) {
	parts := strings.Split(p, "/")
	if len(parts) != 5 || !strings.EqualFold(parts[1], "ConsumerGroups") || !strings.EqualFold(parts[3], "Partitions") {
		return "", "", "", false
	}
	return parts[0], parts[2], parts[4], true
}

// nonNegative reads a serial-number difference (RFC 1982 style) as a
// count, 0 when it is negative.
func nonNegative(d uint32) uint32 {
	if int32(d) < 0 {
		return 0
	}
	return d
}
