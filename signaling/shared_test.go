package signaling_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/streamchain/streamchain/signaling"
	"github.com/streamchain/streamchain/signaling/protocol"
	"github.com/streamchain/streamchain/signaling/signalingtest"
)

// cluster is several signaling instances in shared mode over one real
// redis-server and one fixture chain, as behind a load balancer: one public
// origin for all.
type cluster struct {
	t     *testing.T
	chain *signalingtest.Chain
	redis *signalingtest.Redis
	cfg   signaling.Config
}

type instance struct {
	*env
	id string
}

func newCluster(t *testing.T, mutate ...func(*signaling.Config)) *cluster {
	t.Helper()
	cfg := testConfig()
	for _, m := range mutate {
		m(&cfg)
	}
	t.Cleanup(http.DefaultClient.CloseIdleConnections)
	return &cluster{t: t, chain: signalingtest.NewChain(t), redis: signalingtest.StartRedis(t), cfg: cfg}
}

// start runs one more instance named id.
func (c *cluster) start(id string, opts ...signaling.Option) *instance {
	c.t.Helper()
	reg := prometheus.NewRegistry()
	srv, err := signaling.New(c.cfg, signalingtest.DialChain(c.t, c.chain.Addr()), append([]signaling.Option{
		signaling.WithRegistry(reg), signaling.WithLogger(signalingtest.Logger().With("instance", id)),
		signaling.WithShared(c.redis.SharedConfig(c.t, id))}, opts...)...)
	require.NoError(c.t, err)
	hs := signalingtest.Serve(c.t, srv, nil)
	return &instance{env: &env{t: c.t, chain: c.chain, srv: srv, hs: hs, reg: reg, cfg: c.cfg}, id: id}
}

// twoInstances starts a and b and waits until each sees the other.
func (c *cluster) twoInstances() (*instance, *instance) {
	return c.pair(c.start("a"), c.start("b"))
}

func (c *cluster) pair(a, b *instance) (*instance, *instance) {
	for _, in := range []*instance{a, b} {
		waitFor(c.t, in.id+" sees two instances", func() bool { return len(in.instances(c.t)) == 2 })
	}
	return a, b
}

func (in *instance) instances(t *testing.T) []protocol.Instance {
	resp, err := http.Get(in.hs.URL + "/instances.json")
	require.NoError(t, err)
	defer resp.Body.Close()
	var body signaling.InstancesList
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
	return body.Instances
}

func TestSharedCrossInstancePairingRelaysInOrder(t *testing.T) {
	c := newCluster(t)
	a, b := c.twoInstances()
	owner, fan := signalingtest.NewWallet(), signalingtest.NewWallet()
	id := a.liveStream(owner)

	bc, bPeer := a.broadcaster(owner, id)
	c.chain.Subscribe(fan.Address, owner.Address)
	vc, vPeer := b.signedIn(fan)
	vc.Send(map[string]any{"type": "watch", "stream_id": id})
	w := vc.Expect("watching")
	require.Equal(t, bPeer, w.Str("broadcaster_peer_id"), "the viewer on b sees the broadcaster on a")
	require.EqualValues(t, 1, w["viewer_count"])
	vc.Expect("viewer_count")
	require.Equal(t, vPeer, bc.Expect("viewer_joined").Str("peer_id"))
	bc.Expect("viewer_count")
	require.EqualValues(t, 1, a.metric("signaling_remote_peers"))

	// Early candidates wait for the offer, then everything arrives in order.
	for i := range 5 {
		bc.Send(map[string]any{"type": "candidate", "to": vPeer, "candidate": map[string]any{"candidate": fmt.Sprintf("early-%d", i)}})
	}
	bc.Send(map[string]any{"type": "offer", "to": vPeer, "sdp": map[string]any{"type": "offer", "sdp": "v=0 offer"}})
	for i := range 30 { // within the message burst
		bc.Send(map[string]any{"type": "candidate", "to": vPeer, "candidate": map[string]any{"candidate": fmt.Sprintf("c-%d", i)}})
	}
	o := vc.Expect("offer")
	require.Equal(t, bPeer, o.Str("from"))
	for i := range 5 {
		require.Contains(t, vc.Expect("candidate").Raw("candidate"), fmt.Sprintf(`"early-%d"`, i))
	}
	for i := range 30 {
		require.Contains(t, vc.Expect("candidate").Raw("candidate"), fmt.Sprintf(`"c-%d"`, i), "candidates keep their order across instances")
	}
	vc.Send(map[string]any{"type": "answer", "to": bPeer, "sdp": map[string]any{"type": "answer", "sdp": "v=0 answer"}})
	require.Equal(t, vPeer, bc.Expect("answer").Str("from"))

	// The home's rules hold for the remote peer: a viewer does not offer.
	vc.Send(map[string]any{"type": "offer", "to": bPeer, "sdp": map[string]any{"type": "offer", "sdp": "x"}})
	vc.ExpectError("wrong_role")
	vc.Send(map[string]any{"type": "watch", "stream_id": id})
	vc.ExpectError("already_in_session")

	// Leaving from b reaches a's hub.
	vc.Send(map[string]any{"type": "leave"})
	vc.Expect("left")
	left := bc.Expect("viewer_left")
	require.Equal(t, vPeer, left.Str("peer_id"))
	require.Equal(t, "left", left.Str("reason"))
	waitFor(t, "the remote peer to be gone", func() bool { return a.metric("signaling_remote_peers") == 0 })

	// And the connection on b can watch again.
	vc.Send(map[string]any{"type": "watch", "stream_id": id})
	vc.Expect("watching")
}

