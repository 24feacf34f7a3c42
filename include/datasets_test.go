package include

import (
	"strings"
	"testing"
)

func TestDatasetFields(t *testing.T) {
	b, err := DatasetFields("m365_defender.event")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, want := range []string{"- key: m365beat", "name: azure.eventhub.partition_id", "- key: m365_defender", "name: m365_defender.event"} {
		if !strings.Contains(s, want) {
			t.Errorf("event fields lack %q", want)
		}
	}
	if _, err := DatasetFields("m365_defender.nope"); err == nil || !strings.Contains(err.Error(), "module/m365_defender/nope/_meta/fields.yml") {
		t.Errorf("unknown dataset: %v", err)
	}
	if _, err := DatasetFields("nodot"); err == nil {
		t.Error("dataset without module accepted")
	}
}

func TestMergedDeclaresEachFieldOnce(t *testing.T) {
	m, err := Merged()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(m, "name: data_stream.dataset") != 1 {
		t.Errorf("data_stream.dataset declared %d times", strings.Count(m, "name: data_stream.dataset"))
	}
	if !strings.Contains(m, "name: azure.eventhub.partition_id") || !strings.Contains(m, "name: m365_defender.event") {
		t.Error("merged fields lost declarations")
	}
}
