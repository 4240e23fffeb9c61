package redis

import (
	"encoding/json"
	"sync"
	"sync/atomic"
	"time"

	"github.com/streamchain/streamchain/signaling/internal/hub"
	"github.com/streamchain/streamchain/signaling/internal/transport"
	"github.com/streamchain/streamchain/signaling/protocol"
)

// Routing in shared mode. The origin side: a connection of this instance
// whose session lives in another instance's hub is bound to that home; its
// joins, relays and leave go there and what the home sends it comes back.
// The home side: each such remote connection is a hub.Member of this hub whose
// peer is a remotePeer; the hub applies exactly the rules and limits it
// applies to local peers. Each remote hub.Member has a worker goroutine that
// handles its messages in order, as a local connection's reader does.

// binding is one of this instance's connections in a session elsewhere.
type binding struct {
	sh     *Router
	m      *hub.Member
	home   string
	stream uint64
	joined bool          // the home accepted the join (guarded by shared.mu)
	reply  chan envelope // the home's answer to the join
}

// Place is where a join of this instance's connection happens: in this hub
// when this instance is (or now becomes) the stream's home, else at the
// home.
func (sh *Router) Place(m *hub.Member, id uint64, r hub.Role) (here bool, perr *protocol.ProtocolError) {
	// A hub that carries the stream holds its home lease (refreshed every
	// tick, the room ended if the lease is lost): no round trip.
	if sh.hub.HasRoom(id) {
		return true, nil
	}
	// A home that is gone, or moved while the join was on its way, is
	// claimed again; a few attempts cover a race between instances.
	// The home last seen for the stream is asked first, without a claim:
	// it checks its lease itself and answers with the real home if it
	// moved.
	cached := sh.cachedHome(id)
	for range 3 {
		home := cached
		cached = ""
		if home == "" {
			if home, perr = sh.home(id); perr != nil {
				return false, perr
			}
		}
		if home == sh.id {
			return true, nil
		}
		sh.rememberHome(id, home)
		perr, retry := sh.joinAt(home, m, id, r)
		if !retry {
			if perr != nil && perr.Code == protocol.CodeSharedStateUnavailable {
				sh.rememberHome(id, "")
			}
			return false, perr
		}
		sh.rememberHome(id, "")
	}
	return false, hub.Unavailable()
}

// maxCachedHomes bounds the cache of other instances' streams.
const maxCachedHomes = 10000

// cachedHome is the instance last known to be stream id's home, if it is
// alive.
func (sh *Router) cachedHome(id uint64) string {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	home := sh.homes[id]
	if _, ok := sh.alive[home]; !ok {
		return ""
	}
	return home
}

func (sh *Router) rememberHome(id uint64, home string) {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if home == "" {
		delete(sh.homes, id)
		return
	}
	if len(sh.homes) >= maxCachedHomes {
		clear(sh.homes)
	}
	sh.homes[id] = home
}

func (sh *Router) bound(m *hub.Member) *binding {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	return sh.bindings[m.ID()]
}

func (sh *Router) unbind(b *binding) bool {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if sh.bindings[b.m.ID()] != b {
		return false
	}
	delete(sh.bindings, b.m.ID())
	return true
}

