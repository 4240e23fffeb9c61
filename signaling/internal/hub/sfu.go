package hub

import (
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/streamchain/streamchain/signaling/internal/janus"
	"github.com/streamchain/streamchain/signaling/internal/sfu"
	"github.com/streamchain/streamchain/signaling/internal/transport"
	"github.com/streamchain/streamchain/signaling/protocol"
)

// The media server tier (PROTOCOL.md §4.4). Past its direct capacity a
// stream's viewers watch through a Janus room its broadcaster publishes
// into once; internal/sfu places the publication and the subscriptions.
// The hub decides under its lock who is on which tier and when the
// broadcaster is asked to publish. Requests to Janus are made outside the
// lock: the broadcaster's offer and candidates, and a viewer's answer and
// candidates, in the goroutine that handles that connection's messages (so
// they reach Janus in the order they were sent); a viewer's subscription in
// a goroutine of its own, since it waits for the publisher's media.

type tier uint8

const (
	tierDirect tier = iota
	tierSFU
)

func (t tier) String() string {
	if t == tierSFU {
		return protocol.TierSFU
	}
	return protocol.TierDirect
}

// republishDelay is how long after a failed publication the broadcaster is
// asked again while viewers wait for the media server.
const republishDelay = 2 * time.Second

// lossSettle is how long a failed subscription waits for its publication
// to learn that their media server was lost (they learn it from one
// closed connection, moments apart).
const lossSettle = 250 * time.Millisecond

// subscribeAttempts bounds the placings of one subscription, lossSettle
// apart, before the viewer is told no media server can take it.
const subscribeAttempts = 8

// capacityFor is the direct capacity in force for a broadcaster that asked
// for want (nil: the server's default). Without a media tier every viewer
// is direct, up to the per-stream limit.
func (h *Hub) capacityFor(want *int) int {
	if h.sfu == nil {
		return h.cfg.MaxViewersPerStream
	}
	if want == nil || *want > h.cfg.MaxDirectViewers {
		return h.cfg.MaxDirectViewers
	}
	return max(*want, 0)
}

// tierLocked is the tier of a viewer joining r now.
func (h *Hub) tierLocked(r *room) tier {
	if h.sfu == nil || r.direct < r.capacity {
		return tierDirect
	}
	return tierSFU
}

// askPublishLocked sends sfu_publish to r's broadcaster when the stream
// needs the media server (viewers on it, or a capacity of 0) and has no
// publication, unless it was asked already.
func (h *Hub) askPublishLocked(r *room) {
	b := r.broadcaster
	if h.sfu == nil || b == nil || r.pub != nil || r.asked == b {
		return
	}
	if r.capacity > 0 && len(r.viewers) == r.direct {
		return
	}
	r.asked = b
	b.Event(transport.Frame{Data: protocol.Encode(protocol.StreamEventMsg{Type: protocol.TypeSFUPublish, StreamID: protocol.StreamID(r.id)})})
}

// endPublicationLocked ends r's publication (the broadcaster left or was
// replaced); its subscriptions end with it.
func (h *Hub) endPublicationLocked(r *room) {
	if pub := r.pub; pub != nil {
		h.endOnSFU(pub.Close)
	}
	r.pub, r.asked = nil, nil
	r.pubGen++
}

