package signaling_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"io"
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

func TestOriginIsCheckedBeforeTheUpgrade(t *testing.T) {
	e := newEnv(t)
	for _, origin := range []string{"https://evil.example", "null", "https://app.example.evil.example", "http://app.example"} {
		_, resp, err := e.rawDial(origin)
		require.ErrorIs(t, err, websocket.ErrBadHandshake, origin)
		require.Equal(t, http.StatusForbidden, resp.StatusCode, origin)
	}
	require.Equal(t, 4.0, e.metric("signaling_connections_rejected_total", "reason", "origin"))
	require.Equal(t, 0, e.srv.Stats().Connections)
	require.Equal(t, 0, e.srv.Stats().Nonces, "a refused request must not get a challenge")

	// The allowed origin (in any case) and non-browser clients (no Origin)
	// get in.
	for _, origin := range []string{appOrigin, strings.ToUpper(appOrigin), ""} {
		ws, _, err := e.rawDial(origin)
		require.NoError(t, err, origin)
		_ = ws.Close()
	}
}

func TestAnyOriginWhenConfigured(t *testing.T) {
	e := newEnv(t, func(c *signaling.Config) { c.AllowedOrigins = []string{"*"} })
	ws, _, err := e.rawDial("https://anything.example")
	require.NoError(t, err)
	_ = ws.Close()
}

func TestWebSocketEndpointRefusesPlainHTTP(t *testing.T) {
	e := newEnv(t)
	resp, err := http.Get(e.hs.URL + "/ws")
	require.NoError(t, err)
	_ = resp.Body.Close()
	require.Equal(t, http.StatusUpgradeRequired, resp.StatusCode)

	resp, err = http.Post(e.hs.URL+"/ws", "application/json", strings.NewReader("{}"))
	require.NoError(t, err)
	_ = resp.Body.Close()
	require.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
}

func TestHealthz(t *testing.T) {
	e := newEnv(t)
	owner := signalingtest.NewWallet()
	e.broadcaster(owner, e.liveStream(owner))
	code, body := e.internalHealth()
	require.Equal(t, http.StatusOK, code)
	require.Equal(t, "ok", body["status"])
	require.Equal(t, "reachable", body["chain"])
	require.Equal(t, "off", body["events"])
	require.Equal(t, 1.0, body["connections"])
	require.Equal(t, 1.0, body["live_streams"])
}

// The public listener says whether the daemon can serve, and nothing an
// outsider could count: no connections, viewers or nonces, no metrics.
func TestPublicEndpointsRevealNoCounts(t *testing.T) {
	e := newEnv(t)
	owner := signalingtest.NewWallet()
	e.broadcaster(owner, e.liveStream(owner))
	code, body := e.health()
	require.Equal(t, http.StatusOK, code)
	require.Equal(t, map[string]any{"status": "ok", "chain": "reachable", "events": "off"}, body)

	resp, err := http.Get(e.hs.URL + "/metrics")
	require.NoError(t, err)
	_ = resp.Body.Close()
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
}

func TestMetricsEndpoint(t *testing.T) {
	e := newEnv(t)
	c := e.dial()
	c.Expect("challenge")
	c.Send(map[string]any{"type": "watch", "stream_id": 1})
	c.ExpectError("unauthenticated")

	resp, err := http.Get(e.internalURL() + "/metrics")
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	for _, want := range []string{
		"signaling_connections 1",
		`signaling_auth_failures_total{reason="unauthenticated"} 1`,
		"signaling_live_streams 0",
		"signaling_viewers 0",
	} {
		require.Contains(t, string(b), want)
	}
}

func TestShutdownDrainsConnections(t *testing.T) {
	e := newEnv(t)
	owner, fan := signalingtest.NewWallet(), signalingtest.NewWallet()
	id := e.liveStream(owner)
	b, _ := e.broadcaster(owner, id)
	v, _ := e.viewer(fan, owner, id, b)
	pending := e.dial()
	pending.Expect("challenge")

	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		done <- e.srv.Shutdown(ctx)
	}()
	for _, c := range []*signalingtest.Client{b, v, pending} {
		code, reason := c.ExpectClosed()
		require.Equal(t, websocket.CloseGoingAway, code)
		require.Equal(t, "server shutting down", reason)
	}
	require.NoError(t, <-done)
	require.Equal(t, 0, e.srv.Stats().Connections)

	_, resp, err := e.rawDial(appOrigin)
	require.ErrorIs(t, err, websocket.ErrBadHandshake)
	require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	code, body := e.health()
	require.Equal(t, http.StatusServiceUnavailable, code)
	require.Equal(t, "draining", body["status"])
}

func TestShutdownForcesWhenOutOfTime(t *testing.T) {
	e := newEnv(t)
	c, _ := e.signedIn(signalingtest.NewWallet())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	require.ErrorIs(t, e.srv.Shutdown(ctx), context.Canceled)
	require.Equal(t, 0, e.srv.Stats().Connections)
	c.ExpectClosed()
}

