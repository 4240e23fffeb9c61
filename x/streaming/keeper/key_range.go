package keeper

import (
	"context"

	"cosmossdk.io/collections"
	collcodec "cosmossdk.io/collections/codec"
)

// rawIterable is what the SDK's collection pagination walks.
type rawIterable[K, V any] interface {
	IterateRaw(ctx context.Context, start, end []byte, order collections.Order) (collections.Iterator[K, V], error)
	KeyCodec() collcodec.KeyCodec[K]
}

// keyRange restricts an index to the raw keys in [lo, hi), so that the
// SDK's collection pagination walks only the part of the index a status
// filter can match. A nil bound is open.
type keyRange[K, V any] struct {
	rawIterable[K, V]
	lo, hi []byte
}

// IterateRaw narrows the requested raw range to the bounds.
func (r keyRange[K, V]) IterateRaw(ctx context.Context, start, end []byte, order collections.Order) (collections.Iterator[K, V], error) {
	if r.lo != nil && (start == nil || string(start) < string(r.lo)) {
		start = r.lo
	}
	if r.hi != nil && (end == nil || string(end) > string(r.hi)) {
		end = r.hi
	}
	return r.rawIterable.IterateRaw(ctx, start, end, order)
}

// encodePrefix is the raw key prefix of every index key that starts with p.
func encodePrefix[K1, K2 any](kc collcodec.KeyCodec[collections.Pair[K1, K2]], p K1) ([]byte, error) {
	return collections.EncodeKeyWithPrefix(nil, kc, collections.PairPrefix[K1, K2](p))
}
