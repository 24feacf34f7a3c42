package graphapi

import (
	"strings"
	"testing"

	"github.com/m365beat/m365beat/internal/graphtest"
)

func TestTester(t *testing.T) {
	srv := graphtest.New(graphtest.Options{})
	defer srv.Close()
	srv.Deny("incidents", true)
	cfg := fakeConfig(srv, map[string]any{"resource": "alerts"}, map[string]any{"resource": "incidents"})
	results := map[string]error{}
	err := newTestInput(t, cfg).Test(t.Context(), func(check string, err error) { results[check] = err })
	if err == nil {
		t.Fatal("Test passed with incidents denied")
	}
	if len(results) != 3 {
		t.Fatalf("checks %v, want token + 2 streams", results)
	}
	for check, err := range results {
		switch {
		case strings.HasPrefix(check, "list incidents"):
			if err == nil || !strings.Contains(err.Error(), "SecurityIncident.Read.All") {
				t.Errorf("%s: %v, want the missing permission named", check, err)
			}
		default:
			if err != nil {
				t.Errorf("%s: %v", check, err)
			}
		}
	}

	cfg["client_secret"] = "wrong-secret-value"
	var msgs []string
	err = newTestInput(t, cfg).Test(t.Context(), func(check string, err error) { msgs = append(msgs, errString(err)) })
	all := strings.Join(msgs, "\n")
	if err == nil || !strings.Contains(all, "client_secret is wrong") || strings.Contains(all, "wrong-secret-value") {
		t.Errorf("wrong secret: %s", all)
	}

	cfg["client_secret"] = srv.Options().ClientSecret
	cfg["tenant_id"] = "00000000-0000-0000-0000-000000000000"
	msgs = nil
	_ = newTestInput(t, cfg).Test(t.Context(), func(check string, err error) { msgs = append(msgs, errString(err)) })
	if all := strings.Join(msgs, "\n"); !strings.Contains(all, "tenant_id") {
		t.Errorf("wrong tenant: %s", all)
	}

	// Wrong cloud: the token is asked for another Graph's scope.
	cfg["tenant_id"] = srv.Options().TenantID
	cfg["graph_url"] = "https://graph.microsoft.us"
	msgs = nil
	_ = newTestInput(t, cfg).Test(t.Context(), func(check string, err error) { msgs = append(msgs, errString(err)) })
	if all := strings.Join(msgs, "\n"); !strings.Contains(all, "check cloud and graph_url") {
		t.Errorf("wrong cloud: %s", all)
	}

	// Unreachable proxy.
	cfg["graph_url"] = srv.GraphURL()
	cfg["proxy_url"] = "http://127.0.0.1:1"
	msgs = nil
	_ = newTestInput(t, cfg).Test(t.Context(), func(check string, err error) { msgs = append(msgs, errString(err)) })
	if all := strings.Join(msgs, "\n"); !strings.Contains(all, "proxy_url") {
		t.Errorf("unreachable proxy: %s", all)
	}
}
