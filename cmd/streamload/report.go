package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Markers delimit the section `report` rewrites in BENCHMARKS.md; the rest
// of the file is left as it is.
const (
	beginMarker = "<!-- streamload:chain-throughput:begin (make bench-chain rewrites this section) -->"
	endMarker   = "<!-- streamload:chain-throughput:end -->"
)

// reportCmd reads `run`'s JSON lines and writes the chain-throughput
// section of BENCHMARKS.md and its plots.
func reportCmd(args []string) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	in := fs.String("in", "", "JSON lines written by streamload run")
	md := fs.String("md", "BENCHMARKS.md", "markdown file whose chain-throughput section is rewritten")
	plots := fs.String("plots", "testutil/bench/chain", "directory for the PNG plots (relative paths are linked relative to -md)")
	command := fs.String("command", "make bench-chain", "command to quote as the way to reproduce")
	setting := fs.String("setting", "", "one line on the node's settings (block time, accounts, ...)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	recs, err := readRecords(*in)
	if err != nil {
		return err
	}
	if len(recs) == 0 {
		return fmt.Errorf("%s holds no runs", *in)
	}
	if err := os.MkdirAll(*plots, 0o755); err != nil {
		return err
	}
	blocksPNG, cdfPNG := filepath.Join(*plots, "tx_per_block.png"), filepath.Join(*plots, "latency_cdf.png")
	if err := plotBlocks(recs, blocksPNG); err != nil {
		return err
	}
	if err := plotLatencyCDF(recs, cdfPNG); err != nil {
		return err
	}
	rel := func(p string) string {
		r, err := filepath.Rel(filepath.Dir(*md), p)
		if err != nil {
			return p
		}
		return filepath.ToSlash(r)
	}
	var section bytes.Buffer
	writeSection(&section, recs, *command, *setting, rel(blocksPNG), rel(cdfPNG))
	return replaceSection(*md, section.String())
}

func readRecords(path string) ([]record, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var recs []record
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var r record
		if err := json.Unmarshal(line, &r); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		recs = append(recs, r)
	}
	return recs, sc.Err()
}

// bankRatio returns rec i's tx/s over the mean of the bank runs next to it
// (before and after), 0 if it has none.
func bankRatio(recs []record, i int) float64 {
	var sum float64
	n := 0
	for _, j := range []int{i - 1, i + 1} {
		if j >= 0 && j < len(recs) && recs[j].Workload == "bank" {
			sum += recs[j].TPS
			n++
		}
	}
	if n == 0 || sum == 0 {
		return 0
	}
	return recs[i].TPS / (sum / float64(n))
}

