package signaling

import "time"

// TURN credentials live minutes, not hours: one minted for a session stops
// working soon after the session ends (a leave, a removal, an
// unsubscribe). While the session lasts its member is sent fresh ones,
// ice_servers, every half lifetime, so it never holds expired ones.

// TypeICEServers carries fresh ice_servers to a peer in a session.
const TypeICEServers = "ice_servers"

type iceServersMsg struct {
	Type       string      `json:"type"`
	StreamID   StreamID    `json:"stream_id"`
	ICEServers []ICEServer `json:"ice_servers"`
}

// renewTURNLocked (re)arms m's credential renewal for the session it has
// just joined. A renewal finds m no longer in that session and stops.
func (h *Hub) renewTURNLocked(m *member) {
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
		m.event(outbound{data: encode(iceServersMsg{Type: TypeICEServers, StreamID: StreamID(r.id), ICEServers: h.iceServers(m.peerID)})})
		t.Reset(every)
	})
	m.turnRenewal = t
}
