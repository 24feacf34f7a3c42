package graphapi

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	conf "github.com/elastic/elastic-agent-libs/config"
	"github.com/elastic/elastic-agent-libs/logp"
	"github.com/elastic/elastic-agent-libs/monitoring"

	"github.com/m365beat/m365beat/input"
	"github.com/m365beat/m365beat/processors"
)

// Type is the input type name.
const Type = "graphapi"

func init() {
	input.Register(Type, New)
}

// graphInput is one configured graphapi input (one tenant).
type graphInput struct {
	cfg   config
	log   *logp.Logger
	graph *graph
	base  string
	now   func() time.Time
}

// New is the input.Factory of graphapi.
func New(cfg *conf.C, log *logp.Logger) (input.Input, error) {
	c, err := readConfig(cfg)
	if err != nil {
		return nil, err
	}
	return newInput(c, log)
}

func newInput(c config, log *logp.Logger) (*graphInput, error) {
	login, graphURL := c.endpoints()
	for key, v := range map[string]string{"login_url": login, "graph_url": graphURL} {
		if u, err := url.Parse(v); err == nil && u.Scheme == "http" {
			log.Warnw(fmt.Sprintf("%s uses plain http: tokens and data travel unencrypted. Use this only with a local fake.", key), key, v)
		}
	}
	rt, err := c.Transport.RoundTripper()
	if err != nil {
		return nil, fmt.Errorf("ssl/proxy_url: %w", err)
	}
	hc := &http.Client{Transport: rt, Timeout: c.Transport.Timeout}
	tok, err := newTokens(&c, hc)
	if err != nil {
		return nil, err
	}
	g := &graph{http: hc, tok: tok, prefer: c.IncludeUnknownEnumMembers, log: log}
	g.backoff.init, g.backoff.max = c.Backoff.Init, c.Backoff.Max
	return &graphInput{cfg: c, log: log, graph: g, base: graphURL, now: time.Now}, nil
}

// stateKey is the input.Store key of a stream's cursor.
func (in *graphInput) stateKey(s streamConfig) string {
	return "graphapi::" + in.cfg.ID + "::" + in.cfg.TenantID + "::" + s.Resource + "::" + s.DataStream.Dataset
}

// pipelineStream is what a stream's client is connected with: its data
// stream and the m365_defender processor of its resource (so a custom
// data_stream.dataset keeps the right mapping).
func (in *graphInput) pipelineStream(sc streamConfig) input.Stream {
	proc := processors.Alert
	if sc.Resource == resourceIncidents {
		proc = processors.Incident
	}
	return input.Stream{
		Dataset:    sc.DataStream.Dataset,
		Namespace:  in.cfg.DataStream.Namespace,
		Processor:  proc,
		Processors: sc.Processors,
		Options:    sc.raw,
	}
}

// Run implements input.Input.
func (in *graphInput) Run(ctx input.Context) error {
	log := ctx.Logger
	if log == nil {
		log = in.log
	}
	reg := ctx.Metrics
	if reg == nil {
		reg = monitoring.NewRegistry()
	}
	names := map[string]int{}
	for _, sc := range in.cfg.Streams {
		names[sc.Resource]++
	}
	var streams []*stream
	var closeOnce sync.Once
	closeAll := func() {
		closeOnce.Do(func() {
			for _, s := range streams {
				_ = s.client.Close()
			}
		})
	}
	defer closeAll()
	var wg sync.WaitGroup
	for i, sc := range in.cfg.Streams {
		name := sc.Resource
		if names[name] > 1 {
			name += "_" + strconv.Itoa(i)
		}
		if sc.Resource == resourceVulnerabilities { // vuln_input.go
			if err := in.startVuln(ctx, i, name, sc, log, reg, &wg); err != nil {
				return err
			}
			continue
		}
		slog := log.With("stream", name, "data_stream.dataset", sc.DataStream.Dataset)
		g := *in.graph
		g.log = slog
		s := &stream{
			cfg: sc, g: &g, base: in.base,
			overlap: in.cfg.Overlap, lookbk: in.cfg.InitialLookback, dedupN: in.cfg.DedupSize,
			log: slog, m: newMetrics(reg.GetOrCreateRegistry(name)),
			store: ctx.Store, key: in.stateKey(sc), now: in.now,
		}
		if err := s.load(); err != nil {
			slog.Errorw("Cannot read the stream's saved cursor; starting from initial_lookback.", "error", err)
			s.published, s.acked = seenSet{}, seenSet{}
		}
		client, err := ctx.Pipeline.Connect(in.pipelineStream(sc), s.onACK)
		if err != nil {
			return fmt.Errorf("streams.%d: connecting to the pipeline: %w", i, err)
		}
		s.client = client
		streams = append(streams, s)
	}
	// Closing the clients on stop unblocks a Publish waiting for queue
	// space; what was not acknowledged is read again on the next start.
	stopped := make(chan struct{})
	defer close(stopped)
	go func() {
		select {
		case <-ctx.Cancel.Done():
			closeAll()
		case <-stopped:
		}
	}()
	for _, s := range streams {
		wg.Add(1)
		go func(s *stream) {
			defer wg.Done()
			s.run(ctx.Cancel)
		}(s)
	}
	wg.Wait()
	return nil
}

// Test implements input.Tester: it gets a token and lists one item of
// each stream, reporting each check with what to fix.
func (in *graphInput) Test(ctx context.Context, report func(check string, err error)) error {
	login, _ := in.cfg.endpoints()
	_, err := in.graph.tok.token(ctx, true)
	err = explainToken(err, in.cfg)
	report("token from "+login+" for tenant "+in.cfg.TenantID, err)
	if err != nil {
		return err
	}
	var first error
	for _, sc := range in.cfg.Streams {
		if sc.Resource == resourceVulnerabilities { // vuln_input.go
			if err := in.testVuln(ctx, sc, report); err != nil && first == nil {
				first = err
			}
			continue
		}
		s := &stream{cfg: sc, base: in.base}
		s.cfg.BatchSize = 1
		u := s.listURL(in.now().Add(-in.cfg.InitialLookback), sc.Resource == resourceIncidents && sc.includeAlerts())
		err := in.testGet(ctx, u)
		err = explainGraph(err, sc, in.cfg)
		report(fmt.Sprintf("list %s ($top=1)", sc.Resource), err)
		if err != nil && first == nil {
			first = err
		}
	}
	return first
}

// testGet makes one request without the retry loop.
func (in *graphInput) testGet(ctx context.Context, u string) error {
	tok, err := in.graph.tok.token(ctx, false)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := in.graph.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64*1024))
	if resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusPartialContent {
		return nil
	}
	return graphErr(resp.StatusCode, body)
}
