package azuritetest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
)

func TestStartServesBlobs(t *testing.T) {
	s := Start(t)
	if !strings.Contains(s.ConnectionString, "BlobEndpoint=http://127.0.0.1:") {
		t.Fatalf("connection string %q", s.ConnectionString)
	}
	c := putBlob(t, s, "ctr", "b", "hello")
	ctx := context.Background()
	pager := c.NewListBlobsFlatPager("ctr", nil)
	page, err := pager.NextPage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Segment.BlobItems) != 1 || *page.Segment.BlobItems[0].Name != "b" {
		t.Fatalf("listing %+v", page.Segment.BlobItems)
	}
}

// TestRestartKeepsData: a Stop right after writing, then Start, serves the
// container and blob again (an outage must not wipe the checkpoint store).
func TestRestartKeepsData(t *testing.T) {
	s := Start(t)
	c := putBlob(t, s, "kept", "cp", "42")
	ctx := context.Background()
	s.Stop()
	if _, err := c.UploadBuffer(ctx, "kept", "down", []byte("x"), nil); err == nil {
		t.Fatal("upload succeeded while Azurite was stopped")
	}
	if err := s.Start(30 * time.Second); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 2)
	if _, err := c.DownloadBuffer(ctx, "kept", "cp", buf, nil); err != nil {
		t.Fatalf("blob written before the restart: %v", err)
	}
	if string(buf) != "42" {
		t.Fatalf("blob content %q after restart", buf)
	}
}

// putBlob creates container ctr on s with one blob and returns the client.
func putBlob(t *testing.T, s *Server, ctr, name, data string) *azblob.Client {
	t.Helper()
	c, err := azblob.NewClientFromConnectionString(s.ConnectionString, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := c.CreateContainer(ctx, ctr, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UploadBuffer(ctx, ctr, name, []byte(data), nil); err != nil {
		t.Fatal(err)
	}
	return c
}
