#!/usr/bin/env bash
# make bench-chain: a fresh one-validator devnet on its own ports, bank and
# each streaming workload interleaved by streamload, then the
# chain-throughput section of BENCHMARKS.md and its plots. Settings
# (environment, set by the Makefile's BENCH_* variables):
#   BENCH_HOME        node home, wiped first              (build/bench-chain)
#   BENCH_*_PORT      RPC, P2P, ABCI, GRPC, API ports     (36657, 36656, 36658, 39090, 31317)
#   BENCH_BLOCK_TIME  timeout_commit                      (1s)
#   BENCH_ACCOUNTS    load accounts, one sender each      (200)
#   BENCH_TXS         txs per account per run             (50)
#   BENCH_WORKLOADS   comma-separated runs, in order
#   BENCH_OUT         JSON lines of the runs              (build/bench-chain.jsonl)
#   BENCH_MD          markdown file to rewrite ("" = none) (BENCHMARKS.md)
#   BENCH_PLOTS       directory of the PNG plots          (testutil/bench/chain)
#   BENCH_NODE_ENV    extra environment for the node, e.g. "GOGC=200"
#   BENCH_TIMEOUT     bound on the load runs              (20m)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
BENCH_HOME=${BENCH_HOME:-$ROOT/build/bench-chain}
BENCH_RPC_PORT=${BENCH_RPC_PORT:-36657}
BENCH_P2P_PORT=${BENCH_P2P_PORT:-36656}
BENCH_ABCI_PORT=${BENCH_ABCI_PORT:-36658}
BENCH_GRPC_PORT=${BENCH_GRPC_PORT:-39090}
BENCH_API_PORT=${BENCH_API_PORT:-31317}
BENCH_BLOCK_TIME=${BENCH_BLOCK_TIME:-1s}
BENCH_ACCOUNTS=${BENCH_ACCOUNTS:-200}
BENCH_TXS=${BENCH_TXS:-50}
BENCH_WORKLOADS=${BENCH_WORKLOADS:-bank,edit-profile,bank,new-stream,bank,edit-stream,bank,subscribe,bank,unsubscribe,bank,delete-stream,bank,mix,bank}
BENCH_OUT=${BENCH_OUT:-$ROOT/build/bench-chain.jsonl}
BENCH_MD=${BENCH_MD-$ROOT/BENCHMARKS.md}
BENCH_PLOTS=${BENCH_PLOTS:-$ROOT/testutil/bench/chain}
BENCH_NODE_ENV=${BENCH_NODE_ENV:-}
BENCH_TIMEOUT=${BENCH_TIMEOUT:-20m}

RPC=http://127.0.0.1:$BENCH_RPC_PORT
LOG=$BENCH_HOME.log
node_pid=""

stop_node() {
	[[ -n $node_pid ]] || return 0
	kill -INT "$node_pid" 2>/dev/null || true
	for _ in $(seq 100); do
		kill -0 "$node_pid" 2>/dev/null || break
		sleep 0.1
	done
	node_pid=""
}
trap stop_node EXIT

make -C "$ROOT" --no-print-directory build >/dev/null

echo "bench-chain: starting a fresh devnet in $BENCH_HOME (log $LOG)"
# shellcheck disable=SC2086 # BENCH_NODE_ENV is a list of VAR=value words
env $BENCH_NODE_ENV DEVNET_HOME="$BENCH_HOME" RPC_PORT=$BENCH_RPC_PORT P2P_PORT=$BENCH_P2P_PORT \
	ABCI_PORT=$BENCH_ABCI_PORT GRPC_PORT=$BENCH_GRPC_PORT API_PORT=$BENCH_API_PORT SIGNALING=0 \
	BLOCK_TIME=$BENCH_BLOCK_TIME LOAD_ACCOUNTS=$BENCH_ACCOUNTS \
	setsid "$ROOT/testutil/devnet/devnet.sh" >"$LOG" 2>&1 &

for _ in $(seq 600); do
	node_pid=$(pgrep -f "^$ROOT/build/bin/streamd start --home $BENCH_HOME( |\$)" || true)
	if [[ -n $node_pid ]] && curl -fs "$RPC/status" | grep -q '"latest_block_height":"[1-9]'; then
		break
	fi
	grep -q "devnet: node stopped\|^devnet: .*fail\|in use" "$LOG" && { cat "$LOG" >&2; exit 1; }
	sleep 0.2
done
[[ -n $node_pid ]] || { echo "bench-chain: the devnet did not start" >&2; tail -20 "$LOG" >&2; exit 1; }

echo "bench-chain: node pid $node_pid; load: $BENCH_ACCOUNTS accounts x $BENCH_TXS txs per run: $BENCH_WORKLOADS"
"$ROOT/build/bin/streamload" run -node "$RPC" -accounts "$BENCH_ACCOUNTS" -txs "$BENCH_TXS" \
	-workload "$BENCH_WORKLOADS" -node-pid "$node_pid" -timeout "$BENCH_TIMEOUT" >"$BENCH_OUT"
stop_node
echo "bench-chain: runs in $BENCH_OUT"

if [[ -n $BENCH_MD ]]; then
	setting="timeout_commit $BENCH_BLOCK_TIME, $BENCH_ACCOUNTS accounts × $BENCH_TXS txs per run, node env: ${BENCH_NODE_ENV:-none}, settings as \`streamd init\` and the devnet write them"
	"$ROOT/build/bin/streamload" report -in "$BENCH_OUT" -md "$BENCH_MD" -plots "$BENCH_PLOTS" -setting "$setting"
	echo "bench-chain: wrote $BENCH_MD and plots in $BENCH_PLOTS"
fi
