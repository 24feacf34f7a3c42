package cmd

import (
	"bytes"
	"strings"
	"testing"
)

func TestExportConfigMasksSecrets(t *testing.T) {
	cfg := map[string]any{
		"m365beat": map[string]any{"inputs": []any{
			map[string]any{"type": "graphapi", "client_secret": "s3cr3t-graph", "client_id": "app-1"},
			map[string]any{"type": "eventhub", "connection_string": "Endpoint=sb://x/;SharedAccessKey=s3cr3t-hub", "storage_account_key": "s3cr3t-key",
				"storage_account_connection_string": "DefaultEndpointsProtocol=https;AccountKey=s3cr3t-sa"},
		}},
		"output.elasticsearch": map[string]any{"password": "s3cr3t-es", "api_key": "s3cr3t-api"},
	}
	var out bytes.Buffer
	if err := writeMasked(&out, cfg); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "s3cr3t") {
		t.Fatalf("a secret leaked:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "client_id: app-1") {
		t.Fatalf("non-secret values must stay:\n%s", out.String())
	}
}
