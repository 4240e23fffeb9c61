package keeper

import (
	"context"
	"time"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/streamchain/streamchain/x/streaming/types"
)

// subscriptionKey of a stored subscription: (subscriber, broadcaster).
type subKey = collections.Pair[sdk.AccAddress, sdk.AccAddress]

// expiryKey is a paid subscription's entry in the expiry queue.
func expiryKey(at time.Time, key subKey) collections.Triple[time.Time, sdk.AccAddress, sdk.AccAddress] {
	return collections.Join3(at, key.K1(), key.K2())
}

// putSubscription stores sub under key and keeps the expiry queue in step:
// the entry of the expiry it replaces (before, if any) goes, the new one
// comes. Every write of a subscription goes through here.
func (k *Keeper) putSubscription(ctx context.Context, key subKey, before *time.Time, sub types.Subscription) error {
	if before != nil {
		if err := k.SubscriptionExpiries.Remove(ctx, expiryKey(*before, key)); err != nil {
			return err
		}
	}
	if sub.ExpiresAt != nil {
		if err := k.SubscriptionExpiries.Set(ctx, expiryKey(*sub.ExpiresAt, key)); err != nil {
			return err
		}
	}
	return k.Subscriptions.Set(ctx, key, sub)
}

// endSubscription removes a subscription with its expiry entry, takes it
// off both profiles' counters and emits EventUnsubscribed, the event that
// ends access (signalingd cuts the viewer on it). Unsubscribe, blocks and
// expiry share it.
func (k *Keeper) endSubscription(ctx context.Context, key subKey, sub types.Subscription) error {
	subscriber, err := k.getProfile(ctx, key.K1(), "subscriber")
	if err != nil {
		return err
	}
	broadcaster, err := k.getProfile(ctx, key.K2(), "broadcaster")
	if err != nil {
		return err
	}
	if sub.ExpiresAt != nil {
		if err := k.SubscriptionExpiries.Remove(ctx, expiryKey(*sub.ExpiresAt, key)); err != nil {
			return err
		}
	}
	if err := k.Subscriptions.Remove(ctx, key); err != nil {
		return err
	}
	subscriber.SubscriptionCount--
	broadcaster.SubscriberCount--
	if err := k.Profiles.Set(ctx, key.K1(), subscriber); err != nil {
		return err
	}
	if err := k.Profiles.Set(ctx, key.K2(), broadcaster); err != nil {
		return err
	}
	return sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(
		&types.EventUnsubscribed{Subscriber: sub.Subscriber, Broadcaster: sub.Broadcaster})
}

// termsOf returns a broadcaster's subscription terms; free terms when it
// has set none.
func (k *Keeper) termsOf(ctx context.Context, broadcaster sdk.AccAddress, broadcasterAddr string) (types.SubscriptionTerms, error) {
	t, err := k.SubscriptionTerms.Get(ctx, broadcaster)
	if err == nil {
		return t, nil
	}
	if !isNotFound(err) {
		return types.SubscriptionTerms{}, err
	}
	return types.SubscriptionTerms{Broadcaster: broadcasterAddr, Price: sdk.NewInt64Coin(types.Denom, 0)}, nil
}

// isBlocked reports whether broadcaster has blocked account.
func (k *Keeper) isBlocked(ctx context.Context, broadcaster, account sdk.AccAddress) (bool, error) {
	return k.Blocks.Has(ctx, collections.Join(broadcaster, account))
}