// relaySFU handles an offer, answer or candidate addressed to the media
// server. out is the message as it would be relayed; its payload is read
// from there, which is where a message from another instance carries it.
func (h *Hub) relaySFU(m *Member, msg protocol.ClientMessage, out transport.Frame) *protocol.ProtocolError {
	var body struct {
		SDP       json.RawMessage `json:"sdp"`
		Candidate json.RawMessage `json:"candidate"`
	}
	if err := json.Unmarshal(out.Data, &body); err != nil {
		return protocol.Errorf(protocol.CodeBadMessage, "malformed message for the media server")
	}
	h.mu.Lock()
	r := m.room
	if r == nil {
		h.mu.Unlock()
		return protocol.Errorf(protocol.CodeNotInSession, "broadcast or watch a stream first")
	}
	if m.Role == RoleBroadcaster {
		return h.publisherRelayLocked(r, m, msg.Type, body.SDP, body.Candidate)
	}
	v := r.viewers[m.peerID]
	if v == nil || v.tier != tierSFU {
		h.mu.Unlock()
		return protocol.Errorf(protocol.CodeUnknownPeer, "you watch peer to peer: address the broadcaster, not %q", protocol.PeerSFU)
	}
	sub := v.sub
	h.mu.Unlock()
	if msg.Type == protocol.TypeOffer {
		return protocol.Errorf(protocol.CodeWrongRole, "viewers answer the media server's offer; they do not offer")
	}
	if sub == nil {
		return protocol.Errorf(protocol.CodeUnknownPeer, "the media server has not sent you an offer yet")
	}
	if msg.Type == protocol.TypeAnswer {
		jsep, perr := readJSEP(body.SDP, "answer")
		if perr != nil {
			return perr
		}
		return h.sfuErr(sub.Start(h.ctx, jsep), "answer")
	}
	c, perr := readCandidate(body.Candidate)
	if perr != nil || c == nil {
		return perr
	}
	return h.sfuErr(sub.Trickle(h.ctx, *c), "candidate")
}

// publisherRelayLocked is relaySFU for the broadcaster; it unlocks.
func (h *Hub) publisherRelayLocked(r *room, m *Member, typ string, sdp, candidate json.RawMessage) *protocol.ProtocolError {
	switch typ {
	case protocol.TypeAnswer:
		h.mu.Unlock()
		return protocol.Errorf(protocol.CodeWrongRole, "the broadcaster offers to the media server; it answers")
	case protocol.TypeCandidate:
		pub := r.pub
		h.mu.Unlock()
		if pub == nil {
			return protocol.Errorf(protocol.CodeUnknownPeer, "send your offer to %q first", protocol.PeerSFU)
		}
		c, perr := readCandidate(candidate)
		if perr != nil || c == nil {
			return perr
		}
		return h.sfuErr(pub.Trickle(h.ctx, *c), "candidate")
	}
	if r.asked != m && r.pub == nil {
		h.mu.Unlock()
		return protocol.Errorf(protocol.CodeUnknownPeer, "publish to %q only after sfu_publish", protocol.PeerSFU)
	}
	jsep, perr := readJSEP(sdp, "offer")
	if perr != nil {
		h.mu.Unlock()
		return perr
	}
	// A new offer replaces the publication there is.
	old := r.pub
	r.pub, r.asked = nil, m
	r.pubGen++
	gen := r.pubGen
	h.mu.Unlock()
	if old != nil {
		old.Close()
	}

	pub, answer, err := h.sfu.Publish(h.ctx, r.id, jsep)
	h.mu.Lock()
	defer h.mu.Unlock()
	current := r.broadcaster == m && r.pubGen == gen && h.rooms[r.id] == r
	if err != nil {
		if current && !errors.Is(err, sfu.ErrInvalidSDP) {
			// The broadcaster may send a better offer at once; a media
			// server that failed is tried again later.
			r.asked = nil
			h.retryPublishLocked(r)
		}
		return h.sfuErr(err, "offer")
	}
	if !current {
		h.endOnSFU(pub.Close)
		return nil
	}
	r.pub, r.asked = pub, nil
	ans, _ := json.Marshal(answer)
	m.Event(transport.Frame{Data: protocol.EncodeRelay(protocol.TypeAnswer, protocol.PeerSFU, ans, nil)})
	h.m.SFUPublications.Inc()
	h.log.Info("published to the media server", "stream_id", r.id, "server", pub.Backend())
	go h.watchPublication(r, pub, gen)
	for _, v := range sortedViewers(r) {
		if v.tier == tierSFU {
			h.subscribeLocked(r, v)
		}
	}
	return nil
}

// retryPublishLocked asks r's broadcaster to publish again after a delay,
// while viewers wait for the media server.
func (h *Hub) retryPublishLocked(r *room) {
	gen := r.pubGen
	time.AfterFunc(republishDelay, func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		if h.rooms[r.id] == r && r.pubGen == gen {
			h.askPublishLocked(r)
		}
	})
}

