package signaling_test

import (
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/streamchain/streamchain/signaling"
	"github.com/streamchain/streamchain/signaling/protocol"
	"github.com/streamchain/streamchain/signaling/signalingtest"
)

func TestSignInOverWebSocket(t *testing.T) {
	e := newEnv(t)
	w := signalingtest.NewWallet()
	c := e.dial()

	ch := c.Expect("challenge")
	require.Equal(t, testChainID, ch.Str("chain_id"))
	require.Equal(t, testOrigin, ch.Str("origin"))
	require.Contains(t, ch.Str("message"), "\nNonce: "+ch.Str("nonce")+"\n")
	exp, err := time.Parse(time.RFC3339, ch.Str("expires_at"))
	require.NoError(t, err)
	require.WithinDuration(t, time.Now().Add(e.cfg.ChallengeTTL), exp, 2*time.Second)

	c.Send(w.AuthMessage(ch.Str("message")))
	m := c.Expect("authenticated")
	require.Equal(t, w.Address, m.Str("address"))
	require.Len(t, m.Str("peer_id"), 22)

	c.Send(map[string]any{"type": "challenge"})
	c.ExpectError("already_authenticated")
	c.Send(w.AuthMessage(ch.Str("message")))
	c.ExpectError("already_authenticated")
}

func TestChallengeNamesTheRequestedHostWithoutPublicOrigin(t *testing.T) {
	e := newEnv(t, func(c *signaling.Config) { c.PublicOrigin = "" })
	c := e.dial()
	require.Equal(t, e.hs.URL, c.Expect("challenge").Str("origin"))
	c.Send(map[string]any{"type": "challenge"})
	require.Equal(t, e.hs.URL, c.Expect("challenge").Str("origin"))
}

func TestNothingIsAcceptedBeforeSignIn(t *testing.T) {
	e := newEnv(t)
	c := e.dial()
	c.Expect("challenge")
	// Asking for a fresh challenge is part of the exchange and always fine.
	c.Send(map[string]any{"type": "challenge"})
	c.Expect("challenge")

	c.Send(map[string]any{"type": "watch", "stream_id": 1})
	c.ExpectError("unauthenticated")
	c.Send(map[string]any{"type": "offer", "to": "x", "sdp": "v=0"})
	c.ExpectError("unauthenticated")
	c.Send(map[string]any{"type": "leave"})
	c.ExpectError("unauthenticated")
	code, _ := c.ExpectClosed()
	require.Equal(t, protocol.CloseAuthFailed, code)
	require.Equal(t, 3.0, e.metric("signaling_auth_failures_total", "reason", "unauthenticated"))
}

// A client matching replies by request always gets one: refused messages
// with a readable type name it, before sign-in and after.
func TestErrorsCarryTheRequest(t *testing.T) {
	e := newEnv(t)
	c := e.dial()
	c.Expect("challenge")
	c.Send(map[string]any{"type": "hack"})
	require.Equal(t, "hack", c.ExpectError("unknown_type").Str("request"))
	c2, _ := e.signedIn(signalingtest.NewWallet())
	c2.Send(map[string]any{"type": "watch"})
	require.Equal(t, "watch", c2.ExpectError("bad_message").Str("request"))
	c2.Send(map[string]any{"type": "nope"})
	require.Equal(t, "nope", c2.ExpectError("unknown_type").Str("request"))
}

func TestFailedSignInsCloseTheConnection(t *testing.T) {
	e := newEnv(t)
	w, other := signalingtest.NewWallet(), signalingtest.NewWallet()
	c := e.dial()
	text := c.Expect("challenge").Str("message")
	bad := w.AuthMessage(text)
	sig := w.SignArbitrary(text)
	sig.Signature = other.SignArbitrary(text).Signature
	bad["signature"] = sig
	for range 2 {
		c.Send(bad)
		c.ExpectError("auth_bad_signature")
	}
	c.Send(map[string]any{"type": "auth", "address": w.Address, "message": text, "signature": map[string]any{}})
	c.ExpectError("auth_malformed")
	code, text2 := c.ExpectClosed()
	require.Equal(t, protocol.CloseAuthFailed, code)
	require.NotEmpty(t, text2)
	require.Equal(t, 2.0, e.metric("signaling_auth_failures_total", "reason", "auth_bad_signature"))
}