func TestSharedNonceIsSingleUseAcrossInstances(t *testing.T) {
	c := newCluster(t)
	a, b := c.twoInstances()
	w := signalingtest.NewWallet()

	issuer := a.dial()
	ch := issuer.Expect("challenge")
	proof := w.AuthMessage(ch.Str("message"))

	// Answered on another instance while the issuing connection is still
	// open: accepted, once.
	other := b.dial()
	other.Expect("challenge")
	other.Send(proof)
	other.Expect("authenticated")

	// Never twice: not on the connection it was issued to, nor anywhere.
	issuer.Send(proof)
	issuer.ExpectError("auth_replayed")
	for _, in := range []*instance{a, b} {
		again := in.dial()
		again.Expect("challenge")
		again.Send(proof)
		again.ExpectError("auth_replayed")
	}
}

func TestSharedTakeoverAcrossInstances(t *testing.T) {
	c := newCluster(t)
	a, b := c.twoInstances()
	owner, fan := signalingtest.NewWallet(), signalingtest.NewWallet()
	id := a.liveStream(owner)
	first, _ := a.broadcaster(owner, id)
	v, _ := a.viewer(fan, owner, id, first)

	second, peer := b.signedIn(owner)
	second.Send(map[string]any{"type": "broadcast", "stream_id": id})
	second.Expect("broadcasting")
	code, _ := first.ExpectClosed()
	require.Equal(t, protocol.CloseTakenOver, code)
	require.Equal(t, peer, v.ExpectSkipping("broadcaster_joined", "viewer_count").Str("peer_id"))

	// And back: a takeover on a closes the broadcaster on b.
	third, peer3 := a.signedIn(owner)
	third.Send(map[string]any{"type": "broadcast", "stream_id": id})
	third.Expect("broadcasting")
	code, _ = second.ExpectClosed()
	require.Equal(t, protocol.CloseTakenOver, code)
	require.Equal(t, peer3, v.ExpectSkipping("broadcaster_joined", "viewer_count").Str("peer_id"))
}

func TestSharedViewerCapsAreGlobal(t *testing.T) {
	c := newCluster(t, func(cfg *signaling.Config) {
		cfg.MaxViewersPerStream = 2
		cfg.MaxViewersPerAccount = 1
	})
	a, b := c.twoInstances()
	owner := signalingtest.NewWallet()
	s1, s2 := a.liveStream(owner), a.liveStream(owner)

	// Per account over all streams: watching s1 on a uses the account's
	// only seat; s2 from b is refused.
	fan := signalingtest.NewWallet()
	a.viewer(fan, owner, s1, nil)
	again, _ := b.signedIn(fan)
	again.Send(map[string]any{"type": "watch", "stream_id": s2})
	again.ExpectError("too_many_sessions")

	// Per stream: two seats over both instances.
	other := signalingtest.NewWallet()
	b.viewer(other, owner, s1, nil)
	third := signalingtest.NewWallet()
	c.chain.Subscribe(third.Address, owner.Address)
	late, _ := a.signedIn(third)
	late.Send(map[string]any{"type": "watch", "stream_id": s1})
	late.ExpectError("stream_full")
}

