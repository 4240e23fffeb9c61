#!/usr/bin/env bash
# ab.sh ROUNDS VARIANT... : interleaved A/B of node settings with
# `make bench-chain`. Each VARIANT is "label|node environment|transport",
# e.g. "cache-off|STREAMD_STREAMCHAIN_SIG_VERIFY_CACHE_SIZE=0|ws". Every
# round runs every variant once, in order (a fresh devnet each time, then
# BENCH_WORKLOADS, default two bank runs), so a drift in the machine's load
# spreads over all variants. Prints, per variant, the mean node CPU per
# committed tx and the mean committed tx/s over its runs; the JSON lines
# stay in $AB_DIR (build/ab). Other BENCH_* variables (ports, accounts,
# txs) pass through to make.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
AB_DIR=${AB_DIR:-$ROOT/build/ab}
rounds=$1
shift
mkdir -p "$AB_DIR"
# One build for every run: editing the tree meanwhile changes nothing.
make -C "$ROOT" --no-print-directory build >/dev/null
export BENCH_BUILD=0
for r in $(seq "$rounds"); do
	for v in "$@"; do
		IFS='|' read -r label env transport <<<"$v"
		echo "ab: round $r: $label (load average $(cut -d' ' -f1-3 /proc/loadavg))" >&2
		make -C "$ROOT" --no-print-directory bench-chain BENCH_MD= \
			BENCH_WORKLOADS="${BENCH_WORKLOADS:-bank,bank}" BENCH_TXS="${BENCH_TXS:-25}" \
			BENCH_NODE_ENV="$env" BENCH_TRANSPORT="${transport:-ws}" \
			BENCH_OUT="$AB_DIR/$label-$r.jsonl" >"$AB_DIR/$label-$r.log" 2>&1
	done
done
printf '%-24s %6s %14s %10s\n' variant runs "node CPU ms/tx" "tx/s"
for v in "$@"; do
	label=${v%%|*}
	find "$AB_DIR" -name "$label-*.jsonl" ! -name '*-queries.jsonl' -exec cat {} + | jq -rs --arg l "$label" \
		'"\($l) \(length) \(map(.node_cpu_per_tx_ms) | add / length) \(map(.tps) | add / length)"' |
		awk '{printf "%-24s %6d %14.3f %10.0f\n", $1, $2, $3, $4}'
done
