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

.PHONY: all build install proto-tools proto-deps proto-gen test

all: build

build:
	go build -o $(BIN_DIR)/streamd ./cmd/streamd

install:
	go install ./cmd/streamd

###############################################################################
# Protobuf
###############################################################################

proto-tools:
	@mkdir -p $(TOOLS_DIR)
	GOBIN=$(TOOLS_DIR) go install github.com/bufbuild/buf/cmd/buf@$(BUF_VERSION)
	GOBIN=$(TOOLS_DIR) go install github.com/cosmos/gogoproto/protoc-gen-gocosmos@$(GOGOPROTO_VERSION)
	GOBIN=$(TOOLS_DIR) go install github.com/grpc-ecosystem/grpc-gateway/protoc-gen-grpc-gateway@$(GRPC_GATEWAY_VERSION)

# The buf registry is unreachable, so the imported protos come from the Go
# module cache of the exact versions go.mod pins.
proto-deps:
	@rm -rf $(BUILD_DIR)/proto && mkdir -p $(BUILD_DIR)/proto/third_party/google/api $(BUILD_DIR)/proto/third_party/gogoproto $(BUILD_DIR)/proto/third_party/cosmos_proto
	go mod download github.com/cosmos/cosmos-sdk@$(SDK_VERSION) github.com/cosmos/gogoproto@$(GOGOPROTO_VERSION) github.com/cosmos/cosmos-proto@$(COSMOS_PROTO_VERSION) github.com/grpc-ecosystem/grpc-gateway@$(GRPC_GATEWAY_VERSION)
	cp -r $(GOMODCACHE)/github.com/cosmos/cosmos-sdk@$(SDK_VERSION)/proto/{cosmos,amino,tendermint} $(BUILD_DIR)/proto/third_party/
	cp $(GOMODCACHE)/github.com/cosmos/gogoproto@$(GOGOPROTO_VERSION)/gogoproto/gogo.proto $(BUILD_DIR)/proto/third_party/gogoproto/
	cp $(GOMODCACHE)/github.com/cosmos/cosmos-proto@$(COSMOS_PROTO_VERSION)/proto/cosmos_proto/cosmos.proto $(BUILD_DIR)/proto/third_party/cosmos_proto/
	cp $(GOMODCACHE)/github.com/grpc-ecosystem/grpc-gateway@$(GRPC_GATEWAY_VERSION)/third_party/googleapis/google/api/{annotations,http}.proto $(BUILD_DIR)/proto/third_party/google/api/
	chmod -R u+w $(BUILD_DIR)/proto
	mkdir -p $(BUILD_DIR)/proto/proto && cp -r proto/streamchain $(BUILD_DIR)/proto/proto/
	cp proto/buf.yaml proto/buf.gen.gogo.yaml $(BUILD_DIR)/proto/

proto-gen: proto-tools proto-deps
	cd $(BUILD_DIR)/proto && PATH=$(TOOLS_DIR):$$PATH buf generate --template buf.gen.gogo.yaml --path proto/streamchain
	cp $(BUILD_DIR)/proto/gen/github.com/streamchain/streamchain/x/streaming/types/*.go x/streaming/types/
