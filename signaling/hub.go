package signaling

import (
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"time"
)

// Hub keeps the streams that have a broadcaster or viewers attached, and
// every open connection. One mutex guards it all; nothing under it blocks
// (chain queries happen before taking it, sends only enqueue).
type Hub struct {
	cfg   Config
	chain *cachedChain
	m     *Metrics
	log   *slog.Logger
	now   func() time.Time

	mu     sync.Mutex
	rooms  map[uint64]*room
	conns  map[*Conn]struct{}
	closed bool
	wg     sync.WaitGroup // one per registered connection

	ctx      context.Context // cancelled by drain: in-flight chain queries give up
	cancel   context.CancelFunc
	stopOnce sync.Once
	stop     chan struct{}
	loopDone chan struct{}
	// live hears who is on air and viewer counts (live.go).
	live liveHook
}

// room is one stream with someone attached.
type room struct {
	id          uint64
	info        StreamInfo
	verified    time.Time // last time the chain confirmed the stream
	broadcaster *Conn
	viewers     map[string]*viewer // by peer id
	endTimer    *time.Timer
}

// viewer is a viewer's place in a room and its negotiation with the
// broadcaster. Candidates for a side that has not seen the session
// description yet wait in a bounded queue.
type viewer struct {
	conn          *Conn
	verified      time.Time // last time the chain confirmed the subscription
	offered       bool      // the broadcaster's offer has been relayed to this viewer
	answered      bool      // this viewer's answer has been relayed to the broadcaster
	toViewer      []outbound
	toBroadcaster []outbound
}

func newHub(cfg Config, chain *cachedChain, m *Metrics, log *slog.Logger, now func() time.Time) *Hub {
	ctx, cancel := context.WithCancel(context.Background())
	h := &Hub{
		cfg: cfg, chain: chain, m: m, log: log, now: now,
		rooms:    make(map[uint64]*room),
		conns:    make(map[*Conn]struct{}),
		ctx:      ctx,
		cancel:   cancel,
		stop:     make(chan struct{}),
		loopDone: make(chan struct{}),
	}
	go h.recheckLoop()
	return h
}

func (h *Hub) register(c *Conn) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return false
	}
	h.conns[c] = struct{}{}
	h.wg.Add(1)
	h.m.Connections.Inc()
	return true
}

func (h *Hub) unregister(c *Conn) {
	h.mu.Lock()
	h.detachLocked(c, ReasonDisconnected)
	delete(h.conns, c)
	h.mu.Unlock()
	h.m.Connections.Dec()
	h.wg.Done()
}

// attachedLocked is false once a connection is going away; a join that
// waited on the chain must not resurrect it.
func (h *Hub) attachedLocked(c *Conn) bool {
	_, ok := h.conns[c]
	return ok && !c.closing()
}

func (h *Hub) roleOf(c *Conn) role {
	h.mu.Lock()
	defer h.mu.Unlock()
	return c.role
}

// checkStream looks a stream up and checks that now is within
// [start − grace, end).
func (h *Hub) checkStream(id uint64) (StreamInfo, *ProtocolError) {
	info, err := h.chain.stream(h.ctx, id, false)
	switch {
	case errors.Is(err, ErrStreamNotFound):
		return StreamInfo{}, protoErr(CodeStreamNotFound, "stream %d does not exist on chain", id)
	case err != nil:
		h.log.Warn("chain query failed", "query", "stream", "stream_id", id, "err", err)
		return StreamInfo{}, protoErr(CodeChainUnavailable, "the chain cannot be reached; try again shortly")
	}
	now := h.now()
	if opens := info.StartTime.Add(-h.cfg.StartGrace); now.Before(opens) {
		return StreamInfo{}, protoErr(CodeStreamNotStarted, "stream %d starts at %s; joining opens at %s",
			id, info.StartTime.UTC().Format(time.RFC3339), opens.UTC().Format(time.RFC3339))
	}
	if !now.Before(info.EndTime) {
		return StreamInfo{}, protoErr(CodeStreamEnded, "stream %d ended at %s", id, info.EndTime.UTC().Format(time.RFC3339))
	}
	return info, nil
}

