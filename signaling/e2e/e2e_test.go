package e2e

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/streamchain/streamchain/signaling"
	"github.com/streamchain/streamchain/signaling/chain"
	"github.com/streamchain/streamchain/signaling/signalingtest"
	"github.com/streamchain/streamchain/testutil/cli"
)

// appOrigin is the web app's origin, the only one the daemon allows.
const appOrigin = "http://localhost:3000"

// TestSignalingEndToEnd runs the daemon against a real node: profiles, a
// stream and a subscription are real transactions; the broadcaster and the
// viewer are real WebRTC peers that sign in with real ADR-036 signatures of
// the node's keys and reach each other through the daemon alone; a
// non-subscriber and a non-owner are refused; unsubscribing on chain cuts the
// viewer off, and deleting the stream on chain ends it.
func TestSignalingEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a node and WebRTC peers")
	}
	signalingtest.Timeout = waitTimeout
	began := time.Now()
	bin := cli.BuildStreamd(t, t.TempDir())
	t.Logf("streamd built in %s", time.Since(began).Round(time.Millisecond))
	began = time.Now()
	node := cli.StartNode(t, bin)
	t.Logf("node up in %s", time.Since(began).Round(time.Millisecond))
	alice := node.Addrs["alice"]

	// On chain: three profiles, a stream alice starts in a few seconds (the
	// chain wants start ≥ block time; the margin covers a loaded machine),
	// and bob's subscription to alice. The daemon lets both in from
	// start − grace, so they may join before the start.
	requireOK(t, node.Tx("alice", "streaming", "edit-profile", "Alice"))
	requireOK(t, node.Tx("bob", "streaming", "edit-profile", "Bob"))
	requireOK(t, node.Tx("carol", "streaming", "edit-profile", "Carol"))
	start := time.Now().UTC().Add(15 * time.Second).Truncate(time.Second)
	end := start.Add(10 * time.Minute)
	res := node.Tx("alice", "streaming", "new-stream", "Live from the e2e test", start.Format(time.RFC3339), end.Format(time.RFC3339))
	requireOK(t, res)
	streamID := strings.Trim(res.Attr("streamchain.streaming.v1.EventStreamScheduled", "stream_id"), `"`)
	require.NotEmpty(t, streamID, "no stream id in the new-stream events")
	requireOK(t, node.Tx("bob", "streaming", "subscribe", alice))

	// The wallets hold the node's own keys, exported from its keyring.
	aliceW, bobW, carolW := exportKey(t, node, "alice"), exportKey(t, node, "bob"), exportKey(t, node, "carol")

	d := startDaemon(t, node)
	t.Logf("chain ready: stream %s starts %s, %s from now", streamID, start.Format(time.RFC3339), time.Until(start).Round(time.Second))

	// The broadcaster: alice.
	payload := randomChunks(t, 16, 16<<10)
	b := dialPeer(t, "broadcaster", d.wsURL, appOrigin, payload)
	b.SignIn(aliceW)
	b.Send(map[string]any{"type": "broadcast", "stream_id": streamID})
	m := b.Expect("broadcasting")
	require.Equal(t, streamID, m.Str("stream_id"))
	require.Equal(t, b.PeerID, m.Str("peer_id"))
	require.Equal(t, start.Format(time.RFC3339), m.Str("start_time"))
	require.Equal(t, "[]", m.Raw("ice_servers"), "no STUN/TURN configured: the list must be empty")

	// The viewer: bob, subscribed.
	v := dialPeer(t, "viewer", d.wsURL, appOrigin, payload)
	v.SignIn(bobW)
	v.Send(map[string]any{"type": "watch", "stream_id": streamID})
	m = v.Expect("watching")
	require.Equal(t, alice, m.Str("broadcaster"))
	require.Equal(t, b.PeerID, m.Str("broadcaster_peer_id"))
	require.Equal(t, v.PeerID, m.Str("peer_id"))
	m = b.Expect("viewer_joined", "viewer_count")
	require.Equal(t, v.PeerID, m.Str("peer_id"), "the broadcaster learns the viewer's peer id, not its address")

	// viewer_joined made the broadcaster offer; the viewer answers; both
	// trickle candidates; the daemon relays all of it. Then the payload
	// crosses the peer connection, not the daemon.
	require.Equal(t, bytes.Join(payload, nil), v.Received(), "data-channel bytes differ from what the broadcaster sent")
	pair, err := v.Remote(b.PeerID).SCTP().Transport().ICETransport().GetSelectedCandidatePair()
	require.NoError(t, err)
	require.NotNil(t, pair)
	require.Equal(t, "127.0.0.1", pair.Local.Address)
	require.Equal(t, "127.0.0.1", pair.Remote.Address)
	t.Logf("viewer received %d bytes over %s", v.want, pair)

	// carol is signed in but not subscribed: no watching.
	carol := signalingtest.Dial(t, d.hs.URL, appOrigin)
	carol.SignIn(carolW)
	carol.Send(map[string]any{"type": "watch", "stream_id": streamID})
	carol.ExpectError("not_subscribed")

	// bob does not own the stream: no broadcasting it.
	bobAsBroadcaster := signalingtest.Dial(t, d.hs.URL, appOrigin)
	bobAsBroadcaster.SignIn(bobW)
	bobAsBroadcaster.Send(map[string]any{"type": "broadcast", "stream_id": streamID})
	bobAsBroadcaster.ExpectError("not_stream_owner")

	st := d.srv.Stats()
	require.Equal(t, 1, st.LiveStreams, "alice still broadcasts")
	require.Equal(t, 1, st.Viewers, "bob is the only viewer")

	// bob unsubscribes on chain. The re-check is minutes away: only the
	// committed event can cut him off. Measured from the header time of the
	// block that carries the tx (which precedes its commit).
	var toViewer, toBroadcaster []time.Duration
	res = node.Broadcast("bob", "streaming", "unsubscribe", alice, "--fees", cli.Fee)
	require.Zero(t, res.Code, res.RawLog)
	m = v.Expect("removed", "viewer_count")
	require.Equal(t, "not_subscribed", m.Str("reason"))
	require.Equal(t, streamID, m.Str("stream_id"))
	mb := b.Expect("viewer_left", "viewer_count")
	require.Equal(t, v.PeerID, mb.Str("peer_id"))
	require.Equal(t, "not_subscribed", mb.Str("reason"))
	at := blockTime(t, node, res.Hash)
	toViewer, toBroadcaster = append(toViewer, m.ReceivedAt().Sub(at)), append(toBroadcaster, mb.ReceivedAt().Sub(at))
	require.Zero(t, d.srv.Stats().Viewers)
	require.Equal(t, 1.0, d.metric("signaling_chain_events_total"), "the unsubscribe event was applied")

	// The broadcaster app closed its side on viewer_left, which ends the
	// viewer's data channel.
	select {
	case <-v.dcClosed:
	case <-time.After(waitTimeout):
		t.Fatal("viewer's data channel still open after the broadcaster closed its peer connection")
	}

	// More rounds for the distribution: subscribe, watch, unsubscribe.
	for range revocationRounds {
		requireOK(t, node.Tx("bob", "streaming", "subscribe", alice))
		w := signalingtest.Dial(t, d.hs.URL, appOrigin)
		w.SignIn(bobW)
		w.Send(map[string]any{"type": "watch", "stream_id": streamID})
		w.ExpectSkipping("watching")
		b.Expect("viewer_joined", "viewer_count")
		res := node.Broadcast("bob", "streaming", "unsubscribe", alice, "--fees", cli.Fee)
		require.Zero(t, res.Code, res.RawLog)
		rm := w.ExpectSkipping("removed", "viewer_count", "offer", "candidate")
		bl := b.Expect("viewer_left", "viewer_count")
		at := blockTime(t, node, res.Hash)
		toViewer, toBroadcaster = append(toViewer, rm.ReceivedAt().Sub(at)), append(toBroadcaster, bl.ReceivedAt().Sub(at))
		w.Close()
	}
	// Recorded in BENCHMARKS.md; the goal is 2 s. Not asserted: the
	// machine is shared and the figure is a measurement.
	t.Logf("revocation after the block's header time: viewer removed %s; broadcaster viewer_left %s (re-check every %s)",
		summary(toViewer), summary(toBroadcaster), d.cfg.RecheckInterval)

	// He is out: he cannot signal the broadcaster any more, nor watch again.
	v.Send(map[string]any{"type": "candidate", "to": b.PeerID, "candidate": map[string]any{"candidate": ""}})
	require.Equal(t, "not_in_session", v.Expect("error", "viewer_count").Str("code"))
	v.Send(map[string]any{"type": "watch", "stream_id": streamID})
	require.Equal(t, "not_subscribed", v.Expect("error").Str("code"))

	// alice deletes the stream on chain: the committed event ends it.
	requireOK(t, node.Tx("alice", "streaming", "delete-stream", streamID))
	m = b.Expect("stream_ended", "viewer_count")
	require.Equal(t, "stream_deleted", m.Str("reason"))
	require.Zero(t, d.srv.Stats().LiveStreams)
	carol.Send(map[string]any{"type": "watch", "stream_id": streamID})
	carol.ExpectError("stream_not_found")
}

