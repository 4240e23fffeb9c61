package signaling

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/streamchain/streamchain/signaling/chain"
	"github.com/streamchain/streamchain/signaling/internal/metrics"
	"github.com/streamchain/streamchain/signaling/internal/transport"
	"github.com/streamchain/streamchain/signaling/protocol"
)

// Hub owns every session's place in streams: who is connected, who
// broadcasts or watches what. One mutex guards it; nothing under it blocks
// (chain queries happen before taking it, sends only queue). Its pieces live
// in their own files: registry and drain here, join admission (join.go),
// relay and early candidates (relay.go), stream lifecycle and end timers
// (lifecycle.go), TURN credentials (turn.go), the periodic re-check
// (recheck.go) and revocation from chain events (revoke.go).
type Hub struct {
	cfg      Config
	chain    *chain.Cache
	m        *metrics.Metrics
	log      *slog.Logger
	now      func() time.Time
	observer LiveObserver
	feed     EventFeed
	// router says where sessions live (router.go). Set before the first
	// connection, never changed.
	router Router

	mu        sync.Mutex
	rooms     map[uint64]*room
	members   map[*member]struct{}
	watching  map[string]int // viewer sessions per account, over all streams
	closed    bool
	wg        sync.WaitGroup // one per registered member
	feedState atomic.Int32   // feedOff, feedUp or feedLost

	ctx      context.Context // cancelled by drain: in-flight chain queries give up
	cancel   context.CancelFunc
	stopOnce sync.Once
	stop     chan struct{}
	loops    sync.WaitGroup // the re-check loop and the event feed
	recheckC chan struct{}  // asks the re-check loop for a round now
}

// member is one connection's place in the hub. The transport behind it is
// only a peer; the role and the stream are the hub's, under its lock.
type member struct {
	id     uint64
	peerID string
	ip     string
	p      peer
	// seat names this member's entry in the Router's per-account viewer
	// count while it watches ("" when the Router keeps none).
	seat string
	// busy counts the peer_busy refusals of this member's relays in a
	// row. Only the one goroutine that hands its messages to the hub (its
	// connection's reader, or its worker for a connection of another
	// instance) touches it.
	busy int
	// queued counts the bytes this member's relayed messages occupy in
	// other peers' send queues (the writers pay them back).
	queued atomic.Int64

	// Guarded by the hub's mutex.
	address string // set once, at sign-in
	role    role
	room    *room
	// turnRenewal sends fresh TURN credentials while in a session
	// (turnrenew.go).
	turnRenewal *time.Timer
}

// peer is all the hub needs of a connection: queue a message without
// blocking, and close. A hub test can stand in for a WebSocket with any
// implementation of it.
type peer interface {
	// Send queues out; false means the queue is full and nothing was queued.
	Send(out transport.Frame) bool
	// CloseWith flushes what is queued, sends a close frame and hangs up.
	CloseWith(code int, text string)
	// Kill hangs up at once.
	Kill(code int, text string)
}

type role uint8

const (
	roleNone role = iota
	roleBroadcaster
	roleViewer
)

// event queues a message the peer needs (a session event). A peer that
// lets its queue fill up with those is not reading: it is dropped.
func (m *member) event(out transport.Frame) {
	if !m.p.Send(out) {
		m.p.Kill(protocol.CloseSlowConsumer, "send queue full")
	}
}

func newHub(cfg Config, chain *chain.Cache, m *metrics.Metrics, log *slog.Logger, now func() time.Time, obs LiveObserver, feed EventFeed) *Hub {
	ctx, cancel := context.WithCancel(context.Background())
	if obs == nil {
		obs = noObserver{}
	}
	h := &Hub{
		cfg: cfg, chain: chain, m: m, log: log, now: now, observer: obs, feed: feed, router: newLocalRouter(),
		rooms:    make(map[uint64]*room),
		members:  make(map[*member]struct{}),
		watching: make(map[string]int),
		ctx:      ctx,
		cancel:   cancel,
		stop:     make(chan struct{}),
		recheckC: make(chan struct{}, 1),
	}
	h.loops.Add(1)
	go h.recheckLoop()
	if feed != nil {
		h.feedState.Store(feedLost)
		h.loops.Add(1)
		go h.followEvents()
	}
	return h
}

func (h *Hub) register(m *member) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return false
	}
	h.members[m] = struct{}{}
	h.wg.Add(1)
	return true
}

func (h *Hub) unregister(m *member) { h.unregisterWith(m, protocol.ReasonDisconnected) }

// unregisterWith ends m's session, telling the others why, and forgets m.
func (h *Hub) unregisterWith(m *member, reason string) {
	h.mu.Lock()
	if _, ok := h.members[m]; !ok {
		h.mu.Unlock()
		return
	}
	h.detachLocked(m, reason)
	delete(h.members, m)
	h.mu.Unlock()
	h.router.gone(m)
	h.wg.Done()
}

// addressOf is m's signed-in address.
func (h *Hub) addressOf(m *member) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return m.address
}

func (h *Hub) signedIn(m *member, address string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	m.address = address
}

// attachedLocked is false once a member is gone; a join that waited on the
// chain must not resurrect it.
func (h *Hub) attachedLocked(m *member) bool {
	_, ok := h.members[m]
	return ok
}

// drain closes every connection with a going-away close frame and reason, and
// waits for them to finish; when ctx ends first it drops the rest. In-flight
// chain queries are cancelled first, so nothing waits on a hanging node.
func (h *Hub) drain(ctx context.Context, reason string) error {
	h.mu.Lock()
	h.closed = true
	peers := make([]peer, 0, len(h.members))
	for m := range h.members {
		peers = append(peers, m.p)
	}
	h.mu.Unlock()
	h.cancel()
	h.stopOnce.Do(func() { close(h.stop) })

	for _, p := range peers {
		p.CloseWith(protocol.CloseServerDrained, reason)
	}
	done := make(chan struct{})
	go func() {
		h.wg.Wait()
		h.loops.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		for _, p := range peers {
			p.Kill(protocol.CloseServerDrained, reason)
		}
		<-done
		return ctx.Err()
	}
}

// Stats is a snapshot of the hub, for the internal health endpoint and tests.
type Stats struct {
	Connections           int `json:"connections"`
	Streams               int `json:"streams"`
	LiveStreams           int `json:"live_streams"`
	Viewers               int `json:"viewers"`
	PendingCandidates     int `json:"pending_candidates"`
	PendingCandidateBytes int `json:"pending_candidate_bytes"`
	Nonces                int `json:"nonces"`
}

func (h *Hub) stats() Stats {
	h.mu.Lock()
	defer h.mu.Unlock()
	s := Stats{Connections: len(h.members), Streams: len(h.rooms)}
	for _, r := range h.rooms {
		if r.broadcaster != nil {
			s.LiveStreams++
		}
		s.Viewers += len(r.viewers)
		for _, v := range r.viewers {
			s.PendingCandidates += len(v.toViewer.items) + len(v.toBroadcaster.items)
			s.PendingCandidateBytes += v.toViewer.bytes + v.toBroadcaster.bytes
		}
	}
	return s
}
