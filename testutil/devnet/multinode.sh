#!/usr/bin/env bash
# Runs a streamchain devnet of several validators, each its own streamd
# process on 127.0.0.1 (or DEVNET_HOST), in the foreground; Ctrl-C stops them all.
#
#   make devnet VALIDATORS=4          fresh chain: wipes $MULTINODE_HOME first
#   make devnet-resume VALIDATORS=4   continue the chain in $MULTINODE_HOME
#   multinode.sh init                 only create the homes (the fault tests
#                                     start and stop the nodes themselves)
#
# Every node has its own home ($MULTINODE_HOME/node<i>, with that validator's
# key in its test keyring; node0's keyring also holds the demo accounts alice,
# bob and carol) and its own ports: node i listens on BASE_PORT + 10*i + k,
# k = 0 RPC, 1 P2P, 2 gRPC, 3 REST, 4 ABCI. Each node lists the others as
# persistent peers. Settings (environment):
#   VALIDATORS      number of validators                 (default: 4)
#   MULTINODE_HOME  parent of the node homes             (default: build/devnet-multi)
#   BASE_PORT       first port, see above                (default: 26600)
#   CHAIN_ID        chain id of a fresh chain            (default: streamchain-devnet-1)
#   BLOCK_TIME      timeout_commit                       (default: 1s)
#   LOG_LEVEL       node log level                       (default: info)
#   SIGNALING_PORT  signalingd WebSocket/HTTP            (default: BASE_PORT + 90)
#   DEVNET_HOST     loopback address to listen on        (default: 127.0.0.1)
#   SIGNALING_ORIGINS, SIGNALING=0, RESUME=1: as in devnet.sh
#   SIGNALING_INSTANCES, REDIS_PORT: as in devnet.sh (Redis on DEVNET_HOST)
#   STREAMD, SIGNALINGD, BUILD=0: use these binaries instead of building
# The foreground shows node0's log; every node's log is in its home, node.log.
set -euo pipefail

# shellcheck source=testutil/devnet/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

VALIDATORS=${VALIDATORS:-4}
MULTINODE_HOME=${MULTINODE_HOME:-$ROOT/build/devnet-multi}
BASE_PORT=${BASE_PORT:-26600}
CHAIN_ID=${CHAIN_ID:-streamchain-devnet-1}
BLOCK_TIME=${BLOCK_TIME:-1s}
LOG_LEVEL=${LOG_LEVEL:-info}
RESUME=${RESUME:-0}
SIGNALING=${SIGNALING:-1}
SIGNALING_PORT=${SIGNALING_PORT:-$((BASE_PORT + 90))}
SIGNALING_ORIGINS=${SIGNALING_ORIGINS:-*}

[[ $VALIDATORS =~ ^[1-9]$ ]] || die "VALIDATORS must be 1 to 9 (got $VALIDATORS)"

home_of() { echo "$MULTINODE_HOME/node$1"; }
port_of() { echo $((BASE_PORT + 10 * $1 + $2)); }
rpc_port() { port_of "$1" 0; }
p2p_port() { port_of "$1" 1; }
grpc_port() { port_of "$1" 2; }
api_port() { port_of "$1" 3; }
abci_port() { port_of "$1" 4; }

# use_node sets the globals configure() (common.sh) reads to node $1's.
use_node() {
	DEVNET_HOME=$(home_of "$1")
	RPC_PORT=$(rpc_port "$1")
	P2P_PORT=$(p2p_port "$1")
	GRPC_PORT=$(grpc_port "$1")
	API_PORT=$(api_port "$1")
	ABCI_PORT=$(abci_port "$1")
}

# on_node I ARGS... runs streamd with node I's home and test keyring.
on_node() {
	local i=$1
	shift
	"$STREAMD" "$@" --keyring-backend test --home "$(home_of "$i")"
}

