package cmd

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"gopkg.in/yaml.v2"

	"github.com/elastic/beats/v7/libbeat/beat"
	"github.com/elastic/beats/v7/libbeat/cmd/instance"
	conf "github.com/elastic/elastic-agent-libs/config"
	"github.com/elastic/elastic-agent-libs/monitoring"

	"github.com/m365beat/m365beat/beater"
	"github.com/m365beat/m365beat/internal/demodata"
	"github.com/m365beat/m365beat/internal/eventhubtest"
	"github.com/m365beat/m365beat/internal/graphtest"
)

// DemoOptions are the flags of `m365beat demo`.
type DemoOptions struct {
	Follow     bool
	Rate       int
	Scale      int
	Partitions int
	Timeout    time.Duration
	Progress   time.Duration
}

// Input ids of the demo configuration (keys of their metrics).
const (
	demoEventHubID = "demo-events"
	demoGraphID    = "demo-graph"
)

func demoCommand(settings instance.Settings) *cobra.Command {
	o := DemoOptions{}
	c := &cobra.Command{
		Use:   "demo",
		Short: "Run the whole pipeline against local Event Hubs and Graph emulators with sample data (no Azure needed)",
		Long: `demo starts, in this process, an Event Hubs emulator and a Microsoft Graph
fake seeded with sample Defender data (every supported streaming table,
alerts with varied evidence, incidents with several alerts, and a few
deliberately bad records), then runs the real eventhub and graphapi inputs,
processors and libbeat pipeline against them. Documents go to the console
(stdout) unless an output is set with -E, e.g.
  -E output.elasticsearch.hosts='["https://localhost:9200"]' -E output.elasticsearch.api_key=ID:KEY
State goes to a temporary path.data unless --path.data is given; m365beat.yml
is not read. Once everything seeded is acknowledged by the output, a summary
is printed on stderr and demo exits; with --follow it keeps generating live
traffic at --rate events/s until interrupted.`,
		Args:         cobra.NoArgs,
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runDemo(cmd, settings, o)
		},
	}
	c.Flags().BoolVar(&o.Follow, "follow", false, "keep generating live traffic until interrupted")
	c.Flags().IntVar(&o.Rate, "rate", 100, "live streaming records per second with --follow")
	c.Flags().IntVar(&o.Scale, "scale", 1, "copies of the sample streaming records to seed (for a longer run)")
	c.Flags().IntVar(&o.Partitions, "partitions", 4, "partitions of the emulated event hub")
	c.Flags().DurationVar(&o.Timeout, "timeout", 3*time.Minute, "give up when the seeded data is not acknowledged in this time (not with --follow)")
	c.Flags().DurationVar(&o.Progress, "progress", 2*time.Second, "interval of the progress line on stderr (0 disables it)")
	return c
}

// demoRun is one demo: the emulators, the seeded data and the running
// Beater.
type demoRun struct {
	opts   DemoOptions
	stderr io.Writer
	eh     *eventhubtest.Emulator
	graph  *graphtest.Server
	data   *demodata.Set
	start  time.Time

	mu       sync.Mutex
	bt       beat.Beater
	stopped  bool
	complete bool
}

