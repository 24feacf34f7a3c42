package main

// Readers of the packages the tests inspect: a .deb is an ar archive of
// control.tar.gz and data.tar.gz; an .rpm is a lead, a signature header, the
// main header (metadata, file list with modes and flags, scripts) and a
// compressed cpio payload. nfpm only writes these formats.

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"

	"github.com/blakesmith/ar"
	"github.com/cavaliergopher/cpio"
)

type pkgFile struct {
	Name      string
	Mode      os.FileMode // permissions plus os.ModeDir / os.ModeSymlink
	Owner     string
	Group     string
	Data      []byte
	Config    bool // deb conffile or rpm %config
	NoReplace bool // rpm %config(noreplace)
}

type pkgContents struct {
	Meta    map[string]string // deb control fields; rpm tags by name
	Files   map[string]*pkgFile
	Scripts map[string]string // deb: postinst...; rpm: pre, post, preun, postun
}

func newContents() *pkgContents {
	return &pkgContents{Meta: map[string]string{}, Files: map[string]*pkgFile{}, Scripts: map[string]string{}}
}

// cleanName turns "./usr/bin/x" or "usr/bin/x/" into "/usr/bin/x".
func cleanName(n string) string {
	return path.Clean("/" + strings.TrimPrefix(n, "."))
}

// readDeb reads a .deb.
func readDeb(p string) (*pkgContents, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	pc := newContents()
	r := ar.NewReader(f)
	var conffiles []string
	for {
		h, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		name := strings.TrimSuffix(h.Name, "/")
		switch name {
		case "debian-binary":
		case "control.tar.gz":
			err = readTarGz(r, func(h *tar.Header, data []byte) {
				switch n := path.Base(h.Name); n {
				case "control":
					parseControl(data, pc.Meta)
				case "conffiles":
					conffiles = strings.Fields(string(data))
				case "md5sums", ".":
				default:
					pc.Scripts[n] = string(data)
				}
			})
		case "data.tar.gz":
			err = readTarGz(r, func(h *tar.Header, data []byte) {
				mode := os.FileMode(h.Mode).Perm()
				switch h.Typeflag {
				case tar.TypeDir:
					mode |= os.ModeDir
				case tar.TypeSymlink:
					mode |= os.ModeSymlink
					data = []byte(h.Linkname)
				}
				n := cleanName(h.Name)
				pc.Files[n] = &pkgFile{Name: n, Mode: mode, Owner: h.Uname, Group: h.Gname, Data: data}
			})
		default:
			err = fmt.Errorf("unexpected ar member %q", h.Name)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", p, name, err)
		}
	}
	for _, c := range conffiles {
		f, ok := pc.Files[c]
		if !ok {
			return nil, fmt.Errorf("%s: conffile %s not in data.tar.gz", p, c)
		}
		f.Config = true
	}
	return pc, nil
}

func readTarGz(r io.Reader, fn func(*tar.Header, []byte)) error {
	gz, err := gzip.NewReader(r)
	if err != nil {
		return err
	}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			return err
		}
		fn(h, data)
	}
}

// parseControl reads deb822 fields; continuation lines are joined with \n.
func parseControl(data []byte, into map[string]string) {
	var last string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, " ") && last != "" {
			into[last] += "\n" + strings.TrimPrefix(line, " ")
			continue
		}
		if k, v, ok := strings.Cut(line, ":"); ok {
			last = k
			into[k] = strings.TrimSpace(v)
		}
	}
}

// RPM header tags and types used below.
const (
	rpmTypeInt16       = 3
	rpmTypeInt32       = 4
	rpmTypeString      = 6
	rpmTypeStringArray = 8
	rpmTypeI18NString  = 9

	rpmFileConfig    = 1 << 0
	rpmFileNoReplace = 1 << 4
)

var rpmStringTags = map[int]string{
	1000: "Name", 1001: "Version", 1002: "Release", 1004: "Summary", 1005: "Description",
	1011: "Vendor", 1014: "License", 1015: "Packager", 1016: "Group", 1020: "URL", 1021: "OS",
	1022: "Arch", 1124: "PayloadFormat", 1125: "PayloadCompressor",
}

var rpmScriptTags = map[int]string{1023: "pre", 1024: "post", 1025: "preun", 1026: "postun"}

type rpmEntry struct {
	typ   uint32
	count uint32
	data  []byte // the store from this entry's offset on
}

