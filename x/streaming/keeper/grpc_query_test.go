package keeper_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/query"

	testkeeper "github.com/streamchain/streamchain/testutil/keeper"
	"github.com/streamchain/streamchain/x/streaming/types"
)

func TestQueryProfileAndStreamErrors(t *testing.T) {
	f := testkeeper.NewFixture(t)

	_, err := f.Queries.Profile(f.Ctx, &types.QueryProfileRequest{Address: f.Addr(t, "nobody")})
	requireGRPCCode(t, err, codes.NotFound)
	_, err = f.Queries.Profile(f.Ctx, &types.QueryProfileRequest{Address: "not-an-address"})
	requireGRPCCode(t, err, codes.InvalidArgument)
	_, err = f.Queries.Profile(f.Ctx, nil)
	requireGRPCCode(t, err, codes.InvalidArgument)

	_, err = f.Queries.Stream(f.Ctx, &types.QueryStreamRequest{StreamId: 7})
	requireGRPCCode(t, err, codes.NotFound)
	_, err = f.Queries.Stream(f.Ctx, &types.QueryStreamRequest{StreamId: 0})
	requireGRPCCode(t, err, codes.InvalidArgument)

	_, err = f.Queries.Streams(f.Ctx, &types.QueryStreamsRequest{Status: 9})
	requireGRPCCode(t, err, codes.InvalidArgument)
	_, err = f.Queries.Streams(f.Ctx, &types.QueryStreamsRequest{Broadcaster: "x"})
	requireGRPCCode(t, err, codes.InvalidArgument)
	_, err = f.Queries.Subscribers(f.Ctx, &types.QuerySubscribersRequest{Broadcaster: ""})
	requireGRPCCode(t, err, codes.InvalidArgument)
	_, err = f.Queries.Subscriptions(f.Ctx, &types.QuerySubscriptionsRequest{Subscriber: "stream1"})
	requireGRPCCode(t, err, codes.InvalidArgument)
	_, err = f.Queries.Subscription(f.Ctx, &types.QuerySubscriptionRequest{Subscriber: f.Addr(t, "a"), Broadcaster: "b"})
	requireGRPCCode(t, err, codes.InvalidArgument)
}

func TestQueryStreamStatusFollowsBlockTime(t *testing.T) {
	f := testkeeper.NewFixture(t)
	alice := f.Addr(t, "alice")
	createProfile(t, f, alice, "Alice")
	id := newStream(t, f, alice, "t", time.Hour, time.Hour)
	start := testkeeper.GenesisTime.Add(time.Hour)

	for _, tc := range []struct {
		at   time.Time
		want types.StreamStatus
	}{
		{start.Add(-time.Nanosecond), types.STREAM_STATUS_UPCOMING},
		{start, types.STREAM_STATUS_LIVE},
		{start.Add(time.Hour - time.Nanosecond), types.STREAM_STATUS_LIVE},
		{start.Add(time.Hour), types.STREAM_STATUS_ENDED},
	} {
		f.At(tc.at)
		res, err := f.Queries.Stream(f.Ctx, &types.QueryStreamRequest{StreamId: id})
		require.NoError(t, err)
		require.Equal(t, tc.want, res.Status, "at %s", tc.at)
		require.Equal(t, tc.at, res.BlockTime)
	}
}

// scheduleMix creates, as seen at GenesisTime+90min: two ended streams,
// two live ones and three upcoming ones, spread over two broadcasters.
func scheduleMix(t *testing.T, f *testkeeper.Fixture) (alice, bob string, ended, live, upcoming []uint64) {
	t.Helper()
	alice, bob = f.Addr(t, "alice"), f.Addr(t, "bob")
	createProfile(t, f, alice, "Alice")
	createProfile(t, f, bob, "Bob")
	ended = append(ended, newStream(t, f, alice, "e1", 0, time.Hour))
	ended = append(ended, newStream(t, f, bob, "e2", 10*time.Minute, time.Hour))
	live = append(live, newStream(t, f, bob, "l1", time.Hour, time.Hour))
	live = append(live, newStream(t, f, alice, "l2", 80*time.Minute, 20*time.Hour))
	upcoming = append(upcoming, newStream(t, f, alice, "u1", 3*time.Hour, time.Hour))
	upcoming = append(upcoming, newStream(t, f, bob, "u2", 4*time.Hour, time.Hour))
	upcoming = append(upcoming, newStream(t, f, alice, "u3", 5*time.Hour, time.Hour))
	f.At(testkeeper.GenesisTime.Add(90 * time.Minute))
	return alice, bob, ended, live, upcoming
}

