package main

import (
	"os"
	"os/exec"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/streamchain/streamchain/testutil/cli"
)

// waitTxPattern is the README's pipeline for scripts: `streamd q wait-tx`
// exits 0 whatever the tx's result, so the pipeline checks the code line.
const waitTxPattern = `streamd q wait-tx $Q | tee /dev/stderr | grep -qx 'code: 0'`

// TestReadmeWaitTxPatternFailsOnAFailedTx runs the README's pattern in bash
// against a real node: it must exit 0 for a tx that succeeded and non-zero
// for one that failed in its block.
func TestReadmeWaitTxPatternFailsOnAFailedTx(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a node")
	}
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	require.Contains(t, string(readme), "| "+waitTxPattern, "the README no longer shows the pattern tested here")

	node := cli.StartNode(t, cli.BuildStreamd(t, t.TempDir()))
	run := func(txArgs string) error {
		script := `streamd() { "$STREAMD" "$@"; }
streamd tx ` + txArgs + ` --from bob $TX | ` + waitTxPattern
		cmd := exec.Command("bash", "-c", script)
		cmd.Env = append(cmd.Environ(), "STREAMD="+node.Bin,
			"TX=--home "+node.Home+" --keyring-backend test --fees 5000ustream -y --chain-id "+node.ChainID+" --node "+node.RPC,
			"Q=--home "+node.Home+" --node "+node.RPC)
		out, err := cmd.CombinedOutput()
		t.Logf("%s:\n%s", txArgs, out)
		return err
	}
	require.NoError(t, run("streaming edit-profile Bob"))
	err = run("streaming subscribe " + node.Addrs["bob"]) // to oneself: code 16 in the block
	require.Error(t, err)
	// Why the pattern is needed: the SDK's command alone exits 0 for a tx
	// that failed.
	failed := node.Broadcast("bob", "streaming", "subscribe", node.Addrs["bob"], "--fees", cli.Fee)
	require.Zero(t, failed.Code, failed.RawLog) // CheckTx lets it through
	require.Equal(t, uint32(16), node.WaitTx(failed.Hash).Code)
	// Asked once the tx is committed and indexed: wait-tx then answers from
	// its first lookup. Asked earlier it can miss a tx committed between that
	// lookup and its event subscription (the SDK command's own race), which
	// would fail this test for a reason that is not the one it checks.
	_, _, err = node.Run("q", "wait-tx", failed.Hash, "--node", node.RPC, "--timeout", "30s")
	require.NoError(t, err, "wait-tx now fails on a failed tx: the README's pattern can be simpler")
}
