package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/streamchain/streamchain/testutil/cli"
	"github.com/streamchain/streamchain/x/streaming/types"
)

// TestPaidSubscriptionsTipsAndBlocksFromTheCLI drives the paid
// subscription, tip and block messages through the autocli commands of a
// real node, half of them signed in amino-JSON mode (Ledger, Keplr).
func TestPaidSubscriptionsTipsAndBlocksFromTheCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a node")
	}
	node := cli.StartNode(t, cli.BuildStreamd(t, t.TempDir()))
	alice, bob := node.Addrs["alice"], node.Addrs["bob"]
	amino := []string{"--sign-mode", "amino-json"}
	requireOK(t, node.Tx("alice", "streaming", "edit-profile", "Alice"))
	requireOK(t, node.Tx("bob", "streaming", "edit-profile", "Bob"))

	// The help says what unsubscribing costs.
	help := node.MustRun("tx", "streaming", "unsubscribe", "--help")
	require.Contains(t, help, "no refund")

	requireOK(t, node.Tx("alice", append([]string{"streaming", "set-subscription-terms", "1000ustream", "1h"}, amino...)...))
	var terms struct {
		Terms struct {
			Price  struct{ Amount, Denom string } `json:"price"`
			Period string                         `json:"period"`
		} `json:"terms"`
		Free bool `json:"free"`
	}
	node.Query(&terms, "streaming", "subscription-terms", alice)
	require.Equal(t, "1000", terms.Terms.Price.Amount)
	period, err := time.ParseDuration(terms.Terms.Period)
	require.NoError(t, err, terms.Terms.Period)
	require.Equal(t, time.Hour, period)
	require.False(t, terms.Free)

	// Without the price agreed, and with too little: refused in the block.
	requireCode(t, node.Tx("bob", "streaming", "subscribe", alice), types.ErrPriceAboveMax)
	requireCode(t, node.Tx("bob", "streaming", "subscribe", alice, "--max-price", "999ustream"), types.ErrPriceAboveMax)
	before := bankBalance(t, node, alice)
	res := node.Tx("bob", append([]string{"streaming", "subscribe", alice, "--max-price", "1000ustream"}, amino...)...)
	requireOK(t, res)
	require.Equal(t, before+1000, bankBalance(t, node, alice))
	var expires time.Time
	var sub struct {
		Subscribed bool   `json:"subscribed"`
		ExpiresAt  string `json:"expires_at"`
	}
	node.Query(&sub, "streaming", "subscription", bob, alice)
	require.True(t, sub.Subscribed)
	expires, err = time.Parse(time.RFC3339Nano, sub.ExpiresAt)
	require.NoError(t, err)
	require.WithinDuration(t, time.Now().Add(time.Hour), expires, 5*time.Minute)

	// Tips, and their refusals.
	res = node.Tx("bob", append([]string{"streaming", "tip", alice, "500ustream", "--memo", "great show"}, amino...)...)
	requireOK(t, res)
	require.Equal(t, `"great show"`, res.Attr("streamchain.streaming.v1.EventTip", "memo"))
	requireCode(t, node.Tx("bob", "streaming", "tip", alice, "0ustream"), types.ErrInvalidAmount)
	requireCode(t, node.Tx("bob", "streaming", "tip", alice, "5stake"), types.ErrInvalidDenom)
	requireCode(t, node.Tx("bob", "streaming", "tip", alice, "5ustream", "--stream-id", "42"), types.ErrStreamNotFound)

	// A block ends the subscription (EventUnsubscribed, which signalingd
	// acts on) and keeps bob out.
	res = node.Tx("alice", append([]string{"streaming", "block", bob, "--reason", "spam in chat"}, amino...)...)
	requireOK(t, res)
	require.Equal(t, fmt.Sprintf("%q", bob), res.Attr("streamchain.streaming.v1.EventUnsubscribed", "subscriber"))
	require.Equal(t, "true", res.Attr("streamchain.streaming.v1.EventBlocked", "unsubscribed"))
	var after struct {
		Subscribed bool `json:"subscribed"` // absent from the JSON when false
	}
	node.Query(&after, "streaming", "subscription", bob, alice)
	require.False(t, after.Subscribed)
	var blocked struct {
		Blocked bool `json:"blocked"`
		Block   struct {
			Reason string `json:"reason"`
		} `json:"block"`
	}
	node.Query(&blocked, "streaming", "block", alice, bob)
	require.True(t, blocked.Blocked)
	require.Equal(t, "spam in chat", blocked.Block.Reason)
	requireCode(t, node.Tx("bob", "streaming", "subscribe", alice, "--max-price", "1000ustream"), types.ErrBlocked)
	requireCode(t, node.Tx("bob", "streaming", "tip", alice, "5ustream"), types.ErrBlocked)
	requireCode(t, node.Tx("alice", "streaming", "block", alice), types.ErrSelfBlock)

	requireOK(t, node.Tx("alice", append([]string{"streaming", "unblock", bob}, amino...)...))
	var blocks struct {
		Blocks []any `json:"blocks"`
	}
	node.Query(&blocks, "streaming", "blocks", alice)
	require.Empty(t, blocks.Blocks)
}

