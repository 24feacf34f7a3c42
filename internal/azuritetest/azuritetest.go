// Package azuritetest starts Azurite (the Azure Storage emulator, npm
// package "azurite") for tests that need real Blob storage.
//
// The executable is found from, in order: the AZURITE_BIN environment
// variable, "azurite" on PATH, and .ci/node_modules/.bin/azurite relative
// to the repository root (where .ci/run installs it with
// `npm install --prefix .ci azurite`). Tests skip with a message when none
// exists. When an "azurite-blob" executable sits beside the one found, it
// is preferred: only the Blob service is started.
package azuritetest

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/m365beat/m365beat/internal/testenv"
)

// Account and key are Azurite's well-known development credentials.
const (
	Account = "devstoreaccount1"
	Key     = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)

// Server is an Azurite Blob service on a fixed port and storage
// directory; it can be stopped and started again (outage tests).
type Server struct {
	// BlobEndpoint is http://127.0.0.1:<port>/devstoreaccount1.
	BlobEndpoint string
	// ConnectionString has an explicit BlobEndpoint=.
	ConnectionString string

	bin, dir string
	port     int
	mu       sync.Mutex
	cmd      *exec.Cmd
	done     chan struct{}
	out      lockedBuffer
}

// Find returns the azurite executable or an explanation of why none was found.
func Find() (string, error) {
	if p := os.Getenv("AZURITE_BIN"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("AZURITE_BIN=%s: %v", p, err)
		}
		return p, nil
	}
	if p, err := exec.LookPath("azurite"); err == nil {
		return p, nil
	}
	if root, err := testenv.RepoRoot(); err == nil {
		p := filepath.Join(root, ".ci", "node_modules", ".bin", "azurite")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("azurite not installed: set AZURITE_BIN, put azurite on PATH or run `npm install --prefix .ci azurite` at the repository root")
}

// Start starts Azurite on a free loopback port, stopped at the end of the
// test. It skips the test when Azurite is not installed.
func Start(t testing.TB) *Server {
	t.Helper()
	if _, err := Find(); err != nil {
		t.Skip(err.Error())
	}
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		s, err := New(t.TempDir())
		if err == nil {
			err = s.Start(30 * time.Second)
		}
		if err == nil {
			t.Cleanup(s.Stop)
			return s
		}
		lastErr = err
	}
	t.Fatalf("azurite: %v", lastErr)
	return nil
}

// New prepares (does not start) Azurite storing in dir, on a free port.
func New(dir string) (*Server, error) {
	bin, err := Find()
	if err != nil {
		return nil, err
	}
	if blob := filepath.Join(filepath.Dir(bin), "azurite-blob"); filepath.Base(bin) == "azurite" {
		if _, err := os.Stat(blob); err == nil {
			bin = blob
		}
	}
	port, err := testenv.FreePort()
	if err != nil {
		return nil, err
	}
	endpoint := "http://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(port)) + "/" + Account
	return &Server{
		BlobEndpoint: endpoint,
		ConnectionString: "DefaultEndpointsProtocol=http;AccountName=" + Account +
			";AccountKey=" + Key + ";BlobEndpoint=" + endpoint + ";",
		bin: bin, dir: dir, port: port,
	}, nil
}

// Start (re)starts the service on its port and waits up to timeout for it
// to listen.
func (s *Server) Start(timeout time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	args := []string{"--blobHost", "127.0.0.1", "--blobPort", strconv.Itoa(s.port),
		"--location", s.dir, "--skipApiVersionCheck", "--disableTelemetry", "--loose"}
	if filepath.Base(s.bin) == "azurite" {
		qp, err1 := testenv.FreePort()
		tp, err2 := testenv.FreePort()
		if err1 != nil || err2 != nil {
			return fmt.Errorf("no free port")
		}
		args = append(args, "--queueHost", "127.0.0.1", "--queuePort", strconv.Itoa(qp),
			"--tableHost", "127.0.0.1", "--tablePort", strconv.Itoa(tp))
	}
	cmd := exec.Command(s.bin, args...)
	cmd.Stdout, cmd.Stderr = &s.out, &s.out
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port))
	deadline := time.Now().Add(timeout)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			break
		}
		select {
		case <-done:
			return fmt.Errorf("azurite exited: %s", s.out.String())
		default:
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			<-done
			return fmt.Errorf("azurite did not listen on %s within %v: %s", addr, timeout, s.out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.cmd, s.done = cmd, done
	return nil
}

// Stop shuts the service down (the port refuses connections until Start).
// It asks with SIGTERM first: Azurite keeps its metadata in memory and
// saves it every 5 s and on shutdown, so a kill right after a container
// was created would lose the container — storage that real Azure keeps
// through an outage. It kills after 10 s.
func (s *Server) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
	}
	s.cmd = nil
}

// Output is what Azurite printed so far.
func (s *Server) Output() string { return s.out.String() }

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