func TestQueryStreamsFilters(t *testing.T) {
	f := testkeeper.NewFixture(t)
	alice, bob, ended, live, upcoming := scheduleMix(t, f)

	all, err := f.Queries.Streams(f.Ctx, &types.QueryStreamsRequest{})
	require.NoError(t, err)
	// Start-time order: e1, e2, l1, l2, u1, u2, u3.
	require.Equal(t, append(append(append([]uint64{}, ended...), live...), upcoming...), streamIDs(all.Streams))

	for _, tc := range []struct {
		status types.StreamStatus
		want   []uint64
	}{
		{types.STREAM_STATUS_ENDED, ended},
		{types.STREAM_STATUS_LIVE, live},
		{types.STREAM_STATUS_UPCOMING, upcoming},
	} {
		res, err := f.Queries.Streams(f.Ctx, &types.QueryStreamsRequest{Status: tc.status})
		require.NoError(t, err)
		require.Equal(t, tc.want, streamIDs(res.Streams), tc.status.String())
		for _, s := range res.Streams {
			require.Equal(t, tc.status, s.Status)
		}
	}

	aliceAll, err := f.Queries.Streams(f.Ctx, &types.QueryStreamsRequest{Broadcaster: alice})
	require.NoError(t, err)
	require.Equal(t, []uint64{ended[0], live[1], upcoming[0], upcoming[2]}, streamIDs(aliceAll.Streams))
	bobLive, err := f.Queries.Streams(f.Ctx, &types.QueryStreamsRequest{Broadcaster: bob, Status: types.STREAM_STATUS_LIVE})
	require.NoError(t, err)
	require.Equal(t, []uint64{live[0]}, streamIDs(bobLive.Streams))
	nobody, err := f.Queries.Streams(f.Ctx, &types.QueryStreamsRequest{Broadcaster: f.Addr(t, "nobody")})
	require.NoError(t, err)
	require.Empty(t, nobody.Streams)
}

func TestQueryStreamsPaginates(t *testing.T) {
	f := testkeeper.NewFixture(t)
	_, _, ended, live, upcoming := scheduleMix(t, f)
	want := append(append(append([]uint64{}, ended...), live...), upcoming...)

	// Walk every list with a page size of 2 by next_key; the pages must
	// join up to the unpaged list with nothing skipped or repeated.
	var got []uint64
	var key []byte
	for pages := 0; ; pages++ {
		require.Less(t, pages, 10)
		res, err := f.Queries.Streams(f.Ctx, &types.QueryStreamsRequest{Pagination: &query.PageRequest{Key: key, Limit: 2}})
		require.NoError(t, err)
		require.LessOrEqual(t, len(res.Streams), 2)
		got = append(got, streamIDs(res.Streams)...)
		if key = res.Pagination.NextKey; key == nil {
			break
		}
	}
	require.Equal(t, want, got)

	// The same with a status filter, by offset.
	page1, err := f.Queries.Streams(f.Ctx, &types.QueryStreamsRequest{Status: types.STREAM_STATUS_UPCOMING, Pagination: &query.PageRequest{Limit: 2}})
	require.NoError(t, err)
	page2, err := f.Queries.Streams(f.Ctx, &types.QueryStreamsRequest{Status: types.STREAM_STATUS_UPCOMING, Pagination: &query.PageRequest{Offset: 2, Limit: 2}})
	require.NoError(t, err)
	require.Equal(t, upcoming, append(streamIDs(page1.Streams), streamIDs(page2.Streams)...))

	// Newest first.
	rev, err := f.Queries.Streams(f.Ctx, &types.QueryStreamsRequest{Status: types.STREAM_STATUS_UPCOMING, Pagination: &query.PageRequest{Reverse: true}})
	require.NoError(t, err)
	require.Equal(t, []uint64{upcoming[2], upcoming[1], upcoming[0]}, streamIDs(rev.Streams))

	_, err = f.Queries.Streams(f.Ctx, &types.QueryStreamsRequest{Pagination: &query.PageRequest{CountTotal: true}})
	requireGRPCCode(t, err, codes.InvalidArgument)
}

