package beater

import (
	"strings"
	"testing"

	"github.com/elastic/beats/v7/libbeat/beat"
	conf "github.com/elastic/elastic-agent-libs/config"
	"github.com/elastic/elastic-agent-libs/logp/logptest"
)

func newBeat(t *testing.T) *beat.Beat {
	return &beat.Beat{Info: beat.Info{Beat: "m365beat", Logger: logptest.NewTestingLogger(t, "")}}
}

// `m365beat test config` creates the Beater: every mistake must surface
// there, with the key that holds it.
func TestNewRejectsBadInputsNamingTheKey(t *testing.T) {
	cases := []struct{ yaml, want string }{
		{"inputs: [{type: nosuch, id: a}]", `m365beat.inputs.0: type: unknown input type "nosuch"`},
		{"inputs: [{id: a}]", "m365beat.inputs.0: type: required"},
		{"inputs: [{type: nosuch, enabled: false}]", `m365beat.inputs.0: type: unknown input type "nosuch"`},
		{"config.inputs: {reload.enabled: true}", "m365beat.config.inputs.path"},
		{"shutdown_timeout: -1s", "m365beat.shutdown_timeout"},
	}
	for _, c := range cases {
		cfg, err := conf.NewConfigWithYAML([]byte(c.yaml), "m365beat")
		if err != nil {
			t.Fatal(err)
		}
		_, err = New(newBeat(t), cfg)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.yaml, err, c.want)
		}
	}
}

func TestNewAcceptsEmptyConfig(t *testing.T) {
	if _, err := New(newBeat(t), conf.NewConfig()); err != nil {
		t.Fatal(err)
	}
}
