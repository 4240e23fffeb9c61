package hub

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/streamchain/streamchain/signaling/chain"
	"github.com/streamchain/streamchain/signaling/internal/metrics"
	"github.com/streamchain/streamchain/signaling/internal/transport"
	"github.com/streamchain/streamchain/signaling/protocol"
	"github.com/stretchr/testify/require"
)

// The hub is tested here without any WebSocket: fakePeer records what it is
// sent, fakeChain answers from a map.

type fakePeer struct {
	mu     sync.Mutex
	msgs   []map[string]any
	closed int // close code, 0 while open
	full   bool
}

func (p *fakePeer) Send(out transport.Frame) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.full {
		return false
	}
	var m map[string]any
	if err := json.Unmarshal(out.Data, &m); err != nil {
		panic(err)
	}
	p.msgs = append(p.msgs, m)
	return true
}

func (p *fakePeer) CloseWith(code int, _ string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed == 0 {
		p.closed = code
	}
}

func (p *fakePeer) Kill(code int, text string) { p.CloseWith(code, text) }

func (p *fakePeer) types() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var ts []string
	for _, m := range p.msgs {
		ts = append(ts, m["type"].(string))
	}
	return ts
}

type fakeChain struct {
	mu      sync.Mutex
	streams map[uint64]chain.StreamInfo
	subs    map[[2]string]bool
}

func (c *fakeChain) Stream(_ context.Context, id uint64) (chain.StreamInfo, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.streams[id]
	if !ok {
		return chain.StreamInfo{}, chain.ErrStreamNotFound
	}
	return s, nil
}

func (c *fakeChain) Subscribed(_ context.Context, sub, b string) (chain.Access, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return chain.Access{Held: c.subs[[2]string{sub, b}]}, nil
}

func (c *fakeChain) ProfileName(context.Context, string) (string, error) { return "", nil }

func (c *fakeChain) Ping(context.Context) error { return nil }

// recordingObserver is a LiveObserver that writes down what it is told.
type recordingObserver struct {
	mu     sync.Mutex
	events []string
}

func (o *recordingObserver) record(s string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.events = append(o.events, s)
}

func (o *recordingObserver) OnAir(id uint64)  { o.record("on_air") }
func (o *recordingObserver) OffAir(id uint64) { o.record("off_air") }
func (o *recordingObserver) ViewerCount(id uint64, n int) {
	o.record("count=" + string(rune('0'+n)))
}

// testConfig is the daemon's defaults, as far as the hub reads them.
func testConfig() Config {
	return Config{
		StartGrace: 10 * time.Minute, RecheckInterval: 30 * time.Second, ChainOutageTolerance: 2 * time.Minute,
		MaxQueuedRelayBytes: 256 << 10, MaxViewersPerStream: 50, MaxViewersPerAccountPerStream: 2, MaxViewersPerAccount: 8,
		MaxPendingCandidates: 32, MaxPendingCandidateBytes: 16 << 10, TURN: TURNConfig{TTL: 10 * time.Minute},
	}
}

// newTestHub is a hub over node, whose queries time out after
// chainTimeout (3 s when not given).
func newTestHub(t *testing.T, node chain.Chain, obs LiveObserver, chainTimeout ...time.Duration) *Hub {
	t.Helper()
	timeout := 3 * time.Second
	if len(chainTimeout) > 0 {
		timeout = chainTimeout[0]
	}
	m := metrics.NewMetrics(prometheus.NewRegistry())
	h := New(testConfig(), Deps{
		Chain:   chain.NewCache(node, 5*time.Second, 2*time.Second, timeout, time.Now, m),
		Metrics: m, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: time.Now, Observer: obs,
	})
	t.Cleanup(func() { _ = h.Drain(context.Background(), "test over") })
	return h
}

func (h *Hub) connect(t *testing.T, address string) (*Member, *fakePeer) {
	t.Helper()
	p := &fakePeer{}
	m := &Member{id: uint64(len(h.members) + 1), peerID: address + "-peer", p: p}
	require.True(t, h.Register(m))
	h.SignedIn(m, address)
	t.Cleanup(func() { h.Unregister(m) })
	return m, p
}

