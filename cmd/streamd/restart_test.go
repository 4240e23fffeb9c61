package main

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/streamchain/streamchain/testutil/cli"
)

// TestSignedTxAcceptedRightAfterRestart kills a node (SIGKILL), starts it
// again, and sends a correctly signed tx from an account that is not the
// validator's before the node makes its next block. The node must accept
// it at once: a restarted node used to check txs as if at genesis (height
// 0, account number 0) until its first new block, and refused them with
// "signature verification failed" (cosmos/cosmos-sdk#24628).
func TestSignedTxAcceptedRightAfterRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a node")
	}
	node := cli.StartNode(t, cli.BuildStreamd(t, t.TempDir()))
	bob, carol := node.Addrs["bob"], node.Addrs["carol"]
	requireOK(t, node.Tx("bob", "bank", "send", bob, carol, "1ustream"))

	height := node.Kill()
	// The restarted node waits timeout_commit before it proposes its next
	// block: long enough for the txs below to meet the state it started
	// with, even on a loaded machine (one CLI call took over 15 s there).
	node.EditConfig(map[string]string{`(?m)^timeout_commit = .*$`: `timeout_commit = "5m"`})
	node.Restart(height)
	before := node.Height()

	for _, from := range []string{"bob", "carol"} {
		to := node.Addrs["alice"]
		res := node.Broadcast(from, "bank", "send", node.Addrs[from], to, "1ustream", "--fees", cli.Fee)
		require.Equal(t, before, node.Height(), "a new block came before %s's tx was checked; the test proved nothing", from)
		require.Zero(t, res.Code, "%s's tx refused after a restart: %s: %s", from, res.Codespace, res.RawLog)
	}
}
