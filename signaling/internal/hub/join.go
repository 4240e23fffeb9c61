package hub

import (
	"errors"
	"time"

	"github.com/streamchain/streamchain/signaling/chain"
	"github.com/streamchain/streamchain/signaling/internal/transport"
	"github.com/streamchain/streamchain/signaling/protocol"
)

// Join admission: what the chain must say, and which limits must hold,
// before a session broadcasts or watches a stream.

// alreadyInSession is the one rule that a Member joins one session at a
// time: it has a Role in a room of this hub, or its session lives on
// another instance.
func (h *Hub) alreadyInSession(m *Member) *protocol.ProtocolError {
	h.mu.Lock()
	inRoom := h.inRoomLocked(m)
	h.mu.Unlock()
	if inRoom || h.router.Routed(m) != nil {
		return errAlreadyInSession()
	}
	return nil
}

func (h *Hub) inRoomLocked(m *Member) bool { return m.Role != RoleNone }

func errAlreadyInSession() *protocol.ProtocolError {
	return protocol.Errorf(protocol.CodeAlreadyInSession, "leave your current stream first")
}

// Join makes m the broadcaster or a viewer of stream id, in this hub or,
// when the stream's session lives on another instance, there.
func (h *Hub) Join(m *Member, id uint64, r Role) *protocol.ProtocolError {
	if perr := h.alreadyInSession(m); perr != nil {
		return perr
	}
	here, perr := h.router.Place(m, id, r)
	if perr != nil || !here {
		return perr
	}
	return h.JoinHere(m, id, r)
}

// JoinHere is join in this hub, where the stream's session lives: for this
// instance's connections and for those of other instances alike.
func (h *Hub) JoinHere(m *Member, id uint64, r Role) *protocol.ProtocolError {
	var perr *protocol.ProtocolError
	if r == RoleBroadcaster {
		perr = h.broadcastHere(m, id)
	} else {
		perr = h.watchHere(m, id)
	}
	if perr == nil {
		h.sendChatState(m, id)
	}
	return perr
}

// admit is the first step of a join here: m is in no session, and the
// stream is open for joining.
func (h *Hub) admit(m *Member, id uint64) (chain.StreamInfo, *protocol.ProtocolError) {
	h.mu.Lock()
	busy := h.inRoomLocked(m)
	h.mu.Unlock()
	if busy {
		return chain.StreamInfo{}, errAlreadyInSession()
	}
	return h.checkStream(id)
}

// joinableLocked is the last step, after the chain answered: m is still
// connected (nil, false: say nothing) and still in no session.
func (h *Hub) joinableLocked(m *Member) (perr *protocol.ProtocolError, ok bool) {
	if !h.attachedLocked(m) {
		return nil, false
	}
	if h.inRoomLocked(m) {
		return errAlreadyInSession(), false
	}
	return nil, true
}

// checkStream looks a stream up and checks that now is within
// [start − grace, end).
func (h *Hub) checkStream(id uint64) (chain.StreamInfo, *protocol.ProtocolError) {
	info, err := h.chain.Stream(h.ctx, id, false)
	switch {
	case errors.Is(err, chain.ErrStreamNotFound):
		return chain.StreamInfo{}, protocol.Errorf(protocol.CodeStreamNotFound, "stream %d does not exist on chain", id)
	case err != nil:
		h.log.Warn("chain query failed", "query", "stream", "stream_id", id, "err", err)
		return chain.StreamInfo{}, protocol.Errorf(protocol.CodeChainUnavailable, "the chain cannot be reached; try again shortly")
	}
	now := h.now()
	if opens := info.StartTime.Add(-h.cfg.StartGrace); now.Before(opens) {
		return chain.StreamInfo{}, protocol.Errorf(protocol.CodeStreamNotStarted, "stream %d starts at %s; joining opens at %s",
			id, info.StartTime.UTC().Format(time.RFC3339), opens.UTC().Format(time.RFC3339))
	}
	if !now.Before(info.EndTime) {
		return chain.StreamInfo{}, protocol.Errorf(protocol.CodeStreamEnded, "stream %d ended at %s", id, info.EndTime.UTC().Format(time.RFC3339))
	}
	return info, nil
}

// broadcastHere makes m the broadcaster of stream id, taking over from an
// earlier connection of the same owner.
func (h *Hub) broadcastHere(m *Member, id uint64) *protocol.ProtocolError {
	info, perr := h.admit(m, id)
	if perr != nil {
		return perr
	}
	if info.Broadcaster != m.address {
		return protocol.Errorf(protocol.CodeNotStreamOwner, "stream %d belongs to another broadcaster", id)
	}

	h.mu.Lock()
	defer h.mu.Unlock()
	if perr, ok := h.joinableLocked(m); !ok {
		return perr
	}
	r := h.roomLocked(id, info)
	if old := r.broadcaster; old != nil {
		old.Role, old.room = RoleNone, nil
		old.p.CloseWith(protocol.CloseTakenOver, "another connection took over this stream")
		h.endPublicationLocked(r)
		for _, v := range r.viewers {
			v.offered, v.answered, v.toViewer, v.toBroadcaster = false, false, heldCandidates{}, heldCandidates{}
		}
		h.log.Info("broadcaster taken over", "stream_id", id, "old_peer", old.peerID, "new_peer", m.peerID)
	}
	h.onAirLocked(r, m)
	m.chatMuted = false
	r.capacity = h.capacityFor(m.directCapacity)
	m.Event(transport.Frame{Edge: transport.EdgeStarts, Data: protocol.Encode(protocol.BroadcastingMsg{
		Type: protocol.TypeBroadcasting, StreamID: protocol.StreamID(id), PeerID: m.peerID,
		ICEServers: h.iceServers(m.peerID), ViewerCount: len(r.viewers),
		StartTime: info.StartTime.UTC(), EndTime: info.EndTime.UTC(),
		SFU: h.sfu != nil, DirectCapacity: r.capacity,
	})})
	h.renewTURNLocked(m)
	for _, v := range sortedViewers(r) {
		if v.tier == tierDirect {
			m.Event(transport.Frame{Data: protocol.Encode(protocol.StreamEventMsg{Type: protocol.TypeViewerJoined, StreamID: protocol.StreamID(id), PeerID: v.m.peerID})})
		}
		v.m.Event(transport.Frame{Data: protocol.Encode(protocol.StreamEventMsg{Type: protocol.TypeBroadcasterJoined, StreamID: protocol.StreamID(id), PeerID: m.peerID})})
	}
	h.askPublishLocked(r)
	h.log.Info("broadcasting", "stream_id", id, "address", m.address, "peer", m.peerID)
	return nil
}