// joinAt asks home to add m to stream id's session and waits for the answer.
// retry is true when the home says the stream's home is elsewhere now.
func (sh *Router) joinAt(home string, m *hub.Member, id uint64, r hub.Role) (perr *protocol.ProtocolError, retry bool) {
	b := &binding{sh: sh, m: m, home: home, stream: id, reply: make(chan envelope, 1)}
	sh.mu.Lock()
	sh.bindings[m.ID()] = b
	sh.mu.Unlock()
	roleName := protocol.TypeWatch
	if r == hub.RoleBroadcaster {
		roleName = protocol.TypeBroadcast
	}
	if !sh.publish(home, envelope{Kind: kindJoin, Conn: m.ID(), Peer: m.PeerID(), Addr: sh.hub.AddressOf(m), Role: roleName, Stream: id, DirectCapacity: sh.hub.DirectCapacity(m)}) {
		sh.unbind(b)
		return hub.Unavailable(), false
	}
	t := time.NewTimer(sh.cfg.JoinTimeout)
	defer t.Stop()
	select {
	case rep := <-b.reply:
		if rep.ErrCode == "" && rep.Home == "" {
			sh.mu.Lock()
			b.joined = true
			sh.mu.Unlock()
			return nil, false
		}
		sh.unbind(b) // the home dropped its side already
		if rep.Home != "" {
			return nil, true
		}
		return &protocol.ProtocolError{Code: rep.ErrCode, Message: rep.Text}, false
	case <-t.C:
	case <-sh.ctx.Done():
	}
	if sh.unbind(b) {
		sh.publish(home, envelope{Kind: kindGone, Conn: m.ID()})
	}
	sh.log.Warn("a join forwarded to another instance got no answer", "home", home, "stream_id", id)
	return hub.Unavailable(), false
}

// Relay forwards a local connection's relayed message to its session's home.
func (b *binding) Relay(msg protocol.ClientMessage, out transport.Frame) *protocol.ProtocolError {
	if !b.sh.publish(b.home, envelope{Kind: kindRelay, Conn: b.m.ID(), Type: msg.Type, To: msg.To, Data: out.Data}) {
		return protocol.Errorf(protocol.CodePeerBusy, "the other peer's instance is not keeping up; slow down")
	}
	return nil
}

// Request forwards a local connection's request about its session (chat)
// to the session's home.
func (b *binding) Request(msg protocol.ClientMessage) *protocol.ProtocolError {
	data, err := json.Marshal(msg)
	if err != nil {
		return protocol.Errorf(protocol.CodeInternal, "could not forward the request")
	}
	if !b.sh.publish(b.home, envelope{Kind: kindReq, Conn: b.m.ID(), Type: msg.Type, Data: data}) {
		return protocol.Errorf(protocol.CodePeerBusy, "the stream's instance is not keeping up; slow down")
	}
	return nil
}

// Leave forwards a local connection's leave to its session's home.
func (b *binding) Leave() *protocol.ProtocolError {
	if !b.sh.publish(b.home, envelope{Kind: kindLeave, Conn: b.m.ID()}) {
		return hub.Unavailable()
	}
	return nil
}

// Routed is m's binding once its home accepted the join.
func (sh *Router) Routed(m *hub.Member) hub.Route {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if b := sh.bindings[m.ID()]; b != nil && b.joined {
		return b
	}
	return nil
}

// Gone tells a gone connection's home that it is gone.
func (sh *Router) Gone(m *hub.Member) {
	if b := sh.bound(m); b != nil && sh.unbind(b) {
		sh.publish(b.home, envelope{Kind: kindGone, Conn: m.ID()})
	}
}

// homeLost ends a bound connection's session: its home stopped answering
// (or is draining).
func (sh *Router) homeLost(b *binding) {
	sh.rememberHome(b.stream, "") // the next join claims the stream again
	if !sh.unbind(b) {
		return
	}
	sh.mu.Lock()
	joined := b.joined
	sh.mu.Unlock()
	if !joined {
		select {
		case b.reply <- envelope{ErrCode: protocol.CodeSharedStateUnavailable, Text: "the stream's instance stopped answering; try again"}:
		default:
		}
		return
	}
	b.m.Event(transport.Frame{Edge: transport.EdgeEnds, Data: protocol.Encode(protocol.StreamEventMsg{Type: protocol.TypeStreamEnded, StreamID: protocol.StreamID(b.stream), Reason: protocol.ReasonInstanceLost})})
}

