package eventhub

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/messaging/azeventhubs/v2"
	"github.com/Azure/azure-sdk-for-go/sdk/messaging/azeventhubs/v2/checkpoints"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
)

// containerClient builds the client of the checkpoint container.
func (in *eventHubInput) containerClient() (*container.Client, error) {
	c := in.cfg
	opts := &container.ClientOptions{}
	if c.ProxyURL != "" || in.tls != nil {
		tr := &http.Transport{Proxy: http.ProxyFromEnvironment}
		if c.ProxyURL != "" {
			u, _ := url.Parse(c.ProxyURL) // validated
			tr.Proxy = http.ProxyURL(u)
		}
		if in.tls != nil {
			tr.TLSClientConfig = in.tls.BuildModuleClientConfig(hostOnly(in.storageHost()))
		}
		opts.Transport = &http.Client{Transport: tr}
	}
	if c.StorageAccountConnectionString != "" {
		cc, err := container.NewClientFromConnectionString(c.StorageAccountConnectionString, c.StorageAccountContainer, opts)
		if err != nil {
			return nil, fmt.Errorf("storage_account_connection_string: %s", redact(err))
		}
		return cc, nil
	}
	u := fmt.Sprintf("https://%s.blob.%s/%s", c.StorageAccount, c.StorageAccountEndpointSuffix, c.StorageAccountContainer)
	if c.StorageAccountKey != "" {
		cred, err := azblob.NewSharedKeyCredential(c.StorageAccount, c.StorageAccountKey)
		if err != nil {
			return nil, fmt.Errorf("storage_account_key: not a valid account key")
		}
		return container.NewClientWithSharedKeyCredential(u, cred, opts)
	}
	cred, err := in.credential()
	if err != nil {
		return nil, err
	}
	return container.NewClient(u, cred, opts)
}

// storageHost is the host of the blob endpoint.
func (in *eventHubInput) storageHost() string {
	c := in.cfg
	if c.StorageAccountConnectionString != "" {
		cc, err := container.NewClientFromConnectionString(c.StorageAccountConnectionString, c.StorageAccountContainer, nil)
		if err != nil {
			return ""
		}
		if u, err := url.Parse(cc.URL()); err == nil {
			return u.Host
		}
		return ""
	}
	return c.StorageAccount + ".blob." + c.StorageAccountEndpointSuffix
}

// ensureContainer creates the checkpoint container when it is missing.
func ensureContainer(ctx context.Context, cc *container.Client) error {
	_, err := cc.Create(ctx, nil)
	if err == nil || bloberror.HasCode(err, bloberror.ContainerAlreadyExists) {
		return nil
	}
	return err
}

// checkpointStore returns the blob store, or the in-memory one when no
// storage is configured.
func (in *eventHubInput) checkpointStore(ctx context.Context, m *metrics) (azeventhubs.CheckpointStore, error) {
	if !in.cfg.hasStorage() {
		if in.memStore == nil {
			in.log.Warnw("No storage account configured: checkpoints and partition ownership are kept in memory and NOT persisted; a restart reads from start_position again and instances cannot share the hub.",
				"start_position", in.cfg.StartPosition)
			in.memStore = newMemoryStore() // kept across processor restarts
		}
		return in.memStore, nil
	}
	cc, err := in.containerClient()
	if err != nil {
		return nil, err
	}
	if err := ensureContainer(ctx, cc); err != nil {
		return nil, fmt.Errorf("storage_account_container %q: %s", in.cfg.StorageAccountContainer, redact(err))
	}
	bs, err := checkpoints.NewBlobStore(cc, nil)
	if err != nil {
		return nil, err
	}
	return &healingStore{CheckpointStore: bs, cc: cc, name: in.cfg.StorageAccountContainer, log: in.log, created: m.containerCreated}, nil
}

// redact keeps the first line of an SDK error (the rest may echo request
// URLs with SAS signatures).
func redact(err error) string {
	s := err.Error()
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if i := strings.Index(s, "?"); i >= 0 && strings.Contains(s[i:], "sig=") {
		s = s[:i] + "?<redacted>"
	}
	return s
}

var _ policy.Transporter = (*http.Client)(nil)

// memoryStore is an azeventhubs.CheckpointStore in memory with the blob
// store's optimistic concurrency (ETags), for one process.
type memoryStore struct {
	mu          sync.Mutex
	n           int
	ownerships  map[string]azeventhubs.Ownership
	checkpoints map[string]azeventhubs.Checkpoint
}

func newMemoryStore() *memoryStore {
	return &memoryStore{ownerships: map[string]azeventhubs.Ownership{}, checkpoints: map[string]azeventhubs.Checkpoint{}}
}

func storeKey(ns, hub, cg, pid string) string {
	return strings.ToLower(ns) + "/" + strings.ToLower(hub) + "/" + strings.ToLower(cg) + "/" + pid
}

func (s *memoryStore) ClaimOwnership(_ context.Context, want []azeventhubs.Ownership, _ *azeventhubs.ClaimOwnershipOptions) ([]azeventhubs.Ownership, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var got []azeventhubs.Ownership
	for _, o := range want {
		k := storeKey(o.FullyQualifiedNamespace, o.EventHubName, o.ConsumerGroup, o.PartitionID)
		cur, exists := s.ownerships[k]
		if exists && (o.ETag == nil || cur.ETag == nil || *o.ETag != *cur.ETag) {
			continue
		}
		s.n++
		etag := azcore.ETag(strconv.Itoa(s.n))
		o.ETag = &etag
		o.LastModifiedTime = time.Now().UTC()
		s.ownerships[k] = o
		got = append(got, o)
	}
	return got, nil
}

func (s *memoryStore) ListCheckpoints(_ context.Context, ns, hub, cg string, _ *azeventhubs.ListCheckpointsOptions) ([]azeventhubs.Checkpoint, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	prefix := storeKey(ns, hub, cg, "")
	var out []azeventhubs.Checkpoint
	for k, c := range s.checkpoints {
		if strings.HasPrefix(k, prefix) {
			out = append(out, c)
		}
	}
	return out, nil
}

func (s *memoryStore) ListOwnership(_ context.Context, ns, hub, cg string, _ *azeventhubs.ListOwnershipOptions) ([]azeventhubs.Ownership, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	prefix := storeKey(ns, hub, cg, "")
	var out []azeventhubs.Ownership
	for k, o := range s.ownerships {
		if strings.HasPrefix(k, prefix) {
			out = append(out, o)
		}
	}
	return out, nil
}

func (s *memoryStore) SetCheckpoint(_ context.Context, c azeventhubs.Checkpoint, _ *azeventhubs.SetCheckpointOptions) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.checkpoints[storeKey(c.FullyQualifiedNamespace, c.EventHubName, c.ConsumerGroup, c.PartitionID)] = c
	return nil
}
