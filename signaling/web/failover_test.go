package web

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/streamchain/streamchain/signaling/signalingtest"
	"github.com/streamchain/streamchain/testutil/cli"
)

// TestBrowserFailover runs e2e/failover.mjs: two signalingd instances share
// a real redis-server; alice broadcasts from the app served by A, bob watches
// from the app served by B; A is killed with SIGKILL, and bob's video must
// come back, over a new peer connection, without reloading either page.
func TestBrowserFailover(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a node, Redis, two signalingd and Chromium")
	}
	p := startSharedPair(t)
	sum := runFailoverScript(t, p.chromium, p.nodeJS, "web-failover", "APP_A="+p.appA, "APP_B="+p.appB, "STREAM_ID="+p.streamID,
		"KILL_PID="+strconv.Itoa(p.a.cmd.Process.Pid), "EXPECT_INSTANCE=sigB", "EXPECT_RESUME=1")
	requireKilled(t, p.a)
	t.Logf("time to resume after SIGKILL of the broadcaster's instance: %d ms; a fresh Watch to its first frame in the same run: %d ms (loopback, shared noisy machine; not asserted)",
		sum.Figures["time_to_resume_ms"], sum.Figures["watch_to_first_frame_ms"])
}

// TestBrowserDrain is TestBrowserFailover with a graceful stop: A gets
// SIGTERM, tells its clients `draining` (naming B) and they move before it
// closes: alice's page signs in on B by resume token and takes her stream
// over there (make-before-break), bob's video comes back, no reload.
func TestBrowserDrain(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a node, Redis, two signalingd and Chromium")
	}
	p := startSharedPair(t)
	a := p.a
	sum := runFailoverScript(t, p.chromium, p.nodeJS, "web-drain", "APP_A="+p.appA, "APP_B="+p.appB, "STREAM_ID="+p.streamID,
		"KILL_PID="+strconv.Itoa(a.cmd.Process.Pid), "KILL_SIGNAL=SIGTERM", "EXPECT_INSTANCE=sigB", "EXPECT_RESUME=1")
	select {
	case <-a.done:
	case <-time.After(30 * time.Second):
		t.Fatal("instance A still running 30 s after SIGTERM")
	}
	require.Contains(t, a.log.String(), "draining", "A did not drain")
	t.Logf("time to resume after SIGTERM (drain) of the broadcaster's instance: %d ms; a fresh Watch to its first frame in the same run: %d ms (loopback, shared noisy machine; not asserted)",
		sum.Figures["time_to_resume_ms"], sum.Figures["watch_to_first_frame_ms"])
}

// TestBrowserReconnectsAfterRestart runs the same script against one
// instance without Redis: both pages are on it, it is killed with SIGKILL
// and started again on the same port; both pages find it again by
// themselves (their resume tokens died with it: they sign in again), and
// bob's video comes back without a reload.
func TestBrowserReconnectsAfterRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a node, signalingd and Chromium")
	}
	chromium, nodeJS := browserTools(t)
	dir := t.TempDir()
	bin := buildSignalingd(t, dir)
	chain, walletFile, streamID := failoverChain(t, dir)
	app := freeURL(t)
	a := startSignalingd(t, bin, app, chain, walletFile)

	// Once the script has killed it, the instance comes back on its port.
	stopRestart := make(chan struct{})
	restarted := make(chan *daemon, 1)
	go func() {
		select {
		case <-a.done:
		case <-stopRestart:
			restarted <- nil
			return
		}
		d, err := spawnSignalingd(bin, app, chain, walletFile)
		if err != nil {
			d = nil
		}
		restarted <- d
	}()
	t.Cleanup(func() {
		close(stopRestart)
		if d := <-restarted; d != nil {
			d.stopAndLog(t)
		}
	})

	sum := runFailoverScript(t, chromium, nodeJS, "web-restart", "APP_A="+app, "APP_B="+app, "STREAM_ID="+streamID,
		"KILL_PID="+strconv.Itoa(a.cmd.Process.Pid))
	requireKilled(t, a)
	t.Logf("time to resume after SIGKILL and restart of the only instance: %d ms; a fresh Watch to its first frame in the same run: %d ms (loopback, shared noisy machine; not asserted)",
		sum.Figures["time_to_resume_ms"], sum.Figures["watch_to_first_frame_ms"])
}

// sharedPair is what the failover scripts run against: a node, a real
// redis-server and two signalingd instances in shared mode, A and B, each
// serving the app on its own origin.
type sharedPair struct {
	chromium, nodeJS string
	streamID         string
	appA, appB       string
	a                *daemon
}

func startSharedPair(t *testing.T) sharedPair {
	t.Helper()
	p := sharedPair{}
	p.chromium, p.nodeJS = browserTools(t)
	dir := t.TempDir()
	bin := buildSignalingd(t, dir)
	chain, walletFile, streamID := failoverChain(t, dir)
	p.streamID = streamID
	redisURL := signalingtest.StartRedis(t).URL()
	p.appA, p.appB = freeURL(t), freeURL(t)
	// Pages are served by the instances themselves here (behind a load
	// balancer they would share its origin). No -allowed-origins: each
	// instance admits the origins of the instances it has seen alive, also
	// once they are gone, which is when alice's page needs it.
	p.a = startSignalingd(t, bin, p.appA, chain, walletFile, "-redis", redisURL, "-instance-id", "sigA", "-advertise-url", p.appA)
	startSignalingd(t, bin, p.appB, chain, walletFile, "-redis", redisURL, "-instance-id", "sigB", "-advertise-url", p.appB)
	return p
}

// failoverChain is a node with alice's stream, open for joining at once
// (joining opens 10 min before the start), and bob's subscription to alice.
func failoverChain(t *testing.T, dir string) (chain *cli.Node, walletFile, streamID string) {
	chain = cli.StartNode(t, cli.BuildStreamd(t, dir))
	accs, walletFile := demoAccounts(t, chain, dir, "alice", "bob")
	for _, who := range []string{"alice", "bob"} {
		res := chain.Tx("web-"+who, "streaming", "edit-profile", who)
		require.Zero(t, res.Code, res.RawLog)
	}
	start := time.Now().UTC().Add(20 * time.Second).Truncate(time.Second)
	res := chain.Tx("web-alice", "streaming", "new-stream", "Failover show", start.Format(time.RFC3339), start.Add(30*time.Minute).Format(time.RFC3339))
	require.Zero(t, res.Code, res.RawLog)
	streamID = strings.Trim(res.Attr("streamchain.streaming.v1.EventStreamScheduled", "stream_id"), `"`)
	require.NotEmpty(t, streamID)
	res = chain.Tx("web-bob", "streaming", "subscribe", accs[0].Address)
	require.Zero(t, res.Code, res.RawLog)
	return chain, walletFile, streamID
}

// runFailoverScript runs e2e/failover.mjs (bounded in time) and returns its
// summary; the script's own checks failing fails the test.
func runFailoverScript(t *testing.T, chromium, nodeJS, artifactsDir string, env ...string) browserSummary {
	sum := runE2EScript(t, nodeJS, "failover", artifactsDir, 4*time.Minute, e2eHooks{}, append([]string{"CHROMIUM=" + chromium}, env...)...)
	require.Positive(t, sum.Figures["time_to_resume_ms"])
	return sum
}

// requireKilled: the instance really died of the script's SIGKILL.
func requireKilled(t *testing.T, d *daemon) {
	select {
	case <-d.done:
	case <-time.After(10 * time.Second):
		t.Fatal("the instance is still running after the script killed it")
	}
	require.Contains(t, d.cmd.ProcessState.String(), "killed")
}
