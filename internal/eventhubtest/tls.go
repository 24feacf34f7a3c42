package eventhubtest

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"net/http"
	"time"

	"github.com/coder/websocket"
)

// SelfSigned returns a TLS server configuration with a certificate for
// 127.0.0.1 and localhost, and that certificate in PEM (the CA to trust).
func SelfSigned() (*tls.Config, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: "eventhubtest"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, nil, err
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, certPEM, nil
}

// StartTLS serves AMQP over TLS (amqps) on another free loopback port and
// returns its address. Clients use a connection string without
// UseDevelopmentEmulator and must trust the certificate.
func (e *Emulator) StartTLS(cfg *tls.Config) (string, error) {
	ln, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
	if err != nil {
		return "", err
	}
	if err := e.addExtra(ln); err != nil {
		ln.Close()
		return "", err
	}
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
	return ln.Addr().String(), nil
}

// StartWebSocket serves AMQP over WebSockets (wss://addr/$servicebus/websocket,
// subprotocol amqp) on another free loopback port and returns its address.
func (e *Emulator) StartWebSocket(cfg *tls.Config) (string, error) {
	ln, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
	if err != nil {
		return "", err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/$servicebus/websocket", func(w http.ResponseWriter, r *http.Request) {
		ws, err := websocket.Accept(w, r, &websocket.AcceptOptions{Subprotocols: []string{"amqp"}})
		if err != nil {
			return
		}
		if ws.Subprotocol() != "amqp" {
			ws.Close(websocket.StatusPolicyViolation, "subprotocol amqp required")
			return
		}
		ws.SetReadLimit(-1)
		e.serve(websocket.NetConn(context.Background(), ws, websocket.MessageBinary))
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	if err := e.addExtra(srv); err != nil {
		ln.Close()
		return "", err
	}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			e.logf("websocket server: %v", err)
		}
	}()
	return ln.Addr().String(), nil
}

func (e *Emulator) addExtra(c interface{ Close() error }) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return errors.New("eventhubtest: closed")
	}
	e.extra = append(e.extra, c)
	return nil
}

// ConnectionStringFor is a connection string for hub on addr (as returned by
// StartTLS or StartWebSocket): TLS, no UseDevelopmentEmulator.
func ConnectionStringFor(addr, hub string) string {
	return "Endpoint=sb://" + addr + "/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=emulator-key;EntityPath=" + hub
}
