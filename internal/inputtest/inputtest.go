// Package inputtest runs inputs in tests without libbeat's pipeline: a
// Connector that records what is published and acknowledges it when the test
// says so (or at once), and an in-memory Store. End-to-end tests through the
// real pipeline live in package beater.
package inputtest

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/elastic/beats/v7/libbeat/beat"
	"github.com/elastic/elastic-agent-libs/logp/logptest"
	"github.com/elastic/elastic-agent-libs/monitoring"

	"github.com/m365beat/m365beat/input"
)

// Pipeline is an input.Connector for tests. With AutoACK set, every event
// is acknowledged right after Publish returns (asynchronously, in order).
type Pipeline struct {
	AutoACK bool

	mu      sync.Mutex
	events  []beat.Event
	pending []pending
	clients int
}

type pending struct {
	private any
	c       *client
}

// Connect implements input.Connector.
func (p *Pipeline) Connect(_ input.Stream, onACK func([]any)) (input.Client, error) {
	p.mu.Lock()
	p.clients++
	p.mu.Unlock()
	return &client{p: p, onACK: onACK}, nil
}

type client struct {
	p     *Pipeline
	onACK func([]any)
}

func (c *client) Publish(e beat.Event) { c.PublishAll([]beat.Event{e}) }

func (c *client) PublishAll(es []beat.Event) {
	c.p.mu.Lock()
	c.p.events = append(c.p.events, es...)
	for _, e := range es {
		c.p.pending = append(c.p.pending, pending{private: e.Private, c: c})
	}
	auto := c.p.AutoACK
	c.p.mu.Unlock()
	if auto {
		c.p.ACK(len(es))
	}
}

func (c *client) Close() error { return nil }

// ACK acknowledges the n oldest unacknowledged events.
func (p *Pipeline) ACK(n int) {
	p.mu.Lock()
	if n > len(p.pending) {
		n = len(p.pending)
	}
	batch := p.pending[:n]
	p.pending = append([]pending(nil), p.pending[n:]...)
	p.mu.Unlock()
	// Group consecutive events of the same client, as libbeat does.
	for i := 0; i < len(batch); {
		j := i
		var privs []any
		for j < len(batch) && batch[j].c == batch[i].c {
			privs = append(privs, batch[j].private)
			j++
		}
		if ack := batch[i].c.onACK; ack != nil {
			ack(privs)
		}
		i = j
	}
}

// Unacked is the number of published, not yet acknowledged events.
func (p *Pipeline) Unacked() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.pending)
}

// Events returns a copy of every event published so far.
func (p *Pipeline) Events() []beat.Event {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]beat.Event(nil), p.events...)
}

// WaitEvents waits until at least n events were published or the timeout.
func (p *Pipeline) WaitEvents(t testing.TB, n int, timeout time.Duration) []beat.Event {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ev := p.Events()
		if len(ev) >= n {
			return ev
		}
		if time.Now().After(deadline) {
			t.Fatalf("got %d events, want %d within %s", len(ev), n, timeout)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Store is an in-memory input.Store; values round-trip through JSON like
// the real one.
type Store struct {
	mu sync.Mutex
	m  map[string][]byte
}

// NewStore returns an empty Store.
func NewStore() *Store { return &Store{m: map[string][]byte{}} }

func (s *Store) Get(key string, into any) error {
	s.mu.Lock()
	b, ok := s.m[key]
	s.mu.Unlock()
	if !ok {
		return errNotFound(key)
	}
	return json.Unmarshal(b, into)
}

func (s *Store) Has(key string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.m[key]
	return ok, nil
}

func (s *Store) Set(key string, from any) error {
	b, err := json.Marshal(from)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.m[key] = b
	s.mu.Unlock()
	return nil
}

func (s *Store) Remove(key string) error {
	s.mu.Lock()
	delete(s.m, key)
	s.mu.Unlock()
	return nil
}

type errNotFound string

func (e errNotFound) Error() string { return "key not found: " + string(e) }

// Context builds an input.Context for tests; cancel it to stop the input.
func Context(t testing.TB, id string, p input.Connector, s input.Store) (input.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	return input.Context{
		ID:       id,
		Cancel:   ctx,
		Logger:   logptest.NewTestingLogger(t, id),
		Pipeline: p,
		Store:    s,
		Metrics:  monitoring.NewRegistry(),
	}, cancel
}