// readRPMHeader reads one header structure (signature or main header).
func readRPMHeader(r io.Reader) (map[int]rpmEntry, int, error) {
	var pre [16]byte
	if _, err := io.ReadFull(r, pre[:]); err != nil {
		return nil, 0, err
	}
	if !bytes.Equal(pre[:4], []byte{0x8e, 0xad, 0xe8, 0x01}) {
		return nil, 0, errors.New("bad header magic")
	}
	n := binary.BigEndian.Uint32(pre[8:12])
	size := binary.BigEndian.Uint32(pre[12:16])
	if n > 1<<16 || size > 1<<28 {
		return nil, 0, errors.New("header too large")
	}
	index := make([]byte, 16*n)
	store := make([]byte, size)
	if _, err := io.ReadFull(r, index); err != nil {
		return nil, 0, err
	}
	if _, err := io.ReadFull(r, store); err != nil {
		return nil, 0, err
	}
	entries := map[int]rpmEntry{}
	for i := uint32(0); i < n; i++ {
		e := index[16*i:]
		tag := int(binary.BigEndian.Uint32(e[0:4]))
		off := binary.BigEndian.Uint32(e[8:12])
		if off > size {
			return nil, 0, fmt.Errorf("tag %d: offset out of range", tag)
		}
		entries[tag] = rpmEntry{typ: binary.BigEndian.Uint32(e[4:8]), count: binary.BigEndian.Uint32(e[12:16]), data: store[off:]}
	}
	return entries, 16 + len(index) + len(store), nil
}

func (e rpmEntry) strings() []string {
	var out []string
	d := e.data
	for i := uint32(0); i < e.count; i++ {
		j := bytes.IndexByte(d, 0)
		if j < 0 {
			break
		}
		out = append(out, string(d[:j]))
		d = d[j+1:]
	}
	return out
}

func (e rpmEntry) ints() []uint32 {
	out := make([]uint32, 0, e.count)
	for i := uint32(0); i < e.count; i++ {
		switch e.typ {
		case rpmTypeInt16:
			out = append(out, uint32(binary.BigEndian.Uint16(e.data[2*i:])))
		case rpmTypeInt32:
			out = append(out, binary.BigEndian.Uint32(e.data[4*i:]))
		}
	}
	return out
}

// readRPM reads a gzip-compressed .rpm.
func readRPM(p string) (*pkgContents, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	br := bufio.NewReader(f)
	lead := make([]byte, 96)
	if _, err := io.ReadFull(br, lead); err != nil || !bytes.Equal(lead[:4], []byte{0xed, 0xab, 0xee, 0xdb}) {
		return nil, fmt.Errorf("%s: not an rpm (lead)", p)
	}
	_, n, err := readRPMHeader(br)
	if err != nil {
		return nil, fmt.Errorf("%s: signature: %w", p, err)
	}
	if pad := (8 - n%8) % 8; pad > 0 {
		if _, err := br.Discard(pad); err != nil {
			return nil, err
		}
	}
	h, _, err := readRPMHeader(br)
	if err != nil {
		return nil, fmt.Errorf("%s: header: %w", p, err)
	}
	pc := newContents()
	for tag, name := range rpmStringTags {
		if e, ok := h[tag]; ok && (e.typ == rpmTypeString || e.typ == rpmTypeI18NString || e.typ == rpmTypeStringArray) {
			if s := e.strings(); len(s) > 0 {
				pc.Meta[name] = s[0]
			}
		}
	}
	for tag, name := range rpmScriptTags {
		if e, ok := h[tag]; ok {
			pc.Scripts[name] = e.strings()[0]
		}
	}
	base, dirs, dirIdx := h[1117].strings(), h[1118].strings(), h[1116].ints()
	modes, flags := h[1030].ints(), h[1037].ints()
	users, groups := h[1039].strings(), h[1040].strings()
	if len(dirIdx) != len(base) || len(modes) != len(base) || len(flags) != len(base) ||
		len(users) != len(base) || len(groups) != len(base) {
		return nil, fmt.Errorf("%s: file tags of different lengths", p)
	}
	for i, b := range base {
		if int(dirIdx[i]) >= len(dirs) {
			return nil, fmt.Errorf("%s: bad dir index", p)
		}
		name := cleanName(dirs[dirIdx[i]] + b)
		m := modes[i]
		mode := os.FileMode(m & 0o777)
		switch m & 0o170000 {
		case 0o040000:
			mode |= os.ModeDir
		case 0o120000:
			mode |= os.ModeSymlink
		}
		pc.Files[name] = &pkgFile{Name: name, Mode: mode, Owner: users[i], Group: groups[i],
			Config: flags[i]&rpmFileConfig != 0, NoReplace: flags[i]&rpmFileNoReplace != 0}
	}
	if c := pc.Meta["PayloadCompressor"]; c != "gzip" {
		return nil, fmt.Errorf("%s: payload compressor %q, the reader knows gzip", p, c)
	}
	gz, err := gzip.NewReader(br)
	if err != nil {
		return nil, err
	}
	cr := cpio.NewReader(gz)
	for {
		ch, err := cr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: payload: %w", p, err)
		}
		data, err := io.ReadAll(cr)
		if err != nil {
			return nil, err
		}
		if pf, ok := pc.Files[cleanName(ch.Name)]; ok {
			pf.Data = data
			if ch.Mode&cpio.TypeSymlink == cpio.TypeSymlink {
				pf.Data = []byte(ch.Linkname)
			}
		}
	}
	return pc, nil
}
