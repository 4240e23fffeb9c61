# Shared by devnet.sh (one validator) and multinode.sh (several): the fixed
# demo keys, balances, and the helpers that write a node's configuration.
# Sourced, never run; it defines things and starts nothing.
# shellcheck shell=bash

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# Whether the caller named its own streamd, remembered before the default
# below fills the variable in: build() must not rebuild over a given binary.
STREAMD_GIVEN=${STREAMD:+1}
STREAMD=${STREAMD:-$ROOT/build/bin/streamd}
SIGNALINGD=${SIGNALINGD:-$ROOT/build/bin/signalingd}
DENOM=ustream

# Fixed devnet-only keys, so addresses stay the same from run to run. These
# mnemonics are public: never use them outside a local devnet.
declare -A MNEMONIC=(
	[validator]="fun warfare junior message genuine draw sleep slice dinner tattoo sauce cube degree exile era typical dinosaur main mammal trust job garbage spider palace"
	[alice]="trouble gather pelican example length fuel mango floor prison table broken rescue unaware sadness expand alley popular mention wish limb symptom price despair rocket"
	[bob]="manual idle uniform sustain crystal pulp remember layer mask high myself example satisfy pave crowd era material again again token innocent regular syrup coach"
	[carol]="explain buzz output adapt one lumber party valve huge review during tiny oppose width plate april deliver where agent panel giggle husband demise penalty"
)
DEMO_ACCOUNTS=(alice bob carol)
VALIDATOR_BALANCE=1000000000000$DENOM # 1,000,000 STREAM
VALIDATOR_STAKE=100000000000$DENOM    # 100,000 STREAM
DEMO_BALANCE=10000000000$DENOM        # 10,000 STREAM each

die() {
	echo "devnet: $*" >&2
	exit 1
}

# DEVNET_HOST is the loopback address nodes listen on: 127.0.0.1 unless a
# script offers another (any 127.x.y.z works on Linux; the fault tests use
# one of their own, clear of the client sockets on 127.0.0.1's ports).
DEVNET_HOST=${DEVNET_HOST:-127.0.0.1}

port_in_use() {
	(exec 3<>"/dev/tcp/$DEVNET_HOST/$1") 2>/dev/null
}

# build compiles streamd and signalingd into build/bin, unless STREAMD was
# given (tests pass binaries they built themselves) or BUILD=0.
build() {
	[[ ${BUILD:-1} == 1 && -z $STREAMD_GIVEN ]] || return 0
	echo "devnet: building streamd"
	make -C "$ROOT" --no-print-directory build
}

