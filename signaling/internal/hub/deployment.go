package hub

import (
	"github.com/streamchain/streamchain/signaling/internal/transport"
)

// What a Router and the server ask of the hub about the deployment: the
// streams it carries (a Router holds their leases), ending one whose
// session moved, news of this instance for its own connections.

// RoomIDs lists the streams this hub carries (their home leases).
func (h *Hub) RoomIDs() []uint64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	ids := make([]uint64, 0, len(h.rooms))
	for id := range h.rooms {
		ids = append(ids, id)
	}
	return ids
}

// EndStream ends stream id's session here, if there is one.
func (h *Hub) EndStream(id uint64, reason string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if r := h.rooms[id]; r != nil {
		h.endRoomLocked(r, reason)
	}
}

// HasRoom says whether the hub carries stream id's session.
func (h *Hub) HasRoom(id uint64) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.rooms[id] != nil
}

// Announce queues data to every connection of this instance (not to remote
// members: their own instance is not stopping).
func (h *Hub) Announce(data []byte) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for m := range h.members {
		m.p.Send(transport.Frame{Data: data, OfInstance: true})
	}
}
