package eventhub

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/messaging/azeventhubs/v2"
	conf "github.com/elastic/elastic-agent-libs/config"
	"github.com/elastic/elastic-agent-libs/transport/tlscommon"

	"github.com/m365beat/m365beat/input/split"
)

// DefaultDataset is the data stream of the Defender streaming API tables.
const DefaultDataset = "m365_defender.event"

// config is one entry of m365beat.inputs of type eventhub.
type config struct {
	ID         string `config:"id"`
	DataStream struct {
		Namespace string `config:"namespace"`
	} `config:"data_stream"`

	// Event Hub access: a connection string, or Entra ID.
	ConnectionString  string `config:"connection_string"`
	TenantID          string `config:"tenant_id"`
	ClientID          string `config:"client_id"`
	ClientSecret      string `config:"client_secret"`
	AuthorityHost     string `config:"authority_host"`
	EventHubNamespace string `config:"eventhub_namespace"` // e.g. myns.servicebus.windows.net
	EventHub          string `config:"eventhub"`
	ConsumerGroup     string `config:"consumer_group"`

	// Checkpoint and ownership storage (a blob container).
	StorageAccount                 string `config:"storage_account"`
	StorageAccountKey              string `config:"storage_account_key"`
	StorageAccountConnectionString string `config:"storage_account_connection_string"`
	StorageAccountContainer        string `config:"storage_account_container"`
	StorageAccountEndpointSuffix   string `config:"storage_account_endpoint_suffix"`

	StartPosition           string        `config:"start_position"`
	LoadBalancing           string        `config:"load_balancing"`
	LoadBalancingInterval   time.Duration `config:"load_balancing_interval"`
	PartitionExpiration     time.Duration `config:"partition_expiration"`
	Transport               string        `config:"transport"`
	ProxyURL                string        `config:"proxy_url"`
	PartitionReceiveCount   int           `config:"partition_receive_count"`
	PartitionReceiveTimeout time.Duration `config:"partition_receive_timeout"`
	Prefetch                *int          `config:"prefetch"` // nil: derived from max_in_flight_messages
	MaxInFlightMessages     int           `config:"max_in_flight_messages"`
	CheckpointInterval      time.Duration `config:"checkpoint_interval"`
	SanitizeOptions         []string      `config:"sanitize_options"`

	// SSL configures TLS of the Event Hubs and storage connections (custom
	// certificate authorities, e.g. behind a TLS-inspecting proxy).
	SSL *tlscommon.Config `config:"ssl"`

	Streams []*conf.C `config:"streams"`
}

// streamConfig is the single entry of streams.
type streamConfig struct {
	DataStream struct {
		Dataset string `config:"dataset"`
	} `config:"data_stream"`
	Processors []*conf.C `config:"processors"`
}

func defaultConfig() config {
	return config{
		ConsumerGroup:                azeventhubs.DefaultConsumerGroup,
		StorageAccountContainer:      "m365beat-checkpoints",
		StorageAccountEndpointSuffix: "core.windows.net",
		StartPosition:                "earliest",
		LoadBalancing:                "greedy",
		LoadBalancingInterval:        10 * time.Second,
		PartitionExpiration:          2 * time.Minute,
		Transport:                    "amqp",
		PartitionReceiveCount:        100,
		PartitionReceiveTimeout:      time.Second,
		MaxInFlightMessages:          defaultMaxInFlight,
		CheckpointInterval:           5 * time.Second,
		SanitizeOptions:              []string{split.SanitizeNewLines, split.SanitizeSingleQuotes},
	}
}

const (
	// defaultMaxInFlight is the default max_in_flight_messages.
	defaultMaxInFlight = 100
	// maxPrefetch is the largest AMQP link credit the SDK accepts.
	maxPrefetch = 5000
	// autoPrefetchCap caps the derived prefetch (the SDK's default).
	autoPrefetchCap = 300
)

// prefetchFor is the per-partition prefetch (AMQP link credit) for a hub
// of the given partition count: prefetch when set, else the budget spread
// over the partitions (at most 300, at least 1), so that the messages
// buffered by the links of a lone instance owning every partition stay
// within max_in_flight_messages. 0 means disabled (credit issued per
// receive call only).
func (c *config) prefetchFor(partitions int) int {
	if c.Prefetch != nil {
		return *c.Prefetch
	}
	n := c.MaxInFlightMessages
	if partitions > 1 {
		n /= partitions
	}
	return max(1, min(n, autoPrefetchCap))
}

