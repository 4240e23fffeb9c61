# streamchain — `make devnet` runs a local chain, `make test` runs every test.
SHELL := /bin/bash
export GOFLAGS := -buildvcs=false

BUILD_DIR := $(CURDIR)/build
BIN_DIR := $(BUILD_DIR)/bin
TOOLS_DIR := $(BUILD_DIR)/tools
GOMODCACHE := $(shell go env GOMODCACHE)

# Protobuf tool versions (see proto/README in BUILDING notes).
BUF_VERSION := v1.75.0
GOGOPROTO_VERSION := v1.7.2
GRPC_GATEWAY_VERSION := v1.16.0
SDK_VERSION := v0.54.4
COSMOS_PROTO_VERSION := v1.0.0-beta.5

.PHONY: all build install devnet devnet-resume proto-tools proto-deps proto-gen test

all: build

# `streamd version` and the genesis file's app_name/app_version come from these.
VERSION ?= $(shell git describe --tags --always 2>/dev/null || echo dev)
COMMIT := $(shell git rev-parse HEAD 2>/dev/null)
LDFLAGS := -X github.com/cosmos/cosmos-sdk/version.Name=streamchain \
	-X github.com/cosmos/cosmos-sdk/version.AppName=streamd \
	-X github.com/cosmos/cosmos-sdk/version.Version=$(VERSION) \
	-X github.com/cosmos/cosmos-sdk/version.Commit=$(COMMIT)

# streamd's build tags. With cgo and a C compiler, secp256k1 signatures are
# verified by the SDK's bundled libsecp256k1 (libsecp256k1_sdk) instead of the
# pure-Go decred code: it accepts exactly the same signatures (both refuse
# high-S), so nodes built either way agree. `make build BUILD_TAGS=pebbledb`
# (or CGO_ENABLED=0) gives the pure-Go node. pebbledb (pure Go) compiles in
# cometbft-db's pebble backend, which `streamd init` then writes as
# config.toml's db_backend for CometBFT's databases; a streamd built without
# it (`make build BUILD_TAGS=`, plain `go build`) writes goleveldb, and
# refuses to start on a pebbledb config. See BENCHMARKS.md.
CGO_READY := $(shell [ "$$(go env CGO_ENABLED)" = 1 ] && command -v "$$(go env CC)" >/dev/null && echo yes)
BUILD_TAGS ?= pebbledb $(if $(CGO_READY),libsecp256k1_sdk,)

build:
	go build -tags '$(BUILD_TAGS)' -ldflags '$(LDFLAGS)' -o $(BIN_DIR)/streamd ./cmd/streamd
	go build -o $(BIN_DIR)/signalingd ./cmd/signalingd
	go build -o $(BIN_DIR)/streamload ./cmd/streamload

install:
	go install -tags '$(BUILD_TAGS)' -ldflags '$(LDFLAGS)' ./cmd/streamd
	go install ./cmd/signalingd

# A one-validator chain on 127.0.0.1 in the foreground, with funded demo
# accounts alice, bob and carol; see testutil/devnet/devnet.sh for settings.
# VALIDATORS=4 runs four validator processes instead (multinode.sh).
VALIDATORS ?= 1
DEVNET_SCRIPT = $(if $(filter 1,$(VALIDATORS)),./testutil/devnet/devnet.sh,VALIDATORS=$(VALIDATORS) ./testutil/devnet/multinode.sh)
devnet:
	$(DEVNET_SCRIPT)

# Continues the chain `make devnet` left in build/devnet (build/devnet-multi
# with VALIDATORS=4).
devnet-resume:
	RESUME=1 $(DEVNET_SCRIPT)

###############################################################################
# Protobuf
###############################################################################

proto-tools:
	@mkdir -p $(TOOLS_DIR)
	GOBIN=$(TOOLS_DIR) go install github.com/bufbuild/buf/cmd/buf@$(BUF_VERSION)
	GOBIN=$(TOOLS_DIR) go install github.com/cosmos/gogoproto/protoc-gen-gocosmos@$(GOGOPROTO_VERSION)
	GOBIN=$(TOOLS_DIR) go install github.com/grpc-ecosystem/grpc-gateway/protoc-gen-grpc-gateway@$(GRPC_GATEWAY_VERSION)

