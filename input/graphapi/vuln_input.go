package graphapi

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/elastic/elastic-agent-libs/logp"
	"github.com/elastic/elastic-agent-libs/monitoring"

	"github.com/m365beat/m365beat/input"
	"github.com/m365beat/m365beat/processors"
)

// maxVulnLine caps one export record (a sanity limit, §2.2).
const maxVulnLine = 16 << 20

// maxVulnBackoff caps the wait between retries (§2.4: 60 s).
const maxVulnBackoff = 60 * time.Second

// startVuln starts a vulnerabilities stream (streams.i) in its own
// goroutine, counted in wg. A disabled stream is logged and not started.
// The stream's client is closed when ctx.Cancel ends, so a Publish blocked
// on a full queue returns.
func (in *graphInput) startVuln(ctx input.Context, i int, name string, sc streamConfig, log *logp.Logger, reg *monitoring.Registry, wg *sync.WaitGroup) error {
	slog := log.With("stream", name, "data_stream.dataset", sc.DataStream.Dataset)
	if !sc.Vuln.enabled() {
		slog.Infow("The vulnerabilities stream is disabled (set enabled: true to collect it).")
		return nil
	}
	s := in.newVulnStream(sc, slog, reg.GetOrCreateRegistry(name))
	s.store = ctx.Store
	s.key = "graphapi::" + in.cfg.ID + "::" + in.cfg.TenantID + "::" + sc.Resource + "::" + sc.DataStream.Dataset
	s.load()
	client, err := ctx.Pipeline.Connect(input.Stream{
		Dataset:    sc.DataStream.Dataset,
		Namespace:  in.cfg.DataStream.Namespace,
		Processor:  processors.Vulnerability, // also for a custom data_stream.dataset
		Processors: sc.Processors,
		Options:    sc.raw,
	}, s.onACK)
	if err != nil {
		return fmt.Errorf("streams.%d: connecting to the pipeline: %w", i, err)
	}
	s.client = client
	stopped := make(chan struct{})
	go func() {
		select {
		case <-ctx.Cancel.Done():
			_ = client.Close()
		case <-stopped:
		}
	}()
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(stopped)
		defer client.Close()
		s.run(ctx.Cancel)
	}()
	return nil
}

// newVulnStream builds the stream with the input's credentials and HTTP
// transport and the Defender for Endpoint token scope.
func (in *graphInput) newVulnStream(sc streamConfig, log *logp.Logger, reg *monitoring.Registry) *vulnStream {
	api, scopes := in.cfg.defenderEndpoints(&sc.Vuln)
	base := in.graph.tok
	tok := &tokens{
		tokenURL: base.tokenURL, clientID: base.clientID, secret: base.secret, cert: base.cert,
		client: base.client, scope: strings.Join(scopes, " "), now: base.now,
	}
	hc := in.graph.http
	s := &vulnStream{
		cfg: sc, api: api, tok: tok, http: hc,
		dl:  &http.Client{Transport: hc.Transport},
		log: log, m: newVulnMetrics(reg), now: in.now,
		maxRetries:  *sc.Vuln.MaxRetries,
		backoffInit: in.cfg.Backoff.Init, backoffMax: min(in.cfg.Backoff.Max, maxVulnBackoff),
		maxLine:     maxVulnLine,
		maxInFlight: sc.Vuln.MaxInFlight,
	}
	s.cond = sync.NewCond(&s.mu)
	return s
}

// testVuln checks a vulnerabilities stream for `m365beat test inputs`: a
// token for the Defender for Endpoint API, then one change record.
func (in *graphInput) testVuln(ctx context.Context, sc streamConfig, report func(check string, err error)) error {
	s := in.newVulnStream(sc, in.log, monitoring.NewRegistry())
	s.maxRetries = 0
	_, err := s.tok.token(ctx, true)
	report("token for the Defender for Endpoint API (scope "+s.tok.scope+")", err)
	if err != nil {
		return err
	}
	q := url.Values{"sinceTime": {in.now().Add(-time.Hour).UTC().Format(time.RFC3339)}, "$top": {"1"}}
	_, err = s.apiGet(ctx, "delta", s.api+"/api/machines/SoftwareVulnerabilityChangesByMachine?"+q.Encode())
	report("list vulnerability changes at "+s.api+" ($top=1)", err)
	return err
}