// broadcast makes c the broadcaster of stream id, taking over from an
// earlier connection of the same owner.
func (h *Hub) broadcast(c *Conn, id uint64) {
	if h.roleOf(c) != roleNone {
		c.reject(TypeBroadcast, protoErr(CodeAlreadyInSession, "leave your current stream first"))
		return
	}
	info, perr := h.checkStream(id)
	if perr != nil {
		c.reject(TypeBroadcast, perr)
		return
	}
	if info.Broadcaster != c.address {
		c.reject(TypeBroadcast, protoErr(CodeNotStreamOwner, "stream %d belongs to another broadcaster", id))
		return
	}

	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.attachedLocked(c) {
		return
	}
	r := h.roomLocked(id, info)
	if old := r.broadcaster; old != nil {
		old.role, old.room = roleNone, nil
		old.closeWith(CloseTakenOver, "another connection took over this stream")
		for _, v := range r.viewers {
			v.offered, v.answered, v.toViewer, v.toBroadcaster = false, false, nil, nil
		}
		h.log.Info("broadcaster taken over", "stream_id", id, "old_peer", old.peerID, "new_peer", c.peerID)
	} else {
		h.m.LiveStreams.Inc()
	}
	r.broadcaster = c
	c.role, c.room = roleBroadcaster, r
	h.live.onAir(id)
	h.live.viewerCount(id, len(r.viewers))
	c.enqueue(outbound{data: encode(broadcastingMsg{
		Type: TypeBroadcasting, StreamID: StreamID(id), PeerID: c.peerID,
		ICEServers: h.iceServers(c.peerID), ViewerCount: len(r.viewers),
		StartTime: info.StartTime.UTC(), EndTime: info.EndTime.UTC(),
	})})
	for _, v := range sortedViewers(r) {
		c.enqueue(outbound{data: encode(streamEventMsg{Type: TypeViewerJoined, StreamID: StreamID(id), PeerID: v.conn.peerID})})
		v.conn.enqueue(outbound{data: encode(streamEventMsg{Type: TypeBroadcasterJoined, StreamID: StreamID(id), PeerID: c.peerID})})
	}
	h.log.Info("broadcasting", "stream_id", id, "address", c.address, "peer", c.peerID)
}

// watch attaches c as a viewer of stream id.
func (h *Hub) watch(c *Conn, id uint64) {
	if h.roleOf(c) != roleNone {
		c.reject(TypeWatch, protoErr(CodeAlreadyInSession, "leave your current stream first"))
		return
	}
	info, perr := h.checkStream(id)
	if perr != nil {
		c.reject(TypeWatch, perr)
		return
	}
	ok, err := h.chain.subscribed(h.ctx, c.address, info.Broadcaster, false)
	if err != nil {
		h.log.Warn("chain query failed", "query", "subscription", "err", err)
		c.reject(TypeWatch, protoErr(CodeChainUnavailable, "the chain cannot be reached; try again shortly"))
		return
	}
	if !ok {
		c.reject(TypeWatch, protoErr(CodeNotSubscribed, "subscribe to %s on chain to watch its streams", info.Broadcaster))
		return
	}

	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.attachedLocked(c) {
		return
	}
	if r := h.rooms[id]; r != nil && len(r.viewers) >= h.cfg.MaxViewersPerStream {
		c.reject(TypeWatch, protoErr(CodeStreamFull, "stream %d already has %d viewers", id, len(r.viewers)))
		return
	}
	r := h.roomLocked(id, info)
	r.viewers[c.peerID] = &viewer{conn: c, verified: h.now()}
	c.role, c.room = roleViewer, r
	h.m.Viewers.Inc()

	msg := watchingMsg{
		Type: TypeWatching, StreamID: StreamID(id), PeerID: c.peerID,
		Broadcaster: info.Broadcaster, ICEServers: h.iceServers(c.peerID), ViewerCount: len(r.viewers),
		StartTime: info.StartTime.UTC(), EndTime: info.EndTime.UTC(),
	}
	if b := r.broadcaster; b != nil {
		msg.BroadcasterPeerID = b.peerID
		b.enqueue(outbound{data: encode(streamEventMsg{Type: TypeViewerJoined, StreamID: StreamID(id), PeerID: c.peerID})})
	}
	c.enqueue(outbound{data: encode(msg)})
	h.sendCountLocked(r)
}

// leave ends c's session at its own request.
func (h *Hub) leave(c *Conn) {
	h.mu.Lock()
	defer h.mu.Unlock()
	r := c.room
	if r == nil {
		c.reject(TypeLeave, protoErr(CodeNotInSession, "not broadcasting or watching"))
		return
	}
	h.detachLocked(c, ReasonLeft)
	c.enqueue(outbound{data: encode(streamEventMsg{Type: TypeLeft, StreamID: StreamID(r.id)})})
}

