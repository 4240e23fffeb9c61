package keeper

import (
	"context"
	"fmt"
	"time"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/streamchain/streamchain/x/streaming/types"
)

// ExpireSubscriptions ends, earliest expiry first, at most
// params.max_expirations_per_block paid subscriptions whose expiry is at or
// before the block time, and returns how many it ended. The rest stay at
// the front of the queue for the next blocks; until then the queries
// already report them as not subscribed (Subscription.ActiveAt). Like
// PruneEndedStreams it reads the due entries first and writes after.
func (k *Keeper) ExpireSubscriptions(ctx context.Context) (int, error) {
	params, err := k.Params.Get(ctx)
	if err != nil {
		return 0, err
	}
	now := sdk.UnwrapSDKContext(ctx).BlockTime()
	due, err := k.dueToExpire(ctx, now, int(params.MaxExpirationsPerBlock))
	if err != nil {
		return 0, err
	}
	for _, e := range due {
		key := collections.Join(e.K2(), e.K3())
		sub, err := k.Subscriptions.Get(ctx, key)
		if err != nil {
			return 0, fmt.Errorf("subscription named by the expiry queue at %s: %w", e.K1(), err)
		}
		if err := k.endSubscription(ctx, key, sub); err != nil {
			return 0, err
		}
		if err := sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventSubscriptionExpired{
			Subscriber: sub.Subscriber, Broadcaster: sub.Broadcaster, ExpiresAt: e.K1(),
		}); err != nil {
			return 0, err
		}
	}
	return len(due), nil
}

// dueToExpire returns at most limit expiry entries at or before now,
// earliest first.
func (k *Keeper) dueToExpire(ctx context.Context, now time.Time, limit int) ([]collections.Triple[time.Time, sdk.AccAddress, sdk.AccAddress], error) {
	it, err := k.SubscriptionExpiries.Iterate(ctx, collections.NewPrefixUntilTripleRange[time.Time, sdk.AccAddress, sdk.AccAddress](now))
	if err != nil {
		return nil, err
	}
	defer it.Close()
	var due []collections.Triple[time.Time, sdk.AccAddress, sdk.AccAddress]
	for ; it.Valid() && len(due) < limit; it.Next() {
		key, err := it.Key()
		if err != nil {
			return nil, err
		}
		due = append(due, key)
	}
	return due, nil
}
