package signaling_test

import (
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/streamchain/streamchain/signaling"
	"github.com/streamchain/streamchain/signaling/protocol"
	"github.com/streamchain/streamchain/signaling/signalingtest"
)

// Every test must leave no goroutine behind: servers drained, clients and
// gRPC connections closed. A signalingd binary built for process tests is
// removed at the end.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.Cleanup(func(code int) {
		signalingtest.RemoveBuiltSignalingd()
		os.Exit(code)
	}))
}

const (
	appOrigin   = "https://app.example"
	testChainID = "streamchain-devnet-1"
	testOrigin  = "https://signal.example"
)

// env is a signaling server over httptest, backed by a fixture chain on a
// real loopback gRPC server.
type env struct {
	t     testing.TB
	chain *signalingtest.Chain
	srv   *signaling.Server
	hs    *httptest.Server
	// internal serves InternalHandler, started on first use.
	internal *httptest.Server
	reg      *prometheus.Registry
	cfg      signaling.Config
}

func testConfig() signaling.Config {
	cfg := signaling.DefaultConfig()
	cfg.AllowedOrigins = []string{appOrigin}
	cfg.PublicOrigin = testOrigin
	cfg.ChainTimeout = time.Second
	cfg.ICEServers = []protocol.ICEServer{{URLs: []string{"stun:stun.example:3478"}}}
	return cfg
}

func newEnv(t testing.TB, mutate ...func(*signaling.Config)) *env {
	return newEnvWith(t, nil, mutate...)
}

// newEnvWith is newEnv with extra server options.
func newEnvWith(t testing.TB, opts []signaling.Option, mutate ...func(*signaling.Config)) *env {
	t.Helper()
	cfg := testConfig()
	for _, m := range mutate {
		m(&cfg)
	}
	chain := signalingtest.NewChain(t)
	gc := signalingtest.DialChain(t, chain.Addr())
	reg := prometheus.NewRegistry()
	srv, err := signaling.New(cfg, gc, append([]signaling.Option{signaling.WithRegistry(reg), signaling.WithLogger(signalingtest.Logger())}, opts...)...)
	require.NoError(t, err)
	t.Cleanup(http.DefaultClient.CloseIdleConnections)
	hs := signalingtest.Serve(t, srv, nil)
	return &env{t: t, chain: chain, srv: srv, hs: hs, reg: reg, cfg: cfg}
}

// dial opens a connection from the allowed web app.
func (e *env) dial() *signalingtest.Client {
	e.t.Helper()
	return signalingtest.Dial(e.t, e.hs.URL, appOrigin)
}

// signedIn opens a connection and signs in as w.
func (e *env) signedIn(w *signalingtest.Wallet) (*signalingtest.Client, string) {
	e.t.Helper()
	c := e.dial()
	m := c.SignIn(w)
	return c, m.Str("peer_id")
}

// liveStream schedules a stream of owner that is live now.
func (e *env) liveStream(owner *signalingtest.Wallet) uint64 {
	now := time.Now()
	return e.chain.AddStream(owner.Address, now.Add(-time.Minute), now.Add(time.Hour))
}

// broadcaster signs in as owner and starts broadcasting stream id.
func (e *env) broadcaster(owner *signalingtest.Wallet, id uint64) (*signalingtest.Client, string) {
	e.t.Helper()
	c, peer := e.signedIn(owner)
	c.Send(map[string]any{"type": "broadcast", "stream_id": id})
	m := c.Expect("broadcasting")
	require.Equal(e.t, peer, m.Str("peer_id"))
	return c, peer
}

// viewer subscribes w to owner on chain, signs in and watches stream id. The
// broadcaster b, when given, must see it join.
func (e *env) viewer(w, owner *signalingtest.Wallet, id uint64, b *signalingtest.Client) (*signalingtest.Client, string) {
	e.t.Helper()
	e.chain.Subscribe(w.Address, owner.Address)
	c, peer := e.signedIn(w)
	c.Send(map[string]any{"type": "watch", "stream_id": id})
	c.Expect("watching")
	c.Expect("viewer_count")
	if b != nil {
		j := b.Expect("viewer_joined")
		require.Equal(e.t, peer, j.Str("peer_id"))
		b.Expect("viewer_count")
	}
	return c, peer
}

// waitFor polls cond until it holds; for state with no event to wait on
// (server-side clean-up).
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(signalingtest.Timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// metric is the value of one sample on the server's registry (0 when absent).
func (e *env) metric(name string, labels ...string) float64 {
	e.t.Helper()
	families, err := e.reg.Gather()
	require.NoError(e.t, err)
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
	next:
		for _, m := range f.GetMetric() {
			got := map[string]string{}
			for _, l := range m.GetLabel() {
				got[l.GetName()] = l.GetValue()
			}
			for i := 0; i+1 < len(labels); i += 2 {
				if got[labels[i]] != labels[i+1] {
					continue next
				}
			}
			switch {
			case m.Counter != nil:
				return m.Counter.GetValue()
			case m.Gauge != nil:
				return m.Gauge.GetValue()
			case m.Histogram != nil:
				return float64(m.Histogram.GetSampleCount())
			}
		}
	}
	return 0
}

// rawDial dials without failing the test, for handshake refusals.
func (e *env) rawDial(origin string) (*websocket.Conn, *http.Response, error) {
	h := http.Header{}
	if origin != "" {
		h.Set("Origin", origin)
	}
	ws, resp, err := websocket.DefaultDialer.Dial(signalingtest.WSURL(e.hs.URL), h)
	if resp != nil && resp.Body != nil {
		_ = resp.Body.Close()
	}
	return ws, resp, err
}

// pausedBroadcaster signs owner in by hand on a small receive buffer and
// starts broadcasting stream id; the caller then reads from it only when it
// wants to, so what the server sends it piles up in the server's queue.
func (e *env) pausedBroadcaster(owner *signalingtest.Wallet, id uint64) (*websocket.Conn, string) {
	e.t.Helper()
	d := websocket.Dialer{ReadBufferSize: 1024, NetDial: func(network, addr string) (net.Conn, error) {
		c, err := net.Dial(network, addr)
		if err == nil {
			_ = c.(*net.TCPConn).SetReadBuffer(4096)
		}
		return c, err
	}}
	bws, _, err := d.Dial(signalingtest.WSURL(e.hs.URL), http.Header{"Origin": {appOrigin}})
	require.NoError(e.t, err)
	e.t.Cleanup(func() { _ = bws.Close() })
	var ch map[string]any
	require.NoError(e.t, bws.ReadJSON(&ch))
	require.NoError(e.t, bws.WriteJSON(owner.AuthMessage(ch["message"].(string))))
	var auth map[string]any
	require.NoError(e.t, bws.ReadJSON(&auth))
	require.NoError(e.t, bws.WriteJSON(map[string]any{"type": "broadcast", "stream_id": id}))
	_, data, err := bws.ReadMessage()
	require.NoError(e.t, err)
	require.Equal(e.t, "broadcasting", signalingtest.Msg(decode(e.t, data)).Type())
	return bws, auth["peer_id"].(string)
}