// relay forwards an offer, answer or candidate between a broadcaster and one
// of its own viewers, and nowhere else.
func (h *Hub) relay(c *Conn, m ClientMessage, received time.Time) {
	// Encode before taking the lock: payloads can be tens of kilobytes.
	out := outbound{
		data:      encode(relayMsg{Type: m.Type, From: c.peerID, SDP: m.SDP, Candidate: m.Candidate}),
		relayType: m.Type,
		received:  received,
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	r := c.room
	if r == nil {
		c.reject(m.Type, protoErr(CodeNotInSession, "broadcast or watch a stream first"))
		return
	}

	switch c.role {
	case roleBroadcaster:
		v := r.viewers[m.To]
		if v == nil {
			c.reject(m.Type, protoErr(CodeUnknownPeer, "%.64q is not a viewer of your stream", m.To))
			return
		}
		switch m.Type {
		case TypeOffer:
			v.conn.enqueue(out)
			v.offered = true
			for _, q := range v.toViewer {
				v.conn.enqueue(q)
			}
			v.toViewer = nil
		case TypeAnswer:
			c.reject(m.Type, protoErr(CodeWrongRole, "the broadcaster sends offers; viewers answer"))
		case TypeCandidate:
			if v.offered {
				v.conn.enqueue(out)
			} else if !h.hold(c, &v.toViewer, out) {
				return
			}
		}
	case roleViewer:
		b := r.broadcaster
		if b == nil || m.To != b.peerID {
			c.reject(m.Type, protoErr(CodeUnknownPeer, "%.64q is not the broadcaster of your stream", m.To))
			return
		}
		v := r.viewers[c.peerID]
		switch m.Type {
		case TypeOffer:
			c.reject(m.Type, protoErr(CodeWrongRole, "viewers answer the broadcaster's offer; they do not offer"))
		case TypeAnswer:
			b.enqueue(out)
			v.answered = true
			for _, q := range v.toBroadcaster {
				b.enqueue(q)
			}
			v.toBroadcaster = nil
		case TypeCandidate:
			if v.answered {
				b.enqueue(out)
			} else if !h.hold(c, &v.toBroadcaster, out) {
				return
			}
		}
	}
}

// hold queues an early candidate, refusing it when the queue is full.
func (h *Hub) hold(c *Conn, q *[]outbound, out outbound) bool {
	if len(*q) >= h.cfg.MaxPendingCandidates {
		c.reject(TypeCandidate, protoErr(CodeCandidateQueueFull,
			"more than %d candidates before the session description; send the offer/answer first", h.cfg.MaxPendingCandidates))
		return false
	}
	*q = append(*q, out)
	return true
}

// roomLocked returns the room of stream id, creating it with a timer that
// ends it at the stream's end time.
func (h *Hub) roomLocked(id uint64, info StreamInfo) *room {
	if r := h.rooms[id]; r != nil {
		// The join just read the chain: keep the newer schedule.
		if !info.EndTime.Equal(r.info.EndTime) {
			r.endTimer.Reset(info.EndTime.Sub(h.now()))
		}
		r.info.StartTime, r.info.EndTime = info.StartTime, info.EndTime
		return r
	}
	r := &room{id: id, info: info, verified: h.now(), viewers: make(map[string]*viewer)}
	r.endTimer = time.AfterFunc(info.EndTime.Sub(h.now()), func() { h.endTimeReached(r) })
	h.rooms[id] = r
	return r
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
	h.endRoomLocked(r, ReasonStreamOver)
}

// detachLocked ends c's session. A broadcaster leaving ends the stream for its
// viewers; a viewer leaving is announced to the broadcaster.
func (h *Hub) detachLocked(c *Conn, reason string) {
	r := c.room
	if r == nil {
		return
	}
	switch c.role {
	case roleBroadcaster:
		r.broadcaster = nil
		h.m.LiveStreams.Dec()
		for _, v := range sortedViewers(r) {
			v.conn.enqueue(outbound{data: encode(streamEventMsg{Type: TypeStreamEnded, StreamID: StreamID(r.id), Reason: ReasonBroadcasterLeft})})
			h.dropViewerLocked(r, v)
		}
		h.live.offAir(r.id)
	case roleViewer:
		if v := r.viewers[c.peerID]; v != nil {
			h.dropViewerLocked(r, v)
			if b := r.broadcaster; b != nil {
				b.enqueue(outbound{data: encode(streamEventMsg{Type: TypeViewerLeft, StreamID: StreamID(r.id), PeerID: c.peerID, Reason: reason})})
			}
			h.sendCountLocked(r)
		}
	}
	c.role, c.room = roleNone, nil
	h.dropRoomIfEmptyLocked(r)
}

// removeViewerLocked cuts a viewer off after a failed re-check.
func (h *Hub) removeViewerLocked(r *room, v *viewer, reason string) {
	v.conn.enqueue(outbound{data: encode(streamEventMsg{Type: TypeRemoved, StreamID: StreamID(r.id), Reason: reason})})
	h.dropViewerLocked(r, v)
	if b := r.broadcaster; b != nil {
		b.enqueue(outbound{data: encode(streamEventMsg{Type: TypeViewerLeft, StreamID: StreamID(r.id), PeerID: v.conn.peerID, Reason: reason})})
	}
	h.sendCountLocked(r)
	h.m.SessionsCut.WithLabelValues(reason).Inc()
	h.log.Info("viewer cut off", "stream_id", r.id, "address", v.conn.address, "reason", reason)
	h.dropRoomIfEmptyLocked(r)
}

// endRoomLocked ends a stream for everyone attached.
func (h *Hub) endRoomLocked(r *room, reason string) {
	ended := outbound{data: encode(streamEventMsg{Type: TypeStreamEnded, StreamID: StreamID(r.id), Reason: reason})}
	if b := r.broadcaster; b != nil {
		b.enqueue(ended)
		b.role, b.room = roleNone, nil
		r.broadcaster = nil
		h.m.LiveStreams.Dec()
	}
	for _, v := range sortedViewers(r) {
		v.conn.enqueue(ended)
		h.dropViewerLocked(r, v)
	}
	h.live.offAir(r.id)
	h.m.SessionsCut.WithLabelValues(reason).Inc()
	h.log.Info("stream ended", "stream_id", r.id, "reason", reason)
	h.dropRoomIfEmptyLocked(r)
}

// dropViewerLocked removes a viewer and everything held for it.
func (h *Hub) dropViewerLocked(r *room, v *viewer) {
	delete(r.viewers, v.conn.peerID)
	v.toViewer, v.toBroadcaster = nil, nil
	v.conn.role, v.conn.room = roleNone, nil
	h.m.Viewers.Dec()
}

func (h *Hub) dropRoomIfEmptyLocked(r *room) {
	if r.broadcaster != nil || len(r.viewers) > 0 || h.rooms[r.id] != r {
		return
	}
	r.endTimer.Stop()
	delete(h.rooms, r.id)
}

func (h *Hub) sendCountLocked(r *room) {
	h.live.viewerCount(r.id, len(r.viewers))
	msg := outbound{data: encode(viewerCountMsg{Type: TypeViewerCount, StreamID: StreamID(r.id), Count: len(r.viewers)})}
	if b := r.broadcaster; b != nil {
		b.enqueue(msg)
	}
	for _, v := range r.viewers {
		v.conn.enqueue(msg)
	}
}

func sortedViewers(r *room) []*viewer {
	vs := make([]*viewer, 0, len(r.viewers))
	for _, v := range r.viewers {
		vs = append(vs, v)
	}
	slices.SortFunc(vs, func(a, b *viewer) int { return cmp.Compare(a.conn.id, b.conn.id) })
	return vs
}

// iceServers is the configured list, plus short-lived TURN credentials for
// this peer when a TURN secret is configured (coturn use-auth-secret).
func (h *Hub) iceServers(peerID string) []ICEServer {
	list := slices.Clone(h.cfg.ICEServers)
	if t := h.cfg.TURN; t.Secret != "" {
		user := strconv.FormatInt(h.now().Add(t.TTL).Unix(), 10) + ":" + peerID
		mac := hmac.New(sha1.New, []byte(t.Secret))
		mac.Write([]byte(user))
		list = append(list, ICEServer{URLs: t.URLs, Username: user, Credential: base64.StdEncoding.EncodeToString(mac.Sum(nil))})
	}
	if list == nil {
		list = []ICEServer{}
	}
	return list
}

// recheckLoop re-checks live sessions against the chain every interval.
func (h *Hub) recheckLoop() {
	defer close(h.loopDone)
	t := time.NewTicker(h.cfg.RecheckInterval)
	defer t.Stop()
	for {
		select {
		case <-h.stop:
			return
		case <-t.C:
			h.recheck()
		}
	}
}

// recheckConcurrency bounds parallel queries during a re-check.
const recheckConcurrency = 8

// recheck asks the chain again, bypassing the cache, whether each attached
// stream still exists and each viewer is still subscribed, and cuts off what
// no longer holds. While the node is unreachable sessions survive for
// ChainOutageTolerance after their last confirmation.
func (h *Hub) recheck() {
	type viewerCheck struct {
		v                     *viewer
		subscriber, broadcast string
	}
	type roomCheck struct {
		r       *room
		viewers []viewerCheck
	}
	h.mu.Lock()
	checks := make([]roomCheck, 0, len(h.rooms))
	for _, r := range h.rooms {
		rc := roomCheck{r: r}
		for _, v := range r.viewers {
			rc.viewers = append(rc.viewers, viewerCheck{v: v, subscriber: v.conn.address, broadcast: r.info.Broadcaster})
		}
		checks = append(checks, rc)
	}
	h.mu.Unlock()

	sem := make(chan struct{}, recheckConcurrency)
	var wg sync.WaitGroup
	spawn := func(f func()) {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			f()
		}()
	}
	for _, rc := range checks {
		spawn(func() { h.recheckStream(rc.r) })
		for _, vc := range rc.viewers {
			spawn(func() { h.recheckViewer(rc.r, vc.v, vc.subscriber, vc.broadcast) })
		}
	}
	wg.Wait()
}

