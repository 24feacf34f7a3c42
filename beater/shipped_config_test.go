package beater

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/elastic/beats/v7/libbeat/cfgfile"

	_ "github.com/m365beat/m365beat/input/eventhub"
	_ "github.com/m365beat/m365beat/input/graphapi"
)

// The shipped configurations pass `m365beat test config`.
func TestShippedConfigsAreValid(t *testing.T) {
	for _, f := range []string{"../m365beat.yml", "../m365beat.reference.yml"} {
		raw, err := cfgfile.Load(f, nil)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		sub, err := raw.Child("m365beat", -1)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if _, err := New(newBeat(t), sub); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

// The commented vulnerabilities stream of the shipped configuration is
// valid once uncommented (with the graphapi input enabled).
func TestShippedVulnerabilitiesExampleIsValid(t *testing.T) {
	for _, f := range []string{"../m365beat.yml", "../m365beat.reference.yml"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(b), "\n")
		found := false
		for i, l := range lines {
			if strings.TrimSpace(l) != "#- resource: vulnerabilities" {
				continue
			}
			found = true
			indent := l[:strings.Index(l, "#")]
			for j := i; j < len(lines) && strings.HasPrefix(lines[j], indent+"#"); j++ {
				text := strings.TrimPrefix(lines[j], indent+"#")
				if j > i && !strings.HasPrefix(text, "  ") {
					break
				}
				lines[j] = indent + text
			}
		}
		if !found {
			t.Fatalf("%s: no vulnerabilities example", f)
		}
		text := strings.Join(lines, "\n")
		const off, on = "id: graph-security\n      enabled: false", "id: graph-security\n      enabled: true"
		if !strings.Contains(text, off) {
			t.Fatalf("%s: the graphapi example is no longer disabled by an enabled: false after its id", f)
		}
		text = strings.Replace(text, off, on, 1)
		out := filepath.Join(t.TempDir(), "m365beat.yml")
		if err := os.WriteFile(out, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		t.Setenv("AZURE_TENANT_ID", "00000000-0000-0000-0000-000000000000")
		t.Setenv("AZURE_CLIENT_ID", "11111111-1111-1111-1111-111111111111")
		t.Setenv("GRAPH_CLIENT_SECRET", "s")
		raw, err := cfgfile.Load(out, nil)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		sub, err := raw.Child("m365beat", -1)
		if err != nil {
			t.Fatal(err)
		}
		bt, err := New(newBeat(t), sub)
		if err != nil {
			t.Fatalf("%s uncommented: %v", f, err)
		}
		var streams []string
		for _, in := range bt.(*Beater).cfg.Inputs {
			var c struct {
				Type    string `config:"type"`
				Streams []struct {
					Resource string `config:"resource"`
				} `config:"streams"`
			}
			if err := in.Unpack(&c); err == nil && c.Type == "graphapi" {
				for _, s := range c.Streams {
					streams = append(streams, s.Resource)
				}
			}
		}
		if !slices.Contains(streams, "vulnerabilities") {
			t.Fatalf("%s uncommented: graphapi streams %v", f, streams)
		}
	}
}
