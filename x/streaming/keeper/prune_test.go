package keeper_test

import (
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	sdk "github.com/cosmos/cosmos-sdk/types"

	testkeeper "github.com/streamchain/streamchain/testutil/keeper"
	"github.com/streamchain/streamchain/x/streaming/types"
)

// setParams changes params as governance would, keeping the others.
func setParams(t testing.TB, f *testkeeper.Fixture, change func(*types.Params)) {
	t.Helper()
	p, err := f.Keeper.Params.Get(f.Ctx)
	require.NoError(t, err)
	change(&p)
	_, err = f.Msgs.UpdateParams(f.Ctx, &types.MsgUpdateParams{Authority: f.Authority, Params: p})
	require.NoError(t, err)
}

// prune runs the end blocker's pruning on a fresh event manager and returns
// the ids it pruned, in the order of its events.
func prune(t *testing.T, f *testkeeper.Fixture) []uint64 {
	t.Helper()
	f.ResetEvents()
	n, err := f.Keeper.PruneEndedStreams(f.Ctx)
	require.NoError(t, err)
	var ids []uint64
	for _, e := range f.Ctx.EventManager().Events() {
		ev, err := sdk.ParseTypedEvent(abci.Event(e))
		require.NoError(t, err)
		pruned, ok := ev.(*types.EventStreamPruned)
		require.True(t, ok, "unexpected event %T", ev)
		s, err := f.Keeper.Streams.Has(f.Ctx, pruned.StreamId)
		require.NoError(t, err)
		require.False(t, s, "stream %d still stored after its prune event", pruned.StreamId)
		ids = append(ids, pruned.StreamId)
	}
	require.Len(t, ids, n)
	require.NoError(t, f.Keeper.CheckStreamIndexes(f.Ctx, f.Ctx.BlockTime()))
	return ids
}

func TestPruningIsBoundedPerBlockAndCarriesOver(t *testing.T) {
	f := testkeeper.NewFixture(t)
	setParams(t, f, func(p *types.Params) {
		p.EndedStreamRetention = time.Hour
		p.MaxPrunesPerBlock = 3
	})
	alice, bob := f.Addr(t, "alice"), f.Addr(t, "bob")
	createProfile(t, f, alice, "Alice")
	createProfile(t, f, bob, "Bob")
	// Seven streams; ids in scheduling order, ends in another order.
	lengths := []time.Duration{70, 10, 40, 20, 60, 30, 50}
	ids := make([]uint64, len(lengths))
	for i, l := range lengths {
		who := alice
		if i%2 == 1 {
			who = bob
		}
		ids[i] = newStream(t, f, who, "s", time.Minute, l*time.Minute)
	}
	// By end time: 10, 20, 30, 40, 50, 60, 70 minutes.
	byEnd := []uint64{ids[1], ids[3], ids[5], ids[2], ids[6], ids[4], ids[0]}
	start := f.Ctx.BlockTime().Add(time.Minute)

	// Most have ended, none an hour ago: nothing to prune.
	f.At(start.Add(65 * time.Minute))
	require.Empty(t, prune(t, f))

	// The first two are due: both go, the rest stay.
	f.At(start.Add(time.Hour + 20*time.Minute))
	require.Equal(t, byEnd[:2], prune(t, f))

	// All are due: three per block, oldest first, over three blocks.
	f.At(start.Add(3 * time.Hour))
	require.Equal(t, byEnd[2:5], prune(t, f))
	f.At(f.Ctx.BlockTime().Add(time.Second))
	require.Equal(t, byEnd[5:7], prune(t, f))
	f.At(f.Ctx.BlockTime().Add(time.Second))
	require.Empty(t, prune(t, f))

	require.Zero(t, profile(t, f, alice).StreamCount)
	require.Zero(t, profile(t, f, bob).StreamCount)
	gs, err := f.Keeper.ExportGenesis(f.Ctx)
	require.NoError(t, err)
	require.Empty(t, gs.Streams)
	require.NoError(t, gs.Validate(f.AddressCode))
}

