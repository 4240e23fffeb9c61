package hub

import (
	"github.com/streamchain/streamchain/signaling/internal/transport"
	"github.com/streamchain/streamchain/signaling/protocol"
)

// Relay: offers, answers and candidates go between a broadcaster and one of
// its own viewers, and nowhere else. Candidates that arrive before the other
// side has the session description wait, bounded by count and by bytes.
// A relayed message never costs its recipient the connection: when the
// recipient's queue is full, or the sender already has too many bytes
// waiting in other queues, the sender is refused with peer_busy.

// heldCandidates is one direction's queue of early candidates.
type heldCandidates struct {
	items []transport.Frame
	bytes int
}

// Relay hands a relayed message to m's session, here or on another
// instance. A sender whose messages keep the other side's queue full (a
// streak of peer_busy) goes, wherever it is connected, not the peer it
// floods.
func (h *Hub) Relay(m *Member, msg protocol.ClientMessage, out transport.Frame) *protocol.ProtocolError {
	var perr *protocol.ProtocolError
	if rt := h.router.Routed(m); rt != nil {
		perr = rt.Relay(msg, out)
	} else {
		perr = h.relayHere(m, msg, out)
	}
	switch {
	case perr == nil:
		m.busy = 0
	case perr.Code == protocol.CodePeerBusy:
		if m.busy++; m.busy > transport.MaxRateViolations {
			m.p.CloseWith(protocol.CloseRateLimited, "the other peer cannot keep up with what you send")
		}
	}
	return perr
}

// relayHere is relay in this instance's hub, where m's session lives.
func (h *Hub) relayHere(m *Member, msg protocol.ClientMessage, out transport.Frame) *protocol.ProtocolError {
	if msg.To == protocol.PeerSFU && h.sfu != nil {
		return h.relaySFU(m, msg, out)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	r := m.room
	if r == nil {
		return protocol.Errorf(protocol.CodeNotInSession, "broadcast or watch a stream first")
	}

	switch m.Role {
	case RoleBroadcaster:
		v := r.viewers[msg.To]
		if v == nil || v.tier != tierDirect {
			return protocol.Errorf(protocol.CodeUnknownPeer, "%.64q is not a viewer of your stream", msg.To)
		}
		switch msg.Type {
		case protocol.TypeOffer:
			if perr := h.forward(m, v.m, out); perr != nil {
				return perr
			}
			v.offered = true
			return h.release(m, v.m, &v.toViewer)
		case protocol.TypeAnswer:
			return protocol.Errorf(protocol.CodeWrongRole, "the broadcaster sends offers; viewers answer")
		case protocol.TypeCandidate:
			if v.offered {
				return h.forward(m, v.m, out)
			}
			return h.hold(&v.toViewer, out)
		}
	case RoleViewer:
		b := r.broadcaster
		if b == nil || msg.To != b.peerID {
			return protocol.Errorf(protocol.CodeUnknownPeer, "%.64q is not the broadcaster of your stream", msg.To)
		}
		v := r.viewers[m.peerID]
		if v.tier != tierDirect {
			return protocol.Errorf(protocol.CodeUnknownPeer, "you watch through the media server: address %q, not the broadcaster", protocol.PeerSFU)
		}
		switch msg.Type {
		case protocol.TypeOffer:
			return protocol.Errorf(protocol.CodeWrongRole, "viewers answer the broadcaster's offer; they do not offer")
		case protocol.TypeAnswer:
			if perr := h.forward(m, b, out); perr != nil {
				return perr
			}
			v.answered = true
			return h.release(m, b, &v.toBroadcaster)
		case protocol.TypeCandidate:
			if v.answered {
				return h.forward(m, b, out)
			}
			return h.hold(&v.toBroadcaster, out)
		}
	}
	return nil
}

// forward queues a relayed message at its recipient.
//
// Toward a viewer (from its broadcaster), a full queue means the viewer is
// not reading: it is dropped, as for any event. Toward the broadcaster (from
// a viewer), the viewer may be flooding it: the viewer is refused with
// peer_busy when it already has MaxQueuedRelayBytes waiting in other queues
// or the broadcaster's queue is three-quarters full (relays never take the
// last quarter, which stays for session events). The broadcaster is never
// dropped because of what its viewers send.
func (h *Hub) forward(from, to *Member, out transport.Frame) *protocol.ProtocolError {
	if from.Role == RoleBroadcaster {
		to.Event(out)
		return nil
	}
	if from.queued.Load()+int64(len(out.Data)) > h.cfg.MaxQueuedRelayBytes {
		h.m.RelayRefused.WithLabelValues("sender_backlog").Inc()
		return protocol.Errorf(protocol.CodePeerBusy, "your earlier messages have not reached the other peer yet; slow down")
	}
	if !to.p.Send(out) {
		h.m.RelayRefused.WithLabelValues("queue_full").Inc()
		return protocol.Errorf(protocol.CodePeerBusy, "the other peer is not keeping up; slow down")
	}
	return nil
}

// release forwards the candidates held for a side that now has the session
// description.
func (h *Hub) release(from, to *Member, q *heldCandidates) *protocol.ProtocolError {
	items := q.items
	*q = heldCandidates{}
	for _, out := range items {
		if perr := h.forward(from, to, out); perr != nil {
			return perr
		}
	}
	return nil
}

// hold queues an early candidate, refusing it when the queue is full by
// count or by bytes.
func (h *Hub) hold(q *heldCandidates, out transport.Frame) *protocol.ProtocolError {
	if len(q.items) >= h.cfg.MaxPendingCandidates || q.bytes+len(out.Data) > h.cfg.MaxPendingCandidateBytes {
		return protocol.Errorf(protocol.CodeCandidateQueueFull,
			"more than %d candidates or %d bytes before the session description; send the offer/answer first",
			h.cfg.MaxPendingCandidates, h.cfg.MaxPendingCandidateBytes)
	}
	q.items = append(q.items, out)
	q.bytes += len(out.Data)
	return nil
}