// watchHere attaches m as a viewer of stream id.
func (h *Hub) watchHere(m *Member, id uint64) *protocol.ProtocolError {
	info, perr := h.admit(m, id)
	if perr != nil {
		return perr
	}
	acc, err := h.chain.Subscribed(h.ctx, m.address, info.Broadcaster, false)
	if err != nil {
		h.log.Warn("chain query failed", "query", "subscription", "err", err)
		return protocol.Errorf(protocol.CodeChainUnavailable, "the chain cannot be reached; try again shortly")
	}
	if !acc.Held {
		return protocol.Errorf(protocol.CodeNotSubscribed, "subscribe to %s on chain to watch its streams", info.Broadcaster)
	}
	muted, perr := h.chatAdmits(id, m.address)
	if perr != nil {
		return perr
	}
	// Across instances the per-account cap over all streams counts every
	// instance's viewers: the Router's seat is taken first (never under
	// the lock) and given back if the join fails after all.
	seat, perr := h.router.TakeSeat(m.address, h.cfg.MaxViewersPerAccount)
	if perr != nil {
		return perr
	}
	joined := false
	defer func() {
		if !joined {
			h.router.GiveSeat(m.address, seat)
		}
	}()

	h.mu.Lock()
	defer h.mu.Unlock()
	if perr, ok := h.joinableLocked(m); !ok {
		return perr
	}
	r := h.rooms[id]
	if r != nil && len(r.viewers) >= h.cfg.MaxViewersPerStream {
		return protocol.Errorf(protocol.CodeStreamFull, "stream %d already has %d viewers", id, len(r.viewers))
	}
	// One account cannot take the seats of others: its sessions are capped
	// per stream and over all streams.
	if r != nil && r.perAccount[m.address] >= h.cfg.MaxViewersPerAccountPerStream {
		return protocol.Errorf(protocol.CodeTooManySessions, "%s already watches stream %d from %d connections", m.address, id, r.perAccount[m.address])
	}
	if h.watching[m.address] >= h.cfg.MaxViewersPerAccount {
		return protocol.Errorf(protocol.CodeTooManySessions, "%s already watches from %d connections", m.address, h.watching[m.address])
	}
	r = h.roomLocked(id, info)
	t := h.tierLocked(r)
	if t == tierSFU && !h.sfuAvailable() {
		h.dropRoomIfEmptyLocked(r)
		return protocol.Errorf(protocol.CodeSFUUnavailable, "stream %d has as many direct viewers as its broadcaster carries, and no media server is available; try again shortly", id)
	}
	v := h.addViewerLocked(r, m, t)
	m.seat, joined, m.chatMuted = seat, true, muted
	h.armExpiryLocked(r, v, acc.Until)

	msg := protocol.WatchingMsg{
		Type: protocol.TypeWatching, StreamID: protocol.StreamID(id), PeerID: m.peerID,
		Broadcaster: info.Broadcaster, ICEServers: h.iceServers(m.peerID), ViewerCount: len(r.viewers),
		StartTime: info.StartTime.UTC(), EndTime: info.EndTime.UTC(), Tier: t.String(),
	}
	if b := r.broadcaster; b != nil {
		msg.BroadcasterPeerID = b.peerID
		if t == tierDirect {
			b.Event(transport.Frame{Data: protocol.Encode(protocol.StreamEventMsg{Type: protocol.TypeViewerJoined, StreamID: protocol.StreamID(id), PeerID: m.peerID})})
		}
	}
	m.Event(transport.Frame{Edge: transport.EdgeStarts, Data: protocol.Encode(msg)})
	h.renewTURNLocked(m)
	h.sendCountLocked(r)
	if t == tierSFU {
		h.subscribeLocked(r, v)
		h.askPublishLocked(r)
	}
	return nil
}

// Leave ends m's session at its own request.
func (h *Hub) Leave(m *Member) *protocol.ProtocolError {
	if rt := h.router.Routed(m); rt != nil {
		return rt.Leave()
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	r := m.room
	if r == nil {
		return protocol.Errorf(protocol.CodeNotInSession, "not broadcasting or watching")
	}
	h.detachLocked(m, protocol.ReasonLeft)
	m.Event(transport.Frame{Edge: transport.EdgeEnds, Data: protocol.Encode(protocol.StreamEventMsg{Type: protocol.TypeLeft, StreamID: protocol.StreamID(r.id)})})
	return nil
}
