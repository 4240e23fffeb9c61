package keeper

import (
	"context"
	"time"

	"cosmossdk.io/collections"

	storetypes "github.com/cosmos/cosmos-sdk/store/v2/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/streamchain/streamchain/x/streaming/types"
)

// A stream's status is a function of the block time, so no index can store
// it; the status queries instead read ranges of the time indexes relative to
// the block time:
//
//   - upcoming: start > now, a range of ByStart;
//   - ended:    end <= now, a range of ByEnd (or of the broadcaster's part
//     of ByBroadcasterEnd);
//   - live:     start <= now < end. Across all broadcasters, the streams that
//     started within the longest possible stream before now (ByStart),
//     filtered on their end; for one broadcaster, its streams that have not
//     ended (ByBroadcasterEnd), filtered on their start: at most
//     max_open_streams_per_broadcaster entries, since NewStream counts them.
//
// Upcoming for one broadcaster is the same short range filtered the other
// way.

type streamPage = func(types.Stream) types.StreamWithStatus

// streamsByStatus pages all broadcasters' streams with a status.
func (q queryServer) streamsByStatus(
	ctx context.Context, want types.StreamStatus, now time.Time, page *query.PageRequest, withStatus streamPage,
) ([]types.StreamWithStatus, *query.PageResponse, error) {
	after := now.Add(time.Nanosecond)
	if want == types.STREAM_STATUS_ENDED {
		idx := q.k.Streams.Indexes.ByEnd
		hi, err := encodePrefix(idx.KeyCodec(), after)
		if err != nil {
			return nil, nil, err
		}
		return pageIndex(ctx, q.k, keyRange[collections.Pair[time.Time, uint64], collections.NoValue]{idx, nil, hi},
			page, nil, withStatus)
	}

	idx := q.k.Streams.Indexes.ByStart
	r := keyRange[collections.Pair[time.Time, uint64], collections.NoValue]{rawIterable: idx}
	var keep func(types.Stream) bool
	var err error
	switch want {
	case types.STREAM_STATUS_UPCOMING:
		r.lo, err = encodePrefix(idx.KeyCodec(), after)
	case types.STREAM_STATUS_LIVE:
		if r.lo, err = encodePrefix(idx.KeyCodec(), now.Add(-types.MaxStreamDurationCeiling)); err == nil {
			r.hi, err = encodePrefix(idx.KeyCodec(), after)
		}
		keep = func(s types.Stream) bool { return s.EndTime.After(now) }
	}
	if err != nil {
		return nil, nil, err
	}
	return pageIndex(ctx, q.k, r, page, keep, withStatus)
}

// broadcasterStreamsByStatus pages one broadcaster's streams with a status,
// in end-time order.
func (q queryServer) broadcasterStreamsByStatus(
	ctx context.Context, broadcaster sdk.AccAddress, want types.StreamStatus, now time.Time, page *query.PageRequest, withStatus streamPage,
) ([]types.StreamWithStatus, *query.PageResponse, error) {
	idx := q.k.Streams.Indexes.ByBroadcasterEnd
	own := make([]byte, sdk.AccAddressKey.SizeNonTerminal(broadcaster))
	if _, err := sdk.AccAddressKey.EncodeNonTerminal(own, broadcaster); err != nil {
		return nil, nil, err
	}
	notEnded, err := encodePrefix(idx.KeyCodec(), collections.Join(broadcaster, now.Add(time.Nanosecond)))
	if err != nil {
		return nil, nil, err
	}
	r := keyRange[collections.Pair[collections.Pair[sdk.AccAddress, time.Time], uint64], collections.NoValue]{rawIterable: idx}
	var keep func(types.Stream) bool
	switch want {
	case types.STREAM_STATUS_ENDED:
		r.lo, r.hi = own, notEnded
	case types.STREAM_STATUS_UPCOMING:
		r.lo, r.hi = notEnded, storetypes.PrefixEndBytes(own)
		keep = func(s types.Stream) bool { return s.StartTime.After(now) }
	case types.STREAM_STATUS_LIVE:
		r.lo, r.hi = notEnded, storetypes.PrefixEndBytes(own)
		keep = func(s types.Stream) bool { return !s.StartTime.After(now) }
	}
	return pageIndex(ctx, q.k, r, page, keep, withStatus)
}

// indexKey is a key of one of the stream indexes: a reference part and the
// stream id.
type indexKey[R any] = collections.Pair[R, uint64]

// pageIndex pages the streams an index range names, keeping those keep
// accepts (all when keep is nil).
func pageIndex[R any](
	ctx context.Context, k *Keeper, r keyRange[indexKey[R], collections.NoValue], page *query.PageRequest,
	keep func(types.Stream) bool, withStatus streamPage,
) ([]types.StreamWithStatus, *query.PageResponse, error) {
	return query.CollectionFilteredPaginate(ctx, r, page,
		func(key indexKey[R], _ collections.NoValue) (bool, error) {
			if keep == nil {
				return true, nil
			}
			s, err := k.Streams.Get(ctx, key.K2())
			return err == nil && keep(s), err
		},
		func(key indexKey[R], _ collections.NoValue) (types.StreamWithStatus, error) {
			s, err := k.Streams.Get(ctx, key.K2())
			return withStatus(s), err
		})
}
