package network_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	nodeservice "github.com/cosmos/cosmos-sdk/client/grpc/node"
	"github.com/cosmos/cosmos-sdk/codec"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/streamchain/streamchain/app"

	"github.com/streamchain/streamchain/testutil/network"
	"github.com/streamchain/streamchain/x/streaming/types"
)

func TestNetworkServesStreamingParams(t *testing.T) {
	cfg := network.DefaultConfig()
	n := network.New(t, cfg)
	require.NoError(t, n.WaitForNextBlock())

	val := n.Validators[0]
	require.True(t, strings.HasPrefix(val.Address.String(), "stream1"), val.Address.String())

	conn, err := grpc.NewClient(val.AppConfig.GRPC.Address,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.ForceCodec(codec.NewProtoCodec(cfg.InterfaceRegistry).GRPCCodec())),
	)
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := types.NewQueryClient(conn).Params(ctx, &types.QueryParamsRequest{})
	require.NoError(t, err)
	require.Equal(t, types.DefaultParams(), res.Params)

	// Fee tests against this network are only meaningful if the node
	// enforces a non-zero minimum gas price.
	nodeCfg, err := nodeservice.NewServiceClient(conn).Config(ctx, &nodeservice.ConfigRequest{})
	require.NoError(t, err)
	minGasPrices, err := sdk.ParseDecCoins(nodeCfg.MinimumGasPrice)
	require.NoError(t, err)
	want, err := sdk.ParseDecCoins(app.DefaultMinGasPrices)
	require.NoError(t, err)
	require.Equal(t, want, minGasPrices)
}
