// Package eventhub is the eventhub input: it reads Microsoft 365 Defender
// streaming API events from Azure Event Hubs with the azeventhubs/v2
// Processor (partitions balanced between instances through a blob
// container that also holds the checkpoints), splits each message body into
// records and publishes one event per record. Checkpoints move only after
// the output acknowledged every record of a message.
package eventhub

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/messaging/azeventhubs/v2"
	"github.com/coder/websocket"
	conf "github.com/elastic/elastic-agent-libs/config"
	"github.com/elastic/elastic-agent-libs/logp"
	"github.com/elastic/elastic-agent-libs/transport/tlscommon"

	"github.com/m365beat/m365beat/input"
	"github.com/m365beat/m365beat/input/split"
)

// Type is the input type name.
const Type = "eventhub"

func init() {
	input.Register(Type, New)
}

type eventHubInput struct {
	cfg        config
	log        *logp.Logger
	stream     input.Stream
	sanitizers split.Sanitizers
	hub        string
	tls        *tlscommon.TLSConfig // nil: system defaults
	memStore   *memoryStore         // checkpoints when no storage is configured
	budget     *budget              // max_in_flight_messages, shared by the partitions
	positions  positions            // last acknowledged message per partition (positions.go)
}

var _ input.Tester = (*eventHubInput)(nil)

// New builds an eventhub input from one entry of m365beat.inputs.
func New(c *conf.C, log *logp.Logger) (input.Input, error) {
	cfg := defaultConfig()
	if err := c.Unpack(&cfg); err != nil {
		return nil, err
	}
	sc, raw, err := cfg.stream()
	if err != nil {
		return nil, err
	}
	san, _ := split.ParseSanitizers(cfg.SanitizeOptions) // validated
	var tlsCfg *tlscommon.TLSConfig
	if cfg.SSL.IsEnabled() {
		if tlsCfg, err = tlscommon.LoadTLSConfig(cfg.SSL, log); err != nil {
			return nil, fmt.Errorf("ssl: %w", err)
		}
	}
	ns := cfg.DataStream.Namespace
	if ns == "" {
		ns = "default"
	}
	return &eventHubInput{
		cfg: cfg,
		log: log,
		stream: input.Stream{
			Dataset:    sc.DataStream.Dataset,
			Namespace:  ns,
			Processors: sc.Processors,
			Options:    raw,
		},
		sanitizers: san,
		hub:        cfg.eventHubName(),
		tls:        tlsCfg,
		budget:     newBudget(cfg.MaxInFlightMessages),
	}, nil
}

func (in *eventHubInput) credential() (azcore.TokenCredential, error) {
	opts := &azidentity.ClientSecretCredentialOptions{}
	if in.cfg.AuthorityHost != "" {
		opts.Cloud.ActiveDirectoryAuthorityHost = in.cfg.AuthorityHost
		// A custom authority (sovereign or disconnected cloud) is trusted
		// as configured.
		opts.DisableInstanceDiscovery = true
	}
	if in.cfg.ProxyURL != "" || in.tls != nil {
		tr := &http.Transport{Proxy: http.ProxyFromEnvironment}
		if in.cfg.ProxyURL != "" {
			u, _ := url.Parse(in.cfg.ProxyURL) // validated
			tr.Proxy = http.ProxyURL(u)
		}
		if in.tls != nil {
			host := "login.microsoftonline.com"
			if u, err := url.Parse(in.cfg.AuthorityHost); err == nil && u.Host != "" {
				host = u.Host
			}
			tr.TLSClientConfig = in.tls.BuildModuleClientConfig(hostOnly(host))
		}
		opts.ClientOptions.Transport = &http.Client{Transport: tr}
	}
	cred, err := azidentity.NewClientSecretCredential(in.cfg.TenantID, in.cfg.ClientID, in.cfg.ClientSecret, opts)
	if err != nil {
		return nil, fmt.Errorf("tenant_id/client_id/client_secret: %s", redact(err))
	}
	return cred, nil
}

