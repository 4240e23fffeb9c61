package e2e

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/streamchain/streamchain/signaling/signalingtest"
)

// TestSharedInstanceKilledMidStream runs two signalingd processes sharing a
// real redis-server. A broadcaster on A streams to a viewer on B over real
// WebRTC (pion); A is killed with SIGKILL; the viewer is told instance_lost,
// the broadcaster reconnects to B and broadcasts again, the viewer watches
// again, and bytes flow again. The time from the kill to the second payload
// is logged (BENCHMARKS.md quotes the benchmark that measures it).
func TestSharedInstanceKilledMidStream(t *testing.T) {
	if testing.Short() {
		t.Skip("runs two daemons, a redis-server and WebRTC peers")
	}
	signalingtest.Timeout = waitTimeout
	chain := signalingtest.NewChain(t)
	rd := signalingtest.StartRedis(t)
	bin := signalingtest.BuildSignalingd(t)
	shared := func(id string) []string {
		// Each instance is its own origin (as with two ports on a
		// devnet): B must admit A's page and A's challenges.
		return []string{"-redis", rd.URL(), "-instance-id", id, "-instance-ttl", "1s", "-instance-refresh", "250ms"}
	}
	a := signalingtest.StartSignalingd(t, bin, chain.Addr(), shared("a")...)
	b := signalingtest.StartSignalingd(t, bin, chain.Addr(), shared("b")...)
	waitInstances(t, b, 2)

	owner, fan := signalingtest.NewWallet(), signalingtest.NewWallet()
	now := time.Now()
	id := chain.AddStream(owner.Address, now.Add(-time.Minute), now.Add(time.Hour))
	chain.Subscribe(fan.Address, owner.Address)
	payload := randomChunks(t, 8, 4096)

	// Round one: broadcaster on A, viewer on B, the page served by A.
	bc := dialPeer(t, "broadcaster", signalingtest.WSURL(a.URL()), a.URL(), payload)
	bc.SignIn(owner)
	bc.Send(map[string]any{"type": "broadcast", "stream_id": id})
	bc.Expect("broadcasting")
	vw := dialPeer(t, "viewer", signalingtest.WSURL(b.URL()), a.URL(), payload)
	vw.SignIn(fan)
	vw.Send(map[string]any{"type": "watch", "stream_id": id})
	require.Equal(t, bc.PeerID, vw.Expect("watching").Str("broadcaster_peer_id"))
	bc.Expect("viewer_joined", "viewer_count")
	require.True(t, bytes.Equal(bytes.Join(payload, nil), vw.Received()), "round one: the payload crossed instances")

	// A dies without a word.
	killed := time.Now()
	a.Kill()
	bc.close()

	// The broadcaster's app reconnects to B at once; until B has seen A
	// go, the stream's home is still A's and the join is refused with
	// shared_state_unavailable: the app tries again.
	bc2 := dialPeer(t, "broadcaster-2", signalingtest.WSURL(b.URL()), a.URL(), payload)
	bc2.SignIn(owner)
	for {
		bc2.Send(map[string]any{"type": "broadcast", "stream_id": id})
		m := bc2.Next()
		if m.Type() == "broadcasting" {
			break
		}
		require.Equal(t, "shared_state_unavailable", m.Str("code"), "got %v", m)
		time.Sleep(100 * time.Millisecond)
	}

	ended := vw.Expect("stream_ended", "viewer_count", "broadcaster_joined")
	require.Equal(t, "instance_lost", ended.Str("reason"))
	lost := time.Since(killed)
	vw.Send(map[string]any{"type": "watch", "stream_id": id})
	w := vw.Expect("watching", "viewer_count")
	if w.Str("broadcaster_peer_id") == "" {
		require.Equal(t, bc2.PeerID, vw.Expect("broadcaster_joined", "viewer_count").Str("peer_id"))
	}
	bc2.Expect("viewer_joined", "viewer_count")
	require.True(t, bytes.Equal(bytes.Join(payload, nil), vw.Received()), "round two: bytes flow again")
	t.Logf("time to resume after SIGKILL of the home instance: %s (viewer told instance_lost after %s)",
		time.Since(killed).Round(time.Millisecond), lost.Round(time.Millisecond))
}

func waitInstances(t *testing.T, p *signalingtest.Process, n int) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for {
		resp, err := http.Get(p.URL() + "/instances.json")
		require.NoError(t, err)
		var body struct{ Instances []map[string]string }
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
		_ = resp.Body.Close()
		if len(body.Instances) == n {
			return
		}
		require.True(t, time.Now().Before(deadline), "instances: %v", body.Instances)
		time.Sleep(50 * time.Millisecond)
	}
}
