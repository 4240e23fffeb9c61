package signaling_test

import (
	"encoding/json"
	"errors"
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

func TestMessageSizeLimit(t *testing.T) {
	e := newEnv(t, func(c *signaling.Config) { c.MaxMessageSize = 1024 })
	w := signalingtest.NewWallet()
	c, _ := e.signedIn(w)

	// Just under the limit is fine...
	pad := strings.Repeat("x", 1024-len(`{"type":"leave","pad":""}`))
	c.SendRaw([]byte(`{"type":"leave","pad":"` + pad + `"}`))
	c.ExpectError("not_in_session")
	// ...one byte more closes with 1009.
	c.SendRaw([]byte(`{"type":"leave","pad":"` + pad + `x"}`))
	code, _ := c.ExpectClosed()
	require.Equal(t, websocket.CloseMessageTooBig, code)
	waitFor(t, "the disconnect to be counted", func() bool {
		return e.metric("signaling_disconnects_total", "reason", "message_too_big") == 1
	})
}

func TestMessageRateLimit(t *testing.T) {
	// Practically no refill: the burst is all a connection gets.
	e := newEnv(t, func(c *signaling.Config) { c.MessagesPerSecond = 0.001; c.MessageBurst = 3 })
	w := signalingtest.NewWallet()
	c := e.dial()
	c.SignIn(w) // one message (auth)
	for range 2 {
		c.Send(map[string]any{"type": "leave"})
		c.ExpectError("not_in_session")
	}
	for range 20 {
		c.Send(map[string]any{"type": "leave"})
		c.ExpectError("rate_limited")
	}
	c.Send(map[string]any{"type": "leave"})
	code, _ := c.ExpectClosed()
	require.Equal(t, protocol.CloseRateLimited, code)
}

func TestConnectionsPerIP(t *testing.T) {
	e := newEnv(t, func(c *signaling.Config) { c.MaxConnsPerIP = 2 })
	c1 := e.dial()
	e.dial()

	_, resp, err := e.rawDial(appOrigin)
	require.ErrorIs(t, err, websocket.ErrBadHandshake)
	require.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	require.Equal(t, 1.0, e.metric("signaling_connections_rejected_total", "reason", "per_ip"))

	// A slot frees when a connection ends.
	c1.Close()
	waitFor(t, "a connection slot", func() bool {
		ws, _, err := e.rawDial(appOrigin)
		if err != nil {
			return false
		}
		_ = ws.Close()
		return true
	})
}

func TestTotalConnections(t *testing.T) {
	e := newEnv(t, func(c *signaling.Config) { c.MaxConns = 1 })
	e.dial()
	_, resp, err := e.rawDial(appOrigin)
	require.ErrorIs(t, err, websocket.ErrBadHandshake)
	require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	require.Equal(t, 1.0, e.metric("signaling_connections_rejected_total", "reason", "capacity"))
}

func TestViewersPerStream(t *testing.T) {
	e := newEnv(t, func(c *signaling.Config) { c.MaxViewersPerStream = 1 })
	owner, fan1, fan2 := signalingtest.NewWallet(), signalingtest.NewWallet(), signalingtest.NewWallet()
	id := e.liveStream(owner)
	b, _ := e.broadcaster(owner, id)
	v1, _ := e.viewer(fan1, owner, id, b)

	e.chain.Subscribe(fan2.Address, owner.Address)
	v2, _ := e.signedIn(fan2)
	v2.Send(map[string]any{"type": "watch", "stream_id": id})
	v2.ExpectError("stream_full")
	quiet(b)

	// The place frees when the first viewer leaves.
	v1.Send(map[string]any{"type": "leave"})
	v1.Expect("left")
	v2.Send(map[string]any{"type": "watch", "stream_id": id})
	v2.Expect("watching")
}

// TestSlowViewerIsDropped: a viewer that stops reading is disconnected once
// its send queue fills; the broadcaster is never blocked by it.
func TestSlowViewerIsDropped(t *testing.T) {
	e := newEnv(t, func(c *signaling.Config) {
		c.SendQueueSize = 4
		c.MessagesPerSecond, c.MessageBurst = 100000, 100000
		// The relay byte budget is not what this test is about.
		c.RelayBytesPerSecond, c.RelayByteBurst = 1<<30, 1<<30
	})
	owner, fan := signalingtest.NewWallet(), signalingtest.NewWallet()
	id := e.liveStream(owner)
	b, _ := e.broadcaster(owner, id)
	e.chain.Subscribe(fan.Address, owner.Address)

	// The viewer signs in and watches by hand, then never reads again.
	h := http.Header{"Origin": {appOrigin}}
	ws, _, err := websocket.DefaultDialer.Dial(signalingtest.WSURL(e.hs.URL), h)
	require.NoError(t, err)
	defer ws.Close()
	read := func() map[string]any {
		_, data, err := ws.ReadMessage()
		require.NoError(t, err)
		var m map[string]any
		require.NoError(t, json.Unmarshal(data, &m))
		return m
	}
	ch := read()
	require.NoError(t, ws.WriteJSON(fan.AuthMessage(ch["message"].(string))))
	vp := read()["peer_id"].(string)
	require.NoError(t, ws.WriteJSON(map[string]any{"type": "watch", "stream_id": id}))
	require.Equal(t, "watching", read()["type"])
	b.Expect("viewer_joined")
	b.Expect("viewer_count")

	sdp := strings.Repeat("a", 40<<10)
	deadline := time.Now().Add(signalingtest.Timeout)
	for {
		require.True(t, time.Now().Before(deadline), "slow viewer never dropped")
		b.Send(map[string]any{"type": "offer", "to": vp, "sdp": sdp})
		if m, ok := b.Poll(); ok {
			// viewer_left comes before any error about offers to the
			// departed viewer.
			require.Equal(t, "viewer_left", m.Type(), "%v", m)
			require.Equal(t, "disconnected", m.Str("reason"))
			break
		}
	}
	// The broadcaster is unharmed: offers still in flight are refused, then it
	// gets answers. Its queue is tiny here, so some of those error replies are
	// dropped (errors are dropped rather than the connection): ask again until
	// an answer gets through.
	var asked time.Time
	for {
		require.True(t, time.Now().Before(deadline.Add(signalingtest.Timeout)), "broadcaster stopped answering")
		if time.Since(asked) > 200*time.Millisecond {
			b.Send(map[string]any{"type": "challenge"})
			asked = time.Now()
		}
		m, ok := b.Poll()
		if !ok {
			time.Sleep(5 * time.Millisecond)
			continue
		}
		if m.Str("code") == "already_authenticated" {
			break
		}
		require.Contains(t, []string{"unknown_peer", "rate_limited", ""}, m.Str("code"), "%v", m)
	}
	waitFor(t, "the slow peer to be counted", func() bool {
		return e.metric("signaling_disconnects_total", "reason", "slow_consumer") == 1
	})
	// Its connection is really gone.
	_ = ws.SetReadDeadline(time.Now().Add(signalingtest.Timeout))
	for {
		if _, _, err := ws.ReadMessage(); err != nil {
			var ne interface{ Timeout() bool }
			require.False(t, errors.As(err, &ne) && ne.Timeout(), "connection still open: %v", err)
			break
		}
	}
}