var containerName = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9]|-[a-z0-9]){2,62}$`)

// Validate checks the configuration; errors name the YAML key and never
// quote a secret.
func (c *config) Validate() error {
	if c.ConnectionString != "" {
		props, err := azeventhubs.ParseConnectionString(c.ConnectionString)
		if err != nil {
			return errors.New("connection_string: not a valid Event Hubs connection string (expected Endpoint=sb://...;SharedAccessKeyName=...;SharedAccessKey=...)")
		}
		if props.EntityPath != nil && c.EventHub != "" && *props.EntityPath != c.EventHub {
			return fmt.Errorf("eventhub: %q differs from the EntityPath of connection_string", c.EventHub)
		}
		if props.EntityPath == nil && c.EventHub == "" {
			return errors.New("eventhub: required (or EntityPath in connection_string)")
		}
	} else {
		for _, k := range []struct{ key, v string }{
			{"eventhub_namespace", c.EventHubNamespace},
			{"tenant_id", c.TenantID},
			{"client_id", c.ClientID},
			{"client_secret", c.ClientSecret},
			{"eventhub", c.EventHub},
		} {
			if k.v == "" {
				return fmt.Errorf("%s: required (set connection_string, or Entra ID with eventhub_namespace, tenant_id, client_id and client_secret)", k.key)
			}
		}
		if strings.Contains(c.EventHubNamespace, "/") {
			return fmt.Errorf("eventhub_namespace: %q must be a host name such as myns.servicebus.windows.net", c.EventHubNamespace)
		}
	}
	if c.ConsumerGroup == "" {
		return errors.New("consumer_group: must not be empty")
	}
	if c.StorageAccountKey != "" && c.StorageAccount == "" {
		return errors.New("storage_account: required with storage_account_key")
	}
	if c.StorageAccountConnectionString != "" && c.StorageAccount != "" {
		return errors.New("storage_account_connection_string: cannot be combined with storage_account")
	}
	if c.StorageAccount != "" && c.StorageAccountKey == "" && (c.TenantID == "" || c.ClientID == "" || c.ClientSecret == "") {
		return errors.New("storage_account_key: required with storage_account (or Entra ID: tenant_id, client_id, client_secret)")
	}
	if !containerName.MatchString(c.StorageAccountContainer) {
		return fmt.Errorf("storage_account_container: %q is not a valid blob container name (3-63 lower case letters, digits and single hyphens)", c.StorageAccountContainer)
	}
	switch c.StartPosition {
	case "earliest", "latest":
	default:
		return fmt.Errorf("start_position: %q must be earliest or latest", c.StartPosition)
	}
	switch c.LoadBalancing {
	case "balanced", "greedy":
	default:
		return fmt.Errorf("load_balancing: %q must be balanced or greedy", c.LoadBalancing)
	}
	switch c.Transport {
	case "amqp", "websocket":
	default:
		return fmt.Errorf("transport: %q must be amqp or websocket", c.Transport)
	}
	if c.ProxyURL != "" {
		u, err := url.Parse(c.ProxyURL)
		if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
			return errors.New("proxy_url: must be an http:// or https:// URL")
		}
		if c.Transport != "websocket" {
			return errors.New("proxy_url: requires transport: websocket (AMQP over TCP cannot go through an HTTP proxy)")
		}
	}
	if c.PartitionReceiveCount <= 0 {
		return errors.New("partition_receive_count: must be positive")
	}
	if c.PartitionReceiveTimeout <= 0 {
		return errors.New("partition_receive_timeout: must be positive")
	}
	if c.Prefetch != nil && (*c.Prefetch < 0 || *c.Prefetch > maxPrefetch) {
		return fmt.Errorf("prefetch: must be between 0 and %d", maxPrefetch)
	}
	if c.MaxInFlightMessages <= 0 {
		return errors.New("max_in_flight_messages: must be positive")
	}
	if c.CheckpointInterval <= 0 {
		return errors.New("checkpoint_interval: must be positive")
	}
	if c.LoadBalancingInterval <= 0 {
		return errors.New("load_balancing_interval: must be positive")
	}
	if c.PartitionExpiration <= c.LoadBalancingInterval {
		return errors.New("partition_expiration: must be longer than load_balancing_interval")
	}
	if _, err := split.ParseSanitizers(c.SanitizeOptions); err != nil {
		return fmt.Errorf("sanitize_options: %w", err)
	}
	if len(c.Streams) > 1 {
		return fmt.Errorf("streams: the eventhub input has a single stream, got %d", len(c.Streams))
	}
	return nil
}

// eventHubName is the hub from eventhub or the connection string.
func (c *config) eventHubName() string {
	if c.EventHub != "" {
		return c.EventHub
	}
	if props, err := azeventhubs.ParseConnectionString(c.ConnectionString); err == nil && props.EntityPath != nil {
		return *props.EntityPath
	}
	return ""
}

// hasStorage reports whether a blob container is configured.
func (c *config) hasStorage() bool {
	return c.StorageAccount != "" || c.StorageAccountConnectionString != ""
}

// stream reads the single stream (defaults when streams is empty).
func (c *config) stream() (streamConfig, *conf.C, error) {
	var s streamConfig
	s.DataStream.Dataset = DefaultDataset
	if len(c.Streams) == 0 {
		return s, conf.NewConfig(), nil
	}
	if err := c.Streams[0].Unpack(&s); err != nil {
		return s, nil, fmt.Errorf("streams.0: %w", err)
	}
	if s.DataStream.Dataset == "" {
		s.DataStream.Dataset = DefaultDataset
	}
	return s, c.Streams[0], nil
}
