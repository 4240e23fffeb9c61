package keeper

import (
	"context"
	"fmt"
	"time"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/streamchain/streamchain/x/streaming/types"
)

// CheckSubscriptionExpiries verifies that the expiry queue holds exactly
// one entry per paid subscription, at its expiry, and none for a free one;
// and that no blocked account is subscribed to the broadcaster that blocked
// it. Tests and the app simulation call it; it walks the whole state.
func (k *Keeper) CheckSubscriptionExpiries(ctx context.Context) error {
	paid := 0
	if err := k.Subscriptions.Walk(ctx, nil, func(key subKey, sub types.Subscription) (bool, error) {
		blocked, err := k.isBlocked(ctx, key.K2(), key.K1())
		if err != nil {
			return true, err
		}
		if blocked {
			return true, fmt.Errorf("%s is subscribed to %s, who blocked it", sub.Subscriber, sub.Broadcaster)
		}
		if sub.ExpiresAt == nil {
			return false, nil
		}
		paid++
		has, err := k.SubscriptionExpiries.Has(ctx, expiryKey(*sub.ExpiresAt, key))
		if err != nil {
			return true, err
		}
		if !has {
			return true, fmt.Errorf("subscription %s -> %s expiring at %s has no expiry queue entry", sub.Subscriber, sub.Broadcaster, sub.ExpiresAt)
		}
		return false, nil
	}); err != nil {
		return err
	}
	entries := 0
	if err := k.SubscriptionExpiries.Walk(ctx, nil, func(e collections.Triple[time.Time, sdk.AccAddress, sdk.AccAddress]) (bool, error) {
		entries++
		sub, err := k.Subscriptions.Get(ctx, collections.Join(e.K2(), e.K3()))
		if err != nil {
			return true, fmt.Errorf("expiry queue entry at %s names no subscription: %w", e.K1(), err)
		}
		if sub.ExpiresAt == nil || !sub.ExpiresAt.Equal(e.K1()) {
			return true, fmt.Errorf("expiry queue entry at %s for %s -> %s, but the subscription expires at %v", e.K1(), sub.Subscriber, sub.Broadcaster, sub.ExpiresAt)
		}
		return false, nil
	}); err != nil {
		return err
	}
	if entries != paid {
		return fmt.Errorf("expiry queue has %d entries for %d paid subscriptions", entries, paid)
	}
	return nil
}
