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

build:
	go build -ldflags '$(LDFLAGS)' -o $(BIN_DIR)/streamd ./cmd/streamd
	go build -o $(BIN_DIR)/signalingd ./cmd/signalingd

install:
	go install -ldflags '$(LDFLAGS)' ./cmd/streamd
	go install ./cmd/signalingd

# A one-validator chain on 127.0.0.1 in the foreground, with funded demo
# accounts alice, bob and carol; see testutil/devnet/devnet.sh for settings.
devnet:
	./testutil/devnet/devnet.sh

# Continues the chain `make devnet` left in build/devnet.
devnet-resume:
	RESUME=1 ./testutil/devnet/devnet.sh

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
test: test-unit test-sim-short

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
# Signaling benchmarks
###############################################################################

.PHONY: bench-signaling

# signalingd beside a bare gorilla/websocket echo server measured in the same
# run, on loopback: memory per idle signed-in connection at 1k and 10k
# connections, join→paired latency with a warm chain cache, relayed messages
# per second. Each benchmark runs once; see BENCHMARKS.md.
bench-signaling:
	go test -run '^$$' -bench . -benchtime 1x -timeout 20m ./signaling/bench
