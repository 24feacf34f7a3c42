package eventhub

import (
	"context"
	"strings"
	"testing"

	"github.com/elastic/elastic-agent-libs/logp/logptest"

	"github.com/m365beat/m365beat/input"
)

func runTester(t *testing.T, e *env, extra map[string]any) (map[string]error, error) {
	t.Helper()
	in, err := New(e.config(extra), logptest.NewTestingLogger(t, ""))
	if err != nil {
		t.Fatal(err)
	}
	tester, ok := in.(input.Tester)
	if !ok {
		t.Fatal("the eventhub input does not implement input.Tester")
	}
	checks := map[string]error{}
	err = tester.Test(context.Background(), func(check string, err error) { checks[check] = err })
	return checks, err
}

func TestTesterChecksHubAndContainer(t *testing.T) {
	e := newEnv(t, 2, true)
	e.ctr = "tested-container"
	checks, err := runTester(t, e, nil)
	if err != nil {
		t.Fatalf("Test: %v (%v)", err, checks)
	}
	if len(checks) != 2 {
		t.Fatalf("checks: %v", checks)
	}
	// The container was created and is empty again.
	if cps := e.checkpoints("$Default"); len(cps) != 0 {
		t.Fatalf("checkpoints after test: %v", cps)
	}

	// A hub that does not exist fails the first check.
	checks, err = runTester(t, e, map[string]any{
		"connection_string": e.eh.NamespaceConnectionString(),
		"eventhub":          "nope",
	})
	if err == nil {
		t.Fatalf("want an error for a missing hub, checks %v", checks)
	}
	for name, cerr := range checks {
		if strings.Contains(name, "properties") && cerr == nil {
			t.Fatalf("check %q passed for a missing hub", name)
		}
	}
}