func TestPrunedStreamAnswersNotFoundSayingSo(t *testing.T) {
	f := testkeeper.NewFixture(t)
	setParams(t, f, func(p *types.Params) { p.EndedStreamRetention = 48 * time.Hour })
	alice := f.Addr(t, "alice")
	createProfile(t, f, alice, "Alice")
	id := newStream(t, f, alice, "soon gone", time.Minute, time.Hour)
	f.At(f.Ctx.BlockTime().Add(50 * time.Hour))
	require.Equal(t, []uint64{id}, prune(t, f))

	_, err := f.Queries.Stream(f.Ctx, &types.QueryStreamRequest{StreamId: id})
	requireGRPCCode(t, err, codes.NotFound)
	require.Contains(t, status.Convert(err).Message(), "pruned 2 days after it ended")
	require.Contains(t, status.Convert(err).Message(), "deleted by its broadcaster")

	_, err = f.Queries.Stream(f.Ctx, &types.QueryStreamRequest{StreamId: id + 1})
	requireGRPCCode(t, err, codes.NotFound)
	require.Contains(t, status.Convert(err).Message(), "no stream has had this id yet")

	// Messages naming it get the registered error with the same sentence.
	requireRejected(t, f, types.ErrStreamNotFound, func() error {
		_, err := f.Msgs.DeleteStream(f.Ctx, &types.MsgDeleteStream{Broadcaster: alice, StreamId: id})
		if err != nil {
			require.Contains(t, err.Error(), "pruned")
		}
		return err
	})
}

// The end blocker is bounded by max_prunes_per_block whatever the backlog:
// a backlog larger than the bound drains over several blocks.
func TestPruningDrainsABacklogAtTheBound(t *testing.T) {
	f := testkeeper.NewFixture(t)
	setParams(t, f, func(p *types.Params) {
		p.EndedStreamRetention = time.Minute
		p.MaxPrunesPerBlock = 7
		p.MaxOpenStreamsPerBroadcaster = 1000
	})
	alice := f.Addr(t, "alice")
	createProfile(t, f, alice, "Alice")
	for range 50 {
		newStream(t, f, alice, "s", time.Minute, time.Minute)
	}
	f.At(f.Ctx.BlockTime().Add(time.Hour))
	pruned := 0
	for blocks := 1; ; blocks++ {
		got := prune(t, f)
		pruned += len(got)
		if pruned == 50 {
			require.Equal(t, 8, blocks) // ceil(50 / 7)
			require.Len(t, got, 50-7*7)
			break
		}
		require.Len(t, got, 7)
		f.At(f.Ctx.BlockTime().Add(time.Second))
	}
	require.Zero(t, profile(t, f, alice).StreamCount)
}

// An export carries streams and params; the import derives the time
// indexes and the open-stream counts, so that pruning and the cap go on in
// the new chain exactly as in the old one.
func TestGenesisImportRebuildsRetentionState(t *testing.T) {
	f := testkeeper.NewFixture(t)
	setParams(t, f, func(p *types.Params) {
		p.EndedStreamRetention = time.Hour
		p.MaxPrunesPerBlock = 2
		p.MaxOpenStreamsPerBroadcaster = 4
	})
	alice, bob := f.Addr(t, "alice"), f.Addr(t, "bob")
	createProfile(t, f, alice, "Alice")
	createProfile(t, f, bob, "Bob")
	for i := range 4 {
		newStream(t, f, alice, "a", time.Duration(i)*time.Minute, time.Duration(i+1)*time.Hour)
		newStream(t, f, bob, "b", time.Duration(i)*time.Minute, 10*time.Minute)
	}
	f.At(f.Ctx.BlockTime().Add(90 * time.Minute))
	require.Len(t, prune(t, f), 2)

	exported, err := f.Keeper.ExportGenesis(f.Ctx)
	require.NoError(t, err)
	g := testkeeper.NewFixture(t)
	g.Ctx = g.Ctx.WithBlockTime(f.Ctx.BlockTime())
	require.NoError(t, g.Keeper.InitGenesis(g.Ctx, exported))
	require.NoError(t, g.Keeper.CheckStreamIndexes(g.Ctx, g.Ctx.BlockTime()))
	again, err := g.Keeper.ExportGenesis(g.Ctx)
	require.NoError(t, err)
	require.Equal(t, exported, again)

	for _, fx := range []*testkeeper.Fixture{f, g} {
		// Alice has three open streams, bob none.
		for who, free := range map[string]int{alice: 1, bob: 4} {
			for range free {
				newStream(t, fx, who, "more", time.Hour, time.Hour)
			}
			requireRejected(t, fx, types.ErrTooManyOpenStreams, func() error {
				start := fx.Ctx.BlockTime().Add(time.Hour)
				_, err := fx.Msgs.NewStream(fx.Ctx, &types.MsgNewStream{Broadcaster: who, Title: "one too many", StartTime: start, EndTime: start.Add(time.Hour)})
				return err
			})
		}
	}
	for range 3 {
		f.At(f.Ctx.BlockTime().Add(time.Minute))
		g.At(f.Ctx.BlockTime())
		require.Equal(t, prune(t, f), prune(t, g))
	}
}