# set_toml FILE SECTION KEY VALUE sets KEY in [SECTION] ("" for the top of
# the file) and fails if the key is not there: a renamed key must not go
# unnoticed.
set_toml() {
	local file=$1 section=$2 key=$3 value=$4 range
	if [[ -z $section ]]; then
		range='1,/^\[/'
	else
		range="/^\\[${section//./\\.}\\]/,/^\\[/"
	fi
	grep -q "^$key = " "$file" || die "$file has no key $key"
	sed -i "${range} s|^$key = .*|$key = $value|" "$file"
	awk -v s="$section" -v k="$key" -v v="$value" '
		/^\[/ { cur = substr($0, 2, length($0) - 2) }
		cur == s && index($0, k " = ") == 1 { found = ($0 == k " = " v) }
		END { exit !found }' "$file" || die "could not set [$section] $key in $file"
}

# configure binds every listener of the node in $DEVNET_HOME to loopback and
# applies the settings (RPC_PORT, P2P_PORT, ...); it runs on resume too, so
# changed ports take effect.
configure() {
	local cfg=$DEVNET_HOME/config/config.toml app=$DEVNET_HOME/config/app.toml client=$DEVNET_HOME/config/client.toml
	set_toml "$cfg" "" proxy_app "\"tcp://$DEVNET_HOST:$ABCI_PORT\""
	set_toml "$cfg" rpc laddr "\"tcp://$DEVNET_HOST:$RPC_PORT\""
	# Browser clients (CosmJS, Keplr) call the RPC from another origin.
	set_toml "$cfg" rpc cors_allowed_origins '["*"]'
	set_toml "$cfg" rpc pprof_laddr '""'
	set_toml "$cfg" p2p laddr "\"tcp://$DEVNET_HOST:$P2P_PORT\""
	set_toml "$cfg" consensus timeout_commit "\"$BLOCK_TIME\""
	set_toml "$cfg" instrumentation prometheus false

	set_toml "$app" api enable true
	set_toml "$app" api address "\"tcp://$DEVNET_HOST:$API_PORT\""
	set_toml "$app" api enabled-unsafe-cors true
	set_toml "$app" grpc enable true
	set_toml "$app" grpc address "\"$DEVNET_HOST:$GRPC_PORT\""
	# INDEX_EVENTS (bench A/B runs): app.toml index-events instead of
	# what `streamd init` wrote, e.g. [] to index every event.
	[[ -z ${INDEX_EVENTS:-} ]] || set_toml "$app" "" index-events "$INDEX_EVENTS"

	set_toml "$client" "" node "\"tcp://$DEVNET_HOST:$RPC_PORT\""
}

# is_noise tells the node log lines a devnet does not show. CometBFT's RPC
# server logs "Failed to write response ... websocket: close sent" (and at
# times "error while stopping connection ... already stopped") at error
# level each time a WebSocket client such as `streamd q wait-tx` leaves
# first; nothing is wrong. The node's log filter (--log_level) works per
# module only, and raising rpc-server above error would hide its real
# errors too, so the devnet drops these two lines instead.
is_noise() {
	[[ $1 == *"Failed to write response"*"websocket: close sent"* ||
		$1 == *"error while stopping connection"*"already stopped"*"protocol=websocket"* ]]
}

# stop_process PID WAIT waits up to WAIT seconds for a child of this shell to
# exit by itself, then sends SIGTERM, and SIGKILL if it is still there 15 s
# later. It returns once the process is gone.
stop_process() {
	stop_processes "${2:-0}" "$1"
}

any_alive() {
	local pid
	for pid in "$@"; do kill -0 "$pid" 2>/dev/null && return 0; done
	return 1
}

# stop_processes WAIT PID... does the same for several children at once, so
# N processes cost one grace period, not N.
stop_processes() {
	local wait=$1 i pid
	shift
	for ((i = 0; i < wait * 10; i++)); do
		any_alive "$@" || break
		sleep 0.1
	done
	if any_alive "$@"; then
		kill -TERM "$@" 2>/dev/null || true
		for ((i = 0; i < 150; i++)); do
			any_alive "$@" || break
			sleep 0.1
		done
		kill -KILL "$@" 2>/dev/null || true
	fi
	for pid in "$@"; do wait "$pid" 2>/dev/null || true; done
}

# ---------------------------------------------------------------------------
# Several signalingd instances (SIGNALING_INSTANCES > 1) share their sessions
# through one redis-server (signalingd -redis; signaling/PROTOCOL.md). With
# the default of one instance none of this runs: no Redis, no new flags.
# Instance i (0-based) listens on SIGNALING_PORT + 10*i, its metrics on the
# port after it; its id is sig<i+1>.
# ---------------------------------------------------------------------------
SIGNALING_INSTANCES=${SIGNALING_INSTANCES:-1}
REDIS_PORT=${REDIS_PORT:-6379}
REDIS_SERVER=${REDIS_SERVER:-redis-server}
[[ $SIGNALING_INSTANCES =~ ^[1-9]$ ]] || die "SIGNALING_INSTANCES must be 1 to 9 (got $SIGNALING_INSTANCES)"

signaling_port_of() { echo $((SIGNALING_PORT + 10 * $1)); }

# signaling_ports lists every port the signaling instances (and Redis) take.
signaling_ports() {
	local i
	for ((i = 0; i < SIGNALING_INSTANCES; i++)); do
		echo "$(signaling_port_of "$i")" $(($(signaling_port_of "$i") + 1))
	done
	((SIGNALING_INSTANCES == 1)) || echo "$REDIS_PORT"
}

# start_redis runs redis-server on $DEVNET_HOST:$REDIS_PORT in the
# background (REDIS_PID), with nothing written to disk but its log, in
# $1/redis; it returns once Redis answers PING.
start_redis() {
	local dir=$1/redis i reply
	command -v "$REDIS_SERVER" >/dev/null || die "SIGNALING_INSTANCES=$SIGNALING_INSTANCES needs redis-server (apt-get install redis-server)"
	mkdir -p "$dir"
	"$REDIS_SERVER" --port "$REDIS_PORT" --bind "$DEVNET_HOST" --save "" --appendonly no \
		--dir "$dir" --logfile "$dir/redis.log" --daemonize no &
	REDIS_PID=$!
	for ((i = 0; i < 100; i++)); do
		reply=$( (exec 3<>"/dev/tcp/$DEVNET_HOST/$REDIS_PORT" && printf 'PING\r\n' >&3 && IFS= read -r -t 1 line <&3 && printf '%s' "$line") 2>/dev/null) || true
		[[ $reply == +PONG* ]] && return 0
		kill -0 "$REDIS_PID" 2>/dev/null || die "redis-server exited; see $dir/redis.log"
		sleep 0.1
	done
	die "redis-server did not answer PING on $DEVNET_HOST:$REDIS_PORT within 10 s; see $dir/redis.log"
}

# shared_flags I sets SHARED_FLAGS to instance I's shared-mode flags (none
# with one instance).
shared_flags() {
	SHARED_FLAGS=()
	((SIGNALING_INSTANCES == 1)) && return 0
	SHARED_FLAGS=(-redis "redis://$DEVNET_HOST:$REDIS_PORT/0" -instance-id "sig$(($1 + 1))"
		-advertise-url "http://$DEVNET_HOST:$(signaling_port_of "$1")")
}
