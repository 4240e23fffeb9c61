package hub

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/streamchain/streamchain/signaling/chain"
	"github.com/streamchain/streamchain/signaling/internal/chat"
	"github.com/streamchain/streamchain/signaling/internal/expiring"
	"github.com/streamchain/streamchain/signaling/internal/metrics"
	"github.com/streamchain/streamchain/signaling/internal/sfu"
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
	feed     chain.EventFeed
	// router says where sessions live (router.go).
	router Router
	// chat keeps each stream's chat (chat.go).
	chat *chat.Chat
	// sfu is the media server tier, nil without one (sfu.go).
	sfu    *sfu.Tier
	nextID atomic.Uint64 // numbers the members

	mu    sync.Mutex
	rooms map[uint64]*room
	// tipsShown are the tips already shown in chat, by event key.
	tipsShown *expiring.Map[string, struct{}]
	members   map[*Member]struct{}
	watching  map[string]int // viewer sessions per account, over all streams
	closed    bool
	wg        sync.WaitGroup // one per registered Member
	feedState atomic.Int32   // feedOff, feedUp or feedLost

	ctx      context.Context // cancelled by drain: in-flight chain queries give up
	cancel   context.CancelFunc
	stopOnce sync.Once
	stop     chan struct{}
	loops    sync.WaitGroup // the re-check loop and the event feed
	releases sync.WaitGroup // media server publications and subscriptions being ended (sfu.go)
	recheckC chan struct{}  // asks the re-check loop for a round now
}

// Member is one connection's place in the hub. The transport behind it is
// only a peer; the Role and the stream are the hub's, under its lock.
type Member struct {
	id     uint64
	peerID string
	p      Peer
	// seat names this Member's entry in the Router's per-account viewer
	// count while it watches ("" when the Router keeps none).
	seat string
	// busy counts the peer_busy refusals of this Member's relays in a
	// row. Only the one goroutine that hands its messages to the hub (its
	// connection's reader, or its worker for a connection of another
	// instance) touches it.
	busy int
	// queued counts the bytes this Member's relayed messages occupy in
	// other peers' send queues (the writers pay them back).
	queued atomic.Int64

	// Guarded by the hub's mutex.
	address string // set once, at sign-in
	name    string // the account's profile name, read at its first join (chat lines carry it)
	Role    Role
	room    *room
	// turnRenewal sends fresh TURN credentials while in a session
	// (turnrenew.go).
	turnRenewal *time.Timer
	// directCapacity is what the member's next broadcast asks for (nil:
	// the server's default; sfu.go).
	directCapacity *int
	// chatMuted: the broadcaster muted this account on the stream it
	// watches, as read at its join (told to it then, chat.go).
	chatMuted bool
}

// SetDirectCapacity records the direct capacity m's next broadcast asks
// for (nil: the server's default). Its connection's goroutine sets it
// before Join, which reads it.
func (h *Hub) SetDirectCapacity(m *Member, n *int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	m.directCapacity = n
}

// DirectCapacity is what m's next broadcast asks for.
func (h *Hub) DirectCapacity(m *Member) *int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return m.directCapacity
}

// peer is all the hub needs of a connection: queue a message without
// blocking, and close. A hub test can stand in for a WebSocket with any
// implementation of it.
type Peer interface {
	// Send queues out; false means the queue is full and nothing was queued.
	Send(out transport.Frame) bool
	// CloseWith flushes what is queued, sends a close frame and hangs up.
	CloseWith(code int, text string)
	// Kill hangs up at once.
	Kill(code int, text string)
}

type Role uint8

const (
	RoleNone Role = iota
	RoleBroadcaster
	RoleViewer
)

// NewMember makes the member of a connection, here or on another
// instance, whose transport is p; address is "" until it signs in.
func (h *Hub) NewMember(peerID, address string, p Peer) *Member {
	return &Member{id: h.nextID.Add(1), peerID: peerID, address: address, p: p}
}

// ID numbers the member in its hub.
func (m *Member) ID() uint64 { return m.id }

// PeerID names the member to the other side of its session.
func (m *Member) PeerID() string { return m.peerID }

// Peer is the member's transport.
func (m *Member) Peer() Peer { return m.p }

// Queued counts the bytes the member's relayed messages occupy in other
// peers' send queues: relayed frames charge it.
func (m *Member) Queued() *atomic.Int64 { return &m.queued }

// Event queues a message the peer needs (a session event). A peer that
// lets its queue fill up with those is not reading: it is dropped.
func (m *Member) Event(out transport.Frame) {
	if !m.p.Send(out) {
		m.p.Kill(protocol.CloseSlowConsumer, "send queue full")
	}
}