func TestSharedLiveViewAndInstancesList(t *testing.T) {
	c := newCluster(t)
	a, b := c.twoInstances()
	owner, fan := signalingtest.NewWallet(), signalingtest.NewWallet()
	id := a.liveStream(owner)
	bc, _ := a.broadcaster(owner, id)
	b.viewer(fan, owner, id, bc)

	// a's URL is known once a has served a request (it advertises the
	// origin it is reached at) and b has refreshed its list.
	waitFor(t, "b to list a with its URL", func() bool {
		got := b.instances(t)
		require.Len(t, got, 2)
		require.Equal(t, "b", got[0].ID, "this instance first")
		require.Equal(t, "a", got[1].ID)
		return got[1].URL == a.hs.URL
	})

	waitFor(t, "b's live view to show a's stream", func() bool {
		resp, err := http.Get(b.hs.URL + "/live.json")
		require.NoError(t, err)
		defer resp.Body.Close()
		if resp.StatusCode == http.StatusTooManyRequests {
			return false // polled faster than /live.json's rate limit: ask again
		}
		var snap signaling.LiveSnapshot
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&snap))
		return len(snap.Streams) == 1 && uint64(snap.Streams[0].StreamID) == id && snap.Streams[0].Viewers == 1
	})
}

func TestSharedDrainTellsClientsWhereToGo(t *testing.T) {
	c := newCluster(t)
	a, b := c.twoInstances()
	owner, fan := signalingtest.NewWallet(), signalingtest.NewWallet()
	id := b.liveStream(owner)
	bc, _ := b.broadcaster(owner, id)
	vc, _ := a.viewer(fan, owner, id, bc) // home b, viewer on a

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, b.srv.Shutdown(ctx))

	// On a loaded machine b may also have missed a's heartbeat and lost
	// the viewer first: that is not what this test is about.
	d := bc.ExpectSkipping("draining", "viewer_left", "viewer_count")
	require.Positive(t, d["reconnect_within_ms"])
	others := d["instances"].([]any)
	require.Len(t, others, 1)
	require.Equal(t, "a", others[0].(map[string]any)["id"])
	code, _ := bc.ExpectClosed()
	require.Equal(t, protocol.CloseServerDrained, code)

	// The viewer's connection is on a, which stays: its session ends
	// (the home is gone), the connection does not.
	ended := vc.ExpectSkipping("stream_ended", "viewer_count")
	require.Equal(t, "instance_lost", ended.Str("reason"))
	vc.Send(map[string]any{"type": "watch", "stream_id": id})
	w := vc.Expect("watching")
	require.Empty(t, w.Str("broadcaster_peer_id"), "a is the home now, waiting for the broadcaster")
}

