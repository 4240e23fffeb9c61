package keeper_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	testkeeper "github.com/streamchain/streamchain/testutil/keeper"
	"github.com/streamchain/streamchain/x/streaming/types"
)

func TestOpenStreamsPerBroadcasterAreCapped(t *testing.T) {
	f := testkeeper.NewFixture(t)
	setParams(t, f, func(p *types.Params) { p.MaxOpenStreamsPerBroadcaster = 3 })
	alice, bob := f.Addr(t, "alice"), f.Addr(t, "bob")
	createProfile(t, f, alice, "Alice")
	createProfile(t, f, bob, "Bob")
	tryNew := func(who string, startIn, length time.Duration) (uint64, error) {
		start := f.Ctx.BlockTime().Add(startIn)
		res, err := f.Msgs.NewStream(f.Ctx, &types.MsgNewStream{Broadcaster: who, Title: "s", StartTime: start, EndTime: start.Add(length)})
		if err != nil {
			return 0, err
		}
		return res.StreamId, nil
	}
	refused := func(who string) {
		t.Helper()
		requireRejected(t, f, types.ErrTooManyOpenStreams, func() error {
			_, err := tryNew(who, time.Hour, time.Hour)
			return err
		})
		require.NoError(t, f.Keeper.CheckStreamIndexes(f.Ctx, f.Ctx.BlockTime()))
	}

	// One live from the start (start = block time) and two upcoming: all
	// three count.
	live := newStream(t, f, alice, "live now", 0, 30*time.Minute)
	short := newStream(t, f, alice, "short", time.Minute, time.Minute)
	later := newStream(t, f, alice, "later", 2*time.Hour, time.Hour)
	refused(alice)
	// The cap is per broadcaster.
	newStream(t, f, bob, "bob's", time.Hour, time.Hour)

	// Deleting one frees a place, once.
	_, err := f.Msgs.DeleteStream(f.Ctx, &types.MsgDeleteStream{Broadcaster: alice, StreamId: later})
	require.NoError(t, err)
	_, err = tryNew(alice, 3*time.Hour, time.Hour)
	require.NoError(t, err)
	refused(alice)

	// Time ends "short" (and no message does): one place again.
	f.At(f.Ctx.BlockTime().Add(2 * time.Minute))
	_, err = tryNew(alice, time.Hour, time.Hour)
	require.NoError(t, err)
	refused(alice)

	// Deleting an ended stream frees nothing: it no longer counted.
	_, err = f.Msgs.DeleteStream(f.Ctx, &types.MsgDeleteStream{Broadcaster: alice, StreamId: short})
	require.NoError(t, err)
	refused(alice)

	// Editing keeps the count: a stream moved later is still open.
	_, err = f.Msgs.EditStream(f.Ctx, &types.MsgEditStream{Broadcaster: alice, StreamId: live, UpdateMask: []string{"end_time"},
		EndTime: timePtr(f.Ctx.BlockTime().Add(5 * time.Hour))})
	require.NoError(t, err)
	refused(alice)

	// Lowering the cap leaves existing streams alone and refuses new ones;
	// raising it admits them again.
	setParams(t, f, func(p *types.Params) { p.MaxOpenStreamsPerBroadcaster = 1 })
	refused(alice)
	setParams(t, f, func(p *types.Params) { p.MaxOpenStreamsPerBroadcaster = 4 })
	_, err = tryNew(alice, time.Hour, time.Hour)
	require.NoError(t, err)
	refused(alice)

	// Once everything has ended the broadcaster's count is gone from state
	// at the next stream, and the cap is whole again.
	f.At(f.Ctx.BlockTime().Add(24 * time.Hour))
	for range 4 {
		_, err = tryNew(alice, time.Hour, time.Hour)
		require.NoError(t, err)
	}
	refused(alice)
}
