package signaling_test

// Each test here replays one availability attack against signalingd and
// fails on a daemon that does not hold it (as the daemon before its
// hardening, a54683b, did not).

import (
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/require"

	"github.com/streamchain/streamchain/signaling"
	"github.com/streamchain/streamchain/signaling/protocol"
	"github.com/streamchain/streamchain/signaling/signalingtest"
)

// closedByServer waits until the server closes c (EOF or reset), failing
// the test if it is still open after signalingtest.Timeout.
func closedByServer(t *testing.T, c net.Conn, what string) {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(signalingtest.Timeout))
	_, err := io.Copy(io.Discard, c)
	var ne net.Error
	require.False(t, errors.As(err, &ne) && ne.Timeout(), "%s: still open", what)
}

// A request whose body (or headers) never arrive is cut off by the HTTP
// timeouts, and one IP cannot hold more than its share of descriptors.
func TestSlowRequestsAreCutOff(t *testing.T) {
	e := newEnvWith(t, []signaling.Option{signaling.WithHTTPTimeoutsForTest(200*time.Millisecond, 300*time.Millisecond)},
		func(c *signaling.Config) { c.MaxConnsPerIP = 2 })
	addr := e.hs.Listener.Addr().String()
	var slow []net.Conn
	for i := range 4 { // the TCP limit is twice the WebSocket limit
		c, err := net.Dial("tcp", addr)
		require.NoError(t, err)
		defer c.Close()
		if i%2 == 0 {
			_, err = io.WriteString(c, "POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n")
		} else {
			_, err = io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n")
		}
		require.NoError(t, err)
		slow = append(slow, c)
	}
	// One more from the same IP is refused at once.
	waitFor(t, "the slow connections to be accepted", func() bool {
		return e.metric("signaling_connections_rejected_total", "reason", "tcp_per_ip") == 0
	})
	extra, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer extra.Close()
	closedByServer(t, extra, "a connection over the per-IP limit")
	require.Equal(t, 1.0, e.metric("signaling_connections_rejected_total", "reason", "tcp_per_ip"))

	for _, c := range slow {
		closedByServer(t, c, "a request that never finishes")
	}
	// The slots are free again.
	code, _ := e.health()
	require.Equal(t, http.StatusOK, code)
}

// Connections that never sign in have their own cap, below the total.
func TestUnauthenticatedConnectionsAreCapped(t *testing.T) {
	e := newEnv(t, func(c *signaling.Config) { c.MaxUnauthenticatedConns = 2 })
	a := e.dial()
	ch := a.Expect("challenge")
	e.dial().Expect("challenge")
	_, resp, err := e.rawDial(appOrigin)
	require.ErrorIs(t, err, websocket.ErrBadHandshake)
	require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)

	// Signing in frees the slot.
	a.Send(signalingtest.NewWallet().AuthMessage(ch.Str("message")))
	a.Expect("authenticated")
	e.dial().Expect("challenge")
}

// One account cannot take every seat of a stream, nor watch from many
// connections over many streams.
func TestViewerSessionsPerAccountAreCapped(t *testing.T) {
	e := newEnv(t, func(c *signaling.Config) {
		c.MaxViewersPerStream = 4
		c.MaxViewersPerAccountPerStream = 2
		c.MaxViewersPerAccount = 3
	})
	owner, hog, fan := signalingtest.NewWallet(), signalingtest.NewWallet(), signalingtest.NewWallet()
	id, other, third := e.liveStream(owner), e.liveStream(owner), e.liveStream(owner)
	e.viewer(hog, owner, id, nil)
	e.viewer(hog, owner, id, nil)
	c, _ := e.signedIn(hog)
	c.Send(map[string]any{"type": "watch", "stream_id": id})
	c.ExpectError("too_many_sessions")
	// Someone else still gets in.
	e.viewer(fan, owner, id, nil)

	// Over all streams: two on id, one on other, none on third.
	c.Send(map[string]any{"type": "watch", "stream_id": other})
	c.Expect("watching")
	d, _ := e.signedIn(hog)
	d.Send(map[string]any{"type": "watch", "stream_id": third})
	d.ExpectError("too_many_sessions")
}