func TestSharedRedisOutageFailsClosedAndRecovers(t *testing.T) {
	c := newCluster(t)
	a, b := c.twoInstances()
	owner, fan, late := signalingtest.NewWallet(), signalingtest.NewWallet(), signalingtest.NewWallet()
	id := a.liveStream(owner)
	bc, _ := a.broadcaster(owner, id)
	vc, vPeer := a.viewer(fan, owner, id, bc)
	remote, _ := b.viewer(signalingtest.NewWallet(), owner, id, bc) // across instances
	c.chain.Subscribe(late.Address, owner.Address)
	lc, _ := b.signedIn(late)
	baseline := runtime.NumGoroutine()

	c.redis.Kill()
	waitFor(t, "a to notice", func() bool { return a.metric("signaling_redis_up") == 0 })
	status, health := internalHealth(t, a)
	require.Equal(t, http.StatusServiceUnavailable, status)
	require.Equal(t, "degraded", health["status"])
	require.Equal(t, "unreachable", health["redis"])

	// New joins fail closed with their own code; a new sign-in too.
	lc.Send(map[string]any{"type": "watch", "stream_id": id})
	lc.ExpectError("shared_state_unavailable")
	fresh := a.dial()
	fresh.ExpectError("shared_state_unavailable")
	fresh.Close()

	// The same-instance pair keeps relaying.
	bc.Send(map[string]any{"type": "offer", "to": vPeer, "sdp": map[string]any{"type": "offer", "sdp": "v=0"}})
	vc.ExpectSkipping("offer", "viewer_count")

	// Out for longer than the instance TTL: each side takes the other
	// for gone.
	time.Sleep(1300 * time.Millisecond)
	c.redis.Start()
	// The session across instances is over on both sides (what was sent
	// during the outage is lost); the same-instance one goes on.
	ended := remote.ExpectSkipping("stream_ended", "viewer_count")
	require.Equal(t, "instance_lost", ended.Str("reason"))
	require.Equal(t, "instance_lost", bc.ExpectSkipping("viewer_left", "viewer_count").Str("reason"))
	waitFor(t, "a and b to reach redis again", func() bool {
		return a.metric("signaling_redis_up") == 1 && b.metric("signaling_redis_up") == 1
	})
	waitFor(t, "joins to work again", func() bool {
		lc.Send(map[string]any{"type": "watch", "stream_id": id})
		m := lc.Next()
		if m.Type() == "watching" {
			return true
		}
		require.Equal(t, "shared_state_unavailable", m.Str("code"), "got %v", m)
		time.Sleep(50 * time.Millisecond)
		return false
	})
	bc.ExpectSkipping("viewer_joined", "viewer_count")
	bc.Send(map[string]any{"type": "offer", "to": vPeer, "sdp": map[string]any{"type": "offer", "sdp": "v=0"}})
	vc.ExpectSkipping("offer", "viewer_count")
	status, health = internalHealth(t, a)
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, "reachable", health["redis"])
	waitFor(t, "goroutines back to the baseline", func() bool { return runtime.NumGoroutine() <= baseline+8 })
}

func internalHealth(t *testing.T, in *instance) (int, map[string]any) {
	t.Helper()
	if in.internal == nil {
		in.internal = httptest.NewServer(in.srv.InternalHandler())
		t.Cleanup(in.internal.Close)
	}
	resp, err := http.Get(in.internal.URL + "/healthz")
	require.NoError(t, err)
	defer resp.Body.Close()
	body := map[string]any{}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
	return resp.StatusCode, body
}

// An unsubscribe seen only by the viewer's instance cuts the viewer at its
// session's home, which follows no chain events itself.
func TestSharedRevocationReachesTheHome(t *testing.T) {
	c := newCluster(t, func(cfg *signaling.Config) { cfg.RecheckInterval = time.Hour; cfg.CacheTTL = time.Minute })
	feed := newFakeFeed()
	a, b := c.pair(c.start("a"), c.start("b", signaling.WithEventFeed(feed)))
	owner, fan := signalingtest.NewWallet(), signalingtest.NewWallet()
	id := a.liveStream(owner)
	bc, _ := a.broadcaster(owner, id)
	vc, vPeer := b.viewer(fan, owner, id, bc)

	feed.states <- true
	c.chain.Unsubscribe(fan.Address, owner.Address)
	feed.blocks <- []signaling.ChainEvent{{Kind: signaling.EventUnsubscribed, Subscriber: fan.Address, Broadcaster: owner.Address}}
	removed := vc.ExpectSkipping("removed", "viewer_count")
	require.Equal(t, "not_subscribed", removed.Str("reason"))
	left := bc.ExpectSkipping("viewer_left", "viewer_count")
	require.Equal(t, vPeer, left.Str("peer_id"))
	require.Equal(t, "not_subscribed", left.Str("reason"))
}