func TestProofIsBoundToItsConnection(t *testing.T) {
	e := newEnv(t)
	w := signalingtest.NewWallet()

	// A proof intercepted before use does not sign in another connection...
	c1 := e.dial()
	auth := w.AuthMessage(c1.Expect("challenge").Str("message"))
	c2 := e.dial()
	c2.Expect("challenge")
	c2.Send(auth)
	c2.ExpectError("auth_unknown_nonce")

	// ...and once used it is burnt everywhere.
	c1.Send(auth)
	c1.Expect("authenticated")
	c3 := e.dial()
	c3.Expect("challenge")
	c3.Send(auth)
	c3.ExpectError("auth_replayed")
}

func TestUnauthenticatedConnectionTimesOut(t *testing.T) {
	// Challenge times are whole seconds, and a challenge must expire before
	// the auth timeout: the shortest workable pair.
	e := newEnv(t, func(c *signaling.Config) { c.AuthTimeout, c.ChallengeTTL = 2500*time.Millisecond, 2*time.Second })
	c := e.dial()
	c.Expect("challenge")
	code, _ := c.ExpectClosed()
	require.Equal(t, protocol.CloseAuthTimeout, code)

	// A signed-in connection outlives the timeout: it still answers after it.
	w := signalingtest.NewWallet()
	ok, _ := e.signedIn(w)
	time.Sleep(e.cfg.AuthTimeout + 100*time.Millisecond)
	ok.Send(map[string]any{"type": "leave"})
	ok.ExpectError("not_in_session")
}

func TestBroadcastChecksOwnershipAndSchedule(t *testing.T) {
	e := newEnv(t)
	owner, other := signalingtest.NewWallet(), signalingtest.NewWallet()
	now := time.Now()
	live := e.liveStream(owner)
	early := e.chain.AddStream(owner.Address, now.Add(time.Hour), now.Add(2*time.Hour))
	soon := e.chain.AddStream(owner.Address, now.Add(e.cfg.StartGrace/2), now.Add(time.Hour))
	ended := e.chain.AddStream(owner.Address, now.Add(-2*time.Hour), now.Add(-time.Hour))

	c, _ := e.signedIn(other)
	c.Send(map[string]any{"type": "broadcast", "stream_id": live})
	c.ExpectError("not_stream_owner")

	o, peer := e.signedIn(owner)
	for _, tc := range []struct {
		id   uint64
		code string
	}{{999, "stream_not_found"}, {early, "stream_not_started"}, {ended, "stream_ended"}} {
		o.Send(map[string]any{"type": "broadcast", "stream_id": tc.id})
		m := o.ExpectError(tc.code)
		require.Equal(t, "broadcast", m.Str("request"))
	}

	// Within the grace period before the start: allowed.
	o.Send(map[string]any{"type": "broadcast", "stream_id": strconv.FormatUint(soon, 10)})
	m := o.Expect("broadcasting")
	require.Equal(t, strconv.FormatUint(soon, 10), m.Str("stream_id"))
	require.Equal(t, peer, m.Str("peer_id"))
	require.JSONEq(t, `[{"urls":["stun:stun.example:3478"]}]`, m.Raw("ice_servers"))
	o.Send(map[string]any{"type": "broadcast", "stream_id": live})
	o.ExpectError("already_in_session")

	o.Send(map[string]any{"type": "leave"})
	o.Expect("left")
	o.Send(map[string]any{"type": "broadcast", "stream_id": live})
	o.Expect("broadcasting")
	require.Equal(t, 1.0, e.metric("signaling_live_streams"))
}

