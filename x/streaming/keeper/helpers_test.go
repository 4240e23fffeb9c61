package keeper_test

import (
	"strings"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	gogoproto "github.com/cosmos/gogoproto/proto"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"

	testkeeper "github.com/streamchain/streamchain/testutil/keeper"
	"github.com/streamchain/streamchain/x/streaming/types"
)

// requireRejected asserts that call fails with want (a registered error of
// this module, so its ABCI code is want's and never 1), emits no event and
// leaves the whole module state exactly as it was.
func requireRejected(t *testing.T, f *testkeeper.Fixture, want *errorsmod.Error, call func() error) {
	t.Helper()
	before, err := f.Keeper.ExportGenesis(f.Ctx)
	require.NoError(t, err)
	f.ResetEvents()

	err = call()
	require.ErrorIs(t, err, want)
	codespace, code, _ := errorsmod.ABCIInfo(err, false)
	require.Equal(t, types.ModuleName, codespace)
	require.Equal(t, want.ABCICode(), code)
	require.GreaterOrEqual(t, code, uint32(2))

	require.Empty(t, f.Ctx.EventManager().Events(), "a rejected message must not emit events")
	after, err := f.Keeper.ExportGenesis(f.Ctx)
	require.NoError(t, err)
	require.Equal(t, before, after, "a rejected message must not change state")
}

// requireEvent asserts that the last call emitted exactly one event, of the
// type of want, with want's attributes.
func requireEvent(t *testing.T, f *testkeeper.Fixture, want gogoproto.Message) {
	t.Helper()
	events := f.Ctx.EventManager().Events()
	require.Len(t, events, 1)
	got, err := sdk.ParseTypedEvent(abci.Event(events[0]))
	require.NoError(t, err)
	require.Equal(t, want, got)
}

func createProfile(t testing.TB, f *testkeeper.Fixture, owner, name string) {
	t.Helper()
	_, err := f.Msgs.EditProfile(f.Ctx, &types.MsgEditProfile{Owner: owner, Name: name})
	require.NoError(t, err)
}

func newStream(t *testing.T, f *testkeeper.Fixture, broadcaster, title string, startIn, length time.Duration) uint64 {
	t.Helper()
	start := f.Ctx.BlockTime().Add(startIn)
	res, err := f.Msgs.NewStream(f.Ctx, &types.MsgNewStream{
		Broadcaster: broadcaster, Title: title, StartTime: start, EndTime: start.Add(length),
	})
	require.NoError(t, err)
	return res.StreamId
}

func subscribe(t testing.TB, f *testkeeper.Fixture, subscriber, broadcaster string) {
	t.Helper()
	_, err := f.Msgs.Subscribe(f.Ctx, &types.MsgSubscribe{Subscriber: subscriber, Broadcaster: broadcaster})
	require.NoError(t, err)
}

func profile(t *testing.T, f *testkeeper.Fixture, addr string) types.Profile {
	t.Helper()
	res, err := f.Queries.Profile(f.Ctx, &types.QueryProfileRequest{Address: addr})
	require.NoError(t, err)
	return res.Profile
}

func timePtr(t time.Time) *time.Time { return &t }

func repeat(s string, n int) string { return strings.Repeat(s, n) }

type errorsmodError = errorsmod.Error

const codesNotFound = codes.NotFound

// requireGRPCCode asserts a query error's gRPC status code.
func requireGRPCCode(t *testing.T, err error, want codes.Code) {
	t.Helper()
	require.Error(t, err)
	require.Equal(t, want, status.Code(err), "error: %v", err)
}

func streamIDs(streams []types.StreamWithStatus) []uint64 {
	ids := make([]uint64, 0, len(streams))
	for _, s := range streams {
		ids = append(ids, s.Stream.Id)
	}
	return ids
}
