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

// PruneEndedStreams removes, oldest end time first, at most
// params.max_prunes_per_block streams that ended at least
// params.ended_stream_retention before the block time, and returns how many
// it removed. The rest stay at the front of the queue for the next blocks.
// It reads the due ids first and writes after, as x/gov walks its queues:
// the index must not change under an open iterator.
func (k *Keeper) PruneEndedStreams(ctx context.Context) (int, error) {
	params, err := k.Params.Get(ctx)
	if err != nil {
		return 0, err
	}
	now := sdk.UnwrapSDKContext(ctx).BlockTime()
	due, err := k.dueForPruning(ctx, now.Add(-params.EndedStreamRetention), int(params.MaxPrunesPerBlock))
	if err != nil {
		return 0, err
	}
	for _, id := range due {
		s, err := k.Streams.Get(ctx, id)
		if err != nil {
			return 0, fmt.Errorf("stream %d named by the end-time index: %w", id, err)
		}
		if err := k.removeStream(ctx, s); err != nil {
			return 0, err
		}
		if err := sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(
			&types.EventStreamPruned{StreamId: s.Id, Broadcaster: s.Broadcaster, EndTime: s.EndTime}); err != nil {
			return 0, err
		}
	}
	return len(due), nil
}

// dueForPruning returns the ids of at most limit streams that ended at or
// before cutoff, oldest first.
func (k *Keeper) dueForPruning(ctx context.Context, cutoff time.Time, limit int) ([]uint64, error) {
	it, err := k.Streams.Indexes.ByEnd.Iterate(ctx, collections.NewPrefixUntilPairRange[time.Time, uint64](cutoff))
	if err != nil {
		return nil, err
	}
	defer it.Close()
	var ids []uint64
	for ; it.Valid() && len(ids) < limit; it.Next() {
		id, err := it.PrimaryKey()
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// removeStream deletes a stream with its index entries and takes it off
// its broadcaster's counters; DeleteStream and pruning share it.
func (k *Keeper) removeStream(ctx context.Context, s types.Stream) error {
	broadcaster, err := k.addressCodec.StringToBytes(s.Broadcaster)
	if err != nil {
		return err
	}
	profile, err := k.getProfile(ctx, broadcaster, "broadcaster")
	if err != nil {
		return err
	}
	if err := k.Streams.Remove(ctx, s.Id); err != nil {
		return err
	}
	if err := k.releaseOpenStream(ctx, broadcaster, s); err != nil {
		return err
	}
	profile.StreamCount--
	return k.Profiles.Set(ctx, broadcaster, profile)
}

// missingStream says why no stream has an id: ids are never reused, so an
// id below the sequence was a stream that is gone. Telling a deleted stream
// from a pruned one would need a record per stream that outlives it.
func (k *Keeper) missingStream(ctx context.Context, id uint64) string {
	next, err := k.StreamSeq.Peek(ctx)
	if err == nil && id >= next {
		return fmt.Sprintf("stream %d not found: no stream has had this id yet", id)
	}
	retention := ""
	if p, err := k.Params.Get(ctx); err == nil {
		retention = " " + humanDuration(p.EndedStreamRetention)
	}
	return fmt.Sprintf("stream %d not found: it was deleted by its broadcaster, or pruned%s after it ended", id, retention)
}

// errMissingStream is ErrStreamNotFound with missingStream's sentence.
func (k *Keeper) errMissingStream(ctx context.Context, id uint64) error {
	return errorsmod.Wrap(types.ErrStreamNotFound, k.missingStream(ctx, id))
}

// humanDuration writes whole days as days ("30 days"), anything else as Go
// does ("90m0s").
func humanDuration(d time.Duration) string {
	const day = 24 * time.Hour
	switch {
	case d == day:
		return "1 day"
	case d > 0 && d%day == 0:
		return fmt.Sprintf("%d days", d/day)
	default:
		return d.String()
	}
}