// daemon is signalingd's handler on a loopback listener, pointed at the
// node's gRPC endpoint.
type daemon struct {
	cfg   signaling.Config
	reg   *prometheus.Registry
	srv   *signaling.Server
	hs    *httptest.Server
	wsURL string
}

func startDaemon(t *testing.T, node *cli.Node) *daemon {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)

	cfg := signaling.DefaultConfig()
	cfg.ChainID = node.ChainID
	cfg.AllowedOrigins = []string{appOrigin}
	cfg.PublicOrigin = "http://" + ln.Addr().String()
	cfg.StartGrace = time.Minute
	// Re-checks are the backstop; here they must not be what acts.
	cfg.RecheckInterval = 10 * time.Minute
	cfg.CacheTTL = 500 * time.Millisecond
	feed, err := chain.NewCometEvents(node.RPC, time.Second)
	require.NoError(t, err)
	reg := prometheus.NewRegistry()
	srv, err := signaling.New(cfg, signalingtest.DialChain(t, node.GRPC),
		signaling.WithLogger(signalingtest.Logger()), signaling.WithEventFeed(feed), signaling.WithRegistry(reg))
	require.NoError(t, err)
	hs := signalingtest.Serve(t, srv, ln)

	// The daemon reaches the node.
	resp, err := http.Get(hs.URL + "/healthz")
	require.NoError(t, err)
	var health signaling.PublicHealth
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&health))
	_ = resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "reachable", health.Chain)
	d := &daemon{cfg: cfg, srv: srv, hs: hs, reg: reg, wsURL: signalingtest.WSURL(hs.URL)}
	deadline := time.Now().Add(waitTimeout)
	for d.metric("signaling_chain_events_up") != 1 {
		require.True(t, time.Now().Before(deadline), "the daemon never followed the node's blocks")
		time.Sleep(20 * time.Millisecond)
	}
	return d
}

