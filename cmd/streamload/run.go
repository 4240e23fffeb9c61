package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/streamchain/streamchain/cmd/streamload/load"
)

// maxTxs bounds one run: accounts × txs per account.
const maxTxs = 1_000_000

// record is one JSON line of `run`: a workload's summary and, for plots,
// its per-block series and latency distribution.
type record struct {
	load.Summary
	Accounts      int `json:"accounts"`
	TxsPerAccount int `json:"txs_per_account"`
	// Blocks are the busy blocks: seconds since the first one's
	// predecessor (header times) and code-0 tracked txs.
	Blocks []blockPoint `json:"blocks"`
	// LatencyCDF[i] is the (i+1)-th percentile of inclusion latency in ms.
	LatencyCDF []float64 `json:"latency_cdf_ms"`
	// LoadAvg is the machine's load average (1, 5, 15 min) when the run's
	// txs had committed: what else the shared cores were doing.
	LoadAvg string `json:"load_avg,omitempty"`
}

type blockPoint struct {
	Height int64   `json:"height"`
	T      float64 `json:"t"`
	OK     int     `json:"ok"`
	Txs    int     `json:"txs"`
}

func runCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	node := fs.String("node", "http://127.0.0.1:26657", "CometBFT RPC of the node")
	allowRemote := fs.Bool("allow-remote", false, "allow a -node that is not on loopback")
	list := fs.String("workload", "bank", "comma-separated workloads, run in order: "+strings.Join(workloads, ", "))
	nAccounts := fs.Int("accounts", 100, "load accounts (funded in genesis: make devnet LOAD_ACCOUNTS=N)")
	seed := fs.String("seed", load.DefaultSeed, "account derivation seed")
	perAccount := fs.Int("txs", 50, "txs per account per workload")
	warmup := fs.Int("warmup", 0, "bank txs per account sent unmeasured before the first workload, so that it does not pay alone for a fresh node's cold start")
	txRate := fs.Float64("rate", 0, "cap on total txs/s (0: as fast as the node answers)")
	timeout := fs.Duration("timeout", 10*time.Minute, "bound on the whole command")
	settle := fs.Duration("settle", 2*time.Minute, "bound on waiting for one workload's txs to commit")
	fee := fs.String("fees", "5000ustream", "fee of every tx")
	gas := fs.Uint64("gas", 200_000, "gas limit of every tx")
	transport := fs.String("transport", load.TransportWebSocket, "how txs are broadcast: "+load.TransportWebSocket+" (a WebSocket per sender) or "+load.TransportHTTP+" (an HTTP request per tx)")
	nodePID := fs.Int("node-pid", 0, "pid of the node process on this machine, to report its CPU per tx")
	if err := fs.Parse(args); err != nil {
		return err
	}
	names := strings.Split(*list, ",")
	for _, w := range names {
		if !slices.Contains(workloads, w) {
			return fmt.Errorf("unknown workload %q; workloads: %s", w, strings.Join(workloads, ", "))
		}
	}
	if *nAccounts < 2 || *perAccount < 1 || *nAccounts**perAccount > maxTxs {
		return fmt.Errorf("need -accounts >= 2, -txs >= 1 and at most %d txs per workload", maxTxs)
	}
	if *warmup < 0 || *nAccounts**warmup > maxTxs {
		return fmt.Errorf("need 0 <= -warmup and at most %d warm-up txs", maxTxs)
	}
	if !*allowRemote && !load.IsLoopback(*node) {
		return fmt.Errorf("-node %s is not on loopback: pass -allow-remote to load another machine", *node)
	}
	fees, err := sdk.ParseCoinsNormalized(*fee)
	if err != nil {
		return fmt.Errorf("-fees: %w", err)
	}

	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	c, err := load.NewClient(*node)
	if err != nil {
		return err
	}
	chainID, _, err := c.Status(ctx)
	if err != nil {
		return fmt.Errorf("node %s: %w", *node, err)
	}
	signer, err := load.NewSigner(chainID)
	if err != nil {
		return err
	}
	logf := func(format string, a ...any) { fmt.Fprintf(stderr, "streamload: "+format+"\n", a...) }
	p := &plan{
		c: c, signer: signer, fee: fees, gas: *gas, log: logf,
		start: time.Now().UTC().Add(24 * time.Hour).Truncate(time.Minute),
		opts:  load.RunOptions{Settle: *settle, SendOptions: load.SendOptions{Transport: *transport}},
	}
	for _, a := range load.DeriveAccounts(*seed, *nAccounts) {
		p.accs = append(p.accs, load.Funded{Account: a})
	}
	if err := p.refresh(ctx); err != nil {
		return fmt.Errorf("%w (are the accounts funded? make devnet LOAD_ACCOUNTS=%d)", err, *nAccounts)
	}

	if *warmup > 0 {
		counts := make([]int, len(p.accs))
		for i := range counts {
			counts[i] = *warmup
		}
		if err := p.setup(ctx, "warm-up", counts, func(i, k int) sdk.Msg { return p.build("bank", i, k) }); err != nil {
			return err
		}
	}

	var recs []record
	enc := json.NewEncoder(stdout)
	for _, w := range names {
		rec, err := runWorkload(ctx, p, w, *perAccount, *txRate, *nodePID)
		if err != nil {
			return fmt.Errorf("workload %s: %w", w, err)
		}
		rec.Accounts, rec.TxsPerAccount = *nAccounts, *perAccount
		if err := enc.Encode(rec); err != nil {
			return err
		}
		recs = append(recs, rec)
	}
	return writeTable(stderr, recs)
}

