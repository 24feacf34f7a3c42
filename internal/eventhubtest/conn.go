package eventhubtest

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"time"
)

// Performative and section descriptors (AMQP 1.0 part 2 and 5).
const (
	descOpen        = 0x10
	descBegin       = 0x11
	descAttach      = 0x12
	descFlow        = 0x13
	descTransfer    = 0x14
	descDisposition = 0x15
	descDetach      = 0x16
	descEnd         = 0x17
	descClose       = 0x18
	descError       = 0x1d
	descAccepted    = 0x24
	descRejected    = 0x25
	descSource      = 0x28
	descTarget      = 0x29

	descSASLMechanisms = 0x40
	descSASLInit       = 0x41
	descSASLOutcome    = 0x44
)

const (
	ourMaxFrame     = 1 << 20 // what we accept
	linkCreditGrant = 1000    // credit given to client senders
	sessionWindow   = 1 << 16 // incoming transfer frames per session window
)

var (
	headerSASL = []byte{'A', 'M', 'Q', 'P', 3, 1, 0, 0}
	headerAMQP = []byte{'A', 'M', 'Q', 'P', 0, 1, 0, 0}
)

// conn is one client connection.
type conn struct {
	e  *Emulator
	nc net.Conn
	r  *bufio.Reader

	wmu      sync.Mutex
	w        *bufio.Writer
	werr     error
	maxFrame uint32 // the client's max-frame-size: what we may send

	mu       sync.Mutex
	sessions map[uint16]*session
	done     chan struct{}
	once     sync.Once
}

func (e *Emulator) serve(nc net.Conn) {
	c := &conn{
		e:        e,
		nc:       nc,
		r:        bufio.NewReaderSize(nc, 64<<10),
		w:        bufio.NewWriterSize(nc, 64<<10),
		maxFrame: 512,
		sessions: map[uint16]*session{},
		done:     make(chan struct{}),
	}
	if !e.track(c) {
		nc.Close()
		return
	}
	defer e.untrack(c)
	defer c.close()
	if err := c.handshake(); err != nil {
		e.logf("handshake: %v", err)
		return
	}
	if err := c.loop(); err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) {
		e.logf("connection: %v", err)
	}
}

func (c *conn) close() {
	c.once.Do(func() {
		close(c.done)
		c.nc.Close()
		c.mu.Lock()
		ss := c.sessions
		c.sessions = map[uint16]*session{}
		c.mu.Unlock()
		for _, s := range ss {
			s.shutdown()
		}
	})
}

func (c *conn) readHeader() ([]byte, error) {
	h := make([]byte, 8)
	_, err := io.ReadFull(c.r, h)
	return h, err
}

func (c *conn) handshake() error {
	_ = c.nc.SetReadDeadline(time.Now().Add(30 * time.Second))
	defer c.nc.SetReadDeadline(time.Time{})
	h, err := c.readHeader()
	if err != nil {
		return err
	}
	if string(h) == string(headerSASL) {
		c.rawWrite(headerSASL)
		mechs := list{[]symbol{"ANONYMOUS", "PLAIN", "MSSBCBS"}}
		c.writeFrame(1, 0, descSASLMechanisms, mechs, nil)
		c.flush()
		typ, _, perf, _, err := c.readFrame()
		if err != nil {
			return err
		}
		if typ != 1 || perf.code != descSASLInit {
			return fmt.Errorf("expected sasl-init, got frame type %d performative 0x%x", typ, perf.code)
		}
		c.writeFrame(1, 0, descSASLOutcome, list{uint8(0)}, nil)
		c.flush()
		if h, err = c.readHeader(); err != nil {
			return err
		}
	}
	if string(h) != string(headerAMQP) {
		c.rawWrite(headerAMQP)
		c.flush()
		return fmt.Errorf("unsupported protocol header %q", h)
	}
	c.rawWrite(headerAMQP)
	return c.flush()
}

type performative struct {
	code   uint64
	fields list
}

// readFrame reads one frame; heartbeats return code 0 and no error.
func (c *conn) readFrame() (typ byte, ch uint16, p performative, payload []byte, err error) {
	var hdr [8]byte
	if _, err = io.ReadFull(c.r, hdr[:]); err != nil {
		return
	}
	size := binary.BigEndian.Uint32(hdr[:4])
	doff := int(hdr[4]) * 4
	typ = hdr[5]
	ch = binary.BigEndian.Uint16(hdr[6:])
	if size < 8 || doff < 8 || uint32(doff) > size || size > ourMaxFrame+1024 {
		err = fmt.Errorf("bad frame header size=%d doff=%d", size, doff)
		return
	}
	buf := make([]byte, size-8)
	if _, err = io.ReadFull(c.r, buf); err != nil {
		return
	}
	body := buf[doff-8:]
	if len(body) == 0 {
		return
	}
	d := &decoder{b: body}
	v, err := d.read()
	if err != nil {
		return
	}
	dv, ok := v.(described)
	if !ok {
		err = fmt.Errorf("frame body is not a performative")
		return
	}
	p.code, _ = asUint(dv.desc)
	p.fields, _ = dv.value.(list)
	payload = body[d.i:]
	return
}

