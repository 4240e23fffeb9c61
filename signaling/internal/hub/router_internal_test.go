package hub

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/streamchain/streamchain/signaling/chain"
	"github.com/streamchain/streamchain/signaling/internal/transport"
	"github.com/streamchain/streamchain/signaling/protocol"
)

// Sessions across instances without Redis: two hubs joined by an in-memory
// Router. A stream's session lives in the hub that placed it first; a
// connection of the other hub joins it as a Member whose peer hands what it
// is sent back to the connection's own peer. The hubs' code is the one the
// shared (Redis) router drives; only the transport between them differs.

// memCluster is what the in-memory routers share: each stream's home.
type memCluster struct {
	mu    sync.Mutex
	homes map[uint64]*Hub
	ids   atomic.Uint64
}

// memRouter is one hub's Router in a memCluster.
type memRouter struct {
	Here
	c   *memCluster
	hub *Hub

	mu     sync.Mutex
	routes map[*Member]*memRoute
}

func (c *memCluster) add(h *Hub) {
	h.router = &memRouter{c: c, hub: h, routes: make(map[*Member]*memRoute)}
}

func (r *memRouter) Place(m *Member, id uint64, ro Role) (bool, *protocol.ProtocolError) {
	r.c.mu.Lock()
	home := r.c.homes[id]
	if home == nil {
		home = r.hub
		r.c.homes[id] = home
	}
	r.c.mu.Unlock()
	if home == r.hub {
		return true, nil
	}
	rt := &memRoute{router: r, origin: m, home: home}
	rt.m = &Member{id: 1<<32 + r.c.ids.Add(1), peerID: m.peerID, address: r.hub.AddressOf(m), p: rt}
	if !home.Register(rt.m) {
		return false, Unavailable()
	}
	r.mu.Lock()
	r.routes[m] = rt
	r.mu.Unlock()
	if perr := home.JoinHere(rt.m, id, ro); perr != nil {
		r.unroute(rt)
		return false, perr
	}
	return false, nil
}

func (r *memRouter) Routed(m *Member) Route {
	r.mu.Lock()
	defer r.mu.Unlock()
	if rt := r.routes[m]; rt != nil {
		return rt
	}
	return nil
}

func (r *memRouter) Gone(m *Member) {
	r.mu.Lock()
	rt := r.routes[m]
	r.mu.Unlock()
	if rt != nil {
		r.unroute(rt)
	}
}

// unroute ends a route: the connection's Member at the home goes.
func (r *memRouter) unroute(rt *memRoute) {
	r.mu.Lock()
	if r.routes[rt.origin] == rt {
		delete(r.routes, rt.origin)
	}
	r.mu.Unlock()
	// Not under the home's lock (a session end is sent under it).
	go rt.home.Unregister(rt.m)
}

// memRoute is a connection's session at another hub: the route there, and
// the peer of its Member there.
type memRoute struct {
	router *memRouter
	origin *Member // the connection, in its own hub
	home   *Hub
	m      *Member // its Member in the home hub
}

func (rt *memRoute) Relay(msg protocol.ClientMessage, out transport.Frame) *protocol.ProtocolError {
	out.Charge = &rt.m.queued
	return rt.home.Relay(rt.m, msg, out)
}

func (rt *memRoute) Leave() *protocol.ProtocolError { return rt.home.Leave(rt.m) }

func (rt *memRoute) Request(msg protocol.ClientMessage) *protocol.ProtocolError {
	return rt.home.RequestHere(rt.m, msg)
}

func (rt *memRoute) Send(out transport.Frame) bool {
	if out.OfInstance {
		return true
	}
	ok := rt.origin.p.Send(out)
	if out.Edge == transport.EdgeEnds {
		rt.router.unroute(rt)
	}
	return ok
}

func (rt *memRoute) CloseWith(code int, text string) { rt.origin.p.CloseWith(code, text) }
func (rt *memRoute) Kill(code int, text string)      { rt.origin.p.Kill(code, text) }