func TestQueryPageSizeIsCapped(t *testing.T) {
	f := testkeeper.NewFixture(t)
	alice := f.Addr(t, "alice")
	createProfile(t, f, alice, "Alice")
	n := int(types.MaxPageLimit) + 20
	for i := 0; i < n; i++ {
		fan := f.AddrN(t, i)
		createProfile(t, f, fan, "fan")
		subscribe(t, f, fan, alice)
	}
	for _, limit := range []uint64{0, types.MaxPageLimit + 1, 1 << 40} {
		res, err := f.Queries.Subscribers(f.Ctx, &types.QuerySubscribersRequest{Broadcaster: alice, Pagination: &query.PageRequest{Limit: limit}})
		require.NoError(t, err)
		want := types.MaxPageLimit
		if limit == 0 {
			want = types.DefaultPageLimit
		}
		require.Len(t, res.Subscriptions, int(want), "limit %d", limit)
		require.NotNil(t, res.Pagination.NextKey)
	}
	state, err := f.Queries.State(f.Ctx, &types.QueryStateRequest{ProfilesPagination: &query.PageRequest{Limit: 1000}})
	require.NoError(t, err)
	require.Len(t, state.Profiles, int(types.MaxPageLimit))
}

func TestQuerySubscribersAndSubscriptions(t *testing.T) {
	f := testkeeper.NewFixture(t)
	alice, bob, carol, dave := f.Addr(t, "alice"), f.Addr(t, "bob"), f.Addr(t, "carol"), f.Addr(t, "dave")
	for _, a := range []string{alice, bob, carol, dave} {
		createProfile(t, f, a, "x")
	}
	subscribe(t, f, bob, alice)
	subscribe(t, f, carol, alice)
	subscribe(t, f, dave, alice)
	subscribe(t, f, bob, carol)

	subs, err := f.Queries.Subscribers(f.Ctx, &types.QuerySubscribersRequest{Broadcaster: alice})
	require.NoError(t, err)
	require.ElementsMatch(t, []string{bob, carol, dave}, subscribers(subs.Subscriptions))
	for _, s := range subs.Subscriptions {
		require.Equal(t, alice, s.Broadcaster)
		require.Equal(t, testkeeper.GenesisTime, s.Since)
	}

	// Two pages of two: no repeat, nothing missed.
	p1, err := f.Queries.Subscribers(f.Ctx, &types.QuerySubscribersRequest{Broadcaster: alice, Pagination: &query.PageRequest{Limit: 2}})
	require.NoError(t, err)
	require.Len(t, p1.Subscriptions, 2)
	p2, err := f.Queries.Subscribers(f.Ctx, &types.QuerySubscribersRequest{Broadcaster: alice, Pagination: &query.PageRequest{Key: p1.Pagination.NextKey, Limit: 2}})
	require.NoError(t, err)
	require.Len(t, p2.Subscriptions, 1)
	require.Nil(t, p2.Pagination.NextKey)
	require.ElementsMatch(t, []string{bob, carol, dave}, append(subscribers(p1.Subscriptions), subscribers(p2.Subscriptions)...))

	mine, err := f.Queries.Subscriptions(f.Ctx, &types.QuerySubscriptionsRequest{Subscriber: bob})
	require.NoError(t, err)
	var followed []string
	for _, s := range mine.Subscriptions {
		require.Equal(t, bob, s.Subscriber)
		followed = append(followed, s.Broadcaster)
	}
	require.ElementsMatch(t, []string{alice, carol}, followed)

	none, err := f.Queries.Subscriptions(f.Ctx, &types.QuerySubscriptionsRequest{Subscriber: alice})
	require.NoError(t, err)
	require.Empty(t, none.Subscriptions)
}

