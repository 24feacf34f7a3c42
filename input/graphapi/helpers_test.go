package graphapi

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/elastic/beats/v7/libbeat/beat"
	conf "github.com/elastic/elastic-agent-libs/config"
	"github.com/elastic/elastic-agent-libs/logp"
	"github.com/elastic/elastic-agent-libs/logp/logptest"
	"github.com/elastic/elastic-agent-libs/monitoring"
	"github.com/valyala/fastjson"

	"github.com/m365beat/m365beat/input"
	"github.com/m365beat/m365beat/internal/graphtest"
	"github.com/m365beat/m365beat/internal/inputtest"
)

// fakeConfig is an input entry pointing at srv with fast retries.
func fakeConfig(srv *graphtest.Server, streams ...map[string]any) map[string]any {
	o := srv.Options()
	return map[string]any{
		"type":          Type,
		"id":            "contoso",
		"tenant_id":     o.TenantID,
		"client_id":     o.ClientID,
		"client_secret": o.ClientSecret,
		"login_url":     srv.LoginURL(),
		"graph_url":     srv.GraphURL(),
		"backoff.init":  "5ms",
		"backoff.max":   "50ms",
		"streams":       streams,
	}
}

func newTestInput(t testing.TB, m map[string]any) *graphInput {
	t.Helper()
	in, err := New(conf.MustNewConfigFrom(m), testLogger(t))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return in.(*graphInput)
}

// running is an input started in the background.
type running struct {
	ctx    input.Context
	cancel func()
	done   chan error
}

func start(t testing.TB, in *graphInput, p input.Connector, store input.Store) *running {
	t.Helper()
	ctx, cancel := inputtest.Context(t, "contoso", p, store)
	r := &running{ctx: ctx, cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- in.Run(ctx) }()
	t.Cleanup(func() { r.stop(t) })
	return r
}

func (r *running) stop(t testing.TB) {
	t.Helper()
	r.cancel()
	select {
	case err := <-r.done:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
		r.done <- nil
	case <-time.After(10 * time.Second):
		t.Fatal("input did not stop within 10s")
	}
}

// metric reads an int metric of the running input ("alerts.pages_total").
func (r *running) metric(name string) int64 {
	v := r.ctx.Metrics.Get(name)
	if i, ok := v.(*monitoring.Int); ok {
		return i.Get()
	}
	return -1
}

func waitFor(t testing.TB, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// alertKey is the version key of an alert message.
func alertKey(t testing.TB, e beat.Event) graphtest.Key {
	t.Helper()
	msg, _ := e.Fields["message"].(string)
	v, err := fastjson.Parse(msg)
	if err != nil {
		t.Fatalf("message is not JSON: %v", err)
	}
	return graphtest.Key{ID: string(v.GetStringBytes("id")), LastUpdate: string(v.GetStringBytes("lastUpdateDateTime"))}
}

func countKeys(t testing.TB, evs []beat.Event) map[graphtest.Key]int {
	out := map[graphtest.Key]int{}
	for _, e := range evs {
		out[alertKey(t, e)]++
	}
	return out
}

// certFiles writes a self-signed certificate and its key; it returns the
// paths and the parsed certificate.
func certFiles(t testing.TB) (certPath, keyPath string, cert *x509.Certificate) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "m365beat-test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ = x509.ParseCertificate(der)
	dir := t.TempDir()
	certPath, keyPath = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	pk, _ := x509.MarshalPKCS8PrivateKey(key)
	if err := os.WriteFile(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pk}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certPath, keyPath, cert
}

// countingPipeline acknowledges at once and keeps only counts, for large
// volumes.
type countingPipeline struct {
	mu     sync.Mutex
	events int
	bytes  int
}

func (c *countingPipeline) Connect(_ input.Stream, onACK func([]any)) (input.Client, error) {
	return &countingClient{p: c, onACK: onACK}, nil
}

func (c *countingPipeline) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.events
}

type countingClient struct {
	p     *countingPipeline
	onACK func([]any)
}

func (c *countingClient) Publish(e beat.Event) { c.PublishAll([]beat.Event{e}) }
func (c *countingClient) PublishAll(es []beat.Event) {
	privs := make([]any, len(es))
	n := 0
	for i, e := range es {
		privs[i] = e.Private
		s, _ := e.Fields["message"].(string)
		n += len(s)
	}
	c.p.mu.Lock()
	c.p.events += len(es)
	c.p.bytes += n
	c.p.mu.Unlock()
	c.onACK(privs)
}
func (c *countingClient) Close() error { return nil }

func testLogger(t testing.TB) *logp.Logger { return logptest.NewTestingLogger(t, "graphapi") }

func inputStream(sc streamConfig) input.Stream {
	return input.Stream{Dataset: sc.DataStream.Dataset, Namespace: "default"}
}
