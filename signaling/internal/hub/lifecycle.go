package hub

import (
	"cmp"
	"context"
	"slices"
	"time"

	"golang.org/x/time/rate"

	"github.com/streamchain/streamchain/signaling/chain"
	"github.com/streamchain/streamchain/signaling/internal/sfu"
	"github.com/streamchain/streamchain/signaling/internal/transport"
	"github.com/streamchain/streamchain/signaling/protocol"
)

// This file is the stream lifecycle: a stream's room is created by its first
// join, goes on air when a broadcaster attaches and off air when it leaves,
// and is removed when nobody is left. Every on-air, off-air and viewer-count
// change passes through here, and only here is the LiveObserver told.

// LiveObserver is told when a stream goes on air (a broadcaster attached),
// goes off air, and when its viewer count changes. It is called under the
// hub's lock and must not block or call back into the Server.
type LiveObserver interface {
	OnAir(id uint64)
	OffAir(id uint64)
	ViewerCount(id uint64, n int)
}

type noObserver struct{}

func (noObserver) OnAir(uint64)            {}
func (noObserver) OffAir(uint64)           {}
func (noObserver) ViewerCount(uint64, int) {}

// room is one stream with someone attached.
type room struct {
	id          uint64
	info        chain.StreamInfo
	verified    time.Time // last time the chain confirmed the stream
	broadcaster *Member
	viewers     map[string]*viewer // by peer id
	perAccount  map[string]int     // viewer sessions by account
	endTimer    *time.Timer

	// The media server tier (sfu.go).
	capacity int              // direct viewers before the others go through the media server
	direct   int              // viewers on the direct tier
	asked    *Member          // the broadcaster sent sfu_publish that has not published yet
	pub      *sfu.Publication // the stream's publication (nil: none)
	pubGen   uint64           // counts publications begun and ended, so a late answer is known as such
}

// viewer is a viewer's place in a room and its negotiation with the
// broadcaster. Candidates for a side that has not seen the session
// description yet wait in a queue bounded by count and bytes.
type viewer struct {
	m             *Member
	verified      time.Time // last time the chain confirmed the subscription
	offered       bool      // the broadcaster's offer has been relayed to this viewer
	answered      bool      // this viewer's answer has been relayed to the broadcaster
	toViewer      heldCandidates
	toBroadcaster heldCandidates

	// On the media server tier (sfu.go): the subscription, the
	// publication it is (being) placed on, and what cancels its placing.
	tier tier
	sub  *sfu.Subscription
	// quality is the simulcast layer the viewer chose (sfuquality.go).
	quality sfu.Quality
	// expiry checks a paid subscription with the chain when it expires
	// (expiry.go); nil for a free one.
	expiry *time.Timer
	until  time.Time // the paid subscription's expiry (zero: free)
	subOf  *sfu.Publication
	// reoffers paces new subscriptions after Janus hung up the viewer's
	// (sfureoffer.go); nil until the first.
	reoffers *rate.Limiter
	ctx      context.Context
	cancel   context.CancelFunc
}

// roomLocked returns the room of stream id, creating it with a timer that
// ends it at the stream's end time.
func (h *Hub) roomLocked(id uint64, info chain.StreamInfo) *room {
	if r := h.rooms[id]; r != nil {
		// The join just read the chain: keep the newer schedule.
		h.rescheduleLocked(r, info)
		return r
	}
	r := &room{id: id, info: info, verified: h.now(), viewers: make(map[string]*viewer), perAccount: make(map[string]int), capacity: h.capacityFor(nil)}
	r.endTimer = time.AfterFunc(info.EndTime.Sub(h.now()), func() { h.endTimeReached(r) })
	h.rooms[id] = r
	return r
}

func (h *Hub) rescheduleLocked(r *room, info chain.StreamInfo) {
	if !info.EndTime.Equal(r.info.EndTime) {
		r.endTimer.Reset(info.EndTime.Sub(h.now()))
	}
	r.info.StartTime, r.info.EndTime = info.StartTime, info.EndTime
}

func (h *Hub) endTimeReached(r *room) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.rooms[r.id] != r {
		return
	}
	if wait := r.info.EndTime.Sub(h.now()); wait > 0 {
		// The end time moved (the stream was updated on chain).
		r.endTimer.Reset(wait)
		return
	}
	h.endRoomLocked(r, protocol.ReasonStreamOver)
}

// onAirLocked makes b the broadcaster of r.
func (h *Hub) onAirLocked(r *room, b *Member) {
	if r.broadcaster == nil {
		h.m.LiveStreams.Inc()
		h.observer.OnAir(r.id)
	}
	r.broadcaster = b
	b.Role, b.room = RoleBroadcaster, r
}

// offAirLocked detaches r's broadcaster.
func (h *Hub) offAirLocked(r *room) {
	b := r.broadcaster
	if b == nil {
		return
	}
	b.Role, b.room = RoleNone, nil
	r.broadcaster = nil
	h.endPublicationLocked(r)
	h.m.LiveStreams.Dec()
	h.observer.OffAir(r.id)
}

// addViewerLocked attaches m to r as a viewer on tier t.
func (h *Hub) addViewerLocked(r *room, m *Member, t tier) *viewer {
	v := &viewer{m: m, verified: h.now(), tier: t}
	if t == tierSFU {
		// What its subscription waits under: ends when it leaves or the
		// hub drains.
		v.ctx, v.cancel = context.WithCancel(h.ctx)
		h.m.SFUViewers.Inc()
	} else {
		r.direct++
	}
	r.viewers[m.peerID] = v
	r.perAccount[m.address]++
	h.watching[m.address]++
	m.Role, m.room = RoleViewer, r
	h.m.Viewers.Inc()
	return v
}

