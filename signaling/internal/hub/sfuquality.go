package hub

import (
	"errors"

	"github.com/streamchain/streamchain/signaling/internal/sfu"
	"github.com/streamchain/streamchain/signaling/internal/transport"
	"github.com/streamchain/streamchain/signaling/protocol"
)

// qualities are sfu_quality's words for the simulcast layers.
var qualities = map[string]sfu.Quality{
	protocol.QualityHigh:   sfu.QualityHigh,
	protocol.QualityMedium: sfu.QualityMedium,
	protocol.QualityLow:    sfu.QualityLow,
}

// sfuQuality sets the simulcast layer the media server sends viewer m
// (PROTOCOL.md §4.4). The choice lasts the session: a later subscription
// (a failover, a re-publish) starts with it.
func (h *Hub) sfuQuality(m *Member, quality string) *protocol.ProtocolError {
	q, ok := qualities[quality]
	if !ok { // the decoder refuses these; a message from another instance is read again here
		return protocol.Errorf(protocol.CodeBadMessage, "unknown quality %.16q", quality)
	}
	h.mu.Lock()
	r := m.room
	var v *viewer
	if r != nil && m.Role == RoleViewer {
		v = r.viewers[m.peerID]
	}
	switch {
	case r == nil:
		h.mu.Unlock()
		return protocol.Errorf(protocol.CodeNotInSession, "watch a stream first")
	case m.Role == RoleBroadcaster:
		h.mu.Unlock()
		return protocol.Errorf(protocol.CodeWrongRole, "the broadcaster sends every layer; its viewers choose one")
	case v == nil:
		h.mu.Unlock()
		return protocol.Errorf(protocol.CodeNotInSession, "watch a stream first")
	case v.tier != tierSFU:
		h.mu.Unlock()
		return protocol.Errorf(protocol.CodeWrongTier, "you watch peer to peer: the broadcaster sends you one quality")
	}
	v.quality = q
	sub, id := v.sub, r.id
	h.mu.Unlock()
	if sub != nil {
		if err := sub.SetQuality(h.ctx, q); err != nil && !errors.Is(err, sfu.ErrClosed) {
			return h.sfuErr(err, "quality")
		}
	}
	m.Event(transport.Frame{Data: protocol.Encode(protocol.SFUQualityMsg{Type: protocol.TypeSFUQuality, StreamID: protocol.StreamID(id), Quality: quality})})
	return nil
}
