package simulation

import (
	"context"
	"errors"

	"cosmossdk.io/collections"
	"cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/testutil/simsx"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/streamchain/streamchain/x/streaming/keeper"
	"github.com/streamchain/streamchain/x/streaming/types"
)

// MsgSetSubscriptionTermsFactory sets a profile's price and period within
// the params; one time in four the price is zero (free again).
func MsgSetSubscriptionTermsFactory(k *keeper.Keeper) simsx.SimMsgFactoryFn[*types.MsgSetSubscriptionTerms] {
	return func(ctx context.Context, testData *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgSetSubscriptionTerms) {
		params, ok := getParams(ctx, k, reporter)
		if !ok {
			return nil, nil
		}
		bc, ok := anyProfiled(ctx, k, testData, reporter, nil, "no account has a profile")
		if !ok {
			return nil, nil
		}
		t := RandTerms(testData.Rand().Rand, params, bc.acc.AddressBech32, true)
		return []simsx.SimAccount{bc.acc}, &types.MsgSetSubscriptionTerms{Broadcaster: t.Broadcaster, Price: t.Price, Period: t.Period}
	}
}

// MsgTipFactory has an account tip a profile that has not blocked it, half
// the time naming one of the profile's streams.
func MsgTipFactory(k *keeper.Keeper) simsx.SimMsgFactoryFn[*types.MsgTip] {
	return func(ctx context.Context, testData *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgTip) {
		r := testData.Rand().Rand
		params, ok := getParams(ctx, k, reporter)
		if !ok {
			return nil, nil
		}
		bc, ok := anyProfiled(ctx, k, testData, reporter, nil, "no account has a profile")
		if !ok {
			return nil, nil
		}
		sender := testData.AnyAccount(reporter, simsx.ExcludeAccounts(bc.acc), simsx.WithSpendableBalance())
		if reporter.IsSkipped() {
			return nil, nil
		}
		if blocked, err := k.Blocks.Has(ctx, collections.Join(bc.acc.Address, sender.Address)); err != nil || blocked {
			reporter.Skip("the sender is blocked")
			return nil, nil
		}
		amount := sender.LiquidBalance().RandSubsetCoin(reporter, types.Denom)
		if reporter.IsSkipped() {
			return nil, nil
		}
		msg := &types.MsgTip{Sender: sender.AddressBech32, Broadcaster: bc.acc.AddressBech32, Amount: amount, Memo: randOptionalText(r, params.MaxMemoLength)}
		if r.Intn(2) == 0 {
			ids, err := streamIDsOf(ctx, k, bc.acc.Address)
			if err != nil {
				reporter.Skipf("list streams: %s", err)
				return nil, nil
			}
			if len(ids) > 0 {
				msg.StreamId = simsx.OneOf(testData.Rand(), ids)
			}
		}
		return []simsx.SimAccount{sender}, msg
	}
}

// MsgBlockFactory has a profile block an account it has not blocked yet.
func MsgBlockFactory(k *keeper.Keeper) simsx.SimMsgFactoryFn[*types.MsgBlock] {
	return func(ctx context.Context, testData *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgBlock) {
		params, ok := getParams(ctx, k, reporter)
		if !ok {
			return nil, nil
		}
		bc, ok := anyProfiled(ctx, k, testData, reporter, nil, "no account has a profile")
		if !ok {
			return nil, nil
		}
		account := testData.AnyAccount(reporter, simsx.ExcludeAccounts(bc.acc))
		if reporter.IsSkipped() {
			return nil, nil
		}
		if has, err := k.Blocks.Has(ctx, collections.Join(bc.acc.Address, account.Address)); err != nil || has {
			reporter.Skip("already blocked")
			return nil, nil
		}
		return []simsx.SimAccount{bc.acc}, &types.MsgBlock{
			Broadcaster: bc.acc.AddressBech32, Account: account.AddressBech32,
			Reason: randOptionalText(testData.Rand().Rand, params.MaxBlockReasonLength),
		}
	}
}

// MsgUnblockFactory lifts one of a profile's blocks.
func MsgUnblockFactory(k *keeper.Keeper) simsx.SimMsgFactoryFn[*types.MsgUnblock] {
	return func(ctx context.Context, testData *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgUnblock) {
		bc, ok := anyProfiled(ctx, k, testData, reporter, nil, "no account has a profile")
		if !ok {
			return nil, nil
		}
		it, err := k.Blocks.Iterate(ctx, collections.NewPrefixedPairRange[sdk.AccAddress, sdk.AccAddress](bc.acc.Address))
		if err != nil {
			reporter.Skipf("list blocks: %s", err)
			return nil, nil
		}
		keys, err := it.Keys()
		if err != nil || len(keys) == 0 {
			reporter.Skip("the profile has blocked no one")
			return nil, nil
		}
		account, err := k.AddressCodec().BytesToString(simsx.OneOf(testData.Rand(), keys).K2())
		if err != nil {
			reporter.Skipf("encode address: %s", err)
			return nil, nil
		}
		return []simsx.SimAccount{bc.acc}, &types.MsgUnblock{Broadcaster: bc.acc.AddressBech32, Account: account}
	}
}

