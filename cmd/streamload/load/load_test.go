package load_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"

	"github.com/streamchain/streamchain/app"
	"github.com/streamchain/streamchain/cmd/streamload/load"
	"github.com/streamchain/streamchain/cmd/streamload/load/loadtest"
	"github.com/streamchain/streamchain/testutil/network"
)

func TestDeriveAccountIsStable(t *testing.T) {
	a, b := load.DeriveAccount(load.DefaultSeed, 0), load.DeriveAccount(load.DefaultSeed, 0)
	require.Equal(t, a.Bech32, b.Bech32)
	require.Equal(t, a.Key.Bytes(), b.Key.Bytes())
	require.NotEqual(t, a.Bech32, load.DeriveAccount(load.DefaultSeed, 1).Bech32)
	require.NotEqual(t, a.Bech32, load.DeriveAccount("other", 0).Bech32)
	// Devnets fund these addresses in genesis: the derivation must not
	// change silently.
	require.Equal(t, "stream1zmg4up3jrl9uzmk64e8rlx20dhv0lwhshl4lj3", a.Bech32)
}

func TestIsLoopback(t *testing.T) {
	for url, want := range map[string]bool{
		"http://127.0.0.1:26657": true,
		"tcp://127.0.0.1:26657":  true,
		"http://localhost:26657": true,
		"http://[::1]:26657":     true,
		"http://10.0.0.1:26657":  false,
		"http://example.com:80":  false,
		"127.0.0.1:26657":        false, // no scheme: not a URL the client takes
	} {
		require.Equal(t, want, load.IsLoopback(url), url)
	}
}

// TestRunCountsCommittedAndFailedTxs sends, against a real node, txs of
// which some fail on purpose at each stage, and checks that every one is
// counted where it ended:
//   - account 0: 5 good sends;
//   - account 1: 3 good sends, one with a sequence from the future and one
//     with too low a fee (both refused by CheckTx and never committed), then
//     a good send with the sequence the refused ones did not use;
//   - account 2: 2 sends of more than it holds (they pass CheckTx, which
//     only runs the ante handler, and fail in the block with
//     insufficient funds), then a good send.
//
// It runs once per transport (a WebSocket per sender, an HTTP request per
// tx), each on a fresh network.
func TestRunCountsCommittedAndFailedTxs(t *testing.T) {
	for _, transport := range []string{load.TransportWebSocket, load.TransportHTTP} {
		t.Run(transport, func(t *testing.T) { testRunCounts(t, transport) })
	}
}

func testRunCounts(t *testing.T, transport string) {
	accs := load.DeriveAccounts("load-test", 3)
	cfg := network.DefaultConfig()
	loadtest.Fund(t, &cfg, accs, []int64{1_000_000_000, 1_000_000_000, 100_000})
	n := network.New(t, cfg)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, err := load.NewClient(n.Validators[0].RPCAddress)
	require.NoError(t, err)
	chainID, _, err := c.Status(ctx)
	require.NoError(t, err)
	require.Equal(t, network.ChainID, chainID)
	funded, err := c.Accounts(ctx, accs)
	require.NoError(t, err)
	for _, f := range funded {
		require.Zero(t, f.Sequence)
	}
	signer, err := load.NewSigner(chainID)
	require.NoError(t, err)

	fee := sdk.NewCoins(sdk.NewInt64Coin(app.BondDenom, 5000))
	send := func(from load.Funded, amount int64) load.TxSpec {
		return load.TxSpec{
			Msgs: []sdk.Msg{&banktypes.MsgSend{
				FromAddress: from.Bech32, ToAddress: accs[0].Bech32,
				Amount: sdk.NewCoins(sdk.NewInt64Coin(app.BondDenom, amount)),
			}},
			Gas: 200_000, Fee: fee,
		}
	}
	sign := func(f load.Funded, seq uint64, spec load.TxSpec) load.SignedTx {
		tx, err := signer.Sign(f.Account, f.Number, seq, spec)
		require.NoError(t, err)
		return tx
	}

	queue0, err := signer.PreSign(funded[:1], 5, func(f load.Funded, _ int) load.TxSpec { return send(f, 1) })
	require.NoError(t, err)

	a1 := funded[1]
	lowFee := send(a1, 1)
	lowFee.Fee = sdk.NewCoins(sdk.NewInt64Coin(app.BondDenom, 1))
	queue1 := []load.SignedTx{
		sign(a1, 0, send(a1, 1)), sign(a1, 1, send(a1, 1)), sign(a1, 2, send(a1, 1)),
		sign(a1, 10, send(a1, 1)), // wrong sequence
		sign(a1, 3, lowFee),       // insufficient fee
		sign(a1, 3, send(a1, 1)),
	}
	a2 := funded[2]
	queue2 := []load.SignedTx{
		sign(a2, 0, send(a2, 1_000_000)), sign(a2, 1, send(a2, 1_000_000)), // more than it holds
		sign(a2, 2, send(a2, 1)),
	}

	res, err := c.Run(ctx, [][]load.SignedTx{queue0[0], queue1, queue2}, load.RunOptions{Settle: time.Minute, SendOptions: load.SendOptions{Transport: transport}})
	require.NoError(t, err)
	s := res.Summary("bank")

	require.Equal(t, 14, s.Sent)
	require.Equal(t, 12, s.Accepted)
	require.Equal(t, map[string]int{"sdk/32": 1, "sdk/13": 1}, s.Rejected)
	require.Equal(t, 12, s.Committed)
	require.Equal(t, 10, s.OK)
	require.Equal(t, map[string]int{"sdk/5": 2}, s.Failed)
	require.Zero(t, s.Missing)
	require.Positive(t, s.GasPerTx)
	require.Positive(t, s.TPS)
	require.Positive(t, s.LatencyP50)

	// The per-block counts, read from the chain, add up to the same.
	var ours, oursOK, all int
	failed := map[string]int{}
	for _, b := range res.Blocks {
		ours += b.Ours
		oursOK += b.OursOK
		all += b.OK
		for k, v := range b.OursFailed {
			failed[k] += v
		}
	}
	require.Equal(t, 12, ours)
	require.Equal(t, 10, oursOK)
	require.Equal(t, map[string]int{"sdk/5": 2}, failed)
	require.GreaterOrEqual(t, all, oursOK)
	for _, tx := range queue1[3:5] {
		_, found := res.Committed[tx.Hash]
		require.False(t, found, "a tx CheckTx refused was found in a block")
	}

	// The chain agrees: account 1 used sequences 0..3, account 2 0..2.
	after, err := c.Accounts(ctx, accs)
	require.NoError(t, err)
	require.Equal(t, []uint64{5, 4, 3}, []uint64{after[0].Sequence, after[1].Sequence, after[2].Sequence})
}