func runDemo(cmd *cobra.Command, settings instance.Settings, o DemoOptions) error {
	if o.Rate <= 0 {
		return errors.New("--rate: must be positive")
	}
	if o.Partitions <= 0 || o.Partitions > 32 {
		return errors.New("--partitions: must be between 1 and 32")
	}
	d := &demoRun{opts: o, stderr: cmd.ErrOrStderr(), start: time.Now()}
	d.eh = eventhubtest.New(eventhubtest.Options{Hubs: map[string]int{demodata.Hub: o.Partitions}})
	if err := d.eh.Start(); err != nil {
		return fmt.Errorf("start the Event Hubs emulator: %w", err)
	}
	defer d.eh.Close()
	d.graph = graphtest.New(graphtest.Options{TenantID: demodata.TenantID})
	defer d.graph.Close()
	d.data = demodata.Sample(d.start, o.Scale)
	if err := d.data.Seed(d.eh, d.graph); err != nil {
		return fmt.Errorf("seed the sample data: %w", err)
	}
	fmt.Fprintf(d.stderr, "m365beat demo: Event Hubs emulator on %s, Graph fake on %s\nm365beat demo: seeded %s\n",
		d.eh.Addr(), d.graph.URL, d.data.Describe())

	tmp, err := os.MkdirTemp("", "m365beat-demo-")
	if err != nil {
		return err
	}
	if os.Getenv("M365BEAT_DEMO_KEEP") == "" {
		defer os.RemoveAll(tmp)
	}
	cfgPath, err := d.writeConfig(tmp, userOutput())
	if err != nil {
		return err
	}
	if err := useConfig(cmd, cfgPath, filepath.Join(tmp, "data")); err != nil {
		return err
	}

	demoCounts.reset()
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		d.watch(done)
	}()
	if o.Follow {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d.generate(done)
		}()
	}
	runErr := instance.Run(settings, func(b *beat.Beat, c *conf.C) (beat.Beater, error) {
		bt, err := beater.New(b, c)
		if err == nil {
			d.mu.Lock()
			d.bt = bt
			stop := d.stopped
			d.mu.Unlock()
			if stop {
				bt.Stop()
			}
		}
		return bt, err
	})
	close(done)
	wg.Wait()

	d.mu.Lock()
	complete := d.complete
	d.mu.Unlock()
	s := summary{
		Elapsed:        time.Since(d.start),
		Acked:          d.acked(),
		Counts:         demoCounts,
		ExpectedErrors: len(d.data.Bad),
		InputErrors:    d.inputErrors(),
		Complete:       complete,
		Follow:         o.Follow,
	}
	s.write(d.stderr)
	if runErr != nil {
		return runErr
	}
	if !s.Complete && !o.Follow {
		return fmt.Errorf("demo: the seeded data was not acknowledged within --timeout %s", o.Timeout)
	}
	return nil
}

// userOutput reports whether -E configures an output.
func userOutput() bool {
	f := flag.CommandLine.Lookup("E")
	if f == nil {
		return false
	}
	sf, ok := f.Value.(*conf.SettingsFlag)
	if !ok || sf.Config() == nil {
		return false
	}
	return sf.Config().HasField("output")
}

// useConfig points libbeat at the demo configuration (replacing the -c
// default, so m365beat.yml is not read) and at a temporary path.data
// unless --path.data was given.
func useConfig(cmd *cobra.Command, cfgPath, dataPath string) error {
	f := flag.CommandLine.Lookup("c")
	if f == nil {
		return errors.New("demo: libbeat's -c flag is not registered")
	}
	sf, ok := f.Value.(*conf.StringsFlag)
	if !ok {
		return errors.New("demo: libbeat's -c flag is not registered")
	}
	sf.SetDefault(cfgPath)
	if pf := cmd.Flags().Lookup("path.data"); pf == nil || !pf.Changed {
		if err := flag.CommandLine.Set("path.data", dataPath); err != nil {
			return err
		}
	}
	return nil
}

// config is the demo's m365beat configuration.
func (d *demoRun) config(console bool) map[string]any {
	g := d.graph.Options()
	cfg := map[string]any{
		"m365beat": map[string]any{
			"shutdown_timeout": "2s", // on Ctrl-C with --follow; the seeded run ends with everything acknowledged
			"inputs": []any{
				map[string]any{
					"type":                      "eventhub",
					"id":                        demoEventHubID,
					"connection_string":         d.eh.ConnectionString(demodata.Hub),
					"load_balancing":            "greedy",
					"load_balancing_interval":   "1s",
					"partition_expiration":      "10s",
					"partition_receive_timeout": "200ms",
					"checkpoint_interval":       "1s",
				},
				map[string]any{
					"type":             "graphapi",
					"id":               demoGraphID,
					"tenant_id":        g.TenantID,
					"client_id":        g.ClientID,
					"client_secret":    g.ClientSecret,
					"login_url":        d.graph.LoginURL(),
					"graph_url":        d.graph.GraphURL(),
					"initial_lookback": "24h",
					"streams": []any{
						map[string]any{"resource": "alerts", "interval": "2s"},
						map[string]any{"resource": "incidents", "interval": "2s"},
					},
				},
			},
		},
		"queue.mem": map[string]any{"events": 8192, "flush.min_events": 1024, "flush.timeout": "50ms"},
		"processors": []any{
			map[string]any{demoCounterName: map[string]any{}},
		},
		"setup.ilm.enabled":        false,
		"setup.template.enabled":   false,
		"setup.dashboards.enabled": false, // no Kibana in the demo; `m365beat setup` loads them
		"logging.level":            "warning",
		"logging.to_stderr":        true,
		"logging.to_files":         false,
		"logging.metrics.enabled":  false,
		"http.enabled":             false,
	}
	if console {
		cfg["output.console"] = map[string]any{"enabled": true}
	}
	return cfg
}

