#!/usr/bin/env bash
# Runs a one-validator streamchain devnet in the foreground; Ctrl-C stops it.
#
#   make devnet          fresh chain: wipes $DEVNET_HOME first
#   make devnet-resume   (or RESUME=1 make devnet) continue the chain in $DEVNET_HOME
#
# Everything listens on 127.0.0.1 only. Settings (environment):
#   DEVNET_HOME  node and keyring home             (default: build/devnet)
#   CHAIN_ID     chain id of a fresh chain         (default: streamchain-devnet-1)
#   RPC_PORT     CometBFT RPC                      (default: 26657)
#   GRPC_PORT    gRPC                              (default: 9090)
#   API_PORT     REST (gRPC gateway) and gRPC-web  (default: 1317)
#   P2P_PORT     CometBFT P2P                      (default: 26656)
#   ABCI_PORT    CometBFT <-> app socket           (default: 26658)
#   BLOCK_TIME   timeout_commit                    (default: 1s)
#   LOG_LEVEL    node log level                    (default: info)
#   SIGNALING_PORT    signalingd WebSocket/HTTP       (default: 8090)
#   SIGNALING_ORIGINS browser origins signalingd accepts (default: * = any,
#                     fine on a loopback devnet; name your web app's origin elsewhere)
#   SIGNALING=0       do not start signalingd
#   SIGNALING_INSTANCES=N  run N signalingd instances sharing their sessions
#                     through a redis-server (default 1: one instance, no Redis);
#                     instance i on SIGNALING_PORT + 10*i (metrics on the next port)
#   REDIS_PORT        that redis-server's port (default 6379; data in DEVNET_HOME/redis)
#   JANUS=1|2|0       start one Janus (VideoRoom SFU), two, or none, when Debian's
#                     janus is installed and the script runs as root (default 1;
#                     see start_janus: each runs in its own network namespace)
#   JANUS_PORT        each Janus's API WebSocket port (admin API: the next port)
#                     inside its namespace (default 32188)
#   TURN=1|0          start a TURN relay (Debian's coturn) for the web app's
#                     viewers, when turnserver is installed (default 1): signalingd
#                     mints its credentials (see start_turn)
#   TURN_PORT         its UDP/TCP port on 127.0.0.1 (default 3478); relayed
#                     addresses on ports TURN_RELAY_PORTS (default 49160-49999)
#   LOAD_ACCOUNTS=N   also fund N deterministic streamload accounts (seed
#                     LOAD_SEED, default streamload) in a fresh genesis
#   STREAMD, SIGNALINGD, BUILD=0  use these binaries instead of building
# signalingd also serves the web app at http://127.0.0.1:$SIGNALING_PORT/ and,
# on this devnet only, offers alice, bob and carol as a built-in wallet.
set -euo pipefail

# shellcheck source=testutil/devnet/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
DEVNET_HOST=127.0.0.1

DEVNET_HOME=${DEVNET_HOME:-$ROOT/build/devnet}
CHAIN_ID=${CHAIN_ID:-streamchain-devnet-1}
RPC_PORT=${RPC_PORT:-26657}
GRPC_PORT=${GRPC_PORT:-9090}
API_PORT=${API_PORT:-1317}
P2P_PORT=${P2P_PORT:-26656}
ABCI_PORT=${ABCI_PORT:-26658}
BLOCK_TIME=${BLOCK_TIME:-1s}
LOG_LEVEL=${LOG_LEVEL:-info}
RESUME=${RESUME:-0}
SIGNALING=${SIGNALING:-1}
SIGNALING_PORT=${SIGNALING_PORT:-8090}
SIGNALING_ORIGINS=${SIGNALING_ORIGINS:-*}
LOAD_ACCOUNTS=${LOAD_ACCOUNTS:-0}
JANUS=${JANUS:-1}
JANUS_PORT=${JANUS_PORT:-32188}
[[ $JANUS =~ ^[012]$ ]] || die "JANUS must be 0, 1 or 2 (got $JANUS)"
LOAD_SEED=${LOAD_SEED:-streamload}
TURN=${TURN:-1}
TURN_PORT=${TURN_PORT:-3478}
TURN_RELAY_PORTS=${TURN_RELAY_PORTS:-49160-49999}
[[ $TURN =~ ^[01]$ ]] || die "TURN must be 0 or 1 (got $TURN)"
[[ $TURN_RELAY_PORTS =~ ^[0-9]+-[0-9]+$ ]] || die "TURN_RELAY_PORTS must be LOW-HIGH (got $TURN_RELAY_PORTS)"

