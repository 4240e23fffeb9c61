package signaling_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"
	"github.com/stretchr/testify/require"

	"github.com/streamchain/streamchain/signaling"
	ijanus "github.com/streamchain/streamchain/signaling/internal/janus"
	"github.com/streamchain/streamchain/signaling/signalingtest"
	"github.com/streamchain/streamchain/testutil/janus"
)

// The media server tier with a real Janus (Debian's) and pion peers: the
// first viewer of a stream whose direct capacity is 1 watches peer to peer,
// the next ones through Janus, which the broadcaster publishes to once;
// the chain's checks and revocation hold on both tiers, and a Janus that
// goes away and comes back is reported and recovered from.

// sfuEnv is a signaling server with Janus instances as its media servers.
type sfuEnv struct {
	*env
	jt   *janus.Server // the first
	feed *fakeFeed
	api  *webrtc.API
}

// newSFUEnv runs one Janus for the server.
func newSFUEnv(t testing.TB, mutate ...func(*signaling.Config)) *sfuEnv {
	return newSFUEnvWith(t, []*janus.Server{janus.Start(t, janus.Options{})}, mutate...)
}

// newSFUEnvWith runs the server on servers, which share one api_secret,
// and waits until they are all connected.
func newSFUEnvWith(t testing.TB, servers []*janus.Server, mutate ...func(*signaling.Config)) *sfuEnv {
	s := startSFUEnv(t, servers, mutate...)
	s.waitSFU(float64(len(servers)))
	return s
}

// cascadable starts one Janus per name in one test namespace, sharing an
// api_secret, so rooms can be cascaded between them.
func cascadable(t testing.TB, names ...string) []*janus.Server {
	ns := janus.NewNetNS(t)
	secret := janus.NewSecret()
	var servers []*janus.Server
	for _, name := range names {
		servers = append(servers, janus.Start(t, janus.Options{NS: ns, Name: name, APISecret: secret}))
	}
	return servers
}

// startSFUEnv is newSFUEnvWith without the wait.
func startSFUEnv(t testing.TB, servers []*janus.Server, mutate ...func(*signaling.Config)) *sfuEnv {
	feed := newFakeFeed()
	e := newEnvWith(t, []signaling.Option{signaling.WithEventFeed(feed)}, append([]func(*signaling.Config){func(c *signaling.Config) {
		c.SFU.Servers = nil
		for _, jt := range servers {
			require.Equal(t, servers[0].Config.APISecret, jt.Config.APISecret)
			c.SFU.Servers = append(c.SFU.Servers, jt.APIURL())
		}
		c.SFU.APISecret = servers[0].Config.APISecret
		c.SFU.MaxDirectViewers = 1
		c.RecheckInterval = time.Hour
		c.CacheTTL = time.Minute
	}}, mutate...)...)
	return &sfuEnv{env: e, jt: servers[0], feed: feed, api: janus.LocalAPI(janus.PassiveAnswerer)}
}