func TestSilentPeerIsDisconnected(t *testing.T) {
	e := newEnv(t)
	signaling.SetTimingForTest(e.srv, 300*time.Millisecond, 100*time.Millisecond)

	// This client never answers pings.
	ws, _, err := websocket.DefaultDialer.Dial(signalingtest.WSURL(e.hs.URL), http.Header{"Origin": {appOrigin}})
	require.NoError(t, err)
	ws.SetPingHandler(func(string) error { return nil })
	silent := signalingtest.NewClient(t, ws)
	silent.Expect("challenge")

	// This one does (gorilla answers pings while reading).
	alive, _ := e.signedIn(signalingtest.NewWallet())

	silent.ExpectClosed()
	waitFor(t, "the silent peer to be counted", func() bool {
		return e.metric("signaling_disconnects_total", "reason", "pong_timeout") == 1
	})
	// Well past several pong deadlines, the live one still gets answers.
	alive.Send(map[string]any{"type": "leave"})
	alive.ExpectError("not_in_session")
	require.Equal(t, 1, e.srv.Stats().Connections)
}

func TestConfigValidation(t *testing.T) {
	require.NoError(t, testConfig().Validate())

	// The defaults are a valid configuration: no allow-list means only the
	// server's own origin (the web app it serves).
	cfg := signaling.DefaultConfig()
	require.NoError(t, cfg.Validate())

	cfg = testConfig()
	cfg.AllowedOrigins = []string{"https://app.example/path"}
	cfg.PublicOrigin = "wss://signal.example"
	cfg.ICEServers = []protocol.ICEServer{{URLs: []string{"http://stun"}}}
	cfg.TURN.Secret = "s"
	cfg.MaxViewersPerStream = 0
	cfg.CacheTTL = time.Hour
	cfg.ChainID = "bad id"
	err := cfg.Validate()
	for _, want := range []string{"allowed origin", "public origin", "ice server 0", "turn secret set without turn urls",
		"max viewers per stream", "cache ttl", "chain id"} {
		require.ErrorContains(t, err, want)
	}

	_, err = signaling.New(cfg, nil)
	require.Error(t, err)
}

func TestTURNCredentialsAreMintedPerPeer(t *testing.T) {
	e := newEnv(t, func(c *signaling.Config) {
		c.TURN = signaling.TURNConfig{URLs: []string{"turn:turn.example:3478"}, Secret: "s3cret", TTL: time.Hour}
	})
	owner := signalingtest.NewWallet()
	b, _ := e.signedIn(owner)
	b.Send(map[string]any{"type": "broadcast", "stream_id": e.liveStream(owner)})
	m := b.Expect("broadcasting")
	servers := m["ice_servers"].([]any)
	require.Len(t, servers, 2)
	turn := servers[1].(map[string]any)
	user := turn["username"].(string)
	require.True(t, strings.HasSuffix(user, ":"+m.Str("peer_id")), user)
	require.Equal(t, turnCredential("s3cret", user), turn["credential"])
	require.NotContains(t, m.Raw("ice_servers"), "s3cret")
}

func turnCredential(secret, user string) string {
	mac := hmac.New(sha1.New, []byte(secret))
	mac.Write([]byte(user))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// TestShutdownIsBoundedWhileTheNodeHangs: the node hangs in the middle of a
// re-check round and of a join. Shutdown, given 100 ms, must not wait for
// the node (its queries would run for the 30 s chain timeout): in-flight
// queries are cancelled before anything waits for them.
func TestShutdownIsBoundedWhileTheNodeHangs(t *testing.T) {
	e := newEnv(t, func(c *signaling.Config) {
		c.ChainTimeout = 30 * time.Second
		c.RecheckInterval = 50 * time.Millisecond
		c.CacheTTL = 10 * time.Millisecond
	})
	owner, fan, late := signalingtest.NewWallet(), signalingtest.NewWallet(), signalingtest.NewWallet()
	id := e.liveStream(owner)
	b, _ := e.broadcaster(owner, id)
	e.viewer(fan, owner, id, b)
	waiting, _ := e.signedIn(late)

	e.chain.Hang()
	before := e.chain.Calls("Subscription")
	waitFor(t, "a re-check round to reach the hanging node", func() bool {
		return e.chain.Calls("Subscription") > before
	})
	waiting.Send(map[string]any{"type": "watch", "stream_id": e.liveStream(owner)})
	waitFor(t, "the join to reach the hanging node", func() bool {
		return e.chain.Calls("Subscription")+e.chain.Calls("Stream") > before+1
	})

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	began := time.Now()
	err := e.srv.Shutdown(ctx)
	took := time.Since(began)
	require.True(t, err == nil || errors.Is(err, context.DeadlineExceeded), "%v", err)
	// A bound, not a benchmark: the node's own timeout is 30 s.
	require.Less(t, took, 5*time.Second, "shutdown waited for the hanging node")
	require.Zero(t, e.srv.Stats().Connections)
}
