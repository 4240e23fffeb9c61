// Package signalingtest holds fixtures for testing the signaling daemon and
// its clients: an in-memory x/streaming Query service on a real gRPC server,
// a wallet that signs like Keplr's signArbitrary, and a WebSocket test client.
package signalingtest

import (
	"context"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/streamchain/streamchain/signaling/chain"
	"github.com/streamchain/streamchain/x/streaming/types"
)

// Chain serves the streaming module's Query service from in-memory fixtures
// on a loopback gRPC server. It can be stopped and started again on the same
// address to play a node going down and coming back.
type Chain struct {
	types.UnimplementedQueryServer

	mu      sync.Mutex
	addr    string
	srv     *grpc.Server
	done    chan struct{}
	nextID  uint64
	streams map[uint64]types.Stream
	subs    map[[2]string]time.Time
	expiry  map[[2]string]time.Time // paid subscriptions' expiry
	names   map[string]string
	calls   map[string]int
	hang    chan struct{} // non-nil: queries wait for it to close (or their context)
}

// NewChain starts a fixture chain; it stops when the test ends.
func NewChain(t testing.TB) *Chain {
	t.Helper()
	c := &Chain{
		nextID:  1,
		streams: make(map[uint64]types.Stream),
		subs:    make(map[[2]string]time.Time),
		expiry:  make(map[[2]string]time.Time),
		names:   make(map[string]string),
		calls:   make(map[string]int),
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	c.addr = lis.Addr().String()
	c.serve(lis)
	t.Cleanup(c.Stop)
	return c
}

// Addr is the gRPC endpoint, host:port.
func (c *Chain) Addr() string { return c.addr }

func (c *Chain) serve(lis net.Listener) {
	srv := grpc.NewServer(grpc.ForceServerCodec(chain.GogoCodec{}))
	types.RegisterQueryServer(srv, c)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(lis)
	}()
	c.mu.Lock()
	c.srv, c.done = srv, done
	c.mu.Unlock()
}

// Stop takes the node down: the listener closes and open connections drop.
func (c *Chain) Stop() {
	c.Resume()
	c.mu.Lock()
	srv, done := c.srv, c.done
	c.srv, c.done = nil, nil
	c.mu.Unlock()
	if srv != nil {
		srv.Stop()
		<-done
	}
}

// Start brings a stopped node back on the same address.
func (c *Chain) Start(t testing.TB) {
	t.Helper()
	var lis net.Listener
	var err error
	for range 50 {
		if lis, err = net.Listen("tcp", c.addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("listen again on %s: %v", c.addr, err)
	}
	c.serve(lis)
}

// AddStream schedules a stream and returns its id.
func (c *Chain) AddStream(broadcaster string, start, end time.Time) uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	id := c.nextID
	c.nextID++
	c.streams[id] = types.Stream{
		Id: id, Broadcaster: broadcaster, Title: fmt.Sprintf("stream %d", id),
		StartTime: start.UTC(), EndTime: end.UTC(), CreatedAt: time.Now().UTC(),
	}
	return id
}

// SetSchedule changes a stream's times.
func (c *Chain) SetSchedule(id uint64, start, end time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.streams[id]
	s.StartTime, s.EndTime = start.UTC(), end.UTC()
	c.streams[id] = s
}

// DeleteStream removes a stream.
func (c *Chain) DeleteStream(id uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.streams, id)
}

// Subscribe makes subscriber follow broadcaster.
func (c *Chain) Subscribe(subscriber, broadcaster string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.subs[[2]string{subscriber, broadcaster}] = time.Now().UTC()
}

// SubscribeUntil makes subscriber follow broadcaster on a paid
// subscription that expires at until (a renewal when it exists).
func (c *Chain) SubscribeUntil(subscriber, broadcaster string, until time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	k := [2]string{subscriber, broadcaster}
	if _, ok := c.subs[k]; !ok {
		c.subs[k] = time.Now().UTC()
	}
	c.expiry[k] = until.UTC()
}