// MsgSubscribeBlockedFactory has a blocked simulation account subscribe to
// the profile that blocked it; the keeper must refuse with ErrBlocked.
func MsgSubscribeBlockedFactory(k *keeper.Keeper) simsx.SimMsgFactoryX {
	return simsx.NewSimMsgFactoryWithDeliveryResultHandler(func(ctx context.Context, testData *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgSubscribe, simsx.SimDeliveryResultHandler) {
		var found *collections.Pair[sdk.AccAddress, sdk.AccAddress]
		err := k.Blocks.Walk(ctx, nil, func(key collections.Pair[sdk.AccAddress, sdk.AccAddress], b types.Block) (bool, error) {
			if !testData.HasAccount(b.Account) {
				return false, nil
			}
			// The subscriber needs a profile, or the refusal would be
			// ErrProfileNotFound.
			has, err := k.Profiles.Has(ctx, key.K2())
			if has {
				found = &key
			}
			return has, err
		})
		if err != nil || found == nil {
			reporter.Skip("no blocked simulation account with a profile")
			return nil, nil, nil
		}
		sub := testData.GetAccountbyAccAddr(reporter, found.K2())
		bc, err := k.AddressCodec().BytesToString(found.K1())
		if err != nil || reporter.IsSkipped() {
			reporter.Skip("encode address")
			return nil, nil, nil
		}
		return []simsx.SimAccount{sub}, &types.MsgSubscribe{Subscriber: sub.AddressBech32, Broadcaster: bc}, expectError(types.ErrBlocked)
	})
}

// MsgSubscribeAboveMaxFactory subscribes to a priced broadcaster agreeing
// to pay one ustream less than its price; the keeper must refuse with
// ErrPriceAboveMax.
func MsgSubscribeAboveMaxFactory(k *keeper.Keeper) simsx.SimMsgFactoryX {
	return simsx.NewSimMsgFactoryWithDeliveryResultHandler(func(ctx context.Context, testData *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgSubscribe, simsx.SimDeliveryResultHandler) {
		for range 5 {
			sub, bc, ok := anyPair(ctx, k, testData, reporter)
			if !ok {
				return nil, nil, nil
			}
			if usable, ok := canSubscribe(ctx, k, reporter, sub, bc); !ok {
				return nil, nil, nil
			} else if !usable {
				continue
			}
			terms, err := k.SubscriptionTerms.Get(ctx, bc.acc.Address)
			if errors.Is(err, collections.ErrNotFound) {
				continue
			}
			if err != nil {
				reporter.Skipf("read terms: %s", err)
				return nil, nil, nil
			}
			less := terms.Price.SubAmount(math.OneInt())
			return []simsx.SimAccount{sub.acc}, &types.MsgSubscribe{
				Subscriber: sub.acc.AddressBech32, Broadcaster: bc.acc.AddressBech32, MaxPrice: &less,
			}, expectError(types.ErrPriceAboveMax)
		}
		reporter.Skip("drew no pair that could subscribe to a priced broadcaster")
		return nil, nil, nil
	})
}

// MsgBlockSelfFactory has a profile block itself; the keeper must refuse
// with ErrSelfBlock.
func MsgBlockSelfFactory(k *keeper.Keeper) simsx.SimMsgFactoryX {
	return simsx.NewSimMsgFactoryWithDeliveryResultHandler(func(ctx context.Context, testData *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgBlock, simsx.SimDeliveryResultHandler) {
		p, ok := anyProfiled(ctx, k, testData, reporter, nil, "no account has a profile")
		if !ok {
			return nil, nil, nil
		}
		return []simsx.SimAccount{p.acc}, &types.MsgBlock{Broadcaster: p.acc.AddressBech32, Account: p.acc.AddressBech32}, expectError(types.ErrSelfBlock)
	})
}

// MsgTipOtherDenomFactory tips in a denomination other than ustream; the
// keeper must refuse with ErrInvalidDenom.
func MsgTipOtherDenomFactory(k *keeper.Keeper) simsx.SimMsgFactoryX {
	return simsx.NewSimMsgFactoryWithDeliveryResultHandler(func(ctx context.Context, testData *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgTip, simsx.SimDeliveryResultHandler) {
		bc, ok := anyProfiled(ctx, k, testData, reporter, nil, "no account has a profile")
		if !ok {
			return nil, nil, nil
		}
		sender := testData.AnyAccount(reporter, simsx.ExcludeAccounts(bc.acc))
		if reporter.IsSkipped() {
			return nil, nil, nil
		}
		return []simsx.SimAccount{sender}, &types.MsgTip{
			Sender: sender.AddressBech32, Broadcaster: bc.acc.AddressBech32, Amount: sdk.NewInt64Coin("uother", 1),
		}, expectError(types.ErrInvalidDenom)
	})
}
