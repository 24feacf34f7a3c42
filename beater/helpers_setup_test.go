package beater

import (
	"context"
	"testing"

	"github.com/elastic/beats/v7/libbeat/esleg/eslegclient"
	"github.com/elastic/elastic-agent-libs/logp"

	"github.com/m365beat/m365beat/esindex"
	"github.com/m365beat/m365beat/internal/estest"
)

func esConnect(t *testing.T, es *estest.Server) *eslegclient.Connection {
	t.Helper()
	c, err := eslegclient.NewConnection(eslegclient.ConnectionSettings{URL: es.URL, Beatname: "m365beat"}, logp.NewNopLogger())
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func esindexConfig(t *testing.T) esindex.Config {
	t.Helper()
	c, err := esindex.ReadConfig(nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
