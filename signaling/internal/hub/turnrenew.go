package hub

import (
	"time"

	"github.com/streamchain/streamchain/signaling/internal/transport"
	"github.com/streamchain/streamchain/signaling/protocol"
)

// TURN credentials live minutes, not hours: one minted for a session stops
// working soon after the session ends (a leave, a removal, an
// unsubscribe). While the session lasts its Member is sent fresh ones,
// ice_servers, every half lifetime, so it never holds expired ones.

// renewTURNLocked (re)arms m's credential renewal for the session it has
// just joined. A renewal finds m no longer in that session and stops.
func (h *Hub) renewTURNLocked(m *Member) {
	if h.cfg.TURN.Secret == "" {
		return
	}
	if m.turnRenewal != nil {
		m.turnRenewal.Stop()
	}
	r, every := m.room, h.cfg.TURN.TTL/2
	var t *time.Timer
	t = time.AfterFunc(every, func() {
		h.mu.Lock()
		current := m.room == r && m.turnRenewal == t
		h.mu.Unlock()
		if !current {
			return
		}
		m.Event(transport.Frame{Data: protocol.Encode(protocol.ICEServersMsg{Type: protocol.TypeICEServers, StreamID: protocol.StreamID(r.id), ICEServers: h.iceServers(m.peerID)})})
		t.Reset(every)
	})
	m.turnRenewal = t
}
