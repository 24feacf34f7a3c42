package defendertest

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync"
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

// Compressed returns Generated(total, n) with each file's gzip body
// computed once, up front (so serving costs no compression).
func Compressed(total, n int) []File {
	files := Generated(total, n)
	var wg sync.WaitGroup
	for k := range files {
		wg.Add(1)
		go func(f *File) {
			defer wg.Done()
			var buf bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
			_ = f.Generate(zw)
			_ = zw.Close()
			f.Gzip, f.Generate = buf.Bytes(), nil
		}(&files[k])
	}
	wg.Wait()
	return files
}

// CompressedFiles writes Generated(total, n) as gzip files into dir and
// returns Files served from them (the test process then holds none of the
// export in memory).
func CompressedFiles(dir string, total, n int) ([]File, error) {
	files := Generated(total, n)
	errs := make([]error, len(files))
	var wg sync.WaitGroup
	for k := range files {
		wg.Add(1)
		go func(k int, f *File) {
			defer wg.Done()
			path := filepath.Join(dir, fmt.Sprintf("export-%d.json.gz", k))
			out, err := os.Create(path)
			if err != nil {
				errs[k] = err
				return
			}
			bw := bufio.NewWriterSize(out, 256*1024)
			zw, _ := gzip.NewWriterLevel(bw, gzip.BestSpeed)
			err = f.Generate(zw)
			if err == nil {
				err = zw.Close()
			}
			if err == nil {
				err = bw.Flush()
			}
			if cerr := out.Close(); err == nil {
				err = cerr
			}
			errs[k] = err
			f.Path, f.Generate = path, nil
		}(k, &files[k])
	}
	wg.Wait()
	return files, errors.Join(errs...)
}

// Change returns a delta record for export record i with a status and
// eventTimestamp.
func Change(i int, status, eventTimestamp string) string {
	r := Record(i)
	return fmt.Sprintf(`%s,"status":%q,"eventTimestamp":%q}`, r[:len(r)-1], status, eventTimestamp)
}