func TestWatchChecksSubscriptionAndSchedule(t *testing.T) {
	e := newEnv(t)
	owner, fan := signalingtest.NewWallet(), signalingtest.NewWallet()
	now := time.Now()
	id := e.liveStream(owner)
	early := e.chain.AddStream(owner.Address, now.Add(time.Hour), now.Add(2*time.Hour))
	ended := e.chain.AddStream(owner.Address, now.Add(-2*time.Hour), now.Add(-time.Hour))
	b, bp := e.broadcaster(owner, id)

	v, vp := e.signedIn(fan)
	v.Send(map[string]any{"type": "watch", "stream_id": id})
	v.ExpectError("not_subscribed")

	e.chain.Subscribe(fan.Address, owner.Address)
	for _, tc := range []struct {
		id   uint64
		code string
	}{{999, "stream_not_found"}, {early, "stream_not_started"}, {ended, "stream_ended"}} {
		v.Send(map[string]any{"type": "watch", "stream_id": tc.id})
		v.ExpectError(tc.code)
	}

	// A refusal is cached only briefly (with no event feed here, for the
	// not-found TTL): then subscribing on chain is enough.
	time.Sleep(e.cfg.NotFoundCacheTTL)
	v.Send(map[string]any{"type": "watch", "stream_id": id})
	m := v.Expect("watching")
	require.Equal(t, owner.Address, m.Str("broadcaster"))
	require.Equal(t, bp, m.Str("broadcaster_peer_id"))
	require.Equal(t, vp, m.Str("peer_id"))
	require.JSONEq(t, `[{"urls":["stun:stun.example:3478"]}]`, m.Raw("ice_servers"))
	require.Equal(t, 1.0, m["viewer_count"])
	require.Equal(t, 1.0, v.Expect("viewer_count")["count"])

	// The broadcaster learns a peer id, never the viewer's address.
	j := b.Expect("viewer_joined")
	require.Equal(t, vp, j.Str("peer_id"))
	require.NotContains(t, j, "address")
	require.Equal(t, 1.0, b.Expect("viewer_count")["count"])

	v.Send(map[string]any{"type": "watch", "stream_id": id})
	v.ExpectError("already_in_session")
}

func TestViewerMayWaitForTheBroadcaster(t *testing.T) {
	e := newEnv(t)
	owner, fan := signalingtest.NewWallet(), signalingtest.NewWallet()
	now := time.Now()
	id := e.chain.AddStream(owner.Address, now.Add(time.Minute), now.Add(time.Hour))
	v, vp := e.viewer(fan, owner, id, nil)

	b, bp := e.signedIn(owner)
	b.Send(map[string]any{"type": "broadcast", "stream_id": id})
	m := b.Expect("broadcasting")
	require.Equal(t, 1.0, m["viewer_count"])
	require.Equal(t, vp, b.Expect("viewer_joined").Str("peer_id"))
	require.Equal(t, bp, v.Expect("broadcaster_joined").Str("peer_id"))
}