// A viewer flooding its broadcaster with candidates (here the broadcaster
// has stopped reading for a moment) is refused and then closed; the
// broadcaster keeps its connection, and so the stream.
func TestViewerCannotGetTheBroadcasterDropped(t *testing.T) {
	e := newEnv(t, func(c *signaling.Config) {
		c.MessagesPerSecond, c.MessageBurst = 1e6, 1e6
		c.RelayBytesPerSecond, c.RelayByteBurst = 1<<30, 1<<30
	})
	owner, fan := signalingtest.NewWallet(), signalingtest.NewWallet()
	id := e.liveStream(owner)

	// The broadcaster signs in on a small receive buffer, then pauses
	// reading.
	bws, bpeer := e.pausedBroadcaster(owner, id)
	v, _ := e.viewer(fan, owner, id, nil)
	v.Send(map[string]any{"type": "answer", "to": bpeer, "sdp": map[string]any{"type": "answer", "sdp": "v=0"}})
	closed, _ := floodCandidates(v, bpeer, 0, func() bool {
		return e.metric("signaling_disconnects_total", "reason", "rate_limited") == 1
	})
	require.True(t, closed, "the flooding viewer was never stopped")
	require.Positive(t, e.metric("signaling_relay_refused_total"), "no relay was refused")
	waitFor(t, "the flooding viewer to be closed", func() bool {
		return e.metric("signaling_disconnects_total", "reason", "rate_limited") == 1
	})

	// The broadcaster reads again: it is still connected and learns that
	// the viewer left.
	// It has megabytes of candidates to read through first (slow under
	// -race): a generous deadline.
	_ = bws.SetReadDeadline(time.Now().Add(4 * signalingtest.Timeout))
	n := 0
	for {
		_, data, err := bws.ReadMessage()
		require.NoError(t, err, "after %d messages; slow_consumer=%v stats=%+v", n,
			e.metric("signaling_disconnects_total", "reason", "slow_consumer"), e.srv.Stats())
		n++
		if signalingtest.Msg(decode(t, data)).Type() == "viewer_left" {
			break
		}
	}
	require.Zero(t, e.metric("signaling_disconnects_total", "reason", "slow_consumer"))
	require.Equal(t, 1, e.srv.Stats().LiveStreams)
}

// Pings cost a token like any message: a ping flood is closed for its rate.
func TestPingsCountTowardTheRateLimit(t *testing.T) {
	e := newEnv(t, func(c *signaling.Config) { c.MessagesPerSecond, c.MessageBurst = 10, 5 })
	c := e.dial()
	c.Expect("challenge")
	for range 200 {
		if c.WS.WriteControl(websocket.PingMessage, nil, time.Now().Add(time.Second)) != nil {
			break
		}
	}
	code, _ := c.ExpectClosed()
	require.Equal(t, protocol.CloseRateLimited, code)
}

// Early candidates are bounded by bytes, not only by count.
func TestEarlyCandidatesAreBoundedByBytes(t *testing.T) {
	e := newEnv(t, func(c *signaling.Config) { c.MessagesPerSecond, c.MessageBurst = 1000, 1000 })
	owner, fan := signalingtest.NewWallet(), signalingtest.NewWallet()
	id := e.liveStream(owner)
	b, bpeer := e.broadcaster(owner, id)
	v, _ := e.viewer(fan, owner, id, b)
	cand := map[string]any{"candidate": "candidate:" + strings.Repeat("1", 1400)}
	held := 0
	for range signaling.DefaultMaxPendingCandidates {
		v.Send(map[string]any{"type": "candidate", "to": bpeer, "candidate": cand})
		if m, ok := pollFor(v, 50*time.Millisecond); ok {
			require.Equal(t, "candidate_queue_full", m.Str("code"), "%v", m)
			break
		}
		held++
	}
	require.Less(t, held, signaling.DefaultMaxPendingCandidates, "the count limit, not the byte limit, stopped it")
	st := e.srv.Stats()
	require.Equal(t, held, st.PendingCandidates)
	require.LessOrEqual(t, st.PendingCandidateBytes, signaling.DefaultMaxPendingCandidateBytes)
}

// A client that averages well under the limit in short bursts is forgiven;
// before, every refusal counted forever and it was closed after 20.
func TestShortBurstsAreForgiven(t *testing.T) {
	e := newEnv(t, func(c *signaling.Config) { c.MessagesPerSecond, c.MessageBurst = 200, 5 })
	c, _ := e.signedIn(signalingtest.NewWallet())
	for range 8 {
		for range 10 { // 5 over the burst: refused
			c.Send(map[string]any{"type": "leave"})
		}
		for range 10 {
			c.Next()
		}
		time.Sleep(150 * time.Millisecond) // average ≈ 60/s, under 200/s
	}
	c.Send(map[string]any{"type": "challenge"})
	c.ExpectError("already_authenticated")
}

