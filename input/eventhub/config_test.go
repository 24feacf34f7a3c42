package eventhub

import (
	"strings"
	"testing"

	conf "github.com/elastic/elastic-agent-libs/config"
	"github.com/elastic/elastic-agent-libs/logp/logptest"
)

const testCS = "Endpoint=sb://myns.servicebus.windows.net/;SharedAccessKeyName=listen;SharedAccessKey=c2VjcmV0LWtleS12YWx1ZQ==;EntityPath=hub"

func TestConfigErrorsNameTheKey(t *testing.T) {
	cases := []struct {
		name string
		cfg  map[string]any
		key  string // the error must start with it
	}{
		{"no credentials", map[string]any{"eventhub": "hub"}, "eventhub_namespace:"},
		{"entra without secret", map[string]any{"eventhub": "hub", "eventhub_namespace": "ns.servicebus.windows.net", "tenant_id": "t", "client_id": "c"}, "client_secret:"},
		{"bad connection string", map[string]any{"connection_string": "nope"}, "connection_string:"},
		{"hub mismatch", map[string]any{"connection_string": testCS, "eventhub": "other"}, "eventhub:"},
		{"key without account", map[string]any{"connection_string": testCS, "storage_account_key": "k"}, "storage_account:"},
		{"account without key", map[string]any{"connection_string": testCS, "storage_account": "acct"}, "storage_account_key:"},
		{"container name", map[string]any{"connection_string": testCS, "storage_account_container": "Bad_Name"}, "storage_account_container:"},
		{"start position", map[string]any{"connection_string": testCS, "start_position": "middle"}, "start_position:"},
		{"load balancing", map[string]any{"connection_string": testCS, "load_balancing": "random"}, "load_balancing:"},
		{"transport", map[string]any{"connection_string": testCS, "transport": "http"}, "transport:"},
		{"proxy without websocket", map[string]any{"connection_string": testCS, "proxy_url": "http://proxy:3128"}, "proxy_url:"},
		{"proxy url", map[string]any{"connection_string": testCS, "transport": "websocket", "proxy_url": "::"}, "proxy_url:"},
		{"receive count", map[string]any{"connection_string": testCS, "partition_receive_count": 0}, "partition_receive_count:"},
		{"receive timeout", map[string]any{"connection_string": testCS, "partition_receive_timeout": "0s"}, "partition_receive_timeout:"},
		{"checkpoint interval", map[string]any{"connection_string": testCS, "checkpoint_interval": "-1s"}, "checkpoint_interval:"},
		{"prefetch", map[string]any{"connection_string": testCS, "prefetch": 10000}, "prefetch:"},
		{"in-flight budget", map[string]any{"connection_string": testCS, "max_in_flight_messages": 0}, "max_in_flight_messages:"},
		{"sanitizer", map[string]any{"connection_string": testCS, "sanitize_options": []string{"bogus"}}, "sanitize_options:"},
		{"expiration", map[string]any{"connection_string": testCS, "partition_expiration": "1s"}, "partition_expiration:"},
		{"two streams", map[string]any{"connection_string": testCS, "streams": []any{map[string]any{}, map[string]any{}}}, "streams:"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := New(conf.MustNewConfigFrom(c.cfg), logptest.NewTestingLogger(t, ""))
			if err == nil {
				t.Fatal("want an error")
			}
			if !strings.Contains(err.Error(), c.key) {
				t.Fatalf("error %q does not name %s", err, c.key)
			}
			if strings.Contains(err.Error(), "c2VjcmV0") {
				t.Fatalf("error leaks the key: %q", err)
			}
		})
	}
}

func TestConfigDefaults(t *testing.T) {
	in, err := New(conf.MustNewConfigFrom(map[string]any{
		"type": "eventhub", "id": "x", "connection_string": testCS,
		"data_stream.namespace": "prod",
		"streams": []any{map[string]any{
			"preserve_original_event": true,
			"processors":              []any{map[string]any{"drop_fields.fields": []string{"a"}}},
		}},
	}), logptest.NewTestingLogger(t, ""))
	if err != nil {
		t.Fatal(err)
	}
	eh := in.(*eventHubInput)
	if eh.hub != "hub" || eh.cfg.ConsumerGroup != "$Default" || eh.cfg.CheckpointInterval.Seconds() != 5 ||
		eh.cfg.StartPosition != "earliest" || eh.cfg.LoadBalancing != "greedy" || eh.cfg.Transport != "amqp" ||
		eh.cfg.MaxInFlightMessages != 100 || eh.cfg.Prefetch != nil {
		c := eh.cfg // the values checked, not the connection string
		t.Fatalf("defaults: hub %q consumer_group %q checkpoint_interval %v start_position %q load_balancing %q transport %q max_in_flight_messages %d prefetch %v",
			eh.hub, c.ConsumerGroup, c.CheckpointInterval, c.StartPosition, c.LoadBalancing, c.Transport, c.MaxInFlightMessages, c.Prefetch)
	}
	if eh.stream.Dataset != DefaultDataset || eh.stream.Namespace != "prod" || len(eh.stream.Processors) != 1 {
		t.Fatalf("stream: %+v", eh.stream)
	}
	var opts struct {
		Preserve bool `config:"preserve_original_event"`
	}
	if err := eh.stream.Options.Unpack(&opts); err != nil || !opts.Preserve {
		t.Fatalf("stream options not passed: %v %+v", err, opts)
	}
	if !eh.sanitizers.NewLines || !eh.sanitizers.SingleQuotes {
		t.Fatalf("sanitizers: %+v", eh.sanitizers)
	}
}