func TestQueryStatePagesBothLists(t *testing.T) {
	f := testkeeper.NewFixture(t)
	scheduleMix(t, f)

	res, err := f.Queries.State(f.Ctx, &types.QueryStateRequest{
		ProfilesPagination: &query.PageRequest{Limit: 1},
		StreamsPagination:  &query.PageRequest{Limit: 5},
	})
	require.NoError(t, err)
	require.Len(t, res.Profiles, 1)
	require.NotNil(t, res.ProfilesPagination.NextKey)
	require.Len(t, res.Streams, 5)
	require.NotNil(t, res.StreamsPagination.NextKey)

	rest, err := f.Queries.State(f.Ctx, &types.QueryStateRequest{
		ProfilesPagination: &query.PageRequest{Key: res.ProfilesPagination.NextKey},
		StreamsPagination:  &query.PageRequest{Key: res.StreamsPagination.NextKey},
	})
	require.NoError(t, err)
	require.Len(t, rest.Profiles, 1)
	require.Len(t, rest.Streams, 2)
	require.NotEqual(t, res.Profiles[0].Address, rest.Profiles[0].Address)
}

func subscribers(subs []types.Subscription) []string {
	out := make([]string, 0, len(subs))
	for _, s := range subs {
		out = append(out, s.Subscriber)
	}
	return out
}

// A page asked for by both key and offset is the caller's mistake on every
// list (InvalidArgument: HTTP 400 over REST, not 500); a store that cannot
// be read is not (Internal).
func TestQueryListErrorsAreInvalidArgumentOrInternal(t *testing.T) {
	f := testkeeper.NewFixture(t)
	alice, bob := f.Addr(t, "alice"), f.Addr(t, "bob")
	createProfile(t, f, alice, "Alice")
	both := &query.PageRequest{Key: []byte{1}, Offset: 1}

	for _, status := range []types.StreamStatus{types.STREAM_STATUS_UNSPECIFIED, types.STREAM_STATUS_UPCOMING, types.STREAM_STATUS_LIVE, types.STREAM_STATUS_ENDED} {
		_, err := f.Queries.Streams(f.Ctx, &types.QueryStreamsRequest{Status: status, Pagination: both})
		requireGRPCCode(t, err, codes.InvalidArgument)
		_, err = f.Queries.Streams(f.Ctx, &types.QueryStreamsRequest{Broadcaster: alice, Status: status, Pagination: both})
		requireGRPCCode(t, err, codes.InvalidArgument)
	}
	_, err := f.Queries.Subscribers(f.Ctx, &types.QuerySubscribersRequest{Broadcaster: alice, Pagination: both})
	requireGRPCCode(t, err, codes.InvalidArgument)
	_, err = f.Queries.Subscriptions(f.Ctx, &types.QuerySubscriptionsRequest{Subscriber: alice, Pagination: both})
	requireGRPCCode(t, err, codes.InvalidArgument)
	_, err = f.Queries.State(f.Ctx, &types.QueryStateRequest{StreamsPagination: both})
	requireGRPCCode(t, err, codes.InvalidArgument)

	// Index entries whose record is missing: the store is inconsistent.
	noStream := func() (types.Stream, error) { return types.Stream{}, collections.ErrNotFound }
	noSub := func() (types.Subscription, error) { return types.Subscription{}, collections.ErrNotFound }
	start := testkeeper.GenesisTime.Add(time.Hour)
	require.NoError(t, f.Keeper.Streams.Indexes.ByStart.Reference(f.Ctx, 99, types.Stream{StartTime: start}, noStream))
	_, err = f.Queries.Streams(f.Ctx, &types.QueryStreamsRequest{})
	requireGRPCCode(t, err, codes.Internal)
	aliceAddr, err := f.AddressCode.StringToBytes(alice)
	require.NoError(t, err)
	bobAddr, err := f.AddressCode.StringToBytes(bob)
	require.NoError(t, err)
	require.NoError(t, f.Keeper.Streams.Indexes.ByBroadcaster.Reference(f.Ctx, 99, types.Stream{Broadcaster: alice}, noStream))
	_, err = f.Queries.Streams(f.Ctx, &types.QueryStreamsRequest{Broadcaster: alice})
	requireGRPCCode(t, err, codes.Internal)
	require.NoError(t, f.Keeper.Subscriptions.Indexes.ByBroadcaster.Reference(f.Ctx,
		collections.Join(sdk.AccAddress(bobAddr), sdk.AccAddress(aliceAddr)), types.Subscription{}, noSub))
	_, err = f.Queries.Subscribers(f.Ctx, &types.QuerySubscribersRequest{Broadcaster: alice})
	requireGRPCCode(t, err, codes.Internal)
}
