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
#   SFU=1|2|0         the SFU tier: start one Janus media server beside signalingd
#                     (default 1), two (rooms cascade between them), or none, when
#                     Debian's janus is installed and the script runs as root; see
#                     start_sfu (they run in a network namespace the script makes)
#   SFU_API_PORT      Janus API WebSocket port in that namespace (default 32188;
#                     the second Janus on SFU_API_PORT + 10)
#   SFU_ADMIN_PORT    Janus admin API WebSocket port (default 32189; + 10 likewise)
#   SFU_RTP_PORTS     Janus's RTP/ICE ports, LOW-HIGH (default 32200-32999)
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
LOAD_SEED=${LOAD_SEED:-streamload}
TURN=${TURN:-1}
TURN_PORT=${TURN_PORT:-3478}
TURN_RELAY_PORTS=${TURN_RELAY_PORTS:-49160-49999}
[[ $TURN =~ ^[01]$ ]] || die "TURN must be 0 or 1 (got $TURN)"
[[ $TURN_RELAY_PORTS =~ ^[0-9]+-[0-9]+$ ]] || die "TURN_RELAY_PORTS must be LOW-HIGH (got $TURN_RELAY_PORTS)"
[[ -z ${JANUS:-}${JANUS_PORT:-} ]] || die "JANUS and JANUS_PORT are now SFU and SFU_API_PORT"
SFU=${SFU:-1}
SFU_API_PORT=${SFU_API_PORT:-32188}
SFU_ADMIN_PORT=${SFU_ADMIN_PORT:-32189}
SFU_RTP_PORTS=${SFU_RTP_PORTS:-32200-32999}
[[ $SFU =~ ^[012]$ ]] || die "SFU must be 0, 1 or 2 (got $SFU)"
[[ $SFU_API_PORT =~ ^[0-9]+$ && $SFU_ADMIN_PORT =~ ^[0-9]+$ && $SFU_RTP_PORTS =~ ^[0-9]+-[0-9]+$ ]] ||
	die "SFU_API_PORT and SFU_ADMIN_PORT must be ports and SFU_RTP_PORTS LOW-HIGH"
# check_sfu_ports refuses Janus ports that collide with each other or with
# the RTP range, or that are one of the package's defaults (HTTP 8088/8089,
# WebSocket 8188/8989, admin 7088/7889/7188/7989).
check_sfu_ports() {
	local lo=${SFU_RTP_PORTS%-*} hi=${SFU_RTP_PORTS#*-} i p seen=" "
	((1024 < lo && lo + 2 <= hi && hi <= 65535)) || die "SFU_RTP_PORTS must be inside 1025-65535 and hold 3 ports or more"
	for ((i = 0; i < 2; i++)); do
		for p in $((SFU_API_PORT + 10 * i)) $((SFU_ADMIN_PORT + 10 * i)); do
			case " 8088 8089 8188 8989 7088 7889 7188 7989 $seen" in *" $p "*)
				die "Janus port $p (SFU_API_PORT/SFU_ADMIN_PORT, +10 for the second) is used twice or is one of Janus's default ports" ;;
			esac
			((1024 < p && p <= 65535 && (p < lo || p > hi))) || die "Janus port $p must be in 1025-65535 and outside SFU_RTP_PORTS"
			seen+="$p "
		done
	done
}
check_sfu_ports

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
	start_sfu
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
			-log-level "$LOG_LEVEL" "${SHARED_FLAGS[@]}" "${TURN_FLAGS[@]}" "${SFU_FLAGS[@]}"
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
# The SFU tier's hook: Janus media servers for signalingd.
# start_sfu runs SFU instances of Debian's janus, each from a configuration
# testutil/janus/janusconf generates in $DEVNET_HOME/sfu/janus<n>: only the
# VideoRoom plugin and the WebSocket transport, one api_secret shared by the
# instances (sfu/api-secret, mode 0600: signalingd's -sfu-secret-file) and
# an admin_secret each (janus<n>/secrets.env), ports SFU_API_PORT,
# SFU_ADMIN_PORT (+10 for the second) and SFU_RTP_PORTS, never the
# package's service or its default ports. It sets SFU_FLAGS for signalingd.
#
# Janus 1.1.2 never gathers ICE candidates on loopback (it skips loopback
# interfaces; libnice then uses every other one, the machine's own
# addresses included; see testutil/janus), so the instances run in a
# network namespace the script makes, joined to the host by a veth pair: a
# /30 of 10.215.0.0/16 picked from SIGNALING_PORT, so that devnets on other
# ports (which check_ports keeps apart) get other namespaces and addresses.
# The API, the admin API, every ICE candidate and the cascades between the
# instances (signalingd sends them to each -sfu URL's address) are on the
# namespace's end. That needs root; without it, or without janus, the
# devnet says why and runs without the SFU tier (peer to peer only).
# ---------------------------------------------------------------------------
SFU_FLAGS=()
SFU_PIDS=()
SFU_NETNS=

start_sfu() {
	((SFU > 0)) || return 0
	SFU_OFF=
	if ! command -v janus >/dev/null; then
		SFU_OFF="Debian's janus is not installed (apt-get install janus)"
	elif [[ $(id -u) != 0 ]] || ! command -v ip >/dev/null; then
		SFU_OFF="Janus runs in a network namespace, which needs root and iproute2"
	else
		start_sfu_servers
	fi
	if [[ -n $SFU_OFF ]]; then
		stop_sfu
		echo " Media servers (SFU tier): off: $SFU_OFF (SFU=0 hides this)"
		return 0
	fi
	local urls
	printf -v urls '%s,' "${SFU_URLS[@]}"
	SFU_FLAGS=(-sfu "${urls%,}" -sfu-secret-file "$SFU_DIR/api-secret")
	echo "   RTP/ICE on $SFU_IP ports $SFU_RTP_PORTS; secrets (mode 0600) in $SFU_DIR"
}