// Unsubscribe ends a subscription.
func (c *Chain) Unsubscribe(subscriber, broadcaster string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.subs, [2]string{subscriber, broadcaster})
	delete(c.expiry, [2]string{subscriber, broadcaster})
}

// Calls is how many times a Query method (e.g. "Stream") was served.
func (c *Chain) Calls(method string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.calls[method]
}

// Hang makes every query wait, as a node that accepts connections but never
// answers does, until Resume or the query's own deadline.
func (c *Chain) Hang() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.hang == nil {
		c.hang = make(chan struct{})
	}
}

// Resume answers queries again.
func (c *Chain) Resume() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.hang != nil {
		close(c.hang)
		c.hang = nil
	}
}

// count records a call and waits while the chain hangs.
func (c *Chain) count(ctx context.Context, method string) error {
	c.mu.Lock()
	c.calls[method]++
	hang := c.hang
	c.mu.Unlock()
	if hang == nil {
		return nil
	}
	select {
	case <-hang:
		return nil
	case <-ctx.Done():
		return status.FromContextError(ctx.Err()).Err()
	}
}

func (c *Chain) Params(ctx context.Context, _ *types.QueryParamsRequest) (*types.QueryParamsResponse, error) {
	if err := c.count(ctx, "Params"); err != nil {
		return nil, err
	}
	return &types.QueryParamsResponse{}, nil
}

func (c *Chain) Stream(ctx context.Context, req *types.QueryStreamRequest) (*types.QueryStreamResponse, error) {
	if err := c.count(ctx, "Stream"); err != nil {
		return nil, err
	}
	if req.StreamId == 0 {
		return nil, status.Error(codes.InvalidArgument, "stream_id must be set")
	}
	c.mu.Lock()
	s, ok := c.streams[req.StreamId]
	c.mu.Unlock()
	if !ok {
		return nil, status.Errorf(codes.NotFound, "stream %d not found", req.StreamId)
	}
	now := time.Now().UTC()
	st := types.STREAM_STATUS_LIVE
	switch {
	case now.Before(s.StartTime):
		st = types.STREAM_STATUS_UPCOMING
	case !now.Before(s.EndTime):
		st = types.STREAM_STATUS_ENDED
	}
	return &types.QueryStreamResponse{Stream: s, Status: st, BlockTime: now}, nil
}

func (c *Chain) Subscription(ctx context.Context, req *types.QuerySubscriptionRequest) (*types.QuerySubscriptionResponse, error) {
	if err := c.count(ctx, "Subscription"); err != nil {
		return nil, err
	}
	if req.Subscriber == "" || req.Broadcaster == "" {
		return nil, status.Error(codes.InvalidArgument, "subscriber and broadcaster must be set")
	}
	c.mu.Lock()
	since, ok := c.subs[[2]string{req.Subscriber, req.Broadcaster}]
	until, paid := c.expiry[[2]string{req.Subscriber, req.Broadcaster}]
	c.mu.Unlock()
	if !ok {
		return &types.QuerySubscriptionResponse{}, nil
	}
	if !paid {
		return &types.QuerySubscriptionResponse{Subscribed: true, Since: &since}, nil
	}
	// As the chain answers: past its expiry (by the clock here), a paid
	// subscription gives no access, even before it is removed.
	if !time.Now().Before(until) {
		return &types.QuerySubscriptionResponse{ExpiresAt: &until}, nil
	}
	return &types.QuerySubscriptionResponse{Subscribed: true, Since: &since, ExpiresAt: &until}, nil
}

// SetProfile gives address a profile named name.
func (c *Chain) SetProfile(address, name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.names[address] = name
}

func (c *Chain) Profile(ctx context.Context, req *types.QueryProfileRequest) (*types.QueryProfileResponse, error) {
	if err := c.count(ctx, "Profile"); err != nil {
		return nil, err
	}
	c.mu.Lock()
	name, ok := c.names[req.Address]
	c.mu.Unlock()
	if !ok {
		return nil, status.Errorf(codes.NotFound, "no profile for %s", req.Address)
	}
	return &types.QueryProfileResponse{Profile: types.Profile{Address: req.Address, Name: name}}, nil
}