// One session per stream: a hub whose home lease another instance holds
// (it claimed the stream while this one could not refresh) ends its session
// so the peers join again at the real home.
func TestSharedLostLeaseEndsTheSessionHere(t *testing.T) {
	c := newCluster(t)
	a, b := c.twoInstances()
	owner, fan := signalingtest.NewWallet(), signalingtest.NewWallet()
	id := a.liveStream(owner)
	bc, _ := a.broadcaster(owner, id)
	vc, _ := b.viewer(fan, owner, id, bc)

	rdb := c.redis.Client(t)
	require.NoError(t, rdb.Set(context.Background(), fmt.Sprintf("signaling:home:%d", id), "b", time.Minute).Err())
	for _, cl := range []*signalingtest.Client{bc, vc} {
		ended := cl.ExpectSkipping("stream_ended", "viewer_count")
		require.Equal(t, "instance_lost", ended.Str("reason"))
	}
	// b is the home now: the broadcaster, still on a, joins it there.
	bc.Send(map[string]any{"type": "broadcast", "stream_id": id})
	bc.Expect("broadcasting")
	vc.Send(map[string]any{"type": "watch", "stream_id": id})
	require.NotEmpty(t, vc.Expect("watching").Str("broadcaster_peer_id"))
	require.EqualValues(t, 1, b.metric("signaling_remote_peers"), "the broadcaster on a is a remote peer of b")
}

// A page served by an instance that has since died still reaches the
// survivors (that is when it needs them), and can read their list.
func TestSharedDeadInstanceOriginStillAdmitted(t *testing.T) {
	c := newCluster(t)
	a, b := c.twoInstances()
	pageOrigin := a.hs.URL
	waitFor(t, "b to know a's URL", func() bool {
		for _, in := range b.instances(t) {
			if in.ID == a.id && in.URL == pageOrigin {
				return true
			}
		}
		return false
	})
	a.srv.Close()
	a.hs.Close()
	waitFor(t, "b to see a gone", func() bool { return len(b.instances(t)) == 1 })

	ws, resp, err := b.rawDial(pageOrigin)
	require.NoError(t, err, "a page a served is refused by b after a died")
	require.Equal(t, http.StatusSwitchingProtocols, resp.StatusCode)
	_ = ws.Close()

	_, resp, err = b.rawDial("http://elsewhere.example")
	require.Error(t, err)
	require.Equal(t, http.StatusForbidden, resp.StatusCode)

	list, err := http.Get(b.hs.URL + "/instances.json")
	require.NoError(t, err)
	defer list.Body.Close()
	require.Equal(t, "*", list.Header.Get("Access-Control-Allow-Origin"))
}

// A viewer on another instance flooding a broadcaster that does not read is
// closed with 4003, as a local one is (TestViewerCannotGetTheBroadcasterDropped):
// the same rule across instances, and the broadcaster stays.
func TestSharedRemoteFlooderIsClosedNotTheBroadcaster(t *testing.T) {
	c := newCluster(t, func(cfg *signaling.Config) {
		cfg.MessagesPerSecond, cfg.MessageBurst = 1e6, 1e6
		cfg.RelayBytesPerSecond, cfg.RelayByteBurst = 1<<30, 1<<30
	})
	a, b := c.twoInstances()
	owner, fan := signalingtest.NewWallet(), signalingtest.NewWallet()
	id := a.liveStream(owner)
	bws, bpeer := a.pausedBroadcaster(owner, id)

	v, _ := b.viewer(fan, owner, id, nil)
	v.Send(map[string]any{"type": "answer", "to": bpeer, "sdp": map[string]any{"type": "answer", "sdp": "v=0"}})
	closed, busy := floodCandidates(v, bpeer, time.Millisecond, nil) // the pause lets the messages cross Redis
	require.True(t, closed, "the flooding viewer on b was never stopped")
	t.Logf("peer_busy replies read before the close: %d", busy)
	waitFor(t, "b to close the flooder for its rate", func() bool {
		return b.metric("signaling_disconnects_total", "reason", "rate_limited") == 1
	})
	require.Zero(t, a.metric("signaling_disconnects_total", "reason", "slow_consumer"), "the broadcaster was dropped")

	// The broadcaster reads again: still connected, and told the viewer left.
	_ = bws.SetReadDeadline(time.Now().Add(4 * signalingtest.Timeout))
	for {
		_, data, err := bws.ReadMessage()
		require.NoError(t, err, "the broadcaster lost its connection")
		if signalingtest.Msg(decode(t, data)).Type() == "viewer_left" {
			break
		}
	}
}