KEYRING=(--keyring-backend test --home "$DEVNET_HOME")

init_chain() {
	echo "devnet: creating a fresh chain in $DEVNET_HOME"
	# Wipe only what looks like a node home, never e.g. DEVNET_HOME=$HOME.
	if [[ -d $DEVNET_HOME && -n $(ls -A "$DEVNET_HOME") && ! -f $DEVNET_HOME/config/genesis.json ]]; then
		die "$DEVNET_HOME is not empty and not a node home; refusing to wipe it"
	fi
	rm -rf "$DEVNET_HOME"
	"$STREAMD" init devnet-validator --chain-id "$CHAIN_ID" --home "$DEVNET_HOME" >/dev/null 2>&1 ||
		die "streamd init failed"

	local name out
	for name in validator "${DEMO_ACCOUNTS[@]}"; do
		out=$(echo "${MNEMONIC[$name]}" | "$STREAMD" keys add "$name" --recover "${KEYRING[@]}" 2>&1) ||
			die "could not import key $name: $out"
	done

	"$STREAMD" genesis add-genesis-account validator "$VALIDATOR_BALANCE" "${KEYRING[@]}" >/dev/null
	for name in "${DEMO_ACCOUNTS[@]}"; do
		"$STREAMD" genesis add-genesis-account "$name" "$DEMO_BALANCE" "${KEYRING[@]}" >/dev/null
	done
	fund_load_accounts
	"$STREAMD" genesis gentx validator "$VALIDATOR_STAKE" --chain-id "$CHAIN_ID" "${KEYRING[@]}" >/dev/null 2>&1 ||
		die "gentx failed"
	"$STREAMD" genesis collect-gentxs --home "$DEVNET_HOME" >/dev/null 2>&1 || die "collect-gentxs failed"
	"$STREAMD" genesis validate --home "$DEVNET_HOME" >/dev/null || die "the generated genesis is invalid"
}

# fund_load_accounts adds LOAD_ACCOUNTS accounts derived by streamload from
# LOAD_SEED to the genesis, each with 1,000,000 STREAM (cmd/streamload).
fund_load_accounts() {
	[[ $LOAD_ACCOUNTS -gt 0 ]] || return 0
	local file=$DEVNET_HOME/load-accounts.json
	"$ROOT/build/bin/streamload" accounts -n "$LOAD_ACCOUNTS" -seed "$LOAD_SEED" >"$file" ||
		die "streamload accounts failed"
	"$STREAMD" genesis bulk-add-genesis-account "$file" --home "$DEVNET_HOME" >/dev/null ||
		die "could not add the load accounts"
	echo "devnet: funded $LOAD_ACCOUNTS load accounts (seed $LOAD_SEED)"
}

check_ports() {
	local port
	local ports=("$RPC_PORT" "$GRPC_PORT" "$API_PORT" "$P2P_PORT" "$ABCI_PORT")
	if [[ $SIGNALING == 1 ]]; then
		[[ $TURN == 1 ]] && ports+=("$TURN_PORT")
		if ((SIGNALING_INSTANCES == 1)); then
			ports+=("$SIGNALING_PORT")
		else
			# shellcheck disable=SC2207
			ports+=($(signaling_ports))
		fi
	fi
	for port in "${ports[@]}"; do
		if port_in_use "$port"; then
			die "port $port on 127.0.0.1 is in use (another devnet?); stop it or set RPC_PORT/GRPC_PORT/API_PORT/P2P_PORT/ABCI_PORT/SIGNALING_PORT/REDIS_PORT"
		fi
	done
}

