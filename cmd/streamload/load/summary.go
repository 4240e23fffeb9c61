package load

import (
	"slices"
	"time"
)

// Summary is one run's outcome as counted from the chain. Its JSON form is
// streamload's machine-readable output.
type Summary struct {
	Workload string `json:"workload"`
	Sent     int    `json:"sent"`
	// Accepted txs passed CheckTx; Rejected counts the others by
	// FailureKey ("rpc" when the node gave no answer).
	Accepted int            `json:"accepted"`
	Rejected map[string]int `json:"rejected,omitempty"`
	// Committed txs are tracked txs found in blocks; OK of them had code 0,
	// Failed counts the rest by FailureKey. Missing were accepted but not
	// found in any block read.
	Committed int            `json:"committed"`
	OK        int            `json:"ok"`
	Failed    map[string]int `json:"failed,omitempty"`
	Missing   int            `json:"missing"`
	// The busy blocks are those from the first to the last holding a
	// tracked tx. The first and the last are only partly filled (the load
	// starts and ends at any point of a block interval), so the full
	// blocks are the busy ones between them, and TPS is their code-0
	// tracked txs per second of their own commit times: from the first
	// busy block's commit to the last full one's. A block's commit time is
	// the next block's header time (the validators' precommit times).
	// Runs of one or two busy blocks have no full block: their TPS is
	// RunTPS, and FullBlocks is 0.
	FirstHeight int64   `json:"first_height"`
	LastHeight  int64   `json:"last_height"`
	BusyBlocks  int     `json:"busy_blocks"`
	FullBlocks  int     `json:"full_blocks"`
	TPS         float64 `json:"tps"`
	// RunTPS counts every code-0 tracked tx over every busy block's
	// interval, from the block before the first busy one: a rate that
	// moves by a whole block interval with where the load started and
	// ended, and so by 1/BusyBlocks of itself.
	RunTPS float64 `json:"run_tps"`
	// Inclusion latency of code-0 txs: from broadcast to the moment the
	// Watcher first saw their height, in milliseconds.
	LatencyP50 float64 `json:"latency_p50_ms"`
	LatencyP90 float64 `json:"latency_p90_ms"`
	LatencyP99 float64 `json:"latency_p99_ms"`
	// broadcast_tx_sync round trips, in milliseconds.
	RoundTripP50 float64 `json:"roundtrip_p50_ms"`
	RoundTripP99 float64 `json:"roundtrip_p99_ms"`
	GasPerTx     float64 `json:"gas_per_tx"`
	// MempoolFull counts "mempool is full" answers, each followed by a
	// retry of the same tx; FirstError is the first transport error.
	MempoolFull int    `json:"mempool_full,omitempty"`
	FirstError  string `json:"first_error,omitempty"`
	// NodeCPUPerTx is the node's CPU time per code-0 tx in milliseconds,
	// when the caller could measure it (0 otherwise).
	NodeCPUPerTx float64 `json:"node_cpu_per_tx_ms,omitempty"`
}

// Summarize counts a run: sent is Send's result, blocks and committed
// Blocks' result over heights that include the block before the first
// tracked one, w the Watcher that ran during the sends (nil: no latency).
func Summarize(workload string, sent []Sent, blocks []Block, committed map[string]Committed, w *Watcher) Summary {
	s := Summary{Workload: workload, Sent: len(sent), Rejected: map[string]int{}, Failed: map[string]int{}}
	var latencies, roundTrips []time.Duration
	var gas int64
	for _, x := range sent {
		roundTrips = append(roundTrips, x.RoundTrip)
		s.MempoolFull += x.MempoolFull
		switch {
		case x.Err != nil:
			s.Rejected["rpc"]++
			if s.FirstError == "" {
				s.FirstError = x.Err.Error()
			}
			continue
		case x.CheckCode != 0:
			s.Rejected[FailureKey(x.CheckCodespace, x.CheckCode)]++
			continue
		}
		s.Accepted++
		c, ok := committed[x.Tx.Hash]
		if !ok {
			s.Missing++
			continue
		}
		s.Committed++
		if c.Code != 0 {
			s.Failed[FailureKey(c.Codespace, c.Code)]++
			continue
		}
		s.OK++
		gas += c.GasUsed
	}
	latencies = Latencies(sent, committed, w)
	if s.OK > 0 {
		s.GasPerTx = float64(gas) / float64(s.OK)
	}
	s.LatencyP50, s.LatencyP90, s.LatencyP99 = PercentileMs(latencies, 50), PercentileMs(latencies, 90), PercentileMs(latencies, 99)
	s.RoundTripP50, s.RoundTripP99 = PercentileMs(roundTrips, 50), PercentileMs(roundTrips, 99)

	first, last := BusyRange(blocks)
	if first < 0 {
		return s
	}
	s.FirstHeight, s.LastHeight = blocks[first].Height, blocks[last].Height
	s.BusyBlocks = last - first + 1
	start := first - 1
	if start < 0 {
		// Without the block before, the first busy block has no start
		// time: leave it out.
		start = first
	}
	ok := 0
	for _, b := range blocks[start+1 : last+1] {
		ok += b.OursOK
	}
	s.RunTPS = perSecond(ok, blocks[start].Time, blocks[last].Time)
	s.TPS = s.RunTPS
	if last-first >= 2 {
		s.FullBlocks = last - first - 1
		s.TPS = fullBlockRate(blocks[first+1 : last+1])
	}
	return s
}

// fullBlockRate returns the code-0 tracked txs per second of blocks[:n-1]
// over their commit times: from blocks[0].Time, the header time of the
// first and so the commit time of the block before it, to blocks[n-1].Time,
// the commit time of blocks[n-2].
func fullBlockRate(blocks []Block) float64 {
	n := len(blocks)
	ok := 0
	for _, b := range blocks[:n-1] {
		ok += b.OursOK
	}
	return perSecond(ok, blocks[0].Time, blocks[n-1].Time)
}

func perSecond(n int, from, to time.Time) float64 {
	if secs := to.Sub(from).Seconds(); secs > 0 {
		return float64(n) / secs
	}
	return 0
}

// Latencies returns the inclusion latency of every code-0 tx, sorted: from
// its broadcast to the moment w first saw its height.
func Latencies(sent []Sent, committed map[string]Committed, w *Watcher) []time.Duration {
	if w == nil {
		return nil
	}
	var out []time.Duration
	for _, x := range sent {
		c, ok := committed[x.Tx.Hash]
		if !ok || c.Code != 0 {
			continue
		}
		if at, ok := w.SeenAt(c.Height); ok {
			out = append(out, at.Sub(x.SentAt))
		}
	}
	slices.Sort(out)
	return out
}

// PercentileMs returns the p-th percentile (nearest rank) in milliseconds,
// 0 for no samples.
func PercentileMs(d []time.Duration, p float64) float64 {
	if len(d) == 0 {
		return 0
	}
	d = slices.Clone(d)
	slices.Sort(d)
	i := int(float64(len(d))*p/100+0.5) - 1
	i = min(max(i, 0), len(d)-1)
	return float64(d[i]) / float64(time.Millisecond)
}

// BusyRange returns the indexes of the first and last blocks holding one of
// our txs, or -1, -1 when none does.
func BusyRange(blocks []Block) (first, last int) {
	first, last = -1, -1
	for i, b := range blocks {
		if b.Ours > 0 {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	return first, last
}