// waitSFU waits until n media servers are connected.
func (s *sfuEnv) waitSFU(n float64) {
	s.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for s.metric("signaling_sfu_servers_up") != n {
		if time.Now().After(deadline) {
			s.t.Fatalf("media servers up: %v, want %v", s.metric("signaling_sfu_servers_up"), n)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// next is c's next message of type typ, skipping viewer counts.
func next(t testing.TB, c *signalingtest.Client, typ string) signalingtest.Msg {
	t.Helper()
	for {
		m := c.Next()
		if m.Type() == "viewer_count" && typ != "viewer_count" {
			continue
		}
		if m.Type() != typ {
			t.Fatalf("expected %q, got %v", typ, m)
		}
		return m
	}
}

// sdpOf reads the SDP string of a relayed offer or answer.
func sdpOf(t testing.TB, m signalingtest.Msg) string {
	t.Helper()
	var d struct{ SDP string }
	require.NoError(t, json.Unmarshal([]byte(m.Raw("sdp")), &d), "%v", m)
	require.NotEmpty(t, d.SDP, "%v", m)
	return d.SDP
}

// largeAudience signs owner in and broadcasts stream id with direct
// capacity 0 ("large audience"): every viewer watches through the media
// server, and the broadcaster is asked to publish at once (the sfu_publish
// is left for the caller).
func (s *sfuEnv) largeAudience(owner *signalingtest.Wallet, id uint64) *signalingtest.Client {
	s.t.Helper()
	b, _ := s.signedIn(owner)
	b.Send(map[string]any{"type": "broadcast", "stream_id": id, "direct_capacity": 0})
	next(s.t, b, "broadcasting")
	return b
}

// sender is a broadcaster's VP8 track sending 30 frames a second until
// the test ends.
func (s *sfuEnv) sender() *janus.Sender {
	s.t.Helper()
	return s.senderIn(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000})
}

// senderIn is sender in another codec.
func (s *sfuEnv) senderIn(codec webrtc.RTPCodecCapability) *janus.Sender {
	s.t.Helper()
	snd, err := janus.NewSenderWith(s.api, codec)
	require.NoError(s.t, err)
	ctx, stop := context.WithCancel(context.Background())
	s.t.Cleanup(func() { stop(); snd.Close() })
	go snd.Run(ctx, 30, 1000)
	return snd
}

// publish answers sfu_publish as a broadcaster does: an offer to "sfu"
// from the sender, whose answer it applies.
func (s *sfuEnv) publish(b *signalingtest.Client, snd *janus.Sender) {
	s.t.Helper()
	next(s.t, b, "sfu_publish")
	s.offerSFU(b, snd)
}

// offerSFU sends the media server an offer from the sender and applies
// its answer.
func (s *sfuEnv) offerSFU(b *signalingtest.Client, snd *janus.Sender) {
	s.t.Helper()
	pc, offer, err := snd.Offer(context.Background())
	require.NoError(s.t, err)
	b.Send(map[string]any{"type": "offer", "to": "sfu", "sdp": map[string]string{"type": "offer", "sdp": offer}})
	ans := next(s.t, b, "answer")
	require.Equal(s.t, "sfu", ans.Str("from"))
	require.NoError(s.t, janus.Accept(pc, sdpOf(s.t, ans)))
}

// sfuViewer watches stream id as w and, once the media server offers,
// answers through a pion receiver.
func (s *sfuEnv) sfuViewer(w, owner *signalingtest.Wallet, id uint64) (*signalingtest.Client, *janus.Receiver) {
	s.t.Helper()
	s.chain.Subscribe(w.Address, owner.Address)
	c, _ := s.signedIn(w)
	c.Send(map[string]any{"type": "watch", "stream_id": id})
	m := next(s.t, c, "watching")
	require.Equal(s.t, "sfu", m.Str("tier"))
	return c, s.answerSFU(c)
}

// answerSFU answers the media server's next offer to c.
func (s *sfuEnv) answerSFU(c *signalingtest.Client) *janus.Receiver {
	s.t.Helper()
	return s.answerOffer(c, next(s.t, c, "offer"))
}

// answerOffer answers offer, the media server's to c.
func (s *sfuEnv) answerOffer(c *signalingtest.Client, offer signalingtest.Msg) *janus.Receiver {
	s.t.Helper()
	require.Equal(s.t, "sfu", offer.Str("from"))
	rcv, err := janus.NewReceiver(s.api)
	require.NoError(s.t, err)
	s.t.Cleanup(rcv.Close)
	ans, err := rcv.Answer(context.Background(), sdpOf(s.t, offer))
	require.NoError(s.t, err)
	c.Send(map[string]any{"type": "answer", "to": "sfu", "sdp": map[string]string{"type": "answer", "sdp": ans}})
	return rcv
}

// expectError is c's next error, skipping viewer counts; it must carry code.
func expectError(t testing.TB, c *signalingtest.Client, code string) {
	t.Helper()
	require.Equal(t, code, next(t, c, "error").Str("code"))
}

func waitPacket(t testing.TB, r *janus.Receiver, what string) {
	t.Helper()
	select {
	case <-r.FirstPacket():
	case <-time.After(20 * time.Second):
		t.Fatalf("%s: no media within 20 s", what)
	}
}

// handles counts the handles Janus holds, over all its sessions.
func (s *sfuEnv) handles() int {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	a, err := ijanus.DialAdmin(ctx, s.jt.AdminURL(), s.jt.Config.AdminSecret)
	require.NoError(s.t, err)
	defer a.Close()
	sessions, err := a.Sessions(ctx)
	require.NoError(s.t, err)
	n := 0
	for _, id := range sessions {
		hs, err := a.Handles(ctx, id)
		require.NoError(s.t, err)
		n += len(hs)
	}
	return n
}

func TestViewersPastDirectCapacityWatchThroughJanus(t *testing.T) {
	s := newSFUEnv(t)
	owner := signalingtest.NewWallet()
	id := s.liveStream(owner)
	b, _ := s.broadcaster(owner, id)
	idle := s.handles()

	// The first viewer is direct: the broadcaster is told to offer to it.
	direct := signalingtest.NewWallet()
	s.chain.Subscribe(direct.Address, owner.Address)
	dc, dpeer := s.signedIn(direct)
	dc.Send(map[string]any{"type": "watch", "stream_id": id})
	require.Equal(t, "direct", next(t, dc, "watching").Str("tier"))
	require.Equal(t, dpeer, next(t, b, "viewer_joined").Str("peer_id"))

	// The direct tier is full: the next viewer would go through Janus, but
	// the chain's refusals come first and no handle is made for them (not
	// subscribed, no such stream, a stream not started yet).
	stranger := signalingtest.NewWallet()
	sc, _ := s.signedIn(stranger)
	sc.Send(map[string]any{"type": "watch", "stream_id": id})
	expectError(t, sc, "not_subscribed")
	sc.Send(map[string]any{"type": "watch", "stream_id": id + 100})
	expectError(t, sc, "stream_not_found")
	later := s.chain.AddStream(owner.Address, time.Now().Add(time.Hour), time.Now().Add(2*time.Hour))
	s.chain.Subscribe(stranger.Address, owner.Address)
	sc.Send(map[string]any{"type": "watch", "stream_id": later})
	expectError(t, sc, "stream_not_started")
	require.Equal(t, idle, s.handles(), "a refused viewer got a Janus handle")

	// The next ones go through Janus: the broadcaster publishes once.
	snd := s.sender()
	fans := make([]*signalingtest.Wallet, 3)
	clients := make([]*signalingtest.Client, 3)
	receivers := make([]*janus.Receiver, 3)
	for i := range fans {
		fans[i] = signalingtest.NewWallet()
		s.chain.Subscribe(fans[i].Address, owner.Address)
		clients[i], _ = s.signedIn(fans[i])
		clients[i].Send(map[string]any{"type": "watch", "stream_id": id})
		require.Equal(t, "sfu", next(t, clients[i], "watching").Str("tier"))
		if i == 0 {
			s.publish(b, snd)
		}
		receivers[i] = s.answerSFU(clients[i])
	}
	for i, r := range receivers {
		waitPacket(t, r, fans[i].Address)
	}
	require.Equal(t, 3.0, s.metric("signaling_sfu_viewers"))
	require.Equal(t, idle+4, s.handles(), "a publisher's handle and one per admitted viewer")
	require.Equal(t, 4.0, s.metric("signaling_viewers"))

	// Nobody may address the media server off their tier, nor another
	// viewer's session there.
	dc.Send(map[string]any{"type": "answer", "to": "sfu", "sdp": map[string]string{"type": "answer", "sdp": "v=0"}})
	expectError(t, dc, "unknown_peer")
	clients[0].Send(map[string]any{"type": "offer", "to": "sfu", "sdp": map[string]string{"type": "offer", "sdp": "v=0"}})
	expectError(t, clients[0], "wrong_role")
	clients[0].Send(map[string]any{"type": "answer", "to": "sfu", "sdp": "not a description"})
	expectError(t, clients[0], "bad_message")
	clients[0].Send(map[string]any{"type": "candidate", "to": "sfu", "candidate": map[string]any{"sdpMid": "0"}})
	expectError(t, clients[0], "bad_message")
	b.Send(map[string]any{"type": "answer", "to": "sfu", "sdp": map[string]string{"type": "answer", "sdp": "v=0"}})
	expectError(t, b, "wrong_role")
	// The broadcaster gets no viewer_joined for them: its one upload is
	// to Janus.
	for {
		m, ok := b.TryNext(300 * time.Millisecond)
		if !ok {
			break
		}
		require.Equal(t, "viewer_count", m.Type(), "the broadcaster was told more than the count: %v", m)
	}

	// An unsubscribe in a block removes the viewer, and Janus stops its
	// media: the subscription is torn down on the server's side.
	cut := receivers[1]
	s.chain.Unsubscribe(fans[1].Address, owner.Address)
	s.feed.blocks <- []signaling.ChainEvent{{Kind: signaling.EventUnsubscribed, Subscriber: fans[1].Address, Broadcaster: owner.Address}}
	require.Equal(t, "not_subscribed", next(t, clients[1], "removed").Str("reason"))
	waitFor(t, "the removed viewer's media to stop", func() bool {
		n := cut.Packets.Load()
		time.Sleep(500 * time.Millisecond)
		return cut.Packets.Load() == n
	})
	before := receivers[0].Packets.Load()
	waitFor(t, "the other media server viewers to keep receiving", func() bool { return receivers[0].Packets.Load() > before+10 })
	require.Equal(t, 2.0, s.metric("signaling_sfu_viewers"))

	// Watching again is refused by the chain, as on the direct tier.
	clients[1].Send(map[string]any{"type": "watch", "stream_id": id})
	expectError(t, clients[1], "not_subscribed")
}

func TestMediaServerLostAndBack(t *testing.T) {
	s := newSFUEnv(t, func(c *signaling.Config) { c.SFU.MaxDirectViewers = 4 })
	owner := signalingtest.NewWallet()
	id := s.liveStream(owner)
	b, _ := s.signedIn(owner)
	// "Large audience": every viewer through the media server, and the
	// broadcaster is asked to publish at once.
	b.Send(map[string]any{"type": "broadcast", "stream_id": id, "direct_capacity": 0})
	m := next(t, b, "broadcasting")
	require.Equal(t, true, m["sfu"])
	require.Equal(t, 0.0, m["direct_capacity"])
	snd := s.sender()
	// A description Janus cannot read is refused, and a good one after it
	// is taken.
	next(t, b, "sfu_publish")
	b.Send(map[string]any{"type": "offer", "to": "sfu", "sdp": map[string]string{"type": "offer", "sdp": "v=0\r\nthis is not SDP\r\n"}})
	expectError(t, b, "sfu_invalid_sdp")
	s.offerSFU(b, snd)
	fan := signalingtest.NewWallet()
	vc, rcv := s.sfuViewer(fan, owner, id)
	waitPacket(t, rcv, "viewer")

	// Janus dies: health and metrics say so, the broadcaster is asked to
	// publish again, and a new viewer is refused with sfu_unavailable.
	s.jt.Kill()
	s.waitSFU(0)
	status, body := s.health()
	require.Equal(t, 200, status, "the direct tier still serves")
	require.Equal(t, "down", body["sfu"])
	next(t, b, "sfu_publish")
	late := signalingtest.NewWallet()
	s.chain.Subscribe(late.Address, owner.Address)
	lc, _ := s.signedIn(late)
	lc.Send(map[string]any{"type": "watch", "stream_id": id})
	expectError(t, lc, "sfu_unavailable")
	pc, offer, err := snd.Offer(context.Background())
	require.NoError(t, err)
	defer pc.Close()
	b.Send(map[string]any{"type": "offer", "to": "sfu", "sdp": map[string]string{"type": "offer", "sdp": offer}})
	expectError(t, b, "sfu_unavailable")

	// Janus is back: the broadcaster is asked again, publishes, and the
	// viewer that stayed gets a new offer and media again.
	s.jt.Restart()
	s.waitSFU(1)
	s.publish(b, snd)
	rcv2 := s.answerSFU(vc)
	waitPacket(t, rcv2, "viewer after the media server came back")
	_, body = s.health()
	require.Equal(t, "up", body["sfu"])
}

// sfuServer is the named media server's state in the internal health.
func (s *sfuEnv) sfuServers() map[string]map[string]any {
	s.t.Helper()
	_, body := s.internalHealth()
	out := map[string]map[string]any{}
	list, _ := body["sfu_servers"].([]any)
	for _, x := range list {
		st := x.(map[string]any)
		out[st["name"].(string)] = st
	}
	return out
}

// Three Janus instances, two viewers of a stream each: the third viewer is
// on a cascade. When its instance is SIGKILLed it is moved to the third
// instance through signalingd (a new offer from "sfu") and gets frames
// again; when the publication's own instance is killed, the broadcaster is
// asked to publish again and every viewer gets frames from the new one.
func TestJanusInstancesCascadeAndFailOver(t *testing.T) {
	servers := cascadable(t, "janus-a", "janus-b", "janus-c")
	s := newSFUEnvWith(t, servers, func(c *signaling.Config) { c.SFU.ViewersPerServer = 2 })
	owner := signalingtest.NewWallet()
	id := s.liveStream(owner)
	b := s.largeAudience(owner, id)
	snd := s.sender()
	s.publish(b, snd)

	clients := make([]*signalingtest.Client, 3)
	receivers := make([]*janus.Receiver, 3)
	for i := range clients {
		clients[i], receivers[i] = s.sfuViewer(signalingtest.NewWallet(), owner, id)
		waitPacket(t, receivers[i], "viewer")
	}
	// janus1 is the home (the least loaded when the stream was
	// published): two viewers there, the third on a cascade.
	st := s.sfuServers()
	require.EqualValues(t, 2, st["janus1"]["subscribers"], "%v", st)
	cascade := "janus2"
	if st["janus2"]["subscribers"] != 1.0 {
		cascade = "janus3"
	}
	require.EqualValues(t, 1, st[cascade]["subscribers"], "%v", st)
	victim := servers[map[string]int{"janus2": 1, "janus3": 2}[cascade]]

	killed := time.Now()
	victim.Kill()
	moved := s.answerSFU(clients[2])
	waitPacket(t, moved, "the viewer of the killed cascade")
	t.Logf("cascade instance SIGKILLed → frames again from another: %v", moved.FirstPacketAt().Sub(killed).Round(time.Millisecond))

	// The home goes (with the killed cascade back, so the three viewers
	// fit again): the broadcaster publishes again, on a live instance,
	// and every viewer is offered the new publication.
	victim.Restart()
	s.waitSFU(3)
	killed = time.Now()
	servers[0].Kill()
	s.publish(b, snd)
	var last time.Time
	for _, c := range clients {
		r := s.answerSFU(c)
		waitPacket(t, r, "viewer after the home was lost")
		last = r.FirstPacketAt()
	}
	t.Logf("home instance SIGKILLed → frames again for all 3 viewers: %v", last.Sub(killed).Round(time.Millisecond))
}

// In shared mode the stream's home brokers its media server tier for
// connections on every instance: a broadcaster on b, whose stream's home
// is a, asks for "large audience" through a, publishes through a, and a
// viewer on b gets the media server's offer through a and frames from
// Janus.
func TestSharedMediaServerTierAcrossInstances(t *testing.T) {
	a, b := sfuCluster(t, 1)
	api := janus.LocalAPI(janus.PassiveAnswerer)
	owner, early, late := signalingtest.NewWallet(), signalingtest.NewWallet(), signalingtest.NewWallet()
	id := a.liveStream(owner)
	a.chain.Subscribe(early.Address, owner.Address)
	a.chain.Subscribe(late.Address, owner.Address)

	// The first join makes a the home; the viewer is direct (capacity 1).
	ec, _ := a.signedIn(early)
	ec.Send(map[string]any{"type": "watch", "stream_id": id})
	require.Equal(t, "direct", next(t, ec, "watching").Str("tier"))

	bc, _ := b.signedIn(owner)
	bc.Send(map[string]any{"type": "broadcast", "stream_id": id, "direct_capacity": 0})
	m := next(t, bc, "broadcasting")
	require.Equal(t, 0.0, m["direct_capacity"], "the capacity asked on b holds at the home")
	require.Equal(t, true, m["sfu"])
	next(t, bc, "viewer_joined")

	s := &sfuEnv{env: b.env, api: api}
	snd := s.sender()
	s.publish(bc, snd)
	lc, rcv := s.sfuViewer(late, owner, id)
	waitPacket(t, rcv, "the viewer on b")
	require.EqualValues(t, 1, a.metric("signaling_sfu_viewers"), "the home counts the remote viewer on the media server")

	// The home's rules hold for the remote viewer, and its requests
	// reach the home.
	lc.Send(map[string]any{"type": "offer", "to": "sfu", "sdp": map[string]string{"type": "offer", "sdp": "v=0"}})
	expectError(t, lc, "wrong_role")
	lc.Send(map[string]any{"type": "sfu_quality", "quality": "medium"})
	require.Equal(t, "medium", next(t, lc, "sfu_quality").Str("quality"))
	next(t, ec, "broadcaster_joined")
	ec.Send(map[string]any{"type": "sfu_quality", "quality": "medium"})
	expectError(t, ec, "wrong_tier")
}

// A daemon started while its media server is down serves the direct tier,
// says so in health and refuses viewers past the direct capacity with
// sfu_unavailable; once Janus is up it connects by itself and the next
// viewer watches through it.
func TestMediaServerDownAtStart(t *testing.T) {
	jt := janus.Start(t, janus.Options{})
	jt.Kill()
	s := startSFUEnv(t, []*janus.Server{jt})
	owner, first, second := signalingtest.NewWallet(), signalingtest.NewWallet(), signalingtest.NewWallet()
	id := s.liveStream(owner)
	b, _ := s.broadcaster(owner, id)
	_, body := s.health()
	require.Equal(t, "down", body["sfu"])
	require.Equal(t, "ok", body["status"], "the direct tier serves")

	s.chain.Subscribe(first.Address, owner.Address)
	fc, _ := s.signedIn(first)
	fc.Send(map[string]any{"type": "watch", "stream_id": id})
	require.Equal(t, "direct", next(t, fc, "watching").Str("tier"))
	next(t, b, "viewer_joined")
	s.chain.Subscribe(second.Address, owner.Address)
	sc, _ := s.signedIn(second)
	sc.Send(map[string]any{"type": "watch", "stream_id": id})
	expectError(t, sc, "sfu_unavailable")

	jt.Restart()
	s.waitSFU(1)
	_, body = s.health()
	require.Equal(t, "up", body["sfu"])
	snd := s.sender()
	sc.Send(map[string]any{"type": "watch", "stream_id": id})
	require.Equal(t, "sfu", next(t, sc, "watching").Str("tier"))
	s.publish(b, snd)
	waitPacket(t, s.answerSFU(sc), "the viewer once Janus is up")
}