func (h *Hub) recheckStream(r *room) {
	info, err := h.chain.stream(h.ctx, r.id, true)
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.rooms[r.id] != r {
		return
	}
	now := h.now()
	switch {
	case errors.Is(err, ErrStreamNotFound):
		h.endRoomLocked(r, ReasonStreamDeleted)
	case err != nil:
		if now.Sub(r.verified) > h.cfg.ChainOutageTolerance {
			h.endRoomLocked(r, ReasonChainUnavailable)
		}
	case !now.Before(info.EndTime):
		h.endRoomLocked(r, ReasonStreamOver)
	default:
		r.info.StartTime, r.info.EndTime = info.StartTime, info.EndTime
		r.verified = now
		r.endTimer.Reset(info.EndTime.Sub(now))
	}
}

func (h *Hub) recheckViewer(r *room, v *viewer, subscriber, broadcaster string) {
	ok, err := h.chain.subscribed(h.ctx, subscriber, broadcaster, true)
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.rooms[r.id] != r || r.viewers[v.conn.peerID] != v {
		return
	}
	now := h.now()
	switch {
	case err != nil:
		if now.Sub(v.verified) > h.cfg.ChainOutageTolerance {
			h.removeViewerLocked(r, v, ReasonChainUnavailable)
		}
	case !ok:
		h.removeViewerLocked(r, v, ReasonNotSubscribed)
	default:
		v.verified = now
	}
}