# Validator i's key is the devnet validator mnemonic at HD index i, so every
# validator address is fixed too; validator 0 is devnet.sh's validator.
init_chain() {
	echo "devnet: creating a fresh $VALIDATORS-validator chain in $MULTINODE_HOME"
	if [[ -d $MULTINODE_HOME && -n $(ls -A "$MULTINODE_HOME") && ! -f $MULTINODE_HOME/node0/config/genesis.json ]]; then
		die "$MULTINODE_HOME is not empty and not a multi-node devnet; refusing to wipe it"
	fi
	rm -rf "$MULTINODE_HOME"
	local i name out genesis=$MULTINODE_HOME/node0/config/genesis.json
	for ((i = 0; i < VALIDATORS; i++)); do
		"$STREAMD" init "devnet-validator-$i" --chain-id "$CHAIN_ID" --home "$(home_of "$i")" >/dev/null 2>&1 ||
			die "streamd init failed for node$i"
		out=$(echo "${MNEMONIC[validator]}" | on_node "$i" keys add validator --recover --index "$i" 2>&1) ||
			die "could not import the key of validator $i: $out"
		"$STREAMD" genesis add-genesis-account "$(on_node "$i" keys show validator -a)" "$VALIDATOR_BALANCE" \
			--home "$(home_of 0)" >/dev/null
	done
	for name in "${DEMO_ACCOUNTS[@]}"; do
		out=$(echo "${MNEMONIC[$name]}" | on_node 0 keys add "$name" --recover 2>&1) ||
			die "could not import key $name: $out"
		on_node 0 genesis add-genesis-account "$name" "$DEMO_BALANCE" >/dev/null
	done
	# Every validator signs its gentx against the same accounts; node0
	# collects them all.
	mkdir -p "$(home_of 0)/config/gentx"
	for ((i = 0; i < VALIDATORS; i++)); do
		((i == 0)) || cp "$genesis" "$(home_of "$i")/config/genesis.json"
		on_node "$i" genesis gentx validator "$VALIDATOR_STAKE" --chain-id "$CHAIN_ID" \
			--output-document "$(home_of 0)/config/gentx/gentx-$i.json" >/dev/null 2>&1 ||
			die "gentx failed for validator $i"
	done
	"$STREAMD" genesis collect-gentxs --home "$(home_of 0)" >/dev/null 2>&1 || die "collect-gentxs failed"
	"$STREAMD" genesis validate --home "$(home_of 0)" >/dev/null || die "the generated genesis is invalid"
	for ((i = 1; i < VALIDATORS; i++)); do
		cp "$genesis" "$(home_of "$i")/config/genesis.json"
	done
}

# configure_nodes applies the shared settings and the ones several nodes on
# one address need: CometBFT refuses a second peer from the same IP, and
# private (loopback) addresses in its address book, unless told otherwise.
configure_nodes() {
	local i j peers id
	local -a ids
	for ((i = 0; i < VALIDATORS; i++)); do
		ids[i]=$("$STREAMD" comet show-node-id --home "$(home_of "$i")")
	done
	for ((i = 0; i < VALIDATORS; i++)); do
		use_node "$i"
		configure
		peers=""
		for ((j = 0; j < VALIDATORS; j++)); do
			((j == i)) && continue
			id=${ids[j]}
			peers+="${peers:+,}$id@$DEVNET_HOST:$(p2p_port "$j")"
		done
		local cfg=$DEVNET_HOME/config/config.toml
		set_toml "$cfg" p2p persistent_peers "\"$peers\""
		set_toml "$cfg" p2p allow_duplicate_ip true
		set_toml "$cfg" p2p addr_book_strict false
		set_toml "$cfg" p2p pex false
	done
}

check_ports() {
	local i k
	for ((i = 0; i < VALIDATORS; i++)); do
		for k in 0 1 2 3 4; do
			port_in_use "$(port_of "$i" "$k")" &&
				die "port $(port_of "$i" "$k") on $DEVNET_HOST is in use (another devnet?); stop it or set BASE_PORT"
		done
	done
	if [[ $SIGNALING == 1 ]]; then
		for k in $(signaling_ports); do
			port_in_use "$k" && die "port $k on $DEVNET_HOST is in use; stop it or set SIGNALING_PORT/REDIS_PORT"
		done
	fi
	return 0
}

