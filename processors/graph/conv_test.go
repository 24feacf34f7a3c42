package graph

import "testing"

func TestNormDate(t *testing.T) {
	ok := map[string]string{
		"2023-10-20T09:53:09.8839373Z":   "2023-10-20T09:53:09.883Z", // truncated, not rounded
		"2026-02-25T16:29:33.1Z":         "2026-02-25T16:29:33.100Z",
		"2023-05-15T00:48:42Z":           "2023-05-15T00:48:42.000Z",
		"2023-05-15T00:48:42.999999999Z": "2023-05-15T00:48:42.999Z",
		"2023-05-15T02:48:42+02:00":      "2023-05-15T00:48:42.000Z",
		"2023-05-15T00:48:42-0130":       "2023-05-15T02:18:42.000Z",
		"2023-05-15T00:48:42":            "2023-05-15T00:48:42.000Z", // no zone = UTC
		"2023-05-15T00:48":               "2023-05-15T00:48:00.000Z",
		"2023-05-15":                     "2023-05-15T00:00:00.000Z",
	}
	for in, want := range ok {
		got, err := normDate(in)
		if err != nil || got != want {
			t.Errorf("normDate(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []any{"", "yesterday", "2023-13-01", "2023-02-30T00:00:00Z", "2023-05-15T00:48:42.1234567890Z",
		"2023-05-15T25:00:00Z", "2023-05-15T00:48:42Zjunk", int64(5), nil} {
		if got, err := normDate(bad); err == nil {
			t.Errorf("normDate(%v) = %q, want an error", bad, got)
		}
	}
}

func TestConversions(t *testing.T) {
	longs := map[any]int64{int64(7): 7, "42": 42, "-3": -3, "0x1F": 31, "-0x10": -16, "+5": 5}
	for in, want := range longs {
		if got, err := toLong(in); err != nil || got != want {
			t.Errorf("toLong(%v) = %v, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []any{"1.5", 1.5, "x", "", true, "--1", "0x"} {
		if _, err := toLong(bad); err == nil {
			t.Errorf("toLong(%v): no error", bad)
		}
	}
	for _, ip := range []string{"127.0.0.1", "fe80::cfe4:80b:615c:38fb", "::1"} {
		if got, err := toIP(ip); err != nil || got != ip {
			t.Errorf("toIP(%s) = %v, %v", ip, got, err)
		}
	}
	for _, bad := range []any{"localhost", "1.2.3", "", int64(1)} {
		if _, err := toIP(bad); err == nil {
			t.Errorf("toIP(%v): no error", bad)
		}
	}
	strs := map[any]string{int64(22621): "22621", int64(0): "0", true: "true", "x": "x", 1.5: "1.5"}
	for in, want := range strs {
		if got, err := toStr(in); err != nil || got != want {
			t.Errorf("toStr(%v) = %v, %v", in, got, err)
		}
	}
	if _, err := toStr(map[string]any{}); err == nil {
		t.Error("toStr(object): no error")
	}
}

func TestSeverity(t *testing.T) {
	for in, want := range map[string]int64{"informational": 21, "Low": 21, "MEDIUM": 47, "high": 73, "critical": 99} {
		if got, ok := severityNumber(in); !ok || got != want {
			t.Errorf("%s: %d %v", in, got, ok)
		}
	}
	for _, in := range []any{"unknown", "unknownFutureValue", int64(3), nil} {
		if _, ok := severityNumber(in); ok {
			t.Errorf("%v: mapped", in)
		}
	}
}
