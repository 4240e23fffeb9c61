package types

import gproto "github.com/golang/protobuf/proto"

// The REST gateway (grpc-gateway v1) parses an enum query parameter such as
// ?status=STREAM_STATUS_UPCOMING by looking the enum's names up in the
// golang/protobuf registry. The SDK's own enums are found there because
// their pulsar code (cosmossdk.io/api) registers the file descriptors; ours
// are gogoproto-only, so without this the gateway knows no names and falls
// back to strconv.ParseInt. Numbers keep working either way.
func init() {
	gproto.RegisterEnum("streamchain.streaming.v1.StreamStatus", StreamStatus_name, StreamStatus_value)
}