address() {
	"$STREAMD" keys show "$1" -a "${KEYRING[@]}"
}

print_ready() {
	local height=$1 alice start end home=$DEVNET_HOME
	alice=$(address alice)
	# A few minutes ahead, so the stream is still upcoming when you look.
	start=$(date -u -d '+5 minutes' +%Y-%m-%dT%H:%M:00Z)
	end=$(date -u -d '+65 minutes' +%Y-%m-%dT%H:%M:00Z)
	[[ $home == "$ROOT"/* ]] && home=${home#"$ROOT"/}

	cat <<EOF

================================================================================
 streamchain devnet is up: chain-id $(chain_id), height $height
   RPC   http://127.0.0.1:$RPC_PORT
   gRPC  127.0.0.1:$GRPC_PORT
   REST  http://127.0.0.1:$API_PORT
   home  $DEVNET_HOME  (keyring-backend test)
 Accounts (10,000 STREAM each; the fee is 5000ustream at the default 200000 gas):
EOF
	local name
	for name in "${DEMO_ACCOUNTS[@]}"; do
		printf '   %-6s %s\n' "$name" "$(address "$name")"
	done
	cat <<EOF

 Try it from $ROOT in another terminal:
   export PATH=\$PWD/build/bin:\$PATH
   TX="--home $home --keyring-backend test --fees 5000$DENOM -y"
   streamd tx streaming edit-profile Alice --from alice \$TX | streamd q wait-tx --home $home
   streamd tx streaming edit-profile Bob --from bob \$TX | streamd q wait-tx --home $home
   streamd tx streaming new-stream "My first stream" $start $end --from alice \$TX | streamd q wait-tx --home $home
   streamd tx streaming subscribe $alice --from bob \$TX | streamd q wait-tx --home $home
   streamd q streaming streams --status upcoming --home $home

 Ctrl-C stops the node; \`$(resume_command)\` continues this chain.
================================================================================

EOF
}

resume_command() {
	if [[ $DEVNET_HOME == "$ROOT/build/devnet" ]]; then
		echo "make devnet-resume"
	else
		echo "RESUME=1 DEVNET_HOME=$DEVNET_HOME make devnet"
	fi
}

chain_id() {
	sed -n 's/^chain-id = "\(.*\)"$/\1/p' "$DEVNET_HOME/config/client.toml"
}

# ---------------------------------------------------------------------------
# Signaling daemon hook.
# start_signaling runs once the chain has committed its first block: it
# starts signalingd against this devnet's gRPC endpoint in the background.
# It is called from watch_log, which ignores SIGINT, so the daemon gets
# SIGINT back; it shares the node's process group, so Ctrl-C stops both (the
# daemon drains its connections with a close reason).
# ---------------------------------------------------------------------------
start_signaling() {
	[[ $SIGNALING == 1 ]] || return 0
	# The web app's built-in wallet: the demo keys, which are public anyway.
	local wallet=$DEVNET_HOME/devnet-wallet.json name sep=""
	{
		printf '['
		for name in "${DEMO_ACCOUNTS[@]}"; do
			printf '%s{"name":"%s","mnemonic":"%s"}' "$sep" "$name" "${MNEMONIC[$name]}"
			sep=,
		done
		printf ']\n'
	} >"$wallet"
	if ((SIGNALING_INSTANCES > 1)); then
		start_redis "$DEVNET_HOME"
	fi
	start_turn
	local i
	SIGNALING_PIDS=()
	for ((i = 0; i < SIGNALING_INSTANCES; i++)); do
		start_signaling_instance "$i" "$wallet"
	done
	if ((SIGNALING_INSTANCES > 1)); then
		print_instances
		return 0
	fi
	cat <<EOF
 Web app    http://127.0.0.1:$SIGNALING_PORT/   <- open this in a browser
            (devnet wallet: alice, bob, carol; their keys are public)
 Signaling daemon (protocol: signaling/PROTOCOL.md), against gRPC 127.0.0.1:$GRPC_PORT
   WebSocket  ws://127.0.0.1:$SIGNALING_PORT/ws
   health     http://127.0.0.1:$SIGNALING_PORT/healthz
   metrics    http://127.0.0.1:$((SIGNALING_PORT + 1))/metrics   (and detailed /healthz)
================================================================================
EOF
}

# start_signaling_instance I WALLET starts instance I (see common.sh) in the
# background. It is called from watch_log, which ignores SIGINT: the
# subshell gives the daemon SIGINT back before exec.
start_signaling_instance() {
	local port
	port=$(signaling_port_of "$1")
	shared_flags "$1"
	(
		trap - INT
		exec "$SIGNALINGD" \
			-listen "127.0.0.1:$port" \
			-grpc "127.0.0.1:$GRPC_PORT" \
			-rpc "http://127.0.0.1:$RPC_PORT" \
			-metrics-listen "127.0.0.1:$((port + 1))" \
			-chain-id "$(chain_id)" \
			-allowed-origins "$SIGNALING_ORIGINS" \
			-public-origin "http://127.0.0.1:$port" \
			-public-rpc "http://127.0.0.1:$RPC_PORT" \
			-public-rest "http://127.0.0.1:$API_PORT" \
			-devnet-wallet "$2" \
			-log-level "$LOG_LEVEL" "${SHARED_FLAGS[@]}" "${TURN_FLAGS[@]}"
	) &
	SIGNALING_PIDS+=($!)
}

# print_instances is start_signaling's banner for several instances.
print_instances() {
	local i port
	cat <<EOF
 $SIGNALING_INSTANCES signaling instances sharing their sessions through redis://127.0.0.1:$REDIS_PORT/0
 (protocol: signaling/PROTOCOL.md; a plain WebSocket proxy may front them, see README):
EOF
	for ((i = 0; i < SIGNALING_INSTANCES; i++)); do
		port=$(signaling_port_of "$i")
		printf '   sig%d  web app http://127.0.0.1:%d/   ws://127.0.0.1:%d/ws   metrics http://127.0.0.1:%d/metrics\n' \
			$((i + 1)) "$port" "$port" $((port + 1))
	done
	cat <<EOF
 Open any web app URL (devnet wallet: alice, bob, carol; their keys are public).
 Live instances: http://127.0.0.1:$SIGNALING_PORT/instances.json
================================================================================
EOF
}

# ---------------------------------------------------------------------------
# TURN relay hook.
# start_turn runs Debian's coturn on 127.0.0.1:$TURN_PORT from a
# configuration testutil/coturn/coturnconf generates in $DEVNET_HOME/turn:
# the TURN REST API's shared secret (use-auth-secret; signalingd reads the
# same secret from $DEVNET_HOME/turn/secret and mints per-connection
# credentials, -turn-urls/-turn-secret-file), relayed addresses on
# 127.0.0.1 only (allow-loopback-peers: the devnet's browsers are on this
# machine), no TLS, no CLI. It sets TURN_FLAGS for signalingd; without
# turnserver the daemon hands out no TURN server and peers connect over
# host candidates, as they do on one machine anyway.
# ---------------------------------------------------------------------------
TURN_FLAGS=()
TURN_PID=

start_turn() {
	[[ $TURN == 1 ]] || return 0
	if ! command -v turnserver >/dev/null; then
		echo " TURN relay: not installed (apt-get install coturn), not started"
		return 0
	fi
	local dir=$DEVNET_HOME/turn i
	rm -rf "$dir"
	go build -o "$DEVNET_HOME/coturnconf" "$ROOT/testutil/coturn/coturnconf" || die "building coturnconf failed"
	"$DEVNET_HOME/coturnconf" -dir "$dir" -listen "$DEVNET_HOST" -port "$TURN_PORT" \
		-min-port "${TURN_RELAY_PORTS%-*}" -max-port "${TURN_RELAY_PORTS#*-}" -allow-loopback-peers >/dev/null ||
		die "coturnconf failed"
	(
		trap - INT
		exec turnserver -c "$dir/turnserver.conf" >/dev/null 2>&1
	) &
	TURN_PID=$!
	for ((i = 0; i < 100; i++)); do
		(exec 3<>"/dev/tcp/$DEVNET_HOST/$TURN_PORT") 2>/dev/null && break
		kill -0 "$TURN_PID" 2>/dev/null || die "turnserver exited; see $dir/turnserver.log"
		sleep 0.1
	done
	TURN_FLAGS=(-turn-urls "turn:$DEVNET_HOST:$TURN_PORT?transport=udp,turn:$DEVNET_HOST:$TURN_PORT?transport=tcp"
		-turn-secret-file "$dir/secret")
	echo " TURN relay turn:$DEVNET_HOST:$TURN_PORT (udp, tcp), credentials minted by signalingd; log $dir/turnserver.log"
}

# ---------------------------------------------------------------------------
# Janus (the SFU tier's media server) hook.
# start_janus runs JANUS instances of Debian's janus beside the daemon, each
# from a configuration testutil/janus/janusconf generates in
# $DEVNET_HOME/janus<i>: only the VideoRoom plugin and the WebSocket
# transport, generated api_secret and admin_secret (in
# $DEVNET_HOME/janus<i>/secrets.env), RTP ports 32200-32999.
# Janus 1.1.2 never gathers ICE candidates on loopback (it skips loopback
# interfaces; libnice then uses every other one, the machine's own
# addresses included), so each instance runs in a network namespace of its
# own, joined to the host by a veth pair: instance i is 10.215.i.2 (API,
# admin API and every ICE candidate), the host's end 10.215.i.1. That needs
# root; without it Janus is not started.
# Not wired into signalingd yet: its -sfu flag comes with the SFU brokering;
# until then the endpoints are printed for tools and tests.
# ---------------------------------------------------------------------------
JANUS_PIDS=()
JANUS_NETNS=()

start_janus() {
	((JANUS > 0)) || return 0
	if ! command -v janus >/dev/null; then
		echo " Janus: not installed (apt-get install janus), not started"
		return 0
	fi
	if [[ $(id -u) != 0 ]] || ! command -v ip >/dev/null; then
		echo " Janus: not started: it runs in a network namespace, which needs root and iproute2 (JANUS=0 hides this)"
		return 0
	fi
	go build -o "$DEVNET_HOME/janusconf" "$ROOT/testutil/janus/janusconf" || die "building janusconf failed"
	local i
	for ((i = 0; i < JANUS; i++)); do
		start_janus_instance "$i"
	done
}

# start_janus_instance I sets up namespace I and starts Janus in it.
start_janus_instance() {
	local i=$1 ns=scdevjanus$1 hostif=jdh$1 nsif=jdn$1 dir=$DEVNET_HOME/janus$1
	local hostip=10.215.$1.1 nsip=10.215.$1.2 step
	# A leftover of a devnet that was killed: the ports check above passed,
	# so no devnet uses it.
	ip link del "$hostif" 2>/dev/null || true
	ip netns del "$ns" 2>/dev/null || true
	ip netns add "$ns" || die "ip netns add $ns failed"
	JANUS_NETNS+=("$ns")
	for step in "link add $hostif type veth peer name $nsif" "link set $nsif netns $ns" \
		"addr add $hostip/30 dev $hostif" "link set $hostif up" "-n $ns link set lo up" \
		"-n $ns addr add $nsip/30 dev $nsif" "-n $ns link set $nsif up"; do
		# shellcheck disable=SC2086
		ip $step || die "ip $step failed"
	done
	ip netns exec "$ns" sysctl -q -w "net.ipv6.conf.$nsif.disable_ipv6=1" || true
	rm -rf "$dir"
	(umask 077 && "$DEVNET_HOME/janusconf" -dir "$dir" -name "devnet-janus$((i + 1))" -bind "$nsip" -ice-if "$nsif" \
		-api-port "$JANUS_PORT" -admin-port $((JANUS_PORT + 1)) >"$dir.secrets.env") || die "janusconf failed"
	mv "$dir.secrets.env" "$dir/secrets.env"
	(
		trap - INT
		exec ip netns exec "$ns" janus -F "$dir" -C "$dir/janus.jcfg" >"$dir/janus.log" 2>&1
	) &
	JANUS_PIDS+=($!)
	for ((step = 0; step < 100; step++)); do
		(exec 3<>"/dev/tcp/$nsip/$JANUS_PORT") 2>/dev/null && break
		kill -0 "${JANUS_PIDS[-1]}" 2>/dev/null || die "janus exited; see $dir/janus.log"
		sleep 0.1
	done
	printf ' Janus %d  API ws://%s:%d (janus-protocol), admin ws://%s:%d; secrets %s\n' \
		$((i + 1)) "$nsip" "$JANUS_PORT" "$nsip" $((JANUS_PORT + 1)) "$dir/secrets.env"
}

# stop_janus stops every Janus and removes their namespaces.
stop_janus() {
	((${#JANUS_PIDS[@]})) && stop_processes 0 "${JANUS_PIDS[@]}"
	local i
	for ((i = 0; i < ${#JANUS_NETNS[@]}; i++)); do
		ip link del "jdh$i" 2>/dev/null || true
		ip netns del "${JANUS_NETNS[$i]}" 2>/dev/null || true
	done
}

# watch_log copies the node's log through and, at the first committed block,
# prints the endpoints and starts the signaling daemon. The log ends when the
# node does, however it ends (Ctrl-C, a crash, SIGKILL): then it stops the
# daemon, so that nothing this script started outlives the node and a
# `make devnet-resume` finds its ports free.
watch_log() {
	# Ctrl-C is for the node: this reader keeps draining its log until the
	# node has shut down, or the node would die of SIGPIPE mid-shutdown.
	trap '' INT
	local line ready=0 height
	SIGNALING_PIDS=()
	while IFS= read -r line; do
		is_noise "$line" && continue
		printf '%s\n' "$line"
		if ((ready == 0)) && [[ $line =~ committed\ state.*\ height=([0-9]+) ]]; then
			ready=1
			height=${BASH_REMATCH[1]}
			print_ready "$height"
			start_janus
			start_signaling
		fi
	done
	if ((${#SIGNALING_PIDS[@]})); then
		# After Ctrl-C the daemons have had SIGINT too and are draining: give
		# them a moment to finish before asking them to stop.
		stop_processes 2 "${SIGNALING_PIDS[@]}"
	fi
	stop_janus
	[[ -z $TURN_PID ]] || stop_process "$TURN_PID"
	# Redis last, once no instance needs it (Ctrl-C reaches it at once too).
	[[ -z ${REDIS_PID:-} ]] || stop_process "$REDIS_PID"
}

main() {
	command -v make >/dev/null || die "make is required"
	build

	# Before anything is wiped: a busy port usually means a devnet is
	# already running on this home.
	check_ports
	if [[ $RESUME == 1 ]]; then
		[[ -f $DEVNET_HOME/config/genesis.json ]] ||
			die "nothing to resume in $DEVNET_HOME: run \`make devnet\` first"
		echo "devnet: resuming the chain in $DEVNET_HOME"
	else
		init_chain
	fi
	configure

	echo "devnet: starting the node (Ctrl-C stops it)"
	# The node runs in the foreground; its log goes through watch_log. With
	# pipefail the node's exit status is the pipeline's.
	local status=0
	"$STREAMD" start --home "$DEVNET_HOME" --log_no_color --log_level "$LOG_LEVEL" 2>&1 | watch_log || status=$?
	echo "devnet: node stopped (exit status $status); \`$(resume_command)\` continues this chain"
	return "$status"
}

main "$@"
