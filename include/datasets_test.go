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