# height_of prints node $1's latest height, nothing while it cannot answer.
height_of() {
	local status
	status=$("$STREAMD" status --node "tcp://$DEVNET_HOST:$(rpc_port "$1")" 2>/dev/null) || return 0
	sed -n 's/.*"latest_block_height":"\([0-9]*\)".*/\1/p' <<<"$status"
}

# ---------------------------------------------------------------------------
# Processes. Everything started here is remembered in PIDS and stopped by
# stop_all, which runs on exit however the script ends (Ctrl-C, SIGTERM, an
# error, every node gone).
# ---------------------------------------------------------------------------
declare -A PIDS=()
# STOP_GRACE: after Ctrl-C the terminal has sent SIGINT to every process
# already; they get this long to finish before SIGTERM.
STOP_GRACE=0

stop_all() {
	local name
	trap - INT TERM HUP
	for name in "${!PIDS[@]}"; do
		[[ $name == redis ]] || stop_process "${PIDS[$name]}" "$STOP_GRACE"
	done
	# Redis last, once no signaling instance needs it.
	[[ -z ${PIDS[redis]:-} ]] || stop_process "${PIDS[redis]}"
	PIDS=()
}

start_nodes() {
	local i
	for ((i = 0; i < VALIDATORS; i++)); do
		"$STREAMD" start --home "$(home_of "$i")" --log_no_color --log_level "$LOG_LEVEL" \
			>>"$(home_of "$i")/node.log" 2>&1 &
		PIDS[node$i]=$!
	done
}

grpc_endpoints() {
	local i list=""
	for ((i = 0; i < VALIDATORS; i++)); do
		list+="${list:+,}$DEVNET_HOST:$(grpc_port "$i")"
	done
	echo "$list"
}

start_signaling() {
	[[ $SIGNALING == 1 ]] || return 0
	local i port
	if ((SIGNALING_INSTANCES > 1)); then
		start_redis "$MULTINODE_HOME"
		PIDS[redis]=$REDIS_PID
	fi
	for ((i = 0; i < SIGNALING_INSTANCES; i++)); do
		port=$(signaling_port_of "$i")
		shared_flags "$i"
		"$SIGNALINGD" \
			-listen "$DEVNET_HOST:$port" \
			-grpc "$(grpc_endpoints)" \
			-rpc "http://$DEVNET_HOST:$(rpc_port 0)" \
			-metrics-listen "$DEVNET_HOST:$((port + 1))" \
			-chain-id "$CHAIN_ID" \
			-allowed-origins "$SIGNALING_ORIGINS" \
			-public-origin "http://$DEVNET_HOST:$port" \
			-log-level "$LOG_LEVEL" "${SHARED_FLAGS[@]}" &
		PIDS[signalingd$i]=$!
	done
}

# show_log prints node0's log as it grows, without the devnet's noise lines.
show_log() {
	local line
	# --pid: tail ends with this script even when the log stops growing.
	tail -n 0 -F --pid $$ "$(home_of 0)/node.log" 2>/dev/null | while IFS= read -r line; do
		is_noise "$line" || printf 'node0| %s\n' "$line"
	done &
	PIDS[log]=$!
}