// Config is what the hub enforces; the server's Config carries each field
// under the same name.
type Config struct {
	StartGrace                    time.Duration
	ICEServers                    []protocol.ICEServer
	TURN                          TURNConfig
	RecheckInterval               time.Duration
	ChainOutageTolerance          time.Duration
	MaxQueuedRelayBytes           int64
	MaxViewersPerStream           int
	MaxViewersPerAccountPerStream int
	MaxViewersPerAccount          int
	MaxPendingCandidates          int
	MaxPendingCandidateBytes      int
	// MaxDirectViewers bounds a stream's direct capacity when there is a
	// media server tier (PROTOCOL.md §4.4).
	MaxDirectViewers int
}

// TURNConfig configures ephemeral TURN credentials: username
// "<expiry unix>:<peer id>", credential base64(HMAC-SHA1(Secret, username)).
type TURNConfig struct {
	URLs   []string
	Secret string
	TTL    time.Duration
}

// Deps are what a hub works with.
type Deps struct {
	// Chain answers every join and re-check.
	Chain   *chain.Cache
	Metrics *metrics.Metrics
	Log     *slog.Logger
	Now     func() time.Time
	// Observer is told what goes on and off air (nil: nobody).
	Observer LiveObserver
	// Feed is the chain's committed events (nil: the re-check alone
	// revokes).
	Feed chain.EventFeed
	// Router says where sessions live (nil: all of them here).
	Router Router
	// Chat keeps the streams' chat (nil: in this process's memory).
	Chat *chat.Chat
	// SFU is the media server tier (nil: viewers watch peer to peer only).
	SFU *sfu.Tier
}

// New starts a hub: its re-check loop, and its event feed when it has one.
func New(cfg Config, d Deps) *Hub {
	ctx, cancel := context.WithCancel(context.Background())
	if d.Observer == nil {
		d.Observer = noObserver{}
	}
	if d.Router == nil {
		d.Router = Here{}
	}
	if d.Chat == nil {
		d.Chat = chat.New(chat.NewMemoryStore(ChatTTL, d.Now), chat.Limits{}, d.Now)
	}
	h := &Hub{
		cfg: cfg, chain: d.Chain, m: d.Metrics, log: d.Log, now: d.Now, observer: d.Observer, feed: d.Feed, router: d.Router, chat: d.Chat, sfu: d.SFU,
		rooms:     make(map[uint64]*room),
		tipsShown: expiring.New[string, struct{}](d.Now, 10_000, nil),
		members:   make(map[*Member]struct{}),
		watching:  make(map[string]int),
		ctx:       ctx,
		cancel:    cancel,
		stop:      make(chan struct{}),
		recheckC:  make(chan struct{}, 1),
	}
	h.loops.Add(1)
	go h.recheckLoop()
	if h.feed != nil {
		h.feedState.Store(feedLost)
		h.loops.Add(1)
		go h.followEvents()
	}
	return h
}

// Register adds m to the hub; false once the hub drains.
func (h *Hub) Register(m *Member) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return false
	}
	h.members[m] = struct{}{}
	h.wg.Add(1)
	return true
}

// Unregister ends m's session (its connection ended) and forgets m.
func (h *Hub) Unregister(m *Member) { h.UnregisterWith(m, protocol.ReasonDisconnected) }

// UnregisterWith ends m's session, telling the others why, and forgets m.
func (h *Hub) UnregisterWith(m *Member, reason string) {
	h.mu.Lock()
	if _, ok := h.members[m]; !ok {
		h.mu.Unlock()
		return
	}
	h.detachLocked(m, reason)
	delete(h.members, m)
	h.mu.Unlock()
	h.router.Gone(m)
	h.wg.Done()
}

// AddressOf is m's signed-in address.
func (h *Hub) AddressOf(m *Member) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return m.address
}

// SignedIn records the address m proved.
func (h *Hub) SignedIn(m *Member, address string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	m.address = address
}

// attachedLocked is false once a Member is gone; a join that waited on the
// chain must not resurrect it.
func (h *Hub) attachedLocked(m *Member) bool {
	_, ok := h.members[m]
	return ok
}

// Drain closes every connection with a going-away close frame and reason, and
// waits for them to finish; when ctx ends first it drops the rest. In-flight
// chain queries are cancelled first, so nothing waits on a hanging node.
func (h *Hub) Drain(ctx context.Context, reason string) error {
	h.mu.Lock()
	h.closed = true
	peers := make([]Peer, 0, len(h.members))
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
	case <-ctx.Done():
		for _, p := range peers {
			p.Kill(protocol.CloseServerDrained, reason)
		}
		<-done
		return ctx.Err()
	}
	// The sessions' rooms and handles on the media servers go too, in
	// what is left of ctx: a media server that does not answer is not
	// waited for longer.
	released := make(chan struct{})
	go func() {
		h.releases.Wait()
		close(released)
	}()
	select {
	case <-released:
		return nil
	case <-ctx.Done():
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

// Stats counts the hub's connections, streams and held candidates.
func (h *Hub) Stats() Stats {
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