// exportKey reads a key out of the node's test keyring the way a user would
// (`keys export --unarmored-hex --unsafe`, confirming the prompt) and checks
// that it is the key of the funded address.
func exportKey(t *testing.T, node *cli.Node, name string) *signalingtest.Wallet {
	t.Helper()
	cmd := exec.Command(node.Bin, "keys", "export", name, "--unarmored-hex", "--unsafe",
		"--keyring-backend", "test", "--home", node.Home)
	cmd.Stdin = strings.NewReader("y\n")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "keys export %s: %s", name, stderr.String())
	key, err := hex.DecodeString(strings.TrimSpace(string(out)))
	require.NoError(t, err, "keys export %s printed %q", name, out)
	w := signalingtest.WalletFromKey(key)
	require.Equal(t, node.Addrs[name], w.Address)
	return w
}

// revocationRounds are the extra unsubscribe rounds measured after the first.
const revocationRounds = 5

// metric sums a metric's samples on the daemon's registry.
func (d *daemon) metric(name string) float64 {
	families, _ := d.reg.Gather()
	var sum float64
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			sum += m.GetCounter().GetValue() + m.GetGauge().GetValue()
		}
	}
	return sum
}

// blockTime is the header time of the block that carries tx hash, read
// from the node's RPC.
func blockTime(t *testing.T, node *cli.Node, hash string) time.Time {
	t.Helper()
	out := node.MustRun("q", "wait-tx", hash, "--timeout", "30s", "--node", node.RPC, "--output", "json")
	var res struct {
		Code   uint32 `json:"code"`
		Height string `json:"height"`
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.NoError(t, json.Unmarshal([]byte(lines[len(lines)-1]), &res), out)
	require.Zero(t, res.Code)
	resp, err := http.Get(strings.Replace(node.RPC, "tcp://", "http://", 1) + "/block?height=" + res.Height)
	require.NoError(t, err)
	defer resp.Body.Close()
	var block struct {
		Result struct {
			Block struct {
				Header struct {
					Time time.Time `json:"time"`
				} `json:"header"`
			} `json:"block"`
		} `json:"result"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&block))
	at := block.Result.Block.Header.Time
	require.False(t, at.IsZero(), "no header time for block %s", res.Height)
	return at
}

func summary(ds []time.Duration) string {
	s := slices.Clone(ds)
	slices.Sort(s)
	var parts []string
	for _, d := range s {
		parts = append(parts, d.Round(time.Millisecond).String())
	}
	return fmt.Sprintf("n=%d min %s median %s max %s [%s]", len(s), s[0].Round(time.Millisecond),
		s[len(s)/2].Round(time.Millisecond), s[len(s)-1].Round(time.Millisecond), strings.Join(parts, " "))
}

func randomChunks(t *testing.T, n, size int) [][]byte {
	t.Helper()
	chunks := make([][]byte, n)
	for i := range chunks {
		chunks[i] = make([]byte, size)
		_, err := rand.Read(chunks[i])
		require.NoError(t, err)
	}
	return chunks
}

func requireOK(t *testing.T, res cli.TxResult) {
	t.Helper()
	require.Zerof(t, res.Code, "tx %s failed: codespace %s: %s", res.Hash, res.Codespace, res.RawLog)
}