// drain closes every connection with a going-away close frame and reason, and
// waits for them to finish; when ctx ends first it drops the rest.
func (h *Hub) drain(ctx context.Context, reason string) error {
	h.mu.Lock()
	h.closed = true
	conns := make([]*Conn, 0, len(h.conns))
	for c := range h.conns {
		conns = append(conns, c)
	}
	h.mu.Unlock()
	h.stopLoop()
	h.cancel()

	for _, c := range conns {
		c.closeWith(CloseServerDrained, reason)
	}
	done := make(chan struct{})
	go func() {
		h.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		for _, c := range conns {
			c.kill(CloseServerDrained, reason)
		}
		<-done
		return ctx.Err()
	}
}

func (h *Hub) stopLoop() {
	h.stopOnce.Do(func() { close(h.stop) })
	<-h.loopDone
}

// Stats is a snapshot of the hub, for health checks and tests.
type Stats struct {
	Connections       int `json:"connections"`
	Streams           int `json:"streams"`
	LiveStreams       int `json:"live_streams"`
	Viewers           int `json:"viewers"`
	PendingCandidates int `json:"pending_candidates"`
	Nonces            int `json:"nonces"`
}

func (h *Hub) stats() Stats {
	h.mu.Lock()
	defer h.mu.Unlock()
	s := Stats{Connections: len(h.conns), Streams: len(h.rooms)}
	for _, r := range h.rooms {
		if r.broadcaster != nil {
			s.LiveStreams++
		}
		s.Viewers += len(r.viewers)
		for _, v := range r.viewers {
			s.PendingCandidates += len(v.toViewer) + len(v.toBroadcaster)
		}
	}
	return s
}
