package hub

import (
	"github.com/streamchain/streamchain/signaling/internal/transport"
	"github.com/streamchain/streamchain/signaling/protocol"
)

// A broadcaster's direct capacity during its broadcast (PROTOCOL.md
// §4.4): its client measures its uplink and reports how many viewers it
// carries peer to peer. The new capacity decides the tier of the viewers
// who join next; those joined already keep theirs. It is a request about
// the session, so in shared mode it reaches the stream's home like chat
// (Request, RequestHere), and the answer comes back the same way.

// setDirectCapacity applies direct capacity want to the stream m
// broadcasts, answers m with the capacity in force, and asks m to publish
// when the stream now needs the media server.
func (h *Hub) setDirectCapacity(m *Member, id uint64, want int) *protocol.ProtocolError {
	h.mu.Lock()
	defer h.mu.Unlock()
	r := m.room
	switch {
	case r == nil:
		return protocol.Errorf(protocol.CodeNotInSession, "broadcast a stream first")
	case m.Role != RoleBroadcaster:
		return protocol.Errorf(protocol.CodeWrongRole, "only the broadcaster reports its direct capacity")
	case r.id != id:
		return protocol.Errorf(protocol.CodeNotInSession, "you broadcast stream %d, not %d", r.id, id)
	}
	if c := h.capacityFor(&want); c != r.capacity {
		h.log.Debug("direct capacity changed", "stream_id", r.id, "from", r.capacity, "to", c)
		r.capacity = c
	}
	m.Event(transport.Frame{Data: protocol.Encode(protocol.DirectCapacityMsg{
		Type: protocol.TypeDirectCapacity, StreamID: protocol.StreamID(r.id), SFU: h.sfu != nil, DirectCapacity: r.capacity,
	})})
	h.askPublishLocked(r)
	return nil
}
