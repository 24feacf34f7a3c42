package eventhub

import (
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/m365beat/m365beat/internal/eventhubtest"
	"github.com/m365beat/m365beat/internal/inputtest"
)

// connectProxy is an HTTP CONNECT proxy counting the tunnels it opened.
type connectProxy struct{ tunnels atomic.Int64 }

func (p *connectProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodConnect {
		http.Error(w, "CONNECT only", http.StatusMethodNotAllowed)
		return
	}
	up, err := net.Dial("tcp", r.Host)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	hj, ok := w.(http.Hijacker)
	if !ok {
		up.Close()
		return
	}
	w.WriteHeader(http.StatusOK)
	down, _, err := hj.Hijack()
	if err != nil {
		up.Close()
		return
	}
	p.tunnels.Add(1)
	go func() { io.Copy(up, down); up.Close() }()
	go func() { io.Copy(down, up); down.Close() }()
}

// TestTLSTransports reads through amqps and through WebSockets (directly
// and through a CONNECT proxy), trusting the emulator's certificate with
// ssl.certificate_authorities.
func TestTLSTransports(t *testing.T) {
	e := newEnv(t, 2, false)
	srvTLS, caPEM, err := eventhubtest.SelfSigned()
	if err != nil {
		t.Fatal(err)
	}
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, caPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	amqpsAddr, err := e.eh.StartTLS(srvTLS)
	if err != nil {
		t.Fatal(err)
	}
	wsAddr, err := e.eh.StartWebSocket(srvTLS)
	if err != nil {
		t.Fatal(err)
	}
	proxy := &connectProxy{}
	pln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	psrv := &http.Server{Handler: proxy, ReadHeaderTimeout: 5 * time.Second}
	go psrv.Serve(pln)
	t.Cleanup(func() { psrv.Close() })

	e.publishRecords(500, 10)
	cases := []struct {
		name  string
		extra map[string]any
	}{
		{"amqps", map[string]any{"connection_string": eventhubtest.ConnectionStringFor(amqpsAddr, testHub)}},
		{"websocket", map[string]any{"connection_string": eventhubtest.ConnectionStringFor(wsAddr, testHub), "transport": "websocket"}},
		{"websocket via proxy", map[string]any{"connection_string": eventhubtest.ConnectionStringFor(wsAddr, testHub), "transport": "websocket",
			"proxy_url": "http://" + pln.Addr().String()}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.extra["ssl.certificate_authorities"] = []string{ca}
			c.extra["load_balancing"] = "greedy"
			pipe := &inputtest.Pipeline{AutoACK: true}
			r := e.run(e.config(c.extra), pipe)
			pipe.WaitEvents(t, 500, 30*time.Second)
			r.stop(t)
		})
	}
	if proxy.tunnels.Load() == 0 {
		t.Fatal("the proxy opened no tunnel")
	}

	// Without the CA the certificate is refused: nothing is read.
	pipe := &inputtest.Pipeline{AutoACK: true}
	r := e.run(e.config(map[string]any{"connection_string": eventhubtest.ConnectionStringFor(amqpsAddr, testHub)}), pipe)
	time.Sleep(1500 * time.Millisecond)
	r.stop(t)
	if n := len(pipe.Events()); n != 0 {
		t.Fatalf("%d events read from an untrusted endpoint", n)
	}
}
