package types_test

import (
	"net/url"
	"testing"

	"github.com/grpc-ecosystem/grpc-gateway/runtime"
	"github.com/grpc-ecosystem/grpc-gateway/utilities"
	"github.com/stretchr/testify/require"

	"github.com/streamchain/streamchain/x/streaming/types"
)

// The REST gateway's own query-parameter parser takes a status by name, as
// it does for the SDK's enums, and still by number.
func TestGatewayParsesStatusByNameAndNumber(t *testing.T) {
	for value, want := range map[string]types.StreamStatus{
		"STREAM_STATUS_UPCOMING": types.STREAM_STATUS_UPCOMING,
		"STREAM_STATUS_LIVE":     types.STREAM_STATUS_LIVE,
		"3":                      types.STREAM_STATUS_ENDED,
	} {
		var req types.QueryStreamsRequest
		err := runtime.PopulateQueryParameters(&req, url.Values{"status": {value}}, utilities.NewDoubleArray(nil))
		require.NoError(t, err, value)
		require.Equal(t, want, req.Status, value)
	}
	var req types.QueryStreamsRequest
	require.Error(t, runtime.PopulateQueryParameters(&req, url.Values{"status": {"LIVE"}}, utilities.NewDoubleArray(nil)))
}
