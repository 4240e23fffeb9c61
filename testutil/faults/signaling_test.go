package faults

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/streamchain/streamchain/signaling/signalingtest"
	"github.com/streamchain/streamchain/x/streaming/types"
)

// startSignalingd runs the real daemon against every node's gRPC endpoint,
// node0 first, in its own process group; it is killed when the test ends.
func startSignalingd(t *testing.T, c *Cluster) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "signalingd")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/streamchain/streamchain/cmd/signalingd").CombinedOutput()
	require.NoError(t, err, "build signalingd: %s", out)
	var endpoints string
	for i, n := range c.Nodes {
		if i > 0 {
			endpoints += ","
		}
		endpoints += n.GRPC()
	}
	listen := c.SignalingAddr()
	log, err := os.Create(filepath.Join(c.Home, "signalingd.log"))
	require.NoError(t, err)
	// Committed events come from node0's RPC; when node0 dies the feed is
	// lost and the daemon falls back to its periodic re-check. No metrics
	// listener: its default port could be taken by another test's daemon.
	cmd := exec.Command(bin, "-listen", listen, "-grpc", endpoints, "-rpc", c.Nodes[0].RPC(), "-metrics-listen=", "-chain-id", c.ChainID,
		"-allowed-origins", "*", "-public-origin", "http://"+listen, "-log-level", "debug")
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
		_ = log.Close()
		if t.Failed() {
			b, _ := os.ReadFile(log.Name())
			t.Logf("signalingd log:\n%s", b)
		}
	})
	url := "http://" + listen
	require.Eventually(t, func() bool {
		res, err := http.Get(url + "/healthz")
		if err != nil {
			return false
		}
		_ = res.Body.Close()
		return res.StatusCode == http.StatusOK
	}, time.Minute, 200*time.Millisecond, "signalingd never became healthy")
	return url
}

// signalingFailover: signalingd serves a broadcaster through node0; node0
// dies (SIGKILL); a viewer then joins, which takes fresh chain queries
// (stream and subscription): the daemon answers them from another node, and
// the broadcaster's session goes on.
func signalingFailover(t *testing.T, c *Cluster, load *Load, rep *report) {
	ctx := context.Background()
	broadcaster, err := newAccount("validator3", validatorMnemonic, 3)
	require.NoError(t, err)
	viewer := load.Recipient
	_, err = load.Submit(ctx, broadcaster, &types.MsgEditProfile{Owner: broadcaster.Addr, Name: "Validator three"})
	require.NoError(t, err)
	start := time.Now().UTC().Add(2 * time.Minute).Truncate(time.Second)
	streamTx, err := load.Submit(ctx, broadcaster, &types.MsgNewStream{Broadcaster: broadcaster.Addr, Title: "Failover", StartTime: start, EndTime: start.Add(time.Hour)})
	require.NoError(t, err)
	_, err = load.Submit(ctx, viewer, &types.MsgEditProfile{Owner: viewer.Addr, Name: "Carol"})
	require.NoError(t, err)
	_, err = load.Submit(ctx, viewer, &types.MsgSubscribe{Subscriber: viewer.Addr, Broadcaster: broadcaster.Addr})
	require.NoError(t, err)
	var stream struct {
		Streams []struct {
			Stream struct {
				ID string `json:"id"`
			} `json:"stream"`
		} `json:"streams"`
	}
	require.NoError(t, c.Nodes[1].RESTGet(ctx, "/streamchain/streaming/v1/streams?broadcaster="+broadcaster.Addr, &stream))
	require.Len(t, stream.Streams, 1, "stream of tx %s", streamTx.Hash)
	id := stream.Streams[0].Stream.ID

	url := startSignalingd(t, c)
	b := signalingtest.Dial(t, url, "")
	defer b.Close()
	b.SignIn(signalingtest.WalletFromKey(broadcaster.key.Key))
	b.Send(map[string]any{"type": "broadcast", "stream_id": id})
	b.Expect("broadcasting")

	// The node signalingd asks first goes away. Past the daemon's cache
	// lifetime (5 s) every answer must come from a live node.
	c.Nodes[0].Kill()
	killed := time.Now()
	time.Sleep(6 * time.Second)
	v := signalingtest.Dial(t, url, "")
	defer v.Close()
	v.SignIn(signalingtest.WalletFromKey(viewer.key.Key))
	v.Send(map[string]any{"type": "watch", "stream_id": id})
	v.ExpectSkipping("watching", "viewer_count")
	joined := time.Since(killed)
	b.ExpectSkipping("viewer_joined", "viewer_count")

	// The daemon says it moved.
	logText, err := os.ReadFile(filepath.Join(c.Home, "signalingd.log"))
	require.NoError(t, err)
	require.Contains(t, string(logText), "moved to the next")

	c.Nodes[0].Start()
	restarted := time.Now()
	c.WaitHeight(ctx, c.Nodes[:1], MaxHeight(ctx, c.Nodes[1:]), 3*time.Minute)
	rep.add(t, row{
		Fault:    "SIGKILL the node signalingd uses (of -grpc node0..node3), broadcaster connected",
		During:   "the broadcaster's session stays up",
		Recovery: fmt.Sprintf("a viewer's watch (fresh stream + subscription queries) answered %.1f s after the kill, 6 s of it waiting out the cache; node0 caught up %.1f s after its restart", joined.Seconds(), time.Since(restarted).Seconds()),
	})
}