# The buf registry is unreachable, so the imported protos come from the Go
# module cache of the exact versions go.mod pins. The workspace dir starts
# with "_" so that `go test ./...` skips the Go code buf writes there.
proto-deps:
	@rm -rf $(BUILD_DIR)/_proto && mkdir -p $(BUILD_DIR)/_proto/third_party/google/api $(BUILD_DIR)/_proto/third_party/gogoproto $(BUILD_DIR)/_proto/third_party/cosmos_proto
	go mod download github.com/cosmos/cosmos-sdk@$(SDK_VERSION) github.com/cosmos/gogoproto@$(GOGOPROTO_VERSION) github.com/cosmos/cosmos-proto@$(COSMOS_PROTO_VERSION) github.com/grpc-ecosystem/grpc-gateway@$(GRPC_GATEWAY_VERSION)
	cp -r $(GOMODCACHE)/github.com/cosmos/cosmos-sdk@$(SDK_VERSION)/proto/{cosmos,amino,tendermint} $(BUILD_DIR)/_proto/third_party/
	cp $(GOMODCACHE)/github.com/cosmos/gogoproto@$(GOGOPROTO_VERSION)/gogoproto/gogo.proto $(BUILD_DIR)/_proto/third_party/gogoproto/
	cp $(GOMODCACHE)/github.com/cosmos/cosmos-proto@$(COSMOS_PROTO_VERSION)/proto/cosmos_proto/cosmos.proto $(BUILD_DIR)/_proto/third_party/cosmos_proto/
	cp $(GOMODCACHE)/github.com/grpc-ecosystem/grpc-gateway@$(GRPC_GATEWAY_VERSION)/third_party/googleapis/google/api/{annotations,http}.proto $(BUILD_DIR)/_proto/third_party/google/api/
	chmod -R u+w $(BUILD_DIR)/_proto
	mkdir -p $(BUILD_DIR)/_proto/proto && cp -r proto/streamchain $(BUILD_DIR)/_proto/proto/
	cp proto/buf.yaml proto/buf.gen.gogo.yaml $(BUILD_DIR)/_proto/

