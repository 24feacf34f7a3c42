package graphapi

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/elastic/elastic-agent-libs/logp/logptest"
	"github.com/elastic/elastic-agent-libs/monitoring"

	"github.com/m365beat/m365beat/input"
	"github.com/m365beat/m365beat/internal/defendertest"
	"github.com/m365beat/m365beat/internal/inputtest"
)

// TestVulnNoSecretsInLogsOrErrors: SAS signatures, the client secret and
// tokens appear in no log line and no error document, whatever fails.
func TestVulnNoSecretsInLogsOrErrors(t *testing.T) {
	srv := defendertest.New()
	defer srv.Close()
	srv.Files = []defendertest.File{{Records: records(0, 3)}, {Records: records(3, 5)}, {Generate: defendertest.Generated(2000, 1)[0].Generate}}
	srv.FailAt = map[int]bool{1: true}
	srv.ExpireAt = map[int]bool{3: true, 4: true}
	srv.TruncateDownloads = 1
	srv.TruncateAt = 5000
	srv.DeltaStatus = 500
	in := newTestInput(t, vulnTestConfig(srv, map[string]any{"max_retries": 1, "delta.interval": "10ms"}))
	log, logs := logptest.NewTestingLoggerWithObserver(t, "vuln")
	p := &inputtest.Pipeline{AutoACK: true}
	ctx, cancel := context.WithCancel(context.Background())
	ictx := input.Context{ID: "contoso", Cancel: ctx, Logger: log, Pipeline: p, Store: inputtest.NewStore(), Metrics: monitoring.NewRegistry()}
	done := make(chan error, 1)
	go func() { done <- in.Run(ictx) }()
	waitFor(t, "an error document", 10*time.Second, func() bool { return len(errorDocs(p.Events())) >= 1 })
	time.Sleep(200 * time.Millisecond)
	cancel()
	<-done
	var all []string
	for _, e := range logs.All() {
		all = append(all, fmt.Sprint(e.Message, e.ContextMap()))
	}
	all = append(all, errorDocs(p.Events())...)
	if len(all) < 3 {
		t.Fatalf("too few log lines to check: %q", all)
	}
	for _, line := range all {
		for _, secret := range []string{defendertest.Signature, "sig=", defendertest.ClientSecret, "defender-token-"} {
			if strings.Contains(line, secret) {
				t.Errorf("%q leaked: %s", secret, line)
			}
		}
	}
}