# start_sfu_servers makes the namespace and starts the instances in it;
# on failure SFU_OFF says why.
start_sfu_servers() {
	local idx=$((SIGNALING_PORT % 16384)) i
	SFU_NETNS=scsfu$SIGNALING_PORT SFU_HOSTIF=sfuh$SIGNALING_PORT SFU_NSIF=sfun$SIGNALING_PORT
	SFU_HOST_IP=10.215.$((idx / 64)).$((idx % 64 * 4 + 1))
	SFU_IP=10.215.$((idx / 64)).$((idx % 64 * 4 + 2))
	SFU_DIR=$DEVNET_HOME/sfu SFU_URLS=()
	sfu_netns || return 0
	rm -rf "$SFU_DIR"
	mkdir -m 700 "$SFU_DIR"
	if ! go build -o "$DEVNET_HOME/janusconf" "$ROOT/testutil/janus/janusconf"; then
		SFU_OFF="building testutil/janus/janusconf failed"
		return 0
	fi
	echo " Media servers (SFU tier: Janus in network namespace $SFU_NETNS; signalingd -sfu):"
	for ((i = 0; i < SFU; i++)); do
		start_sfu_server "$i" || return 0
	done
}

# sfu_netns creates the namespace and its veth pair; a leftover of a devnet
# that was killed goes first (check_ports passed: no devnet on these ports
# runs).
sfu_netns() {
	local step out
	ip link del "$SFU_HOSTIF" 2>/dev/null || true
	ip netns del "$SFU_NETNS" 2>/dev/null || true
	if ip -o -4 addr show | grep -qE " ($SFU_HOST_IP|$SFU_IP)/"; then
		SFU_OFF="$SFU_HOST_IP/30 is on another interface already"
		return 1
	fi
	for step in "netns add $SFU_NETNS" "link add $SFU_HOSTIF type veth peer name $SFU_NSIF" \
		"link set $SFU_NSIF netns $SFU_NETNS" "addr add $SFU_HOST_IP/30 dev $SFU_HOSTIF" \
		"link set $SFU_HOSTIF up" "-n $SFU_NETNS link set lo up" \
		"-n $SFU_NETNS addr add $SFU_IP/30 dev $SFU_NSIF" "-n $SFU_NETNS link set $SFU_NSIF up"; do
		# shellcheck disable=SC2086
		if ! out=$(ip $step 2>&1); then
			SFU_OFF="could not make its network namespace: ip $step: $out"
			return 1
		fi
	done
	# No IPv6 on the veth: no link-local address for anyone to gather.
	ip netns exec "$SFU_NETNS" sysctl -q -w "net.ipv6.conf.$SFU_NSIF.disable_ipv6=1" || true
	sysctl -q -w "net.ipv6.conf.$SFU_HOSTIF.disable_ipv6=1" || true
}

# start_sfu_server I starts instance I (janus<I+1>, the name signalingd
# gives the I-th -sfu URL) and waits until both its APIs answer.
start_sfu_server() {
	local name=janus$(($1 + 1)) api=$((SFU_API_PORT + 10 * $1)) admin=$((SFU_ADMIN_PORT + 10 * $1)) step
	local dir=$SFU_DIR/$name
	mkdir -m 700 "$dir"
	if ! (umask 077 && "$DEVNET_HOME/janusconf" -dir "$dir" -name "devnet-$name" -bind "$SFU_IP" \
		-ice-if "$SFU_NSIF" -api-port "$api" -admin-port "$admin" -rtp-min "${SFU_RTP_PORTS%-*}" \
		-rtp-max "${SFU_RTP_PORTS#*-}" -api-secret-file "$SFU_DIR/api-secret" >"$dir/secrets.env"); then
		SFU_OFF="janusconf refused the settings (its error is above)"
		return 1
	fi
	(
		trap - INT
		exec ip netns exec "$SFU_NETNS" janus -F "$dir" -C "$dir/janus.jcfg" >"$dir/janus.log" 2>&1
	) &
	SFU_PIDS+=($!)
	for ((step = 0; step < 200; step++)); do
		if (exec 3<>"/dev/tcp/$SFU_IP/$api" && exec 4<>"/dev/tcp/$SFU_IP/$admin") 2>/dev/null; then
			SFU_URLS+=("ws://$SFU_IP:$api")
			printf '   %s  API ws://%s:%d  admin ws://%s:%d  log %s\n' "$name" "$SFU_IP" "$api" "$SFU_IP" "$admin" "$dir/janus.log"
			return 0
		fi
		if ! kill -0 "${SFU_PIDS[-1]}" 2>/dev/null; then
			SFU_OFF="$name exited at start; see $dir/janus.log"
			return 1
		fi
		sleep 0.1
	done
	SFU_OFF="$name did not listen on $SFU_IP:$api and :$admin within 20 s; see $dir/janus.log"
	return 1
}

# stop_sfu stops every Janus and removes the namespace.
stop_sfu() {
	((${#SFU_PIDS[@]})) && stop_processes 0 "${SFU_PIDS[@]}"
	SFU_PIDS=()
	[[ -n $SFU_NETNS ]] || return 0
	ip link del "$SFU_HOSTIF" 2>/dev/null || true
	ip netns del "$SFU_NETNS" 2>/dev/null || true
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
			start_signaling
		fi
	done
	if ((${#SIGNALING_PIDS[@]})); then
		# After Ctrl-C the daemons have had SIGINT too and are draining: give
		# them a moment to finish before asking them to stop.
		stop_processes 2 "${SIGNALING_PIDS[@]}"
	fi
	stop_sfu
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