func runWorkload(ctx context.Context, p *plan, w string, perAccount int, txRate float64, nodePID int) (record, error) {
	if err := p.needs(ctx, w, perAccount); err != nil {
		return record{}, err
	}
	p.log("%s: signing %d txs", w, len(p.accs)*perAccount)
	queues, err := p.signer.PreSign(p.accs, perAccount, func(a load.Funded, k int) load.TxSpec {
		return load.TxSpec{Msgs: []sdk.Msg{p.build(w, indexOf(p.accs, a), k)}, Gas: p.gas, Fee: p.fee}
	})
	if err != nil {
		return record{}, err
	}
	var cpu0 time.Duration
	if nodePID > 0 {
		if cpu0, err = load.ProcessCPU(nodePID); err != nil {
			return record{}, err
		}
	}
	p.log("%s: sending", w)
	opts := p.opts
	opts.Rate = txRate
	var cpu1 time.Duration
	var cpuErr error
	var loadAvgSettled string
	// The node's CPU and the machine's load up to the last commit, before
	// streamload reads the blocks back.
	opts.OnSettled = func() {
		loadAvgSettled = loadAvg()
		if nodePID > 0 {
			cpu1, cpuErr = load.ProcessCPU(nodePID)
		}
	}
	res, err := p.c.Run(ctx, queues, opts)
	if err != nil {
		return record{}, err
	}
	if cpuErr != nil {
		return record{}, cpuErr
	}
	rec := record{Summary: res.Summary(w), LoadAvg: loadAvgSettled}
	if rec.FullBlocks < minFullBlocks {
		p.log("%s: only %d full blocks: the rate is coarse; raise -txs", w, rec.FullBlocks)
	}
	if nodePID > 0 && rec.OK > 0 {
		rec.NodeCPUPerTx = float64(cpu1-cpu0) / float64(time.Millisecond) / float64(rec.OK)
	}
	rec.Blocks = busyBlocks(res.Blocks)
	lat := load.Latencies(res.Sent, res.Committed, res.Watcher)
	for q := 1; q <= 100 && len(lat) > 0; q++ {
		i := min(len(lat)-1, max(0, len(lat)*q/100-1))
		rec.LatencyCDF = append(rec.LatencyCDF, float64(lat[i])/float64(time.Millisecond))
	}
	if err := p.refresh(ctx); err != nil {
		return record{}, err
	}
	// What this workload changed is what the next one builds on.
	p.streams, p.followed = nil, nil
	return rec, nil
}

func indexOf(accs []load.Funded, a load.Funded) int {
	return slices.IndexFunc(accs, func(b load.Funded) bool { return b.Index == a.Index })
}

// busyBlocks returns the blocks from the one before the first holding a
// tracked tx to the last holding one, timed from the first of them.
func busyBlocks(blocks []load.Block) []blockPoint {
	first, last := load.BusyRange(blocks)
	if first < 0 {
		return nil
	}
	first = max(0, first-1)
	var out []blockPoint
	for _, b := range blocks[first : last+1] {
		out = append(out, blockPoint{Height: b.Height, T: b.Time.Sub(blocks[first].Time).Seconds(), OK: b.OursOK, Txs: b.Txs})
	}
	return out
}

func writeTable(w io.Writer, recs []record) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "workload\tsent\tok\tfailed\trejected\tmissing\tbusy blocks\tfull blocks\ttx/s\tover busy blocks\tp50 ms\tp90 ms\tp99 ms\tgas/tx\tnode CPU ms/tx\tload avg\t")
	for _, r := range recs {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%.0f\t%.0f\t%.0f\t%.0f\t%.0f\t%.0f\t%.3f\t%s\t\n", r.Workload, r.Sent, r.OK,
			sum(r.Failed), sum(r.Rejected), r.Missing, r.BusyBlocks, r.FullBlocks, r.TPS, r.RunTPS, r.LatencyP50, r.LatencyP90, r.LatencyP99, r.GasPerTx, r.NodeCPUPerTx, r.LoadAvg)
	}
	return tw.Flush()
}

// minFullBlocks is the fewest full blocks whose rate is worth quoting:
// with fewer, one block's duration is a large part of the whole.
const minFullBlocks = 10

// loadAvg returns the machine's load average (1, 5, 15 min), "" where
// /proc does not tell it.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}
