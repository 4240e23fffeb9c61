package simulation

import (
	"context"

	"github.com/cosmos/cosmos-sdk/testutil/simsx"

	"github.com/streamchain/streamchain/x/streaming/keeper"
	"github.com/streamchain/streamchain/x/streaming/types"
)

// openStreamsBelow returns a profile filter that keeps the broadcasters
// whose open streams are below the cap (below is true) or at or above it.
func openStreamsBelow(ctx context.Context, k *keeper.Keeper, params types.Params, below bool) func(types.Profile) bool {
	return func(p types.Profile) bool {
		addr, err := k.AddressCodec().StringToBytes(p.Address)
		if err != nil {
			return false
		}
		n, err := k.OpenStreamsAt(ctx, addr, simsx.BlockTime(ctx))
		return err == nil && (n < uint64(params.MaxOpenStreamsPerBroadcaster)) == below
	}
}

// MsgNewStreamOverCapFactory has a broadcaster at its open-stream cap
// schedule one more; the keeper must refuse with ErrTooManyOpenStreams.
func MsgNewStreamOverCapFactory(k *keeper.Keeper) simsx.SimMsgFactoryX {
	return simsx.NewSimMsgFactoryWithDeliveryResultHandler(func(ctx context.Context, testData *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgNewStream, simsx.SimDeliveryResultHandler) {
		params, ok := getParams(ctx, k, reporter)
		if !ok {
			return nil, nil, nil
		}
		broadcaster, ok := anyProfiled(ctx, k, testData, reporter, openStreamsBelow(ctx, k, params, false), "no broadcaster is at its cap")
		if !ok {
			return nil, nil, nil
		}
		r := testData.Rand().Rand
		start, end := randSchedule(r, params, simsx.BlockTime(ctx))
		return []simsx.SimAccount{broadcaster.acc}, &types.MsgNewStream{
			Broadcaster: broadcaster.acc.AddressBech32, Title: randRequiredText(r, params.MaxTitleLength), StartTime: start, EndTime: end,
		}, expectError(types.ErrTooManyOpenStreams)
	})
}
