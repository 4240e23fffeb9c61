package keeper

import (
	"context"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/streamchain/streamchain/x/streaming/types"
)

// SetSubscriptionTerms sets the sender's price and period; a zero price
// deletes the terms, making subscriptions free again. Existing
// subscriptions keep the expiry they were paid for.
func (m msgServer) SetSubscriptionTerms(ctx context.Context, msg *types.MsgSetSubscriptionTerms) (*types.MsgSetSubscriptionTermsResponse, error) {
	broadcaster, broadcasterAddr, err := m.k.canonicalAddress("broadcaster", msg.Broadcaster)
	if err != nil {
		return nil, err
	}
	params, err := m.k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	terms := types.SubscriptionTerms{Broadcaster: broadcasterAddr, Price: msg.Price, Period: msg.Period}
	if err := terms.ValidateNew(params); err != nil {
		return nil, err
	}
	if _, err := m.k.getProfile(ctx, broadcaster, "broadcaster"); err != nil {
		return nil, err
	}
	if terms.Free() {
		terms.Period = 0
		err = m.k.SubscriptionTerms.Remove(ctx, broadcaster)
	} else {
		err = m.k.SubscriptionTerms.Set(ctx, broadcaster, terms)
	}
	if err != nil {
		return nil, err
	}
	return &types.MsgSetSubscriptionTermsResponse{}, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(
		&types.EventSubscriptionTermsSet{Broadcaster: broadcasterAddr, Price: terms.Price, Period: terms.Period})
}

// Tip sends an amount to a broadcaster, optionally naming one of its
// streams.
func (m msgServer) Tip(ctx context.Context, msg *types.MsgTip) (*types.MsgTipResponse, error) {
	sender, senderAddr, err := m.k.canonicalAddress("sender", msg.Sender)
	if err != nil {
		return nil, err
	}
	broadcaster, broadcasterAddr, err := m.k.canonicalAddress("broadcaster", msg.Broadcaster)
	if err != nil {
		return nil, err
	}
	if sender.Equals(broadcaster) {
		return nil, errorsmod.Wrapf(types.ErrSelfTip, "%s", senderAddr)
	}
	if err := types.ValidatePayment("amount", msg.Amount); err != nil {
		return nil, err
	}
	params, err := m.k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	if err := types.ValidateMemo(params, msg.Memo); err != nil {
		return nil, err
	}
	if _, err := m.k.getProfile(ctx, broadcaster, "broadcaster"); err != nil {
		return nil, err
	}
	if msg.StreamId != 0 {
		if _, err := m.k.getOwnStream(ctx, msg.StreamId, broadcasterAddr); err != nil {
			return nil, err
		}
	}
	if blocked, err := m.k.isBlocked(ctx, broadcaster, sender); err != nil {
		return nil, err
	} else if blocked {
		return nil, errorsmod.Wrapf(types.ErrBlocked, "%s has blocked %s", broadcasterAddr, senderAddr)
	}
	if err := m.k.pay(ctx, sender, broadcaster, msg.Amount, "the tip"); err != nil {
		return nil, err
	}
	return &types.MsgTipResponse{}, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventTip{
		Sender: senderAddr, Broadcaster: broadcasterAddr, Amount: msg.Amount, StreamId: msg.StreamId, Memo: msg.Memo,
	})
}

// Block keeps an account out: it cannot subscribe to or tip the sender, and
// its subscription to the sender ends at once (EventUnsubscribed beside
// EventBlocked, so that signalingd cuts it).
func (m msgServer) Block(ctx context.Context, msg *types.MsgBlock) (*types.MsgBlockResponse, error) {
	key, broadcasterAddr, accountAddr, err := m.k.blockKey(msg.Broadcaster, msg.Account)
	if err != nil {
		return nil, err
	}
	if key.K1().Equals(key.K2()) {
		return nil, errorsmod.Wrapf(types.ErrSelfBlock, "%s", broadcasterAddr)
	}
	params, err := m.k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	if err := types.ValidateReason(params, msg.Reason); err != nil {
		return nil, err
	}
	if _, err := m.k.getProfile(ctx, key.K1(), "broadcaster"); err != nil {
		return nil, err
	}
	if has, err := m.k.Blocks.Has(ctx, key); err != nil {
		return nil, err
	} else if has {
		return nil, errorsmod.Wrapf(types.ErrAlreadyBlocked, "%s has already blocked %s", broadcasterAddr, accountAddr)
	}

	subKey := collections.Join(key.K2(), key.K1())
	sub, err := m.k.Subscriptions.Get(ctx, subKey)
	subscribed := err == nil
	if err != nil && !isNotFound(err) {
		return nil, err
	}
	if subscribed {
		if err := m.k.endSubscription(ctx, subKey, sub); err != nil {
			return nil, err
		}
	}
	block := types.Block{Broadcaster: broadcasterAddr, Account: accountAddr, Reason: msg.Reason, Since: sdk.UnwrapSDKContext(ctx).BlockTime()}
	if err := m.k.Blocks.Set(ctx, key, block); err != nil {
		return nil, err
	}
	return &types.MsgBlockResponse{}, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventBlocked{
		Broadcaster: broadcasterAddr, Account: accountAddr, Reason: msg.Reason, Unsubscribed: subscribed,
	})
}

// Unblock lifts a block; the account may subscribe and tip again.
func (m msgServer) Unblock(ctx context.Context, msg *types.MsgUnblock) (*types.MsgUnblockResponse, error) {
	key, broadcasterAddr, accountAddr, err := m.k.blockKey(msg.Broadcaster, msg.Account)
	if err != nil {
		return nil, err
	}
	if has, err := m.k.Blocks.Has(ctx, key); err != nil {
		return nil, err
	} else if !has {
		return nil, errorsmod.Wrapf(types.ErrNotBlocked, "%s has not blocked %s", broadcasterAddr, accountAddr)
	}
	if err := m.k.Blocks.Remove(ctx, key); err != nil {
		return nil, err
	}
	return &types.MsgUnblockResponse{}, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(
		&types.EventUnblocked{Broadcaster: broadcasterAddr, Account: accountAddr})
}
