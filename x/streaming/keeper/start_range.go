package keeper

import (
	"context"
	"time"

	"cosmossdk.io/collections"
	"cosmossdk.io/collections/indexes"

	"github.com/streamchain/streamchain/x/streaming/types"
)

// startRange restricts the start-time index to [lo, hi) so that the SDK's
// collection pagination only walks the part of the index a status filter
// can match. A nil bound is open.
type startRange struct {
	*indexes.Multi[time.Time, uint64, types.Stream]
	lo, hi *time.Time
}

// IterateRaw narrows the requested raw range to the time bounds.
func (r startRange) IterateRaw(ctx context.Context, start, end []byte, order collections.Order) (collections.Iterator[collections.Pair[time.Time, uint64], collections.NoValue], error) {
	kc := r.KeyCodec()
	if r.lo != nil {
		lo, err := collections.EncodeKeyWithPrefix(nil, kc, collections.PairPrefix[time.Time, uint64](*r.lo))
		if err != nil {
			return collections.Iterator[collections.Pair[time.Time, uint64], collections.NoValue]{}, err
		}
		if start == nil || string(start) < string(lo) {
			start = lo
		}
	}
	if r.hi != nil {
		hi, err := collections.EncodeKeyWithPrefix(nil, kc, collections.PairPrefix[time.Time, uint64](*r.hi))
		if err != nil {
			return collections.Iterator[collections.Pair[time.Time, uint64], collections.NoValue]{}, err
		}
		if end == nil || string(end) > string(hi) {
			end = hi
		}
	}
	return r.Multi.IterateRaw(ctx, start, end, order)
}
