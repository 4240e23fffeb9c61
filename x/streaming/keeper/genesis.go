package keeper

import (
	"context"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/streamchain/streamchain/x/streaming/types"
)

// InitGenesis writes a validated genesis state into the store.
func (k *Keeper) InitGenesis(ctx context.Context, gs *types.GenesisState) error {
	if err := gs.Validate(k.addressCodec); err != nil {
		return err
	}
	if err := k.Params.Set(ctx, gs.Params); err != nil {
		return err
	}
	for _, p := range gs.Profiles {
		addr, err := k.addressCodec.StringToBytes(p.Address)
		if err != nil {
			return err
		}
		if err := k.Profiles.Set(ctx, addr, p); err != nil {
			return err
		}
	}
	for _, s := range gs.Streams {
		if err := k.Streams.Set(ctx, s.Id, s); err != nil {
			return err
		}
	}
	// The open-stream counts are derived, as of the genesis block time.
	if err := k.rebuildOpenStreams(ctx, gs.Streams, sdk.UnwrapSDKContext(ctx).BlockTime()); err != nil {
		return err
	}
	for _, sub := range gs.Subscriptions {
		key, _, _, err := k.subscriptionKey(sub.Subscriber, sub.Broadcaster)
		if err != nil {
			return err
		}
		// The expiry queue is derived from the subscriptions.
		if err := k.putSubscription(ctx, key, nil, sub); err != nil {
			return err
		}
	}
	for _, t := range gs.SubscriptionTerms {
		addr, err := k.addressCodec.StringToBytes(t.Broadcaster)
		if err != nil {
			return err
		}
		if err := k.SubscriptionTerms.Set(ctx, addr, t); err != nil {
			return err
		}
	}
	for _, b := range gs.Blocks {
		key, _, _, err := k.blockKey(b.Broadcaster, b.Account)
		if err != nil {
			return err
		}
		if err := k.Blocks.Set(ctx, key, b); err != nil {
			return err
		}
	}
	return k.StreamSeq.Set(ctx, gs.NextStreamId)
}

// ExportGenesis reads the whole module state, including the id sequence.
func (k *Keeper) ExportGenesis(ctx context.Context) (*types.GenesisState, error) {
	params, err := k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	gs := &types.GenesisState{Params: params}

	if gs.Profiles, err = collectValues(ctx, k.Profiles); err != nil {
		return nil, err
	}
	if gs.Streams, err = collectValues(ctx, k.Streams); err != nil {
		return nil, err
	}
	if gs.Subscriptions, err = collectValues(ctx, k.Subscriptions); err != nil {
		return nil, err
	}
	if gs.SubscriptionTerms, err = collectValues(ctx, k.SubscriptionTerms); err != nil {
		return nil, err
	}
	if gs.Blocks, err = collectValues(ctx, k.Blocks); err != nil {
		return nil, err
	}
	if gs.NextStreamId, err = k.StreamSeq.Peek(ctx); err != nil {
		return nil, err
	}
	return gs, nil
}
