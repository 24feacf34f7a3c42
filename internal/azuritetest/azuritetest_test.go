package azuritetest

import (
	"context"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
)

func TestStartServesBlobs(t *testing.T) {
	s := Start(t)
	if !strings.Contains(s.ConnectionString, "BlobEndpoint=http://127.0.0.1:") {
		t.Fatalf("connection string %q", s.ConnectionString)
	}
	c, err := azblob.NewClientFromConnectionString(s.ConnectionString, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := c.CreateContainer(ctx, "ctr", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UploadBuffer(ctx, "ctr", "b", []byte("hello"), nil); err != nil {
		t.Fatal(err)
	}
	pager := c.NewListBlobsFlatPager("ctr", nil)
	page, err := pager.NextPage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Segment.BlobItems) != 1 || *page.Segment.BlobItems[0].Name != "b" {
		t.Fatalf("listing %+v", page.Segment.BlobItems)
	}
}
