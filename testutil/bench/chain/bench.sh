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
#   BENCH_WARMUP      bank txs per account sent unmeasured before the first
#                     run, so that it does not pay alone for a fresh node (10)
#   BENCH_WORKLOADS   comma-separated runs, in order
#   BENCH_OUT         JSON lines of the runs              (build/bench-chain.jsonl)
#   BENCH_MD          markdown file to rewrite ("" = none) (BENCHMARKS.md)
#   BENCH_PLOTS       directory of the PNG plots          (testutil/bench/chain)
#   BENCH_NODE_ENV    extra environment for the node, e.g. "GOGC=200"
#   BENCH_TIMEOUT     bound on the load runs              (20m)
#   BENCH_BUILD=0     use build/bin as it is (A/B runs: ab.sh builds once)
#   BENCH_TRANSPORT   streamload -transport: ws or http   (ws)
#   BENCH_RATE        streamload -rate: cap on total tx/s (0: none)
#   BENCH_STATE       "profiles,streams,follows": start from a genesis holding that
#                     x/streaming state (streamload state), e.g. 100000,100000,10
#                     for 1M subscriptions and 100k streams
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
BENCH_WARMUP=${BENCH_WARMUP:-10}
BENCH_WORKLOADS=${BENCH_WORKLOADS:-bank,edit-profile,bank,new-stream,bank,edit-stream,bank,subscribe,bank,unsubscribe,bank,delete-stream,bank,mix,bank}
BENCH_OUT=${BENCH_OUT:-$ROOT/build/bench-chain.jsonl}
BENCH_MD=${BENCH_MD-$ROOT/BENCHMARKS.md}
BENCH_PLOTS=${BENCH_PLOTS:-$ROOT/testutil/bench/chain}
BENCH_NODE_ENV=${BENCH_NODE_ENV:-}
BENCH_TIMEOUT=${BENCH_TIMEOUT:-20m}
BENCH_STATE=${BENCH_STATE:-}
BENCH_TRANSPORT=${BENCH_TRANSPORT:-ws}
BENCH_RATE=${BENCH_RATE:-0}

RPC=http://127.0.0.1:$BENCH_RPC_PORT
LOG=$BENCH_HOME.log
node_pid=""

stop_node() {
	[[ -n $node_pid ]] || return 0
	kill -INT "$node_pid" 2>/dev/null || true
	for _ in $(seq 600); do
		kill -0 "$node_pid" 2>/dev/null || break
		sleep 0.1
	done
	node_pid=""
}
trap stop_node EXIT

# The node's environment may choose build tags (BUILD_TAGS=...): the devnet
# builds with it, so build with it here too.
# shellcheck disable=SC2086
[[ ${BENCH_BUILD:-1} == 0 ]] || env $BENCH_NODE_ENV make -C "$ROOT" --no-print-directory build >/dev/null

# start_node [RESUME]: the devnet in the background, until its RPC answers
# with height 3; sets node_pid.
start_node() {
	local resume=${1:-0}
	echo "bench-chain: starting the devnet in $BENCH_HOME (resume=$resume, log $LOG)"
	# shellcheck disable=SC2086 # BENCH_NODE_ENV is a list of VAR=value words
	env $BENCH_NODE_ENV DEVNET_HOME="$BENCH_HOME" RPC_PORT=$BENCH_RPC_PORT P2P_PORT=$BENCH_P2P_PORT \
		ABCI_PORT=$BENCH_ABCI_PORT GRPC_PORT=$BENCH_GRPC_PORT API_PORT=$BENCH_API_PORT SIGNALING=0 \
		BLOCK_TIME=$BENCH_BLOCK_TIME LOAD_ACCOUNTS=$BENCH_ACCOUNTS RESUME=$resume BUILD=${BENCH_BUILD:-1} \
		setsid "$ROOT/testutil/devnet/devnet.sh" >"$LOG" 2>&1 &
	# A genesis with millions of entries takes minutes to import.
	for _ in $(seq 3000); do
		node_pid=$(pgrep -f "^$ROOT/build/bin/streamd start --home $BENCH_HOME( |\$)" || true)
		# Height 3: block 1 commits the whole genesis state, which for a
		# large store keeps the node busy long after it is reported.
		if [[ -n $node_pid ]] && curl -fs -m 5 "$RPC/status" | grep -Eq '"latest_block_height":"([3-9]|[1-9][0-9]+)"'; then
			return 0
		fi
		if grep -q "devnet: node stopped\|^devnet: .*fail\|in use" "$LOG"; then
			cat "$LOG" >&2
			exit 1
		fi
		sleep 0.2
	done
	echo "bench-chain: the devnet did not start" >&2
	tail -20 "$LOG" >&2
	exit 1
}

start_node 0
if [[ -n $BENCH_STATE ]]; then
	# A large store: the fresh chain's genesis gains the generated
	# x/streaming state, and the chain restarts from it.
	stop_node
	IFS=, read -r profiles streams follows <<<"$BENCH_STATE"
	"$ROOT/build/bin/streamload" state -genesis "$BENCH_HOME/config/genesis.json" \
		-profiles "$profiles" -streams "$streams" -follows "$follows"
	"$ROOT/build/bin/streamd" comet unsafe-reset-all --home "$BENCH_HOME" >/dev/null 2>&1
	start_node 1
fi

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
echo "bench-chain: node pid $node_pid; load: $BENCH_ACCOUNTS accounts x $BENCH_TXS txs per run: $BENCH_WORKLOADS"
"$ROOT/build/bin/streamload" run -node "$RPC" -accounts "$BENCH_ACCOUNTS" -txs "$BENCH_TXS" -warmup "$BENCH_WARMUP" \
	-workload "$BENCH_WORKLOADS" -node-pid "$node_pid" -timeout "$BENCH_TIMEOUT" \
	-transport "$BENCH_TRANSPORT" -rate "$BENCH_RATE" >"$BENCH_OUT"
# REST latency of the queries clients read most, against the same store.
QUERIES_OUT=${BENCH_OUT%.jsonl}-queries.jsonl
# A failure here must not lose the runs' report.
"$ROOT/build/bin/streamload" queries -api "http://127.0.0.1:$BENCH_API_PORT" -n 200 \
	-profiles "$(cut -d, -f1 <<<"${BENCH_STATE:-100000}")" >"$QUERIES_OUT" ||
	echo "bench-chain: the REST queries failed (the runs are reported anyway)" >&2
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
stop_node
echo "bench-chain: runs in $BENCH_OUT, query latencies in $QUERIES_OUT"

if [[ -n $BENCH_MD ]]; then
	setting="timeout_commit $BENCH_BLOCK_TIME, initial x/streaming state (profiles,streams,follows): ${BENCH_STATE:-empty}, $BENCH_ACCOUNTS accounts × $BENCH_TXS txs per run after $BENCH_WARMUP unmeasured warm-up bank txs per account, node env: ${BENCH_NODE_ENV:-none}, broadcast over $BENCH_TRANSPORT$( [[ $BENCH_RATE == 0 ]] || echo ", at most $BENCH_RATE tx/s"), settings as \`streamd init\` and the devnet write them; the machine's load average (1, 5, 15 min) was $load_before before the runs and $load_after after them"
	"$ROOT/build/bin/streamload" report -in "$BENCH_OUT" -md "$BENCH_MD" -plots "$BENCH_PLOTS" -setting "$setting"
	cp "$BENCH_OUT" "$BENCH_PLOTS/runs.jsonl"
	echo "bench-chain: wrote $BENCH_MD and plots in $BENCH_PLOTS"
fi
