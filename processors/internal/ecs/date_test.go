package ecs

import "testing"

func TestNormalizeDate(t *testing.T) {
	cases := map[string]string{
		"2022-11-07T17:07:42.0259186Z":   "2022-11-07T17:07:42.025Z",
		"2021-09-02T18:23:41Z":           "2021-09-02T18:23:41.000Z",
		"2022-11-07T17:45:56.3057929Z":   "2022-11-07T17:45:56.305Z",
		"2022-11-07T17:45:56.9999999Z":   "2022-11-07T17:45:56.999Z", // truncated, not rounded
		"2022-11-07T17:45:56.1Z":         "2022-11-07T17:45:56.100Z",
		"2022-11-07T17:45:56.12Z":        "2022-11-07T17:45:56.120Z",
		"2022-11-07T17:45:56.123456789Z": "2022-11-07T17:45:56.123Z",
		"2024-01-01T10:00:00+02:00":      "2024-01-01T08:00:00.000Z",
		"2024-01-01T10:00:00-0130":       "2024-01-01T11:30:00.000Z",
		"2024-01-01T00:30:00+01:00":      "2023-12-31T23:30:00.000Z",
		"2024-01-01":                     "2024-01-01T00:00:00.000Z",
		"2024-01-01T10:00":               "2024-01-01T10:00:00.000Z",
		"2024-01-01T10:00:05":            "2024-01-01T10:00:05.000Z",
		"2024-02-29T10:00:05Z":           "2024-02-29T10:00:05.000Z",
	}
	for in, want := range cases {
		got, ok := NormalizeDate(in)
		if !ok || got != want {
			t.Errorf("NormalizeDate(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, bad := range []string{"", "2022", "2022-13-01", "2023-02-29", "2022-11-07T25:00:00Z",
		"2022-11-07T17:07:42.Z", "2022-11-07T17:07:42.1234567890Z", "2022-11-07 17:07:42Z",
		"2022-11-07T17:07:42Zjunk", "1667840862", "yesterday", "2022-11-07T17:07:42+2"} {
		if got, ok := NormalizeDate(bad); ok {
			t.Errorf("NormalizeDate(%q) = %q, want failure", bad, got)
		}
	}
}

func TestFormatDateMatchesLayout(t *testing.T) {
	for _, in := range []string{"2022-11-07T17:07:42.0259186Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z", "2024-02-29T00:00:00.5+14:00"} {
		tm, ok := ParseDate(in)
		if !ok {
			t.Fatalf("ParseDate(%q) failed", in)
		}
		if got, want := FormatDate(tm), tm.Format(dateLayout); got != want {
			t.Errorf("FormatDate(%q) = %q, want %q", in, got, want)
		}
	}
}
