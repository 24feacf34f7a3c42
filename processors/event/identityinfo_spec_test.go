package event

import (
	"path/filepath"
	"testing"

	"github.com/m365beat/m365beat/internal/golden"
)

// TestIdentityInfoDerivedExpectation checks the unscored IdentityInfo
// fixture lines (README T14) against the expectation derived in
// event-app-and-identity.md T5, field by field for the fields it lists.
func TestIdentityInfoDerivedExpectation(t *testing.T) {
	dir := golden.FixturesDir(t, "../..", "event")
	lines := golden.Lines(t, filepath.Join(dir, "test-app-and-identity-unscored.log"))
	if len(lines) != 2 {
		t.Fatalf("%d unscored lines, want 2", len(lines))
	}
	p := newTestRouter(bothOn)
	want := []map[string]any{{
		"event.kind": "asset", "event.category": []any{"iam"}, "event.type": []any{"info", "user"},
		"user.id": "c69b7aa7-2557-4000-aa2d-983d7bbf7e7b", "user.name": "jdoe", "user.domain": "ad.contoso.com",
		"user.full_name": "John Doe", "user.email": "jdoe@contoso.com",
		"related.hosts":                          []any{"ad.contoso.com"},
		"m365_defender.event.account.created":    "2017-01-11T17:39:42Z",
		"m365_defender.event.account.is_enabled": true,
		"m365_defender.event.type":               "User",
	}, {
		"event.kind": "asset", "user.name": "asmith",
		"m365_defender.event.account.city":    "Cloud City",
		"m365_defender.event.account.state":   "Iowa",
		"m365_defender.event.account.country": " United States",
		"m365_defender.event.account.tags":    []any{"new_account", "alert_on_me"},
	}}
	absent := []string{"host.ip", "host.name", "application.name", "m365_defender.event.account.sip_proxy_address", "error.message"}
	for i, line := range lines {
		got := golden.Flatten(golden.Canonical(t, render(p, line)))
		for k, v := range want[i] {
			if !golden.Equal(golden.Canonical(t, v), got[k]) {
				t.Errorf("line %d: %s = %v, want %v", i+1, k, got[k], v)
			}
		}
		for _, k := range absent {
			if _, ok := got[k]; ok {
				t.Errorf("line %d: %s present", i+1, k)
			}
		}
		rel, _ := got["related.user"].([]any)
		if len(rel) != 6 || rel[0] != got["user.id"] || rel[5] != got["user.name"] {
			t.Errorf("line %d: related.user = %v (want object id first, name last, 6 entries with e-mail = UPN de-duplicated)", i+1, rel)
		}
	}
}
