package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cosmos/cosmos-sdk/codec"
	"github.com/cosmos/cosmos-sdk/codec/address"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"

	"github.com/streamchain/streamchain/app"
	"github.com/streamchain/streamchain/cmd/streamload/load"
	"github.com/streamchain/streamchain/cmd/streamload/load/loadtest"
	"github.com/streamchain/streamchain/testutil/network"
	streamingtypes "github.com/streamchain/streamchain/x/streaming/types"
)

// TestEveryWorkloadCommits runs every workload, in the order bench-chain
// uses, against a real node: each must commit all its txs with code 0
// (their setup rounds included), and the report must be written from the
// JSON lines.
func TestEveryWorkloadCommits(t *testing.T) {
	const accounts, txs = 3, 2
	cfg := network.DefaultConfig()
	balances := []int64{1e12, 1e12, 1e12}
	loadtest.Fund(t, &cfg, load.DeriveAccounts(load.DefaultSeed, accounts), balances)
	n := network.New(t, cfg)

	var out, log bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	err := runCmd(ctx, []string{
		"-node", n.Validators[0].RPCAddress, "-accounts", "3", "-txs", "2",
		"-workload", "bank,edit-profile,new-stream,edit-stream,subscribe,unsubscribe,delete-stream,tip,mix",
		"-node-pid", "0",
	}, &out, &log)
	require.NoError(t, err, log.String())

	var names []string
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var r record
		require.NoError(t, json.Unmarshal([]byte(line), &r))
		names = append(names, r.Workload)
		require.Equal(t, accounts*txs, r.Sent, r.Workload)
		require.Equal(t, accounts*txs, r.OK, "%s: %+v", r.Workload, r.Summary)
		require.Empty(t, r.Failed, r.Workload)
		require.Empty(t, r.Rejected, r.Workload)
		require.NotEmpty(t, r.Blocks, r.Workload)
		require.Len(t, r.LatencyCDF, 100, r.Workload)
	}
	require.Equal(t, []string{"bank", "edit-profile", "new-stream", "edit-stream", "subscribe", "unsubscribe", "delete-stream", "tip", "mix"}, names)

	dir := t.TempDir()
	in := filepath.Join(dir, "runs.jsonl")
	require.NoError(t, os.WriteFile(in, out.Bytes(), 0o600))
	md := filepath.Join(dir, "BENCHMARKS.md")
	require.NoError(t, os.WriteFile(md, []byte("# Benchmarks\n\nkept\n"), 0o600))
	for range 2 { // the second report replaces the first
		require.NoError(t, reportCmd([]string{"-in", in, "-md", md, "-plots", filepath.Join(dir, "plots")}))
	}
	b, err := os.ReadFile(md)
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(string(b), "# Benchmarks\n\nkept\n"))
	require.Equal(t, 1, strings.Count(string(b), beginMarker))
	require.Contains(t, string(b), "| 2 | edit-profile |")
	for _, png := range []string{"tx_per_block.png", "latency_cdf.png"} {
		st, err := os.Stat(filepath.Join(dir, "plots", png))
		require.NoError(t, err)
		require.Positive(t, st.Size())
	}
}

func TestRunRefusesRemoteNodeUnlessAllowed(t *testing.T) {
	err := runCmd(context.Background(), []string{"-node", "http://192.0.2.1:26657"}, &bytes.Buffer{}, &bytes.Buffer{})
	require.ErrorContains(t, err, "not on loopback")
}

// TestStateIsValidGenesis generates a state and checks it with the module's
// own genesis validation, which also checks every counter.
func TestStateIsValidGenesis(t *testing.T) {
	cdc := codec.NewProtoCodec(codectypes.NewInterfaceRegistry())
	def, err := cdc.MarshalJSON(streamingtypes.DefaultGenesis())
	require.NoError(t, err)
	doc, err := json.Marshal(map[string]any{
		"genesis_time": "2026-12-01T00:00:00Z",
		"chain_id":     "x",
		"app_state":    map[string]json.RawMessage{"streaming": def, "bank": json.RawMessage(`{"kept":true}`)},
	})
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "genesis.json")
	require.NoError(t, os.WriteFile(path, doc, 0o600))

	require.NoError(t, stateCmd([]string{"-genesis", path, "-profiles", "500", "-streams", "300", "-follows", "7"}))

	b, err := os.ReadFile(path)
	require.NoError(t, err)
	var got struct {
		ChainID  string                     `json:"chain_id"`
		AppState map[string]json.RawMessage `json:"app_state"`
	}
	require.NoError(t, json.Unmarshal(b, &got))
	require.Equal(t, "x", got.ChainID)
	require.JSONEq(t, `{"kept":true}`, string(got.AppState["bank"]))
	var gs streamingtypes.GenesisState
	require.NoError(t, cdc.UnmarshalJSON(got.AppState["streaming"], &gs))
	require.NoError(t, gs.Validate(address.NewBech32Codec(app.AccountAddressPrefix)))
	require.Len(t, gs.Profiles, 500)
	require.Len(t, gs.Streams, 300)
	require.Len(t, gs.Subscriptions, 3500)
	require.Equal(t, uint64(301), gs.NextStreamId)
}

// TestReportQuotesEachRatioAndTheMedian: a workload run several times
// between bank runs is quoted by each run's ratio to its neighbours and
// their median, with each run's full blocks and load average in the table.
func TestReportQuotesEachRatioAndTheMedian(t *testing.T) {
	run := func(w string, tps float64, full int) record {
		return record{Summary: load.Summary{Workload: w, TPS: tps, FullBlocks: full}, LoadAvg: "3.50 2.00 1.00"}
	}
	recs := []record{
		run("bank", 500, 20), run("tip", 450, 19), run("bank", 400, 18),
		run("tip", 440, 21), run("bank", 480, 20), run("tip", 528, 20), run("bank", 480, 22),
	}
	var b bytes.Buffer
	writeSection(&b, recs, "make bench-chain", "", "a.png", "b.png")
	got := b.String()
	require.Contains(t, got, "| 2 | tip | 450 | 19 | 1.00× |")
	require.Contains(t, got, "| 3.50 |\n")
	// 450/450, 440/440, 528/480: 1.00, 1.00, 1.10.
	require.Contains(t, got, "tip against its bank neighbours over its 3 runs: 1.00, 1.00, 1.10×, median 1.00×.")
	require.Equal(t, 2.5, median([]float64{4, 1, 2, 3}))
}