func (d *demoRun) writeConfig(dir string, userOutput bool) (string, error) {
	b, err := yaml.Marshal(d.config(!userOutput))
	if err != nil {
		return "", err
	}
	p := filepath.Join(dir, "m365beat-demo.yml")
	return p, os.WriteFile(p, b, 0o600)
}

// metric reads an Int or Uint metric under the inputs registry.
func metric(path ...string) int {
	reg := monitoring.GetNamespace("dataset").GetRegistry()
	for _, p := range path[:len(path)-1] {
		if reg = reg.GetRegistry(p); reg == nil {
			return 0
		}
	}
	switch v := reg.Get(path[len(path)-1]).(type) {
	case *monitoring.Int:
		return int(v.Get())
	case *monitoring.Uint:
		return int(v.Get())
	}
	return 0
}

func (d *demoRun) acked() int {
	return metric(demoEventHubID, "events_acked_total") +
		metric(demoGraphID, "alerts", "events_acked_total") +
		metric(demoGraphID, "incidents", "events_acked_total")
}

func (d *demoRun) inputErrors() map[string]int {
	return map[string]int{
		"eventhub receive_errors_total":  metric(demoEventHubID, "receive_errors_total"),
		"eventhub checkpoint_errors":     metric(demoEventHubID, "checkpoint_errors_total"),
		"graphapi alerts poll_errors":    metric(demoGraphID, "alerts", "poll_errors_total"),
		"graphapi incidents poll_errors": metric(demoGraphID, "incidents", "poll_errors_total"),
	}
}

// seededAcked reports whether every seeded message, alert and incident
// has been received and all their events acknowledged by the output.
func (d *demoRun) seededAcked() bool {
	ehMsgs := metric(demoEventHubID, "messages_received_total")
	ehRecs := metric(demoEventHubID, "records_received_total")
	ehAcked := metric(demoEventHubID, "events_acked_total")
	alerts := metric(demoGraphID, "alerts", "events_acked_total")
	incidents := metric(demoGraphID, "incidents", "events_acked_total")
	return ehMsgs >= len(d.data.Messages) && ehRecs >= d.data.Events && ehAcked >= ehRecs &&
		alerts >= d.data.AlertEvents && incidents >= d.data.IncidentEvents
}

// watch prints the progress line and stops the Beater once the seeded
// data is acknowledged (not with --follow) or on timeout.
func (d *demoRun) watch(done <-chan struct{}) {
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	lastProgress, lastAcked := time.Now(), 0
	for {
		select {
		case <-done:
			return
		case now := <-tick.C:
			if d.opts.Progress > 0 && now.Sub(lastProgress) >= d.opts.Progress {
				a := d.acked()
				fmt.Fprintf(d.stderr, "m365beat demo: %d events acknowledged, %.0f events/s\n",
					a, float64(a-lastAcked)/now.Sub(lastProgress).Seconds())
				lastProgress, lastAcked = now, a
			}
			if d.opts.Follow {
				continue
			}
			if d.seededAcked() {
				d.mu.Lock()
				d.complete = true
				d.mu.Unlock()
				d.stop()
				return
			}
			if now.Sub(d.start) > d.opts.Timeout {
				d.stop()
				return
			}
		}
	}
}

func (d *demoRun) stop() {
	d.mu.Lock()
	d.stopped = true
	bt := d.bt
	d.mu.Unlock()
	if bt != nil {
		bt.Stop()
	}
}

// generate publishes live traffic for --follow: streaming records at
// --rate per second and a new Graph alert every 10 seconds.
func (d *demoRun) generate(done <-chan struct{}) {
	const step = 100 * time.Millisecond
	tick := time.NewTicker(step)
	defer tick.Stop()
	var live demodata.Live
	owed := 0.0
	k := 0
	lastAlert := time.Now()
	for {
		select {
		case <-done:
			return
		case now := <-tick.C:
			owed += float64(d.opts.Rate) * step.Seconds()
			if n := int(owed); n > 0 {
				owed -= float64(n)
				// Defender sends up to a few hundred records per message.
				for n > 0 {
					m := min(n, 200)
					if err := d.eh.Publish(demodata.Hub, "", live.Batch(m, now)); err != nil {
						fmt.Fprintf(d.stderr, "m365beat demo: publishing live traffic: %v\n", err)
						return
					}
					n -= m
				}
			}
			if now.Sub(lastAlert) >= 10*time.Second {
				lastAlert = now
				if _, err := d.graph.AddAlertJSON(demodata.LiveAlert(k, now)); err != nil {
					fmt.Fprintf(d.stderr, "m365beat demo: adding a live alert: %v\n", err)
				}
				k++
			}
		}
	}
}
