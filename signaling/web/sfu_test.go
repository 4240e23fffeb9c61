package web

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/streamchain/streamchain/testutil/cli"
	"github.com/streamchain/streamchain/testutil/janus"
)

// TestBrowserSFU runs e2e/sfu.mjs: a real node, signalingd with one Janus
// (testutil/janus: in a network namespace, reached over its veth pair) and
// a direct capacity of 1; alice broadcasts from the app, bob watches peer
// to peer, carol and dave through Janus, all decoding frames, alice's
// upload to Janus sending simulcast layers; dave
// unsubscribes on chain and is cut off through Janus though his page keeps
// its peer connection, while bob and carol keep watching; then Janus is
// killed and started again, and carol's video comes back without a reload;
// last, alice goes live again as a "Large audience" and bob watches through
// Janus.
// BENCH_RUNS=n also compares a=setup:passive with a=setup:active (sfu.mjs).
func TestBrowserSFU(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a node, Janus, signalingd and Chromium")
	}
	janus.Require(t)
	began := time.Now()
	chromium, nodeJS := browserTools(t)
	dir := t.TempDir()
	bin := buildSignalingd(t, dir)
	chain := cli.StartNode(t, cli.BuildStreamd(t, dir))
	accs, walletFile := demoAccounts(t, chain, dir, "alice", "bob", "carol", "dave")
	for _, a := range accs {
		res := chain.Tx("web-"+a.Name, "streaming", "edit-profile", a.Name)
		require.Zero(t, res.Code, res.RawLog)
	}
	start := time.Now().UTC().Add(20 * time.Second).Truncate(time.Second)
	res := chain.Tx("web-alice", "streaming", "new-stream", "Large audience show", start.Format(time.RFC3339), start.Add(30*time.Minute).Format(time.RFC3339))
	require.Zero(t, res.Code, res.RawLog)
	streamID := strings.Trim(res.Attr("streamchain.streaming.v1.EventStreamScheduled", "stream_id"), `"`)
	require.NotEmpty(t, streamID)
	for _, a := range accs[1:] {
		res = chain.Tx("web-"+a.Name, "streaming", "subscribe", accs[0].Address)
		require.Zero(t, res.Code, res.RawLog)
	}

	// Janus last: tests that run Janus take turns machine-wide (testutil/janus).
	chainReady := time.Since(began)
	jan := janus.Start(t, janus.Options{})
	janusReady := time.Since(began)
	secret := filepath.Join(dir, "sfu-secret")
	require.NoError(t, os.WriteFile(secret, []byte(jan.Config.APISecret), 0o600))
	appURL := freeURL(t)
	sig := startSignalingd(t, bin, appURL, chain, walletFile, "-allowed-origins", appURL,
		"-sfu", jan.APIURL(), "-sfu-secret-file", secret, "-max-direct-viewers", "1")

	// The script kills Janus (SIGKILL) once dave is cut off; it is started
	// again at once, as a supervisor would, with its rooms gone.
	restarted := false
	benchRuns, _ := strconv.Atoi(os.Getenv("BENCH_RUNS"))
	sum := runE2EScript(t, nodeJS, "sfu", "web-sfu", 4*time.Minute+time.Duration(max(benchRuns, 0))*time.Minute, e2eHooks{
		meanwhile: func(exited <-chan struct{}) { restarted = restartWhenKilled(jan, exited) },
		onFail:    func() { t.Logf("janus log (tail):\n%s", tail(jan.Log(), 4000)) },
	}, "APP_URL="+appURL, "STREAM_ID="+streamID, "CHROMIUM="+chromium, "JANUS_PID="+strconv.Itoa(jan.PID()))
	require.True(t, restarted, "the script did not kill Janus")
	t.Logf("node, accounts and builds ready after %s, Janus (and the machine-wide Janus test lock) after %s, the script took %s",
		chainReady.Round(time.Second), janusReady.Round(time.Second), (time.Since(began) - janusReady).Round(time.Second))
	t.Logf("figures (a shared, noisy machine; not asserted): %v", sum.Figures)
	if sum.Bench != nil {
		t.Logf("bench: samples (ms) %v", sum.Bench)
	}

	// The chain says dave left and the others did not; the daemon placed
	// the publication and the two subscriptions on Janus.
	for i, want := range []bool{true, true, false} {
		var sub struct {
			Subscribed bool `json:"subscribed"`
		}
		chain.Query(&sub, "streaming", "subscription", accs[i+1].Address, accs[0].Address)
		require.Equal(t, want, sub.Subscribed, accs[i+1].Name)
	}
	require.Contains(t, sig.log.String(), "published to the media server")
}

// restartWhenKilled starts jan again once its process has died (killed by
// the script), unless the script ends first; it says whether it did.
func restartWhenKilled(jan *janus.Server, exited <-chan struct{}) bool {
	pid := jan.PID()
	for {
		select {
		case <-exited:
			return false
		case <-time.After(50 * time.Millisecond):
		}
		// Reaped by the server's own wait: the pid is gone.
		if syscall.Kill(pid, 0) == nil {
			continue
		}
		jan.Kill() // forgets the dead process
		jan.Restart()
		return true
	}
}
