package keeper_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	testkeeper "github.com/streamchain/streamchain/testutil/keeper"
	"github.com/streamchain/streamchain/x/streaming/types"
)

func TestGenesisRoundTrip(t *testing.T) {
	f := testkeeper.NewFixture(t)
	alice, bob, _, _, _ := scheduleMix(t, f)
	subscribe(t, f, bob, alice)
	deleted := newStream(t, f, alice, "deleted", time.Hour, time.Hour)
	_, err := f.Msgs.DeleteStream(f.Ctx, &types.MsgDeleteStream{Broadcaster: alice, StreamId: deleted})
	require.NoError(t, err)

	exported, err := f.Keeper.ExportGenesis(f.Ctx)
	require.NoError(t, err)
	require.NoError(t, exported.Validate(f.AddressCode))
	require.Len(t, exported.Profiles, 2)
	require.Len(t, exported.Streams, 7)
	require.Len(t, exported.Subscriptions, 1)
	// The sequence is exported: the deleted stream's id stays burnt.
	require.Equal(t, deleted+1, exported.NextStreamId)

	g := testkeeper.NewFixture(t)
	require.NoError(t, g.Keeper.InitGenesis(g.Ctx, exported))
	again, err := g.Keeper.ExportGenesis(g.Ctx)
	require.NoError(t, err)
	require.Equal(t, exported, again)

	// Indexes are rebuilt on import.
	g.At(f.Ctx.BlockTime())
	subs, err := g.Queries.Subscribers(g.Ctx, &types.QuerySubscribersRequest{Broadcaster: alice})
	require.NoError(t, err)
	require.Equal(t, []string{bob}, subscribers(subs.Subscriptions))
	live, err := g.Queries.Streams(g.Ctx, &types.QueryStreamsRequest{Status: types.STREAM_STATUS_LIVE})
	require.NoError(t, err)
	require.Len(t, live.Streams, 2)
	res, err := g.Msgs.NewStream(g.Ctx, &types.MsgNewStream{Broadcaster: alice, Title: "after import", StartTime: g.Ctx.BlockTime(), EndTime: g.Ctx.BlockTime().Add(time.Hour)})
	require.NoError(t, err)
	require.Equal(t, exported.NextStreamId, res.StreamId)
}

func TestGenesisValidate(t *testing.T) {
	f := testkeeper.NewFixture(t)
	alice, bob := f.Addr(t, "alice"), f.Addr(t, "bob")
	start := testkeeper.GenesisTime
	valid := func() types.GenesisState {
		return types.GenesisState{
			Params: types.DefaultParams(),
			Profiles: []types.Profile{
				{Address: alice, Name: "A", SubscriberCount: 1, StreamCount: 1},
				{Address: bob, Name: "B", SubscriptionCount: 1},
			},
			Streams:       []types.Stream{{Id: 1, Broadcaster: alice, Title: "t", StartTime: start, EndTime: start.Add(time.Hour)}},
			Subscriptions: []types.Subscription{{Subscriber: bob, Broadcaster: alice, Since: start}},
			NextStreamId:  2,
		}
	}
	gs := valid()
	require.NoError(t, gs.Validate(f.AddressCode))
	def := types.DefaultGenesis()
	require.NoError(t, def.Validate(f.AddressCode))

	cases := map[string]func(*types.GenesisState){
		"bad params":               func(g *types.GenesisState) { g.Params.MaxTitleLength = 0 },
		"next id zero":             func(g *types.GenesisState) { g.NextStreamId = 0 },
		"bad profile address":      func(g *types.GenesisState) { g.Profiles[0].Address = "cosmos1xyz" },
		"upper-case address":       func(g *types.GenesisState) { g.Profiles[1].Address = strings.ToUpper(bob) },
		"duplicate profile":        func(g *types.GenesisState) { g.Profiles = append(g.Profiles, g.Profiles[0]) },
		"stream id not below next": func(g *types.GenesisState) { g.NextStreamId = 1 },
		"stream id zero":           func(g *types.GenesisState) { g.Streams[0].Id = 0 },
		"duplicate stream":         func(g *types.GenesisState) { g.Streams = append(g.Streams, g.Streams[0]) },
		"dangling broadcaster":     func(g *types.GenesisState) { g.Streams[0].Broadcaster = f.Addr(t, "ghost") },
		"end before start":         func(g *types.GenesisState) { g.Streams[0].EndTime = start },
		"longer than the ceiling": func(g *types.GenesisState) {
			g.Streams[0].EndTime = start.Add(types.MaxStreamDurationCeiling + time.Second)
		},
		"invisible stream title": func(g *types.GenesisState) { g.Streams[0].Title = "\U0001d159" },
		"hostless stream link":   func(g *types.GenesisState) { g.Streams[0].ImgLink = "https:///etc/passwd" },
		"noncharacter in a name": func(g *types.GenesisState) { g.Profiles[1].Name = "B\uffff" },
		"duplicate subscription": func(g *types.GenesisState) { g.Subscriptions = append(g.Subscriptions, g.Subscriptions[0]) },
		"dangling subscriber":    func(g *types.GenesisState) { g.Subscriptions[0].Subscriber = f.Addr(t, "ghost") },
		"dangling subscribed-to": func(g *types.GenesisState) { g.Subscriptions[0].Broadcaster = f.Addr(t, "ghost") },
		"self subscription":      func(g *types.GenesisState) { g.Subscriptions[0].Subscriber = alice },
		"stale counter":          func(g *types.GenesisState) { g.Profiles[0].SubscriberCount = 5 },
	}
	for name, mutate := range cases {
		t.Run(name, func(t *testing.T) {
			g := valid()
			mutate(&g)
			require.ErrorIs(t, g.Validate(f.AddressCode), types.ErrInvalidGenesis)
		})
	}

	// InitGenesis refuses what Validate refuses, before writing anything.
	g := valid()
	g.Streams[0].Broadcaster = f.Addr(t, "ghost")
	fresh := testkeeper.NewFixture(t)
	before, err := fresh.Keeper.ExportGenesis(fresh.Ctx)
	require.NoError(t, err)
	require.ErrorIs(t, fresh.Keeper.InitGenesis(fresh.Ctx, &g), types.ErrInvalidGenesis)
	after, err := fresh.Keeper.ExportGenesis(fresh.Ctx)
	require.NoError(t, err)
	require.Equal(t, before, after)
}