proto-gen: proto-tools proto-deps
	cd $(BUILD_DIR)/_proto && PATH=$(TOOLS_DIR):$$PATH buf generate --template buf.gen.gogo.yaml --path proto/streamchain
	cp $(BUILD_DIR)/_proto/gen/github.com/streamchain/streamchain/x/streaming/types/*.go x/streaming/types/

###############################################################################
# Simulation
###############################################################################

# The app's simulation tests (app/sim_test.go, build tag sims) with the SDK's
# simulator flags. The genesis time is fixed so that a seed reproduces a run
# exactly; without -Seed a test runs the SDK's 38 default seeds in parallel.
SIM_PKG := ./app
SIM_GENESIS_TIME := 1767225600
SIM_FLAGS := -GenesisTime=$(SIM_GENESIS_TIME)
SIM_SEED ?= 11
SIM_NUM_BLOCKS ?= 100
SIM_BLOCK_SIZE ?= 100

.PHONY: test-sim-short test-sim-full test-sim-import-export test-sim-after-import test-sim-determinism test-sim-multi-seed-long

# One seed, 50 blocks of 100 operations: part of `make test`.
test-sim-short:
	go test -tags sims -run '^TestFullAppSimulation$$' -timeout 10m $(SIM_PKG) \
		-Seed=$(SIM_SEED) -NumBlocks=50 -BlockSize=100 $(SIM_FLAGS)

# Every default seed, SIM_NUM_BLOCKS blocks of SIM_BLOCK_SIZE operations.
test-sim-full:
	go test -tags sims -run '^TestFullAppSimulation$$' -timeout 2h -v $(SIM_PKG) \
		-NumBlocks=$(SIM_NUM_BLOCKS) -BlockSize=$(SIM_BLOCK_SIZE) $(SIM_FLAGS)

# The SDK's multi-seed-long shape: every default seed, 150 blocks of the
# default 200 operations, invariants checked every 50 blocks. Long (see
# BENCHMARKS.md for its wall time); not part of `make test`.
test-sim-multi-seed-long:
	go test -tags sims -run '^TestFullAppSimulation$$' -failfast -timeout 3h -v $(SIM_PKG) \
		-NumBlocks=150 -Period=50 $(SIM_FLAGS)

# Every default seed: export, import into a new app, compare all stores.
test-sim-import-export:
	go test -tags sims -run '^TestAppImportExport$$' -timeout 2h -v $(SIM_PKG) \
		-NumBlocks=$(SIM_NUM_BLOCKS) -BlockSize=$(SIM_BLOCK_SIZE) $(SIM_FLAGS)

# Every default seed: export for zero height, start a chain from it, simulate on.
test-sim-after-import:
	go test -tags sims -run '^TestAppSimulationAfterImport$$' -timeout 2h -v $(SIM_PKG) \
		-NumBlocks=$(SIM_NUM_BLOCKS) -BlockSize=$(SIM_BLOCK_SIZE) $(SIM_FLAGS)

# Three seeds, each run three times: the app hashes must agree.
test-sim-determinism:
	go test -tags sims -run '^TestAppStateDeterminism$$' -timeout 2h -v $(SIM_PKG) \
		-NumBlocks=$(SIM_NUM_BLOCKS) -BlockSize=$(SIM_BLOCK_SIZE) $(SIM_FLAGS)

###############################################################################
# Tests and benchmarks
###############################################################################

.PHONY: test test-unit test-race proto-check bench

# Every test: unit, integration and end-to-end tests, then a short app
# simulation. This is the command CI runs.
test: test-unit web-unit test-sim-short

test-unit:
	go test -count=1 -timeout 30m ./...

test-race:
	go test -race -count=1 -timeout 60m ./...

# Regenerates the protobuf code and fails if it differs from what is committed.
proto-check: proto-gen
	git diff --exit-code -- x/streaming/types

# Gas and time per message at 0, 10k and 100k existing entries, beside a bank
# send; see BENCHMARKS.md.
BENCH_TIME ?= 1000x
bench:
	go test -run '^$$' -bench . -benchtime $(BENCH_TIME) -timeout 60m ./x/streaming/keeper

###############################################################################
# Fault tests
###############################################################################

.PHONY: test-faults

# Four validators under a steady load, perturbed: kill, pause, kill two,
# kill all, signalingd's node killed, a partition. The table goes to
# build/faults.md (copied into BENCHMARKS.md). make test runs a short form.
test-faults:
	FAULTS_FULL=1 FAULTS_REPORT=$(BUILD_DIR)/faults.md go test -count=1 -v -run '^Test(Faults|Partition)$$' -timeout 40m ./testutil/faults

###############################################################################
# Signaling benchmarks
###############################################################################

.PHONY: bench-signaling

# signalingd beside a bare gorilla/websocket echo server measured in the same
# run, on loopback: memory per idle signed-in connection at 1k and 10k
# connections, join→paired latency with a warm chain cache, relayed messages
# per second. Each benchmark runs once; see BENCHMARKS.md. AttackFootprint and
# AttackClasses replay the availability attacks against the real binary (this tree's,
# or SIGNALING_BENCH_DAEMON_BIN=<older build>; AttackClasses fails on a build
# that does not hold a class).
bench-signaling:
	go test -run '^$$' -bench . -benchtime 1x -timeout 20m ./signaling/bench

###############################################################################
# SFU benchmark
###############################################################################

.PHONY: bench-sfu

# The SFU tier (Janus's VideoRoom, each instance in a network namespace the
# benchmark creates: needs root and Debian's janus) beside direct pion peers
# in the same run: broadcaster upload against N viewers, Janus CPU per
# viewer, join -> first packet, failover after a SIGKILL. Writes
# build/sfu-figures.md. Then both tiers through signalingd
# (BenchmarkSFUBrokered, signaling/sfu_bench_test.go): join -> first packet
# and revocation -> last packet. SFU_BENCH_N, SFU_BENCH_WINDOW,
# SFU_BENCH_JOINS and SFU_BENCH_FRAME change the points;
# SFU_BENCH_EVENT_LOOPS=-1 runs Janus with its own threading (a thread per
# PeerConnection) instead of one event loop per CPU (see
# signaling/internal/janus/bench_test.go).
SFU_BENCH_N ?= 1,2,5,10,50,100
bench-sfu:
	@mkdir -p $(BUILD_DIR)
	SFU_BENCH_N=$(SFU_BENCH_N) SFU_FIGURES=$(BUILD_DIR)/sfu-figures.md nice go test -count=1 -run '^$$' \
		-bench '^BenchmarkSFU$$' -benchtime 1x -timeout 30m ./signaling/internal/janus
	nice go test -count=1 -run '^$$' -bench '^BenchmarkSFUBrokered$$' -benchtime 1x -timeout 10m ./signaling

###############################################################################
# Chain throughput benchmark
###############################################################################

.PHONY: bench-chain

# A fresh one-validator devnet on its own ports (not the default devnet's),
# then bank and each streaming workload interleaved by cmd/streamload; writes
# the chain-throughput section of BENCHMARKS.md and its plots in
# testutil/bench/chain. See testutil/bench/chain/bench.sh for every setting.
BENCH_RPC_PORT ?= 36657
BENCH_P2P_PORT ?= 36656
BENCH_ABCI_PORT ?= 36658
BENCH_GRPC_PORT ?= 39090
BENCH_API_PORT ?= 31317
BENCH_BLOCK_TIME ?= 1s
BENCH_ACCOUNTS ?= 200
BENCH_TXS ?= 50
BENCH_WARMUP ?= 10
BENCH_WORKLOADS ?= bank,edit-profile,bank,new-stream,bank,edit-stream,bank,subscribe,bank,unsubscribe,bank,delete-stream,bank,mix,bank
BENCH_MD ?= $(CURDIR)/BENCHMARKS.md
BENCH_NODE_ENV ?=
BENCH_OUT ?= $(BUILD_DIR)/bench-chain.jsonl
BENCH_STATE ?=
BENCH_TRANSPORT ?= ws
BENCH_RATE ?= 0
bench-chain:
	BENCH_RPC_PORT=$(BENCH_RPC_PORT) BENCH_P2P_PORT=$(BENCH_P2P_PORT) BENCH_ABCI_PORT=$(BENCH_ABCI_PORT) \
	BENCH_GRPC_PORT=$(BENCH_GRPC_PORT) BENCH_API_PORT=$(BENCH_API_PORT) BENCH_BLOCK_TIME=$(BENCH_BLOCK_TIME) \
	BENCH_ACCOUNTS=$(BENCH_ACCOUNTS) BENCH_TXS=$(BENCH_TXS) BENCH_WARMUP=$(BENCH_WARMUP) BENCH_WORKLOADS=$(BENCH_WORKLOADS) \
	BENCH_MD="$(BENCH_MD)" BENCH_NODE_ENV="$(BENCH_NODE_ENV)" BENCH_OUT="$(BENCH_OUT)" BENCH_STATE="$(BENCH_STATE)" \
	BENCH_TRANSPORT=$(BENCH_TRANSPORT) BENCH_RATE=$(BENCH_RATE) ./testutil/bench/chain/bench.sh
# Web app (signaling/web)
###############################################################################

.PHONY: web-deps web-build web-check web-unit bench-web

WEB_DIR := signaling/web

# The pinned packages of package-lock.json, installed again when it changes.
web-deps: $(WEB_DIR)/node_modules/.package-lock.json
$(WEB_DIR)/node_modules/.package-lock.json: $(WEB_DIR)/package-lock.json
	cd $(WEB_DIR) && npm ci --no-audit --no-fund

# Type-checks the sources and rebuilds the committed bundle (dist/, embedded
# into signalingd) byte for byte.
web-build: web-deps
	cd $(WEB_DIR) && npm run --silent build

# Rebuilds the bundle and fails if it differs from what is committed.
web-check: web-build
	git diff --exit-code -- $(WEB_DIR)/dist
	@untracked=$$(git status --porcelain --untracked-files=all -- $(WEB_DIR)/dist); \
	if [ -n "$$untracked" ]; then echo "web-check: the bundle has files git does not know:"; echo "$$untracked"; exit 1; fi

# Unit tests of the app's own logic (time and status display, refusals).
web-unit: web-deps
	cd $(WEB_DIR) && npm test --silent

# The web app's figures in BENCHMARKS.md: gzipped bundle size, then the
# browser test with BENCH_RUNS repetitions of page load -> schedule shown and
# Watch -> first decoded frame, each beside a baseline measured in the same run.
BENCH_RUNS ?= 7
bench-web: web-deps
	@for f in $(WEB_DIR)/dist/assets/*; do printf '%-55s %8d bytes, gzip -9: %7d bytes\n' $$f $$(wc -c <$$f) $$(gzip -9c $$f | wc -c); done
	BENCH_RUNS=$(BENCH_RUNS) go test -count=1 -run '^TestBrowserApp$$' -v -timeout 20m ./$(WEB_DIR) 2>&1 | grep -E 'bench:|figures|axe-core|^(ok|FAIL|---)'
