package keeper

import (
	"context"
	"fmt"
	"time"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/streamchain/streamchain/x/streaming/types"
)

// A broadcaster's open streams are those that have not ended (upcoming or
// live); params.max_open_streams_per_broadcaster bounds them. Time ends a
// stream without any message, so the count is stored with the time it is
// true at, asOf: it is the number of the broadcaster's streams whose end
// time is after asOf. Bringing it up to date walks the broadcaster's part
// of ByBroadcasterEnd over (asOf, now], which holds only streams that were
// open at asOf (so at most the cap of them), and each stream is walked once
// in its life: NewStream costs O(log n), amortized O(1) index reads.
//
// A broadcaster without an entry has no stream that ends after the block
// time; the entry is removed when its count drops to zero.

// OpenStreamsAt returns how many of the broadcaster's streams have not ended
// at now. It only reads; NewStream stores the count it brings up to date.
func (k *Keeper) OpenStreamsAt(ctx context.Context, broadcaster sdk.AccAddress, now time.Time) (uint64, error) {
	rec, err := k.OpenStreams.Get(ctx, broadcaster)
	if errorsmod.IsOf(err, collections.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	asOf, n := rec.K1(), rec.K2()
	if !now.After(asOf) {
		return n, nil
	}
	from := collections.Join(collections.Join(broadcaster, asOf.Add(time.Nanosecond)), uint64(0))
	to := collections.Join(collections.Join(broadcaster, now.Add(time.Nanosecond)), uint64(0))
	it, err := k.Streams.Indexes.ByBroadcasterEnd.Iterate(ctx,
		new(collections.Range[collections.Pair[collections.Pair[sdk.AccAddress, time.Time], uint64]]).
			StartInclusive(from).EndExclusive(to))
	if err != nil {
		return 0, err
	}
	defer it.Close()
	for ; it.Valid(); it.Next() {
		if n == 0 {
			return 0, fmt.Errorf("open stream count of %s is below the streams its index holds: the state is inconsistent", broadcaster)
		}
		n--
	}
	return n, nil
}

// reserveOpenStream counts a new open stream of the broadcaster, or refuses
// it with ErrTooManyOpenStreams. It writes nothing when it refuses.
func (k *Keeper) reserveOpenStream(ctx context.Context, broadcaster sdk.AccAddress, params types.Params, now time.Time) error {
	n, err := k.OpenStreamsAt(ctx, broadcaster, now)
	if err != nil {
		return err
	}
	if n >= uint64(params.MaxOpenStreamsPerBroadcaster) {
		return errorsmod.Wrapf(types.ErrTooManyOpenStreams,
			"the broadcaster has %d streams that have not ended, the maximum is %d; delete one or wait until one ends", n, params.MaxOpenStreamsPerBroadcaster)
	}
	return k.OpenStreams.Set(ctx, broadcaster, collections.Join(now, n+1))
}

// releaseOpenStream uncounts a stream that leaves the store, if it is among
// those the stored count includes.
func (k *Keeper) releaseOpenStream(ctx context.Context, broadcaster sdk.AccAddress, s types.Stream) error {
	rec, err := k.OpenStreams.Get(ctx, broadcaster)
	if errorsmod.IsOf(err, collections.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	asOf, n := rec.K1(), rec.K2()
	if !s.EndTime.After(asOf) {
		return nil
	}
	if n <= 1 {
		return k.OpenStreams.Remove(ctx, broadcaster)
	}
	return k.OpenStreams.Set(ctx, broadcaster, collections.Join(asOf, n-1))
}

// rebuildOpenStreams derives the counts from the streams, as of now;
// genesis import calls it instead of carrying the counts.
func (k *Keeper) rebuildOpenStreams(ctx context.Context, streams []types.Stream, now time.Time) error {
	counts := make(map[string]uint64)
	for _, s := range streams {
		if s.EndTime.After(now) {
			counts[s.Broadcaster]++
		}
	}
	for _, s := range streams {
		n, ok := counts[s.Broadcaster]
		if !ok {
			continue
		}
		delete(counts, s.Broadcaster)
		addr, err := k.addressCodec.StringToBytes(s.Broadcaster)
		if err != nil {
			return err
		}
		if err := k.OpenStreams.Set(ctx, addr, collections.Join(now, n)); err != nil {
			return err
		}
	}
	return nil
}
