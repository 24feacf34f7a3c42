package eventhub

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/m365beat/m365beat/internal/eventhubtest"
	"github.com/m365beat/m365beat/internal/inputtest"
)

// TestEntraID reads with a client secret: the token comes from a local
// authority (authority_host), the namespace is reached over amqps.
func TestEntraID(t *testing.T) {
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

	var tokens atomic.Int64
	var base string
	idp := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case strings.HasSuffix(r.URL.Path, "/.well-known/openid-configuration"):
			json.NewEncoder(w).Encode(map[string]any{
				"token_endpoint":         base + "/tenant-1/oauth2/v2.0/token",
				"authorization_endpoint": base + "/tenant-1/oauth2/v2.0/authorize",
				"issuer":                 base + "/tenant-1/v2.0",
			})
		case strings.HasSuffix(r.URL.Path, "/oauth2/v2.0/token"):
			r.ParseForm()
			if r.PostForm.Get("client_secret") != "s3cret" || r.PostForm.Get("client_id") != "client-1" {
				w.WriteHeader(http.StatusUnauthorized)
				json.NewEncoder(w).Encode(map[string]any{"error": "invalid_client"})
				return
			}
			tokens.Add(1)
			json.NewEncoder(w).Encode(map[string]any{"access_token": "token-value", "token_type": "Bearer", "expires_in": 3600})
		default:
			http.NotFound(w, r)
		}
	}))
	idp.TLS = srvTLS
	idp.StartTLS()
	defer idp.Close()
	base = idp.URL

	e.publishRecords(200, 10)
	pipe := &inputtest.Pipeline{AutoACK: true}
	r := e.run(e.config(map[string]any{
		"connection_string":           "",
		"eventhub_namespace":          amqpsAddr,
		"eventhub":                    testHub,
		"tenant_id":                   "tenant-1",
		"client_id":                   "client-1",
		"client_secret":               "s3cret",
		"authority_host":              idp.URL + "/",
		"ssl.certificate_authorities": []string{ca},
		"load_balancing":              "greedy",
	}), pipe)
	pipe.WaitEvents(t, 200, 30*time.Second)
	r.stop(t)
	if tokens.Load() == 0 {
		t.Fatal("no token was requested from the authority")
	}
}
