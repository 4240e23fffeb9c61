package keeper

import (
	"context"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/streamchain/streamchain/x/streaming/types"
)

// iterable is any collection that can be walked in key order.
type iterable[K, V any] interface {
	Iterate(ctx context.Context, r collections.Ranger[K]) (collections.Iterator[K, V], error)
}

// collectValues reads every value of a collection; only genesis export uses
// it, since it is O(n).
func collectValues[K, V any](ctx context.Context, c iterable[K, V]) ([]V, error) {
	it, err := c.Iterate(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer it.Close()
	return it.Values()
}

// parseAddress decodes a bech32 account address, naming the field on failure.
func (k *Keeper) parseAddress(field, s string) (sdk.AccAddress, error) {
	addr, _, err := k.canonicalAddress(field, s)
	return addr, err
}

// canonicalAddress decodes a bech32 account address and returns it with its
// canonical (lower-case) spelling. Bech32 also accepts the all-upper-case
// spelling of the same key; only the canonical one is ever stored or
// compared, so that one account has one spelling in state, events and
// genesis.
func (k *Keeper) canonicalAddress(field, s string) (sdk.AccAddress, string, error) {
	if s == "" {
		return nil, "", errorsmod.Wrapf(types.ErrInvalidAddress, "%s is empty", field)
	}
	addr, err := k.addressCodec.StringToBytes(s)
	if err != nil {
		return nil, "", errorsmod.Wrapf(types.ErrInvalidAddress, "%s %q: %v", field, s, err)
	}
	canonical, err := k.addressCodec.BytesToString(addr)
	if err != nil {
		return nil, "", errorsmod.Wrapf(types.ErrInvalidAddress, "%s %q: %v", field, s, err)
	}
	return addr, canonical, nil
}

// subscriptionKey is the primary key (subscriber, broadcaster), with the
// canonical spelling of both addresses.
func (k *Keeper) subscriptionKey(subscriber, broadcaster string) (key collections.Pair[sdk.AccAddress, sdk.AccAddress], subscriberAddr, broadcasterAddr string, err error) {
	return k.addressPair("subscriber", subscriber, "broadcaster", broadcaster)
}

// blockKey is the primary key (broadcaster, account) of a block, with the
// canonical spelling of both addresses.
func (k *Keeper) blockKey(broadcaster, account string) (key collections.Pair[sdk.AccAddress, sdk.AccAddress], broadcasterAddr, accountAddr string, err error) {
	return k.addressPair("broadcaster", broadcaster, "account", account)
}

// addressPair decodes two addresses into a pair key.
func (k *Keeper) addressPair(field1, s1, field2, s2 string) (key collections.Pair[sdk.AccAddress, sdk.AccAddress], addr1, addr2 string, err error) {
	a1, addr1, err := k.canonicalAddress(field1, s1)
	if err != nil {
		return key, "", "", err
	}
	a2, addr2, err := k.canonicalAddress(field2, s2)
	if err != nil {
		return key, "", "", err
	}
	return collections.Join(a1, a2), addr1, addr2, nil
}

// getProfile returns the profile of addr or ErrProfileNotFound.
func (k *Keeper) getProfile(ctx context.Context, addr sdk.AccAddress, who string) (types.Profile, error) {
	p, err := k.Profiles.Get(ctx, addr)
	if errorsmod.IsOf(err, collections.ErrNotFound) {
		return types.Profile{}, errorsmod.Wrapf(types.ErrProfileNotFound, "%s has no profile", who)
	}
	return p, err
}

// getOwnStream returns the stream id if it exists and belongs to broadcaster.
func (k *Keeper) getOwnStream(ctx context.Context, id uint64, broadcaster string) (types.Stream, error) {
	s, err := k.Streams.Get(ctx, id)
	if errorsmod.IsOf(err, collections.ErrNotFound) {
		return types.Stream{}, k.errMissingStream(ctx, id)
	}
	if err != nil {
		return types.Stream{}, err
	}
	if s.Broadcaster != broadcaster {
		return types.Stream{}, errorsmod.Wrapf(types.ErrUnauthorized, "stream %d belongs to %s", id, s.Broadcaster)
	}
	return s, nil
}

// isNotFound reports whether err says a collection has no such key.
func isNotFound(err error) bool {
	return errorsmod.IsOf(err, collections.ErrNotFound)
}