// toOrigin handles what a home sends to one of this instance's connections.
func (sh *Router) toOrigin(env envelope) {
	sh.mu.Lock()
	b := sh.bindings[env.Conn]
	sh.mu.Unlock()
	if b == nil || b.home != env.From {
		return // the connection left that session already
	}
	switch env.Kind {
	case kindJoined:
		select {
		case b.reply <- env:
		default:
		}
	case kindOut:
		out := transport.Frame{Data: env.Data, RelayType: env.Type, Edge: env.Edge}
		if env.Type != "" {
			// A relayed message that does not fit is dropped, as the
			// home would refuse it: never the recipient for it.
			if !b.m.Peer().Send(out) {
				sh.m.dropped.Inc()
			}
			return
		}
		b.m.Event(out)
		if out.Edge == transport.EdgeStarts {
			// The client knows it is in the session from now on; so
			// does this side, before the home's answer to the join
			// (which may come after the session already ended).
			sh.mu.Lock()
			first := !b.joined
			b.joined = true
			sh.mu.Unlock()
			if first {
				select {
				case b.reply <- envelope{Kind: kindJoined}:
				default:
				}
			}
		}
		if out.Edge == transport.EdgeEnds && sh.unbind(b) {
			sh.publish(b.home, envelope{Kind: kindGone, Conn: env.Conn})
		}
	case kindClose:
		b.m.Peer().CloseWith(env.Code, env.Text)
	case kindLost:
		sh.homeLost(b)
	}
}

// proxyKey names a connection of another instance.
type proxyKey struct {
	inst string
	conn uint64
}

// proxy is a remote connection's hub.Member in this hub, with its worker.
type proxy struct {
	key    proxyKey
	m      *hub.Member
	work   chan envelope
	quit   chan struct{}
	once   sync.Once
	reason atomic.Value // string: why it was dropped
}

// proxyQueue bounds the messages waiting for one remote hub.Member's worker.
const proxyQueue = 256

// remotePeer is the peer of a proxy: what the hub sends it is published to
// the connection's instance.
type remotePeer struct {
	sh  *Router
	key proxyKey
}

func (r *remotePeer) Send(out transport.Frame) bool {
	if out.OfInstance {
		return true // news of this instance: the connection is on another
	}
	return r.sh.publish(r.key.inst, envelope{Kind: kindOut, Conn: r.key.conn, Data: out.Data, Type: out.RelayType, Edge: out.Edge})
}

// CloseWith closes the remote connection, except on drain: this instance
// stopping ends the session (lost), not the connection, which lives on its
// own instance.
func (r *remotePeer) CloseWith(code int, text string) {
	kind := kindClose
	if code == protocol.CloseServerDrained {
		kind = kindLost
	}
	r.sh.publish(r.key.inst, envelope{Kind: kind, Conn: r.key.conn, Code: code, Text: text})
	r.sh.dropKey(r.key, protocol.ReasonDisconnected)
}

func (r *remotePeer) Kill(code int, text string) { r.CloseWith(code, text) }

// toHome hands a message from a remote connection to its hub.Member's worker,
// creating the hub.Member on its join.
func (sh *Router) toHome(env envelope) {
	k := proxyKey{inst: env.From, conn: env.Conn}
	sh.mu.Lock()
	p := sh.proxies[k]
	if p == nil && env.Kind == kindJoin && !sh.stopped {
		p = &proxy{key: k, work: make(chan envelope, proxyQueue), quit: make(chan struct{})}
		p.m = sh.hub.NewMember(env.Peer, env.Addr, &remotePeer{sh: sh, key: k})
		sh.proxies[k] = p
		sh.loops.Add(1)
		go sh.runProxy(p)
	}
	sh.mu.Unlock()
	if p == nil {
		return // a message for a session that ended here already
	}
	if env.Kind == kindGone {
		// The connection is gone, or its instance gave the session up
		// (it was cut off from the others).
		reason := protocol.ReasonDisconnected
		if env.Text == protocol.ReasonInstanceLost {
			reason = protocol.ReasonInstanceLost
		}
		sh.dropProxy(p, reason)
		return
	}
	select {
	case p.work <- env:
	default:
		sh.publish(k.inst, envelope{Kind: kindOut, Conn: k.conn, Data: protocol.ErrorFrame(env.Type, protocol.Errorf(protocol.CodePeerBusy, "too many messages waiting at the stream's instance; slow down"))})
	}
}