func TestRelayBetweenBroadcasterAndViewer(t *testing.T) {
	e := newEnv(t)
	owner, fan := signalingtest.NewWallet(), signalingtest.NewWallet()
	id := e.liveStream(owner)
	b, bp := e.broadcaster(owner, id)
	v, vp := e.viewer(fan, owner, id, b)

	offer := `{"type":"offer","sdp":"v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"}`
	b.SendRaw([]byte(`{"type":"offer","to":"` + vp + `","sdp":` + offer + `}`))
	m := v.Expect("offer")
	require.Equal(t, bp, m.Str("from"))
	require.JSONEq(t, offer, m.Raw("sdp"))
	require.NotContains(t, m, "to")

	answer := `{"type":"answer","sdp":"v=0\r\n"}`
	v.SendRaw([]byte(`{"type":"answer","to":"` + bp + `","sdp":` + answer + `}`))
	m = b.Expect("answer")
	require.Equal(t, vp, m.Str("from"))
	require.JSONEq(t, answer, m.Raw("sdp"))

	cand := `{"candidate":"candidate:1 1 udp 2130706431 127.0.0.1 50000 typ host","sdpMid":"0","sdpMLineIndex":0}`
	b.SendRaw([]byte(`{"type":"candidate","to":"` + vp + `","candidate":` + cand + `}`))
	m = v.Expect("candidate")
	require.Equal(t, bp, m.Str("from"))
	require.JSONEq(t, cand, m.Raw("candidate"))
	v.SendRaw([]byte(`{"type":"candidate","to":"` + bp + `","candidate":` + cand + `}`))
	m = b.Expect("candidate")
	require.Equal(t, vp, m.Str("from"))

	// Payloads are opaque: any JSON value is relayed unchanged.
	b.SendRaw([]byte(`{"type":"candidate","to":"` + vp + `","candidate":"a=end-of-candidates"}`))
	require.Equal(t, "a=end-of-candidates", v.Expect("candidate").Str("candidate"))

	waitFor(t, "relay latency observations", func() bool {
		return e.metric("signaling_relay_latency_seconds", "type", "candidate") == 3 &&
			e.metric("signaling_relay_latency_seconds", "type", "offer") == 1
	})
}

// quiet proves a client has received nothing since its last read: a request
// answered by an error is the next message it gets.
func quiet(c *signalingtest.Client) {
	c.Send(map[string]any{"type": "challenge"})
	c.ExpectError("already_authenticated")
}

func TestRelayOnlyBetweenABroadcasterAndItsOwnViewers(t *testing.T) {
	e := newEnv(t)
	owner1, owner2 := signalingtest.NewWallet(), signalingtest.NewWallet()
	fan1, fan1b, fan2 := signalingtest.NewWallet(), signalingtest.NewWallet(), signalingtest.NewWallet()
	s1, s2 := e.liveStream(owner1), e.liveStream(owner2)
	b1, b1p := e.broadcaster(owner1, s1)
	b2, b2p := e.broadcaster(owner2, s2)
	v1, v1p := e.viewer(fan1, owner1, s1, b1)
	v1b, v1bp := e.viewer(fan1b, owner1, s1, b1)
	v1.Expect("viewer_count")
	v2, v2p := e.viewer(fan2, owner2, s2, b2)
	loner, _ := e.signedIn(signalingtest.NewWallet())

	sdp := `"v=0"`
	send := func(c *signalingtest.Client, typ, to string) {
		field := "sdp"
		if typ == "candidate" {
			field = "candidate"
		}
		c.SendRaw([]byte(`{"type":"` + typ + `","to":"` + to + `","` + field + `":` + sdp + `}`))
	}

	send(b1, "offer", v2p) // another stream's viewer
	b1.ExpectError("unknown_peer")
	send(b1, "candidate", b2p) // another broadcaster
	b1.ExpectError("unknown_peer")
	send(b1, "offer", "no-such-peer")
	b1.ExpectError("unknown_peer")
	send(v1, "candidate", v1bp) // a fellow viewer
	v1.ExpectError("unknown_peer")
	send(v1, "answer", b2p) // another stream's broadcaster
	v1.ExpectError("unknown_peer")
	send(v2, "candidate", v1p)
	v2.ExpectError("unknown_peer")
	send(v1, "offer", b1p) // viewers do not offer
	v1.ExpectError("wrong_role")
	send(b1, "answer", v1p) // broadcasters do not answer
	b1.ExpectError("wrong_role")
	send(loner, "candidate", b1p) // not in any session
	loner.ExpectError("not_in_session")

	// None of it reached anyone.
	for _, c := range []*signalingtest.Client{b1, b2, v1, v1b, v2} {
		quiet(c)
	}
}