func writeSection(w io.Writer, recs []record, command, setting, blocksPNG, cdfPNG string) {
	fmt.Fprintf(w, "### Chain throughput on one validator (streamload)\n\n")
	fmt.Fprintf(w, "Command: `%s` — a fresh devnet, then bank and each streaming workload interleaved\n", command)
	fmt.Fprintf(w, "(bank, X, bank, Y, ...), so that each ratio compares runs minutes apart on the same node.\n")
	fmt.Fprintf(w, "CPU: %s, %d cores, **shared with other work while it ran** (absolute rates are noisy; read the ratios).\n", cpuModel(), cpuCount())
	if setting != "" {
		fmt.Fprintf(w, "Setting: %s.\n", setting)
	}
	fmt.Fprintf(w, "Counts are read back from the chain (`/block`, `/block_results`): tx/s is the run's code-0 txs in its full blocks (those\n")
	fmt.Fprintf(w, "holding its txs, less the first and the last, which the load only partly fills) per second from the commit of the\n")
	fmt.Fprintf(w, "first busy block to that of the last full one (header times); latency is from `broadcast_tx_sync` to the moment the new\n")
	fmt.Fprintf(w, "height was seen; node CPU is the node process's user+system time over the run divided by its code-0 txs (the load\n")
	fmt.Fprintf(w, "generator runs on the same cores); load is the machine's 1-minute load average when the run's txs had committed.\n\n")
	fmt.Fprintf(w, "| # | workload | committed tx/s | full blocks | vs bank (neighbours) | p50 / p90 / p99 ms | broadcast p99 ms | gas/tx | node CPU ms/tx | ok / sent | failed | load |\n")
	fmt.Fprintf(w, "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	var bank, bankCPU []float64
	for i, r := range recs {
		ratio := "1.00× (baseline)"
		if r.Workload != "bank" {
			ratio = "— (no bank run beside it)"
			if x := bankRatio(recs, i); x > 0 {
				ratio = fmt.Sprintf("%.2f×", x)
			}
		} else {
			bank, bankCPU = append(bank, r.TPS), append(bankCPU, r.NodeCPUPerTx)
		}
		load1, _, _ := strings.Cut(r.LoadAvg, " ")
		fmt.Fprintf(w, "| %d | %s | %.0f | %d | %s | %.0f / %.0f / %.0f | %.0f | %.0f | %.2f | %d / %d | %d | %s |\n",
			i+1, r.Workload, r.TPS, r.FullBlocks, ratio, r.LatencyP50, r.LatencyP90, r.LatencyP99, r.RoundTripP99, r.GasPerTx, r.NodeCPUPerTx,
			r.OK, r.Sent, sum(r.Failed)+sum(r.Rejected)+r.Missing, load1)
	}
	if len(bank) > 0 {
		lo, hi, mean := bank[0], bank[0], 0.0
		for _, b := range bank {
			lo, hi, mean = min(lo, b), max(hi, b), mean+b/float64(len(bank))
		}
		cpu := 0.0
		for _, c := range bankCPU {
			cpu += c / float64(len(bankCPU))
		}
		fmt.Fprintf(w, "\nBank over the %d baseline runs: mean %.0f tx/s (%.0f–%.0f), node CPU mean %.2f ms/tx.\n", len(bank), mean, lo, hi, cpu)
	}
	writeRepeats(w, recs)
	fmt.Fprintf(w, "\n![committed txs per block over time, per workload](%s)\n\n![inclusion latency CDF per workload](%s)\n", blocksPNG, cdfPNG)
}

// writeRepeats writes, for each workload other than bank run more than
// once, its runs' ratios to their bank neighbours and their median: the
// figure to quote, which one run's noise moves least.
func writeRepeats(w io.Writer, recs []record) {
	var order []string
	ratios := map[string][]float64{}
	for i, r := range recs {
		x := bankRatio(recs, i)
		if r.Workload == "bank" || x == 0 {
			continue
		}
		if _, seen := ratios[r.Workload]; !seen {
			order = append(order, r.Workload)
		}
		ratios[r.Workload] = append(ratios[r.Workload], x)
	}
	for _, name := range order {
		xs := ratios[name]
		if len(xs) < 2 {
			continue
		}
		each := make([]string, len(xs))
		for i, x := range xs {
			each[i] = fmt.Sprintf("%.2f", x)
		}
		fmt.Fprintf(w, "%s against its bank neighbours over its %d runs: %s×, median %.2f×.\n", name, len(xs), strings.Join(each, ", "), median(xs))
	}
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// replaceSection puts section between the markers in path, appending the
// markers at the end of the file the first time.
func replaceSection(path, section string) error {
	old, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	s := string(old)
	block := beginMarker + "\n" + section + endMarker
	b, e := strings.Index(s, beginMarker), strings.Index(s, endMarker)
	switch {
	case b >= 0 && e > b:
		s = s[:b] + block + s[e+len(endMarker):]
	case b < 0 && e < 0:
		s = strings.TrimRight(s, "\n") + "\n\n" + block + "\n"
	default:
		return fmt.Errorf("%s: unbalanced streamload markers", path)
	}
	return os.WriteFile(path, []byte(s), 0o644)
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}