// consumerClient connects to the hub (lazily: the first call connects).
func (in *eventHubInput) consumerClient() (*azeventhubs.ConsumerClient, error) {
	opts := &azeventhubs.ConsumerClientOptions{}
	var tlsConfig *tls.Config
	if in.tls != nil {
		tlsConfig = in.tls.BuildModuleClientConfig(hostOnly(in.namespaceHost()))
		opts.TLSConfig = tlsConfig
	}
	if in.cfg.Transport == "websocket" {
		var hc *http.Client
		if in.cfg.ProxyURL != "" || tlsConfig != nil {
			tr := &http.Transport{TLSClientConfig: tlsConfig, Proxy: http.ProxyFromEnvironment}
			if in.cfg.ProxyURL != "" {
				u, _ := url.Parse(in.cfg.ProxyURL) // validated
				tr.Proxy = http.ProxyURL(u)
			}
			hc = &http.Client{Transport: tr}
		}
		opts.NewWebSocketConn = func(ctx context.Context, args azeventhubs.WebSocketConnParams) (net.Conn, error) {
			ws, _, err := websocket.Dial(ctx, args.Host, &websocket.DialOptions{Subprotocols: []string{"amqp"}, HTTPClient: hc})
			if err != nil {
				return nil, err
			}
			return websocket.NetConn(context.Background(), ws, websocket.MessageBinary), nil
		}
	}
	if in.cfg.ConnectionString != "" {
		hub := in.cfg.EventHub
		if props, err := azeventhubs.ParseConnectionString(in.cfg.ConnectionString); err == nil && props.EntityPath != nil {
			hub = "" // the connection string names it
		}
		cc, err := azeventhubs.NewConsumerClientFromConnectionString(in.cfg.ConnectionString, hub, in.cfg.ConsumerGroup, opts)
		if err != nil {
			return nil, fmt.Errorf("connection_string: %s", redact(err))
		}
		return cc, nil
	}
	cred, err := in.credential()
	if err != nil {
		return nil, err
	}
	return azeventhubs.NewConsumerClient(in.cfg.EventHubNamespace, in.cfg.EventHub, in.cfg.ConsumerGroup, cred, opts)
}

// Run reads the hub until ctx.Cancel is done. Failures of the Processor
// (hub unreachable, storage errors) are logged and retried with backoff.
func (in *eventHubInput) Run(ctx input.Context) error {
	log := ctx.Logger
	if log == nil {
		log = in.log
	}
	in.log = log
	m := newMetrics(ctx.Metrics, log)
	backoff := time.Second
	for {
		started := time.Now()
		err := in.runProcessor(ctx, m)
		if ctx.Cancel.Err() != nil {
			return nil
		}
		if err != nil {
			log.Errorw("Event Hub processor stopped; retrying", "error", err, "retry_in", backoff)
		}
		if time.Since(started) > time.Minute {
			backoff = time.Second
		}
		select {
		case <-ctx.Cancel.Done():
			return nil
		case <-time.After(backoff):
		}
		if backoff < time.Minute {
			backoff *= 2
		}
	}
}