func TestEarlyCandidatesWaitForTheSessionDescription(t *testing.T) {
	e := newEnv(t, func(c *signaling.Config) { c.MaxPendingCandidates = 2 })
	owner, fan := signalingtest.NewWallet(), signalingtest.NewWallet()
	id := e.liveStream(owner)
	b, bp := e.broadcaster(owner, id)
	v, vp := e.viewer(fan, owner, id, b)

	// Broadcaster → viewer, before the offer: held, bounded.
	for _, c := range []string{"c1", "c2"} {
		b.Send(map[string]any{"type": "candidate", "to": vp, "candidate": c})
	}
	b.Send(map[string]any{"type": "candidate", "to": vp, "candidate": "c3"})
	b.ExpectError("candidate_queue_full")
	quiet(v)
	require.Equal(t, 2, e.srv.Stats().PendingCandidates)

	b.Send(map[string]any{"type": "offer", "to": vp, "sdp": "o"})
	require.Equal(t, "o", v.Expect("offer").Str("sdp"))
	require.Equal(t, "c1", v.Expect("candidate").Str("candidate"))
	require.Equal(t, "c2", v.Expect("candidate").Str("candidate"))
	b.Send(map[string]any{"type": "candidate", "to": vp, "candidate": "c4"})
	require.Equal(t, "c4", v.Expect("candidate").Str("candidate"))

	// Viewer → broadcaster, before the answer: held too.
	v.Send(map[string]any{"type": "candidate", "to": bp, "candidate": "d1"})
	quiet(b)
	v.Send(map[string]any{"type": "answer", "to": bp, "sdp": "a"})
	require.Equal(t, "a", b.Expect("answer").Str("sdp"))
	require.Equal(t, "d1", b.Expect("candidate").Str("candidate"))
	require.Equal(t, 0, e.srv.Stats().PendingCandidates)
}

func TestNewBroadcasterConnectionTakesOver(t *testing.T) {
	e := newEnv(t)
	owner, fan, other := signalingtest.NewWallet(), signalingtest.NewWallet(), signalingtest.NewWallet()
	id := e.liveStream(owner)
	b1, b1p := e.broadcaster(owner, id)
	v, vp := e.viewer(fan, owner, id, b1)

	// Someone else cannot take it over.
	x, _ := e.signedIn(other)
	x.Send(map[string]any{"type": "broadcast", "stream_id": id})
	x.ExpectError("not_stream_owner")
	quiet(b1)

	b2, b2p := e.signedIn(owner)
	b2.Send(map[string]any{"type": "broadcast", "stream_id": id})
	m := b2.Expect("broadcasting")
	require.Equal(t, 1.0, m["viewer_count"])
	require.Equal(t, vp, b2.Expect("viewer_joined").Str("peer_id"))

	code, reason := b1.ExpectClosed()
	require.Equal(t, protocol.CloseTakenOver, code)
	require.Contains(t, reason, "took over")
	require.Equal(t, b2p, v.Expect("broadcaster_joined").Str("peer_id"))

	// The old peer id is gone; the new one is reachable.
	v.Send(map[string]any{"type": "answer", "to": b1p, "sdp": "a"})
	v.ExpectError("unknown_peer")
	b2.Send(map[string]any{"type": "offer", "to": vp, "sdp": "o2"})
	require.Equal(t, b2p, v.Expect("offer").Str("from"))
	require.Equal(t, 1.0, e.metric("signaling_live_streams"))
	require.Equal(t, 1.0, e.metric("signaling_viewers"))
}

