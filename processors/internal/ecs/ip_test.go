package ecs

import "testing"

func TestValidIP(t *testing.T) {
	for _, ok := range []string{"81.2.69.142", "0.0.0.0", "2a02:cf40::", "::1", "::ffff:1.2.3.4", "FE80::1"} {
		if !ValidIP(ok) {
			t.Errorf("ValidIP(%q) = false", ok)
		}
	}
	for _, bad := range []string{"", "-", "010.1.1.1", "1.2.3", "256.1.1.1", "fe80::1%eth0", "host", " 1.2.3.4"} {
		if ValidIP(bad) {
			t.Errorf("ValidIP(%q) = true", bad)
		}
	}
}
