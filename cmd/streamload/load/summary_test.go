package load_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/streamchain/streamchain/cmd/streamload/load"
)

// steadyChain is a node committing perBlock of our txs every interval,
// between an idle block before the load and one after it, where the load
// started and ended part way through an interval: the first busy block
// holds head txs, the last tail.
func steadyChain(full, perBlock, head, tail int, interval time.Duration) []load.Block {
	t0 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	counts := []int{0, head}
	for range full {
		counts = append(counts, perBlock)
	}
	counts = append(counts, tail, 0)
	blocks := make([]load.Block, len(counts))
	for i, n := range counts {
		blocks[i] = load.Block{Height: int64(10 + i), Time: t0.Add(time.Duration(i) * interval), Txs: n, OK: n, Ours: n, OursOK: n}
	}
	return blocks
}

// TestSummarizeTimesFullBlocks: the rate of a steady load is the same
// wherever in a block interval the load started and ended; the rate over
// every busy block is not.
func TestSummarizeTimesFullBlocks(t *testing.T) {
	const perBlock, full = 1500, 6
	interval := 3 * time.Second // 500 tx/s
	var runRates []float64
	for _, edge := range [][2]int{{10, 5}, {1490, 1400}, {700, 1}, {1, 1499}} {
		blocks := steadyChain(full, perBlock, edge[0], edge[1], interval)
		s := load.Summarize("bank", nil, blocks, nil, nil)
		require.Equal(t, full+2, s.BusyBlocks, edge)
		require.Equal(t, full, s.FullBlocks, edge)
		require.Equal(t, int64(11), s.FirstHeight, edge)
		require.InDelta(t, 500, s.TPS, 1e-9, "head %d, tail %d", edge[0], edge[1])
		runRates = append(runRates, s.RunTPS)
	}
	// The same load measured over the busy blocks, from the block before:
	// 9,015 txs over 8 intervals (24 s), or 11,890 — 376 or 495 tx/s for
	// one true 500.
	require.InDelta(t, float64(full*perBlock+15)/24, runRates[0], 1e-9)
	require.InDelta(t, float64(full*perBlock+2890)/24, runRates[1], 1e-9)
	require.Less(t, runRates[0]/runRates[1], 0.9)
}

// TestSummarizeShortRunHasNoFullBlock: with one or two busy blocks there is
// no full block, and the rate is the one over the busy blocks.
func TestSummarizeShortRunHasNoFullBlock(t *testing.T) {
	for _, busy := range []int{1, 2} {
		blocks := steadyChain(0, 0, 40, 60, time.Second)
		if busy == 1 {
			blocks = append(blocks[:2], blocks[3:]...)
		}
		s := load.Summarize("bank", nil, blocks, nil, nil)
		require.Equal(t, busy, s.BusyBlocks)
		require.Zero(t, s.FullBlocks)
		require.Positive(t, s.TPS)
		require.Equal(t, s.RunTPS, s.TPS)
	}
	s := load.Summarize("bank", nil, steadyChain(0, 0, 0, 0, time.Second)[:1], nil, nil)
	require.Zero(t, s.BusyBlocks)
	require.Zero(t, s.TPS)
}