func (c *conn) rawWrite(b []byte) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.werr == nil {
		_, c.werr = c.w.Write(b)
	}
}

// writeFrame buffers one frame; call flush to send.
func (c *conn) writeFrame(typ byte, ch uint16, code uint64, fields list, payload []byte) {
	e := encoder{b: make([]byte, 8, 64+len(payload))}
	e.write(described{desc: code, value: fields})
	e.b = append(e.b, payload...)
	binary.BigEndian.PutUint32(e.b, uint32(len(e.b)))
	e.b[4] = 2
	e.b[5] = typ
	binary.BigEndian.PutUint16(e.b[6:], ch)
	c.rawWrite(e.b)
}

func (c *conn) flush() error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.werr == nil {
		c.werr = c.w.Flush()
	}
	return c.werr
}

func (c *conn) send(ch uint16, code uint64, fields list) {
	c.writeFrame(0, ch, code, fields, nil)
	c.flush()
}

func (c *conn) loop() error {
	for {
		typ, ch, p, payload, err := c.readFrame()
		if err != nil {
			return err
		}
		if typ != 0 || p.code == 0 {
			continue // heartbeat
		}
		switch p.code {
		case descOpen:
			if mf, ok := asUint(field(p.fields, 2)); ok && mf >= 512 {
				if mf > 1<<24 {
					mf = 1 << 24
				}
				c.wmu.Lock()
				c.maxFrame = uint32(mf)
				c.wmu.Unlock()
			} else {
				c.wmu.Lock()
				c.maxFrame = 1 << 24
				c.wmu.Unlock()
			}
			open := list{"eventhubtest", nil, uint32(ourMaxFrame), uint16(65535)}
			c.send(0, descOpen, open)
			if idle, ok := asUint(field(p.fields, 4)); ok && idle > 0 {
				go c.heartbeat(time.Duration(idle) * time.Millisecond / 3)
			}
		case descBegin:
			c.begin(ch, p.fields)
		case descClose:
			c.send(0, descClose, list{})
			return nil
		case descEnd:
			s := c.session(ch)
			if s != nil {
				c.mu.Lock()
				delete(c.sessions, ch)
				c.mu.Unlock()
				s.shutdown()
			}
			c.send(ch, descEnd, list{})
		default:
			s := c.session(ch)
			if s == nil {
				return fmt.Errorf("frame 0x%x on unknown channel %d", p.code, ch)
			}
			if err := s.handle(p, payload); err != nil {
				return err
			}
		}
	}
}

func (c *conn) heartbeat(every time.Duration) {
	if every < 100*time.Millisecond {
		every = 100 * time.Millisecond
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-c.done:
			return
		case <-t.C:
			c.rawWrite([]byte{0, 0, 0, 8, 2, 0, 0, 0})
			if c.flush() != nil {
				return
			}
		}
	}
}

func (c *conn) session(ch uint16) *session {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sessions[ch]
}

func (c *conn) begin(ch uint16, f list) {
	s := &session{
		c:              c,
		ch:             ch,
		links:          map[uint32]*link{},
		incomingWindow: sessionWindow,
	}
	s.nextIncomingID, _ = asUint32(field(f, 1))
	s.remoteIncomingWindow, _ = asUint32(field(f, 2))
	c.mu.Lock()
	c.sessions[ch] = s
	c.mu.Unlock()
	c.send(ch, descBegin, list{uint16(ch), uint32(0), uint32(sessionWindow), uint32(1 << 30), uint32(1<<32 - 1)})
}

// findReplyLink finds, on this connection, the client receiver link whose
// target address is addr.
func (c *conn) findReplyLink(addr string) *link {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range c.sessions {
		s.mu.Lock()
		for _, l := range s.links {
			if l.kind == kindReply && l.target == addr {
				s.mu.Unlock()
				return l
			}
		}
		s.mu.Unlock()
	}
	return nil
}

func asUint32(v any) (uint32, bool) {
	u, ok := asUint(v)
	return uint32(u), ok
}

func amqpError(condition, description string) described {
	return described{desc: uint64(descError), value: list{symbol(condition), description}}
}

func isMgmtAddress(a string) bool {
	return strings.EqualFold(a, "$management") || strings.EqualFold(a, "$cbs")
}