func TestHubWithoutWebSockets(t *testing.T) {
	now := time.Now()
	node := &fakeChain{
		streams: map[uint64]chain.StreamInfo{7: {ID: 7, Broadcaster: "alice", StartTime: now.Add(-time.Minute), EndTime: now.Add(time.Hour)}},
		subs:    map[[2]string]bool{{"bob", "alice"}: true},
	}
	obs := &recordingObserver{}
	h := newTestHub(t, node, obs)
	b, bp := h.connect(t, "alice")
	v, vp := h.connect(t, "bob")
	carol, _ := h.connect(t, "carol")

	require.Nil(t, h.Join(b, 7, RoleBroadcaster))
	require.Nil(t, h.Join(v, 7, RoleViewer))
	require.Equal(t, protocol.CodeNotSubscribed, h.Join(carol, 7, RoleViewer).Code)
	require.Equal(t, protocol.CodeNotStreamOwner, h.Join(carol, 7, RoleBroadcaster).Code)
	require.Equal(t, []string{"broadcasting", "viewer_joined", "viewer_count"}, bp.types())
	require.Equal(t, []string{"watching", "viewer_count"}, vp.types())

	// Chain events cut the viewer within the block, with no re-check.
	h.applyBlock(10, []chain.ChainEvent{{Kind: chain.EventUnsubscribed, Subscriber: "bob", Broadcaster: "alice"}})
	require.Equal(t, "removed", vp.types()[2])
	require.Equal(t, []string{"viewer_left", "viewer_count"}, bp.types()[3:])
	h.applyBlock(11, []chain.ChainEvent{{Kind: chain.EventStreamDeleted, StreamID: 7}})
	require.Equal(t, "stream_ended", bp.types()[5])
	require.Equal(t, []string{"on_air", "count=1", "count=0", "off_air", "count=0"}, obs.events)
	require.Zero(t, h.Stats().Streams)
}

// A viewer flooding its broadcaster is refused (peer_busy); the broadcaster
// keeps its connection.
func TestRelayFloodPenalisesTheSender(t *testing.T) {
	now := time.Now()
	node := &fakeChain{
		streams: map[uint64]chain.StreamInfo{1: {ID: 1, Broadcaster: "alice", StartTime: now.Add(-time.Minute), EndTime: now.Add(time.Hour)}},
		subs:    map[[2]string]bool{{"bob", "alice"}: true},
	}
	h := newTestHub(t, node, nil)
	b, bp := h.connect(t, "alice")
	v, _ := h.connect(t, "bob")
	require.Nil(t, h.Join(b, 1, RoleBroadcaster))
	require.Nil(t, h.Join(v, 1, RoleViewer))
	answer := transport.Frame{Data: []byte(`{"type":"answer"}`), RelayType: protocol.TypeAnswer, Charge: &v.queued}
	require.Nil(t, h.Relay(v, protocol.ClientMessage{Type: protocol.TypeAnswer, To: b.peerID}, answer))

	bp.mu.Lock()
	bp.full = true // the broadcaster's queue is full of this viewer's messages
	bp.mu.Unlock()
	cand := transport.Frame{Data: []byte(`{"type":"candidate"}`), RelayType: protocol.TypeCandidate, Charge: &v.queued}
	perr := h.Relay(v, protocol.ClientMessage{Type: protocol.TypeCandidate, To: b.peerID}, cand)
	require.Equal(t, protocol.CodePeerBusy, perr.Code)
	require.Zero(t, bp.closed, "the broadcaster must not be dropped for its viewer's flood")
}

func TestDrainWaitsForNothingWhenTheChainHangs(t *testing.T) {
	h := newTestHub(t, hangingChain{}, nil, time.Hour)
	m, _ := h.connect(t, "alice")
	done := make(chan *protocol.ProtocolError, 1)
	go func() { done <- h.Join(m, 1, RoleBroadcaster) }()
	time.Sleep(20 * time.Millisecond) // let the query start
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	go func() { <-done; h.Unregister(m) }()
	err := h.Drain(ctx, "bye")
	require.True(t, err == nil || errors.Is(err, context.DeadlineExceeded), "%v", err)
}

type hangingChain struct{}

func (hangingChain) Stream(ctx context.Context, _ uint64) (chain.StreamInfo, error) {
	<-ctx.Done()
	return chain.StreamInfo{}, chain.ErrChainUnavailable
}

func (hangingChain) Subscribed(ctx context.Context, _, _ string) (chain.Access, error) {
	<-ctx.Done()
	return chain.Access{}, chain.ErrChainUnavailable
}

func (hangingChain) ProfileName(ctx context.Context, _ string) (string, error) {
	<-ctx.Done()
	return "", chain.ErrChainUnavailable
}

func (hangingChain) Ping(ctx context.Context) error {
	<-ctx.Done()
	return chain.ErrChainUnavailable
}
