package simulation

import (
	"context"
	"errors"
	"time"

	"cosmossdk.io/collections"

	"github.com/cosmos/cosmos-sdk/testutil/simsx"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/streamchain/streamchain/x/streaming/keeper"
	"github.com/streamchain/streamchain/x/streaming/types"
)

// Lookups the factories use to find something to act on. Each walks only
// the part of the state it needs, in store order, so a run stays
// deterministic. A factory that gets an error skips: the error is the
// keeper's to report, on delivery or in the post-run checks.

// profiled is a simulation account together with its profile.
type profiled struct {
	acc     simsx.SimAccount
	profile types.Profile
}

// anyProfiled picks a random simulation account that has a profile for
// which keep (if given) is true, or skips with the reason none. It draws a
// few accounts first, which finds one at once while such profiles are
// common, and only then walks all profiles.
func anyProfiled(ctx context.Context, k *keeper.Keeper, testData *simsx.ChainDataSource, reporter simsx.SimulationReporter, keep func(types.Profile) bool, none string) (profiled, bool) {
	r := testData.Rand()
	for range 8 {
		acc := testData.AccountAt(reporter, r.Intn(testData.AccountsCount()))
		p, err := k.Profiles.Get(ctx, acc.Address)
		switch {
		case err == nil && (keep == nil || keep(p)):
			return profiled{acc: acc, profile: p}, true
		case err != nil && !errors.Is(err, collections.ErrNotFound):
			reporter.Skipf("read profile: %s", err)
			return profiled{}, false
		}
	}
	all, err := profiledAccounts(ctx, k, testData, reporter, keep)
	if err != nil {
		reporter.Skipf("list profiles: %s", err)
		return profiled{}, false
	}
	if len(all) == 0 {
		reporter.Skip(none)
		return profiled{}, false
	}
	return simsx.OneOf(r, all), true
}

// profiledAccounts lists the simulation accounts that have a profile for
// which keep (if given) is true.
func profiledAccounts(ctx context.Context, k *keeper.Keeper, testData *simsx.ChainDataSource, reporter simsx.SimulationReporter, keep func(types.Profile) bool) ([]profiled, error) {
	var out []profiled
	err := k.Profiles.Walk(ctx, nil, func(_ sdk.AccAddress, p types.Profile) (bool, error) {
		if testData.HasAccount(p.Address) && (keep == nil || keep(p)) {
			out = append(out, profiled{acc: testData.GetAccount(reporter, p.Address), profile: p})
		}
		return false, nil
	})
	return out, err
}

// openStreams lists the streams of simulation accounts that have not ended
// at block time now. Streams last at most types.MaxStreamDurationCeiling, so
// only the start-time index from now minus that far back can hold one.
func openStreams(ctx context.Context, k *keeper.Keeper, testData *simsx.ChainDataSource, now time.Time) ([]types.Stream, error) {
	from := collections.PairPrefix[time.Time, uint64](now.Add(-types.MaxStreamDurationCeiling))
	it, err := k.Streams.Indexes.ByStart.Iterate(ctx, new(collections.Range[collections.Pair[time.Time, uint64]]).StartInclusive(from))
	if err != nil {
		return nil, err
	}
	ids, err := it.PrimaryKeys()
	if err != nil {
		return nil, err
	}
	var out []types.Stream
	for _, id := range ids {
		s, err := k.Streams.Get(ctx, id)
		if err != nil {
			return nil, err
		}
		if s.EndTime.After(now) && testData.HasAccount(s.Broadcaster) {
			out = append(out, s)
		}
	}
	return out, nil
}

// streamIDsOf lists the ids of broadcaster's streams through the
// by-broadcaster index.
func streamIDsOf(ctx context.Context, k *keeper.Keeper, broadcaster sdk.AccAddress) ([]uint64, error) {
	it, err := k.Streams.Indexes.ByBroadcaster.MatchExact(ctx, broadcaster)
	if err != nil {
		return nil, err
	}
	return it.PrimaryKeys()
}

// subscriptionKeysOf lists subscriber's subscriptions (primary key prefix).
func subscriptionKeysOf(ctx context.Context, k *keeper.Keeper, subscriber sdk.AccAddress) ([]collections.Pair[sdk.AccAddress, sdk.AccAddress], error) {
	it, err := k.Subscriptions.Iterate(ctx, collections.NewPrefixedPairRange[sdk.AccAddress, sdk.AccAddress](subscriber))
	if err != nil {
		return nil, err
	}
	return it.Keys()
}

// subscriberKeysOf lists the subscriptions to broadcaster through the
// reverse index.
func subscriberKeysOf(ctx context.Context, k *keeper.Keeper, broadcaster sdk.AccAddress) ([]collections.Pair[sdk.AccAddress, sdk.AccAddress], error) {
	it, err := k.Subscriptions.Indexes.ByBroadcaster.MatchExact(ctx, broadcaster)
	if err != nil {
		return nil, err
	}
	return it.PrimaryKeys()
}