// TestUnorderedTipsInOneBlock sends several unordered tips from one account
// at once: without a sequence they do not wait for each other, and several
// land in the same block. Ordered, all but one would fail with a sequence
// mismatch.
func TestUnorderedTipsInOneBlock(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a node")
	}
	node := cli.StartNode(t, cli.BuildStreamd(t, t.TempDir()))
	alice, bob := node.Addrs["alice"], node.Addrs["bob"]
	requireOK(t, node.Tx("alice", "streaming", "edit-profile", "Alice"))

	// Sign them all first, then send them within milliseconds. Each is
	// valid for 5 minutes (the SDK allows up to 10), which covers slow
	// signing on a loaded machine.
	const tips = 5
	dir := t.TempDir()
	var txs [][]byte
	for i := range tips {
		unsigned := filepath.Join(dir, fmt.Sprintf("tip%d.json", i))
		out := node.MustRun("tx", "streaming", "tip", alice, fmt.Sprintf("%dustream", 100+i), "--from", bob,
			"--unordered", "--timeout-duration", "5m", "--fees", cli.Fee, "--chain-id", node.ChainID,
			"--keyring-backend", "test", "--node", node.RPC, "--generate-only")
		require.NoError(t, os.WriteFile(unsigned, []byte(out), 0o600))
		signed := node.MustRun("tx", "sign", unsigned, "--from", "bob", "--chain-id", node.ChainID,
			"--keyring-backend", "test", "--node", node.RPC)
		signedFile := filepath.Join(dir, fmt.Sprintf("tip%d.signed.json", i))
		require.NoError(t, os.WriteFile(signedFile, []byte(signed), 0o600))
		encoded := strings.TrimSpace(node.MustRun("tx", "encode", signedFile))
		txs = append(txs, []byte(encoded))
		time.Sleep(time.Millisecond) // distinct timeouts: the unordered nonce
	}

	before := bankBalance(t, node, alice)
	rpc := "http://" + strings.TrimPrefix(node.RPC, "tcp://")
	var hashes []string
	for _, tx := range txs {
		body := fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"method":"broadcast_tx_sync","params":{"tx":%q}}`, tx)
		resp, err := http.Post(rpc, "application/json", bytes.NewBufferString(body))
		require.NoError(t, err)
		var r struct {
			Result struct {
				Code uint32 `json:"code"`
				Log  string `json:"log"`
				Hash string `json:"hash"`
			} `json:"result"`
		}
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&r))
		resp.Body.Close()
		require.Zero(t, r.Result.Code, "CheckTx refused an unordered tip: %s", r.Result.Log)
		hashes = append(hashes, r.Result.Hash)
	}

	perHeight := map[string]int{}
	most := 0
	for _, h := range hashes {
		res := node.WaitTx(h)
		requireOK(t, res)
		var tx struct {
			Height string `json:"height"`
		}
		node.Query(&tx, "tx", h)
		perHeight[tx.Height]++
		most = max(most, perHeight[tx.Height])
	}
	t.Logf("unordered tips per block height: %v", perHeight)
	require.GreaterOrEqual(t, most, 2, "no two unordered tips from one account shared a block")
	require.Equal(t, before+100*tips+10, bankBalance(t, node, alice)) // 100+101+102+103+104

	// The same signed bytes again: the nonce is spent. CometBFT's check_tx
	// runs CheckTx without the mempool's cache of seen txs, so the refusal
	// is the chain's own.
	body := fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"method":"check_tx","params":{"tx":%q}}`, txs[0])
	resp, err := http.Post(rpc, "application/json", bytes.NewBufferString(body))
	require.NoError(t, err)
	defer resp.Body.Close()
	var r struct {
		Result struct {
			Code uint32 `json:"code"`
			Log  string `json:"log"`
		} `json:"result"`
		Error json.RawMessage `json:"error"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&r))
	require.Empty(t, r.Error)
	require.NotZero(t, r.Result.Code, "a replayed unordered tx was accepted")
	require.Contains(t, r.Result.Log, "unordered nonce")
	t.Logf("replay refused: code %d %s", r.Result.Code, r.Result.Log)
}

func requireCode(t *testing.T, res cli.TxResult, want interface{ ABCICode() uint32 }) {
	t.Helper()
	require.Equal(t, want.ABCICode(), res.Code, res.RawLog)
	require.Equal(t, types.ModuleName, res.Codespace, res.RawLog)
}

func bankBalance(t *testing.T, node *cli.Node, addr string) int64 {
	t.Helper()
	var b struct {
		Balance struct {
			Amount string `json:"amount"`
		} `json:"balance"`
	}
	node.Query(&b, "bank", "balance", addr, types.Denom)
	var n int64
	_, err := fmt.Sscan(b.Balance.Amount, &n)
	require.NoError(t, err)
	return n
}
