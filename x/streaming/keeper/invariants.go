package keeper

import (
	"context"
	"fmt"
	"time"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/streamchain/streamchain/x/streaming/types"
)

// CheckStreamIndexes verifies that the time indexes hold exactly one entry
// per stream, with the stream's own times and broadcaster, and that every
// broadcaster's open-stream count is the number of its streams that end
// after the time the count is kept at, and that a broadcaster without a
// count has no stream ending after now (the last block's time). Tests and
// the app simulation call it; it walks the whole state.
func (k *Keeper) CheckStreamIndexes(ctx context.Context, now time.Time) error {
	streams := make(map[uint64]types.Stream)
	if err := k.Streams.Walk(ctx, nil, func(id uint64, s types.Stream) (bool, error) {
		streams[id] = s
		return false, nil
	}); err != nil {
		return err
	}

	n := 0
	if err := k.Streams.Indexes.ByEnd.Walk(ctx, nil, func(end time.Time, id uint64) (bool, error) {
		n++
		s, ok := streams[id]
		if !ok || !s.EndTime.Equal(end) {
			return true, fmt.Errorf("end-time index entry (%s, %d) matches no stream", end, id)
		}
		return false, nil
	}); err != nil {
		return err
	}
	if n != len(streams) {
		return fmt.Errorf("end-time index has %d entries for %d streams", n, len(streams))
	}

	n = 0
	ends := make(map[string][]time.Time)
	if err := k.Streams.Indexes.ByBroadcasterEnd.Walk(ctx, nil, func(ref collections.Pair[sdk.AccAddress, time.Time], id uint64) (bool, error) {
		n++
		bc, err := k.addressCodec.BytesToString(ref.K1())
		if err != nil {
			return true, err
		}
		s, ok := streams[id]
		if !ok || s.Broadcaster != bc || !s.EndTime.Equal(ref.K2()) {
			return true, fmt.Errorf("broadcaster end-time index entry (%s, %s, %d) matches no stream", bc, ref.K2(), id)
		}
		ends[bc] = append(ends[bc], ref.K2())
		return false, nil
	}); err != nil {
		return err
	}
	if n != len(streams) {
		return fmt.Errorf("broadcaster end-time index has %d entries for %d streams", n, len(streams))
	}

	counted := make(map[string]bool)
	if err := k.OpenStreams.Walk(ctx, nil, func(addr sdk.AccAddress, rec collections.Pair[time.Time, uint64]) (bool, error) {
		bc, err := k.addressCodec.BytesToString(addr)
		if err != nil {
			return true, err
		}
		counted[bc] = true
		if got, want := rec.K2(), endingAfter(ends[bc], rec.K1()); got != want || got == 0 {
			return true, fmt.Errorf("%s: open-stream count %d as of %s, but %d of its streams end after that", bc, got, rec.K1(), want)
		}
		return false, nil
	}); err != nil {
		return err
	}
	for bc, e := range ends {
		if !counted[bc] && endingAfter(e, now) > 0 {
			return fmt.Errorf("%s has streams that have not ended but no open-stream count", bc)
		}
	}
	return nil
}

func endingAfter(ends []time.Time, t time.Time) uint64 {
	var n uint64
	for _, e := range ends {
		if e.After(t) {
			n++
		}
	}
	return n
}