// detachLocked ends m's session. A broadcaster leaving ends the stream for its
// viewers; a viewer leaving is announced to the broadcaster.
func (h *Hub) detachLocked(m *Member, reason string) {
	r := m.room
	if r == nil {
		return
	}
	switch m.Role {
	case RoleBroadcaster:
		h.offAirLocked(r)
		why := protocol.ReasonBroadcasterLeft
		if reason == protocol.ReasonInstanceLost {
			why = reason // the broadcaster's instance is gone, not the broadcaster
		}
		ended := transport.Frame{Edge: transport.EdgeEnds, Data: protocol.Encode(protocol.StreamEventMsg{Type: protocol.TypeStreamEnded, StreamID: protocol.StreamID(r.id), Reason: why})}
		for _, v := range sortedViewers(r) {
			v.m.Event(ended)
			h.dropViewerLocked(r, v)
		}
		h.sendCountLocked(r)
	case RoleViewer:
		if v := r.viewers[m.peerID]; v != nil {
			h.dropViewerLocked(r, v)
			if b := r.broadcaster; b != nil && v.tier == tierDirect {
				b.Event(transport.Frame{Data: protocol.Encode(protocol.StreamEventMsg{Type: protocol.TypeViewerLeft, StreamID: protocol.StreamID(r.id), PeerID: m.peerID, Reason: reason})})
			}
			h.sendCountLocked(r)
		}
	}
	m.Role, m.room = RoleNone, nil
	h.dropRoomIfEmptyLocked(r)
}

// removeViewerLocked cuts a viewer off: its subscription is gone or could
// not be confirmed.
func (h *Hub) removeViewerLocked(r *room, v *viewer, reason string) {
	v.m.Event(transport.Frame{Edge: transport.EdgeEnds, Data: protocol.Encode(protocol.StreamEventMsg{Type: protocol.TypeRemoved, StreamID: protocol.StreamID(r.id), Reason: reason})})
	h.dropViewerLocked(r, v)
	if b := r.broadcaster; b != nil && v.tier == tierDirect {
		b.Event(transport.Frame{Data: protocol.Encode(protocol.StreamEventMsg{Type: protocol.TypeViewerLeft, StreamID: protocol.StreamID(r.id), PeerID: v.m.peerID, Reason: reason})})
	}
	h.sendCountLocked(r)
	h.m.SessionsCut.WithLabelValues(reason).Inc()
	h.log.Info("viewer cut off", "stream_id", r.id, "address", v.m.address, "reason", reason)
	h.dropRoomIfEmptyLocked(r)
}

// endRoomLocked ends a stream for everyone attached.
func (h *Hub) endRoomLocked(r *room, reason string) {
	ended := transport.Frame{Edge: transport.EdgeEnds, Data: protocol.Encode(protocol.StreamEventMsg{Type: protocol.TypeStreamEnded, StreamID: protocol.StreamID(r.id), Reason: reason})}
	if b := r.broadcaster; b != nil {
		b.Event(ended)
		h.offAirLocked(r)
	}
	for _, v := range sortedViewers(r) {
		v.m.Event(ended)
		h.dropViewerLocked(r, v)
	}
	h.observer.ViewerCount(r.id, 0)
	h.m.SessionsCut.WithLabelValues(reason).Inc()
	h.log.Info("stream ended", "stream_id", r.id, "reason", reason)
	if reason == protocol.ReasonStreamOver || reason == protocol.ReasonStreamDeleted {
		h.endChat(r.id)
	}
	h.dropRoomIfEmptyLocked(r)
}

// dropViewerLocked removes a viewer and everything held for it.
func (h *Hub) dropViewerLocked(r *room, v *viewer) {
	delete(r.viewers, v.m.peerID)
	if r.perAccount[v.m.address]--; r.perAccount[v.m.address] <= 0 {
		delete(r.perAccount, v.m.address)
	}
	if h.watching[v.m.address]--; h.watching[v.m.address] <= 0 {
		delete(h.watching, v.m.address)
	}
	v.toViewer, v.toBroadcaster = heldCandidates{}, heldCandidates{}
	if v.expiry != nil {
		v.expiry.Stop()
	}
	if v.tier == tierSFU {
		h.dropSubscriptionLocked(v)
		h.m.SFUViewers.Dec()
	} else {
		r.direct--
	}
	v.m.Role, v.m.room = RoleNone, nil
	h.router.GiveSeat(v.m.address, v.m.seat) // never a round trip under the lock
	v.m.seat = ""
	h.m.Viewers.Dec()
}

func (h *Hub) dropRoomIfEmptyLocked(r *room) {
	if r.broadcaster != nil || len(r.viewers) > 0 || h.rooms[r.id] != r {
		return
	}
	r.endTimer.Stop()
	delete(h.rooms, r.id)
	h.router.RoomGone(r.id)
}

// sendCountLocked tells everyone in r, and the observer, how many watch.
func (h *Hub) sendCountLocked(r *room) {
	h.observer.ViewerCount(r.id, len(r.viewers))
	if r.broadcaster == nil && len(r.viewers) == 0 {
		return
	}
	msg := transport.Frame{Data: protocol.Encode(protocol.ViewerCountMsg{Type: protocol.TypeViewerCount, StreamID: protocol.StreamID(r.id), Count: len(r.viewers)})}
	if b := r.broadcaster; b != nil {
		b.Event(msg)
	}
	for _, v := range r.viewers {
		v.m.Event(msg)
	}
}

func sortedViewers(r *room) []*viewer {
	vs := make([]*viewer, 0, len(r.viewers))
	for _, v := range r.viewers {
		vs = append(vs, v)
	}
	slices.SortFunc(vs, func(a, b *viewer) int { return cmp.Compare(a.m.id, b.m.id) })
	return vs
}