print_ready() {
	local height=$1 i name home
	home=$(home_of 0)
	[[ $home == "$ROOT"/* ]] && home=${home#"$ROOT"/}
	cat <<EOF

================================================================================
 streamchain devnet is up: $VALIDATORS validators, chain-id $CHAIN_ID, height $height
EOF
	for ((i = 0; i < VALIDATORS; i++)); do
		printf '   node%d  RPC http://%s:%d  gRPC %s:%d  REST http://%s:%d\n' "$i" \
			"$DEVNET_HOST" "$(rpc_port "$i")" "$DEVNET_HOST" "$(grpc_port "$i")" "$DEVNET_HOST" "$(api_port "$i")"
	done
	echo "   homes $MULTINODE_HOME/node<i> (keyring-backend test; logs in node<i>/node.log)"
	echo " Accounts in node0's keyring (10,000 STREAM each; the fee is 5000ustream):"
	for name in "${DEMO_ACCOUNTS[@]}"; do
		printf '   %-6s %s\n' "$name" "$(on_node 0 keys show "$name" -a)"
	done
	cat <<EOF

 Try it from $ROOT in another terminal:
   export PATH=\$PWD/build/bin:\$PATH
   streamd tx streaming edit-profile Alice --from alice --home $home --keyring-backend test --fees 5000$DENOM -y | streamd q wait-tx --home $home
   streamd q block --home $home --node tcp://$DEVNET_HOST:$(rpc_port $((VALIDATORS - 1)))   # any node answers
EOF
	if [[ $SIGNALING == 1 ]] && ((SIGNALING_INSTANCES == 1)); then
		cat <<EOF
 Signaling daemon against every node's gRPC ($(grpc_endpoints)):
   WebSocket  ws://$DEVNET_HOST:$SIGNALING_PORT/ws   health http://$DEVNET_HOST:$SIGNALING_PORT/healthz
EOF
	elif [[ $SIGNALING == 1 ]]; then
		echo " $SIGNALING_INSTANCES signaling instances against every node's gRPC ($(grpc_endpoints)), sharing redis://$DEVNET_HOST:$REDIS_PORT/0:"
		for ((i = 0; i < SIGNALING_INSTANCES; i++)); do
			printf '   sig%d  WebSocket ws://%s:%d/ws   health http://%s:%d/healthz\n' $((i + 1)) \
				"$DEVNET_HOST" "$(signaling_port_of "$i")" "$DEVNET_HOST" "$(signaling_port_of "$i")"
		done
	fi
	cat <<EOF

 Ctrl-C stops every node; \`$(resume_command)\` continues this chain.
================================================================================

EOF
}

resume_command() {
	if [[ $MULTINODE_HOME == "$ROOT/build/devnet-multi" ]]; then
		echo "make devnet-resume VALIDATORS=$VALIDATORS"
	else
		echo "RESUME=1 MULTINODE_HOME=$MULTINODE_HOME make devnet VALIDATORS=$VALIDATORS"
	fi
}

# wait_nodes returns when every node has exited, saying so for each; the
# others go on while one is down (it can be restarted by hand with the
# command printed).
wait_nodes() {
	local i status pid alive
	while :; do
		alive=0
		for ((i = 0; i < VALIDATORS; i++)); do
			pid=${PIDS[node$i]:-}
			[[ -n $pid ]] || continue
			if kill -0 "$pid" 2>/dev/null; then
				alive=1
				continue
			fi
			status=0
			wait "$pid" 2>/dev/null || status=$?
			unset "PIDS[node$i]"
			echo "devnet: node$i stopped (exit status $status); restart it with:"
			echo "  $STREAMD start --home $(home_of "$i") --log_no_color >>$(home_of "$i")/node.log 2>&1"
		done
		((alive)) || return 0
		# wait -n returns at the next exit of any child (or a signal).
		wait -n 2>/dev/null || true
	done
}

main() {
	local mode=${1:-run}
	[[ $mode == run || $mode == init ]] || die "usage: multinode.sh [init]"
	build
	check_ports
	if [[ $RESUME == 1 ]]; then
		[[ -f $(home_of 0)/config/genesis.json ]] ||
			die "nothing to resume in $MULTINODE_HOME: run \`make devnet VALIDATORS=$VALIDATORS\` first"
		echo "devnet: resuming the chain in $MULTINODE_HOME"
	else
		init_chain
	fi
	configure_nodes
	[[ $mode == run ]] || return 0

	trap stop_all EXIT
	trap 'STOP_GRACE=10; exit 130' INT
	trap 'exit 143' TERM HUP
	echo "devnet: starting $VALIDATORS nodes (Ctrl-C stops them)"
	start_nodes
	show_log
	local height="" deadline=$((SECONDS + 120))
	until [[ -n $height && $height -ge 1 ]]; do
		((SECONDS < deadline)) || die "no block within 120 s; see $MULTINODE_HOME/node*/node.log"
		sleep 0.5
		height=$(height_of 0)
	done
	print_ready "$height"
	start_signaling
	wait_nodes
	echo "devnet: every node has stopped; \`$(resume_command)\` continues this chain"
}

main "$@"
