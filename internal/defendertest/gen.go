package defendertest

import (
	"fmt"
	"io"
	"strconv"
)

// Record returns export record i of a generated estate: device i/50,
// a rotating software and CVE, in Microsoft's schema order.
func Record(i int) string {
	return string(AppendRecord(nil, i))
}

// AppendRecord appends Record(i) to b.
func AppendRecord(b []byte, i int) []byte {
	dev := i / 50
	sw := []string{"kernel", "openssl", "edge_chromium-based", "chrome", "java_runtime"}[i%5]
	b = append(b, `{"id":"dev`...)
	b = strconv.AppendInt(b, int64(dev), 10)
	b = append(b, `_vendor_`...)
	b = append(b, sw...)
	b = append(b, `_1.2.3_CVE-2024-`...)
	b = strconv.AppendInt(b, int64(10000+i), 10)
	b = append(b, `","deviceId":"dev`...)
	b = strconv.AppendInt(b, int64(dev), 10)
	b = append(b, `","deviceName":"host-`...)
	b = strconv.AppendInt(b, int64(dev), 10)
	b = append(b, `.contoso.local","osPlatform":"Windows11","osVersion":"22H2","osArchitecture":"x64","softwareVendor":"vendor","softwareName":"`...)
	b = append(b, sw...)
	b = append(b, `","softwareVersion":"1.2.3","cveId":"CVE-2024-`...)
	b = strconv.AppendInt(b, int64(10000+i), 10)
	b = append(b, `","vulnerabilitySeverityLevel":"High","recommendedSecurityUpdate":"Update to 1.2.4","recommendedSecurityUpdateId":"KB500`...)
	b = strconv.AppendInt(b, int64(i%1000), 10)
	b = append(b, `","recommendedSecurityUpdateUrl":null,"diskPaths":["C:\\Program Files\\Vendor\\app.exe"],"registryPaths":[],"exploitabilityLevel":"NoExploit","firstSeenTimestamp":"2025-10-01 08:00:00","lastSeenTimestamp":"2025-10-06 08:00:00","recommendationReference":"va-_-vendor-_-`...)
	b = append(b, sw...)
	b = append(b, `","rbacGroupName":"Workstations","rbacGroupId":7,"cvssScore":7.5,"isOnboarded":true,"securityUpdateAvailable":true}`...)
	return b
}

// Generated returns n files that together hold records 0..total-1,
// generated on the fly.
func Generated(total, n int) []File {
	files := make([]File, n)
	per := (total + n - 1) / n
	for k := range files {
		from, to := k*per, min((k+1)*per, total)
		files[k] = File{Generate: func(w io.Writer) error {
			buf := make([]byte, 0, 64*1024)
			for i := from; i < to; i++ {
				buf = AppendRecord(buf, i)
				buf = append(buf, '\n')
				if len(buf) > 60*1024 {
					if _, err := w.Write(buf); err != nil {
						return err
					}
					buf = buf[:0]
				}
			}
			_, err := w.Write(buf)
			return err
		}}
	}
	return files
}

// Change returns a delta record for export record i with a status and
// eventTimestamp.
func Change(i int, status, eventTimestamp string) string {
	r := Record(i)
	return fmt.Sprintf(`%s,"status":%q,"eventTimestamp":%q}`, r[:len(r)-1], status, eventTimestamp)
}
