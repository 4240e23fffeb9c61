package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/streamchain/streamchain/signaling/signalingtest"
	"github.com/streamchain/streamchain/testutil/cli"
)

// TestPaidAccessFollowsTheChain: on a real node whose shortest
// subscription period is a minute, alice charges for subscriptions; bob
// and carol pay and watch. A tip bob sends naming the stream shows in its
// chat; alice blocking carol cuts carol off within a block; bob's
// subscription expiring cuts him off within a block of its expiry, and
// neither may watch again. The delays are logged (BENCHMARKS.md), never
// asserted beyond the test's timeouts.
func TestPaidAccessFollowsTheChain(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a node")
	}
	const period = time.Minute
	node := cli.StartNode(t, cli.BuildStreamd(t, t.TempDir()),
		cli.WithStreamingParams(map[string]any{"min_subscription_period": "60s"}))
	alice, bob, carol := node.Addrs["alice"], node.Addrs["bob"], node.Addrs["carol"]
	requireOK(t, node.Tx("alice", "streaming", "edit-profile", "Alice"))
	requireOK(t, node.Tx("bob", "streaming", "edit-profile", "Bob"))
	requireOK(t, node.Tx("carol", "streaming", "edit-profile", "Carol"))
	start := time.Now().UTC().Add(10 * time.Second).Truncate(time.Second)
	res := node.Tx("alice", "streaming", "new-stream", "Paid stream", start.Format(time.RFC3339), start.Add(time.Hour).Format(time.RFC3339))
	requireOK(t, res)
	streamID := strings.Trim(res.Attr("streamchain.streaming.v1.EventStreamScheduled", "stream_id"), `"`)
	requireOK(t, node.Tx("alice", "streaming", "set-subscription-terms", "1000ustream", period.String()))
	requireOK(t, node.Tx("carol", "streaming", "subscribe", alice, "--max-price", "1000ustream"))
	subscribed := node.Tx("bob", "streaming", "subscribe", alice, "--max-price", "1000ustream")
	requireOK(t, subscribed)
	var sub struct {
		Subscribed bool   `json:"subscribed"`
		ExpiresAt  string `json:"expires_at"`
	}
	node.Query(&sub, "streaming", "subscription", bob, alice)
	require.True(t, sub.Subscribed)
	expires, err := time.Parse(time.RFC3339Nano, sub.ExpiresAt)
	require.NoError(t, err)

	d := startDaemon(t, node)
	a := signalingtest.Dial(t, d.hs.URL, appOrigin)
	a.SignIn(exportKey(t, node, "alice"))
	a.Send(map[string]any{"type": "broadcast", "stream_id": streamID})
	a.Expect("broadcasting")
	watch := func(name string) *signalingtest.Client {
		c := signalingtest.Dial(t, d.hs.URL, appOrigin)
		c.SignIn(exportKey(t, node, name))
		c.Send(map[string]any{"type": "watch", "stream_id": streamID})
		c.ExpectSkipping("watching")
		return c
	}
	b, c := watch("bob"), watch("carol")

	// A tip naming the stream is a highlighted chat line.
	requireOK(t, node.Tx("bob", "streaming", "tip", alice, "500ustream", "--stream-id", streamID, "--memo", "great show"))
	line := a.ExpectSkipping("chat", "viewer_joined", "viewer_count")["message"].(map[string]any)
	require.Equal(t, "500ustream", line["tip"])
	require.Equal(t, "great show", line["text"])
	require.Equal(t, "Bob", line["name"])

	// Blocking carol cuts her off within a block.
	blocked := node.Broadcast("alice", "streaming", "block", carol, "--reason", "spam", "--fees", cli.Fee)
	require.Zero(t, blocked.Code, blocked.RawLog)
	rm := c.ExpectSkipping("removed", "viewer_count", "chat")
	require.Equal(t, "blocked", rm.Str("reason"))
	t.Logf("blocked viewer removed %s after the block's header time", rm.ReceivedAt().Sub(blockTime(t, node, blocked.Hash)))
	c.Send(map[string]any{"type": "watch", "stream_id": streamID})
	require.Equal(t, "not_subscribed", c.ExpectSkipping("error", "viewer_count").Str("code"))

	// bob's minute runs out: the expiry cuts him off.
	saved := signalingtest.Timeout
	signalingtest.Timeout = time.Until(expires) + 30*time.Second
	defer func() { signalingtest.Timeout = saved }()
	rm = b.ExpectSkipping("removed", "viewer_count", "chat")
	signalingtest.Timeout = saved
	require.Equal(t, "subscription_expired", rm.Str("reason"))
	t.Logf("expired viewer removed %s after the subscription's expiry", rm.ReceivedAt().Sub(expires))
	b.Send(map[string]any{"type": "watch", "stream_id": streamID})
	require.Equal(t, "not_subscribed", b.ExpectSkipping("error", "viewer_count").Str("code"))
}