func TestLeavingViewerLeavesNothingBehind(t *testing.T) {
	e := newEnv(t)
	owner := signalingtest.NewWallet()
	id := e.liveStream(owner)
	b, _ := e.broadcaster(owner, id)

	// Warm up once so lazily started goroutines (gRPC, timers) exist before
	// the snapshot.
	w0, _ := e.viewer(signalingtest.NewWallet(), owner, id, b)
	w0.Close()
	b.Expect("viewer_left")
	b.Expect("viewer_count")
	snapshot := goleak.IgnoreCurrent()

	var gone []string
	for i := range 6 {
		fan := signalingtest.NewWallet()
		v, vp := e.viewer(fan, owner, id, b)
		// Leave a held candidate behind for the hub to free.
		b.Send(map[string]any{"type": "candidate", "to": vp, "candidate": "c"})
		quiet(b)
		require.Equal(t, 1, e.srv.Stats().PendingCandidates)
		want := "disconnected"
		if i%2 == 0 {
			v.Send(map[string]any{"type": "leave"})
			v.Expect("left")
			want = "left"
		}
		v.Close()
		left := b.Expect("viewer_left")
		require.Equal(t, vp, left.Str("peer_id"))
		require.Equal(t, want, left.Str("reason"))
		require.Equal(t, 0.0, b.Expect("viewer_count")["count"])
		gone = append(gone, vp)
	}

	waitFor(t, "connections to be released", func() bool { return e.srv.Stats().Connections == 1 })
	st := e.srv.Stats()
	require.Equal(t, 0, st.Viewers)
	require.Equal(t, 0, st.PendingCandidates)
	require.Equal(t, 1, st.Streams)
	require.Equal(t, 0.0, e.metric("signaling_viewers"))
	for _, p := range gone {
		b.Send(map[string]any{"type": "offer", "to": p, "sdp": "o"})
		b.ExpectError("unknown_peer")
	}
	require.NoError(t, goleak.Find(snapshot))
}

func TestBroadcasterLeavingEndsTheStream(t *testing.T) {
	e := newEnv(t)
	owner, fan1, fan2 := signalingtest.NewWallet(), signalingtest.NewWallet(), signalingtest.NewWallet()
	id := e.liveStream(owner)
	b, _ := e.broadcaster(owner, id)
	v1, _ := e.viewer(fan1, owner, id, b)
	v2, _ := e.viewer(fan2, owner, id, b)
	require.Equal(t, 2.0, v1.Expect("viewer_count")["count"])

	b.Send(map[string]any{"type": "leave"})
	b.Expect("left")
	for _, v := range []*signalingtest.Client{v1, v2} {
		m := v.Expect("stream_ended")
		require.Equal(t, "broadcaster_left", m.Str("reason"))
	}
	st := e.srv.Stats()
	require.Equal(t, 0, st.Streams)
	require.Equal(t, 0, st.Viewers)

	// Viewers stay signed in and may wait for the broadcaster to return.
	v1.Send(map[string]any{"type": "watch", "stream_id": id})
	require.Empty(t, v1.Expect("watching").Str("broadcaster_peer_id"))
	v1.Expect("viewer_count")
	b2, b2p := e.broadcaster(owner, id)
	b2.Expect("viewer_joined")
	require.Equal(t, b2p, v1.Expect("broadcaster_joined").Str("peer_id"))

	// A broadcaster that drops ends it the same way.
	b2.Close()
	require.Equal(t, "broadcaster_left", v1.Expect("stream_ended").Str("reason"))
	waitFor(t, "the stream to be forgotten", func() bool { return e.srv.Stats().Streams == 0 })
	require.Equal(t, 0.0, e.metric("signaling_live_streams"))
}

func TestEncodedStreamIDs(t *testing.T) {
	// stream_id is read from a number or a decimal string and written as a
	// string (the chain's REST API writes 64-bit integers as strings).
	var id protocol.StreamID
	require.NoError(t, json.Unmarshal([]byte(`"18446744073709551615"`), &id))
	require.Equal(t, protocol.StreamID(18446744073709551615), id)
	require.NoError(t, json.Unmarshal([]byte(`42`), &id))
	b, err := json.Marshal(id)
	require.NoError(t, err)
	require.Equal(t, `"42"`, string(b))
}