func TestSessionAcrossHubsWithoutRedis(t *testing.T) {
	now := time.Now()
	node := &fakeChain{
		streams: map[uint64]chain.StreamInfo{7: {ID: 7, Broadcaster: "alice", StartTime: now.Add(-time.Minute), EndTime: now.Add(time.Hour)}},
		subs:    map[[2]string]bool{{"bob", "alice"}: true},
	}
	cluster := &memCluster{homes: make(map[uint64]*Hub)}
	ha, hb := newTestHub(t, node, nil), newTestHub(t, node, nil)
	cluster.add(ha)
	cluster.add(hb)

	alice, ap := ha.connect(t, "alice")
	bob, bp := hb.connect(t, "bob")
	require.Nil(t, ha.Join(alice, 7, RoleBroadcaster))
	// Bob's hub is not the stream's home: he joins the session in Alice's.
	require.Nil(t, hb.Join(bob, 7, RoleViewer))
	require.Equal(t, []string{"broadcasting", "viewer_joined", "viewer_count"}, ap.types())
	require.Equal(t, []string{"watching", "viewer_count"}, bp.types())
	require.Equal(t, 1, ha.Stats().Viewers)
	require.Zero(t, hb.Stats().Streams)

	// One session at a time, wherever it lives.
	require.Equal(t, protocol.CodeAlreadyInSession, hb.Join(bob, 7, RoleViewer).Code)

	// Offer, answer and candidates cross in both directions.
	offer := transport.Frame{Data: protocol.EncodeRelay(protocol.TypeOffer, alice.peerID, []byte(`{"sdp":"o"}`), nil), RelayType: protocol.TypeOffer, Charge: &alice.queued}
	require.Nil(t, ha.Relay(alice, protocol.ClientMessage{Type: protocol.TypeOffer, To: bob.peerID}, offer))
	answer := transport.Frame{Data: protocol.EncodeRelay(protocol.TypeAnswer, bob.peerID, []byte(`{"sdp":"a"}`), nil), RelayType: protocol.TypeAnswer, Charge: &bob.queued}
	require.Nil(t, hb.Relay(bob, protocol.ClientMessage{Type: protocol.TypeAnswer, To: alice.peerID}, answer))
	cand := transport.Frame{Data: protocol.EncodeRelay(protocol.TypeCandidate, bob.peerID, nil, []byte(`{"candidate":"c"}`)), RelayType: protocol.TypeCandidate, Charge: &bob.queued}
	require.Nil(t, hb.Relay(bob, protocol.ClientMessage{Type: protocol.TypeCandidate, To: alice.peerID}, cand))
	require.Equal(t, "offer", bp.types()[2])
	require.Equal(t, bob.peerID, ap.msgs[3]["from"])
	require.Equal(t, []string{"answer", "candidate"}, ap.types()[3:])
	// The rules of the home apply to the Member from the other hub.
	require.Equal(t, protocol.CodeWrongRole,
		hb.Relay(bob, protocol.ClientMessage{Type: protocol.TypeOffer, To: alice.peerID}, offer).Code)

	// Leaving ends the route: the connection may join again.
	require.Nil(t, hb.Leave(bob))
	require.Equal(t, []string{"watching", "viewer_count", "offer", "left"}, bp.types())
	require.Eventually(t, func() bool { return hb.router.Routed(bob) == nil }, time.Second, time.Millisecond)
	require.Equal(t, []string{"viewer_left", "viewer_count"}, ap.types()[5:])
	require.Nil(t, hb.Join(bob, 7, RoleViewer))

	// The broadcaster leaving ends the session for the viewer on the other
	// hub, and that ends its route too.
	require.Nil(t, ha.Leave(alice))
	require.Equal(t, "stream_ended", bp.types()[len(bp.types())-1])
	require.Eventually(t, func() bool { return hb.router.Routed(bob) == nil }, time.Second, time.Millisecond)
	require.Eventually(t, func() bool { return ha.Stats().Connections == 1 }, time.Second, time.Millisecond)
}
