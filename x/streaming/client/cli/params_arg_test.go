package cli

import (
	"encoding/json"
	"testing"

	gogoproto "github.com/cosmos/gogoproto/proto"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/reflect/protoreflect"

	_ "github.com/streamchain/streamchain/x/streaming/types" // registers the params descriptor
)

func TestProtoJSONDurationsTakesGoDurations(t *testing.T) {
	desc, err := gogoproto.HybridResolver.FindDescriptorByName(ParamsName)
	require.NoError(t, err)
	md := desc.(protoreflect.MessageDescriptor)

	out, err := protoJSONDurations([]byte(`{"max_name_length":5,"max_stream_duration":"24h0m0s","maxScheduleAhead":"1h30m0.5s"}`), md)
	require.NoError(t, err)
	var got map[string]any
	require.NoError(t, json.Unmarshal(out, &got))
	require.Equal(t, map[string]any{"max_name_length": 5.0, "max_stream_duration": "86400s", "maxScheduleAhead": "5400.500s"}, got)

	// protojson's own form and anything that is no duration are left alone.
	in := `{"max_stream_duration":"86400s","max_schedule_ahead":"soon"}`
	out, err = protoJSONDurations([]byte(in), md)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(out, &got))
	require.Equal(t, "86400s", got["max_stream_duration"])
	require.Equal(t, "soon", got["max_schedule_ahead"])

	_, err = protoJSONDurations([]byte(`[1]`), md)
	require.Error(t, err)
}