// runProcessor runs one Processor and its partitions until it stops.
func (in *eventHubInput) runProcessor(ctx input.Context, m *metrics) error {
	store, err := in.checkpointStore(ctx.Cancel, m)
	if err != nil {
		return err
	}
	cc, err := in.consumerClient()
	if err != nil {
		return err
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = cc.Close(cctx)
	}()

	start := azeventhubs.StartPosition{Earliest: to(true)}
	if in.cfg.StartPosition == "latest" {
		start = azeventhubs.StartPosition{Latest: to(true)}
	}
	strategy := azeventhubs.ProcessorStrategyBalanced
	if in.cfg.LoadBalancing == "greedy" {
		strategy = azeventhubs.ProcessorStrategyGreedy
	}
	// The prefetch (AMQP link credit per partition) is what holds
	// messages in the SDK before they are asked for: derived from the
	// budget and the hub's partition count, so that a lone instance owning
	// every partition buffers no more than max_in_flight_messages.
	props, err := cc.GetEventHubProperties(ctx.Cancel, nil)
	if err != nil {
		return fmt.Errorf("reading the event hub's partitions: %s", redact(err))
	}
	// A restart (not the first start): what was acknowledged while no
	// checkpoint could be written is not read again.
	in.positions.advance(ctx.Cancel, store, in.namespaceHost(), props.Name, in.cfg.ConsumerGroup, in.log)
	prefetch := int32(in.cfg.prefetchFor(len(props.PartitionIDs)))
	if prefetch == 0 {
		prefetch = -1 // disabled
	}
	in.log.Debugw("Starting the Event Hub processor", "partitions", len(props.PartitionIDs), "prefetch", prefetch,
		"max_in_flight_messages", in.cfg.MaxInFlightMessages, "load_balancing", in.cfg.LoadBalancing)
	proc, err := azeventhubs.NewProcessor(cc, store, &azeventhubs.ProcessorOptions{
		LoadBalancingStrategy:       strategy,
		UpdateInterval:              in.cfg.LoadBalancingInterval,
		PartitionExpirationDuration: in.cfg.PartitionExpiration,
		// A partition without a checkpoint in the store starts after the
		// last position this input saw acknowledged, else at start_position.
		StartPositions: azeventhubs.StartPositions{Default: start, PerPartition: in.positions.startPositions()},
		Prefetch:       prefetch,
	})
	if err != nil {
		return err
	}

	runCtx, stop := context.WithCancel(ctx.Cancel)
	defer stop()
	procErr := make(chan error, 1)
	go func() {
		procErr <- proc.Run(runCtx)
		stop()
	}()

	var wg sync.WaitGroup
	for {
		pc := proc.NextPartitionClient(runCtx)
		if pc == nil {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			in.runPartition(runCtx, ctx, pc, m)
		}()
	}
	stop()
	wg.Wait()
	return <-procErr
}

// Test implements input.Tester: it connects to the hub, reads its
// properties and checks that the checkpoint container is writable.
func (in *eventHubInput) Test(ctx context.Context, report func(check string, err error)) error {
	var failed error
	check := func(name string, err error) {
		report(name, err)
		if err != nil && failed == nil {
			failed = fmt.Errorf("%s: %w", name, err)
		}
	}
	cc, err := in.consumerClient()
	if err == nil {
		defer cc.Close(context.Background())
		var props azeventhubs.EventHubProperties
		props, err = cc.GetEventHubProperties(ctx, nil)
		if err == nil && len(props.PartitionIDs) == 0 {
			err = errors.New("the event hub has no partitions")
		}
	}
	check(fmt.Sprintf("event hub %q properties", in.hub), err)

	if !in.cfg.hasStorage() {
		report("checkpoint storage: none configured, checkpoints would be kept in memory only", nil)
		return failed
	}
	name := fmt.Sprintf("checkpoint container %q reachable and writable", in.cfg.StorageAccountContainer)
	cont, err := in.containerClient()
	if err == nil {
		err = ensureContainer(ctx, cont)
	}
	if err == nil {
		blob := cont.NewBlockBlobClient(fmt.Sprintf("m365beat-test/%d", time.Now().UnixNano()))
		if _, err = blob.UploadBuffer(ctx, []byte("m365beat test inputs"), nil); err == nil {
			_, err = blob.Delete(ctx, nil)
		}
	}
	if err != nil {
		err = errors.New(redact(err))
	}
	check(name, err)
	return failed
}

func to[T any](v T) *T { return &v }

// namespaceHost is the Event Hubs namespace host (with a port when the
// connection string has one).
func (in *eventHubInput) namespaceHost() string {
	if in.cfg.ConnectionString != "" {
		if props, err := azeventhubs.ParseConnectionString(in.cfg.ConnectionString); err == nil {
			return props.FullyQualifiedNamespace
		}
	}
	return in.cfg.EventHubNamespace
}

func hostOnly(hostport string) string {
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		return h
	}
	return hostport
}
