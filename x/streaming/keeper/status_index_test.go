package keeper_test

import (
	"cmp"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cosmos/cosmos-sdk/types/query"

	testkeeper "github.com/streamchain/streamchain/testutil/keeper"
	"github.com/streamchain/streamchain/x/streaming/types"
)

// The status of a stream changes with the block time alone. At many times
// around every start and end, each status query (all broadcasters and each
// broadcaster, paged two at a time) must answer exactly the streams a full
// scan finds with that status, in the documented order.
func TestStatusQueriesFollowTheBlockTime(t *testing.T) {
	f := testkeeper.NewFixture(t)
	setParams(t, f, func(p *types.Params) { p.EndedStreamRetention = 365 * 24 * time.Hour })
	alice, bob := f.Addr(t, "alice"), f.Addr(t, "bob")
	createProfile(t, f, alice, "Alice")
	createProfile(t, f, bob, "Bob")
	t0 := f.Ctx.BlockTime()

	var ids []uint64
	for i, spec := range []struct {
		who             string
		startIn, length time.Duration
	}{
		{alice, 0, time.Hour}, {bob, 10 * time.Minute, 20 * time.Minute}, {alice, 30 * time.Minute, 24 * time.Hour},
		{bob, 30 * time.Minute, time.Minute}, {alice, 2 * time.Hour, time.Hour}, {bob, 2 * time.Hour, 3 * time.Hour},
		{alice, 3 * time.Hour, 10 * time.Minute}, {bob, 0, 5 * time.Hour}, {alice, 6 * time.Hour, time.Hour},
	} {
		ids = append(ids, newStream(t, f, spec.who, fmt.Sprint("s", i), spec.startIn, spec.length))
	}
	// Edits move a stream's start and end; a delete removes one.
	_, err := f.Msgs.EditStream(f.Ctx, &types.MsgEditStream{Broadcaster: alice, StreamId: ids[4], UpdateMask: []string{"start_time", "end_time"},
		StartTime: timePtr(t0.Add(4 * time.Hour)), EndTime: timePtr(t0.Add(4*time.Hour + 30*time.Minute))})
	require.NoError(t, err)
	_, err = f.Msgs.EditStream(f.Ctx, &types.MsgEditStream{Broadcaster: bob, StreamId: ids[7], UpdateMask: []string{"end_time"},
		EndTime: timePtr(t0.Add(90 * time.Minute))})
	require.NoError(t, err)
	_, err = f.Msgs.DeleteStream(f.Ctx, &types.MsgDeleteStream{Broadcaster: bob, StreamId: ids[5]})
	require.NoError(t, err)

	gs, err := f.Keeper.ExportGenesis(f.Ctx)
	require.NoError(t, err)
	var instants []time.Time
	for _, s := range gs.Streams {
		for _, at := range []time.Time{s.StartTime, s.EndTime} {
			instants = append(instants, at.Add(-time.Nanosecond), at, at.Add(time.Nanosecond))
		}
	}
	slices.SortFunc(instants, time.Time.Compare)
	for _, now := range instants {
		if now.Before(t0) {
			continue
		}
		f.At(now)
		for _, status := range []types.StreamStatus{types.STREAM_STATUS_UPCOMING, types.STREAM_STATUS_LIVE, types.STREAM_STATUS_ENDED} {
			for _, who := range []string{"", alice, bob} {
				want := expectedByStatus(gs.Streams, who, status, now)
				require.Equal(t, want, pagedStreamIDs(t, f, who, status), "%s of %q at +%s", status, who, now.Sub(t0))
			}
		}
	}
}

// expectedByStatus is what a full scan finds, in the order the query
// promises: start-time order across broadcasters, but end-time order for
// ended streams and for one broadcaster's.
func expectedByStatus(streams []types.Stream, who string, status types.StreamStatus, now time.Time) []uint64 {
	var match []types.Stream
	for _, s := range streams {
		if (who == "" || s.Broadcaster == who) && s.StatusAt(now) == status {
			match = append(match, s)
		}
	}
	byEnd := who != "" || status == types.STREAM_STATUS_ENDED
	slices.SortFunc(match, func(a, b types.Stream) int {
		ta, tb := a.StartTime, b.StartTime
		if byEnd {
			ta, tb = a.EndTime, b.EndTime
		}
		return cmp.Or(ta.Compare(tb), cmp.Compare(a.Id, b.Id))
	})
	ids := []uint64{}
	for _, s := range match {
		ids = append(ids, s.Id)
	}
	return ids
}

func pagedStreamIDs(t *testing.T, f *testkeeper.Fixture, who string, status types.StreamStatus) []uint64 {
	t.Helper()
	ids := []uint64{}
	var key []byte
	for range 20 {
		res, err := f.Queries.Streams(f.Ctx, &types.QueryStreamsRequest{Broadcaster: who, Status: status, Pagination: &query.PageRequest{Key: key, Limit: 2}})
		require.NoError(t, err)
		for _, s := range res.Streams {
			require.Equal(t, status, s.Status)
			ids = append(ids, s.Stream.Id)
		}
		if key = res.Pagination.NextKey; key == nil {
			return ids
		}
	}
	t.Fatal("more than 20 pages")
	return nil
}