// An unknown stream id reaches the node once, not once per request.
func TestUnknownStreamIDsAreCachedBriefly(t *testing.T) {
	e := newEnv(t)
	c, _ := e.signedIn(signalingtest.NewWallet())
	before := e.chain.Calls("Stream")
	for range 5 {
		c.Send(map[string]any{"type": "watch", "stream_id": 424242})
		c.ExpectError("stream_not_found")
	}
	require.Equal(t, 1, e.chain.Calls("Stream")-before)
}

// The real-IP header is believed only from trusted proxies.
func TestRealIPHeaderOnlyFromTrustedProxies(t *testing.T) {
	dialAs := func(e *env, ip string) (*http.Response, error) {
		h := http.Header{"Origin": {appOrigin}, "X-Forwarded-For": {ip}}
		ws, resp, err := websocket.DefaultDialer.Dial(signalingtest.WSURL(e.hs.URL), h)
		if err == nil {
			t.Cleanup(func() { _ = ws.Close() })
		}
		return resp, err
	}
	// 127.0.0.1 is not a proxy here: the header is ignored, every
	// connection counts as 127.0.0.1.
	e := newEnv(t, func(c *signaling.Config) {
		c.MaxConnsPerIP = 2
		c.RealIPHeader, c.TrustedProxies = "X-Forwarded-For", []string{"10.0.0.0/8"}
	})
	for _, ip := range []string{"192.0.2.1", "192.0.2.2"} {
		_, err := dialAs(e, ip)
		require.NoError(t, err)
	}
	resp, err := dialAs(e, "192.0.2.3")
	require.ErrorIs(t, err, websocket.ErrBadHandshake)
	require.Equal(t, http.StatusTooManyRequests, resp.StatusCode)

	// Behind a trusted proxy, the header names the client.
	e = newEnv(t, func(c *signaling.Config) {
		c.MaxConnsPerIP = 2
		c.RealIPHeader, c.TrustedProxies = "X-Forwarded-For", []string{"127.0.0.1/32"}
	})
	for _, ip := range []string{"192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.1"} {
		_, err := dialAs(e, ip)
		require.NoError(t, err)
	}
	resp, err = dialAs(e, "198.51.100.7, 192.0.2.1") // the rightmost untrusted entry counts
	require.ErrorIs(t, err, websocket.ErrBadHandshake)
	require.Equal(t, http.StatusTooManyRequests, resp.StatusCode)

	cfg := testConfig()
	cfg.RealIPHeader = "X-Forwarded-For"
	require.ErrorContains(t, cfg.Validate(), "without trusted proxies")
}

func pollFor(c *signalingtest.Client, d time.Duration) (signalingtest.Msg, bool) {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if m, ok := c.Poll(); ok {
			return m, true
		}
		time.Sleep(2 * time.Millisecond)
	}
	return nil, false
}

func decode(t testing.TB, data []byte) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(data, &m))
	return m
}

// floodCandidates has v send up to 40,000 candidates of about 1 KB to peer,
// reading its replies every 100 (then sleeping pause) and asking stopped,
// when given, every 1,000, until its connection closes or stopped says so.
// It returns whether it was stopped and how many peer_busy replies it read.
func floodCandidates(v *signalingtest.Client, peer string, pause time.Duration, stopped func() bool) (closed bool, busy int) {
	cand := map[string]any{"candidate": "candidate:" + strings.Repeat("1", 900), "sdpMid": "0"}
	for i := 0; i < 40000 && !closed; i++ {
		if err := v.WS.WriteJSON(map[string]any{"type": "candidate", "to": peer, "candidate": cand}); err != nil {
			closed = true
		}
		if i%100 == 0 {
			for {
				m, ok := v.Poll()
				if !ok {
					break
				}
				switch {
				case m.Type() == "":
					closed = true
				case m.Str("code") == "peer_busy":
					busy++
				}
			}
			time.Sleep(pause)
		}
		if i%1000 == 0 && stopped != nil {
			closed = closed || stopped()
		}
	}
	return closed, busy
}