func (sh *Router) dropKey(k proxyKey, reason string) {
	sh.mu.Lock()
	p := sh.proxies[k]
	sh.mu.Unlock()
	if p != nil {
		sh.dropProxy(p, reason)
	}
}

// dropProxy ends a remote hub.Member: its worker unregisters it from the hub,
// telling its session's other side why. Never blocks.
func (sh *Router) dropProxy(p *proxy, reason string) {
	p.once.Do(func() {
		p.reason.Store(reason)
		sh.mu.Lock()
		if sh.proxies[p.key] == p {
			delete(sh.proxies, p.key)
		}
		sh.mu.Unlock()
		close(p.quit)
	})
}

func (sh *Router) runProxy(p *proxy) {
	defer sh.loops.Done()
	h := sh.hub
	if !h.Register(p.m) {
		sh.dropProxy(p, protocol.ReasonDisconnected)
		sh.publish(p.key.inst, envelope{Kind: kindJoined, Conn: p.key.conn, ErrCode: protocol.CodeSharedStateUnavailable, Text: "the stream's instance is shutting down; try again"})
		return
	}
	sh.m.remotePeers.Inc()
	defer func() {
		reason, _ := p.reason.Load().(string)
		h.UnregisterWith(p.m, reason)
		sh.m.remotePeers.Dec()
	}()
	for {
		select {
		case <-p.quit:
			return
		case env := <-p.work:
			sh.serveRemote(p, env)
		}
	}
}

// serveRemote handles one message of a remote connection, as its session
// would for a local one.
func (sh *Router) serveRemote(p *proxy, env envelope) {
	h := sh.hub
	reply := func(perr *protocol.ProtocolError) {
		if perr != nil {
			sh.publish(p.key.inst, envelope{Kind: kindOut, Conn: p.key.conn, Data: protocol.ErrorFrame(env.Type, perr)})
		}
	}
	switch env.Kind {
	case kindJoin:
		ans := envelope{Kind: kindJoined, Conn: p.key.conn}
		home, perr := sh.id, (*protocol.ProtocolError)(nil)
		if !h.HasRoom(env.Stream) {
			home, perr = sh.home(env.Stream)
		}
		switch {
		case perr != nil:
			ans.ErrCode, ans.Text = perr.Code, perr.Message
		case home != sh.id:
			ans.Home = home
		default:
			r := hub.RoleViewer
			if env.Role == protocol.TypeBroadcast {
				r = hub.RoleBroadcaster
				h.SetDirectCapacity(p.m, env.DirectCapacity)
			}
			if perr = h.JoinHere(p.m, env.Stream, r); perr != nil {
				ans.ErrCode, ans.Text = perr.Code, perr.Message
			}
		}
		sh.publish(p.key.inst, ans)
		if ans.ErrCode != "" || ans.Home != "" {
			sh.dropProxy(p, protocol.ReasonDisconnected)
		}
	case kindRelay:
		out := transport.Frame{Data: env.Data, RelayType: env.Type, Received: time.Now(), Charge: p.m.Queued()}
		reply(h.Relay(p.m, protocol.ClientMessage{Type: env.Type, To: env.To}, out))
	case kindReq:
		var msg protocol.ClientMessage
		if err := json.Unmarshal(env.Data, &msg); err != nil {
			reply(protocol.Errorf(protocol.CodeBadMessage, "malformed request"))
			return
		}
		reply(h.RequestHere(p.m, msg))
	case kindLeave:
		env.Type = protocol.TypeLeave
		reply(h.Leave(p.m))
	}
}