// watchPublication asks the broadcaster to publish again when its
// publication ends without the hub ending it: its media server was lost,
// or Janus hung the publisher up.
func (h *Hub) watchPublication(r *room, pub *sfu.Publication, gen uint64) {
	<-pub.Done()
	h.m.SFUPublications.Dec()
	h.mu.Lock()
	defer h.mu.Unlock()
	if r.pub != pub || r.pubGen != gen {
		return
	}
	h.log.Warn("publication to the media server ended", "stream_id", r.id, "err", pub.Err())
	r.pub, r.asked = nil, nil
	r.pubGen++
	h.askPublishLocked(r)
}

// subscribeLocked gives viewer v of r a subscription to r's publication,
// replacing one to an earlier publication.
func (h *Hub) subscribeLocked(r *room, v *viewer) {
	pub := r.pub
	if pub == nil || v.subOf == pub {
		return
	}
	if old := v.sub; old != nil {
		h.endOnSFU(old.Close)
		v.sub = nil
	}
	v.subOf = pub
	go h.subscribe(r, v, pub)
}

// subscribe places v's subscription and sends it the media server's offer.
func (h *Hub) subscribe(r *room, v *viewer, pub *sfu.Publication) {
	var sub *sfu.Subscription
	var offer *janus.JSEP
	var err error
	for attempt := 1; ; attempt++ {
		if sub, offer, err = pub.Subscribe(v.ctx); err == nil || attempt == subscribeAttempts {
			break
		}
		// A media server lost a moment ago may still have looked
		// alive: the tier learns of a loss from one closed connection,
		// its parts moments apart. If it was the publication's own
		// instance, the viewer waits for the next publication instead.
		select {
		case <-pub.Done():
		case <-v.ctx.Done():
		case <-time.After(lossSettle):
		}
		if pub.Err() != nil || v.ctx.Err() != nil {
			break
		}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	current := r.viewers[v.m.peerID] == v && v.subOf == pub
	if err != nil {
		if !current || v.ctx.Err() != nil || pub.Err() != nil {
			return // v left, or the publication ended: its end moves v
		}
		h.log.Warn("no media server for a viewer", "stream_id", r.id, "peer", v.m.peerID, "err", err)
		h.removeViewerLocked(r, v, protocol.ReasonSFUUnavailable)
		return
	}
	if !current {
		h.endOnSFU(sub.Close)
		return
	}
	v.sub = sub
	// Not started yet, so the choice is only kept: no request under the lock.
	_ = sub.SetQuality(h.ctx, v.quality)
	o, _ := json.Marshal(offer)
	v.m.Event(transport.Frame{Data: protocol.EncodeRelay(protocol.TypeOffer, protocol.PeerSFU, o, nil)})
	go h.watchSubscription(r, v, sub)
}

// watchSubscription moves a viewer whose media server was lost to another
// one carrying the stream, and offers a viewer whose connection Janus hung
// up a new one.
func (h *Hub) watchSubscription(r *room, v *viewer, sub *sfu.Subscription) {
	<-sub.Done()
	h.mu.Lock()
	defer h.mu.Unlock()
	if r.viewers[v.m.peerID] != v || v.sub != sub {
		return // the hub ended it
	}
	v.sub, v.subOf = nil, nil
	// Without a live publication the viewer waits for the next one, which
	// subscribes every viewer of the tier: a lost home brings it.
	if r.pub == nil || r.pub.Err() != nil {
		return
	}
	switch err := sub.Err(); {
	case errors.Is(err, sfu.ErrUnavailable) && sub.Backend() != r.pub.Backend():
		h.log.Info("moving a viewer to another media server", "stream_id", r.id, "peer", v.m.peerID, "from", sub.Backend())
		h.subscribeLocked(r, v)
	case errors.Is(err, sfu.ErrHungUp):
		h.log.Info("offering a viewer a new media server connection", "stream_id", r.id, "peer", v.m.peerID, "err", err)
		h.reofferLocked(r, v)
	}
}

// dropSubscriptionLocked ends what v holds on the media server: a
// revocation takes effect there, whatever the viewer's page does.
func (h *Hub) dropSubscriptionLocked(v *viewer) {
	if v.cancel != nil {
		v.cancel()
	}
	if sub := v.sub; sub != nil {
		h.endOnSFU(sub.Close)
	}
	v.sub, v.subOf = nil, nil
}

// endOnSFU ends a publication or subscription on the media server in the
// background (it waits on Janus, never under the hub's lock); a drain
// waits for these, so a daemon that stops leaves no room behind.
func (h *Hub) endOnSFU(end func()) {
	h.releases.Add(1)
	go func() {
		defer h.releases.Done()
		end()
	}()
}

// readJSEP reads a session description of type want sent to the media
// server.
func readJSEP(raw json.RawMessage, want string) (janus.JSEP, *protocol.ProtocolError) {
	var d struct {
		Type *string `json:"type"`
		SDP  *string `json:"sdp"`
	}
	if json.Unmarshal(raw, &d) != nil || d.Type == nil || d.SDP == nil || *d.Type != want || *d.SDP == "" {
		return janus.JSEP{}, protocol.Errorf(protocol.CodeBadMessage, `sdp for %q must be {"type": %q, "sdp": "v=0..."}`, protocol.PeerSFU, want)
	}
	if strings.ContainsRune(*d.SDP, 0) {
		return janus.JSEP{}, errNUL
	}
	return janus.JSEP{Type: want, SDP: *d.SDP}, nil
}

// errNUL refuses U+0000 in what goes to the media server: SDP is text
// without it, and Janus drops a request that holds one without an answer.
var errNUL = protocol.Errorf(protocol.CodeBadMessage, "a description or candidate for %q holds U+0000", protocol.PeerSFU)

// readCandidate reads an RTCIceCandidateInit sent to the media server; nil
// for the end of candidates (an empty candidate), which Janus does not
// need.
func readCandidate(raw json.RawMessage) (*janus.Candidate, *protocol.ProtocolError) {
	var c struct {
		Candidate     *string `json:"candidate"`
		SDPMid        *string `json:"sdpMid"`
		SDPMLineIndex *uint16 `json:"sdpMLineIndex"`
	}
	if json.Unmarshal(raw, &c) != nil || c.Candidate == nil {
		return nil, protocol.Errorf(protocol.CodeBadMessage, `a candidate for %q must be {"candidate": "candidate:...", "sdpMid": "0", "sdpMLineIndex": 0}`, protocol.PeerSFU)
	}
	if strings.ContainsRune(*c.Candidate, 0) || (c.SDPMid != nil && strings.ContainsRune(*c.SDPMid, 0)) {
		return nil, errNUL
	}
	if *c.Candidate == "" {
		return nil, nil
	}
	return &janus.Candidate{Candidate: *c.Candidate, SDPMid: c.SDPMid, SDPMLineIndex: c.SDPMLineIndex}, nil
}

// sfuErr turns a media tier failure into what the client is told; the
// detail goes to the log, not to the client.
func (h *Hub) sfuErr(err error, what string) *protocol.ProtocolError {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sfu.ErrInvalidSDP):
		return protocol.Errorf(protocol.CodeSFUInvalidSDP, "the media server refused the %s", what)
	case errors.Is(err, sfu.ErrClosed):
		return protocol.Errorf(protocol.CodeUnknownPeer, "that media server session has ended; wait for the next offer or sfu_publish")
	}
	h.log.Warn("media server request failed", "request", what, "err", err)
	h.m.SFUFailures.WithLabelValues(what).Inc()
	return protocol.Errorf(protocol.CodeSFUUnavailable, "no media server can take the %s right now; try again shortly", what)
}

// sfuAvailable is whether a viewer may be placed on the media tier now.
func (h *Hub) sfuAvailable() bool { return h.sfu != nil && h.sfu.Up() > 0 }
