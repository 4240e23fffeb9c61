package keeper

import (
	"context"
	"time"

	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/streamchain/streamchain/x/streaming/types"
)

// Subscribe follows a broadcaster, or renews a paid subscription. Under
// free terms a subscription never expires; under paid terms the price moves
// to the broadcaster and the subscription runs one period from the later of
// now and its current expiry. Every check comes before the payment, the
// first write.
func (m msgServer) Subscribe(ctx context.Context, msg *types.MsgSubscribe) (*types.MsgSubscribeResponse, error) {
	key, subscriberAddr, broadcasterAddr, err := m.k.subscriptionKey(msg.Subscriber, msg.Broadcaster)
	if err != nil {
		return nil, err
	}
	if key.K1().Equals(key.K2()) {
		return nil, errorsmod.Wrapf(types.ErrSelfSubscription, "%s", subscriberAddr)
	}
	if err := types.ValidateMaxPrice(msg.MaxPrice); err != nil {
		return nil, err
	}
	subscriber, err := m.k.getProfile(ctx, key.K1(), "subscriber")
	if err != nil {
		return nil, err
	}
	broadcaster, err := m.k.getProfile(ctx, key.K2(), "broadcaster")
	if err != nil {
		return nil, err
	}
	if blocked, err := m.k.isBlocked(ctx, key.K2(), key.K1()); err != nil {
		return nil, err
	} else if blocked {
		return nil, errorsmod.Wrapf(types.ErrBlocked, "%s has blocked %s", broadcasterAddr, subscriberAddr)
	}
	existing, err := m.k.Subscriptions.Get(ctx, key)
	found := err == nil
	if err != nil && !isNotFound(err) {
		return nil, err
	}
	terms, err := m.k.termsOf(ctx, key.K2(), broadcasterAddr)
	if err != nil {
		return nil, err
	}
	if found && existing.ExpiresAt == nil {
		// Nothing to renew: it never expires.
		return nil, errorsmod.Wrapf(types.ErrAlreadySubscribed, "%s already follows %s, without expiry", subscriberAddr, broadcasterAddr)
	}

	now := sdk.UnwrapSDKContext(ctx).BlockTime()
	sub := types.Subscription{Subscriber: subscriberAddr, Broadcaster: broadcasterAddr, Since: now}
	var before *time.Time // the expiry a renewal replaces
	if found {
		sub.Since, before = existing.Since, existing.ExpiresAt
	}
	var paid *sdk.Coin
	if !terms.Free() {
		if msg.MaxPrice == nil || msg.MaxPrice.Amount.LT(terms.Price.Amount) {
			agreed := "no max_price"
			if msg.MaxPrice != nil {
				agreed = "max_price " + msg.MaxPrice.String()
			}
			return nil, errorsmod.Wrapf(types.ErrPriceAboveMax, "%s charges %s per %s; the message carries %s", broadcasterAddr, terms.Price, terms.Period, agreed)
		}
		if err := m.k.pay(ctx, key.K1(), key.K2(), terms.Price, "the subscription price"); err != nil {
			return nil, err
		}
		expires := types.RenewalBase(now, before).Add(terms.Period)
		sub.ExpiresAt = &expires
		paid = &terms.Price
	}
	// Under free terms a renewal makes a paid subscription non-expiring.
	if err := m.k.putSubscription(ctx, key, before, sub); err != nil {
		return nil, err
	}
	if !found {
		subscriber.SubscriptionCount++
		broadcaster.SubscriberCount++
		if err := m.k.Profiles.Set(ctx, key.K1(), subscriber); err != nil {
			return nil, err
		}
		if err := m.k.Profiles.Set(ctx, key.K2(), broadcaster); err != nil {
			return nil, err
		}
	}
	return &types.MsgSubscribeResponse{ExpiresAt: sub.ExpiresAt}, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(
		&types.EventSubscribed{Subscriber: subscriberAddr, Broadcaster: broadcasterAddr, Paid: paid, ExpiresAt: sub.ExpiresAt, Renewed: found})
}

// Unsubscribe ends a subscription at once. A paid one is not refunded.
func (m msgServer) Unsubscribe(ctx context.Context, msg *types.MsgUnsubscribe) (*types.MsgUnsubscribeResponse, error) {
	key, subscriberAddr, broadcasterAddr, err := m.k.subscriptionKey(msg.Subscriber, msg.Broadcaster)
	if err != nil {
		return nil, err
	}
	sub, err := m.k.Subscriptions.Get(ctx, key)
	if isNotFound(err) {
		return nil, errorsmod.Wrapf(types.ErrNotSubscribed, "%s does not follow %s", subscriberAddr, broadcasterAddr)
	}
	if err != nil {
		return nil, err
	}
	if err := m.k.endSubscription(ctx, key, sub); err != nil {
		return nil, err
	}
	return &types.MsgUnsubscribeResponse{}, nil
}

// pay moves amount from one account to another through x/bank, after
// checking the payer can spend it, so that the refusal names what it was
// for.
func (k *Keeper) pay(ctx context.Context, from, to sdk.AccAddress, amount sdk.Coin, what string) error {
	if spendable := k.bank.SpendableCoin(ctx, from, amount.Denom); spendable.IsLT(amount) {
		return errorsmod.Wrapf(types.ErrInsufficientFunds, "%s is %s, and the account can spend %s", what, amount, spendable)
	}
	return k.bank.SendCoins(ctx, from, to, sdk.NewCoins(amount))
}
